package runner

import (
	"context"
	"sync"
	"testing"
)

func TestIncrementalBuildReusesUnchangedActions(t *testing.T) {
	logger := func(v int) *ModuleSpec {
		return newModule("logger", 1, `exports.tag = () => 'v' + actions.secrets.V;`, map[string]string{"V": string(rune('0' + v))})
	}
	spec := func(aSrc string, loggerSecret int) *Spec {
		a := newAction("a", aSrc)
		b := newAction("b", `const l = require('actions:logger');
exports.onExecutePostLogin = async (event, api) => { await new Promise((r) => setTimeout(r, event.wait || 0)); api.idToken.setCustomClaim('b', l.tag()); };`)
		b.Modules = map[string]*ModuleSpec{"logger": logger(loggerSecret)}
		c := newAction("c", `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('c', 1); };`)
		c.Secrets = map[string]string{"K": "same"}
		return newSpec(a, b, c)
	}
	opts := Options{PoolSize: 2}
	g1, err := Build(context.Background(), spec(`exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('a', 1); };`, 1), opts)
	if err != nil {
		t.Fatal(err)
	}

	// A slow execution on g1 is in flight while g2 is built and g1 closes.
	var wg sync.WaitGroup
	var inflight *Result
	wg.Add(1)
	go func() {
		defer wg.Done()
		inflight, _ = g1.Execute(context.Background(), "post-login", []byte(`{"wait":50}`))
	}()

	opts.Previous = g1
	g2, err := Build(context.Background(), spec(`exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('a', 2); };`, 1), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer g2.Close()
	if g2.actions["a"] == g1.actions["a"] {
		t.Errorf("changed action a was reused")
	}
	for _, name := range []string{"b", "c"} {
		if g2.actions[name] != g1.actions[name] {
			t.Errorf("unchanged action %s was rebuilt", name)
		}
	}
	g1.Close()
	wg.Wait()
	if inflight == nil || inflight.Outcome != OutcomeSuccess || toJSON(t, inflight.Effects.IDTokenClaims) != `{"a":1,"b":"v1","c":1}` {
		t.Errorf("in-flight execution on the closed generation: %s", toJSON(t, inflight))
	}
	if n := len(g2.actions["b"].pool); n == 0 {
		t.Errorf("closing the old generation drained the pool of a reused action")
	}
	res := mustExecute(t, g2, "post-login", `{}`)
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"a":2,"b":"v1","c":1}`; got != want {
		t.Errorf("g2 claims = %s, want %s", got, want)
	}

	// A rotated module secret rebuilds the actions that pin the module, and only them.
	opts.Previous = g2
	g3, err := Build(context.Background(), spec(`exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('a', 2); };`, 2), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer g3.Close()
	if g3.actions["b"] == g2.actions["b"] || g3.actions["a"] != g2.actions["a"] || g3.actions["c"] != g2.actions["c"] {
		t.Errorf("rotation of logger's secret: reused a=%v b=%v c=%v, want a and c only",
			g3.actions["a"] == g2.actions["a"], g3.actions["b"] == g2.actions["b"], g3.actions["c"] == g2.actions["c"])
	}
	res = mustExecute(t, g3, "post-login", `{}`)
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"a":2,"b":"v2","c":1}`; got != want {
		t.Errorf("g3 claims = %s, want %s", got, want)
	}

	// Other options: nothing is reused.
	g4, err := Build(context.Background(), spec(`exports.onExecutePostLogin = async () => {};`, 2), Options{PoolSize: 3, Previous: g3})
	if err != nil {
		t.Fatal(err)
	}
	defer g4.Close()
	if g4.actions["c"] == g3.actions["c"] {
		t.Errorf("action reused across different options")
	}

	// A failed build gives back what it took: g3 closing still drains c.
	bad := spec(`exports.onExecutePostLogin = async () => {`, 2)
	if _, err := Build(context.Background(), bad, Options{PoolSize: 2, Previous: g3}); err == nil {
		t.Fatal("broken build succeeded")
	}
	g2.Close() // g2 and g3 share c
	g3.Close()
	if n := len(g3.actions["c"].pool); n != 0 {
		t.Errorf("closed generation still pools %d runtimes of c", n)
	}
}
