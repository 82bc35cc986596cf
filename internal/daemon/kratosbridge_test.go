package daemon

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/internal/config"
)

// kratosToken is the token Kratos' web hook config holds (api_key, in header X-Actionsd-Token).
const kratosToken = "kratos-bridge-test-token-of-at-least-32-bytes"

// kratosRepo has an action for each trigger a Kratos flow runs.
func kratosRepo(t *testing.T) *gitRepo {
	r := newGitRepo(t)
	r.write("triggers.yaml", `pre-user-registration: [gate]
post-login: [login]
post-change-password: [password]
`)
	r.write("actions/gate/action.yaml", "trigger: pre-user-registration\n")
	r.write("actions/gate/index.js", `exports.onExecutePreUserRegistration = async (event, api) => {
  const email = event.user.email || '';
  if (email.endsWith('@spam.test')) return api.access.deny('spam_domain', 'Signups from this domain are not allowed.');
  if (email.startsWith('invalid')) return api.validation.error('invalid_email', 'Use your work address.');
  if (email.startsWith('throw')) throw new Error('directory unreachable');
  if (!email) return;
  api.user.setUserMetadata('signup_ip', event.request.ip);
  api.user.setUserMetadata('stale', null);
  api.user.setAppMetadata('plan', 'trial');
};
`)
	r.write("actions/login/action.yaml", "trigger: post-login\n")
	r.write("actions/login/index.js", `exports.onExecutePostLogin = async (event, api) => {
  if (event.user.app_metadata.locked) return api.access.deny('account locked');
  if (event.user.email.startsWith('meta')) api.user.setAppMetadata('last_login', 'now');
};
`)
	r.write("actions/password/action.yaml", "trigger: post-change-password\n")
	r.write("actions/password/index.js", `exports.onExecutePostChangePassword = async (event, api) => {
  console.log('password changed', event.user.user_id, event.kratos.flow.active);
};
`)
	r.commit("kratos actions")
	return r
}

// kratosHook posts body to flow with token in X-Actionsd-Token, as Kratos' web hook does.
func (d *testDaemon) kratosHook(flow, token, body string) (int, map[string]any) {
	d.t.Helper()
	hdr := map[string]string{"Content-Type": "application/json"}
	if token != "" {
		hdr["X-Actionsd-Token"] = token
	}
	status, raw := d.postBridge("/v1/bridges/kratos/"+flow, body, hdr, nil)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		d.t.Fatalf("%s: %v in %s", flow, err, raw)
	}
	return status, out
}

// kratosBody is a body as examples/kratos/body.jsonnet makes it; id is the identity's id (the
// nil UUID before Kratos stores it), "" for no identity.
func kratosBody(id, email string, metadataAdmin any) string {
	b := map[string]any{
		"flow":            map[string]any{"id": "0f4d", "type": "api", "active": "password"},
		"request_headers": map[string]any{"True-Client-Ip": []string{"203.0.113.7"}, "User-Agent": []string{"test"}},
		"request_method":  "POST",
		"request_url":     "http://kratos.test/self-service/registration?flow=0f4d",
	}
	if id != "" {
		b["identity"] = map[string]any{"id": id, "schema_id": "default", "state": "active",
			"traits": map[string]any{"email": email}, "metadata_public": map[string]any{"stale": true, "kept": 1}, "metadata_admin": metadataAdmin}
	}
	return mustJSON(b)
}

const unstored = "00000000-0000-0000-0000-000000000000"

// messageText is the text of the first message of Kratos' error format, "" when out is not it.
func messageText(out map[string]any) string {
	ms, _ := out["messages"].([]any)
	if len(ms) == 0 {
		return ""
	}
	m0, _ := ms[0].(map[string]any)
	if m0["instance_ptr"] != "#/" {
		return ""
	}
	inner, _ := m0["messages"].([]any)
	if len(inner) == 0 {
		return ""
	}
	text, _ := inner[0].(map[string]any)["text"].(string)
	return text
}

