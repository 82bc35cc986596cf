package npmvendor

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"
	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/lockfile"
)

// loadBundle loads a bundle's chunks in a fresh goja runtime the way the runner does (each once,
// "./<chunk>" between chunks) with a require that answers Node built-ins with empty objects and
// throws for anything else, and returns an object with a loader per declared package.
func loadBundle(t *testing.T, b *jsdeps.Bundle) (*goja.Runtime, *goja.Object) {
	t.Helper()
	vm := goja.New()
	loaded := map[string]*goja.Object{}
	var load func(name string) goja.Value
	require := func(spec string) goja.Value {
		if chunk, ok := strings.CutPrefix(spec, "./"); ok {
			return load(chunk)
		}
		if slices.Contains(nodeBuiltins, strings.TrimPrefix(spec, "node:")) {
			return vm.NewObject()
		}
		panic(vm.NewGoError(fmt.Errorf("cannot find module %q", spec)))
	}
	load = func(name string) goja.Value {
		if m, ok := loaded[name]; ok {
			return m.Get("exports")
		}
		code, ok := b.Chunks[name]
		if !ok {
			panic(vm.NewGoError(fmt.Errorf("no chunk %s", name)))
		}
		fn, err := vm.RunScript(name, "(function (exports, require, module) {"+string(code)+"\n})")
		if err != nil {
			t.Fatalf("chunk %s does not compile in goja: %v", name, err)
		}
		call, _ := goja.AssertFunction(fn)
		module := vm.NewObject()
		exports := vm.NewObject()
		module.Set("exports", exports)
		loaded[name] = module
		if _, err := call(goja.Undefined(), exports, vm.ToValue(require), module); err != nil {
			panic(err)
		}
		return module.Get("exports")
	}
	loaders := vm.NewObject()
	for pkg, chunk := range b.Entries {
		loaders.Set(pkg, func() goja.Value { return load(chunk).ToObject(vm).Get("default") })
	}
	return vm, loaders
}

// loadPackage calls the bundle's loader for name and returns the package's exports.
func loadPackage(t *testing.T, vm *goja.Runtime, exports *goja.Object, name string) goja.Value {
	t.Helper()
	loader, ok := goja.AssertFunction(exports.Get(name))
	if !ok {
		t.Fatalf("the bundle exports no loader for %s", name)
	}
	v, err := loader(goja.Undefined())
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	return v
}

func newTestInstaller(t *testing.T, f *fakeRegistry, vendor string) *Installer {
	t.Helper()
	return testInstallerIn(t, f, filepath.Join(t.TempDir(), "npm"), vendor)
}

