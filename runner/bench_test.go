package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

const benchEvent = `{"user":{"user_id":"auth0|123","email":"ada@example.com","app_metadata":{"plan":"gold"}},` +
	`"authorization":{"roles":["admin","dev"]},"client":{"client_id":"abc","name":"web"},` +
	`"request":{"ip":"203.0.113.7","geoip":{"countryCode":"FR"}},"tenant":{"id":"t1"}}`

const claimsOnlyAction = `exports.onExecutePostLogin = async (event, api) => {
  const roles = event.authorization?.roles ?? [];
  api.idToken.setCustomClaim('https://example.com/roles', roles);
  api.accessToken.setCustomClaim('https://example.com/admin', roles.includes('admin'));
};`

// BenchmarkBaselineJSONDecode is what a plain Go handler does with the same event: decode it into
// a map and encode a fixed reply. Quote the runner's benchmarks as ratios to it.
func BenchmarkBaselineJSONDecode(b *testing.B) {
	reply := map[string]any{"outcome": "success", "id_token_claims": map[string]any{"https://example.com/roles": []string{"admin", "dev"}}}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		var ev map[string]any
		if err := json.Unmarshal([]byte(benchEvent), &ev); err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		if err := json.NewEncoder(&buf).Encode(reply); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExecuteClaimsOnly(b *testing.B) {
	g := mustBuild(b, newSpec(newAction("claims", claimsOnlyAction)), Options{})
	ctx := context.Background()
	event := []byte(benchEvent)
	res, err := g.Execute(ctx, "post-login", event)
	if err != nil || res.Outcome != OutcomeSuccess || len(res.Effects.IDTokenClaims) != 1 {
		b.Fatalf("warm-up: %v %s", err, toJSON(b, res))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Execute(ctx, "post-login", event); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExecuteQuickstart(b *testing.B) {
	const key = "k-0123456789"
	sink := newLogSink(b, key)
	sink.got, sink.keys = nil, nil
	g := mustBuild(b, quickstartSpec(sink.srv.URL, key), Options{HTTPClient: loopbackClient(b)})
	ctx := context.Background()
	event := []byte(benchEvent)
	res, err := g.Execute(ctx, "post-login", event)
	if err != nil || res.Outcome != OutcomeSuccess {
		b.Fatalf("warm-up: %v %s", err, toJSON(b, res))
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := g.Execute(ctx, "post-login", event)
		if err != nil || res.Outcome != OutcomeSuccess {
			b.Fatalf("%v %s", err, toJSON(b, res))
		}
	}
	b.StopTimer()
	sink.mu.Lock()
	sink.got, sink.keys = nil, nil
	sink.mu.Unlock()
}
