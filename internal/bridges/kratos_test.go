package bridges

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/wire"
)

const kratosTestToken = "kratos-web-hook-token-of-32-bytes-or-more"

func TestKratosToken(t *testing.T) {
	v, err := NewKratosToken(kratosTestToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewKratosToken("short"); err == nil || strings.Contains(err.Error(), "short") {
		t.Errorf("a short token: %v", err)
	}
	now := time.Now()
	for _, c := range []struct {
		name, give string
		want       string
	}{
		{"good", kratosTestToken, ""},
		{"missing", "", ReasonMissing},
		{"last byte", kratosTestToken[:len(kratosTestToken)-1] + "X", ReasonBad},
		{"a prefix", kratosTestToken[:10], ReasonBad},
		{"longer", kratosTestToken + "x", ReasonBad},
	} {
		h := http.Header{}
		if c.give != "" {
			h.Set(KratosTokenHeader, c.give)
		}
		if reason, ok := v.Precheck(h, now); reason != c.want || ok != (c.want == "") {
			t.Errorf("%s: Precheck got %q %v, want %q", c.name, reason, ok, c.want)
		}
		key, forget, reason, ok := v.Verify(h, []byte(`{}`), now)
		if reason != c.want || ok != (c.want == "") || key != [32]byte{} || !forget.IsZero() {
			t.Errorf("%s: Verify got %q %v (forget %v), want %q and no replay window", c.name, reason, ok, forget, c.want)
		}
	}
	h := http.Header{}
	h.Set(KratosTokenHeader, kratosTestToken)
	if n := testing.AllocsPerRun(200, func() { v.Verify(h, nil, now) }); n != 0 {
		t.Errorf("Verify allocates %v times per request", n)
	}
	// The bridge skips the replay check: the same request twice is not a replay.
	b := &Bridge{name: "kratos", verifier: v}
	if b.Seen([32]byte{}, time.Time{}, now) || b.Seen([32]byte{}, time.Time{}, now) {
		t.Error("a token request is taken for a replay")
	}
}

// kratosRegistrationBody is what examples/kratos/body.jsonnet makes of a registration's context
// when the hook has response.parse (the identity not stored yet).
const kratosRegistrationBody = `{
  "flow": {"id": "5f1c", "type": "api", "active": "password", "request_url": "http://127.0.0.1:4433/self-service/registration/api"},
  "identity": {"id": "00000000-0000-0000-0000-000000000000", "schema_id": "default", "state": "active",
    "traits": {"email": "Ada@Example.com", "name": {"first": "Ada", "last": "Lovelace"}},
    "metadata_public": {"keep": 1, "drop": 2}, "metadata_admin": null,
    "verifiable_addresses": [{"value": "ada@example.com", "verified": false, "via": "email"}],
    "created_at": "0001-01-01T00:00:00Z"},
  "request_headers": {"User-Agent": ["curl/8"], "True-Client-Ip": ["203.0.113.9"], "Accept-Language": ["en"]},
  "request_method": "POST",
  "request_url": "http://127.0.0.1:4433/self-service/registration?flow=5f1c"
}`

func TestKratosEvent(t *testing.T) {
	hooks := kratosHooks()
	ev, err := hooks["registration"].Event([]byte(kratosRegistrationBody))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(ev, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"user": map[string]any{"email": "Ada@Example.com", "email_verified": false, "name": "Ada Lovelace", "given_name": "Ada",
			"family_name": "Lovelace", "user_metadata": map[string]any{"keep": 1.0, "drop": 2.0}, "app_metadata": map[string]any{}},
		"connection": map[string]any{"name": "default", "strategy": "password"},
		"request":    map[string]any{"ip": "203.0.113.9", "user_agent": "curl/8", "language": "en", "method": "POST", "hostname": "127.0.0.1"},
		"kratos": map[string]any{"flow": map[string]any{"name": "registration", "id": "5f1c", "type": "api", "active": "password"},
			"identity": map[string]any{"id": nilUUID, "schema_id": "default", "state": "active",
				"traits": map[string]any{"email": "Ada@Example.com", "name": map[string]any{"first": "Ada", "last": "Lovelace"}}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("registration event\n got %v\nwant %v", got, want)
	}

	login := `{"flow":{"id":"f2","type":"browser","active":"password"},
	  "identity":{"id":"9b1c-stored","schema_id":"default","traits":{"email":"a@example.com","phone":"+15551234567","username":"ada","name":"Ada L"},"metadata_public":{"plan":"pro"},"metadata_admin":{"role":"admin"},"created_at":"2026-01-01T00:00:00Z"},
	  "session":{"id":"s1","authenticator_assurance_level":"aal1","authentication_methods":[{"method":"password","completed_at":"2026-01-02T00:00:00Z"},{"method":"totp"}]}}`
	ev, err = hooks["login"].Event([]byte(login))
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := json.Unmarshal(ev, &got); err != nil {
		t.Fatal(err)
	}
	user := got["user"].(map[string]any)
	if user["user_id"] != "9b1c-stored" || user["phone_number"] != "+15551234567" || user["username"] != "ada" || user["name"] != "Ada L" ||
		user["created_at"] != "2026-01-01T00:00:00Z" || user["app_metadata"].(map[string]any)["role"] != "admin" {
		t.Errorf("login user: %v", user)
	}
	if m := mustMarshal(got["authentication"]); m != `{"methods":[{"name":"pwd","timestamp":"2026-01-02T00:00:00Z"},{"name":"mfa"}]}` {
		t.Errorf("login authentication: %s", m)
	}
	if s := mustMarshal(got["session"]); s != `{"id":"s1"}` {
		t.Errorf("login session: %s", s)
	}

	// A registration "before" hook: no identity yet, an empty user.
	ev, err = hooks["registration"].Event([]byte(`{"flow":{"id":"f3","type":"browser"}}`))
	if err != nil || !strings.Contains(string(ev), `"user":{"user_metadata":{},"app_metadata":{}}`) {
		t.Errorf("before: %s %v", ev, err)
	}

	for _, c := range []struct {
		name, flow, give, wantField string
	}{
		{"not an object", "registration", `[1]`, "(body)"},
		{"no flow", "registration", `{"identity":{"id":"x"}}`, "flow"},
		{"flow not an object", "login", `{"flow":"x"}`, "flow"},
		{"no flow id", "login", `{"flow":{"type":"api"}}`, "flow.id"},
		{"login without identity", "login", `{"flow":{"id":"f"}}`, "identity"},
		{"settings without identity", "settings", `{"flow":{"id":"f"},"identity":null}`, "identity"},
		{"identity without id", "registration", `{"flow":{"id":"f"},"identity":{"traits":{}}}`, "identity.id"},
		{"traits not an object", "registration", `{"flow":{"id":"f"},"identity":{"id":"i","traits":[1]}}`, "identity.traits"},
		{"metadata not an object", "login", `{"flow":{"id":"f"},"identity":{"id":"i","metadata_public":"x"}}`, "identity.metadata_public"},
		{"email not a string", "registration", `{"flow":{"id":"f"},"identity":{"id":"i","traits":{"email":5}}}`, "identity.traits.email"},
		{"headers not lists", "registration", `{"flow":{"id":"f"},"request_headers":{"User-Agent":"x"}}`, "request_headers"},
	} {
		_, err := hooks[c.flow].Event([]byte(c.give))
		var se *ShapeError
		if !errors.As(err, &se) || !strings.HasPrefix(se.Field, c.wantField) {
			t.Errorf("%s: got %v, want a shape error naming %s", c.name, err, c.wantField)
		}
	}
}

func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// kratosResult is a result with the given commands recorded and effects set.
func kratosResult(ops ...string) *runner.Result {
	res := &runner.Result{Outcome: runner.OutcomeSuccess}
	for _, op := range ops {
		res.Commands = append(res.Commands, wire.Command{Action: "gate", Op: op})
	}
	return res
}

func TestKratosAnswers(t *testing.T) {
	hooks := kratosHooks()
	reg := []byte(kratosRegistrationBody)
	answer := func(flow string, body []byte, res *runner.Result) (int, string, string) {
		t.Helper()
		out, reason, _ := hooks[flow].Answer(body, res)
		status := 200
		if r, ok := out.(Reply); ok {
			status, out = r.Status, r.Body
		}
		return status, mustMarshal(out), reason
	}

	res := kratosResult("user.setUserMetadata", "user.setUserMetadata", "user.setAppMetadata")
	res.Effects.UserMetadata = map[string]any{"drop": json.RawMessage("null"), "plan": json.RawMessage(`"pro"`)}
	res.Effects.AppMetadata = map[string]any{"tier": json.RawMessage(`{"n":1}`)}
	if st, out, reason := answer("registration", reg, res); st != 200 || reason != "" ||
		out != `{"identity":{"metadata_public":{"keep":1,"plan":"pro"},"metadata_admin":{"tier":{"n":1}}}}` {
		t.Errorf("metadata: %d %s %q", st, out, reason)
	}
	if st, out, _ := answer("registration", reg, kratosResult()); st != 200 || out != `{}` {
		t.Errorf("nothing set: %d %s", st, out)
	}

	res = kratosResult("access.deny")
	res.Outcome = runner.OutcomeDenied
	res.Effects.Access = wire.Access{Denied: true, Reason: "spam_domain", UserMessage: "Signups from this domain are not allowed."}
	if st, out, reason := answer("registration", reg, res); st != 403 || reason != "" ||
		out != `{"messages":[{"instance_ptr":"#/","messages":[{"context":{"reason":"Signups from this domain are not allowed."},"id":4000001,"text":"Signups from this domain are not allowed.","type":"error"}]}]}` {
		t.Errorf("deny: %d %s %q", st, out, reason)
	}
	res = kratosResult("validation.error")
	res.Effects.Validation = &wire.ValidationError{Code: "bad_name", Message: "Pick another name."}
	res.Effects.Access = wire.Access{Denied: true, Code: "bad_name", Reason: "Pick another name."}
	if st, out, _ := answer("registration", reg, res); st != 400 || !strings.Contains(out, `"text":"Pick another name."`) || !strings.Contains(out, `"code":"bad_name"`) {
		t.Errorf("validation: %d %s", st, out)
	}

	before := []byte(`{"flow":{"id":"f"}}`)
	stored := []byte(strings.Replace(kratosRegistrationBody, nilUUID, "9b1c", 1))
	for _, c := range []struct {
		name, flow string
		body       []byte
		res        *runner.Result
		want       string
	}{
		{"registration: a claim", "registration", reg, kratosResult("idToken.setCustomClaim"), "kratos registration cannot express api.idToken.setCustomClaim (action gate)"},
		{"registration before: metadata", "registration", before, kratosResult("user.setAppMetadata"), `kratos registration before the identity exists (a before hook) cannot express api.user.setAppMetadata`},
		{"registration stored: metadata", "registration", stored, kratosResult("user.setUserMetadata"), "kratos registration after the identity is stored (the hook lacks response.parse) cannot express api.user.setUserMetadata"},
		{"login: metadata", "login", reg, kratosResult("user.setUserMetadata"), "kratos login cannot express api.user.setUserMetadata (action gate)"},
		{"login: a claim", "login", reg, kratosResult("accessToken.setCustomClaim"), "kratos login cannot express api.accessToken.setCustomClaim"},
	} {
		st, out, reason := answer(c.flow, c.body, c.res)
		if st != 422 || reason != ReasonUnsupported || !strings.Contains(out, c.want) || !strings.Contains(out, `"id":5000001`) {
			t.Errorf("%s: %d %s %q", c.name, st, out, reason)
		}
	}

	// A cache write is the daemon's own; login's deny interrupts; settings answers nothing.
	res = kratosResult("cache.set", "access.deny")
	res.Outcome = runner.OutcomeDenied
	res.Effects.Access = wire.Access{Denied: true, Reason: "locked"}
	if st, out, _ := answer("login", reg, res); st != 403 || !strings.Contains(out, `"text":"locked"`) {
		t.Errorf("login deny: %d %s", st, out)
	}
	if st, out, _ := answer("settings", reg, kratosResult("cache.set")); st != 200 || out != `{}` {
		t.Errorf("settings: %d %s", st, out)
	}

	// A failed action names the action, not its error, to the user.
	res = kratosResult()
	res.Outcome = runner.OutcomeFailed
	res.Actions = []wire.ActionResult{{Name: "gate", Error: &wire.Error{Message: "db password wrong"}}}
	st, out, reason := answer("registration", reg, res)
	if st != 422 || reason != ReasonActionFailed || !strings.Contains(out, `"text":"action gate failed"`) || strings.Contains(out, "db password") {
		t.Errorf("failed: %d %s %q", st, out, reason)
	}
}

// TestKratosEventEncoding: the hand-encoded event decodes to what encoding/json makes of the same
// struct, for bodies with every optional part present or not, and strings that need escaping.
func TestKratosEventEncoding(t *testing.T) {
	for _, body := range []string{
		kratosRegistrationBody,
		`{"flow":{"id":"f"}}`,
		`{"flow":{"id":"f\"q","type":"api","active":"oidc"},"identity":{"id":"i\\d","schema_id":"s<>&","traits":{"email":"a\u0001@x","name":"N\u2028"},"verifiable_addresses":[{"value":"a\u0001@x","verified":true,"via":"email"}],"updated_at":"2026-01-01T00:00:00Z"},
		  "session":{"id":"s","authentication_methods":[]},"request_headers":{"User-Agent":["ü"]},"request_url":"http://h:1/p"}`,
		`{"flow":{"id":"f","active":"password"},"identity":{"id":"i","traits":{"phone":"+1","username":"u","name":{"first":"A"}}},"session":{"id":"s","authentication_methods":[{"method":"totp","completed_at":"t"}]}}`,
	} {
		for _, flow := range []string{"registration", "login"} {
			if _, err := parseKratosBody(flow, []byte(body)); err != nil {
				continue // login needs an identity
			}
			got, err := kratosHooks()[flow].Event([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			var ev kratosEventDoc
			if err := json.Unmarshal(got, &ev); err != nil {
				t.Fatalf("%s: %v in %s", flow, err, got)
			}
			want, _ := json.Marshal(&ev)
			var a, b any
			if json.Unmarshal(got, &a) != nil || json.Unmarshal(want, &b) != nil || !reflect.DeepEqual(a, b) {
				t.Errorf("%s\n got %s\nwant %s", flow, got, want)
			}
		}
	}
}

func TestKratosMergedMetadata(t *testing.T) {
	for _, c := range []struct {
		name, current string
		set           map[string]any
		want          string
	}{
		{"nothing yet", ``, map[string]any{"b": json.RawMessage(`2`), "a": json.RawMessage(`"x"`)}, `{"a":"x","b":2}`},
		{"null", `null`, map[string]any{"a": json.RawMessage(`1`)}, `{"a":1}`},
		{"replace in place, remove, add", `{"z":0,"k\"q":[1],"gone":true}`,
			map[string]any{"k\"q": json.RawMessage(`{"n":null}`), "gone": json.RawMessage(`null`), "new": json.RawMessage(`"\u2028"`)},
			`{"z":0,"k\"q":{"n":null},"new":"\u2028"}`},
		{"remove the only key", `{"a":1}`, map[string]any{"a": json.RawMessage(`null`)}, `{}`},
	} {
		got := string(appendMerged(nil, []byte(c.current), c.set))
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("%s: not JSON: %s", c.name, got)
		}
	}
}
