package bridges

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/runner"
)

// TestSupabaseClaimsEncoding: the hand-encoded claims decode to Supabase's claims with the
// actions' merged in (access token over ID token over Supabase), whatever the keys hold.
func TestSupabaseClaimsEncoding(t *testing.T) {
	body := []byte(`{"user_id":"u","claims":{"sub":"u","role":"authenticated","q\"k\\ey\u0001":1,"é":"ü","amr":[{"method":"password"}]}}`)
	res := &runner.Result{}
	res.Effects.IDTokenClaims = map[string]any{"role": json.RawMessage(`"id"`), "x\ny": json.RawMessage(`{"a":[1,2]}`)}
	res.Effects.AccessTokenClaims = map[string]any{"role": json.RawMessage(`"access"`), "plan": json.RawMessage(`"pro"`)}
	out, err := supabaseClaims(body, res)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]any
	if err := json.Unmarshal(out.(RawJSON), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	want := map[string]any{"sub": "u", "role": "access", "q\"k\\ey\u0001": 1.0, "é": "ü", "amr": []any{map[string]any{"method": "password"}},
		"x\ny": map[string]any{"a": []any{1.0, 2.0}}, "plan": "pro"}
	if !reflect.DeepEqual(got["claims"], want) {
		t.Errorf("got %v\nwant %v", got["claims"], want)
	}
}

