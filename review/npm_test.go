package review

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/prepare"
)

// npmTestInstaller installs from the local test registry with a real npmvendor.Installer.
type npmTestInstaller struct{ i *npmvendor.Installer }

func (n npmTestInstaller) Install(ctx context.Context, req prepare.InstallRequest) (*jsdeps.Bundle, error) {
	return n.i.InstallWith(ctx, req.Lock, req.Owner, npmvendor.InstallOptions{Subpaths: req.Subpaths})
}

// TestValidateNpmBundle is issue 13's cause 8: validate said "valid" when a dependency did not
// bundle (the failure showed only at serve). A bundle failure is now an error at the declared
// dependency, naming the package and the chain to it; a require of nothing in a package (an
// optional peer) is a warning with its file and line, and does not stop the action. Through the
// local Verdaccio (scripts/npm-test-registry.sh).
func TestValidateNpmBundle(t *testing.T) {
	url, token := os.Getenv("ACTIONSD_NPM_TEST_REGISTRY"), os.Getenv("ACTIONSD_NPM_TEST_TOKEN")
	if url == "" || token == "" {
		t.Skip("ACTIONSD_NPM_TEST_REGISTRY and ACTIONSD_NPM_TEST_TOKEN are not set: run through `make test`, which starts Verdaccio with scripts/npm-test-registry.sh")
	}
	regs := &npmvendor.Registries{Default: url}
	regs.SetToken(url, token)
	ctx := context.Background()

	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	agreeWrite(t, r, "triggers.yaml", "post-login: [broken, optional]\n")
	agreeWrite(t, r, "actions/broken/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-needs-broken: 1.0.0\n")
	agreeWrite(t, r, "actions/broken/index.js", "require('actionsd-needs-broken');\nexports.onExecutePostLogin = async () => {};\n")
	agreeWrite(t, r, "actions/optional/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-optional-require: 1.0.0\n")
	agreeWrite(t, r, "actions/optional/index.js", "const o = require('actionsd-optional-require');\nexports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('o', o.get({})); };\n")
	res, err := (&npmvendor.Resolver{Registries: regs}).Lock(ctx, map[string]map[string]string{
		"actions/broken": {"actionsd-needs-broken": "1.0.0"}, "actions/optional": {"actionsd-optional-require": "1.0.0"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.writeLock(res.Lock)
	r.commit("actions with npm dependencies")

	repo, err := Open(r.dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	st, err := repo.Read("main")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := npmvendor.NewInstaller(npmvendor.InstallerOptions{Dir: filepath.Join(t.TempDir(), "npm"), Registries: regs})
	if err != nil {
		t.Fatal(err)
	}
	report := Compare(ctx, st, st, Options{Dependencies: npmTestInstaller{inst}})
	if report.Valid {
		t.Errorf("valid, want the bundle failure of actions/broken as an error; warnings:\n%s", report.Warnings)
	}
	var bundleErr *diag.Diagnostic
	for i, d := range report.Errors {
		if d.Object == "actions/broken" {
			bundleErr = &report.Errors[i]
		}
	}
	const wantMsg = "package actionsd-broken@1.0.0 (required through actionsd-needs-broken@1.0.0 -> actionsd-broken@1.0.0): actionsd-broken/index.js:2:12"
	switch {
	case bundleErr == nil:
		t.Errorf("errors:\n%s\nwant one of actions/broken", report.Errors)
	case bundleErr.File != "actions/broken/action.yaml" || bundleErr.Line != 3 || bundleErr.Field != "dependencies.actionsd-needs-broken" || !strings.Contains(bundleErr.Message, wantMsg):
		t.Errorf("got %s, want at actions/broken/action.yaml:3 (dependencies.actionsd-needs-broken), with %q", bundleErr.Error(), wantMsg)
	}
	for _, d := range report.Errors {
		if d.Object == "actions/optional" {
			t.Errorf("actions/optional: %s; its require of nothing is a warning", d.Error())
		}
	}
	const wantWarn = "node_modules/actionsd-optional-require/index.js:5:20: require('actionsd-not-installed-proxy') in actionsd-optional-require@1.0.0 names no installed package"
	if w := report.Warnings.String(); !strings.Contains(w, wantWarn) {
		t.Errorf("warnings:\n%s\nwant %q", w, wantWarn)
	}
}
