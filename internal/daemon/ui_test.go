package daemon

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/ui"
	"github.com/actionsd/actionsd/sync"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// The web UI's fixture: a token, and secret values that must never reach a response.
const (
	uiToken       = "ui-test-token-5b2e"
	uiCanary      = "ui-canary-secret-value-4d1e"
	uiModuleCanry = "ui-canary-module-value-81c7"
)

// uiRepo writes a repository for the UI's tests: post-login runs greet then audit, greet pins
// module m v1 and has a secret, m has a secret, and m v1 and v2 are published. With an npm
// registry (npmReg), audit depends on its package actionsd-plain, locked by `actionsd lock`. It
// returns the commit.
func uiRepo(t *testing.T, r *gitRepo, npmReg string) string {
	t.Helper()
	r.write("triggers.yaml", "post-login:\n  - greet\n  - audit\n")
	r.write("modules/m/module.yaml", "description: m\nsecrets: [SERVICE_KEY]\n")
	r.setModule("M1")
	r.write("actions/greet/action.yaml", "trigger: post-login\nsecrets: [API_KEY]\nmodules:\n  m: 1\n")
	r.setAction("A1")
	r.write("actions/audit/action.yaml", "trigger: post-login\n")
	r.write("actions/audit/index.js", "exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('audited', true);\n};\n")
	if npmReg != "" {
		nerf := strings.TrimPrefix(strings.TrimPrefix(npmReg, "http:"), "https:")
		r.write(".npmrc", nerf+":_authToken=${ACTIONSD_NPM_TEST_TOKEN}\n")
		r.write("actions/audit/action.yaml", "trigger: post-login\ndependencies:\n  actionsd-plain: ^1.0.0\n")
		run(t, r.dir, "", "lock", "--registry", npmReg).want(t, 0, "lock")
	}
	r.commit("greet and audit")
	r.git("tag", "modules/m/v1")
	r.setModule("M2")
	r.commit("m: v2")
	r.git("tag", "modules/m/v2")
	return r.git("rev-parse", "HEAD")
}

