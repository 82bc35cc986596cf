package goja

// Tests of the actionsd fork's limits (limits.go, PATCHES.md).

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// runLimited runs src on a fresh runtime, set up by setup, and fails the test if it has not
// returned after a generous bound (without the fork's checks these scripts run for minutes).
func runLimited(t *testing.T, src string, setup func(*Runtime)) (Value, error) {
	t.Helper()
	r := New()
	if setup != nil {
		setup(r)
	}
	type result struct {
		v   Value
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := r.RunString(src)
		done <- result{v, err}
	}()
	select {
	case res := <-done:
		return res.v, res.err
	case <-time.After(20 * time.Second):
		r.Interrupt("abandoned")
		t.Fatalf("%s: still running after 20 s", src)
		return nil, nil
	}
}

func TestInterruptStopsBuiltins(t *testing.T) {
	for _, src := range []string{
		`new Array(2**32-1).join('')`,
		`new Array(2**32-1).indexOf(1)`,
		`new Array(2**32-1).lastIndexOf(1)`,
		`new Array(2**32-1).includes(1)`,
		`new Array(2**32-1).forEach(() => {})`,
		`new Array(2**32-1).reverse()`,
		`new Array(2**32-1).copyWithin(0, 1)`,
		`new Array(2**32-1).sort()`,
		`Array.prototype.indexOf.call({length: 2**53-1}, 1)`,
		`Array.prototype.map.call({length: 2**32-1}, (x) => x)`,
		`Array.from(new Array(2**32-1).keys())`,
		`JSON.stringify(new Array(1e9))`,
		`String.raw({raw: {length: 2**53-1}})`,
		`new Float64Array(1 << 22).sort()`,
		`'a'.repeat(1e7).replace(/(?=a)a/g, 'b')`,
		`'ab'.repeat(3e6).replaceAll('', '-')`,
	} {
		t.Run(src, func(t *testing.T) {
			_, err := runLimited(t, src, func(r *Runtime) {
				time.AfterFunc(50*time.Millisecond, func() { r.Interrupt("stop") })
			})
			var ie *InterruptedError
			if !errors.As(err, &ie) || ie.Value() != "stop" {
				t.Fatalf("got %v, want the interruption", err)
			}
		})
	}
}

func TestAllocationCheck(t *testing.T) {
	const limit = 1 << 20
	tests := []struct {
		src, want string
	}{
		{`new ArrayBuffer(2**31)`, "RangeError: Array buffer allocation failed"},
		{`new Float64Array(2**28)`, "RangeError: Array buffer allocation failed"},
		{`new Uint8Array(2**20).slice(0)`, ""},
		{`new Uint8Array(2**20 + 1).slice(0)`, "RangeError: Array buffer allocation failed"},
		{`let s = 'x'.repeat(1 << 19); s = s + s; s + 'y'`, "RangeError: Invalid string length"},
		{`let s = '\u20ac'.repeat((1 << 18) + 1); s + s`, "RangeError: Invalid string length"},
		{"let s = 'x'.repeat(1 << 19); `${s}${s}!`", "RangeError: Invalid string length"},
		{`'x'.concat('y'.repeat(1 << 20))`, "RangeError: Invalid string length"},
		{`'x'.repeat(1 << 21)`, "RangeError: Invalid string length"},
		{`''.padStart(1 << 21)`, "RangeError: Invalid string length"},
		{`new Array(1 << 21).join('x')`, "RangeError: Invalid string length"},
		{`new Array(1 << 15).fill('x'.repeat(64)).join('')`, "RangeError: Invalid string length"},
		{`new Uint8Array(1 << 19).join(',')`, "RangeError: Invalid string length"},
		{`JSON.stringify('x'.repeat(1 << 20))`, "RangeError: Invalid string length"},
		{`JSON.stringify(new Array(1 << 18))`, "RangeError: Invalid string length"},
		{`'ab'.repeat(1 << 18).replace(/b/g, 'ccc')`, "RangeError: Invalid string length"},
		{`encodeURIComponent('\u20ac'.repeat(1 << 17))`, "RangeError: Invalid string length"},
		{`Array.from({length: 1 << 17})`, "RangeError: Invalid array length"},
		{`(function () {}).apply(null, {length: 1 << 17})`, "RangeError: Invalid array length"},
		{`const a = []; for (let i = 0; i < 1 << 17; i++) a.push(i)`, "RangeError: Invalid array length"},
		{`new Array(1 << 17).fill(0)`, "RangeError: Invalid array length"},
		{`'a,'.repeat(1 << 18).split(',')`, "RangeError: Invalid array length"},
		{`JSON.parse('[' + '0,'.repeat(1 << 17) + '0]')`, "RangeError: Invalid array length"},
		{`Object.keys(new Uint8Array(1 << 16))`, "RangeError: Invalid array length"},
		{`Object.keys('x'.repeat(1 << 16))`, "RangeError: Invalid array length"},
		{`JSON.stringify(new Uint8Array(1 << 16))`, "RangeError: Invalid array length"},
		{`eval('[' + '1,'.repeat(1 << 13) + ']')`, "RangeError: Source too large to compile"},
		{`new Function('return [' + '1,'.repeat(1 << 13) + ']')`, "RangeError: Source too large to compile"},
		{`eval('[' + '1,'.repeat(1 << 8) + ']').length`, ""},
		{`[1, 2, 3].map((x) => 'x'.repeat(1000)).join('').length`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			var largest int64
			_, err := runLimited(t, `try { `+tt.src+` } catch (e) { throw String(e) }`, func(r *Runtime) {
				r.SetAllocationCheck(64<<10, func(size int64) bool {
					if size < 64<<10 {
						t.Errorf("check called for %d bytes, below its minimum", size)
					}
					largest = max(largest, size)
					return size <= limit
				})
			})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			var ex *Exception
			if !errors.As(err, &ex) || ex.Value().String() != tt.want {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
			if largest <= limit {
				t.Errorf("the largest size checked was %d, within the limit", largest)
			}
		})
	}
}

