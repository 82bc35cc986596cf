package goja

import (
	"math"
	"runtime"
	"testing"
)

// Numbers boxed from the slab are the values they stand for, across chunk boundaries and
// collections, whether kept in arrays, objects or Go.
func TestNumSlabValues(t *testing.T) {
	var s numSlab
	var kept []Value
	for i := range 3*numSlabSize + 5 {
		kept = append(kept, s.boxInt(int64(i)*100003+1<<40), s.boxFloat(float64(i)+0.25))
	}
	runtime.GC()
	for i := range 3*numSlabSize + 5 {
		n, ok := kept[2*i].(valueInt)
		if !ok || int64(n) != int64(i)*100003+1<<40 || !kept[2*i].SameAs(valueInt(int64(i)*100003+1<<40)) {
			t.Fatalf("int %d: %#v", i, kept[2*i])
		}
		f, ok := kept[2*i+1].(valueFloat)
		if !ok || float64(f) != float64(i)+0.25 || kept[2*i+1] != Value(valueFloat(float64(i)+0.25)) {
			t.Fatalf("float %d: %#v", i, kept[2*i+1])
		}
	}

	vm := New()
	v, err := vm.RunString(`
		const ints = [], floats = [], o = {};
		let x = 70000;
		for (let i = 0; i < 2000; i++) {
			x = (x * 31 + i) % 1000000007;          // integers past intcache.go's table
			ints.push(x, x & 0xfffffff, x >>> 3, -x, x | 0x40000000);
			floats.push(x / 7, -x * 0.5, +(x + 0.5), x - 0.25);
			o['k' + i] = x ^ 0x55555555;
		}
		let f = 0.5; f++; f--;
		const u32 = new Uint32Array([4000000000, 70000]), f64 = new Float64Array([1.5, -2.25, 1e300]);
		[ints.length, ints[5 * 1999], floats[4 * 1999], o.k1999, ints.reduce((a, b) => (a + b) % 1e9, 0),
		 floats.reduce((a, b) => a + b, 0), f, -(2 ** 40), ~70000, u32[0] + u32[1], f64[0] * f64[1] + f64[2] / 1e300,
		 Object.is(-0 * 70000, -0), Object.is(70000 % -70000, 0), 0.1 + 0.2].join()`)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	// The same program's result from upstream goja (and Node 20).
	const want = "10000,475358104,67908300.57142857,1224750797,880581298,1681887713317.9307,0.5,-1099511627776,-70001,4000070000,-2.375,true,true,0.30000000000000004"
	if v.String() != want {
		t.Fatalf("got  %s\nwant %s", v, want)
	}
}

// A loop of integer arithmetic past 65535 and of floats, with typed-array reads and Math calls,
// allocates per chunk, not per number.
func TestNumSlabNoAlloc(t *testing.T) {
	vm := New()
	if _, err := vm.RunString(`var u32 = new Uint32Array(64), f64 = new Float64Array(64)`); err != nil {
		t.Fatal(err)
	}
	prg := MustCompile("", `(() => {
		let h = 0x6a09e667, f = 0.5;
		for (let i = 0; i < 5000; i++) {
			h = ((h << 5) - h + i * 40503) | 0;
			h = (h ^ (h >>> 13)) + 0x10000000;
			f = f * 1.000001 + h / 4294967296;
			u32[i & 63] = h; f64[i & 63] = f;
			h = (h + u32[(i + 1) & 63]) | 0;
			f = Math.floor(f + f64[(i + 1) & 63] * 100003) / 100003;
		}
		return h + f;
	})()`, false)
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := vm.RunProgram(prg); err != nil {
			t.Fatal(err)
		}
	})
	// Upstream: ~173,000 allocations (a number past the table is one, and ToInt32 boxed its
	// operand again); here ~3,000.
	if allocs > 6000 {
		t.Fatalf("%v allocations for 5000 steps", allocs)
	}
}

