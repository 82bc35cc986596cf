package npmvendor

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
		{"", "2.0.0", "2.0.0", "actionsd-engines@2.0.0 wants Node >=99 (engines.node), not 22"},
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

// fidelityNode runs script with Node in a folder whose node_modules holds the fixture packages
// (by their folder names under testing/npm/fixtures, as name -> folder), and returns its
// standard output; it skips when Node is not installed.
func fidelityNode(t *testing.T, pkgs map[string]string, script string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the reference for these cases")
	}
	dir := t.TempDir()
	for name, folder := range pkgs {
		src, err := filepath.Abs(filepath.Join("..", "testing", "npm", "fixtures", folder))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, "node_modules", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(src, dst); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(node, "--preserve-symlinks", "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("node: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("node: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// fidelityProbe is the script both Node and goja run over the cause 2 and 3 fixtures: each line
// is one answer, errors as "<code>: <first line of the message>".
const fidelityProbe = `
function probe(f) {
  try { return String(f()); } catch (e) { return e.code + ": " + String(e.message).split("\n")[0]; }
}
[
  probe(() => require("actionsd-optional-require").get({})),
  probe(() => require("actionsd-optional-require").get({ proxy: "http://proxy" })),
  probe(() => require("actionsd-optional-require").peer()),
  probe(() => require("actionsd-conditions")),
  probe(() => require("actionsd-conditions/req")),
  probe(() => require("actionsd-browser-main").kind),
  probe(() => require("actionsd-slash").npm),
].join("\n")`

// TestVerdaccioNodeResolution is issue 13's causes 2 and 3 through a real registry, with Node
// as the reference: a require that never runs (a proxy agent, an optional peer) is bundled as a
// require that throws Node's MODULE_NOT_FOUND when it runs, and is reported with its file and
// line; exports conditions are Node's (node, require, default: never "browser" nor "import" for a
// require); a `browser` field is not used (a form-data-like package gets its Node build, not
// "window is not defined"); "buffer/" is the npm package buffer.
func TestVerdaccioNodeResolution(t *testing.T) {
	regs := fidelityRegistries(t)
	_, b, err := fidelityInstall(t, regs, map[string]string{
		"actionsd-optional-require": "1.0.0", "actionsd-conditions": "1.0.0",
		"actionsd-browser-main": "1.0.0", "actionsd-slash": "1.0.0",
	}, "actionsd-conditions/req")
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	var missing []string
	for _, m := range b.Missing {
		missing = append(missing, m.String())
	}
	wantMissing := []string{
		"node_modules/actionsd-optional-require/index.js:5:20: require('actionsd-not-installed-proxy') in actionsd-optional-require@1.0.0 names no installed package: it throws MODULE_NOT_FOUND when it runs, as in Node",
		"node_modules/actionsd-optional-require/index.js:10:18: require('actionsd-optional-peer-missing') in actionsd-optional-require@1.0.0 names no installed package: it throws MODULE_NOT_FOUND when it runs, as in Node",
	}
	if strings.Join(missing, "\n") != strings.Join(wantMissing, "\n") {
		t.Errorf("missing requires:\n%s\nwant\n%s", strings.Join(missing, "\n"), strings.Join(wantMissing, "\n"))
	}

	vm, exports := loadBundle(t, b)
	vm.Set("require", func(spec string) goja.Value { return loadPackage(t, vm, exports, spec) })
	got, err := vm.RunString(fidelityProbe)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"direct",
		"MODULE_NOT_FOUND: Cannot find module 'actionsd-not-installed-proxy'",
		"MODULE_NOT_FOUND: Cannot find module 'actionsd-optional-peer-missing'",
		"node", "node", "node:objectobject", "buffer@6.0.3",
	}, "\n")
	if got.String() != want {
		t.Errorf("in the bundle:\n%s\nwant\n%s", got, want)
	}
	ref := fidelityNode(t, map[string]string{
		"actionsd-optional-require": "optional-require-1.0.0", "actionsd-conditions": "conditions-1.0.0",
		"actionsd-browser-main": "browser-main-1.0.0", "actionsd-slash": "slash-1.0.0", "buffer": "buffer-6.0.3",
	}, "console.log(eval("+strconv.Quote(fidelityProbe)+"))")
	if ref != want {
		t.Errorf("node gives\n%s\nthe test wants\n%s", ref, want)
	}
}

// TestVerdaccioBundleError is issue 13's cause 8 on the npm side: a package that does not bundle
// (a syntax error two levels down) fails the install with a BundleError that names the package,
// the chain from the declared package, and the file and line.
func TestVerdaccioBundleError(t *testing.T) {
	regs := fidelityRegistries(t)
	_, _, err := fidelityInstall(t, regs, map[string]string{"actionsd-needs-broken": "1.0.0"})
	var be *BundleError
	if !errors.As(err, &be) {
		t.Fatalf("got %v, want a BundleError", err)
	}
	if be.Package != "actionsd-broken@1.0.0" || be.Declared != "actionsd-needs-broken" ||
		strings.Join(be.Chain, " -> ") != "actionsd-needs-broken@1.0.0 -> actionsd-broken@1.0.0" {
		t.Errorf("got package %q, declared %q, chain %v", be.Package, be.Declared, be.Chain)
	}
	const want = "actions/a: bundling: package actionsd-broken@1.0.0 (required through actionsd-needs-broken@1.0.0 -> actionsd-broken@1.0.0): actionsd-broken/index.js:2:12: "
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %q, want it to begin with %q", err, want)
	}
}

// TestVerdaccioBrowserAllowlist: a package's browser build is used only when it is in
// browserAllowed (and needs fewer built-ins); even then "buffer/" is the npm package, not the
// built-in the browser build leaves external (aws-sdk v2: "cannot require 'buffer/'").
func TestVerdaccioBrowserAllowlist(t *testing.T) {
	regs := fidelityRegistries(t)
	for _, allowed := range []bool{false, true} {
		if allowed {
			browserAllowed["actionsd-browser-ok"] = true
		}
		_, b, err := fidelityInstall(t, regs, map[string]string{"actionsd-browser-ok": "1.0.0"})
		delete(browserAllowed, "actionsd-browser-ok")
		if err != nil {
			t.Fatalf("install: %v", err)
		}
		vm, exports := loadBundle(t, b)
		got, err := fidelityCall(t, vm, exports, "actionsd-browser-ok", "")
		want := "node:buffer@6.0.3"
		if allowed {
			want = "browser:buffer@6.0.3"
		}
		if err != nil || got.String() != want {
			t.Errorf("allowed %v: got %v, %v; want %s", allowed, got, err, want)
		}
	}
}
