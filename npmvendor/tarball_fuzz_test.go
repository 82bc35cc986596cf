package npmvendor

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fuzzLimits are small, so that the fuzzer reaches them with inputs of a few kilobytes.
var fuzzLimits = Limits{MaxUnpacked: 4 << 10, MaxFiles: 16}

// fuzzTar is one entry of a seed archive.
type fuzzTar struct {
	name, body, link string
	typ              byte
	mode             int64
	size             int64 // the header's size when set; the body is written as it is
	format           tar.Format
}

// fuzzArchive returns the uncompressed tar stream of entries (the fuzz target gzips it).
func fuzzArchive(entries ...fuzzTar) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		size := int64(len(e.body))
		if e.size != 0 {
			size = e.size
		}
		hdr := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: typ, Mode: mode, Size: size, Format: e.format}
		switch typ {
		case tar.TypeDir, tar.TypeSymlink, tar.TypeLink, tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			hdr.Size = 0 // header-only types
		}
		if err := tw.WriteHeader(hdr); err != nil {
			// A header the writer refuses (a long name in USTAR): write it as PAX.
			hdr.Format = tar.FormatPAX
			if err := tw.WriteHeader(hdr); err != nil {
				panic(err)
			}
		}
		_, _ = tw.Write([]byte(e.body))
	}
	_ = tw.Flush()
	_ = tw.Close()
	return buf.Bytes()
}