// ToInt32 and its kin do not box their number argument again.
func TestNumberValueNoAlloc(t *testing.T) {
	var big Value = valueInt(1 << 40)
	var fl Value = valueFloat(math.Pi * 1e6)
	allocs := testing.AllocsPerRun(100, func() {
		_ = toInt32(big) + toInt32(fl)
		_ = toUint32(big) + toUint32(fl)
		_ = toInt64(big) + toInt64(fl)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations", allocs)
	}
	if toInt32(big) != 0 || toUint32(fl) != 3141592 || toInt32(valueFloat(-1.5)) != -1 || toUint32(valueInt(-1)) != math.MaxUint32 {
		t.Fatal("wrong conversion")
	}
}

// jsbn's am3, the inner loop of node-forge's RSA: 28-bit digits, ~15 boxed numbers per step.
func BenchmarkBigIntegerLoop(b *testing.B) {
	vm := New()
	prg := MustCompile("", `(() => {
		const n = 74, x = [], w = new Array(2 * n).fill(0);
		for (let i = 0; i < n; i++) x.push((i * 2654435761) & 0xfffffff);
		function am3(i, xv, w, j, c, n) {
			const xl = xv & 0x3fff, xh = xv >> 14;
			while (--n >= 0) {
				let l = x[i] & 0x3fff;
				const h = x[i++] >> 14;
				const m = xh * l + h * xl;
				l = xl * l + ((m & 0x3fff) << 14) + w[j] + c;
				c = (l >> 28) + (m >> 14) + xh * h;
				w[j++] = l & 0xfffffff;
			}
			return c;
		}
		for (let i = 0; i < n; i++) w[i + n] = am3(0, x[i], w, i, 0, n);
		return w[n];
	})()`, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := vm.RunProgram(prg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFloatLoop(b *testing.B) {
	vm := New()
	prg := MustCompile("", `(() => { let s = 0.5; for (let i = 0; i < 5000; i++) s = s * 0.999 + i / 3; return s })()`, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := vm.RunProgram(prg); err != nil {
			b.Fatal(err)
		}
	}
}

// Bitwise operators with a number literal on the right give what the general instructions give,
// for every kind of left operand. want is Node 20's output, but for 1n >>> 1, where upstream goja
// (and so this fork) gives its own message for the same TypeError.
func TestBitwiseConstOps(t *testing.T) {
	const src = `const xs = [0, 1, -1, 70000, -70000, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32 + 5, 2 ** 53 + 2, -(2 ** 40) - 3, 1.9, -1.9, 0.5, NaN, Infinity, -Infinity, -0, '12', 'x', true, null, undefined, { valueOf() { return 70001; } }, [3]];
const out = [];
for (const x of xs) {
  out.push([x & 0x3fff, x & 0xffffffff, x & -1, x & 2 ** 32 + 5, x & 1.9, x | 0, x | 0x40000000, x ^ 0x55555555, x ^ -1.5,
    x << 14, x << 0, x << 31, x << 32, x << 33, x << -1, x >> 14, x >> 31, x >> 32, x >> -1,
    x >>> 0, x >>> 3, x >>> 32, x >>> 31, x >>> -1].join(' '));
}
for (const f of [() => 1n & 3, () => 1n | 0, () => 1n ^ 0, () => 1n << 1, () => 1n >> 1, () => 1n >>> 1, () => Symbol() & 1]) {
  try { f(); out.push('no error'); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
}
let calls = 0;
const o = { valueOf() { calls++; return 5; } };
out.push((o & 1) + (o >>> 1) + (o << 2), calls);
out.join('\n');`
	const want = `0 0 0 0 0 0 1073741824 1431655765 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
1 1 1 1 1 1 1073741825 1431655764 -2 16384 1 -2147483648 1 2 -2147483648 0 0 1 0 1 0 1 0 0
16383 -1 -1 5 1 -1 -1 -1431655766 0 -16384 -1 -2147483648 -1 -2 -2147483648 -1 -1 -1 -1 4294967295 536870911 4294967295 1 1
4464 70000 70000 0 0 70000 1073811824 1431585829 -70001 1146880000 70000 0 70000 140000 0 4 0 70000 0 70000 8750 70000 0 0
11920 -70000 -70000 0 0 -70000 -70000 -1431585851 69999 -1146880000 -70000 0 -70000 -140000 0 -5 -1 -70000 -1 4294897296 536862162 4294897296 1 1
16383 2147483647 2147483647 5 1 2147483647 2147483647 715827882 -2147483648 -16384 2147483647 -2147483648 2147483647 -2 -2147483648 131071 0 2147483647 0 2147483647 268435455 2147483647 0 0
0 -2147483648 -2147483648 0 0 -2147483648 -1073741824 -715827883 2147483647 0 -2147483648 0 -2147483648 0 0 -131072 -1 -2147483648 -1 2147483648 268435456 2147483648 1 1
16383 -1 -1 5 1 -1 -1 -1431655766 0 -16384 -1 -2147483648 -1 -2 -2147483648 -1 -1 -1 -1 4294967295 536870911 4294967295 1 1
5 5 5 5 1 5 1073741829 1431655760 -6 81920 5 -2147483648 5 10 -2147483648 0 0 5 0 5 0 5 0 0
2 2 2 0 0 2 1073741826 1431655767 -3 32768 2 0 2 4 0 0 0 2 0 2 0 2 0 0
16381 -3 -3 5 1 -3 -3 -1431655768 2 -49152 -3 -2147483648 -3 -6 -2147483648 -1 -1 -3 -1 4294967293 536870911 4294967293 1 1
1 1 1 1 1 1 1073741825 1431655764 -2 16384 1 -2147483648 1 2 -2147483648 0 0 1 0 1 0 1 0 0
16383 -1 -1 5 1 -1 -1 -1431655766 0 -16384 -1 -2147483648 -1 -2 -2147483648 -1 -1 -1 -1 4294967295 536870911 4294967295 1 1
0 0 0 0 0 0 1073741824 1431655765 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
0 0 0 0 0 0 1073741824 1431655765 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
0 0 0 0 0 0 1073741824 1431655765 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
0 0 0 0 0 0 1073741824 1431655765 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
0 0 0 0 0 0 1073741824 1431655765 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
12 12 12 4 0 12 1073741836 1431655769 -13 196608 12 0 12 24 0 0 0 12 0 12 1 12 0 0
0 0 0 0 0 0 1073741824 1431655765 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
1 1 1 1 1 1 1073741825 1431655764 -2 16384 1 -2147483648 1 2 -2147483648 0 0 1 0 1 0 1 0 0
0 0 0 0 0 0 1073741824 1431655765 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
0 0 0 0 0 0 1073741824 1431655765 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
4465 70001 70001 1 1 70001 1073811825 1431585828 -70002 1146896384 70001 -2147483648 70001 140002 -2147483648 4 0 70001 0 70001 8750 70001 0 0
3 3 3 1 1 3 1073741827 1431655766 -4 49152 3 -2147483648 3 6 -2147483648 0 0 3 0 3 0 3 0 0
TypeError: Cannot mix BigInt and other types, use explicit conversions
TypeError: Cannot mix BigInt and other types, use explicit conversions
TypeError: Cannot mix BigInt and other types, use explicit conversions
TypeError: Cannot mix BigInt and other types, use explicit conversions
TypeError: Cannot mix BigInt and other types, use explicit conversions
TypeError: BigInts have no unsigned right shift, use >> instead
TypeError: Cannot convert a Symbol value to a number
23
3`
	v, err := New().RunString(src)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", v, want)
	}
	// The literal is folded into one instruction.
	prg := MustCompile("", "x => [x & 0x3fff, x >> 14, x | 0, x >>> 3, x << 2, x ^ 1]", false)
	var n int
	for _, ins := range prg.code[0].(*newArrowFunc).prg.code {
		switch ins.(type) {
		case andConst, sarConst, orConst, shrConst, salConst, xorConst:
			n++
		case loadVal:
			t.Fatalf("literal pushed: %#v", ins)
		}
	}
	if n != 6 {
		t.Fatalf("%d constant instructions", n)
	}
}
