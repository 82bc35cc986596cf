package daemon

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// npmTestRegistry returns the local Verdaccio that `make test` starts, or skips.
func npmTestRegistry(t *testing.T) (url, token string) {
	url, token = os.Getenv("ACTIONSD_NPM_TEST_REGISTRY"), os.Getenv("ACTIONSD_NPM_TEST_TOKEN")
	if url == "" || token == "" {
		t.Skip("ACTIONSD_NPM_TEST_REGISTRY and ACTIONSD_NPM_TEST_TOKEN are not set: run through `make test`, which starts Verdaccio with scripts/npm-test-registry.sh")
	}
	return url, token
}

// npmrc is a repository's .npmrc naming the local registry reg and its token (as ${ENV}).
func npmrc(reg string) string {
	nerf := strings.TrimPrefix(strings.TrimPrefix(reg, "http:"), "https:")
	return "registry=" + reg + "\n" + nerf + ":_authToken=${ACTIONSD_NPM_TEST_TOKEN}\n"
}

// onlyRepositoryNpmrc leaves the repository's .npmrc as the only place a registry is found: no
// NPM_CONFIG_REGISTRY, no user .npmrc.
func onlyRepositoryNpmrc(t *testing.T) {
	for _, env := range []string{"NPM_CONFIG_REGISTRY", "npm_config_registry"} {
		t.Setenv(env, "")
	}
	t.Setenv("NPM_CONFIG_USERCONFIG", filepath.Join(t.TempDir(), "no-user-npmrc"))
}

