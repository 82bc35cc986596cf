package npmvendor

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Limits bound what one tarball may be. The zero value means the defaults.
type Limits struct {
	MaxTarball  int64 // compressed bytes (default 256 MiB)
	MaxUnpacked int64 // bytes of all files once extracted (default 512 MiB)
	MaxFiles    int   // entries (default 100 000)
}

func (l Limits) withDefaults() Limits {
	if l.MaxTarball <= 0 {
		l.MaxTarball = 256 << 20
	}
	if l.MaxUnpacked <= 0 {
		l.MaxUnpacked = 512 << 20
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = 100_000
	}
	return l
}

// integrity algorithms, strongest first.
var algorithms = []struct {
	name string
	new  func() hash.Hash
}{
	{"sha512", sha512.New},
	{"sha384", sha512.New384},
	{"sha256", sha256.New},
	{"sha1", sha1.New},
}

// parseIntegrity picks the strongest hash of an SRI string ("sha512-<base64> sha1-<base64>").
func parseIntegrity(sri string) (algo string, digest []byte, err error) {
	best := len(algorithms)
	for _, field := range strings.Fields(sri) {
		name, b64, ok := strings.Cut(field, "-")
		if !ok {
			continue
		}
		if i := strings.IndexByte(b64, '?'); i >= 0 {
			b64 = b64[:i] // SRI options
		}
		for rank, a := range algorithms {
			if a.name != name || rank >= best {
				continue
			}
			d, err := base64.StdEncoding.DecodeString(b64)
			if err != nil || len(d) != a.new().Size() {
				return "", nil, fmt.Errorf("malformed integrity %q", sri)
			}
			best, algo, digest = rank, name, d
		}
	}
	if algo == "" {
		return "", nil, fmt.Errorf("unsupported integrity %q (want sha512, sha384, sha256 or sha1)", sri)
	}
	return algo, digest, nil
}

func newHash(algo string) hash.Hash {
	for _, a := range algorithms {
		if a.name == algo {
			return a.new()
		}
	}
	return nil
}

// sha1Integrity turns a hex sha1 shasum into SRI, for registries that give nothing stronger.
func sha1Integrity(shasum string) (string, error) {
	d, err := hex.DecodeString(shasum)
	if err != nil || len(d) != sha1.Size {
		return "", fmt.Errorf("malformed shasum %q", shasum)
	}
	return "sha1-" + base64.StdEncoding.EncodeToString(d), nil
}

// cacheName is the folder name of an integrity in the cache: algorithm and hex digest (SRI's
// base64 has "/" in it).
func cacheName(integrity string) (string, error) {
	algo, d, err := parseIntegrity(integrity)
	if err != nil {
		return "", err
	}
	return algo + "-" + hex.EncodeToString(d), nil
}

// IntegrityError is a tarball whose digest is not the locked one.
type IntegrityError struct {
	Want, Got string
}

func (e *IntegrityError) Error() string {
	return fmt.Sprintf("integrity mismatch: the lock says %s, the tarball is %s", e.Want, e.Got)
}

// verifyingReader hashes what is read through it.
type verifyingReader struct {
	r    io.Reader
	h    hash.Hash
	n    int64
	max  int64
	algo string
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.n > v.max {
		return n, fmt.Errorf("tarball larger than %d bytes", v.max)
	}
	return n, err
}

// check drains the rest of the stream and compares the digest with want.
func (v *verifyingReader) check(integrity string, want []byte) error {
	if _, err := io.Copy(io.Discard, v); err != nil {
		return err
	}
	got := v.h.Sum(nil)
	if !bytes.Equal(got, want) {
		return &IntegrityError{Want: integrity, Got: v.algo + "-" + base64.StdEncoding.EncodeToString(got)}
	}
	return nil
}

// maxEntryOverhead is what one entry may add to the tar stream besides its file's bytes: its
// header block, the padding of its data, and a PAX or GNU long-name header; streamSlack is the end
// of archive and the record padding.
const (
	maxEntryOverhead = 4 << 10
	streamSlack      = 64 << 10
)