// TestSupabaseClaimsMatchDecoding: the merged claims decode to what merging the decoded maps
// makes, whether the claims are copied in one piece (no claim of the actions among them) or member
// by member (a claim overridden, written with an escape, or a claim's name that is only a value).
func TestSupabaseClaimsMatchDecoding(t *testing.T) {
	bodies := []string{
		`{"user_id":"u","claims":{"sub":"u","role":"authenticated","app_metadata":{"plan":"gold"},"user_metadata":{}}}`,
		`{"user_id":"u","claims":{}}`,
		`{"user_id":"u","claims": { } }`,
		`{"claims":{"plan":"free","sub":"u"},"user_id":"u"}`,
		`{"claims":{"tier":"plan","sub":"u"},"user_id":"u"}`,
		`{"claims":{"\u0070lan":"free","sub":"u","n":{"plan":1}},"user_id":"u"}`,
		`{"claims":{"sub":"old"},"user_id":"u","claims":{ "sub" : "u" , "role":"x" }}`,
		`{"c\u006caims":{"sub":"u"},"user_id":"u"}`,
	}
	sets := []map[string]json.RawMessage{
		nil,
		{"plan": json.RawMessage(`"pro"`)},
		{"role": json.RawMessage(`["a",{"b":null}]`), "https://example.com/admin": json.RawMessage(`false`)},
		{"sub": json.RawMessage(`"v"`), "x\ny\"": json.RawMessage(`1`)},
	}
	for _, body := range bodies {
		for _, id := range sets {
			for _, at := range sets {
				res := &runner.Result{}
				for k, v := range id {
					if res.Effects.IDTokenClaims == nil {
						res.Effects.IDTokenClaims = map[string]any{}
					}
					res.Effects.IDTokenClaims[k] = v
				}
				for k, v := range at {
					if res.Effects.AccessTokenClaims == nil {
						res.Effects.AccessTokenClaims = map[string]any{}
					}
					res.Effects.AccessTokenClaims[k] = v
				}
				var in struct {
					Claims map[string]any `json:"claims"`
				}
				if err := json.Unmarshal([]byte(body), &in); err != nil {
					t.Fatal(err)
				}
				want := map[string]any{}
				for k, v := range in.Claims {
					want[k] = v
				}
				for _, m := range []map[string]json.RawMessage{id, at} {
					for k, v := range m {
						var d any
						_ = json.Unmarshal(v, &d)
						want[k] = d
					}
				}
				got, err := appendSupabaseClaims([]byte("x"), []byte(body), res)
				if in.Claims == nil {
					if err == nil {
						t.Errorf("%s: no claims, and no error: %s", body, got)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", body, err)
				}
				var out struct {
					Claims map[string]any `json:"claims"`
				}
				dec := json.NewDecoder(bytes.NewReader(got[1:]))
				if err := dec.Decode(&out); err != nil || dec.More() {
					t.Fatalf("%s: %v in %s", body, err, got)
				}
				if !reflect.DeepEqual(out.Claims, want) {
					t.Errorf("%s with %v %v:\ngot  %v\nwant %v", body, id, at, out.Claims, want)
				}
				if n := bytes.Count(got, []byte(`"plan"`)); strings.Contains(body, `"claims":{"plan"`) && n != 1 {
					t.Errorf("%s: plan %d times: %s", body, n, got)
				}
			}
		}
	}
}

// TestSupabaseAccessTokenEventMatchesDecoding: the event written by appending the body's bytes
// decodes to what decoding the body into structs and encoding them makes, and a body of the wrong
// shape names the same field.
func TestSupabaseAccessTokenEventMatchesDecoding(t *testing.T) {
	good := []string{
		`{"user_id":"u1","authentication_method":"password","claims":{"aud":"authenticated","exp":1,"sub":"u1","email":"ada@example.com","phone":"","role":"authenticated","aal":"aal1","session_id":"s1","is_anonymous":false,"app_metadata":{"plan":"pro"},"user_metadata":{}}}`,
		`{"user_id":"u1","claims":{}}`,
		` { "user_id" : "u\"1\u00e9<&>" , "claims" : { "email" : null , "phone" : "+1 555" , "app_metadata" : null , "user_metadata" : { "a" : [ 1 , 2 ] } } , "authentication_method" : null } `,
		`{"user_id":"old","user_id":"u2","claims":{"session_id":"","email":"a@b"},"authentication_method":"oauth","extra":[{"x":1}]}`,
		`{"claims":{"app_metadata":{"k\n":"v"},"user_metadata":{"é":"ü"}},"user_id":"u3"}`,
		`{"user_\u0069d":"u5","claims":{"session_id":"s"}}`,
		`{"user_\u0069d":"u4","cl\u0061ims":{"email":"a@b"},"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":[{"h":null}]}`,
	}
	for _, body := range good {
		want, err := referenceAccessTokenEvent([]byte(body))
		if err != nil {
			t.Fatalf("%s: reference: %v", body, err)
		}
		got, err := appendSupabaseAccessTokenEvent([]byte("prefix"), []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if !bytes.HasPrefix(got, []byte("prefix")) {
			t.Fatalf("%s: not appended: %s", body, got)
		}
		var g, w any
		if err := json.Unmarshal(got[len("prefix"):], &g); err != nil {
			t.Fatalf("%s: %v in %s", body, err, got)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\n got %s\nwant %s", body, got[len("prefix"):], want)
		}
	}
	bad := []string{
		`not json`, `[]`, `{"user_id":"u1","claims":{}`, `{"user_id":"u1","claims":{}} x`,
		`{"claims":{}}`, `{"user_id":"","claims":{}}`, `{"user_id":null,"claims":{}}`, `{"user_id":7,"claims":{}}`,
		`{"user_id":"u1"}`, `{"user_id":"u1","claims":null}`, `{"user_id":"u1","claims":[1]}`,
		`{"user_id":"u1","claims":{},"authentication_method":5}`,
		`{"user_id":"u1","claims":{"email":1}}`, `{"user_id":"u1","claims":{"phone":true}}`, `{"user_id":"u1","claims":{"session_id":{}}}`,
		`{"user_id":"u1","claims":{"app_metadata":[]}}`, `{"user_id":"u1","claims":{"user_metadata":"x"}}`,
	}
	for _, body := range bad {
		_, werr := referenceAccessTokenEvent([]byte(body))
		_, gerr := appendSupabaseAccessTokenEvent(nil, []byte(body))
		var we, ge *ShapeError
		if !errors.As(werr, &we) || !errors.As(gerr, &ge) {
			t.Errorf("%s: reference %v, got %v", body, werr, gerr)
			continue
		}
		if ge.Field != we.Field {
			t.Errorf("%s: names %q (%s), the reference %q (%s)", body, ge.Field, ge, we.Field, we)
		}
	}
}

// TestSupabaseAccessTokenAllocations: making the event and the answer into buffers that have room
// allocates nothing (the claims the actions set are json.RawMessage, as the runner records them).
func TestSupabaseAccessTokenAllocations(t *testing.T) {
	body := []byte(`{"user_id":"u1","authentication_method":"password","claims":{"aud":"authenticated","exp":1,"sub":"u1","email":"ada@example.com","phone":"","role":"authenticated","session_id":"s1","app_metadata":{"plan":"pro"},"user_metadata":{}}}`)
	res := &runner.Result{}
	res.Effects.IDTokenClaims = map[string]any{"method": json.RawMessage(`"pwd"`)}
	res.Effects.AccessTokenClaims = map[string]any{"plan": json.RawMessage(`"pro"`)}
	ev, ans := make([]byte, 0, 4096), make([]byte, 0, 4096)
	n := testing.AllocsPerRun(100, func() {
		if _, err := appendSupabaseAccessTokenEvent(ev, body); err != nil {
			t.Fatal(err)
		}
		if _, _, reason, msg := appendSupabaseAccessTokenAnswer(ans, body, res); reason != "" {
			t.Fatal(msg)
		}
	})
	if n != 0 {
		t.Errorf("%v allocations a request", n)
	}
}

// referenceAccessTokenEvent is the custom-access-token mapping as encoding/json makes it, decoding
// into structs and encoding them: the hand-written appendSupabaseAccessTokenEvent must agree with it.
func referenceAccessTokenEvent(body []byte) ([]byte, error) {
	var in struct {
		UserID               string          `json:"user_id"`
		Claims               json.RawMessage `json:"claims"`
		AuthenticationMethod string          `json:"authentication_method"`
	}
	if err := decodeShape(body, "", &in); err != nil {
		return nil, err
	}
	if in.UserID == "" {
		return nil, &ShapeError{Field: "user_id", Want: "a non-empty string"}
	}
	if !isObject(in.Claims) {
		return nil, &ShapeError{Field: "claims", Want: "an object"}
	}
	var claims struct {
		Email        string          `json:"email"`
		Phone        string          `json:"phone"`
		SessionID    string          `json:"session_id"`
		AppMetadata  json.RawMessage `json:"app_metadata"`
		UserMetadata json.RawMessage `json:"user_metadata"`
	}
	if err := decodeShape(in.Claims, "claims.", &claims); err != nil {
		return nil, err
	}
	for _, m := range [...]struct {
		name string
		v    *json.RawMessage
	}{{"claims.app_metadata", &claims.AppMetadata}, {"claims.user_metadata", &claims.UserMetadata}} {
		if len(*m.v) == 0 || string(*m.v) == "null" {
			*m.v = emptyObject
		} else if !isObject(*m.v) {
			return nil, &ShapeError{Field: m.name, Want: "an object"}
		}
	}
	type method struct {
		Name string `json:"name"`
	}
	var ev struct {
		User struct {
			UserID       string          `json:"user_id"`
			Email        string          `json:"email,omitempty"`
			PhoneNumber  string          `json:"phone_number,omitempty"`
			AppMetadata  json.RawMessage `json:"app_metadata"`
			UserMetadata json.RawMessage `json:"user_metadata"`
		} `json:"user"`
		Authentication *struct {
			Methods []method `json:"methods"`
		} `json:"authentication,omitempty"`
		Session *struct {
			ID string `json:"id"`
		} `json:"session,omitempty"`
		Supabase struct {
			Claims               json.RawMessage `json:"claims"`
			AuthenticationMethod string          `json:"authentication_method"`
		} `json:"supabase"`
	}
	ev.User.UserID, ev.User.Email, ev.User.PhoneNumber = in.UserID, claims.Email, claims.Phone
	ev.User.AppMetadata, ev.User.UserMetadata = claims.AppMetadata, claims.UserMetadata
	if in.AuthenticationMethod != "" {
		ev.Authentication = &struct {
			Methods []method `json:"methods"`
		}{Methods: []method{{Name: in.AuthenticationMethod}}}
	}
	if claims.SessionID != "" {
		ev.Session = &struct {
			ID string `json:"id"`
		}{ID: claims.SessionID}
	}
	ev.Supabase.Claims, ev.Supabase.AuthenticationMethod = in.Claims, in.AuthenticationMethod
	return json.Marshal(&ev)
}

// TestSupabaseExpressible: every Supabase hook says what it can express, and Expressible, which
// validate reads, lists each with the trigger it runs.
func TestSupabaseExpressible(t *testing.T) {
	hooks := supabaseHooks()
	listed := map[string]string{}
	for _, h := range Expressible() {
		if h.Bridge == "supabase" {
			listed[h.Hook] = h.Trigger
		}
	}
	for name, h := range hooks {
		if _, ok := supabaseExpressible[name]; !ok {
			t.Errorf("hook %s has no list of the commands it expresses", name)
		}
		if listed[name] != h.Trigger {
			t.Errorf("Expressible lists %s with trigger %q, want %q", name, listed[name], h.Trigger)
		}
	}
	if len(listed) != len(hooks) {
		t.Errorf("Expressible lists %d supabase hooks, the bridge has %d", len(listed), len(hooks))
	}
}

// TestEncodedHook: a hook made of an event and an answer value (Supabase's seldom hooks) answers
// through MakeEvent and MakeAnswer as the appending ones do: the value encoded without HTML
// escaping and appended to the buffer, a Reply with its own status, and a value that cannot be
// encoded no answer, with the reason.
func TestEncodedHook(t *testing.T) {
	var give any
	h := encodedHook("post-login", func(body []byte) ([]byte, error) { return append([]byte(`{"b":`), append(body, '}')...), nil },
		func([]byte, *runner.Result) (any, string, string) { return give, "", "" })
	if ev, err := h.MakeEvent([]byte("ignored"), []byte(`1`)); err != nil || string(ev) != `{"b":1}` {
		t.Errorf("event %s %v", ev, err)
	}
	for _, c := range []struct {
		give   any
		status int
		want   string
	}{
		{map[string]string{"m": "<a&b>"}, 200, `{"m":"<a&b>"}`},
		{Reply{Status: 403, Body: map[string]int{"code": 1}}, 403, `{"code":1}`},
	} {
		give = c.give
		ans, status, reason, msg := h.MakeAnswer([]byte("x"), nil, &runner.Result{})
		if string(ans) != "x"+c.want || status != c.status || reason != "" {
			t.Errorf("%v: %s %d %s %s", c.give, ans, status, reason, msg)
		}
	}
	give = func() {}
	if ans, _, reason, msg := h.MakeAnswer(nil, nil, &runner.Result{}); ans != nil || reason != ReasonExecutionError || !strings.Contains(msg, "encoding the answer") {
		t.Errorf("unencodable: %s %s %s", ans, reason, msg)
	}
}
