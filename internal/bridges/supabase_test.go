package bridges

import (
	"encoding/json"
	"reflect"
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