func TestMaxStringLength(t *testing.T) {
	for _, src := range []string{
		`'x'.repeat(2**29)`,
		`''.padEnd(2**30, 'ab')`,
		`new Array(2**30).join('-')`,
		`'ab'.repeat(2**27).repeat(3)`,
	} {
		t.Run(src, func(t *testing.T) {
			_, err := runLimited(t, src, nil)
			var ex *Exception
			if !errors.As(err, &ex) || ex.Value().String() != "RangeError: Invalid string length" {
				t.Fatalf("got %v, want RangeError: Invalid string length", err)
			}
		})
	}
}

const catastrophic = `/^(?=a)(a+)+$/.test('a'.repeat(40) + '!')`

func TestRegExpDeadline(t *testing.T) {
	start := time.Now()
	_, err := runLimited(t, catastrophic, func(r *Runtime) { r.SetRegExpDeadline(time.Now().Add(100 * time.Millisecond)) })
	var ie *InterruptedError
	if !errors.As(err, &ie) || ie.Value() != ErrRegExpDeadline {
		t.Fatalf("got %v, want the deadline's interruption", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("stopped after %s, before the deadline", d)
	}

	// A pending interruption is the one reported.
	_, err = runLimited(t, catastrophic, func(r *Runtime) {
		r.SetRegExpDeadline(time.Now().Add(500 * time.Millisecond))
		time.AfterFunc(20*time.Millisecond, func() { r.Interrupt("stop") })
	})
	if !errors.As(err, &ie) || ie.Value() != "stop" {
		t.Fatalf("got %v, want the interruption", err)
	}

	// Matches of a global pattern, one after the other.
	_, err = runLimited(t, `('a'.repeat(40) + '!').replace(/(?=a)(a+)+b/g, '')`, func(r *Runtime) {
		r.SetRegExpDeadline(time.Now().Add(100 * time.Millisecond))
	})
	if !errors.As(err, &ie) || ie.Value() != ErrRegExpDeadline {
		t.Fatalf("global pattern: got %v, want the deadline's interruption", err)
	}

	// Past the deadline, no match starts; without one, they run as before.
	_, err = runLimited(t, `/(?=a)a/.test('a')`, func(r *Runtime) { r.SetRegExpDeadline(time.Now().Add(-time.Second)) })
	if !errors.As(err, &ie) {
		t.Fatalf("past deadline: got %v, want the deadline's interruption", err)
	}
	v, err := runLimited(t, `/(?=a)a/.test('a') && 'aXbX'.replace(/(?=X)X/g, '-') === 'a-b-'`, func(r *Runtime) {
		r.SetRegExpDeadline(time.Now().Add(time.Second))
		r.SetRegExpDeadline(time.Time{})
	})
	if err != nil || !v.ToBoolean() {
		t.Fatalf("no deadline: got %v, %v", v, err)
	}
}

// Runtimes that run one compiled program share its regular expressions: one's deadline must not
// reach another (run with -race).
func TestRegExpDeadlineIsPerRuntime(t *testing.T) {
	prg := MustCompile("rx.js", `function f(s) { return /^(?=a)(a+)+$/.test(s); } f`, false)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := New()
			fv, err := r.RunProgram(prg)
			if err != nil {
				t.Error(err)
				return
			}
			f, _ := AssertFunction(fv)
			for range 20 {
				if i%2 == 0 {
					r.SetRegExpDeadline(time.Now().Add(time.Millisecond))
					_, err := f(nil, r.ToValue(strings.Repeat("a", 40)+"!"))
					var ie *InterruptedError
					if !errors.As(err, &ie) {
						t.Errorf("got %v, want the deadline's interruption", err)
						return
					}
					r.ClearInterrupt()
					continue
				}
				v, err := f(nil, r.ToValue(strings.Repeat("a", 20)))
				if err != nil || !v.ToBoolean() {
					t.Errorf("without a deadline: got %v, %v", v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestNestingDepth(t *testing.T) {
	nested := map[string]string{
		"JSON.stringify": `let o = {}; for (let i = 0; i < N; i++) o = {a: o}; return JSON.stringify(o).length`,
		"JSON.parse":     `return JSON.parse('['.repeat(N) + ']'.repeat(N)).length`,
		"flat":           `let a = []; for (let i = 0; i < N; i++) a = [a]; return a.flat(Infinity).length`,
		"join":           `let a = []; for (let i = 0; i < N; i++) a = [a]; return String(a).length`,
	}
	for name, src := range nested {
		t.Run(name, func(t *testing.T) {
			// Past the call stack size: a RangeError, which leaves the runtime usable.
			v, err := runLimited(t, `
const deep = (N) => { try { `+src+`; } catch (e) { return String(e); } };
[deep(5000), deep(500), deep(5000), deep(500)].join(';')`, func(r *Runtime) { r.SetMaxCallStackSize(1000) })
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(v.String(), ";")
			for _, i := range []int{0, 2} {
				if parts[i] != "RangeError: Maximum call stack size exceeded" {
					t.Errorf("depth 5000: got %s", parts[i])
				}
			}
			for _, i := range []int{1, 3} {
				if strings.Contains(parts[i], "Error") {
					t.Errorf("depth 500: got %s", parts[i])
				}
			}
		})
	}
}

type jsonNode struct {
	Next *jsonNode
}

func TestJSONStringifyDeepCycles(t *testing.T) {
	for name, src := range map[string]string{
		"to the root":      `let root = {}, o = root; for (let i = 0; i < 100; i++) o = o.a = {}; o.a = root; JSON.stringify(root)`,
		"deep inside":      `let root = {}, o = root, mid; for (let i = 0; i < 100; i++) { o = o.a = {}; if (i === 60) mid = o; } o.a = mid; JSON.stringify(root)`,
		"through an array": `let root = [], o = root, mid; for (let i = 0; i < 100; i++) { o = o[0] = [{}]; if (i === 70) mid = o; } o[1] = mid; JSON.stringify(root)`,
		"go values":        `JSON.stringify(goNode)`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := runLimited(t, src, func(r *Runtime) {
				r.SetMaxCallStackSize(10000)
				nodes := make([]jsonNode, 100)
				for i := range 99 {
					nodes[i].Next = &nodes[i+1]
				}
				nodes[99].Next = &nodes[50]
				_ = r.Set("goNode", &nodes[0])
			})
			var ex *Exception
			if !errors.As(err, &ex) || !strings.Contains(ex.Value().String(), "circular structure") {
				t.Fatalf("got %v, want the circular structure TypeError", err)
			}
		})
	}
	// Deep but without a cycle, and the same object twice side by side, are no cycle.
	v, err := runLimited(t, `let o = {}, s = {}; for (let i = 0; i < 100; i++) o = {a: o, b: s, c: [s, s]}; JSON.stringify(o).length`, nil)
	if err != nil || v.ToInteger() == 0 {
		t.Fatalf("got %v, %v", v, err)
	}
}

func TestGlobalObjectPrototypeImmutable(t *testing.T) {
	r := New()
	if _, err := r.RunString(`Object.setPrototypeOf(globalThis, {})`); err != nil {
		t.Fatalf("before: %v", err)
	}
	r = New()
	r.SetGlobalObjectPrototypeImmutable()
	v, err := r.RunString(`
const p = Object.getPrototypeOf(globalThis);
const out = [];
try { Object.setPrototypeOf(globalThis, new Proxy({}, {})); out.push('set'); } catch (e) { out.push(e instanceof TypeError); }
out.push(Reflect.setPrototypeOf(globalThis, {}));
out.push(Reflect.setPrototypeOf(globalThis, p));
try { globalThis.__proto__ = {}; out.push('assigned'); } catch (e) { out.push(e instanceof TypeError); }
out.push(Object.getPrototypeOf(globalThis) === p);
const o = {}; Object.setPrototypeOf(o, null); out.push(Object.getPrototypeOf(o) === null);
out.join(',')`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.String(), "true,false,true,true,true,true"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
