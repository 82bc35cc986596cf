package bridges

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/actionsd/actionsd/runner"
)

// supabaseBenchBody is a custom access token hook's payload as Supabase sends it (bench/bridgeload's).
const supabaseBenchBody = `{"user_id":"auth0|123","authentication_method":"password","claims":{"aud":"authenticated","exp":1999999999,"iat":1700000000,"sub":"auth0|123","email":"ada@example.com","phone":"","role":"authenticated","aal":"aal1","session_id":"s1","is_anonymous":false,"app_metadata":{"plan":"gold"},"user_metadata":{}}}`

// supabaseBenchResult is what bench/actions/claims makes of the hook's event: a claim in each
// token.
func supabaseBenchResult() *runner.Result {
	res := &runner.Result{ExecutionID: "0193c0de-0000-7000-8000-000000000000", Trigger: "post-login", Commit: "c0ffee", Generation: 1,
		Outcome: runner.OutcomeSuccess, Actions: []runner.ActionResult{{Name: "claims", Version: "v1"}}}
	res.Commands = []runner.Command{
		{Action: "claims", Op: "idToken.setCustomClaim", Args: []any{"https://example.com/roles", json.RawMessage(`[]`)}},
		{Action: "claims", Op: "accessToken.setCustomClaim", Args: []any{"https://example.com/admin", json.RawMessage(`false`)}},
	}
	res.Effects.IDTokenClaims = map[string]any{"https://example.com/roles": json.RawMessage(`[]`)}
	res.Effects.AccessTokenClaims = map[string]any{"https://example.com/admin": json.RawMessage(`false`)}
	return res
}

// BenchmarkSupabaseWork measures the custom access token hook's own pieces per request: the
// signature with the replay check, the event, the answer, and the result document the history
// records (which the execute route encodes once for its answer and its record alike).
func BenchmarkSupabaseWork(b *testing.B) {
	brs, err := New(Config{Supabase: testSecret})
	if err != nil {
		b.Fatal(err)
	}
	sb := brs[1]
	hook, _ := sb.Hook("custom-access-token")
	body := []byte(supabaseBenchBody)
	res := supabaseBenchResult()
	var eb, ab []byte
	b.Run("verify", func(b *testing.B) {
		now := time.Now()
		hs := make([]http.Header, 1<<14)
		for i := range hs {
			hs[i] = signed(b, "msg_"+strconv.Itoa(i)+"_"+strconv.FormatInt(now.UnixNano(), 36), now, body)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			key, forget, reason, ok := sb.Verifier().Verify(hs[i%len(hs)], body, now)
			if !ok {
				b.Fatal(reason)
			}
			sb.Seen(key, forget, now)
			i++
		}
	})
	b.Run("event", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ev, err := hook.MakeEvent(eb[:0], body)
			if err != nil {
				b.Fatal(err)
			}
			eb = ev
		}
	})
	b.Run("answer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ans, _, reason, _ := hook.MakeAnswer(ab[:0], body, res)
			if reason != "" {
				b.Fatal(reason)
			}
			ab = ans
		}
	})
	b.Run("result", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, err := res.AppendJSON(ab[:0])
			if err != nil {
				b.Fatal(err)
			}
			ab = out
		}
	})
}
