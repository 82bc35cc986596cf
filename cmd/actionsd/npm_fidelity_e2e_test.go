package main

import (
	"strings"
	"testing"
)

// TestLockNodeFidelity: `actionsd lock` resolves for the emulated Node version (--node-version,
// default 22: actionsd-engines' latest wants Node >=99, so 1.1.0 is pinned, as npm does), locks
// metadata npm accepts ("dependencies": [], no integrity), and warns with file:line about a
// require of a package that is not installed; `validate` fails a dependency that does not bundle,
// naming the package and the chain (issue 13, causes 1, 2, 8 and the engines rule).
func TestLockNodeFidelity(t *testing.T) {
	reg, _ := npmTestRegistry(t)
	t.Setenv("ACTIONSD_CACHE_DIR", t.TempDir())
	repo := newGitRepo(t)
	repo.write(".npmrc", npmrc(reg))
	repo.write("triggers.yaml", "post-login: [a]\n")
	repo.write("actions/a/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-engines: latest\n  actionsd-uses-odd: latest\n  actionsd-optional-require: latest\n")
	repo.write("actions/a/index.js", "const odd = require('actionsd-uses-odd');\nexports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('o', odd(1)); };\n")
	res := run(t, repo.dir, "", "lock").want(t, 0, "lock")
	if got := repo.read("actions/a/action.yaml"); !strings.Contains(got, "actionsd-engines: 1.1.0") || !strings.Contains(got, "actionsd-uses-odd: 1.0.0") {
		t.Errorf("pinned:\n%s\nwant actionsd-engines 1.1.0 (Node 22) and actionsd-uses-odd 1.0.0", got)
	}
	const wantWarn = "warning: actions/a/action.yaml: node_modules/actionsd-optional-require/index.js:5:20: require('actionsd-not-installed-proxy') in actionsd-optional-require@1.0.0 names no installed package"
	if !strings.Contains(res.stderr, wantWarn) {
		t.Errorf("lock's warnings:\n%s\nwant %q", res.stderr, wantWarn)
	}

	other := newGitRepo(t)
	other.write(".npmrc", npmrc(reg))
	other.write("actions/b/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-engines: latest\n")
	other.write("actions/b/index.js", "exports.onExecutePostLogin = async () => {};\n")
	run(t, other.dir, "", "lock", "--node-version", "99").want(t, 0, "lock --node-version 99")
	if got := other.read("actions/b/action.yaml"); !strings.Contains(got, "actionsd-engines: 2.0.0") {
		t.Errorf("lock --node-version 99 pinned:\n%s\nwant actionsd-engines 2.0.0", got)
	}
	run(t, other.dir, "", "lock", "--node-version", "twenty").want(t, 1, "lock --node-version twenty")

	repo.commit("a")
	run(t, repo.dir, "", "validate").want(t, 0, "validate")

	repo.write("actions/a/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-needs-broken: 1.0.0\n")
	repo.write("actions/a/index.js", "exports.onExecutePostLogin = async () => {};\n")
	res = run(t, repo.dir, "", "lock").want(t, 0, "lock")
	if !strings.Contains(res.stderr, "warning: actions/a/action.yaml: its npm dependencies do not bundle") {
		t.Errorf("lock's warnings:\n%s\nwant the bundle failure", res.stderr)
	}
	repo.commit("a needs a package that does not bundle")
	res = run(t, repo.dir, "", "validate", "--head", "HEAD").want(t, 1, "validate")
	const wantErr = "package actionsd-broken@1.0.0 (required through actionsd-needs-broken@1.0.0 -> actionsd-broken@1.0.0)"
	if !strings.Contains(res.stdout, "actions/a/action.yaml:3") || !strings.Contains(res.stdout, wantErr) {
		t.Errorf("validate:\n%s\nwant the error at actions/a/action.yaml:3 with %q", res.stdout, wantErr)
	}
}
