package npmvendor

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fakePkg is one version on the fake registry.
type fakePkg struct {
	files    map[string]string // path below package/ -> content; package.json is made when missing
	manifest map[string]any    // extra manifest fields (dependencies, peerDependencies, …)
	tarball  []byte            // when set, served as the tarball instead of one made from files
	// integrity, when set, is advertised instead of the tarball's real one.
	integrity string
}

// fakeRegistry is an npm registry in memory, served by httptest on loopback.
type fakeRegistry struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	pkgs     map[string]map[string]*fakePkg
	latest   map[string]string
	hook     func(w http.ResponseWriter, r *http.Request) bool // returns true when it answered
	requests atomic.Int64
	token    string // when set, every request needs "Bearer <token>"
}

func newFakeRegistry(t testing.TB) *fakeRegistry {
	f := &fakeRegistry{t: t, pkgs: map[string]map[string]*fakePkg{}, latest: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeRegistry) url() string { return f.srv.URL + "/" }

func (f *fakeRegistry) registries() *Registries {
	return &Registries{Default: f.url(), Scopes: map[string]string{}, auth: map[string]string{}}
}

func (f *fakeRegistry) add(name, version string, p *fakePkg) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pkgs[name] == nil {
		f.pkgs[name] = map[string]*fakePkg{}
	}
	if p.files == nil {
		p.files = map[string]string{}
	}
	if _, ok := p.files["package.json"]; !ok {
		m := map[string]any{"name": name, "version": version, "main": "index.js"}
		for k, v := range p.manifest {
			m[k] = v
		}
		data, _ := json.Marshal(m)
		p.files["package.json"] = string(data)
	}
	if _, ok := p.files["index.js"]; !ok {
		p.files["index.js"] = "module.exports = " + strings.Repeat(" ", 0) + `{ name: "` + name + `", version: "` + version + `" };`
	}
	if p.tarball == nil {
		p.tarball = makeTarball(f.t, "package", p.files)
	}
	f.pkgs[name][version] = p
	if cur, ok := f.latest[name]; !ok || Satisfies(version, ">"+cur) {
		f.latest[name] = version
	}
}

func (f *fakeRegistry) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	f.mu.Lock()
	hook := f.hook
	f.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	if f.token != "" && r.Header.Get("Authorization") != "Bearer "+f.token {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	p, _ := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/"))
	f.mu.Lock()
	defer f.mu.Unlock()
	if name, file, ok := strings.Cut(p, "/-/"); ok {
		for v, pkg := range f.pkgs[name] {
			if file == tarballFile(name, v) {
				w.Write(pkg.tarball)
				return
			}
		}
		http.NotFound(w, r)
		return
	}
	versions := f.pkgs[p]
	if versions == nil {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	doc := map[string]any{"name": p, "dist-tags": map[string]string{"latest": f.latest[p]}}
	vs := map[string]any{}
	for v, pkg := range versions {
		m := map[string]any{"name": p, "version": v}
		for k, val := range pkg.manifest {
			m[k] = val
		}
		integrity := pkg.integrity
		if integrity == "" {
			sum := sha512.Sum512(pkg.tarball)
			integrity = "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
		}
		m["dist"] = map[string]string{"tarball": f.srv.URL + "/" + p + "/-/" + tarballFile(p, v), "integrity": integrity}
		vs[v] = m
	}
	doc["versions"] = vs
	w.Header().Set("Content-Type", "application/vnd.npm.install-v1+json")
	json.NewEncoder(w).Encode(doc)
}

func tarballFile(name, version string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name + "-" + version + ".tgz"
}

// makeTarball builds a gzip'd tar with every file under top/.
func makeTarball(t testing.TB, top string, files map[string]string) []byte {
	var entries []tarEntry
	for _, k := range sortedKeys(files) {
		entries = append(entries, tarEntry{name: top + "/" + k, body: files[k]})
	}
	return makeRawTarball(t, entries)
}

type tarEntry struct {
	name, body, link string
	typ              byte
	size             int64 // when set, the header's size (the body is zeros of that length)
}

func makeRawTarball(t testing.TB, entries []tarEntry) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: typ, Linkname: e.link, Size: int64(len(e.body)), Format: tar.FormatPAX}
		if typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}
