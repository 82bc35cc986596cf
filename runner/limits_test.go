package runner

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestTimeoutDoesNotStopOtherExecutions(t *testing.T) {
	spin := newAction("spin", `exports.onExecutePostLogin = async () => { while (true) {} };`)
	spin.Timeout = 300 * time.Millisecond
	good := newAction("good", `exports.onExecutePostLogin = async (event, api) => {
  await new Promise((r) => setTimeout(r, 1));
  api.idToken.setCustomClaim('ok', event.n);
};`)
	spec := newSpec(spin, good)
	spec.Bindings = map[string][]string{"post-login": {"good"}}
	g := mustBuild(t, spec, Options{})
	ctx := context.Background()

	var wg sync.WaitGroup
	var spinRes *Result
	wg.Add(1)
	started := time.Now()
	go func() {
		defer wg.Done()
		spinRes, _ = g.Test(ctx, "spin", []byte(`{}`))
	}()
	// While spin burns its CPU, other executions are served.
	served := 0
	for time.Since(started) < 200*time.Millisecond {
		res := mustExecute(t, g, "post-login", `{"n":1}`)
		wantSuccess(t, res)
		served++
	}
	wg.Wait()
	if served == 0 {
		t.Errorf("no execution was served while spin ran")
	}
	if got, want := spinRes.Outcome, OutcomeFailed; got != want {
		t.Fatalf("spin outcome = %s, want %s", got, want)
	}
	if got, want := spinRes.Actions[0].Error.Message, "action spin exceeded its 300ms timeout"; got != want {
		t.Errorf("spin error = %q, want %q", got, want)
	}
	if n := len(g.actions["spin"].pool); n != 0 {
		t.Errorf("interrupted runtime went back to the pool (%d pooled)", n)
	}
	// A fresh runtime serves the next execution of the same action.
	spin2, _ := g.Test(ctx, "spin", []byte(`{}`))
	if spin2.Actions[0].Error == nil || spin2.Actions[0].Error.Message != "action spin exceeded its 300ms timeout" {
		t.Errorf("second spin: got %s, want the time-out error", toJSON(t, spin2))
	}
}

func TestBudgetAndCancellation(t *testing.T) {
	wait := newAction("wait", `exports.onExecutePostLogin = async () => { await new Promise((r) => setTimeout(r, 60000)); };`)
	g := mustBuild(t, newSpec(wait), Options{})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res, err := g.Execute(ctx, "post-login", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Actions[0].Error.Message, "action wait exceeded the execution's time budget"; got != want {
		t.Errorf("deadline: error = %q, want %q", got, want)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	res, err = g.Execute(ctx, "post-login", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Actions[0].Error.Message, "action wait was canceled: the request ended"; got != want {
		t.Errorf("cancel: error = %q, want %q", got, want)
	}
}
