package bridges

import (
	"bytes"
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
	// Keys in another case: the event matched them as encoding/json does, and so does the answer.
	upper := []byte(`{"Flow":{"id":"f"},"IDENTITY":{"ID":"` + nilUUID + `","Metadata_Public":{"keep":1}}}`)
	if st, out, reason := answer("registration", upper, res); st != 200 || reason != "" ||
		out != `{"identity":{"metadata_public":{"keep":1,"plan":"pro"},"metadata_admin":{"tier":{"n":1}}}}` {
		t.Errorf("metadata, keys in another case: %d %s %q", st, out, reason)
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
			if _, err := refParseKratosBody(flow, []byte(body)); err != nil {
				continue // login needs an identity
			}
			got, err := kratosHooks()[flow].Event([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			var ev refKratosEventDoc
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

// kratosOddBodies are bodies the scanning event must read as encoding/json read them: keys in
// another case, escapes, nulls, white space, keys twice, members it skips, invalid UTF-8, and
// members of the wrong type.
var kratosOddBodies = []string{
	kratosRegistrationBody,
	`{"flow":{"id":"f"}}`,
	`{"flow":{"id":"f\"q","type":"api","active":"oidc"},"identity":{"id":"i\\d","schema_id":"s<>&","traits":{"email":"a\u0001@x","name":"N\u2028"},"verifiable_addresses":[{"value":"a\u0001@x","verified":true,"via":"email"}],"updated_at":"2026-01-01T00:00:00Z"},
	  "session":{"id":"s","authentication_methods":[]},"request_headers":{"User-Agent":["ü"]},"request_url":"http://h:1/p"}`,
	`{"flow":{"id":"f","active":"password"},"identity":{"id":"i","traits":{"phone":"+1","username":"u","name":{"first":"A"}}},"session":{"id":"s","authentication_methods":[{"method":"totp","completed_at":"t"}]}}`,
	`{"FLOW":{"ID":"f","Active":"code"},"Identity":{"Id":"i","TRAITS":{"EMAIL":"a@b","Phone_Number":"+2","Name":{"FIRST":" A ","last":"  "}},"Verifiable_Addresses":[{"VALUE":"A@B","Verified":true,"VIA":"email"},null,{"value":"a@b","via":"sms"}]},
	  "SESSION":{"AUTHENTICATION_METHODS":[{"METHOD":"oidc"},null]},"Request_Headers":{"true-client-ip":["1.2.3.4","5"],"USER-AGENT":[null,"x"],"accept-language":null},"REQUEST_METHOD":"GET"}`,
	`{"flow":{"id":"f"},"flow":{"type":"t"},"identity":{"id":"a"},"identity":null,"identity":{"id":"b","traits":{"email":"e","email":null}},"session":{"id":"s"},"session":null}`,
	`{"flow":{"id":"f","active":" "},"identity":{"id":"i","schema_id":"","traits":null,"metadata_public":null,"metadata_admin":{"a":[1, 2]},"created_at":"0001-01-01T00:00:00Z","updated_at":"0001-x"}}`,
	`{"flow":{"id":"f","request_url":"http://[::1]:4433/x"},"request_url":"  ","identity":{"id":"i","traits":{"name":{"first":"A","last":1}}}}`,
	`{"flow":{"id":"f","request_url":"::bad"},"identity":{"id":"i","traits":{"name":["A"]}}}`,
	`{"flow":{"id":"f"},"request_url":"https://user@host.example:8443/p?q","identity":{"id":"i","traits":{"name":null,"email":"x@y"},"verifiable_addresses":null}}`,
	`{"flow":{"id":"f","active":"passkey"},"session":{"id":"","authentication_methods":[{"method":"password"},{"method":"link","completed_at":"2026"},{"method":"webauthn"},{"method":"saml"},{"method":"lookup_secret"},{"method":"x\u0041"}]},"identity":{"id":"i"}}`,
	`{"flow":{"id":"f","active":"password"},"identity":{"id":"i"}}`,
	"{\"flow\":{\"id\":\"f\xff\"},\"identity\":{\"id\":\"\xc3\",\"traits\":{\"email\":\"\xe2\x82\"}}}",
	`{"flow":{"id":"f"},"identity":{"id":"i","traits":{"name":"` + strings.Repeat("n", 300) + `","email":"` + strings.Repeat("e", 300) + `"}}}`,
	`{"flow":{"id":"f"},"identity":{"id":"i","traits":{"name":{"first":"` + strings.Repeat("a", 100) + `","last":"` + strings.Repeat("b", 100) + `"}}}}`,
	`{"ſession":{"id":"s"},"flow":{"id":"f"},"identity":{"id":"i"},"request_headers":{"User-Agent":["a"],"User-Agent":["b"]}}`,
	`{"flow":{"id":"f"},"identity":{"id":"i","traits":{"name":{"first":"A","First":"B"}}}}`,
	// the wrong types, each
	`[1]`, `{"flow":"x"}`, `{"flow":[1]}`, `{"flow":{"id":1}}`, `{"flow":{"type":{}}}`, `{"flow":{"active":true}}`, `{"flow":{"request_url":[]}}`,
	`{"identity":"x"}`, `{"identity":{"id":1}}`, `{"identity":{"schema_id":1}}`, `{"identity":{"state":1}}`, `{"identity":{"created_at":1}}`, `{"identity":{"updated_at":1}}`,
	`{"identity":{"verifiable_addresses":1}}`, `{"identity":{"verifiable_addresses":[1]}}`, `{"identity":{"verifiable_addresses":[{"value":1}]}}`,
	`{"identity":{"verifiable_addresses":[{"verified":"yes"}]}}`, `{"identity":{"verifiable_addresses":[{"via":1}]}}`,
	`{"session":1}`, `{"session":{"id":1}}`, `{"session":{"authenticator_assurance_level":1}}`, `{"session":{"authentication_methods":{}}}`,
	`{"session":{"authentication_methods":["x"]}}`, `{"session":{"authentication_methods":[{"method":1}]}}`, `{"session":{"authentication_methods":[{"completed_at":1}]}}`,
	`{"request_headers":1}`, `{"request_headers":{"User-Agent":"x"}}`, `{"request_headers":{"True-Client-Ip":[1]}}`, `{"request_headers":{"accept-language":{}}}`,
	`{"request_method":1}`, `{"request_url":1}`,
	`{"flow":{"id":1},"identity":{"id":2}}`, `{"identity":{"id":2},"flow":{"id":1}}`,
	`{"flow":{"id":"f"},"identity":{"id":"i","traits":[1]}}`, `{"flow":{"id":"f"},"identity":{"id":"i","traits":"x"}}`,
	`{"flow":{"id":"f"},"identity":{"id":"i","metadata_public":"x"}}`, `{"flow":{"id":"f"},"identity":{"id":"i","metadata_admin":1}}`,
	`{"flow":{"id":"f"},"identity":{"id":"i","traits":{"email":5}}}`, `{"flow":{"id":"f"},"identity":{"id":"i","traits":{"Phone":[]}}}`,
	`{"flow":{"id":"f"},"identity":{"id":"i","traits":{"username":{}}}}`, `{"flow":{"id":"f"},"identity":{"id":"i","traits":{"phone_number":true}}}`,
	`{"flow":{"id":"f"},"identity":{"id":"i","traits":{"email":5},"metadata_public":1}}`,
	`{"flow":{}}`, `{"flow":null}`, `{"flow":{"id":""}}`, `{"flow":{"id":"f"},"identity":{}}`, `{"flow":{"id":"f"},"identity":{"id":""}}`,
	`{"flow":{"id":"f"}`, `{"flow":{"id":"f"}} x`, `"s"`, ``, `{"flow":{"id":"\x"}}`, `{"a":01}`, ` {"flow" : {"id" : "f"} } `,
	// Read in one pass: a fault in the text after a member of the wrong type, or before it, in a
	// member the event does not read or one it does, and truncations.
	`{"flow":5,"x":}`, `{"x":[1,],"flow":5}`, `{"flow":{"id":1},"identity":{"id":"i",}}`, `{"flow":{"id":"f"},"identity":tru}`,
	`{"flow":nul}`, `{"flow":{"id":"f"},"identity":nulll}`, `{"flow":{"id":"f"},"session":{"id":"s","authentication_methods":[{"method":1} {}]}}`,
	`{"flow":{"id":"f"},"identity":{"id":"i","traits":{"email":"a" "b"}}}`, `{"flow":{"id":"f"},"identity":{"id":"i","traits":{"email":5},"x":}}`,
	`{"flow":{"id":"f"},"identity":{"id":"i","verifiable_addresses":[{"verified":tru}]}}`, `{"flow":{"id":"f"},"request_headers":{"User-Agent":["a",]}}`,
	`{"flow":{"id":"f"},"request_headers":{"User-Agent":[1],"x":[}}`, `{"flow":{"id":"f"},"request_method":"GET" "x":1}`,
	`{"flow":{"id":"f"},"x":"\u12"}`, `{"flow":{"id":"f"},"x":-}`, `{"flow":{"id":"f"},"x":{}}}`, `{"flow":{"id":"f"},`, `{"flow":{"id":"f"`,
	`{"flow":{"id":`, `{"flow":{"id":"f"},"identity":{"id":"i","traits":{`, `{"flow":{"id":"f"},"x"`, `{`, `{"`, ` { } `, `{}x`, `{} {}`,
	`{"flow":{"id":"f"},"identity":{"id":"i","traits":{"name":{"first":"A","last":` + "\"\x02\"" + `}}}}`,
}

// kratosDeepBodies nest past json.Valid's limit, or up to it, in a member the event does not read
// or in one it keeps as it is: not fuzz seeds, as an event of them may nest too deep itself.
var kratosDeepBodies = []string{
	`{"flow":{"id":"f"},"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	`{"flow":{"id":"f"},"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
	`{"flow":{"id":"f"},"identity":{"id":"i","traits":` + strings.Repeat(`{"a":`, 9998) + `1` + strings.Repeat("}", 9998) + `}}`,
	`{"flow":{"id":"f"},"identity":{"id":"i","traits":` + strings.Repeat(`{"a":`, 9999) + `1` + strings.Repeat("}", 9999) + `}}`,
}

// TestKratosMatchesReference: on every odd body and each flow, the scanning event is the
// decoding one's, byte for byte, or the same error naming the same field.
func TestKratosMatchesReference(t *testing.T) {
	for _, body := range append(kratosOddBodies, kratosDeepBodies...) {
		checkKratosAgainstReference(t, []byte(body))
	}
}

func checkKratosAgainstReference(t *testing.T, body []byte) {
	t.Helper()
	for _, flow := range []string{"registration", "login", "settings"} {
		want, werr := refKratosEvent(flow)(body)
		got, gerr := appendKratosEvent(flow)([]byte("prefix"), body)
		if gerr == nil {
			if !bytes.HasPrefix(got, []byte("prefix")) {
				t.Fatalf("%q: the event does not append to dst", body)
			}
			got = got[len("prefix"):]
		}
		switch {
		case werr != nil || gerr != nil:
			var we, ge *ShapeError
			if !errors.As(werr, &we) || !errors.As(gerr, &ge) || we.Field != ge.Field || !kratosSameWant(we.Want, ge.Want) {
				t.Errorf("%s %q:\n reference %v\n scanner   %v", flow, body, werr, gerr)
			}
		case !bytes.Equal(got, want):
			t.Errorf("%s %q:\n reference %s\n scanner   %s", flow, body, want, got)
		}
	}
}

// kratosSameWant: the reference named the Go type it wanted ("a struct { ID string …",
// "a bridges.kratosIdentity", "a []string"), the scanner says what JSON it wants.
func kratosSameWant(ref, got string) bool {
	switch {
	case ref == got:
		return true
	case strings.HasPrefix(ref, "a struct {") || strings.HasPrefix(ref, "a bridges."):
		return got == "an object"
	case ref == "a []string":
		return got == "an array of strings"
	case strings.HasPrefix(ref, "a []"):
		return got == "an array"
	}
	return false
}

// FuzzKratosBody: whatever a body holds, making its event neither panics nor loops, an event
// made is valid JSON, and it is the reference's (the body decoded by encoding/json), or the same
// error.
func FuzzKratosBody(f *testing.F) {
	for _, b := range kratosOddBodies {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if ev, err := appendKratosEvent("login")(nil, []byte(body)); err == nil && !json.Valid(ev) {
			t.Errorf("%q gives an event that is not JSON: %s", body, ev)
		}
		checkKratosAgainstReference(t, []byte(body))
	})
}

// TestKratosAnswersMatchReference: the appended answers are the encoded ones: the same status,
// the same reason and message, and the same JSON (decoded: encoding/json escaped "<" and a line
// feed otherwise).
func TestKratosAnswersMatchReference(t *testing.T) {
	meta := kratosResult("user.setUserMetadata", "user.setUserMetadata", "user.setAppMetadata")
	meta.Effects.UserMetadata = map[string]any{"drop": json.RawMessage("null"), "plan": json.RawMessage(`"pro"`), "keep": json.RawMessage(`{"n":[1]}`), "z\"q": json.RawMessage(`1`)}
	meta.Effects.AppMetadata = map[string]any{"tier": json.RawMessage(`{"n":1}`), "gone": json.RawMessage(`null`)}
	many := kratosResult("user.setUserMetadata")
	many.Effects.UserMetadata = map[string]any{}
	for _, k := range []string{"k9", "k1", "k5", "k3", "k7", "k2", "k8", "k4", "k6", "k0", "k10"} {
		many.Effects.UserMetadata[k] = json.RawMessage(`"` + k + `"`)
	}
	denied := kratosResult("access.deny")
	denied.Outcome = runner.OutcomeDenied
	denied.Effects.Access = wire.Access{Denied: true, Reason: "spam \"domain\"", UserMessage: "Signups\nfrom <here> are not allowed."}
	deniedReason := kratosResult("access.deny")
	deniedReason.Effects.Access = wire.Access{Denied: true, Reason: "locked"}
	validation := kratosResult("validation.error")
	validation.Effects.Validation = &wire.ValidationError{Code: "bad_name", Message: "Pick another name."}
	validation.Effects.Access = wire.Access{Denied: true, Code: "bad_name", Reason: "Pick another name."}
	failed := kratosResult()
	failed.Outcome = runner.OutcomeFailed
	failed.Actions = []wire.ActionResult{{Name: "gate", Error: &wire.Error{Message: "db password wrong"}}}
	bodies := map[string][]byte{
		"stored later": []byte(kratosRegistrationBody),
		"stored":       []byte(strings.Replace(kratosRegistrationBody, nilUUID, "9b1c", 1)),
		"before":       []byte(`{"flow":{"id":"f"}}`),
		"no metadata":  []byte(`{"flow":{"id":"f"},"identity":{"id":"` + nilUUID + `","metadata_public":null}}`),
		"escaped id":   []byte(`{"flow":{"id":"f"},"identity":{"id":"00000000-0000-0000-0000-00000000000\u0030","metadata_public":{"k\u0031":1,"plan":"old"}}}`),
		"not a body":   []byte(`[1]`),
	}
	for rname, res := range map[string]*runner.Result{
		"nothing": kratosResult(), "metadata": meta, "many keys": many, "denied": denied, "denied with a reason": deniedReason,
		"validation": validation, "failed": failed, "a claim": kratosResult("idToken.setCustomClaim"), "a cache write": kratosResult("cache.set"),
	} {
		for bname, body := range bodies {
			for flow, ref := range map[string]func([]byte, *runner.Result) (any, string, string){
				"registration": refKratosRegistrationAnswer,
				"login":        refKratosAnswer("login", kratosExpressible["login"]...),
				"settings":     refKratosAnswer("settings", kratosExpressible["settings"]...),
			} {
				wantAns, wantReason, wantMsg := ref(body, res)
				wantStatus := 200
				if r, ok := wantAns.(Reply); ok {
					wantStatus, wantAns = r.Status, r.Body
				}
				got, status, reason, msg := kratosHooks()[flow].MakeAnswer([]byte("x"), body, res)
				if !bytes.HasPrefix(got, []byte("x")) || !json.Valid(got[1:]) {
					t.Fatalf("%s %s %s: %s", rname, bname, flow, got)
				}
				var a, b any
				_ = json.Unmarshal(got[1:], &a)
				_ = json.Unmarshal([]byte(mustMarshal(wantAns)), &b)
				if status != wantStatus || reason != wantReason || msg != wantMsg || !reflect.DeepEqual(a, b) {
					t.Errorf("%s %s %s:\n reference %d %s %q %q\n appended  %d %s %q %q", rname, bname, flow, wantStatus, mustMarshal(wantAns), wantReason, wantMsg, status, got[1:], reason, msg)
				}
			}
		}
	}
}

// TestKratosHostname: the host of request_url is url.Parse's, whether it is read by hand or not.
func TestKratosHostname(t *testing.T) {
	for _, u := range []string{
		"http://127.0.0.1:4433/self-service/registration?flow=5f1c", "https://auth.example.com", "https://auth.example.com/", "https://Auth.Example.COM:/x",
		"http://h:99999/p", "http://h:1a/p", "http://[::1]:4433/x", "http://user:pw@h.example/p", "https://h_x.example/", "http://h/p#frag",
		"http://h/a b", "http://h/%zz", "http://h/%41", "http://h?q=%zz", "HTTP://h/", "ftp://h/", "//h/p", "h/p", "http://", "http:///p",
		"http://h\x7f/", "http://h/\x01", "http://hé/", "http://h/é", "http://h.example:8080?x", ":bad", "http://%41/", "http://h:8080:9/",
	} {
		if got, want := string(kratosHostname(jstr{s: []byte(u)}).s), refHostname(u); got != want {
			t.Errorf("%q: %q, url.Parse %q", u, got, want)
		}
	}
}