// gzipBytes gzips b at level: the fuzz target stores (gzip.NoCompression), as a compressing writer
// costs a megabyte of state, most of an execution.
func gzipBytes(b []byte, level int) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, level)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// FuzzExtract feeds extract any bytes (gzip'd by the target unless they already are) and checks,
// whatever they are, that nothing is written outside its folder, no link, device or special
// mode is ever made, the caps hold, and it never panics.
func FuzzExtract(f *testing.F) {
	big := strings.Repeat("A", int(fuzzLimits.MaxUnpacked/2+1))
	seeds := [][]byte{
		// Good packages, with the usual spellings of the top folder.
		fuzzArchive(fuzzTar{name: "package/package.json", body: `{"name":"x"}`}, fuzzTar{name: "package/lib/index.js", body: "module.exports = 1;", mode: 0o755}),
		fuzzArchive(fuzzTar{name: "./package/", typ: tar.TypeDir}, fuzzTar{name: "./package/index.js", body: "1"}),
		fuzzArchive(fuzzTar{name: "node/", typ: tar.TypeDir}, fuzzTar{name: "node\\win\\index.js", body: "1"}),
		fuzzArchive(fuzzTar{name: "package/" + strings.Repeat("d/", 60) + "f.js", body: "deep", format: tar.FormatPAX}),
		fuzzArchive(fuzzTar{name: "package/" + strings.Repeat("n", 200), body: "long name", format: tar.FormatGNU}),
		fuzzArchive(fuzzTar{name: "package//etc/passwd", body: "stays inside"}, fuzzTar{name: "package/./a/../b", body: "cleaned"}),
		// Climbing out, absolute paths, drive letters.
		fuzzArchive(fuzzTar{name: "package/../../evil.js", body: "x"}),
		fuzzArchive(fuzzTar{name: "package/a/../../../evil.js", body: "x"}),
		fuzzArchive(fuzzTar{name: "/etc/evil", body: "x"}),
		fuzzArchive(fuzzTar{name: "C:\\evil", body: "x"}),
		fuzzArchive(fuzzTar{name: "package\\..\\..\\evil", body: "x"}),
		fuzzArchive(fuzzTar{name: "..", typ: tar.TypeDir}, fuzzTar{name: "../evil", body: "x"}),
		fuzzArchive(fuzzTar{name: "index.js", body: "no top folder"}),
		// Links in and out, which are never made.
		fuzzArchive(fuzzTar{name: "package/l", typ: tar.TypeSymlink, link: "../../../etc/passwd"}),
		fuzzArchive(fuzzTar{name: "package/l", typ: tar.TypeSymlink, link: "/etc/passwd"}),
		fuzzArchive(fuzzTar{name: "package/l", typ: tar.TypeSymlink, link: "inside.js"}, fuzzTar{name: "package/l", body: "written through the link?"}),
		fuzzArchive(fuzzTar{name: "package/d", typ: tar.TypeSymlink, link: ".."}, fuzzTar{name: "package/d/evil", body: "x"}),
		fuzzArchive(fuzzTar{name: "package/h", typ: tar.TypeLink, link: "package/../../x"}),
		fuzzArchive(fuzzTar{name: "package/a", body: "1"}, fuzzTar{name: "package/h", typ: tar.TypeLink, link: "package/a"}),
		// Devices, fifos, setuid modes, unknown types.
		fuzzArchive(fuzzTar{name: "package/dev", typ: tar.TypeChar}, fuzzTar{name: "package/fifo", typ: tar.TypeFifo}, fuzzTar{name: "package/blk", typ: tar.TypeBlock}),
		fuzzArchive(fuzzTar{name: "package/suid", body: "#!/bin/sh", mode: 0o4777}),
		fuzzArchive(fuzzTar{name: "package/cont", typ: tar.TypeCont, body: strings.Repeat("z", 600)}),
		fuzzArchive(fuzzTar{name: "package/odd", typ: 'Q', body: strings.Repeat("z", 600)}),
		// A file and a folder of one name.
		fuzzArchive(fuzzTar{name: "package/a", body: "1"}, fuzzTar{name: "package/a/b", body: "2"}),
		fuzzArchive(fuzzTar{name: "package/a/", typ: tar.TypeDir}, fuzzTar{name: "package/a", body: "2"}),
		// The caps: bytes, entries, a header that lies about its size.
		fuzzArchive(fuzzTar{name: "package/big1", body: big}, fuzzTar{name: "package/big2", body: big}),
		fuzzArchive(func() []fuzzTar {
			var es []fuzzTar
			for i := 0; i <= fuzzLimits.MaxFiles; i++ {
				es = append(es, fuzzTar{name: "package/f" + strings.Repeat("x", i%7), body: "1"})
			}
			return es
		}()...),
		fuzzArchive(fuzzTar{name: "package/short", body: "abc", size: 1 << 40}),
		{},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add([]byte("not gzip at all"))
	f.Add(gzipBytes(seeds[0], gzip.BestCompression)[:20]) // a truncated gzip stream
	f.Add(append(gzipBytes(seeds[0], gzip.BestCompression), gzipBytes(seeds[6], gzip.BestCompression)...))
	// Regression: bytes extract skips count against the cap (TestExtractBoundsWhatItSkips).
	f.Add(gzipBytes(fuzzArchive(fuzzTar{name: "package/index.js", body: "1"}, fuzzTar{name: "package/x", typ: 'Q', body: string(make([]byte, 256<<10))}), gzip.BestCompression))

	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			data = gzipBytes(data, gzip.NoCompression)
		}
		root, err := os.MkdirTemp("", "fuzz-extract-")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(root)
		dst := filepath.Join(root, "pkg")
		if err := os.Mkdir(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		// A neighbour that an extraction escaping dst would be likely to touch.
		marker := filepath.Join(root, "etc", "passwd")
		if err := os.MkdirAll(filepath.Dir(marker), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(marker, []byte("marker"), 0o644); err != nil {
			t.Fatal(err)
		}

		xerr := extract(bytes.NewReader(data), dst, fuzzLimits.withDefaults())

		var total int64
		files := 0
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			switch {
			case rel == "." || rel == "pkg" || rel == "etc" || rel == filepath.Join("etc", "passwd"):
			case strings.HasPrefix(rel, "pkg"+string(filepath.Separator)):
			default:
				t.Errorf("extract (err %v) wrote outside its folder: %s", xerr, rel)
			}
			info, err := os.Lstat(p)
			if err != nil {
				return err
			}
			mode := info.Mode()
			switch {
			case mode.IsDir():
			case mode.IsRegular():
				files++
				total += info.Size()
				if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Nlink != 1 {
					t.Errorf("extract made a hard link: %s (%d links)", rel, st.Nlink)
				}
			default:
				t.Errorf("extract made a %v: %s", mode.Type(), rel)
			}
			if mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != 0 || mode.Perm()&^0o755 != 0 {
				t.Errorf("extract made %s with mode %v", rel, mode)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(marker); string(got) != "marker" {
			t.Errorf("extract (err %v) changed a file outside its folder: %q", xerr, got)
		}
		files-- // the marker
		total -= int64(len("marker"))
		if total > fuzzLimits.MaxUnpacked {
			t.Errorf("extract (err %v) wrote %d bytes, over the cap of %d", xerr, total, fuzzLimits.MaxUnpacked)
		}
		if files > fuzzLimits.MaxFiles {
			t.Errorf("extract (err %v) wrote %d files, over the cap of %d", xerr, files, fuzzLimits.MaxFiles)
		}
		if xerr != nil && xerr.Error() == "" {
			t.Errorf("extract failed with an empty error")
		}
	})
}

// zeroReader is an endless stream of zero bytes.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestExtractBoundsWhatItSkips: the bytes of entries that extract never writes (unknown types,
// PAX global headers) are decompressed all the same, and count against the cap, so that a small
// tarball cannot make an install decompress gigabytes it then throws away.
func TestExtractBoundsWhatItSkips(t *testing.T) {
	lim := Limits{MaxUnpacked: 1 << 20, MaxFiles: 100}.withDefaults()
	const bomb = 64 << 20 // decompressed; about 64 KB compressed
	tests := []struct {
		name  string
		write func(tw *tar.Writer) error
	}{
		{"an entry of an unknown type", func(tw *tar.Writer) error {
			if err := tw.WriteHeader(&tar.Header{Name: "package/x", Typeflag: 'Q', Size: bomb, Mode: 0o644}); err != nil {
				return err
			}
			_, err := io.CopyN(tw, zeroReader{}, bomb)
			return err
		}},
		{"a contiguous file", func(tw *tar.Writer) error {
			if err := tw.WriteHeader(&tar.Header{Name: "package/x", Typeflag: tar.TypeCont, Size: bomb, Mode: 0o644}); err != nil {
				return err
			}
			_, err := io.CopyN(tw, zeroReader{}, bomb)
			return err
		}},
		{"PAX global headers", func(tw *tar.Writer) error {
			comment := strings.Repeat("a", 512<<10)
			for range bomb / len(comment) {
				if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": comment}}); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			tw := tar.NewWriter(zw)
			if err := tw.WriteHeader(&tar.Header{Name: "package/index.js", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644}); err != nil {
				t.Fatal(err)
			}
			tw.Write([]byte("1"))
			if err := tt.write(tw); err != nil {
				t.Fatal(err)
			}
			if err := tw.Close(); err != nil {
				t.Fatal(err)
			}
			zw.Close()
			counted := &countingReader{r: bytes.NewReader(buf.Bytes())}
			err := extract(counted, t.TempDir(), lim)
			if err == nil || !strings.Contains(err.Error(), "tarball unpacks to more than") {
				t.Errorf("extract of %d compressed bytes that unpack to %d: got %v, want the cap's error", buf.Len(), bomb, err)
			}
			// gzip reads ahead a little; at 1000:1, 1 MiB read would already be 1 GB unpacked.
			if counted.n > int64(buf.Len())/2 {
				t.Errorf("extract read %d of %d compressed bytes before it stopped", counted.n, buf.Len())
			}
		})
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
