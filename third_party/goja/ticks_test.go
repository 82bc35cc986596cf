package goja

// Tests of the actionsd fork's tick hook (ticks.go, PATCHES.md).

import (
	"strings"
	"testing"
)

// newTickRuntime is a runtime with Node's process.nextTick as tick(fn): a queue that the tick hook
// runs.
func newTickRuntime(t *testing.T) *Runtime {
	t.Helper()
	r := New()
	var queue []Callable
	r.Set("tick", func(call FunctionCall) Value {
		fn, ok := AssertFunction(call.Argument(0))
		if !ok {
			panic(r.NewTypeError("not a function"))
		}
		queue = append(queue, fn)
		return _undefined
	})
	r.SetTickHook(func() {
		for len(queue) > 0 {
			fn := queue[0]
			queue = queue[1:]
			if _, err := fn(_undefined); err != nil {
				t.Errorf("tick: %v", err)
			}
		}
	})
	return r
}

func TestTickHookOrder(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"ticks before the jobs of the same call", `
			Promise.resolve().then(() => o.push('p')); tick(() => o.push('t')); o.push('sync');`, "sync t p"},
		{"ticks queued by jobs after all jobs", `
			Promise.resolve().then(() => { o.push('p1'); tick(() => o.push('t')); Promise.resolve().then(() => o.push('p2')); });`,
			"p1 p2 t"},
		{"ticks queued by ticks before jobs", `
			Promise.resolve().then(() => o.push('p1'));
			tick(() => { o.push('t1'); Promise.resolve().then(() => o.push('p2')); tick(() => o.push('t2')); });`,
			"t1 t2 p1 p2"},
		{"jobs queued by late ticks run", `
			Promise.resolve().then(() => tick(() => { o.push('t'); Promise.resolve().then(() => o.push('p')); }));`,
			"t p"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newTickRuntime(t)
			if _, err := r.RunString(`var o = [];` + tc.src); err != nil {
				t.Fatal(err)
			}
			got := r.Get("o").Export().([]interface{})
			var parts []string
			for _, p := range got {
				parts = append(parts, p.(string))
			}
			if s := strings.Join(parts, " "); s != tc.want {
				t.Errorf("order %q, want %q", s, tc.want)
			}
		})
	}
}

func TestTickHookInterrupt(t *testing.T) {
	r := New()
	ran := false
	r.SetTickHook(func() {
		if ran {
			return
		}
		ran = true
		fn, _ := AssertFunction(r.Get("forever"))
		r.Interrupt("stop")
		if _, err := fn(_undefined); err != nil {
			panic(err)
		}
	})
	_, err := r.RunString(`var forever = function () { for (;;) {} };`)
	if _, ok := err.(*InterruptedError); !ok {
		t.Fatalf("err = %v, want an *InterruptedError", err)
	}
	if _, err := r.RunString(`1`); err != nil {
		t.Fatalf("the runtime after the interruption: %v", err)
	}
}