// startNPMDaemon runs a daemon over repo with no secrets and the npm registry reg.
func startNPMDaemon(t *testing.T, repo, reg string) *testDaemon {
	t.Helper()
	cfg := testConfig(t, repo)
	cfg.NPM.Registry = reg
	d, err := newDaemon(cfg, vaultsecrets.NewStatic(nil, zaptest.NewLogger(t)), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return runDaemon(t, d)
}

// TestNPMDependencies: a published module declares a package of the local registry, locked by
// `actionsd lock`; the daemon installs it from the lock and the action uses it, with a TypeScript
// action beside it. A dependency declared but not locked fails its commit with file and field,
// while the previous generation serves. A daemon with no registry runs from vendor/npm/.
func TestNPMDependencies(t *testing.T) {
	reg, _ := npmTestRegistry(t)
	repo := newGitRepo(t)
	nerf := strings.TrimPrefix(strings.TrimPrefix(reg, "http:"), "https:")
	repo.write(".npmrc", nerf+":_authToken=${ACTIONSD_NPM_TEST_TOKEN}\n")
	repo.write("triggers.yaml", "post-login:\n  - uses-npm\n  - typed\n")
	repo.write("modules/util/module.yaml", "dependencies:\n  actionsd-plain: ^1.0.0\n")
	repo.write("modules/util/index.js", "const plain = require('actionsd-plain');\nmodule.exports = { add: plain.add, version: plain.version };\n")
	repo.write("actions/uses-npm/action.yaml", "trigger: post-login\nmodules:\n  util: 1\n")
	repo.write("actions/uses-npm/index.js", `const util = require('actions:util');
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('sum', util.add(2, 3));
  api.idToken.setCustomClaim('plain', util.version);
};
`)
	repo.write("actions/typed/action.yaml", "trigger: post-login\n")
	repo.write("actions/typed/index.ts", `import { greet } from './greet';
interface Event { user: { user_id: string } }
export const onExecutePostLogin = async (event: Event, api: any): Promise<void> => {
  api.idToken.setCustomClaim('greeting', greet(event.user.user_id));
};
`)
	repo.write("actions/typed/greet.ts", "export function greet(id: string): string {\n  return `hello ${id}`;\n}\n")
	run(t, repo.dir, "", "lock", "--registry", reg).want(t, 0, "lock")
	if lock := repo.read("actionsd.lock"); !strings.Contains(lock, "actionsd-plain") || strings.Contains(lock, strings.TrimSuffix(nerf, "/")[2:]) {
		t.Fatalf("actionsd.lock: want actionsd-plain and no registry host:\n%s", lock)
	}
	first := repo.commit("util uses actionsd-plain; a typed action")
	repo.git("tag", "modules/util/v1")

	d := startNPMDaemon(t, repo.dir, reg)
	st := d.sync("")
	if !st.Ready || st.Applied == nil || st.Applied.Commit != first {
		t.Fatalf("first sync: got %+v, errors %v", st.Applied, st.Errors)
	}
	res := d.execute("", []byte(`{"user":{"user_id":"u1"}}`))
	if res.Outcome != runner.OutcomeSuccess {
		t.Fatalf("execute: outcome %s: %+v", res.Outcome, res.Actions)
	}
	c := res.Effects.IDTokenClaims
	if c["sum"] != float64(5) || !strings.HasPrefix(c["plain"].(string), "1.") || c["greeting"] != "hello u1" {
		t.Errorf("claims: got %v, want sum 5, plain 1.x, greeting hello u1", c)
	}

	// Declared but not locked: the commit fails with file and field; the previous one serves.
	repo.write("actions/typed/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-esm-only: ^1.0.0\n")
	repo.commit("typed: an unlocked dependency")
	st = d.sync("")
	if st.Attempted == nil || st.Attempted.Result != "failed" || st.Attempted.Step != "resolve" {
		t.Fatalf("unlocked dependency: got attempt %+v, errors %v; want failed in resolve", st.Attempted, st.Errors)
	}
	found := false
	for _, p := range st.Errors {
		if p.File == "actions/typed/action.yaml" && p.Field == "dependencies.actionsd-esm-only" && p.Line == 3 && strings.Contains(p.Message, "not locked") {
			found = true
		}
	}
	if !found {
		t.Errorf("unlocked dependency: errors %v do not name actions/typed/action.yaml:3 dependencies.actionsd-esm-only", problemsText(st.Errors))
	}
	if res := d.execute("", []byte(`{"user":{"user_id":"u2"}}`)); res.Outcome != runner.OutcomeSuccess || res.Commit != first {
		t.Errorf("after the failed commit: outcome %s on %s, want success on %s", res.Outcome, res.Commit, first)
	}

	// Vendored: with the tarballs committed under vendor/npm/, a daemon whose registry does not
	// answer installs from the repository.
	repo.write("actions/typed/action.yaml", "trigger: post-login\n")
	run(t, repo.dir, "", "vendor", "--registry", reg).want(t, 0, "vendor")
	vendored := repo.commit("vendor the npm tarballs")
	offline := startNPMDaemon(t, repo.dir, "http://127.0.0.1:1/")
	if st := offline.sync(""); !st.Ready || st.Applied == nil || st.Applied.Commit != vendored {
		t.Fatalf("vendored, registry down: got %+v, errors %v", st.Applied, problemsText(st.Errors))
	}
	if res := offline.execute("", []byte(`{"user":{"user_id":"u3"}}`)); res.Outcome != runner.OutcomeSuccess || res.Effects.IDTokenClaims["sum"] != float64(5) {
		t.Errorf("vendored: outcome %s, claims %v", res.Outcome, res.Effects.IDTokenClaims)
	}
}

// TestNPMRemoteRepositoryNpmrc: a daemon serving a remote repository (smart HTTP) with no
// registry in its configuration finds it, and its credentials, in the .npmrc committed to the
// repository, read from the git mirror. The action also requires a file of the package (a deep
// import).
func TestNPMRemoteRepositoryNpmrc(t *testing.T) {
	reg, _ := npmTestRegistry(t)
	onlyRepositoryNpmrc(t)
	repo := newRemoteRepo(t)
	repo.write(".npmrc", npmrc(reg))
	repo.write("triggers.yaml", "post-login: [plain]\n")
	repo.write("actions/plain/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-plain: ^1.0.0\n")
	repo.write("actions/plain/index.js", `const plain = require('actionsd-plain');
const double = require('actionsd-plain/lib/double'); // a deep import: an entry of its own
exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('sum', plain.add(20, double(11))); };
`)
	run(t, repo.dir, "", "lock", "--registry", reg).want(t, 0, "lock")
	repo.commit("plain uses actionsd-plain")
	repo.push()
	srv := newGitHTTP(t, filepath.Dir(repo.bare), "u", "p")
	cfg := testConfig(t, srv.URL+"/actions.git")
	cfg.Git.Username, cfg.Git.Password = "u", "p"
	d, err := newDaemon(cfg, vaultsecrets.NewStatic(nil, zaptest.NewLogger(t)), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	td := runDaemon(t, d)
	if st := td.sync(""); !st.Ready || st.Applied == nil {
		t.Fatalf("sync: applied %+v, errors %v", st.Applied, problemsText(st.Errors))
	}
	res := td.execute("", []byte(`{"user":{"user_id":"u1"}}`))
	if res.Outcome != runner.OutcomeSuccess || res.Effects.IDTokenClaims["sum"] != float64(42) {
		t.Errorf("execute: outcome %s, claims %v: %+v", res.Outcome, res.Effects.IDTokenClaims, res.Actions)
	}
	// The action's status names the locked version of what it declares (^1.0.0).
	code, body := td.do("GET", "/v1/actions/plain", "", nil)
	if code != http.StatusOK || !strings.Contains(string(body), `"dependencies":{"actionsd-plain":"1.1.0"}`) {
		t.Errorf("GET /v1/actions/plain: %d %s", code, body)
	}
}

// TestNPMCachePrune: with npm.cache_retention 0, a commit that moves an action to another
// version of its package leaves only the new bundle and package in <data-dir>/npm/; moving back
// fetches the old version again from the registry, and it serves.
func TestNPMCachePrune(t *testing.T) {
	reg, _ := npmTestRegistry(t)
	repo := newGitRepo(t)
	repo.write(".npmrc", npmrc(reg))
	repo.write("triggers.yaml", "post-login:\n  - plain\n")
	repo.write("actions/plain/index.js", "const plain = require('actionsd-plain');\nexports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('plain', plain.version); };\n")
	pin := func(version string) string {
		t.Helper()
		repo.write("actions/plain/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-plain: "+version+"\n")
		run(t, repo.dir, "", "lock", "--registry", reg).want(t, 0, "lock")
		return repo.commit("plain " + version)
	}
	first := pin("1.0.0")

	cfg := testConfig(t, repo.dir)
	cfg.NPM.Registry = reg
	cfg.NPM.CacheRetention = 0
	d, err := newDaemon(cfg, vaultsecrets.NewStatic(nil, zaptest.NewLogger(t)), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	td := runDaemon(t, d)
	cache := func() (bundles, pkgs int) {
		t.Helper()
		for _, n := range []struct {
			folder string
			into   *int
		}{{"bundles", &bundles}, {"pkg", &pkgs}} {
			es, err := os.ReadDir(filepath.Join(cfg.DataDir, "npm", n.folder))
			if err != nil {
				t.Fatal(err)
			}
			*n.into = len(es)
		}
		return bundles, pkgs
	}
	serves := func(commit, version string) {
		t.Helper()
		st := td.sync("")
		if !st.Ready || st.Applied == nil || st.Applied.Commit != commit {
			t.Fatalf("sync: got %+v, errors %v; want %s applied", st.Applied, problemsText(st.Errors), commit)
		}
		res := td.execute("", []byte(`{"user":{"user_id":"u1"}}`))
		if res.Outcome != runner.OutcomeSuccess || res.Effects.IDTokenClaims["plain"] != version {
			t.Fatalf("execute: outcome %s, claims %v; want plain %s", res.Outcome, res.Effects.IDTokenClaims, version)
		}
	}
	// The prune runs in the reconcile loop just after a sync's waiters are released.
	settles := func(when string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			b, p := cache()
			if b == 1 && p == 1 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("npm cache %s: %d bundles, %d packages; want the serving one only (retention 0)", when, b, p)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	pkgFolder := func() string {
		t.Helper()
		es, err := os.ReadDir(filepath.Join(cfg.DataDir, "npm", "pkg"))
		if err != nil || len(es) != 1 {
			t.Fatalf("npm/pkg: %v, %v; want one package", es, err)
		}
		return es[0].Name()
	}
	serves(first, "1.0.0")
	settles("after the first commit")
	old := pkgFolder()
	serves(pin("1.1.0"), "1.1.0")
	settles("after moving to 1.1.0")
	if pkgFolder() == old {
		t.Fatal("npm/pkg still holds 1.0.0 after moving to 1.1.0")
	}
	// Moving back needs 1.0.0 again: fetched anew from the registry, into the same folder.
	serves(pin("1.0.0"), "1.0.0")
	settles("after moving back to 1.0.0")
	if got := pkgFolder(); got != old {
		t.Errorf("npm/pkg after moving back: %s, want 1.0.0's %s", got, old)
	}
	// Metrics: three sets built from three registry tarballs, two of each pruned. The prune
	// counts what it removed once it is done, after the files are gone that settles saw go: the
	// counters are read until they agree or 10 s have passed.
	metrics := []struct {
		name string
		want func(float64) bool
	}{
		{`actionsd_npm_installs_total{result="built"}`, func(v float64) bool { return v == 3 }},
		{`actionsd_npm_installs_total{result="failed"}`, func(v float64) bool { return v == 0 }},
		{`actionsd_npm_tarballs_total{result="ok",source="registry"}`, func(v float64) bool { return v == 3 }},
		{`actionsd_npm_cache_pruned_total{kind="bundle"}`, func(v float64) bool { return v == 2 }},
		{`actionsd_npm_cache_pruned_total{kind="package"}`, func(v float64) bool { return v == 2 }},
		{`actionsd_npm_cache_pruned_bytes_total`, func(v float64) bool { return v > 0 }},
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var wrong []string
		for _, m := range metrics {
			if got := td.metric(m.name); !m.want(got) {
				wrong = append(wrong, fmt.Sprintf("%s: got %v", m.name, got))
			}
		}
		if len(wrong) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(strings.Join(wrong, "\n"))
		}
	}
}

// TestNPMRegistryMovesWithTheRepository: the daemon finds its registry in the repository's
// .npmrc; a commit that fixes a wrong registry there takes effect with that commit, without a
// restart.
func TestNPMRegistryMovesWithTheRepository(t *testing.T) {
	reg, _ := npmTestRegistry(t)
	onlyRepositoryNpmrc(t)
	repo := newGitRepo(t)
	repo.write("triggers.yaml", "post-login: [plain]\n")
	repo.write("actions/plain/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-plain: 1.0.0\n")
	repo.write("actions/plain/index.js", "const plain = require('actionsd-plain');\nexports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('plain', plain.version); };\n")
	repo.write(".npmrc", npmrc(reg))
	run(t, repo.dir, "", "lock").want(t, 0, "lock")
	repo.write(".npmrc", "registry=http://127.0.0.1:1/\n") // nothing listens there
	repo.commit("plain, with a registry that does not answer")

	td := runDaemon(t, func() *Daemon {
		d, err := newDaemon(testConfig(t, repo.dir), vaultsecrets.NewStatic(nil, zaptest.NewLogger(t)), zaptest.NewLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}())
	if st := td.sync(""); st.Ready || st.Attempted == nil || st.Attempted.Step != "install" {
		t.Fatalf("with a dead registry: attempt %+v, errors %v; want a failed install", st.Attempted, problemsText(st.Errors))
	}
	repo.write(".npmrc", npmrc(reg))
	fixed := repo.commit("the registry that serves")
	if st := td.sync(""); !st.Ready || st.Applied == nil || st.Applied.Commit != fixed {
		t.Fatalf("after fixing .npmrc: applied %+v, errors %v; want %s", st.Applied, problemsText(st.Errors), fixed)
	}
	if res := td.execute("", []byte(`{"user":{"user_id":"u1"}}`)); res.Outcome != runner.OutcomeSuccess || res.Effects.IDTokenClaims["plain"] != "1.0.0" {
		t.Errorf("execute: outcome %s, claims %v", res.Outcome, res.Effects.IDTokenClaims)
	}
}
