package daemon

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/internal/config"
)

// zitadelSigningKey is a target's signing key as Zitadel returns it from CreateTarget.
const zitadelSigningKey = "Zs9qkX2v7N4bP1mR8tYwE3cJ6hL0dGfA"

// zitadelRepo has one post-login action, which the bridge runs for preuserinfo and
// preaccesstoken.
func zitadelRepo(t *testing.T) *gitRepo {
	r := newGitRepo(t)
	r.write("triggers.yaml", "post-login: [tokens]\n")
	r.write("actions/tokens/action.yaml", "trigger: post-login\n")
	r.write("actions/tokens/index.js", `exports.onExecutePostLogin = async (event, api) => {
  if (event.user.email === 'deny@example.com') return api.access.deny('no entry to ' + event.organization.name);
  if (event.user.email === 'mfa@example.com') api.multifactor.enable('any');
  if (event.user.email === 'throw@example.com') throw new Error('boom');
  api.idToken.setCustomClaim('roles', event.authorization.roles);
  api.idToken.setCustomClaim('plan', event.user.app_metadata.plan ?? 'free');
  api.accessToken.setCustomClaim('org', event.organization.id);
  api.user.setUserMetadata('last_client', event.client.client_id);
  api.user.setAppMetadata('logins', (event.user.app_metadata.logins ?? 0) + 1);
};
`)
	r.commit("zitadel actions")
	return r
}

// zitadelBody is a function's context as Zitadel sends it (internal/api/oidc/userinfo.go,
// ContextInfo; the shape of docs/docs/guides/integrate/actions/testing-function.md).
func zitadelBody(function, email string) string {
	md := func(k, v string) map[string]any {
		return map[string]any{"creation_date": "2025-03-27T09:10:25.879677Z", "change_date": "2025-03-27T09:10:25.879677Z",
			"resource_owner": "312909075211944344", "sequence": 18, "key": k, "value": base64.StdEncoding.EncodeToString([]byte(v))}
	}
	return mustJSON(map[string]any{
		"function": function,
		"userinfo": map[string]any{"sub": "312909075212468632", "email": email, "email_verified": true},
		"user": map[string]any{"id": "312909075212468632", "creation_date": "2025-03-26T15:52:23.917636Z", "change_date": "2025-03-26T15:52:23.917636Z",
			"resource_owner": "312909075211944344", "sequence": 2, "state": 1, "username": email, "preferred_login_name": email,
			"human": map[string]any{"first_name": "Ada", "last_name": "Lovelace", "display_name": "Ada Lovelace", "preferred_language": "en",
				"email": email, "is_email_verified": true, "password_changed": "0001-01-01T00:00:00Z", "mfa_init_skipped": "0001-01-01T00:00:00Z"}},
		"user_metadata": []any{md("plan", `"pro"`), md("logins", "41")},
		"org":           map[string]any{"id": "312909075211944344", "name": "ZITADEL", "primary_domain": "example.com"},
		"user_grants": []any{map[string]any{"id": "g1", "projectGrantId": "", "state": 1, "userId": "312909075212468632",
			"roles": []string{"admin", "dev"}, "projectId": "p1", "projectName": "shop"}},
		"application": map[string]any{"client_id": "312909075212468633@shop"},
	})
}

// zitadelCall posts body to the Zitadel bridge signed at at as Zitadel signs a target's call
// (pkg/actions/signing.go: "t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">").
func (d *testDaemon) zitadelCall(at time.Time, body string, tamper func(http.Header)) (int, []byte) {
	d.t.Helper()
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(zitadelSigningKey))
	mac.Write([]byte(ts + "." + body))
	return d.postBridge("/v1/bridges/zitadel", body, map[string]string{
		"Content-Type": "application/json", "ZITADEL-Signature": "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil)),
	}, tamper)
}

