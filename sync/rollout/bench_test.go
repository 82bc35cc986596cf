package rollout

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/runner"
)

const benchAction = `exports.onExecutePostLogin = async (event, api) => {
  const roles = event.authorization?.roles ?? [];
  api.idToken.setCustomClaim('https://example.com/roles', roles);
  api.accessToken.setCustomClaim('https://example.com/admin', roles.includes('admin'));
};`

func benchSpec(version string) *runner.ActionSpec {
	return &runner.ActionSpec{Name: "claims", Version: version, Trigger: "post-login",
		Source: runner.Source{Dir: "actions/claims", Entry: "index.js", Files: map[string][]byte{"index.js": []byte(benchAction + "\n// " + version)}}}
}

// BenchmarkExecuteRouting is the claims-only execution of runner's benchmarks, on a generation
// without a rollout and on one whose action is under rollout at 50% (routed by the hash of
// user.user_id, with each run counted): the difference is what routing costs an execution.
// Quote rollout/none as a ratio.
func BenchmarkExecuteRouting(b *testing.B) {
	ctx := context.Background()
	m, err := Open(Options{})
	if err != nil {
		b.Fatal(err)
	}
	cfg := &gitstore.Rollout{Steps: []int{50, 100}, Interval: time.Hour, Key: "user.user_id", Abort: gitstore.RolloutAbort{MinExecutions: 100}}
	m.Apply(map[string]*State{"claims": New("claims", cfg, "c1", "v1", "c2", "v2", "id2", time.Now())}, map[string]bool{"claims": true})

	plain := &runner.Spec{Commit: "c2", Generation: 1, Actions: map[string]*runner.ActionSpec{"claims": benchSpec("v2")},
		Bindings: map[string][]string{"post-login": {"claims"}}}
	routed := &runner.Spec{Commit: "c2", Generation: 2, Actions: map[string]*runner.ActionSpec{"claims": benchSpec("v2")},
		Bindings: map[string][]string{"post-login": {"claims"}}, Stable: map[string]*runner.ActionSpec{"claims": benchSpec("v1")}}
	events := make([][]byte, 1024)
	for i := range events {
		events[i] = fmt.Appendf(nil, `{"user":{"user_id":"auth0|%d","email":"ada@example.com","app_metadata":{"plan":"gold"}},`+
			`"authorization":{"roles":["admin","dev"]},"client":{"client_id":"abc","name":"web"},`+
			`"request":{"ip":"203.0.113.7","geoip":{"countryCode":"FR"}},"tenant":{"id":"t1"}}`, i)
	}
	for _, c := range []struct {
		name string
		spec *runner.Spec
	}{{"none", plain}, {"rollout", routed}} {
		b.Run(c.name, func(b *testing.B) {
			g, err := runner.Build(ctx, c.spec, runner.Options{Router: m})
			if err != nil {
				b.Fatal(err)
			}
			defer g.Close()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				res, err := g.Execute(ctx, "post-login", events[i%len(events)])
				if err != nil || res.Outcome != runner.OutcomeSuccess {
					b.Fatalf("%v %+v", err, res)
				}
				i++
			}
		})
	}
	st, _ := m.Get("claims")
	if st.Canary.Executions == 0 || st.Stable.Executions == 0 {
		b.Fatalf("the rollout generation routed nothing to one revision: %+v %+v", st.Stable, st.Canary)
	}
}

// BenchmarkExecuteRoutingInterleaved runs the two generations of BenchmarkExecuteRouting in
// turn within each iteration, so that the load of a shared machine falls on both alike, and
// reports each one's time per execution and their ratio (rollout/none).
func BenchmarkExecuteRoutingInterleaved(b *testing.B) {
	// 50: half the executions on each revision (two pools of runtimes); 100: every execution on
	// the canary, so that only the routing and the counting differ from none.
	for _, pct := range []int{50, 100} {
		b.Run(fmt.Sprintf("%dpct", pct), func(b *testing.B) { benchInterleaved(b, pct) })
	}
}

func benchInterleaved(b *testing.B, pct int) {
	ctx := context.Background()
	m, err := Open(Options{})
	if err != nil {
		b.Fatal(err)
	}
	steps := []int{pct}
	if pct < 100 {
		steps = append(steps, 100)
	}
	cfg := &gitstore.Rollout{Steps: steps, Interval: time.Hour, Key: "user.user_id", Abort: gitstore.RolloutAbort{MinExecutions: 100}}
	m.Apply(map[string]*State{"claims": New("claims", cfg, "c1", "v1", "c2", "v2", "id2", time.Now())}, map[string]bool{"claims": true})
	build := func(stable bool) *runner.Generation {
		spec := &runner.Spec{Commit: "c2", Generation: 1, Actions: map[string]*runner.ActionSpec{"claims": benchSpec("v2")},
			Bindings: map[string][]string{"post-login": {"claims"}}}
		if stable {
			spec.Stable = map[string]*runner.ActionSpec{"claims": benchSpec("v1")}
		}
		g, err := runner.Build(ctx, spec, runner.Options{Router: m})
		if err != nil {
			b.Fatal(err)
		}
		return g
	}
	none, routed := build(false), build(true)
	defer none.Close()
	defer routed.Close()
	events := make([][]byte, 1024)
	for i := range events {
		events[i] = fmt.Appendf(nil, `{"user":{"user_id":"auth0|%d","email":"ada@example.com"},"authorization":{"roles":["admin","dev"]}}`, i)
	}
	var tNone, tRouted time.Duration
	i := 0
	for b.Loop() {
		ev := events[i%len(events)]
		i++
		t0 := time.Now()
		if _, err := none.Execute(ctx, "post-login", ev); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := routed.Execute(ctx, "post-login", ev); err != nil {
			b.Fatal(err)
		}
		tNone, tRouted = tNone+t1.Sub(t0), tRouted+time.Since(t1)
	}
	b.ReportMetric(float64(tNone.Nanoseconds())/float64(i), "none-ns/exec")
	b.ReportMetric(float64(tRouted.Nanoseconds())/float64(i), "rollout-ns/exec")
	b.ReportMetric(float64(tRouted)/float64(tNone), "rollout/none")
}

// BenchmarkRoute is the routing decision alone: the key's lookup in the event and its hash.
func BenchmarkRoute(b *testing.B) {
	r := newRoute("claims", "id2", "user.user_id", 50)
	ev := []byte(`{"user":{"user_id":"auth0|123","email":"ada@example.com","app_metadata":{"plan":"gold"}},"authorization":{"roles":["admin","dev"]}}`)
	b.ReportAllocs()
	for b.Loop() {
		r.canary(ev)
	}
}
