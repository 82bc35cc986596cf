package npmvendor

import (
	"context"
	"strings"
	"testing"
)

// TestInstallDropsFailedOptionalSubtree: as npm does, a package reached only through an optional
// dependency is left out, with everything that needs it, when it cannot install (here: a
// required dependency of the optional package is for another platform, the other fails its
// integrity check). The package that declared the optional dependency loads without it.
func TestInstallDropsFailedOptionalSubtree(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("host", "1.0.0", &fakePkg{
		manifest: map[string]any{"optionalDependencies": map[string]string{"native": "1.0.0", "broken": "1.0.0", "fine": "1.0.0"}},
		files: map[string]string{"index.js": `var native = null, broken = null, fine = null;
try { native = require("native"); } catch (e) {}
try { broken = require("broken"); } catch (e) {}
try { fine = require("fine"); } catch (e) {}
module.exports = { native, broken, fine };`},
	})
	f.add("native", "1.0.0", &fakePkg{
		manifest: map[string]any{"dependencies": map[string]string{"native-bin": "1.0.0"}},
		files:    map[string]string{"index.js": `module.exports = require("native-bin");`},
	})
	f.add("native-bin", "1.0.0", &fakePkg{manifest: map[string]any{"os": []string{"aix"}}, files: map[string]string{"index.js": `module.exports = "bin";`}})
	f.add("broken", "1.0.0", &fakePkg{
		manifest: map[string]any{"dependencies": map[string]string{"broken-dep": "1.0.0"}},
		files:    map[string]string{"index.js": `module.exports = require("broken-dep");`},
	})
	f.add("broken-dep", "1.0.0", &fakePkg{files: map[string]string{"index.js": `module.exports = "dep";`}})
	f.add("fine", "1.0.0", &fakePkg{files: map[string]string{"index.js": `module.exports = "fine";`}})
	res, err := lockOwners(t, f, map[string]map[string]string{"actions/a": {"host": "1.0.0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"native@1.0.0", "native-bin@1.0.0", "broken@1.0.0", "broken-dep@1.0.0", "fine@1.0.0"} {
		if p := res.Lock.Packages[k]; p == nil || !p.Optional {
			t.Fatalf("%s: not locked as optional: %+v", k, p)
		}
	}
	// broken-dep's tarball changes after locking: its integrity no longer matches.
	f.add("broken-dep", "1.0.0", &fakePkg{files: map[string]string{"index.js": `module.exports = "tampered";`}})

	i := newTestInstaller(t, f, "")
	b, err := i.Install(context.Background(), res.Lock, "actions/a")
	if err != nil {
		t.Fatalf("install with failing optional subtrees: %v", err)
	}
	vm, exports := loadBundle(t, b)
	got := loadPackage(t, vm, exports, "host").ToObject(vm)
	if v := got.Get("fine").String(); v != "fine" {
		t.Errorf("fine: got %s, want the optional package that installed", v)
	}
	for _, n := range []string{"native", "broken"} {
		if v := got.Get(n); v == nil || !isNull(v.Export()) {
			t.Errorf("%s: got %v, want it left out (require throws)", n, v)
		}
	}

	// A fetch failure may pass: that bundle was not kept, and the next install has broken.
	f.add("broken-dep", "1.0.0", &fakePkg{files: map[string]string{"index.js": `module.exports = "dep";`}})
	b, err = testInstallerIn(t, f, i.dir, "").Install(context.Background(), res.Lock, "actions/a")
	if err != nil {
		t.Fatal(err)
	}
	vm, exports = loadBundle(t, b)
	got = loadPackage(t, vm, exports, "host").ToObject(vm)
	if v := got.Get("broken").String(); v != "dep" {
		t.Errorf("broken after its dependency came back: got %s, want dep", v)
	}
	if v := got.Get("native"); !isNull(v.Export()) {
		t.Errorf("native (for another platform): got %v", v)
	}

	// A required package whose dependency cannot install is an error that says why.
	res, err = lockOwners(t, f, map[string]map[string]string{"actions/b": {"native": "1.0.0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = i.Install(context.Background(), res.Lock, "actions/b")
	if err == nil || !strings.Contains(err.Error(), "native-bin@1.0.0") || !strings.Contains(err.Error(), "not for this platform") {
		t.Errorf("required package over a platform-only dependency: got %v", err)
	}
}

func isNull(v any) bool { return v == nil }
