package runner

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// An engine's background work (Precompile, the compiles of bundle chunks, those a ProgramCache
// precompiles for its builds) is over when Close returns: nothing it started is left running.
func TestEngineClosesWhatItStarted(t *testing.T) {
	before := goleak.IgnoreCurrent()
	e := NewEngine()
	e.Precompile()
	programs := NewProgramCache()
	a := newAction("a", `const pad = require('left-pad'); exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('p', pad('1', 3, '0')); };`)
	a.Source.Dependencies = map[string]string{"left-pad": "1.3.0"}
	a.Source.Bundle = testBundle("k-engine-1")
	g := mustBuild(t, newSpec(a), Options{Engine: e, Programs: programs})
	wantSuccess(t, mustExecute(t, g, "post-login", `{}`))
	// On e, the engine of the cache's builds; the large chunk is still compiling when Close is called.
	big := testBundle("k-engine-2")
	var src strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&src, `exports.f%d = function (a, b) { return [a + %d, b * %d, { k: 'v%d' }]; };
`, i, i, i, i)
	}
	big.Chunks["chunk-BIG.js"] = []byte(src.String())
	programs.Precompile(big)
	g.Close()
	e.Close()
	// At once: goleak below would wait for goroutines that end a little later.
	buf := make([]byte, 1<<20)
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "runner.(*Engine)") || strings.Contains(g, "runner.(*compileTask)") {
			t.Errorf("a goroutine of the engine runs after Close:\n%s", g)
		}
	}
	goleak.VerifyNone(t, before, goleak.IgnoreAnyFunction("github.com/dlclark/regexp2/v2.runClock"))
}

// A redirect state sealed without Options.StateKey opens in any generation of the same engine
// (a swap, or the default engine of zero Options) and in no other engine's.
func TestStateKeyPerEngine(t *testing.T) {
	redirect := func(g *Generation) (string, string) {
		res := mustExecute(t, g, "post-login", loginEvent)
		if res.Outcome != OutcomeRedirect {
			t.Fatalf("outcome = %s, want redirect", res.Outcome)
		}
		return externalSite(t, res.Effects.Redirect.URL, true)
	}
	ctx := context.Background()
	for _, tt := range []struct {
		name         string
		first, again Options
		wantOpen     bool
	}{
		{"default engine", Options{}, Options{}, true},
		{"one engine", Options{Engine: NewEngine()}, Options{}, true},
		{"two engines", Options{Engine: NewEngine()}, Options{Engine: NewEngine()}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.again.Engine == nil {
				tt.again.Engine = tt.first.Engine
			}
			state, token := redirect(mustBuild(t, consentSpec(), tt.first))
			next := mustBuild(t, consentSpec(), tt.again)
			res, err := next.Continue(ctx, state, continueBody(state, token))
			if tt.wantOpen && (err != nil || res.Outcome != OutcomeSuccess) {
				t.Errorf("Continue in the next generation: %v %v", err, res)
			}
			if !tt.wantOpen && !errors.Is(err, ErrBadState) {
				t.Errorf("Continue on another engine: %v, want ErrBadState", err)
			}
		})
	}
}