// cappedReader fails once more than left bytes have been read through it.
type cappedReader struct {
	r    io.Reader
	left int64
	max  int64 // the unpacked limit, for the error
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("tarball unpacks to more than %d bytes", c.max)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// extract unpacks an npm tarball (gzip'd tar, one top folder whatever its name) into dst, which
// must exist. It refuses absolute paths, paths that climb out, links that point out of the
// package, entries outside a top folder, and more than the limits; links that stay inside are
// dropped (as pacote does) and so are devices and fifos. Nothing is ever written outside dst.
func extract(r io.Reader, dst string, lim Limits) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("not a gzip'd tarball: %w", err)
	}
	zr.Multistream(false)
	// The tar stream is bounded as well as what is written: entries that are never written
	// (unknown types, PAX global headers) are decompressed all the same, and a small tarball would
	// otherwise make an install decompress gigabytes and throw them away.
	stream := &cappedReader{r: zr, left: lim.MaxUnpacked + int64(lim.MaxFiles)*maxEntryOverhead + streamSlack, max: lim.MaxUnpacked}
	tr := tar.NewReader(stream)
	var total int64
	files := 0
	sawRoot := false
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading tarball: %w", err)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader || hdr.Typeflag == tar.TypeXHeader {
			continue
		}
		files++
		if files > lim.MaxFiles {
			return fmt.Errorf("tarball has more than %d entries", lim.MaxFiles)
		}
		name := strings.ReplaceAll(hdr.Name, "\\", "/")
		if strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':') {
			return fmt.Errorf("tarball entry %q has an absolute path", hdr.Name)
		}
		for _, part := range strings.Split(name, "/") {
			if part == ".." {
				return fmt.Errorf("tarball entry %q climbs out of the package", hdr.Name)
			}
		}
		top, rest, ok := strings.Cut(strings.TrimPrefix(name, "./"), "/")
		if !ok || top == "" || top == "." {
			if hdr.Typeflag == tar.TypeDir && (top != "" || rest == "") {
				sawRoot = true
				continue
			}
			return fmt.Errorf("tarball entry %q is not inside the package's top folder (package/)", hdr.Name)
		}
		sawRoot = true
		rel := path.Clean(rest)
		if rel == "." || rel == "" {
			continue
		}
		target := filepath.Join(dst, filepath.FromSlash(rel))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
			if hdr.Size < 0 || total+hdr.Size > lim.MaxUnpacked {
				return fmt.Errorf("tarball unpacks to more than %d bytes (at %q)", lim.MaxUnpacked, hdr.Name)
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			mode := os.FileMode(0o644)
			if hdr.Mode&0o111 != 0 {
				mode = 0o755
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
			if err != nil {
				return err
			}
			n, err := io.Copy(f, io.LimitReader(tr, lim.MaxUnpacked-total+1))
			cerr := f.Close()
			total += n
			if err != nil {
				return fmt.Errorf("reading tarball entry %q: %w", hdr.Name, err)
			}
			if cerr != nil {
				return cerr
			}
			if total > lim.MaxUnpacked {
				return fmt.Errorf("tarball unpacks to more than %d bytes (at %q)", lim.MaxUnpacked, hdr.Name)
			}
		case tar.TypeSymlink, tar.TypeLink:
			link := strings.ReplaceAll(hdr.Linkname, "\\", "/")
			var resolved string
			if hdr.Typeflag == tar.TypeSymlink {
				resolved = path.Join(path.Dir(rel), link)
			} else {
				// A hard link names another entry of the archive, with its top folder.
				_, lrest, _ := strings.Cut(strings.TrimPrefix(link, "./"), "/")
				resolved = path.Clean(lrest)
			}
			if strings.HasPrefix(link, "/") || resolved == ".." || strings.HasPrefix(resolved, "../") {
				return fmt.Errorf("tarball entry %q links out of the package (to %q)", hdr.Name, hdr.Linkname)
			}
			// Links inside the package are dropped, as npm's pacote does.
		default:
			// Devices, fifos and the like are never extracted.
		}
	}
	if !sawRoot {
		return errors.New("tarball is empty: no package/ folder")
	}
	return nil
}
