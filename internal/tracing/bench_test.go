package tracing_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/actionsd/actionsd/internal/tracing"
	"github.com/actionsd/actionsd/runner"
)

// The event and action of runner's BenchmarkExecuteClaimsOnly.
const (
	benchEvent = `{"user":{"user_id":"auth0|123","email":"ada@example.com","app_metadata":{"plan":"gold"}},` +
		`"authorization":{"roles":["admin","dev"]},"client":{"client_id":"abc","name":"web"},` +
		`"request":{"ip":"203.0.113.7","geoip":{"countryCode":"FR"}},"tenant":{"id":"t1"}}`
	claimsOnlyAction = `exports.onExecutePostLogin = async (event, api) => {
  const roles = event.authorization?.roles ?? [];
  api.idToken.setCustomClaim('https://example.com/roles', roles);
  api.accessToken.setCustomClaim('https://example.com/admin', roles.includes('admin'));
};`
)

// discard is an exporter that drops what the batch processor hands it.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// BenchmarkExecuteClaimsOnlyTraced is runner's BenchmarkExecuteClaimsOnly with tracing off (no
// Tracer: what the daemon runs without OTEL_* variables), on and sampled (the daemon's batch
// processor, to an exporter that drops the spans: the cost of recording two spans), and on but
// unsampled (a sampler that records nothing, as a ratio sampler does for most executions).
func BenchmarkExecuteClaimsOnlyTraced(b *testing.B) {
	for _, c := range []struct {
		name   string
		tracer func() (*tracing.Tracing, func())
	}{
		{"off", func() (*tracing.Tracing, func()) { return nil, func() {} }},
		{"sampled", func() (*tracing.Tracing, func()) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discard{}), sdktrace.WithSampler(sdktrace.AlwaysSample()))
			return tracing.New(tp), func() { _ = tp.Shutdown(context.Background()) }
		}},
		{"unsampled", func() (*tracing.Tracing, func()) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discard{}), sdktrace.WithSampler(sdktrace.NeverSample()))
			return tracing.New(tp), func() { _ = tp.Shutdown(context.Background()) }
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			tr, stop := c.tracer()
			defer stop()
			opts := runner.Options{}
			if tr != nil {
				opts.Tracer = tr
			}
			spec := &runner.Spec{Commit: "c", Generation: 1,
				Actions: map[string]*runner.ActionSpec{"claims": {Name: "claims", Version: "v1", Trigger: "post-login",
					Source: runner.Source{Dir: "actions/claims", Entry: "index.js", Files: map[string][]byte{"index.js": []byte(claimsOnlyAction)}}}},
				Bindings: map[string][]string{"post-login": {"claims"}}}
			g, err := runner.Build(context.Background(), spec, opts)
			if err != nil {
				b.Fatal(err)
			}
			defer g.Close()
			ctx, event := context.Background(), []byte(benchEvent)
			if res, err := g.Execute(ctx, "post-login", event); err != nil || res.Outcome != runner.OutcomeSuccess {
				b.Fatalf("warm-up: %v %+v", err, res)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.Execute(ctx, "post-login", event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
