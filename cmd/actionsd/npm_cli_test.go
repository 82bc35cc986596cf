package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCLITestAndInvokeWithNPMAndTypeScript: `actionsd test` and `actionsd invoke` prepare sources
// as the daemon does: a TypeScript action that requires a locked npm package (and a file of it)
// runs, its packages installed from the lock into the CLI's cache; a test that fails names the .ts
// file and line.
func TestCLITestAndInvokeWithNPMAndTypeScript(t *testing.T) {
	reg, _ := npmTestRegistry(t)
	cache := t.TempDir()
	t.Setenv("ACTIONSD_CACHE_DIR", cache)
	repo := newGitRepo(t)
	repo.write(".npmrc", npmrc(reg))
	repo.write("triggers.yaml", "post-login: [typed]\n")
	repo.write("actions/typed/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-plain: ^1.0.0\n")
	repo.write("actions/typed/index.ts", `import { add } from 'actionsd-plain';
import double = require('actionsd-plain/lib/double');

export const onExecutePostLogin = async (event: { user: { user_id: string } }, api: any): Promise<void> => {
  api.idToken.setCustomClaim('sum', add(1, double(event.user.user_id.length)));
};
`)
	repo.write("actions/typed/index.test.js", `const { onExecutePostLogin } = require('./index.js');
test('sums', async () => {
  const api = mockApi();
  await onExecutePostLogin(events.postLogin({ user: { user_id: 'abc' } }), api);
  expect(api).toHaveCalled('idToken.setCustomClaim', 'sum', 7);
});
`)
	run(t, repo.dir, "", "lock").want(t, 0, "lock")
	repo.commit("a typed action with a package")
	// A package no run has used for 60 days: the first run that installs removes it.
	stale := filepath.Join(cache, "npm", "pkg", "sha512-stale")
	if err := os.MkdirAll(filepath.Join(stale, "package"), 0o755); err != nil {
		t.Fatal(err)
	}
	then := time.Now().Add(-60 * 24 * time.Hour)
	if err := os.Chtimes(stale, then, then); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ACTIONSD_CACHE_RETENTION", "soon")
	if res := run(t, repo.dir, "", "test").want(t, 1, "test with a bad ACTIONSD_CACHE_RETENTION"); !strings.Contains(res.stderr+res.stdout, "ACTIONSD_CACHE_RETENTION") {
		t.Errorf("a bad ACTIONSD_CACHE_RETENTION: want it named, got %s%s", res.stderr, res.stdout)
	}
	t.Setenv("ACTIONSD_CACHE_RETENTION", "")
	res := run(t, repo.dir, "", "test").want(t, 0, "test")
	if !strings.Contains(res.stdout, "1 passed") {
		t.Errorf("test: %s", res.stdout)
	}
	if entries, _ := os.ReadDir(filepath.Join(cache, "npm", "bundles")); len(entries) != 1 {
		t.Errorf("the CLI's npm cache has %d bundles, want 1", len(entries))
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a package unused for 60 days is still in the CLI's cache (%v)", err)
	}
	res = run(t, repo.dir, `{"user":{"user_id":"abcd"}}`, "invoke", "typed", "--event", "-").want(t, 0, "invoke")
	if !strings.Contains(res.stdout, `"sum": 9`) {
		t.Errorf("invoke: %s", res.stdout)
	}
	// A failing expectation in TypeScript code is reported at the .ts line.
	repo.write("actions/typed/index.ts", `export const onExecutePostLogin = async (): Promise<void> => {
  throw new Error('typed failure');
};
`)
	res = run(t, repo.dir, "", "test").want(t, 1, "test")
	if !strings.Contains(res.stdout, "actions/typed/index.ts:2") || !strings.Contains(res.stdout, "typed failure") {
		t.Errorf("failing test: want the .ts position:\n%s", res.stdout)
	}
}

// TestValidateLoadsActionsWithNPMPackages: validate loads an action that declares an npm package,
// with the package installed from the lock, so that what fails at load is an error; with no
// registry it is a warning and the action is not loaded; --no-install leaves it out.
func TestValidateLoadsActionsWithNPMPackages(t *testing.T) {
	reg, _ := npmTestRegistry(t)
	t.Setenv("ACTIONSD_CACHE_DIR", t.TempDir())
	repo := newGitRepo(t)
	repo.write(".npmrc", npmrc(reg))
	repo.write("triggers.yaml", "post-login: [plain]\n")
	repo.write("actions/plain/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-plain: ^1.0.0\n")
	repo.write("actions/plain/index.js", "const plain = require('actionsd-plain');\nexports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('s', plain.add(1, 2)); };\n")
	run(t, repo.dir, "", "lock").want(t, 0, "lock")
	repo.commit("plain")
	run(t, repo.dir, "", "validate").want(t, 0, "validate")

	repo.write("actions/plain/index.js", "const plain = require('actionsd-plain');\nconst sum = plain.sum(1, 2); // no such function\nexports.onExecutePostLogin = async () => {};\n")
	repo.commit("calls what actionsd-plain does not have")
	res := run(t, repo.dir, "", "validate", "--head", "HEAD").want(t, 1, "validate")
	if !strings.Contains(res.stdout, "actions/plain/index.js:2") {
		t.Errorf("validate: want the load error at actions/plain/index.js:2:\n%s", res.stdout)
	}
	run(t, repo.dir, "", "validate", "--head", "HEAD", "--no-install").want(t, 0, "validate --no-install")

	// No registry to install from: a warning, the action is not loaded.
	repo.write(".npmrc", "registry=http://127.0.0.1:1/\n")
	t.Setenv("ACTIONSD_CACHE_DIR", t.TempDir())
	res = run(t, repo.dir, "", "validate", "--head", "working-tree").want(t, 0, "validate without a registry")
	if !strings.Contains(res.stdout, "not built: its npm dependencies did not install") {
		t.Errorf("validate without a registry: want the warning:\n%s", res.stdout)
	}
}
