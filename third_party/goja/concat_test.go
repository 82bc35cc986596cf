package goja

import (
	"strings"
	"testing"
)

// Strings built by appending keep their values when an older prefix is extended again, when
// the tip moves to another string, and across the ASCII/Unicode boundary.
func TestConcatAppend(t *testing.T) {
	vm := New()
	v, err := vm.RunString(`
		let s = '';
		for (let i = 0; i < 3000; i++) s += String.fromCharCode(97 + i % 26);
		const a = s;                 // the tip
		const b = a + 'X';           // appended in place
		const c = a + 'Y';           // a is no longer the tip: copied
		const d = b + 'Z';
		let other = 'q'.repeat(300);
		other += 'r';                // the tip moves
		const e = b + 'W';           // b is not the tip: copied
		const u = a + '\u00e9';      // Unicode result
		[a.length, b.slice(-2), c.slice(-2), d.slice(-3), e.slice(-3), u.slice(-2), other.length,
		 a.slice(-1), a === s, b.length, c.length].join(',');
	`)
	if err != nil {
		t.Fatal(err)
	}
	want := "3000,jX,jY,jXZ,jXW,j\u00e9,301,j,true,3001,3001"
	if got := v.String(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// A loop of += is linear: a million one-character appends copy about the result's size, not
// its square (quadratic copying would move ~500 GB and never finish within the test's timeout).
func TestConcatAppendLinear(t *testing.T) {
	vm := New()
	v, err := vm.RunString(`let s = ''; for (let i = 0; i < 1000000; i++) s += 'x'; s.length`)
	if err != nil {
		t.Fatal(err)
	}
	if v.ToInteger() != 1000000 {
		t.Fatalf("length %v", v)
	}
	v, err = vm.RunString(`s.slice(0, 5) + s.slice(-5)`)
	if err != nil || v.String() != strings.Repeat("x", 10) {
		t.Fatalf("%v %v", v, err)
	}
}

func BenchmarkConcatAppend(b *testing.B) {
	vm := New()
	prg := MustCompile("", `(() => { let s = ''; for (let i = 0; i < 65536; i++) s += String.fromCharCode(32 + i % 95); return s.length })()`, false)
	for b.Loop() {
		if _, err := vm.RunProgram(prg); err != nil {
			b.Fatal(err)
		}
	}
}

// The runtime forgets its tip when the call returns, normally or by an exception, so that an
// idle runtime does not keep the last buffer (and its spare room) alive.
func TestConcatTipForgotten(t *testing.T) {
	vm := New()
	if _, err := vm.RunString(`let big = 'x'.repeat(1000); big += 'y'; big.length`); err != nil {
		t.Fatal(err)
	}
	if vm.concatTip.buf != nil {
		t.Fatalf("tip of %d bytes kept after the call", cap(vm.concatTip.buf))
	}
	if _, err := vm.RunString(`let s2 = 'x'.repeat(1000); s2 += 'y'; throw new Error(s2.length)`); err == nil {
		t.Fatal("no exception")
	}
	if vm.concatTip.buf != nil {
		t.Fatalf("tip of %d bytes kept after an exception", cap(vm.concatTip.buf))
	}
}
