package runner

import (
	"strings"
	gosync "sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
)

// evenRouter sends the events whose "n" is even to the canary and records what it observed.
type evenRouter struct {
	mu   gosync.Mutex
	seen map[bool]int // canary -> runs
	fail map[bool]int
}

func (r *evenRouter) Canary(_ string, event []byte) bool {
	return strings.Contains(string(event), `"n":0`) || strings.Contains(string(event), `"n":2`)
}

func (r *evenRouter) Observe(_ string, canary, failed bool, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[canary]++
	if failed {
		r.fail[canary]++
	}
}

// TestStableRevision: a generation with a stable revision runs it or the canary as the Router
// says, says which in the result, reports each run, and a later generation reuses both revisions.
func TestStableRevision(t *testing.T) {
	canary := newAction("greet", `exports.onExecutePostLogin = async (e, api) => { throw new Error('canary'); };`)
	canary.Version = "v2"
	stable := newAction("greet", `exports.onExecutePostLogin = async (e, api) => { api.idToken.setCustomClaim('rev', 'stable'); };`)
	stable.Version = "v1"
	spec := newSpec(canary)
	spec.Stable = map[string]*ActionSpec{"greet": stable}
	r := &evenRouter{seen: map[bool]int{}, fail: map[bool]int{}}
	log := zaptest.NewLogger(t)
	g := mustBuild(t, spec, Options{Router: r, Logger: log})
	for n := range 4 {
		res := mustExecute(t, g, "post-login", `{"n":`+string(rune('0'+n))+`}`)
		wantCanary := n%2 == 0
		switch {
		case wantCanary && (res.Outcome != OutcomeFailed || res.Revision != RevisionCanary || res.Actions[0].Version != "v2"):
			t.Errorf("n=%d: %s %s %s, want the canary", n, res.Outcome, res.Revision, res.Actions[0].Version)
		case !wantCanary && (res.Outcome != OutcomeSuccess || res.Revision != RevisionStable || res.Actions[0].Version != "v1"):
			t.Errorf("n=%d: %s %s %s, want stable", n, res.Outcome, res.Revision, res.Actions[0].Version)
		}
	}
	if r.seen[true] != 2 || r.seen[false] != 2 || r.fail[true] != 2 || r.fail[false] != 0 {
		t.Errorf("observed %v runs, %v failures", r.seen, r.fail)
	}
	if v, ok := g.StableVersion("greet"); !ok || v != "v1" {
		t.Errorf("StableVersion = %q, %v", v, ok)
	}
	// The next generation, with the same two revisions, reuses both; Test runs the canary.
	spec.Generation = 8
	g2 := mustBuild(t, spec, Options{Router: r, Logger: log, Previous: g})
	if g2.stable["greet"] != g.stable["greet"] || g2.actions["greet"] != g.actions["greet"] {
		t.Error("the next generation rebuilt a revision it could reuse")
	}
	if res, err := g2.Test(t.Context(), "greet", []byte(`{"n":1}`)); err != nil || res.Actions[0].Version != "v2" {
		t.Errorf("Test: %v %+v, want the canary", err, res)
	}
	// Without a Router, a stable revision is a build error.
	if _, err := Build(t.Context(), spec, Options{}); err == nil || !strings.Contains(err.Error(), "Router") {
		t.Errorf("Build without a Router: %v", err)
	}
}