// TestZitadelBridge runs the Zitadel Actions v2 target against a daemon serving a real git
// repository, over loopback, each call signed as Zitadel signs it.
func TestZitadelBridge(t *testing.T) {
	r := zitadelRepo(t)
	keyFile := filepath.Join(t.TempDir(), "zitadel-signing-key")
	if err := os.WriteFile(keyFile, []byte(zitadelSigningKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _ := startDaemonWith(t, r.Dir, func(c *config.Config) {
		c.Bridges.Zitadel.SigningKeyFile = keyFile
		if err := c.ResolveSecrets(); err != nil {
			t.Fatal(err)
		}
	})
	waitFor(t, "the first generation", func() bool { return d.rec.Current() != nil })
	// Each call is signed in its own second, or two equal bodies would be one request twice.
	at := time.Now().Add(-4 * time.Minute)
	next := func() time.Time { at = at.Add(time.Second); return at }
	type answer struct {
		SetUserMetadata []struct {
			Key   string `json:"key"`
			Value []byte `json:"value"`
		} `json:"set_user_metadata"`
		AppendClaims []struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		} `json:"append_claims"`
		AppendLogClaims []string `json:"append_log_claims"`
	}
	decode := func(raw []byte) answer {
		// As Zitadel reads it: ContextInfoResponse, Value []byte from base64.
		var a answer
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("%v in %s", err, raw)
		}
		return a
	}
	claims := func(a answer) string {
		var s []string
		for _, c := range a.AppendClaims {
			s = append(s, c.Key+"="+string(c.Value))
		}
		return strings.Join(s, " ")
	}
	metadata := func(a answer) string {
		var s []string
		for _, m := range a.SetUserMetadata {
			s = append(s, m.Key+"="+string(m.Value))
		}
		return strings.Join(s, " ")
	}

	t.Run("preuserinfo", func(t *testing.T) {
		code, raw := d.zitadelCall(next(), zitadelBody("function/preuserinfo", "a@example.com"), nil)
		if code != 200 {
			t.Fatalf("%d %s", code, raw)
		}
		a := decode(raw)
		// The ID token's claims; the metadata, read back from Zitadel's (base64 JSON) and written
		// as JSON, base64 again.
		if got := claims(a); got != `roles=["admin","dev"] plan="pro"` {
			t.Errorf("claims: %s", got)
		}
		if got := metadata(a); got != `last_client="312909075212468633@shop" logins=42` {
			t.Errorf("metadata: %s", got)
		}
	})

	t.Run("preaccesstoken", func(t *testing.T) {
		// The execution ID as internal/repository/execution joins it, with a dot.
		code, raw := d.zitadelCall(next(), zitadelBody("function.preaccesstoken", "a@example.com"), nil)
		if code != 200 {
			t.Fatalf("%d %s", code, raw)
		}
		a := decode(raw)
		if got := claims(a); got != `org="312909075211944344"` {
			t.Errorf("claims: %s", got)
		}
		if got := metadata(a); got != `last_client="312909075212468633@shop" logins=42` {
			t.Errorf("metadata: %s", got)
		}
	})

	t.Run("deny", func(t *testing.T) {
		code, raw := d.zitadelCall(next(), zitadelBody("function/preuserinfo", "deny@example.com"), nil)
		if code != 200 || string(bytes.TrimSpace(raw)) != `{"forwardedStatusCode":403,"forwardedErrorMessage":"no entry to ZITADEL"}` {
			t.Errorf("%d %s", code, raw)
		}
	})

	t.Run("failures", func(t *testing.T) {
		code, raw := d.zitadelCall(next(), zitadelBody("function/preuserinfo", "mfa@example.com"), nil)
		if code != 500 || !bytes.Contains(raw, []byte(`"code":"unsupported_command"`)) ||
			!bytes.Contains(raw, []byte("zitadel preuserinfo cannot express api.multifactor.enable (action tokens)")) {
			t.Errorf("a command Zitadel cannot express: %d %s", code, raw)
		}
		code, raw = d.zitadelCall(next(), zitadelBody("function/preaccesstoken", "throw@example.com"), nil)
		if code != 500 || !bytes.Contains(raw, []byte(`"code":"action_failed"`)) || !bytes.Contains(raw, []byte("boom")) {
			t.Errorf("a failed action: %d %s", code, raw)
		}
	})

	t.Run("refused", func(t *testing.T) {
		body := zitadelBody("function/preuserinfo", "a@example.com")
		now := time.Now()
		for _, c := range []struct {
			name   string
			at     time.Time
			body   string
			tamper func(http.Header)
			status int
			code   string
			names  string
		}{
			{"missing signature", now, body, func(h http.Header) { h.Del("ZITADEL-Signature") }, 401, "missing_signature", ""},
			{"another key", now, body, func(h http.Header) {
				h.Set("ZITADEL-Signature", "t="+strconv.FormatInt(now.Unix(), 10)+",v1="+strings.Repeat("ab", 32))
			}, 401, "bad_signature", ""},
			{"timestamp moved", now, body, func(h http.Header) {
				h.Set("ZITADEL-Signature", strings.Replace(h.Get("ZITADEL-Signature"), "t="+strconv.FormatInt(now.Unix(), 10), "t="+strconv.FormatInt(now.Unix()-3, 10), 1))
			}, 401, "bad_signature", ""},
			{"stale", now.Add(-6 * time.Minute), body, nil, 401, "stale_signature", ""},
			{"another function", now, zitadelBody("function/presamlresponse", "a@example.com"), nil, 404, "unknown_hook", `no hook \"presamlresponse\"`},
			{"an event execution", now, `{"aggregateID":"1","event_type":"user.human.added"}`, nil, 400, "bad_shape", "function: want"},
			{"no user id", now, `{"function":"function/preuserinfo","user":{"human":{}}}`, nil, 400, "bad_shape", "user.id: want a non-empty string"},
			{"metadata not base64", now, `{"function":"function/preuserinfo","user":{"id":"u"},"user_metadata":[{"key":"k","value":"*"}]}`, nil, 400, "bad_shape", "user_metadata[0].value: want base64"},
		} {
			code, raw := d.zitadelCall(c.at, c.body, c.tamper)
			if code != c.status || !bytes.Contains(raw, []byte(`"code":"`+c.code+`"`)) || !bytes.Contains(raw, []byte(c.names)) {
				t.Errorf("%s: %d %s, want %d %s naming %s", c.name, code, raw, c.status, c.code, c.names)
			}
		}
		// The same signed call twice: the second gets the first's answer (TestZitadelBridgeRepeat).
		at := time.Now()
		code, first := d.zitadelCall(at, body, nil)
		if code != 200 {
			t.Fatalf("first call: %d %s", code, first)
		}
		if code, raw := d.zitadelCall(at, body, nil); code != 200 || !bytes.Equal(raw, first) {
			t.Errorf("repeat: %d %s, want the first call's answer %s", code, raw, first)
		}
	})

	t.Run("status and metrics", func(t *testing.T) {
		bs, raw := d.bridgeStatuses(t)
		b, found := bridgeNamed(bs, "zitadel")
		if !b.Enabled || b.LastSuccess == nil || b.LastError == nil || b.LastError.Reason != "bad_shape" || b.LastError.Hook != "preuserinfo" {
			t.Errorf("status: %s", raw)
		}
		if !found || bytes.Contains(raw, []byte(zitadelSigningKey)) {
			t.Errorf("no zitadel bridge, or the status shows the key: %s", raw)
		}
		d.wantMetrics(t, map[string]float64{
			`actionsd_bridge_requests_total{bridge="zitadel",hook="preuserinfo",result="answered"}`:    3, // claims, deny, the repeated call's first
			`actionsd_bridge_requests_total{bridge="zitadel",hook="preuserinfo",result="repeated"}`:    1,
			`actionsd_bridge_requests_total{bridge="zitadel",hook="preaccesstoken",result="answered"}`: 1,
			`actionsd_bridge_requests_total{bridge="zitadel",hook="preuserinfo",result="failed"}`:      1,
			`actionsd_bridge_requests_total{bridge="zitadel",hook="none",result="refused"}`:            5, // 4 signatures, 1 body without a function
			`actionsd_bridge_requests_total{bridge="zitadel",hook="unknown",result="refused"}`:         1,
			`actionsd_bridge_failures_total{bridge="zitadel",reason="stale_signature"}`:                1,
			`actionsd_bridge_failures_total{bridge="zitadel",reason="bad_signature"}`:                  2,
			`actionsd_bridge_failures_total{bridge="zitadel",reason="unsupported_command"}`:            1,
			`actionsd_bridge_failures_total{bridge="zitadel",reason="action_failed"}`:                  1,
			`actionsd_bridge_failures_total{bridge="zitadel",reason="bad_shape"}`:                      3,
			`actionsd_bridge_failures_total{bridge="zitadel",reason="unknown_hook"}`:                   1,
			`actionsd_bridge_failures_total{bridge="zitadel",reason="replayed"}`:                       0,
		})
	})
}