// testInstallerIn is an installer over the cache folder dir, with f's registry (none when nil).
func testInstallerIn(t *testing.T, f *fakeRegistry, dir, vendor string) *Installer {
	t.Helper()
	opts := InstallerOptions{Dir: dir, VendorDir: vendor, Logger: zaptest.NewLogger(t), Timeout: 2 * time.Second, Retries: 1}
	if f != nil {
		opts.Registries = f.registries()
	}
	i, err := NewInstaller(opts)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func TestInstallBundlesForGoja(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("cjs", "1.0.0", &fakePkg{
		manifest: map[string]any{"dependencies": map[string]string{"dep": "^1.0.0", "cyc": "1.0.0"}},
		files: map[string]string{
			"index.js":                        `const dep = require("dep"); const crypto = require("crypto"); const inner = require("inner"); exports.hello = (n) => dep.greet(n) + inner.x;`,
			"node_modules/inner/package.json": `{"name":"inner","version":"1.0.0"}`,
			"node_modules/inner/index.js":     `exports.x = "!";`,
		},
	})
	f.add("dep", "1.0.0", &fakePkg{files: map[string]string{"index.js": `exports.greet = (n) => "hello " + n;`}})
	f.add("dep", "2.0.0", &fakePkg{files: map[string]string{"index.js": `exports.greet = (n) => "HELLO " + n;`}})
	f.add("cyc", "1.0.0", &fakePkg{manifest: map[string]any{"dependencies": map[string]string{"cjs": "1.0.0"}}})
	f.add("esm-only", "3.0.0", &fakePkg{
		files: map[string]string{
			"package.json": `{"name":"esm-only","version":"3.0.0","type":"module","exports":{".":{"import":"./index.js"},"./sub":"./sub.js"}}`,
			"index.js":     `export const id = (n = 4) => "x".repeat(n); export default id; export async function* gen() { yield 1; yield 2; } export async function sum() { let s = 0; for await (const v of gen()) s += v; return s; }`,
			"sub.js":       `export const sub = 1;`,
		},
	})
	f.add("@acme/peer-user", "1.0.0", &fakePkg{
		manifest: map[string]any{"peerDependencies": map[string]string{"dep": ">=1"}},
		files:    map[string]string{"index.js": `module.exports = require("dep").greet("peer");`},
	})
	// Two declared packages that use one undeclared package get one instance of it (a chunk both
	// entry chunks require), as npm's hoisting gives them in Node.
	f.add("counter", "1.0.0", &fakePkg{files: map[string]string{"index.js": `globalThis.counterRuns = (globalThis.counterRuns || 0) + 1; module.exports = { id: {} };`}})
	f.add("shared-a", "1.0.0", &fakePkg{manifest: map[string]any{"dependencies": map[string]string{"counter": "1.0.0"}},
		files: map[string]string{"index.js": `module.exports = require("counter");`}})
	f.add("shared-b", "1.0.0", &fakePkg{manifest: map[string]any{"dependencies": map[string]string{"counter": "1.0.0"}},
		files: map[string]string{"index.js": `module.exports = require("counter");`}})
	res, err := lockOwners(t, f, map[string]map[string]string{
		"actions/a":      {"cjs": "1.0.0", "esm-only": "latest", "@acme/peer-user": "^1.0.0", "dep": "2.0.0", "shared-a": "1.0.0", "shared-b": "1.0.0"},
		"modules/logger": {"dep": "1.0.0"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	i := newTestInstaller(t, f, "")
	b, err := i.Install(context.Background(), res.Lock, "actions/a")
	if err != nil {
		t.Fatal(err)
	}
	for name, code := range b.Chunks {
		if len(b.Key) != 64 || strings.Contains(string(code), "require(\"dep\")") {
			t.Errorf("bundle: key %q, chunk %s; npm packages must be inside the bundle", b.Key, name)
		}
	}
	vm, exports := loadBundle(t, b)
	hello := loadPackage(t, vm, exports, "cjs").ToObject(vm).Get("hello")
	fn, _ := goja.AssertFunction(hello)
	got, err := fn(goja.Undefined(), vm.ToValue("you"))
	if err != nil || got.String() != "hello you!" {
		t.Errorf("cjs.hello: got %v, %v; want the locked dep@1.0.0's greeting", got, err)
	}
	esm := loadPackage(t, vm, exports, "esm-only").ToObject(vm)
	id, _ := goja.AssertFunction(esm.Get("id"))
	if got, err := id(goja.Undefined()); err != nil || got.String() != "xxxx" {
		t.Errorf("esm-only.id: got %v, %v", got, err)
	}
	if got := loadPackage(t, vm, exports, "@acme/peer-user").String(); got != "HELLO peer" {
		t.Errorf("peer: got %q, want the owner's dep@2.0.0", got)
	}
	sa, sb := loadPackage(t, vm, exports, "shared-a"), loadPackage(t, vm, exports, "shared-b")
	if !sa.StrictEquals(sb) || vm.Get("counterRuns").ToInteger() != 1 {
		t.Errorf("shared-a and shared-b got two instances of counter (%d evaluations)", vm.Get("counterRuns").ToInteger())
	}
	if len(b.Chunks) <= len(b.Entries) {
		t.Errorf("bundle: %d chunks for %d entries, want a shared chunk beside the entry chunks", len(b.Chunks), len(b.Entries))
	}
	// The same content gives the same bundle, from memory and from disk.
	b2, err := i.Install(context.Background(), res.Lock, "actions/a")
	if err != nil || b2.Key != b.Key {
		t.Errorf("second install: got %v, %v", b2, err)
	}
	i2, err := NewInstaller(InstallerOptions{Dir: i.dir})
	if err != nil {
		t.Fatal(err)
	}
	before := f.requests.Load()
	b3, err := i2.Install(context.Background(), res.Lock, "actions/a")
	if err != nil || b3.Key != b.Key || f.requests.Load() != before {
		t.Errorf("install after a restart: got key %v err %v and %d requests, want the cached bundle and none", b3 != nil && b3.Key == b.Key, err, f.requests.Load()-before)
	}
	// A damaged cache entry (a chunk gone) is rebuilt from the cached packages, not served.
	entryDir := filepath.Join(i.dir, "bundles")
	dirs, _ := os.ReadDir(entryDir)
	for _, d := range dirs {
		if err := os.Remove(filepath.Join(entryDir, d.Name(), b.Entries["cjs"])); err != nil {
			t.Fatal(err)
		}
	}
	stale := filepath.Join(entryDir, strings.Repeat("a", 64)+".js") // a single-file bundle of old
	writeFile(t, stale, "module.exports = {};")
	i3, _ := NewInstaller(InstallerOptions{Dir: i.dir})
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an old single-file bundle was kept: %v", err)
	}
	if b4, err := i3.Install(context.Background(), res.Lock, "actions/a"); err != nil || b4.Key != b.Key {
		t.Errorf("install over a damaged cache entry: %v", err)
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(entryDir, d.Name(), b.Entries["cjs"])); err != nil {
			t.Errorf("the damaged entry was not rewritten: %v", err)
		}
	}
	// Two owners, two versions of one package.
	bl, err := i.Install(context.Background(), res.Lock, "modules/logger")
	if err != nil {
		t.Fatal(err)
	}
	vm, exports = loadBundle(t, bl)
	greet, _ := goja.AssertFunction(loadPackage(t, vm, exports, "dep").ToObject(vm).Get("greet"))
	if got, _ := greet(goja.Undefined(), vm.ToValue("x")); got.String() != "hello x" {
		t.Errorf("modules/logger dep: got %v, want 1.0.0's", got)
	}
}

// A relative cache folder (a relative --data-dir) bundles like an absolute one: esbuild refuses
// relative working directories.
func TestInstallRelativeDir(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("dep", "1.0.0", &fakePkg{files: map[string]string{"index.js": `exports.greet = (n) => "hello " + n;`}})
	res, err := lockOwners(t, f, map[string]map[string]string{"actions/a": {"dep": "1.0.0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	i, err := NewInstaller(InstallerOptions{Dir: filepath.Join("data", "npm"), Registries: f.registries(), Timeout: 2 * time.Second, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := i.Install(context.Background(), res.Lock, "actions/a")
	if err != nil {
		t.Fatalf("install into a relative folder: %v", err)
	}
	vm, exports := loadBundle(t, b)
	greet, _ := goja.AssertFunction(loadPackage(t, vm, exports, "dep").ToObject(vm).Get("greet"))
	if got, _ := greet(goja.Undefined(), vm.ToValue("x")); got.String() != "hello x" {
		t.Errorf("dep.greet: got %v", got)
	}
	if _, err := os.Stat(filepath.Join("data", "npm", "bundles")); err != nil {
		t.Errorf("the cache is not under the relative folder: %v", err)
	}
}

// LoadRegistries is asked once, on the first tarball the cache lacks, and never by an installer
// whose cache already has everything (a warm restart).
func TestInstallFindsRegistriesOnlyWhenNeeded(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("dep", "1.0.0", &fakePkg{files: map[string]string{"index.js": `exports.x = 1;`}})
	f.add("other", "1.0.0", &fakePkg{files: map[string]string{"index.js": `exports.y = 2;`}})
	res, err := lockOwners(t, f, map[string]map[string]string{"actions/a": {"dep": "1.0.0", "other": "1.0.0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "npm")
	var loads atomic.Int32
	cold, err := NewInstaller(InstallerOptions{Dir: dir, Timeout: 2 * time.Second, Retries: 1,
		LoadRegistries: func() (*Registries, error) { loads.Add(1); return f.registries(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cold.Install(context.Background(), res.Lock, "actions/a"); err != nil {
		t.Fatal(err)
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("cold install: registries looked up %d times, want once", n)
	}
	warm, err := NewInstaller(InstallerOptions{Dir: dir,
		LoadRegistries: func() (*Registries, error) { loads.Add(1); return nil, errors.New("must not be asked") }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := warm.Install(context.Background(), res.Lock, "actions/a"); err != nil {
		t.Fatalf("warm install: %v", err)
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("warm install: registries looked up again (%d lookups in all)", n)
	}
	// With the registry gone, a package missing from the cache names the lookup's failure.
	if err := os.RemoveAll(filepath.Join(dir, "bundles")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "pkg"))
	if len(entries) != 2 {
		t.Fatalf("cache: %d packages, want 2", len(entries))
	}
	if err := os.RemoveAll(filepath.Join(dir, "pkg", entries[0].Name())); err != nil {
		t.Fatal(err)
	}
	offline, _ := NewInstaller(InstallerOptions{Dir: dir,
		LoadRegistries: func() (*Registries, error) { return nil, errors.New("no registry anywhere") }})
	if _, err := offline.Install(context.Background(), res.Lock, "actions/a"); err == nil || !strings.Contains(err.Error(), "no registry anywhere") {
		t.Errorf("install of an uncached package with no registry: got %v", err)
	}
}

func TestInstallBadInput(t *testing.T) {
	zeros := strings.Repeat("\x00", 1<<20)
	tests := []struct {
		name    string
		tarball func(t *testing.T) []byte
		serve   func(w http.ResponseWriter) // instead of a tarball
		corrupt bool                        // advertise another integrity
		limits  Limits
		wantErr string
	}{
		{name: "integrity mismatch", corrupt: true, wantErr: "bad@1.0.0: integrity mismatch: the lock says sha512-"},
		{name: "dot-dot path", tarball: func(t *testing.T) []byte {
			return makeRawTarball(t, []tarEntry{{name: "package/index.js", body: "1"}, {name: "package/../../evil.js", body: "x"}})
		}, wantErr: `bad@1.0.0: tarball entry "package/../../evil.js" climbs out of the package`},
		{name: "absolute path", tarball: func(t *testing.T) []byte {
			return makeRawTarball(t, []tarEntry{{name: "/etc/evil", body: "x"}})
		}, wantErr: `bad@1.0.0: tarball entry "/etc/evil" has an absolute path`},
		{name: "symlink out", tarball: func(t *testing.T) []byte {
			return makeRawTarball(t, []tarEntry{{name: "package/index.js", body: "1"}, {name: "package/l", typ: tar.TypeSymlink, link: "../../../etc/passwd"}})
		}, wantErr: `bad@1.0.0: tarball entry "package/l" links out of the package`},
		{name: "absolute symlink", tarball: func(t *testing.T) []byte {
			return makeRawTarball(t, []tarEntry{{name: "package/l", typ: tar.TypeSymlink, link: "/etc/passwd"}})
		}, wantErr: `links out of the package (to "/etc/passwd")`},
		{name: "hard link out", tarball: func(t *testing.T) []byte {
			return makeRawTarball(t, []tarEntry{{name: "package/h", typ: tar.TypeLink, link: "package/../../x"}})
		}, wantErr: `bad@1.0.0: tarball entry "package/h" links out of the package`},
		{name: "missing package root", tarball: func(t *testing.T) []byte {
			return makeRawTarball(t, []tarEntry{{name: "index.js", body: "1"}})
		}, wantErr: `bad@1.0.0: tarball entry "index.js" is not inside the package's top folder (package/)`},
		{name: "not gzip", tarball: func(t *testing.T) []byte { return []byte("hello") }, wantErr: "bad@1.0.0: not a gzip'd tarball"},
		{name: "decompression bomb of 1 GB", tarball: func(t *testing.T) []byte {
			// 1 GiB of zeros in one entry: a few MB compressed.
			pr, pw := io.Pipe()
			go func() {
				zw, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed)
				tw := tar.NewWriter(zw)
				tw.WriteHeader(&tar.Header{Name: "package/bomb", Mode: 0o644, Size: 1 << 30, Typeflag: tar.TypeReg})
				for n := 0; n < 1<<10; n++ {
					tw.Write([]byte(zeros))
				}
				tw.Close()
				zw.Close()
				pw.Close()
			}()
			data, _ := io.ReadAll(pr)
			return data
		}, limits: Limits{MaxUnpacked: 64 << 20}, wantErr: `bad@1.0.0: tarball unpacks to more than 67108864 bytes (at "package/bomb")`},
		{name: "registry answers 500", serve: func(w http.ResponseWriter) { http.Error(w, "x", 500) }, wantErr: "bad@1.0.0: registry answered 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRegistry(t)
			p := &fakePkg{}
			if tt.tarball != nil {
				p.tarball = tt.tarball(t)
			}
			f.add("bad", "1.0.0", p)
			f.add("good", "1.0.0", &fakePkg{})
			res, err := lockOwners(t, f, map[string]map[string]string{"actions/a": {"bad": "1.0.0", "good": "1.0.0"}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.corrupt {
				res.Lock.Packages["bad@1.0.0"].Integrity = "sha512-" + strings.Repeat("A", 86) + "=="
			}
			if tt.serve != nil {
				f.hook = func(w http.ResponseWriter, r *http.Request) bool {
					if strings.HasSuffix(r.URL.Path, ".tgz") {
						tt.serve(w)
						return true
					}
					return false
				}
			}
			i := newTestInstaller(t, f, "")
			i.limits = tt.limits.withDefaults()
			b, err := i.Install(context.Background(), res.Lock, "actions/a")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, %v; want an error containing %q", b, err, tt.wantErr)
			}
			var pe *PackageError
			if !errors.As(err, &pe) || pe.Package != "bad" || pe.Version != "1.0.0" {
				t.Errorf("got %T, want a *PackageError naming bad@1.0.0", err)
			}
			// The cache holds no entry for the bad package, nothing half-written and no bundle.
			for _, d := range []string{"tmp", "bundles"} {
				if entries, _ := os.ReadDir(filepath.Join(i.dir, d)); len(entries) != 0 {
					t.Errorf("%s/ holds %d entries after a failure, want none", d, len(entries))
				}
			}
			badDir, _ := cacheName(res.Lock.Packages["bad@1.0.0"].Integrity)
			if _, err := os.Stat(filepath.Join(i.dir, "pkg", badDir)); err == nil {
				t.Errorf("the bad package was cached")
			}
		})
	}
}

func TestInstallLockProblems(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("a", "1.0.0", &fakePkg{manifest: map[string]any{"dependencies": map[string]string{"b": "1"}}})
	f.add("b", "1.0.0", &fakePkg{})
	res, err := lockOwners(t, f, map[string]map[string]string{"actions/a": {"a": "1.0.0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	i := newTestInstaller(t, f, "")
	if _, err := i.Install(context.Background(), res.Lock, "actions/none"); err == nil || !strings.Contains(err.Error(), "actions/none: not in actionsd.lock") {
		t.Errorf("unknown owner: got %v", err)
	}
	delete(res.Lock.Packages, "b@1.0.0")
	res.Lock.Owners["actions/a"].Packages = []string{"a@1.0.0"}
	if _, err := i.Install(context.Background(), res.Lock, "actions/a"); err == nil || !strings.Contains(err.Error(), "a@1.0.0 depends on b@1.0.0, which actionsd.lock does not list") {
		t.Errorf("incomplete lock: got %v", err)
	}
}

func TestVendorThenOffline(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("@acme/x", "1.0.0", &fakePkg{files: map[string]string{"index.js": `exports.v = 42;`}})
	res, err := lockOwners(t, f, map[string]map[string]string{"modules/m": {"@acme/x": "1.0.0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	writeFile(t, filepath.Join(repo, "vendor/npm/stale/-/stale-1.0.0.tgz"), "old")
	n, err := Vendor(context.Background(), res.Lock, repo, VendorOptions{Registries: f.registries()})
	if err != nil || n != 1 {
		t.Fatalf("vendor: got %d, %v", n, err)
	}
	if _, err := os.Stat(filepath.Join(repo, "vendor/npm/@acme/x/-/x-1.0.0.tgz")); err != nil {
		t.Errorf("vendored tarball missing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(repo, "vendor/npm/stale")); err == nil {
		t.Errorf("a tarball the lock no longer names was kept")
	}
	// No registry at all: the daemon installs from vendor/npm.
	f.srv.Close()
	i := newTestInstaller(t, nil, filepath.Join(repo, VendorDir))
	b, err := i.Install(context.Background(), res.Lock, "modules/m")
	if err != nil {
		t.Fatal(err)
	}
	vm, exports := loadBundle(t, b)
	if got := loadPackage(t, vm, exports, "@acme/x").ToObject(vm).Get("v").ToInteger(); got != 42 {
		t.Errorf("got %d, want 42", got)
	}
	// A vendored tarball that is not the locked one is refused.
	writeFile(t, filepath.Join(repo, "vendor/npm/@acme/x/-/x-1.0.0.tgz"), "tampered")
	i = newTestInstaller(t, nil, filepath.Join(repo, VendorDir))
	if _, err := i.Install(context.Background(), res.Lock, "modules/m"); err == nil || !strings.Contains(err.Error(), "@acme/x@1.0.0: integrity mismatch") {
		t.Errorf("tampered vendor file: got %v", err)
	}
}

func TestCheck(t *testing.T) {
	l := lockfile.New()
	l.Owners["actions/a"] = &lockfile.Owner{Dependencies: map[string]string{"a": "1.0.0", "b": "2.0.0", "gone": "1.0.0"}, Packages: []string{"a@1.0.0", "b@2.0.0", "gone@1.0.0"}}
	for _, k := range l.Owners["actions/a"].Packages {
		name, version, _ := strings.Cut(k, "@")
		l.Packages[k] = &lockfile.Package{Name: name, Version: version}
	}
	tests := []struct {
		name  string
		owner string
		give  map[string]string
		want  []string
	}{
		{name: "agrees", owner: "actions/a", give: map[string]string{"a": "1.0.0", "b": "^2", "gone": "1.0.0"}},
		{name: "disagrees", owner: "actions/a", give: map[string]string{"a": "1.0.1", "b": "^3", "c": "latest"},
			want: []string{
				"a: declared 1.0.1, locked to 1.0.0 (run actionsd lock)",
				"b: declared ^3, locked to 2.0.0 (run actionsd lock)",
				"c: declared latest but not locked (run actionsd lock)",
				"gone: locked but not declared (run actionsd lock)",
			}},
		{name: "owner missing", owner: "actions/b", give: map[string]string{"a": "1"}, want: []string{"a: declared 1 but not locked (run actionsd lock)"}},
		{name: "nothing declared", owner: "actions/b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range Check(l, tt.owner, tt.give) {
				got = append(got, p.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// NewInstaller removes temporary folders an earlier process left an hour ago or more, and
// leaves younger ones (another process may be working in them).
func TestNewInstallerRemovesOldTemporaryFolders(t *testing.T) {
	dir := t.TempDir()
	old, young := filepath.Join(dir, "tmp", "bundle-old"), filepath.Join(dir, "tmp", "bundle-young")
	for _, d := range []string{old, young} {
		if err := os.MkdirAll(filepath.Join(d, "s"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if _, err := NewInstaller(InstallerOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a two-hour-old temporary folder was kept: %v", err)
	}
	if _, err := os.Stat(young); err != nil {
		t.Errorf("a fresh temporary folder was removed: %v", err)
	}
}

// Deep imports of declared packages get entries of their own; a deep import of an undeclared
// package, or one that would leave its package, is refused.
func TestInstallSubpaths(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("deep", "1.0.0", &fakePkg{files: map[string]string{
		"index.js":     `module.exports = "root";`,
		"sub/thing.js": `module.exports = "thing of " + require("../index.js");`,
	}})
	f.add("@acme/deep", "1.0.0", &fakePkg{files: map[string]string{"index.js": `module.exports = 1;`, "x.js": `module.exports = "scoped x";`}})
	res, err := lockOwners(t, f, map[string]map[string]string{"actions/a": {"deep": "1.0.0", "@acme/deep": "1.0.0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	i := newTestInstaller(t, f, "")
	plain, err := i.Install(context.Background(), res.Lock, "actions/a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := i.InstallWith(context.Background(), res.Lock, "actions/a", InstallOptions{Subpaths: []string{"deep/sub/thing", "@acme/deep/x", "deep/sub/thing"}})
	if err != nil {
		t.Fatal(err)
	}
	if b.Key == plain.Key || len(b.Entries) != 4 {
		t.Errorf("entries %v: want the two packages and the two deep imports, in a bundle of its own", b.Entries)
	}
	vm, exports := loadBundle(t, b)
	if got := loadPackage(t, vm, exports, "deep/sub/thing").String(); got != "thing of root" {
		t.Errorf("deep/sub/thing: got %q", got)
	}
	if got := loadPackage(t, vm, exports, "@acme/deep/x").String(); got != "scoped x" {
		t.Errorf("@acme/deep/x: got %q", got)
	}
	for _, bad := range []string{"other/x", "deep", "deep/../../etc/passwd", "deep/./x", "@acme/deep", "deep//x"} {
		if _, err := i.InstallWith(context.Background(), res.Lock, "actions/a", InstallOptions{Subpaths: []string{bad}}); err == nil {
			t.Errorf("subpath %q was accepted", bad)
		}
	}
	// A deep import that does not resolve is left out, not the whole set: it may be in a try
	// block, or a test's.
	b, err = i.InstallWith(context.Background(), res.Lock, "actions/a", InstallOptions{Subpaths: []string{"deep/missing", "deep/sub/thing"}})
	if err != nil {
		t.Fatalf("a deep import that does not exist failed the install: %v", err)
	}
	if _, ok := b.Entries["deep/missing"]; ok || b.Entries["deep/sub/thing"] == "" || b.Entries["deep"] == "" {
		t.Errorf("entries %v: want deep and deep/sub/thing, and no deep/missing", b.Entries)
	}
}

// A failure to find the registries is not kept for good: after registryRetry they are looked for
// again (here the first lookup fails, as an npm CLI that timed out would).
func TestInstallRetriesRegistryLookup(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("dep", "1.0.0", &fakePkg{files: map[string]string{"index.js": `exports.x = 1;`}})
	res, err := lockOwners(t, f, map[string]map[string]string{"actions/a": {"dep": "1.0.0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	old := registryRetry
	registryRetry = 0
	t.Cleanup(func() { registryRetry = old })
	var calls atomic.Int32
	i, err := NewInstaller(InstallerOptions{Dir: filepath.Join(t.TempDir(), "npm"), Timeout: 2 * time.Second, Retries: 1,
		LoadRegistries: func() (*Registries, error) {
			if calls.Add(1) == 1 {
				return nil, errors.New("npm config get registry: timed out")
			}
			return f.registries(), nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := i.Install(context.Background(), res.Lock, "actions/a"); err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("first install: got %v, want the lookup's failure", err)
	}
	if _, err := i.Install(context.Background(), res.Lock, "actions/a"); err != nil {
		t.Errorf("second install, after the retry interval: %v", err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("registries looked up %d times, want 2", n)
	}
}
