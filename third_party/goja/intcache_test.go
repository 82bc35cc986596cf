package goja

import "testing"

// The boxed small integers are the values they stand for, in every way a Value is used.
func TestBoxedInts(t *testing.T) {
	for _, i := range []int64{0, 1, 255, 256, 1000, boxedIntCount - 1} {
		v := intToValue(i)
		if n, ok := v.(valueInt); !ok || int64(n) != i || v.ToInteger() != i || !v.SameAs(valueInt(i)) || v != Value(valueInt(i)) {
			t.Fatalf("intToValue(%d) = %#v", i, v)
		}
	}
	for _, i := range []int64{-1, -257, boxedIntCount, 1 << 40} {
		if v := intToValue(i); v.ToInteger() != i {
			t.Fatalf("intToValue(%d) = %v", i, v)
		}
	}
	vm := New()
	v, err := vm.RunString(`const m = new Map(); for (let i = 250; i < 70000; i++) m.set(i, i * 2); let s = 0; for (const [k, x] of m) s += x - 2 * k; [s, m.get(5000), m.size, 1000 === 999 + 1, Object.is(65535, 65534 + 1)].join()`)
	if err != nil || v.String() != "0,10000,69750,true,true" {
		t.Fatalf("%v %v", v, err)
	}
}

// An index loop over an array longer than 255 no longer allocates per step.
func TestBoxedIntsNoAlloc(t *testing.T) {
	vm := New()
	prg := MustCompile("", `(() => { let n = 0; for (let i = 0; i < 5000; i++) n = i; return n })()`, false)
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := vm.RunProgram(prg); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 100 {
		t.Fatalf("%v allocations for 5000 steps", allocs)
	}
}

func BenchmarkIndexLoop(b *testing.B) {
	vm := New()
	prg := MustCompile("", `(() => { const a = []; for (let i = 0; i < 5000; i++) a.push(i % 97); let s = 0; for (let k = 0; k < 20; k++) for (let i = 0; i < a.length; i++) s += a[i]; return s })()`, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := vm.RunProgram(prg); err != nil {
			b.Fatal(err)
		}
	}
}
