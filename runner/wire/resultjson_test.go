package wire

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// plainResult is Result without its MarshalJSON: what encoding/json writes by reflection.
type plainResult Result

// reflectJSON is the reference encoding of r: encoding/json with HTML escaping off, nil Effects
// maps as {} (what AppendJSON documents).
func reflectJSON(t testing.TB, r *Result) ([]byte, error) {
	t.Helper()
	c := *r
	for _, m := range []*map[string]any{&c.Effects.IDTokenClaims, &c.Effects.AccessTokenClaims,
		&c.Effects.AppMetadata, &c.Effects.UserMetadata} {
		if *m == nil {
			*m = map[string]any{}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode((*plainResult)(&c))
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

func checkResultJSON(t *testing.T, r *Result) {
	t.Helper()
	want, wantErr := reflectJSON(t, r)
	got, err := r.AppendJSON(nil)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("AppendJSON error %v, encoding/json error %v", err, wantErr)
	}
	if err == nil && !bytes.Equal(got, want) {
		t.Errorf("AppendJSON:\n got %s\nwant %s", got, want)
	}
	// json.Marshal goes through MarshalJSON and keeps encoding/json's HTML escaping.
	var ref bytes.Buffer
	if wantErr == nil {
		_ = json.Compact(&ref, want)
		var esc bytes.Buffer
		json.HTMLEscape(&esc, ref.Bytes())
		m, err := json.Marshal(r)
		if err != nil || !bytes.Equal(m, esc.Bytes()) {
			t.Errorf("json.Marshal: %v\n got %s\nwant %s", err, m, esc.Bytes())
		}
	}
}

func TestResultJSON(t *testing.T) {
	scopes := []string{"read:a", "<b>"}
	var nilScopes []string
	tests := []struct {
		name string
		give *Result
	}{
		{"empty", &Result{}},
		{"nil slices", &Result{ExecutionID: "x", Actions: nil, Commands: nil}},
		{"usual", &Result{
			ExecutionID: "0123456789abcdef0123456789abcdef", Trigger: "post-login", Commit: "abc", Generation: 7,
			Outcome: OutcomeSuccess,
			Actions: []ActionResult{{Name: "claims", Version: "v1", DurationMS: 0.042317, Logs: []string{}}},
			Commands: []Command{
				{Action: "claims", Op: "idToken.setCustomClaim", Args: []any{"https://example.com/roles", json.RawMessage(`["admin","dev"]`)}},
				{Action: "claims", Op: "accessToken.setCustomClaim", Args: []any{"https://example.com/admin", json.RawMessage(`true`)}},
			},
			Effects: Effects{
				IDTokenClaims:     map[string]any{"https://example.com/roles": json.RawMessage(`["admin","dev"]`)},
				AccessTokenClaims: map[string]any{"https://example.com/admin": json.RawMessage(`true`)},
			},
		}},
		{"every field", &Result{
			ExecutionID: "id", Trigger: "t", Commit: "c", Generation: -1, Outcome: OutcomeRedirect,
			Actions: []ActionResult{
				{Name: "a", Version: "", DurationMS: 1e-7, Logs: []string{"line <1> & \"two\"", "tab\tnew\nline\x01\x7f"},
					Error: &Error{Message: "boom\u2028\u2029", File: "actions/a/index.js", Line: 3, Col: 11}},
				{Name: "b", DurationMS: 1e21, Logs: nil, Error: &Error{Message: "no position"}},
				{Name: "c", DurationMS: 123456.789},
			},
			Commands: []Command{
				{Action: "a", Op: "noargs"},
				{Action: "a", Op: "empty", Args: []any{}},
				{Action: "a", Op: "mixed", Args: []any{nil, true, 1.5, 3, int64(-4), "s", []string{"x"}, []any{"y", 2.0},
					map[string]any{"k": "v", "a": nil}, json.RawMessage(`{"a": [1, 2]}`), json.RawMessage(nil),
					json.RawMessage(`-0.5e-3`), json.RawMessage(`"ünï"`), json.RawMessage(`[[],[1,[true,null]]]`),
					struct {
						X int `json:"x"`
					}{5}}},
			},
			Effects: Effects{
				IDTokenClaims:     map[string]any{"z": json.RawMessage(`1`), "a": json.RawMessage(`"x y"`), "m": "plain"},
				AccessTokenClaims: map[string]any{},
				AppMetadata:       map[string]any{"k": json.RawMessage(`null`)},
				UserMetadata:      nil,
				Access:            Access{Denied: true, Reason: "r", Code: "c", Action: "a", UserMessage: "u"},
				Redirect:          &Redirect{URL: "https://x/?a=1&b=2", State: "st", FormID: "f", Form: json.RawMessage(`{"x":1}`)},
				Multifactor:       &Multifactor{Provider: "any", Options: map[string]any{"allowRememberBrowser": true, "n": 2.0}},
				ScopesAdded:       scopes,
				ScopesRemoved:     []string{"c"},
				TargetScopes:      &nilScopes,
				Validation:        &ValidationError{Code: "c", Message: "m", Action: "a"},
				Notification:      &Notification{Op: "drop", Reason: "r", Action: "a"},
				ResultURL:         "https://r",
			},
		}},
		{"omitted", &Result{Effects: Effects{Redirect: &Redirect{State: "s"}, Multifactor: &Multifactor{Provider: "none"},
			TargetScopes: &scopes, Notification: &Notification{Op: "retry", Action: "a"}}}},
		{"invalid utf-8", &Result{ExecutionID: "a\xffb\xc3", Actions: []ActionResult{{Logs: []string{"\xed\xa0\x80"}}}}},
		{"bad raw message", &Result{Commands: []Command{{Args: []any{json.RawMessage(`{"a":`)}}}}},
		{"leading zero", &Result{Commands: []Command{{Args: []any{json.RawMessage(`0123`)}}}}},
		{"outbound", &Result{Outbound: []Exchange{
			{Action: "a", Method: "GET", URL: "https://api.example/x?a=1&b=<2>", Status: 200,
				RequestHeaders:  map[string][]string{"User-Agent": {"actionsd"}, "Accept": {"*/*", "x"}},
				ResponseHeaders: map[string][]string{"Content-Type": {"application/json"}},
				ResponseBody:    []byte(`{"ok":true}`), ResponseBodyTruncated: true},
			{Action: "b", Method: "POST", URL: "http://x", RequestBody: []byte{0, 1, 0xff}, RequestBodyTruncated: true,
				RequestHeaders: map[string][]string{}, Error: "connection refused"},
			{},
		}}},
		{"empty outbound", &Result{Outbound: []Exchange{}}},
		{"NaN", &Result{Actions: []ActionResult{{DurationMS: math.NaN()}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkResultJSON(t, tt.give) })
	}
}

func FuzzResultJSON(f *testing.F) {
	f.Add("hello", []byte(`["a","b"]`), 1.25)
	f.Add("\u2028<&>\x00\xff", []byte(`{"a": 1}`), 1e-7)
	f.Add("", []byte(`-0`), 0.0)
	f.Fuzz(func(t *testing.T, s string, raw []byte, d float64) {
		r := &Result{
			ExecutionID: s,
			Actions:     []ActionResult{{Name: s, DurationMS: d, Logs: []string{s}, Error: &Error{Message: s}}},
			Commands:    []Command{{Action: s, Op: s, Args: []any{s, json.RawMessage(raw)}}},
			Effects:     Effects{IDTokenClaims: map[string]any{s: json.RawMessage(raw), "k": s}},
		}
		checkResultJSON(t, r)
	})
}
