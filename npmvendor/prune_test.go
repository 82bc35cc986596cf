package npmvendor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/actionsd/actionsd/jsdeps"
)

// entries lists a cache folder ("bundles" or "pkg").
func entries(t testing.TB, i *Installer, folder string) []string {
	t.Helper()
	es, err := os.ReadDir(filepath.Join(i.dir, folder))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// age makes every entry of the cache look last used d ago.
func age(t *testing.T, i *Installer, d time.Duration) {
	t.Helper()
	then := time.Now().Add(-d)
	for _, folder := range []string{"bundles", "pkg"} {
		for _, n := range entries(t, i, folder) {
			if err := os.Chtimes(filepath.Join(i.dir, folder, n), then, then); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// lockAndInstallA locks owners on f and installs actions/a with a new installer.
func lockAndInstallA(t *testing.T, f *fakeRegistry, owners map[string]map[string]string) (*Result, *Installer, *jsdeps.Bundle) {
	t.Helper()
	res, err := lockOwners(t, f, owners, nil)
	if err != nil {
		t.Fatal(err)
	}
	i := newTestInstaller(t, f, "")
	ba, err := i.Install(context.Background(), res.Lock, "actions/a")
	if err != nil {
		t.Fatal(err)
	}
	return res, i, ba
}

// Prune keeps the bundles in use with the packages they were built from, and removes what nothing
// uses once it has been unused for MaxUnused; a use marks an entry used, and what was removed is
// fetched and built again when it is needed.
func TestPrune(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("shared", "1.0.0", &fakePkg{})
	f.add("only-a", "1.0.0", &fakePkg{})
	f.add("only-b", "1.0.0", &fakePkg{})
	ctx := context.Background()
	res, i, ba := lockAndInstallA(t, f, map[string]map[string]string{
		"actions/a": {"shared": "1.0.0", "only-a": "1.0.0"},
		"actions/b": {"shared": "1.0.0", "only-b": "1.0.0"},
	})
	if _, err := i.Install(ctx, res.Lock, "actions/b"); err != nil {
		t.Fatal(err)
	}
	if n, p := len(entries(t, i, "bundles")), len(entries(t, i, "pkg")); n != 2 || p != 3 {
		t.Fatalf("after two installs: %d bundles, %d packages; want 2 and 3", n, p)
	}
	pkgOf := func(name string) string {
		n, err := cacheName(res.Lock.Packages[name+"@1.0.0"].Integrity)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Recently used: nothing leaves the disk, but b's bundle leaves memory.
	st, err := i.Prune(PruneOptions{Keep: []string{ba.Key}, MaxUnused: time.Hour})
	if err != nil || st != (PruneStats{}) {
		t.Errorf("prune of recent entries: %+v, %v; want nothing removed", st, err)
	}
	if len(i.bundles) != 1 || i.bundles[firstKey(i)] != ba {
		t.Errorf("in memory after prune: %d bundles, want a's only", len(i.bundles))
	}

	// b used again reads its bundle from disk, which marks it used: it stays however old the
	// rest is.
	age(t, i, 2*time.Hour)
	before := f.requests.Load()
	if _, err := i.Install(ctx, res.Lock, "actions/b"); err != nil || f.requests.Load() != before {
		t.Fatalf("b from disk: %v, %d requests; want the cached bundle", err, f.requests.Load()-before)
	}
	st, err = i.Prune(PruneOptions{Keep: []string{ba.Key}, MaxUnused: time.Hour})
	if err != nil || st.Bundles != 0 || st.Packages != 0 {
		t.Errorf("prune after b's use: %+v, %v; want nothing removed (b's bundle was just used, its packages are needed by it)", st, err)
	}

	// Unused for two hours: b's bundle and only-b go; a's bundle, shared and only-a stay, old as
	// they are.
	age(t, i, 2*time.Hour)
	st, err = i.Prune(PruneOptions{Keep: []string{ba.Key}, MaxUnused: time.Hour})
	if err != nil || st.Bundles != 1 || st.Packages != 1 || st.Bytes <= 0 {
		t.Errorf("prune of old entries: %+v, %v; want b's bundle and only-b removed, with their bytes", st, err)
	}
	pkgs := entries(t, i, "pkg")
	if want := []string{pkgOf("only-a"), pkgOf("shared")}; !slices.Equal(pkgs, sortedCopy(want)) {
		t.Errorf("packages left: %v, want only-a and shared %v", pkgs, want)
	}
	if len(entries(t, i, "bundles")) != 1 {
		t.Errorf("bundles left: %v, want a's", entries(t, i, "bundles"))
	}
	if left := entries(t, i, "tmp"); len(left) != 0 {
		t.Errorf("tmp/ after prune: %v, want empty", left)
	}

	// A negative MaxUnused keeps the disk as it is.
	age(t, i, 2*time.Hour)
	if st, err := i.Prune(PruneOptions{MaxUnused: -1}); err != nil || st != (PruneStats{}) || len(entries(t, i, "bundles")) != 1 || len(i.bundles) != 0 {
		t.Errorf("prune with MaxUnused < 0: %+v, %v; want the disk untouched and memory emptied", st, err)
	}

	// What was removed comes back from the registry, and a restarted installer still loads a's
	// bundle from disk without one.
	before = f.requests.Load()
	bb, err := i.Install(ctx, res.Lock, "actions/b")
	if err != nil || f.requests.Load() == before {
		t.Fatalf("b after its removal: %v, %d requests; want only-b fetched again", err, f.requests.Load()-before)
	}
	vm, exports := loadBundle(t, bb)
	if got := loadPackage(t, vm, exports, "only-b").ToObject(vm).Get("name").String(); got != "only-b" {
		t.Errorf("only-b after a rebuild: %q", got)
	}
	i2, err := NewInstaller(InstallerOptions{Dir: i.dir})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := i2.Install(ctx, res.Lock, "actions/a"); err != nil || b.Key != ba.Key {
		t.Errorf("a after prunes and a restart, with no registry: %v", err)
	}
}

// A bundle that serves for longer than MaxUnused, then stops serving, is not removed at once:
// kept bundles count as used at every prune, and one that leaves Keep counts as used until then.
func TestPruneCountsServingAsUse(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("only-a", "1.0.0", &fakePkg{})
	f.add("only-b", "1.0.0", &fakePkg{})
	ctx := context.Background()
	res, i, ba := lockAndInstallA(t, f, map[string]map[string]string{
		"actions/a": {"only-a": "1.0.0"},
		"actions/b": {"only-b": "1.0.0"},
	})
	// a serves for two hours: later installs hit memory, which touches nothing on disk.
	age(t, i, 2*time.Hour)
	if _, err := i.Install(ctx, res.Lock, "actions/a"); err != nil {
		t.Fatal(err)
	}
	if st, err := i.Prune(PruneOptions{Keep: []string{ba.Key}, MaxUnused: time.Hour}); err != nil || st != (PruneStats{}) {
		t.Fatalf("prune while a serves: %+v, %v; want nothing removed", st, err)
	}
	// A commit moves to b; a stops serving now, so it stays for the retention.
	bb, err := i.Install(ctx, res.Lock, "actions/b")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := i.Prune(PruneOptions{Keep: []string{bb.Key}, MaxUnused: time.Hour}); err != nil || st != (PruneStats{}) {
		t.Errorf("prune just after a stopped serving: %+v, %v; want a kept for the retention", st, err)
	}
	// Two hours later a goes.
	age(t, i, 2*time.Hour)
	if st, err := i.Prune(PruneOptions{Keep: []string{bb.Key}, MaxUnused: time.Hour}); err != nil || st.Bundles != 1 || st.Packages != 1 {
		t.Errorf("prune two hours after a stopped serving: %+v, %v; want a's bundle and package removed", st, err)
	}
}

// A bundle that serves without a folder of its own (an optional package failed, so it is not
// stored) still keeps its packages.
func TestPruneKeepsPackagesOfUnstoredBundles(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("main", "1.0.0", &fakePkg{manifest: map[string]any{"optionalDependencies": map[string]string{"opt": "1.0.0"}}})
	f.add("opt", "1.0.0", &fakePkg{})
	res, err := lockOwners(t, f, map[string]map[string]string{"actions/a": {"main": "1.0.0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	delete(f.pkgs, "opt") // its tarball fails now: the bundle is built without it, and not stored
	f.mu.Unlock()
	i := newTestInstaller(t, f, "")
	b, err := i.Install(context.Background(), res.Lock, "actions/a")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(entries(t, i, "bundles")); n != 0 {
		t.Fatalf("%d bundles stored, want none (an optional package failed)", n)
	}
	age(t, i, 2*time.Hour)
	if st, err := i.Prune(PruneOptions{Keep: []string{b.Key}, MaxUnused: time.Hour}); err != nil || st.Packages != 0 {
		t.Errorf("prune: %+v, %v; want main's package kept while its bundle serves", st, err)
	}
	if n := len(entries(t, i, "pkg")); n != 1 {
		t.Errorf("%d packages left, want main's", n)
	}
}

func firstKey(i *Installer) string {
	for k := range i.bundles {
		return k
	}
	return ""
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// BenchmarkPrune: a prune that removes nothing, over a cache of 300 packages and 10 bundles (the
// common case: every entry recent), against reading one cached bundle from disk, which a warm
// start does per dependency set.
func BenchmarkPrune(b *testing.B) {
	f := newFakeRegistry(b)
	f.add("dep", "1.0.0", &fakePkg{})
	res, err := lockOwners(b, f, map[string]map[string]string{"actions/a": {"dep": "1.0.0"}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	i, err := NewInstaller(InstallerOptions{Dir: filepath.Join(b.TempDir(), "npm"), Registries: f.registries()})
	if err != nil {
		b.Fatal(err)
	}
	bundle, err := i.Install(context.Background(), res.Lock, "actions/a")
	if err != nil {
		b.Fatal(err)
	}
	cached := filepath.Join(i.dir, "bundles", entries(b, i, "bundles")[0])
	manifest, err := os.ReadFile(filepath.Join(cached, "bundle.json"))
	if err != nil {
		b.Fatal(err)
	}
	for n := range 300 {
		if err := os.MkdirAll(filepath.Join(i.dir, "pkg", fmt.Sprintf("sha512-%064x", n), "package"), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	for n := range 9 {
		dir := filepath.Join(i.dir, "bundles", fmt.Sprintf("%064x", n))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bundle.json"), manifest, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("read-bundle", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := readBundle(cached); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("prune-nothing", func(b *testing.B) {
		for b.Loop() {
			if st, err := i.Prune(PruneOptions{Keep: []string{bundle.Key}, MaxUnused: time.Hour}); err != nil || st.Bundles+st.Packages > 0 {
				b.Fatal(st, err)
			}
		}
	})
}