// startUIDaemon runs a daemon over repo with the token and the canary secrets; edit changes its
// configuration (the UI is off unless it turns it on).
func startUIDaemon(t *testing.T, repo string, edit func(*config.Config)) *testDaemon {
	t.Helper()
	cfg := testConfig(t, repo)
	cfg.Token = uiToken
	if edit != nil {
		edit(&cfg)
	}
	secrets := vaultsecrets.NewStatic(map[vaultsecrets.Owner]vaultsecrets.Values{
		{Kind: vaultsecrets.KindAction, Name: "greet"}: {"API_KEY": uiCanary},
		{Kind: vaultsecrets.KindModule, Name: "m"}:     {"SERVICE_KEY": uiModuleCanry},
	}, zaptest.NewLogger(t))
	d, err := newDaemon(cfg, secrets, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return runDaemon(t, d)
}

// get is a GET with the token (or none) that returns the status, the headers and the body.
func (d *testDaemon) get(path, token string) (int, http.Header, string) {
	d.t.Helper()
	req, err := http.NewRequest("GET", d.url+path, nil)
	if err != nil {
		d.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		d.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		d.t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// TestUIOff: without serve --ui or ui: true, /ui/ and its files do not exist.
func TestUIOff(t *testing.T) {
	repo := newGitRepo(t)
	uiRepo(t, repo, "")
	d := startUIDaemon(t, repo.dir, nil)
	for _, p := range []string{"/ui/", "/ui", "/ui/app.js", "/ui/index.html"} {
		if code, _, body := d.get(p, uiToken); code != http.StatusNotFound {
			t.Errorf("GET %s with the UI off: %d, want 404: %s", p, code, body)
		}
	}
}

// TestUIServes: with the UI on, its files are public but carry the strict CSP and nosniff and name
// no other origin; the data they read needs the token; the status has each action's place and
// pins; and no response of any GET route holds a secret value.
func TestUIServes(t *testing.T) {
	repo := newGitRepo(t)
	uiRepo(t, repo, "")
	d := startUIDaemon(t, repo.dir, func(c *config.Config) { c.UI = true })
	if st := d.sync(uiToken); !st.Ready {
		t.Fatalf("first sync: %v", problemsText(st.Errors))
	}
	d.execute(uiToken, []byte(`{"user":{"user_id":"u1"}}`))

	const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	if ui.ContentSecurityPolicy != csp {
		t.Errorf("ui.ContentSecurityPolicy = %q, want %q", ui.ContentSecurityPolicy, csp)
	}
	var bodies []string
	for _, f := range []struct{ path, ctype, has string }{
		{"/ui/", "text/html", `<script src="app.js"`},
		{"/ui/app.js", "text/javascript", "sessionStorage"},
		{"/ui/app.css", "text/css", ".badge"},
	} {
		code, h, body := d.get(f.path, "") // no token: the files are public
		if code != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", f.path, code)
			continue
		}
		if got := h.Get("Content-Security-Policy"); got != csp {
			t.Errorf("GET %s: Content-Security-Policy %q, want %q", f.path, got, csp)
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q, want nosniff", f.path, got)
		}
		if got := h.Get("Content-Type"); !strings.HasPrefix(got, f.ctype) {
			t.Errorf("GET %s: Content-Type %q, want %s", f.path, got, f.ctype)
		}
		if !strings.Contains(body, f.has) {
			t.Errorf("GET %s: want %q in\n%s", f.path, f.has, body)
		}
		for _, ext := range []string{"http://", "https://", "@import", "<style", " style=", "onclick", "onload"} {
			if strings.Contains(body, ext) {
				t.Errorf("GET %s holds %q: the page loads nothing from elsewhere and nothing inline", f.path, ext)
			}
		}
		bodies = append(bodies, body)
	}
	if code, h, _ := d.get("/ui", ""); code != http.StatusMovedPermanently || h.Get("Location") != "/ui/" {
		t.Errorf("GET /ui: %d to %q, want 301 to /ui/", code, h.Get("Location"))
	}
	if code, h, _ := d.get("/ui/nope.js", ""); code != http.StatusNotFound || h.Get("Content-Security-Policy") != csp {
		t.Errorf("GET /ui/nope.js: %d with CSP %q, want 404 with the CSP", code, h.Get("Content-Security-Policy"))
	}

	// The data needs the token.
	data := []string{"/v1/status", "/v1/metrics/summary", "/v1/actions", "/v1/modules", "/v1/modules/m/versions"}
	for _, p := range data {
		for _, tok := range []string{"", "wrong-token"} {
			if code, _, _ := d.get(p, tok); code != http.StatusUnauthorized {
				t.Errorf("GET %s with token %q: %d, want 401", p, tok, code)
			}
		}
	}

	// What the page shows of the actions: their place in the trigger and their pins.
	_, _, body := d.get("/v1/status", uiToken)
	var st sync.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range st.Actions {
		got[a.Name] = a.Trigger + "#" + string(rune('0'+a.Order)) + " " + a.Pins["m"]
	}
	if got["greet"] != "post-login#1 v1" || got["audit"] != "post-login#2 " {
		t.Errorf("actions' places and pins: %v, want greet post-login#1 v1, audit post-login#2", got)
	}
	_, _, body = d.get("/v1/metrics/summary", uiToken)
	var sum struct {
		Actions []struct {
			Trigger, Action      string
			Executions, Failures int
			P99MS                float64 `json:"p99_ms"`
		}
	}
	if err := json.Unmarshal([]byte(body), &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Actions) != 2 || sum.Actions[0].Action != "audit" || sum.Actions[1].Action != "greet" ||
		sum.Actions[1].Executions != 1 || sum.Actions[1].Failures != 0 || sum.Actions[1].P99MS <= 0 {
		t.Errorf("GET /v1/metrics/summary after one execution: %s", body)
	}

	// No secret value in any answer the page or anyone else can read.
	for _, p := range append(data, "/v1/actions/greet", "/metrics", "/readyz", "/healthz", "/v1/openapi.json") {
		_, _, body := d.get(p, uiToken)
		bodies = append(bodies, body)
	}
	for i, body := range bodies {
		for _, v := range []string{uiCanary, uiModuleCanry} {
			if strings.Contains(body, v) {
				t.Errorf("response %d holds the secret value %q", i, v)
			}
		}
	}
	if !strings.Contains(strings.Join(bodies, ""), "API_KEY") {
		t.Error("no response names the secret API_KEY: the status should list secret names")
	}
}
