package npmvendor

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/actionsd/actionsd/lockfile"
)

// testRegistry returns the local Verdaccio that `make test` starts (scripts/npm-test-registry.sh)
// and its user's token, or skips.
func testRegistry(t *testing.T) (url, token string) {
	url, token = os.Getenv("ACTIONSD_NPM_TEST_REGISTRY"), os.Getenv("ACTIONSD_NPM_TEST_TOKEN")
	if url == "" || token == "" {
		t.Skip("ACTIONSD_NPM_TEST_REGISTRY and ACTIONSD_NPM_TEST_TOKEN are not set: run through `make test`, which starts Verdaccio with scripts/npm-test-registry.sh")
	}
	return url, token
}

// TestVerdaccio resolves, installs and bundles the fixture packages of testing/npm against a real
// registry with authentication on, configured as users configure it: the registry from the
// environment and the token from the repository's .npmrc.
func TestVerdaccio(t *testing.T) {
	url, token := testRegistry(t)
	repo := t.TempDir()
	nerf := strings.TrimPrefix(strings.TrimPrefix(url, "http:"), "https:")
	writeFile(t, filepath.Join(repo, ".npmrc"), nerf+":_authToken=${TEST_NPM_TOKEN}\n")
	env := map[string]string{"NPM_CONFIG_REGISTRY": url, "TEST_NPM_TOKEN": token}
	regs, err := LoadRegistries(RegistryOptions{RepoDir: repo, UserNpmrc: filepath.Join(repo, "no-user-npmrc"), Getenv: func(k string) string { return env[k] }, NoNpmCLI: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Run("auth is required", func(t *testing.T) {
		anon := &Registries{Default: regs.Default}
		_, err := (&Resolver{Registries: anon}).Lock(ctx, map[string]map[string]string{"actions/a": {"actionsd-plain": "1.0.0"}}, nil)
		var re *RegistryError
		if !errors.As(err, &re) || re.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "actionsd-plain") {
			t.Errorf("got %v, want a 401 naming actionsd-plain", err)
		}
	})

	owners := map[string]map[string]string{
		"actions/a": {
			"@actionsd-test/scoped": "latest",
			"actionsd-esm-only":     "^1",
			"actionsd-with-peer":    "1.0.0",
			"actionsd-plain":        "^1.0.0",
		},
		"modules/m": {"actionsd-plain": "next"},
	}
	res, err := (&Resolver{Registries: regs}).Lock(ctx, owners, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantPinned := map[string]map[string]string{
		"actions/a": {"@actionsd-test/scoped": "1.0.0", "actionsd-esm-only": "1.0.0", "actionsd-with-peer": "1.0.0", "actionsd-plain": "1.1.0"},
		"modules/m": {"actionsd-plain": "2.0.0-beta.1"},
	}
	if !reflect.DeepEqual(res.Pinned, wantPinned) {
		t.Errorf("pinned: got %v, want %v", res.Pinned, wantPinned)
	}
	wantPackages := []string{"@actionsd-test/scoped@1.0.0", "actionsd-esm-only@1.0.0", "actionsd-plain@1.0.0", "actionsd-plain@1.1.0", "actionsd-with-peer@1.0.0"}
	if got := res.Lock.Owners["actions/a"].Packages; !reflect.DeepEqual(got, wantPackages) {
		t.Errorf("actions/a packages: got %v, want %v", got, wantPackages)
	}
	if got := res.Lock.Packages["@actionsd-test/scoped@1.0.0"].Tarball; got != "@actionsd-test/scoped/-/scoped-1.0.0.tgz" {
		t.Errorf("scoped tarball: got %q, want a registry-relative path", got)
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "optional dependency actionsd-not-published@^1.0.0 skipped") {
		t.Errorf("warnings: got %q, want the unpublished optional dependency", w)
	}
	data, _ := res.Lock.Marshal()
	if strings.Contains(string(data), "127.0.0.1") {
		t.Errorf("the lock names the registry's host")
	}

	i, err := NewInstaller(InstallerOptions{Dir: filepath.Join(t.TempDir(), "npm"), Registries: regs})
	if err != nil {
		t.Fatal(err)
	}
	b, err := i.Install(ctx, res.Lock, "actions/a")
	if err != nil {
		t.Fatal(err)
	}
	vm, exports := loadBundle(t, b)
	call := func(name, fn string, args ...any) string {
		t.Helper()
		pkg := loadPackage(t, vm, exports, name)
		var f goja.Value = pkg
		if fn != "" {
			f = pkg.ToObject(vm).Get(fn)
		}
		callable, ok := goja.AssertFunction(f)
		if !ok {
			t.Fatalf("%s.%s is not a function", name, fn)
		}
		var vals []goja.Value
		for _, a := range args {
			vals = append(vals, vm.ToValue(a))
		}
		v, err := callable(goja.Undefined(), vals...)
		if err != nil {
			t.Fatalf("%s.%s: %v", name, fn, err)
		}
		return v.String()
	}
	if got := call("@actionsd-test/scoped", "sum", 1, 2); got != "scoped:3@1.0.0" {
		t.Errorf("scoped.sum: got %q, want its own locked actionsd-plain@1.0.0", got)
	}
	if got := call("actionsd-with-peer", ""); got != "peer sees 1.1.0" {
		t.Errorf("with-peer: got %q, want the owner's actionsd-plain@1.1.0", got)
	}
	if got := call("actionsd-esm-only", "id", 3); got != "xxx" {
		t.Errorf("esm-only.id: got %q", got)
	}

	t.Run("bad tarball in the storage", func(t *testing.T) {
		res, err := (&Resolver{Registries: regs}).Lock(ctx, map[string]map[string]string{"actions/b": {"actionsd-bad-tarball": "1.0.0"}}, lockfile.New())
		if err != nil {
			t.Fatal(err)
		}
		_, err = i.Install(ctx, res.Lock, "actions/b")
		var ie *IntegrityError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "actionsd-bad-tarball@1.0.0: integrity mismatch") {
			t.Errorf("got %v, want an integrity mismatch naming actionsd-bad-tarball@1.0.0", err)
		}
	})

	t.Run("version that does not exist", func(t *testing.T) {
		_, err := (&Resolver{Registries: regs}).Lock(ctx, map[string]map[string]string{"actions/c": {"actionsd-plain": "3.0.0"}}, nil)
		if err == nil || !strings.Contains(err.Error(), "actions/c: actionsd-plain@3.0.0: version 3.0.0 does not exist (latest is 1.1.0)") {
			t.Errorf("got %v", err)
		}
	})
}
