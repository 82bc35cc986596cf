package daemon

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/internal/config"
)

// bridgeSecret is a Supabase hook secret as Supabase's dashboard shows it.
const bridgeSecret = "v1,whsec_c3VwYWJhc2UtYnJpZGdlLXRlc3Qtc2VjcmV0LWtleQ=="

// supabaseRepo has an action for each trigger a Supabase hook runs.
func supabaseRepo(t *testing.T) *gitRepo {
	r := newGitRepo(t)
	r.write("triggers.yaml", `post-login: [claims]
send-phone-message: [sms]
custom-email-provider: [mail]
pre-user-registration: [gate]
post-credential-validation: [attempts]
`)
	r.write("actions/claims/action.yaml", "trigger: post-login\n")
	r.write("actions/claims/index.js", `exports.onExecutePostLogin = async (event, api) => {
  if (event.user.email === 'deny@example.com') return api.access.deny('no entry');
  if (event.user.email === 'meta@example.com') api.user.setAppMetadata('x', 1);
  api.accessToken.setCustomClaim('plan', event.user.app_metadata.plan ?? 'free');
  api.idToken.setCustomClaim('method', event.authentication.methods[0].name);
  api.accessToken.setCustomClaim('role', 'overridden');
};
`)
	r.write("actions/sms/action.yaml", "trigger: send-phone-message\n")
	r.write("actions/sms/index.js", `exports.onExecuteSendPhoneMessage = async (event, api) => {
  if (event.message_options.recipient === '+15550000000') throw new Error('carrier down');
  console.log('sms', event.message_options.recipient, event.message_options.code);
};
`)
	r.write("actions/mail/action.yaml", "trigger: custom-email-provider\n")
	r.write("actions/mail/index.js", `exports.onExecuteCustomEmailProvider = async (event, api) => {
  if (event.notification.to.startsWith('retry')) api.notification.retry('smtp busy');
  if (event.notification.to.startsWith('drop')) api.notification.drop('unsubscribed');
  console.log(event.notification.message_type, event.notification.email_data.token);
};
`)
	r.write("actions/gate/action.yaml", "trigger: pre-user-registration\n")
	r.write("actions/gate/index.js", `exports.onExecutePreUserRegistration = async (event, api) => {
  if (event.user.email.endsWith('@spam.test')) api.access.deny('spam_domain', 'Signups from this domain are not allowed.');
  if (event.user.email.startsWith('meta')) api.user.setUserMetadata('source', 'bridge');
};
`)
	r.write("actions/attempts/action.yaml", "trigger: post-credential-validation\n")
	r.write("actions/attempts/index.js", `exports.onExecutePostCredentialValidation = async (event, api) => {
  const a = event.supabase.verification_attempt;
  if (!a.valid) api.access.deny(a.kind + ' attempt rejected for ' + event.user.user_id);
};
`)
	r.commit("supabase actions")
	return r
}