// TestZitadelBridgeDisabled: without a signing key the bridge answers 404 disabled, naming the
// flag that gives one.
func TestZitadelBridgeDisabled(t *testing.T) {
	r := zitadelRepo(t)
	d, _ := startDaemonWith(t, r.Dir, nil)
	waitFor(t, "the first generation", func() bool { return d.rec.Current() != nil })
	code, raw := d.zitadelCall(time.Now(), zitadelBody("function/preuserinfo", "a@example.com"), nil)
	if code != 404 || !bytes.Contains(raw, []byte(`"code":"disabled"`)) || !bytes.Contains(raw, []byte("--bridge-zitadel-signing-key-file")) {
		t.Errorf("%d %s", code, raw)
	}
}

// TestZitadelBridgeRepeat: Zitadel's body has no nonce and it signs with the Unix second, so the
// same context sent twice in one second (the ID token's preuserinfo and the client's immediate
// /userinfo) is one signed request twice. The second gets the first's answer, byte for byte, and
// the actions run once; a duplicate sent while the first runs gets it too. The Supabase bridge,
// on the same daemon, still refuses a replay.
func TestZitadelBridgeRepeat(t *testing.T) {
	r := zitadelRepo(t)
	dir := t.TempDir()
	keyFile, secretFile := filepath.Join(dir, "zitadel-signing-key"), filepath.Join(dir, "supabase-secret")
	if err := os.WriteFile(keyFile, []byte(zitadelSigningKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secretFile, []byte(bridgeSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _ := startDaemonWith(t, r.Dir, func(c *config.Config) {
		c.Bridges.Zitadel.SigningKeyFile = keyFile
		c.Bridges.Supabase.SecretFile = secretFile
		if err := c.ResolveSecrets(); err != nil {
			t.Fatal(err)
		}
	})
	waitFor(t, "the first generation", func() bool { return d.rec.Current() != nil })
	const executions = `actionsd_executions_total{outcome="success",trigger="post-login"}`

	body := zitadelBody("function/preuserinfo", "a@example.com")
	at := time.Now()
	code1, raw1 := d.zitadelCall(at, body, nil)
	code2, raw2 := d.zitadelCall(at, body, nil)
	if code1 != 200 || code2 != 200 || !bytes.Equal(raw1, raw2) {
		t.Fatalf("the same signed call twice: %d %s, then %d %s", code1, raw1, code2, raw2)
	}
	if !bytes.Contains(raw1, []byte(`"set_user_metadata"`)) {
		t.Errorf("the answer is not the action's: %s", raw1)
	}
	if got := d.metric(executions); got != 1 {
		t.Errorf("the actions ran %v times for one signed call sent twice, want 1", got)
	}

	// Two equal calls at once: both get the one answer, and the actions run once more.
	body = zitadelBody("function/preaccesstoken", "b@example.com")
	at = time.Now()
	type reply struct {
		code int
		raw  []byte
	}
	replies := make(chan reply, 2)
	for range 2 {
		go func() { c, raw := d.zitadelCall(at, body, nil); replies <- reply{c, raw} }()
	}
	a, b := <-replies, <-replies
	if a.code != 200 || b.code != 200 || !bytes.Equal(a.raw, b.raw) {
		t.Errorf("two equal calls at once: %d %s and %d %s", a.code, a.raw, b.code, b.raw)
	}
	if got := d.metric(executions); got != 2 {
		t.Errorf("the actions ran %v times in all, want 2", got)
	}

	d.wantMetrics(t, map[string]float64{
		`actionsd_bridge_requests_total{bridge="zitadel",hook="preuserinfo",result="answered"}`:    1,
		`actionsd_bridge_requests_total{bridge="zitadel",hook="preuserinfo",result="repeated"}`:    1,
		`actionsd_bridge_requests_total{bridge="zitadel",hook="preaccesstoken",result="answered"}`: 1,
		`actionsd_bridge_requests_total{bridge="zitadel",hook="preaccesstoken",result="repeated"}`: 1,
		`actionsd_bridge_repeats_total{bridge="zitadel",outcome="answered"}`:                       2,
		`actionsd_bridge_repeats_total{bridge="zitadel",outcome="refused"}`:                        0,
		`actionsd_bridge_failures_total{bridge="zitadel",reason="replayed"}`:                       0,
	})

	// Supabase puts a message id in each delivery: the same one twice is a replay.
	sb := mustJSON(map[string]any{"user_id": "u1", "authentication_method": "password", "claims": map[string]any{
		"aud": "authenticated", "exp": 1, "iat": 0, "sub": "u1", "email": "a@example.com", "phone": "", "role": "authenticated",
		"aal": "aal1", "session_id": "s1", "is_anonymous": false}})
	at = time.Now()
	if code, out := d.supabaseHook("custom-access-token", "msg_1", at, sb, nil); code == 401 {
		t.Fatalf("first delivery: %d %v", code, out)
	}
	if code, out := d.supabaseHook("custom-access-token", "msg_1", at, sb, nil); code != 401 || out["error"].(map[string]any)["code"] != "replayed" {
		t.Errorf("supabase replay: %d %v", code, out)
	}
	if got := d.metric(`actionsd_bridge_failures_total{bridge="supabase",reason="replayed"}`); got != 1 {
		t.Errorf("supabase replays counted: %v", got)
	}
}
