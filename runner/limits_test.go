package runner

import (
	"cmp"
	"context"
	"runtime"
	"strings"
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

	// Options.Budget bounds an execution without any deadline of the request's.
	short := mustBuild(t, newSpec(newAction("wait", `exports.onExecutePostLogin = async () => { await new Promise((r) => setTimeout(r, 60000)); };`)), Options{Budget: 80 * time.Millisecond})
	res, err = short.Execute(context.Background(), "post-login", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Actions[0].Error.Message, "action wait exceeded the execution's time budget"; got != want {
		t.Errorf("Options.Budget: error = %q, want %q", got, want)
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

func TestRunawayCode(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		timeout time.Duration
		want    string // a prefix of the error message
		or      string // another prefix it may have
		quick   bool   // refused or over at once: nothing else need run meanwhile
	}{
		{
			name: "memory bomb of filled arrays",
			src:  `exports.onExecutePostLogin = async () => { const a = []; for (;;) a.push(new Array(1e6).fill(0)); };`,
			// It must meet the memory limit, not a timeout: filling takes 9–11 s alone, and 16–21 s
			// right after the conformance suite in the same process (the default 20 s failed in CI
			// runs here).
			timeout: 60 * time.Second,
			want:    "action bomb exceeded its memory limit of 64 MiB and was stopped",
			or:      "RangeError: Invalid array length", // an array's growth refused before it is allocated
		},
		{
			name: "memory bomb of sparse arrays",
			src:  `exports.onExecutePostLogin = async () => { const a = []; for (;;) a.push(new Array(1e6)); };`,
			want: "action bomb ",
		},
		{
			name: "string doubling",
			src:  `exports.onExecutePostLogin = async () => { let s = 'x'; for (;;) s = s + s + 'y'; };`,
			want: "RangeError: Invalid string length", // refused before it is allocated
		},
		{
			name:  "repeat past the string limit",
			quick: true,
			src:   `exports.onExecutePostLogin = async () => { 'x'.repeat(2 ** 28); };`,
			want:  "RangeError: Invalid string length",
		},
		{
			name:  "padEnd past the string limit",
			quick: true,
			src:   `exports.onExecutePostLogin = async () => { ''.padEnd(2 ** 30, 'ab'); };`,
			want:  "RangeError: Invalid string length",
		},
		{
			name:    "a promise that never settles while an interval runs",
			src:     `exports.onExecutePostLogin = async () => { setInterval(() => {}, 5); await new Promise(() => {}); };`,
			timeout: 100 * time.Millisecond,
			want:    "action bomb exceeded its 100ms timeout",
		},
		{
			name:  "throw of a non-Error object",
			quick: true,
			src:   `exports.onExecutePostLogin = async () => { throw { code: 42 }; };`,
			want:  "{ code: 42 }",
		},
		{
			name:  "unhandled rejection of a non-Error",
			quick: true,
			src:   `exports.onExecutePostLogin = async () => { Promise.reject(7); await new Promise((r) => setTimeout(r, 2)); };`,
			want:  "unhandled promise rejection: 7",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bomb := newAction("bomb", tt.src)
			bomb.Timeout = cmp.Or(tt.timeout, 20*time.Second)
			good := newAction("good", `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('ok', [1, 2, 3].map((x) => x * event.n)); };`)
			spec := newSpec(bomb, good)
			spec.Bindings = map[string][]string{"post-login": {"good"}}
			// The execution's budget (DefaultBudget, 20 s) must not end a bomb before its timeout.
			g := mustBuild(t, spec, Options{MemoryLimit: 64 << 20, Budget: bomb.Timeout + 5*time.Second})

			runtime.GC()
			before := heapInUse()
			done := make(chan *Result)
			go func() {
				res, _ := g.Test(context.Background(), "bomb", []byte(`{}`))
				done <- res
			}()
			served := 0
			var res *Result
		loop:
			for {
				select {
				case res = <-done:
					break loop
				default:
				}
				r := mustExecute(t, g, "post-login", `{"n":2}`)
				wantSuccess(t, r)
				served++
			}
			if res.Outcome != OutcomeFailed || res.Actions[0].Error == nil ||
				!strings.HasPrefix(res.Actions[0].Error.Message, tt.want) && (tt.or == "" || !strings.HasPrefix(res.Actions[0].Error.Message, tt.or)) {
				t.Fatalf("got %s, want failed with %q", toJSON(t, res.Actions), tt.want)
			}
			if served == 0 && !tt.quick { // a quick one may end before the first other execution
				t.Errorf("no other execution was served meanwhile")
			}
			// The runtime that ran away is dropped; its memory goes back.
			if n := len(g.actions["bomb"].pool); n != 0 && res.Actions[0].Error.Message != tt.want {
				t.Logf("%d runtimes pooled", n)
			}
			runtime.GC()
			if after := heapInUse(); after > before+32<<20 {
				t.Errorf("heap after = %d MiB, before = %d MiB: memory did not return", after>>20, before>>20)
			}
			wantSuccess(t, mustExecute(t, g, "post-login", `{"n":3}`))
		})
	}
}

func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func TestIntervalDoesNotOutliveItsExecution(t *testing.T) {
	a := newAction("tick", `let ticks = 0;
exports.onExecutePostLogin = async (event, api) => {
  const seen = ticks;
  setInterval(() => { ticks++; }, 1);
  await new Promise((r) => setTimeout(r, 5));
  api.idToken.setCustomClaim('seen', seen);
};`)
	g := mustBuild(t, newSpec(a), Options{PoolSize: 1})
	first := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, first)
	time.Sleep(20 * time.Millisecond)
	second := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, second)
	var n1, n2 int
	_ = jsonUnmarshal(first.Effects.IDTokenClaims["seen"], &n1)
	_ = jsonUnmarshal(second.Effects.IDTokenClaims["seen"], &n2)
	// Module scope persists (the second execution sees the first one's ticks), but no tick ran
	// between the executions: at most the ~5 of the first one's 5 ms.
	if n1 != 0 || n2 == 0 || n2 > 10 {
		t.Errorf("ticks seen = %d then %d, want 0 then the first execution's few", n1, n2)
	}
}

func TestActionsShareNothing(t *testing.T) {
	a := newAction("a", `const lib = require('./lib');
globalThis.leak = 'from a';
Array.prototype.evil = () => 'a was here';
Object.prototype.polluted = true;
JSON.stringify = () => '"hijacked"';
exports.onExecutePostLogin = async (event, api) => { lib.state.push('a'); };`)
	a.Source.Files["lib.js"] = []byte(`exports.state = [];`)
	b := newAction("b", `const lib = require('./lib');
exports.onExecutePostLogin = async (event, api) => {
  lib.state.push('b');
  api.idToken.setCustomClaim('b', [typeof globalThis.leak, typeof [].evil, ({}).polluted === undefined, JSON.stringify({ x: 1 }), lib.state.join()]);
};`)
	b.Source.Files["lib.js"] = []byte(`exports.state = [];`)
	g := mustBuild(t, newSpec(a, b), Options{})
	for range 2 {
		res := mustExecute(t, g, "post-login", `{}`)
		wantSuccess(t, res)
		var got []any
		_ = jsonUnmarshal(res.Effects.IDTokenClaims["b"], &got)
		if toJSON(t, got[:4]) != `["undefined","undefined",true,"{\"x\":1}"]` {
			t.Errorf("b sees a's changes: %s", toJSON(t, got))
		}
	}
}