// supabaseHook posts body to hook, signed with the reference Standard Webhooks library.
func (d *testDaemon) supabaseHook(hook, id string, at time.Time, body string, tamper func(http.Header)) (int, map[string]any) {
	d.t.Helper()
	wh, err := standardwebhooks.NewWebhook(strings.TrimPrefix(bridgeSecret, "v1,"))
	if err != nil {
		d.t.Fatal(err)
	}
	sig, err := wh.Sign(id, at, []byte(body))
	if err != nil {
		d.t.Fatal(err)
	}
	status, raw := d.postBridge("/v1/bridges/supabase/"+hook, body, map[string]string{
		"webhook-id": id, "webhook-timestamp": strconv.FormatInt(at.Unix(), 10), "webhook-signature": sig,
	}, tamper)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		d.t.Fatalf("%s: %v in %s", hook, err, raw)
	}
	return status, out
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestSupabaseBridge runs every Supabase hook against a daemon serving a real git repository,
// over loopback, each request signed with the Standard Webhooks reference library.
func TestSupabaseBridge(t *testing.T) {
	r := supabaseRepo(t)
	secretFile := filepath.Join(t.TempDir(), "supabase-secret")
	if err := os.WriteFile(secretFile, []byte(bridgeSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _ := startDaemonWith(t, r.Dir, func(c *config.Config) {
		c.Bridges.Supabase.SecretFile = secretFile
		if err := c.ResolveSecrets(); err != nil {
			t.Fatal(err)
		}
	})
	waitFor(t, "the first generation", func() bool { return d.rec.Current() != nil })
	now := time.Now()
	n := 0
	id := func() string { n++; return "msg_" + strconv.Itoa(n) }
	user := func(email, phone string) map[string]any {
		return map[string]any{"id": "8b34dcdd-9df1-4c10-850a-b3277c653040", "email": email, "phone": phone,
			"app_metadata": map[string]any{"provider": "email"}, "user_metadata": map[string]any{}, "created_at": "2026-01-01T00:00:00Z"}
	}
	token := func(email string) string {
		return mustJSON(map[string]any{"user_id": "u1", "authentication_method": "password", "claims": map[string]any{
			"aud": "authenticated", "exp": 1, "iat": 0, "sub": "u1", "email": email, "phone": "", "role": "authenticated",
			"aal": "aal1", "session_id": "s1", "is_anonymous": false,
			"app_metadata": map[string]any{"plan": "pro"}, "user_metadata": map[string]any{}}})
	}

	t.Run("custom-access-token", func(t *testing.T) {
		code, out := d.supabaseHook("custom-access-token", id(), now, token("a@example.com"), nil)
		claims, _ := out["claims"].(map[string]any)
		if code != 200 || claims == nil {
			t.Fatalf("%d %v", code, out)
		}
		// Supabase's claims kept, the actions' merged in, access token claims last.
		want := map[string]any{"sub": "u1", "aal": "aal1", "session_id": "s1", "plan": "pro", "method": "password", "role": "overridden"}
		for k, v := range want {
			if claims[k] != v {
				t.Errorf("claims[%s] = %v, want %v (all: %v)", k, claims[k], v, claims)
			}
		}
		code, out = d.supabaseHook("custom-access-token", id(), now, token("deny@example.com"), nil)
		if code != 200 || mustJSON(out) != `{"error":{"http_code":403,"message":"no entry"}}` {
			t.Errorf("deny: %d %v", code, out)
		}
		code, out = d.supabaseHook("custom-access-token", id(), now, token("meta@example.com"), nil)
		msg, _ := out["error"].(map[string]any)["message"].(string)
		if code != 200 || !strings.Contains(msg, "api.user.setAppMetadata (action claims)") {
			t.Errorf("a command Supabase cannot express: %d %v", code, out)
		}
	})

	t.Run("send-sms", func(t *testing.T) {
		body := mustJSON(map[string]any{"user": user("", "+15551234567"), "sms": map[string]any{"otp": "123456"}})
		if code, out := d.supabaseHook("send-sms", id(), now, body, nil); code != 200 || mustJSON(out) != `{}` {
			t.Errorf("%d %v", code, out)
		}
		body = mustJSON(map[string]any{"user": user("", "+15550000000"), "sms": map[string]any{"otp": "123456"}})
		code, out := d.supabaseHook("send-sms", id(), now, body, nil)
		e, _ := out["error"].(map[string]any)
		if code != 200 || e["http_code"] != 500.0 || !strings.Contains(e["message"].(string), "carrier down") {
			t.Errorf("a failed action: %d %v", code, out)
		}
	})

	t.Run("send-email", func(t *testing.T) {
		email := func(to string) string {
			return mustJSON(map[string]any{"user": user(to, ""), "email_data": map[string]any{"token": "305805", "token_hash": "7d5b",
				"redirect_to": "http://localhost:3000/", "email_action_type": "signup", "site_url": "http://localhost:9999", "token_new": "", "token_hash_new": ""}})
		}
		if code, out := d.supabaseHook("send-email", id(), now, email("a@example.com"), nil); code != 200 || mustJSON(out) != `{}` {
			t.Errorf("%d %v", code, out)
		}
		if code, out := d.supabaseHook("send-email", id(), now, email("drop@example.com"), nil); code != 200 || mustJSON(out) != `{}` {
			t.Errorf("drop: %d %v", code, out)
		}
		if code, out := d.supabaseHook("send-email", id(), now, email("retry@example.com"), nil); code != 200 || mustJSON(out) != `{"error":{"http_code":503,"message":"smtp busy"}}` {
			t.Errorf("retry: %d %v", code, out)
		}
	})

	t.Run("before-user-created", func(t *testing.T) {
		created := func(email string) string {
			return mustJSON(map[string]any{"metadata": map[string]any{"uuid": "8b34dcdd", "time": "2025-04-29T13:13:24.755552-07:00",
				"name": "before-user-created", "ip_address": "127.0.0.1"}, "user": user(email, "")})
		}
		if code, out := d.supabaseHook("before-user-created", id(), now, created("a@example.com"), nil); code != 200 || mustJSON(out) != `{}` {
			t.Errorf("%d %v", code, out)
		}
		if code, out := d.supabaseHook("before-user-created", id(), now, created("x@spam.test"), nil); code != 200 ||
			mustJSON(out) != `{"error":{"http_code":403,"message":"Signups from this domain are not allowed."}}` {
			t.Errorf("deny: %d %v", code, out)
		}
		code, out := d.supabaseHook("before-user-created", id(), now, created("meta@example.com"), nil)
		if msg, _ := out["error"].(map[string]any)["message"].(string); code != 200 || !strings.Contains(msg, "api.user.setUserMetadata (action gate)") {
			t.Errorf("a command Supabase cannot express: %d %v", code, out)
		}
	})

	t.Run("verification-attempts", func(t *testing.T) {
		pw := func(valid bool) string { return mustJSON(map[string]any{"user_id": "u1", "valid": valid}) }
		if code, out := d.supabaseHook("password-verification-attempt", id(), now, pw(true), nil); code != 200 || mustJSON(out) != `{"decision":"continue"}` {
			t.Errorf("%d %v", code, out)
		}
		if code, out := d.supabaseHook("password-verification-attempt", id(), now, pw(false), nil); code != 200 ||
			mustJSON(out) != `{"decision":"reject","message":"password attempt rejected for u1","should_logout_user":false}` {
			t.Errorf("%d %v", code, out)
		}
		mfa := func(valid bool) string {
			return mustJSON(map[string]any{"factor_id": "f1", "factor_type": "totp", "user_id": "u2", "valid": valid})
		}
		if code, out := d.supabaseHook("mfa-verification-attempt", id(), now, mfa(true), nil); code != 200 || mustJSON(out) != `{"decision":"continue"}` {
			t.Errorf("%d %v", code, out)
		}
		if code, out := d.supabaseHook("mfa-verification-attempt", id(), now, mfa(false), nil); code != 200 ||
			mustJSON(out) != `{"decision":"reject","message":"mfa attempt rejected for u2"}` {
			t.Errorf("%d %v", code, out)
		}
	})

	t.Run("refused", func(t *testing.T) {
		body := token("a@example.com")
		cases := []struct {
			name, hook, id string
			at             time.Time
			body           string
			tamper         func(http.Header)
			status         int
			code           string
		}{
			{"missing signature", "custom-access-token", id(), now, body, func(h http.Header) { h.Del("webhook-signature") }, 401, "missing_signature"},
			{"bad signature", "custom-access-token", id(), now, body, func(h http.Header) {
				h.Set("webhook-signature", "v1,"+strings.Repeat("A", 43)+"=")
			}, 401, "bad_signature"},
			{"body changed", "custom-access-token", id(), now, body, func(h http.Header) { h.Set("webhook-id", "msg_other") }, 401, "bad_signature"},
			{"stale", "custom-access-token", id(), now.Add(-6 * time.Minute), body, nil, 401, "stale_signature"},
			{"from the future", "custom-access-token", id(), now.Add(6 * time.Minute), body, nil, 401, "stale_signature"},
			{"unknown hook", "send-fax", id(), now, body, nil, 404, "unknown_hook"},
			{"not the shape", "custom-access-token", id(), now, `{"user_id":"u1","claims":"x"}`, nil, 400, "bad_shape"},
			{"not the shape: sms", "send-sms", id(), now, mustJSON(map[string]any{"user": user("", "+1555"), "sms": map[string]any{}}), nil, 400, "bad_shape"},
		}
		for _, c := range cases {
			code, out := d.supabaseHook(c.hook, c.id, c.at, c.body, c.tamper)
			e, _ := out["error"].(map[string]any)
			if code != c.status || e["code"] != c.code {
				t.Errorf("%s: %d %v, want %d %s", c.name, code, out, c.status, c.code)
			}
			if c.code == "bad_shape" && !strings.Contains(e["message"].(string), "claims: want an object") && !strings.Contains(e["message"].(string), "sms.otp") {
				t.Errorf("%s: the message does not name the field: %v", c.name, e["message"])
			}
		}
		// The same signed request twice: the second is a replay.
		rid, at := id(), time.Now()
		if code, _ := d.supabaseHook("custom-access-token", rid, at, body, nil); code != 200 {
			t.Fatalf("first delivery: %d", code)
		}
		if code, out := d.supabaseHook("custom-access-token", rid, at, body, nil); code != 401 || out["error"].(map[string]any)["code"] != "replayed" {
			t.Errorf("replay: %d %v", code, out)
		}
	})

	t.Run("status and metrics", func(t *testing.T) {
		bs, raw := d.bridgeStatuses(t)
		if len(bs) != 4 {
			t.Fatalf("%d bridges in the status: %s", len(bs), raw)
		}
		b, _ := bridgeNamed(bs, "supabase")
		if b.Name != "supabase" || !b.Enabled || b.LastSuccess == nil || b.LastError == nil || b.LastError.Reason != "replayed" {
			t.Errorf("status: %s", raw)
		}
		if bytes.Contains(raw, []byte("whsec_")) {
			t.Errorf("the status shows the secret")
		}
		d.wantMetrics(t, map[string]float64{
			`actionsd_bridge_failures_total{bridge="supabase",reason="stale_signature"}`:                          2,
			`actionsd_bridge_failures_total{bridge="supabase",reason="replayed"}`:                                 1,
			`actionsd_bridge_failures_total{bridge="supabase",reason="unsupported_command"}`:                      2,
			`actionsd_bridge_failures_total{bridge="supabase",reason="bad_shape"}`:                                2,
			`actionsd_bridge_requests_total{bridge="supabase",hook="mfa-verification-attempt",result="answered"}`: 2,
		})
	})
}

// TestSupabaseBridgeDisabled: without a secret the bridge answers 404 disabled, signed or not.
func TestSupabaseBridgeDisabled(t *testing.T) {
	r := supabaseRepo(t)
	d, _ := startDaemonWith(t, r.Dir, nil)
	waitFor(t, "the first generation", func() bool { return d.rec.Current() != nil })
	code, out := d.supabaseHook("send-sms", "msg_1", time.Now(), `{}`, nil)
	if code != 404 || out["error"].(map[string]any)["code"] != "disabled" {
		t.Errorf("%d %v", code, out)
	}
}

// auth0Secret is the secret the Auth0 bridge action holds.
const auth0Secret = "auth0-bridge-test-secret-of-at-least-32-bytes"

// auth0Bridge posts event to the Auth0 bridge route of trig, signed at at as the bridge action
// signs: "v1=" and the hex HMAC-SHA256 of "<timestamp>.<body>".
func (d *testDaemon) auth0Bridge(trig string, at time.Time, body string, tamper func(http.Header)) (int, []byte) {
	d.t.Helper()
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(auth0Secret))
	mac.Write([]byte(ts + "." + body))
	return d.postBridge("/v1/bridges/auth0/"+trig, body, map[string]string{
		"X-Actionsd-Timestamp": ts, "X-Actionsd-Signature": "v1=" + hex.EncodeToString(mac.Sum(nil)),
	}, tamper)
}

// postBridge posts body to path with the headers hdr, which tamper (when not nil) may then
// change, and returns the status and the answer's bytes.
func (d *testDaemon) postBridge(path, body string, hdr map[string]string, tamper func(http.Header)) (int, []byte) {
	d.t.Helper()
	req, _ := http.NewRequest("POST", d.url+path, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if tamper != nil {
		tamper(req.Header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// TestAuth0Bridge: the daemon side of the Auth0 bridge action answers, for a signed event, the
// commands the execute route answers for it; bad, stale and replayed signatures are refused.
func TestAuth0Bridge(t *testing.T) {
	r := supabaseRepo(t)
	d, _ := startDaemonWith(t, r.Dir, func(c *config.Config) { c.Bridges.Auth0.Secret = auth0Secret })
	waitFor(t, "the first generation", func() bool { return d.rec.Current() != nil })
	event := `{"user":{"user_id":"auth0|1","email":"a@example.com","app_metadata":{"plan":"gold"}},"authentication":{"methods":[{"name":"pwd"}]}}`
	code, raw := d.auth0Bridge("post-login", time.Now(), event, nil)
	if code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	var got, want struct {
		Outcome  string `json:"outcome"`
		Commands []struct {
			Action, Op string
			Args       []any
		} `json:"commands"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	code, direct := d.do("POST", "/v1/triggers/post-login/execute", "", []byte(event))
	if err := json.Unmarshal(direct, &want); code != 200 || err != nil {
		t.Fatalf("execute: %d %v", code, err)
	}
	if got.Outcome != "success" || len(got.Commands) != 3 || mustJSON(got) != mustJSON(want) {
		t.Errorf("the bridge answers %s\nthe execute route %s", mustJSON(got), mustJSON(want))
	}
	code, raw = d.auth0Bridge("post-login", time.Now(), `{"user":{"user_id":"u","email":"deny@example.com","app_metadata":{}},"authentication":{"methods":[{"name":"pwd"}]}}`, nil)
	if code != 200 || !bytes.Contains(raw, []byte(`"outcome":"denied"`)) {
		t.Errorf("deny: %d %s", code, raw)
	}

	now := time.Now()
	for _, c := range []struct {
		name, trig string
		at         time.Time
		body       string
		tamper     func(http.Header)
		status     int
		code       string
	}{
		{"missing", "post-login", now, event, func(h http.Header) { h.Del("X-Actionsd-Signature") }, 401, "missing_signature"},
		{"bad", "post-login", now, event, func(h http.Header) { h.Set("X-Actionsd-Signature", "v1="+strings.Repeat("0", 64)) }, 401, "bad_signature"},
		{"timestamp moved", "post-login", now, event, func(h http.Header) { h.Set("X-Actionsd-Timestamp", strconv.FormatInt(now.Unix()-1, 10)) }, 401, "bad_signature"},
		{"stale", "post-login", now.Add(-5*time.Minute - 2*time.Second), event, nil, 401, "stale_signature"},
		{"unknown trigger", "post-nothing", now, event, nil, 404, "unknown_hook"},
		{"not an object", "post-login", now, `[1]`, nil, 400, "bad_shape"},
	} {
		code, raw := d.auth0Bridge(c.trig, c.at, c.body, c.tamper)
		if code != c.status || !bytes.Contains(raw, []byte(`"code":"`+c.code+`"`)) {
			t.Errorf("%s: %d %s, want %d %s", c.name, code, raw, c.status, c.code)
		}
	}
	at := time.Now().Add(-time.Second)
	if code, raw := d.auth0Bridge("post-login", at, `{"user":{"user_id":"u2"}}`, nil); code != 200 {
		t.Fatalf("first: %d %s", code, raw)
	}
	if code, raw := d.auth0Bridge("post-login", at, `{"user":{"user_id":"u2"}}`, nil); code != 401 || !bytes.Contains(raw, []byte(`"replayed"`)) {
		t.Errorf("replay: %d %s", code, raw)
	}
}

// TestBridgeBadSecret: a secret that is not one refuses to start, naming the bridge, never the
// value.
func TestBridgeBadSecret(t *testing.T) {
	r := supabaseRepo(t)
	for _, c := range []struct {
		edit func(*config.Config)
		name string
	}{
		{func(c *config.Config) { c.Bridges.Supabase.Secret = "v1,whsec_not*base64" }, "bridge supabase"},
		{func(c *config.Config) { c.Bridges.Auth0.Secret = "short*secret" }, "bridge auth0"},
		{func(c *config.Config) { c.Bridges.Zitadel.SigningKey = " \t" }, "bridge zitadel"},
	} {
		cfg := testConfig(t, r.Dir)
		c.edit(&cfg)
		_, err := newDaemon(cfg, nil, zaptest.NewLogger(t))
		if err == nil || !strings.Contains(err.Error(), c.name) || strings.Contains(err.Error(), "*") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// bridgeStatus is one bridge's part of GET /v1/status.
type bridgeStatus struct {
	Name        string     `json:"name"`
	Enabled     bool       `json:"enabled"`
	LastSuccess *time.Time `json:"last_success"`
	LastError   *struct {
		Reason, Hook, Message string
	} `json:"last_error"`
}

// bridgeStatuses reads every bridge's status from GET /v1/status, with the document as read.
func (d *testDaemon) bridgeStatuses(t *testing.T) ([]bridgeStatus, []byte) {
	t.Helper()
	code, raw := d.do("GET", "/v1/status", "", nil)
	var st struct {
		Bridges []bridgeStatus `json:"bridges"`
	}
	if err := json.Unmarshal(raw, &st); code != 200 || err != nil {
		t.Fatalf("%d %v %s", code, err, raw)
	}
	return st.Bridges, raw
}

// bridgeNamed is the status of the bridge of that name; ok is false when the status has none.
func bridgeNamed(bs []bridgeStatus, name string) (b bridgeStatus, ok bool) {
	for _, b := range bs {
		if b.Name == name {
			return b, true
		}
	}
	return bridgeStatus{}, false
}

// wantMetrics checks each metric of want (a prefix of its line in GET /metrics) has its value.
func (d *testDaemon) wantMetrics(t *testing.T, want map[string]float64) {
	t.Helper()
	for prefix, w := range want {
		if got := d.metric(prefix); got != w {
			t.Errorf("%s = %v, want %v", prefix, got, w)
		}
	}
}
