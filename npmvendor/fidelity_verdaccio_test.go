package npmvendor

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/lockfile"
)

// fidelityRegistries is the local Verdaccio as TestVerdaccio configures it (skips without one).
func fidelityRegistries(t *testing.T) *Registries {
	t.Helper()
	url, token := testRegistry(t)
	regs := &Registries{Default: normalizeBase(url), Scopes: map[string]string{}, Source: "test"}
	regs.SetToken(url, token)
	return regs
}

// fidelityInstall locks owner's deps on regs, installs and bundles them (with subpaths), and
// returns the lock and the bundle.
func fidelityInstall(t *testing.T, regs *Registries, deps map[string]string, subpaths ...string) (*Result, *jsdeps.Bundle, error) {
	t.Helper()
	ctx := context.Background()
	res, err := (&Resolver{Registries: regs}).Lock(ctx, map[string]map[string]string{"actions/a": deps}, nil)
	if err != nil {
		t.Fatalf("lock: %v", err)
	}
	i, err := NewInstaller(InstallerOptions{Dir: filepath.Join(t.TempDir(), "npm"), Registries: regs})
	if err != nil {
		t.Fatal(err)
	}
	b, err := i.InstallWith(ctx, res.Lock, "actions/a", InstallOptions{Subpaths: subpaths})
	return res, b, err
}

// fidelityCall calls pkg's export fn (the package itself when fn is "") with args in the bundle.
func fidelityCall(t *testing.T, vm *goja.Runtime, exports *goja.Object, pkg, fn string, args ...any) (goja.Value, error) {
	t.Helper()
	v := loadPackage(t, vm, exports, pkg)
	if fn != "" {
		v = v.ToObject(vm).Get(fn)
	}
	f, ok := goja.AssertFunction(v)
	if !ok {
		return v, nil
	}
	var vals []goja.Value
	for _, a := range args {
		vals = append(vals, vm.ToValue(a))
	}
	return f(goja.Undefined(), vals...)
}

// TestVerdaccioOddMetadata is issue 13's cause 1 through a real registry: a package whose
// metadata has "dependencies": [] (as mime 2.6.0), a "bin" string, "engines" as a list, no
// dist.integrity (only a sha1 shasum), "deprecated": false and other lists and strings where
// objects are expected, reached as a dependency, locks, installs (verified against its sha1)
// and runs.
func TestVerdaccioOddMetadata(t *testing.T) {
	regs := fidelityRegistries(t)
	res, b, err := fidelityInstall(t, regs, map[string]string{"actionsd-uses-odd": "latest"})
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	odd := res.Lock.Packages[lockfile.Key("actionsd-odd-meta", "1.0.0")]
	if odd == nil || !strings.HasPrefix(odd.Integrity, "sha1-") || odd.Deprecated != "" || len(odd.Dependencies) != 0 {
		t.Errorf("actionsd-odd-meta in the lock: %+v, want it with its sha1 shasum as integrity, not deprecated, no dependencies", odd)
	}
	vm, exports := loadBundle(t, b)
	got, err := fidelityCall(t, vm, exports, "actionsd-uses-odd", "", 1)
	if err != nil || got.String() != "odd:1!" {
		t.Errorf("uses-odd(1) = %v, %v; want odd:1!", got, err)
	}
}

// TestVerdaccioEngines: lock picks the newest version whose engines.node admits the Node version
// the runner emulates (Resolver.NodeVersion, default 22), as npm does, for "latest" and ranges;
// an exact version is kept, with a warning.
func TestVerdaccioEngines(t *testing.T) {
	regs := fidelityRegistries(t)
	ctx := context.Background()
	for _, tt := range []struct{ node, spec, want, warn string }{
		{"", "latest", "1.1.0", ""}, // latest is 2.0.0, which wants node >=99
		{"", "^1.0.0 || ^2.0.0", "1.1.0", ""},
		{"22.12.0", "*", "1.1.0", ""},
		{"16", "latest", "1.0.0", ""},
		{"99", "latest", "2.0.0", ""},
		{"", "2.0.0", "2.0.0", "actionsd-engines@2.0.0 wants Node >=99 (engines.node), not 22.0.0"},
	} {
		res, err := (&Resolver{Registries: regs, NodeVersion: tt.node}).Lock(ctx, map[string]map[string]string{"actions/a": {"actionsd-engines": tt.spec}}, nil)
		if err != nil {
			t.Fatalf("node %q, %q: %v", tt.node, tt.spec, err)
		}
		if got := res.Pinned["actions/a"]["actionsd-engines"]; got != tt.want {
			t.Errorf("node %q, %q: got %s, want %s", tt.node, tt.spec, got, tt.want)
		}
		if w := strings.Join(res.Warnings, "\n"); tt.warn != "" && !strings.Contains(w, tt.warn) || tt.warn == "" && strings.Contains(w, "engines") {
			t.Errorf("node %q, %q: warnings %q, want %q", tt.node, tt.spec, w, tt.warn)
		}
	}
	if _, err := (&Resolver{Registries: regs, NodeVersion: "twenty"}).Lock(ctx, map[string]map[string]string{"actions/a": {"actionsd-engines": "latest"}}, nil); err == nil || !strings.Contains(err.Error(), `node version "twenty"`) {
		t.Errorf("bad node version: got %v", err)
	}
}