// TestKratosBridge runs every Kratos flow against a daemon serving a real git repository, over
// loopback, as Kratos' web_hook sends them (testing/kratos runs the same against a real Kratos).
func TestKratosBridge(t *testing.T) {
	r := kratosRepo(t)
	tokenFile := filepath.Join(t.TempDir(), "kratos-token")
	if err := os.WriteFile(tokenFile, []byte(kratosToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _ := startDaemonWith(t, r.Dir, func(c *config.Config) {
		c.Bridges.Kratos.TokenFile = tokenFile
		if err := c.ResolveSecrets(); err != nil {
			t.Fatal(err)
		}
	})
	waitFor(t, "the first generation", func() bool { return d.rec.Current() != nil })

	t.Run("registration", func(t *testing.T) {
		code, out := d.kratosHook("registration", kratosToken, kratosBody(unstored, "ada@example.com", nil))
		if code != 200 || mustJSON(out) != `{"identity":{"metadata_admin":{"plan":"trial"},"metadata_public":{"kept":1,"signup_ip":"203.0.113.7"}}}` {
			t.Errorf("metadata: %d %v", code, out)
		}
		code, out = d.kratosHook("registration", kratosToken, kratosBody(unstored, "x@spam.test", nil))
		if code != 403 || messageText(out) != "Signups from this domain are not allowed." {
			t.Errorf("deny: %d %v", code, out)
		}
		code, out = d.kratosHook("registration", kratosToken, kratosBody(unstored, "invalid@example.com", nil))
		if code != 400 || messageText(out) != "Use your work address." {
			t.Errorf("validation error: %d %v", code, out)
		}
		code, out = d.kratosHook("registration", kratosToken, kratosBody(unstored, "throw@example.com", nil))
		if code != 422 || messageText(out) != "action gate failed" {
			t.Errorf("a failed action: %d %v", code, out)
		}
		// Stored already (no response.parse): the metadata would be lost, so the execution fails.
		code, out = d.kratosHook("registration", kratosToken, kratosBody("5b0f1b52-4d9c-4fd6-9b5a-7f1e0c8d2a11", "ada@example.com", nil))
		if code != 422 || !strings.Contains(messageText(out), "after the identity is stored (the hook lacks response.parse) cannot express api.user.setUserMetadata") {
			t.Errorf("stored: %d %v", code, out)
		}
		// A before hook: no identity, nothing to set; the action returns early.
		if code, out := d.kratosHook("registration", kratosToken, kratosBody("", "", nil)); code != 200 || mustJSON(out) != `{}` {
			t.Errorf("before: %d %v", code, out)
		}
	})

	t.Run("login", func(t *testing.T) {
		stored := "5b0f1b52-4d9c-4fd6-9b5a-7f1e0c8d2a11"
		if code, out := d.kratosHook("login", kratosToken, kratosBody(stored, "a@example.com", nil)); code != 200 || mustJSON(out) != `{}` {
			t.Errorf("%d %v", code, out)
		}
		code, out := d.kratosHook("login", kratosToken, kratosBody(stored, "a@example.com", map[string]any{"locked": true}))
		if code != 403 || messageText(out) != "account locked" {
			t.Errorf("deny: %d %v", code, out)
		}
		code, out = d.kratosHook("login", kratosToken, kratosBody(stored, "meta@example.com", nil))
		if code != 422 || !strings.Contains(messageText(out), "kratos login cannot express api.user.setAppMetadata (action login)") {
			t.Errorf("metadata at login: %d %v", code, out)
		}
	})

	t.Run("settings", func(t *testing.T) {
		if code, out := d.kratosHook("settings", kratosToken, kratosBody("5b0f1b52-4d9c-4fd6-9b5a-7f1e0c8d2a11", "a@example.com", nil)); code != 200 || mustJSON(out) != `{}` {
			t.Errorf("%d %v", code, out)
		}
	})

	t.Run("refused", func(t *testing.T) {
		body := kratosBody(unstored, "ada@example.com", nil)
		for _, c := range []struct {
			name, flow, token, body string
			status                  int
			code, field             string
		}{
			{"missing token", "registration", "", body, 401, "missing_signature", "the kratos bridge's token does not verify"},
			{"wrong token", "registration", kratosToken[:len(kratosToken)-1] + "X", body, 401, "bad_signature", "the kratos bridge's token does not verify"},
			{"unknown flow", "recovery", kratosToken, body, 404, "unknown_hook", ""},
			{"not the shape", "registration", kratosToken, `{"flow":{"id":"f"},"identity":{"id":"i","traits":"ada"}}`, 400, "bad_shape", "identity.traits: want an object"},
			{"login without identity", "login", kratosToken, `{"flow":{"id":"f"}}`, 400, "bad_shape", "identity: want an object"},
		} {
			code, out := d.kratosHook(c.flow, c.token, c.body)
			e, _ := out["error"].(map[string]any)
			if code != c.status || e["code"] != c.code || !strings.Contains(e["message"].(string), c.field) {
				t.Errorf("%s: %d %v, want %d %s %s", c.name, code, out, c.status, c.code, c.field)
			}
		}
		// A token has no replay window: the same request twice is answered twice.
		for i := 0; i < 2; i++ {
			if code, _ := d.kratosHook("settings", kratosToken, kratosBody("5b0f", "a@example.com", nil)); code != 200 {
				t.Errorf("request %d: %d", i, code)
			}
		}
	})

	t.Run("status and metrics", func(t *testing.T) {
		bs, raw := d.bridgeStatuses(t)
		b, found := bridgeNamed(bs, "kratos")
		if !b.Enabled || b.LastSuccess == nil || b.LastError == nil || b.LastError.Reason != "bad_shape" || b.LastError.Hook != "login" {
			t.Errorf("status: %s", raw)
		}
		if !found {
			t.Errorf("no kratos bridge in the status: %s", raw)
		}
		if strings.Contains(string(raw), kratosToken) {
			t.Errorf("the status shows the token")
		}
		d.wantMetrics(t, map[string]float64{
			`actionsd_bridge_failures_total{bridge="kratos",reason="missing_signature"}`:            1,
			`actionsd_bridge_failures_total{bridge="kratos",reason="bad_signature"}`:                1,
			`actionsd_bridge_failures_total{bridge="kratos",reason="unknown_hook"}`:                 1,
			`actionsd_bridge_failures_total{bridge="kratos",reason="bad_shape"}`:                    2,
			`actionsd_bridge_failures_total{bridge="kratos",reason="unsupported_command"}`:          2,
			`actionsd_bridge_failures_total{bridge="kratos",reason="action_failed"}`:                1,
			`actionsd_bridge_failures_total{bridge="kratos",reason="replayed"}`:                     0,
			`actionsd_bridge_requests_total{bridge="kratos",hook="registration",result="answered"}`: 4,
			`actionsd_bridge_requests_total{bridge="kratos",hook="login",result="answered"}`:        2,
			`actionsd_bridge_requests_total{bridge="kratos",hook="settings",result="answered"}`:     3,
		})
	})
}

// TestKratosBridgeDisabled: without a token the bridge answers 404 disabled, naming the flag.
func TestKratosBridgeDisabled(t *testing.T) {
	r := kratosRepo(t)
	d, _ := startDaemonWith(t, r.Dir, nil)
	waitFor(t, "the first generation", func() bool { return d.rec.Current() != nil })
	code, out := d.kratosHook("registration", kratosToken, kratosBody(unstored, "a@example.com", nil))
	e, _ := out["error"].(map[string]any)
	if code != 404 || e["code"] != "disabled" || !strings.Contains(e["message"].(string), "--bridge-kratos-token-file") {
		t.Errorf("%d %v", code, out)
	}
}
