package goja

// Tests of the actionsd fork's Object.GetOwnPropertyDescriptor (owndesc.go, PATCHES.md).

import "testing"

func TestGetOwnPropertyDescriptor(t *testing.T) {
	r := New()
	v, err := r.RunString(`var n = 0;
var o = Object.defineProperty({ a: 1, get g() { n++; return 2; }, set s(x) {} }, 'h', { value: 3 });
o[Symbol.for('k')] = 4;
o`)
	if err != nil {
		t.Fatal(err)
	}
	o := v.(*Object)
	d, ok := o.GetOwnPropertyDescriptor(r.ToValue("a"))
	if !ok || d.Value.ToInteger() != 1 || d.Writable != FLAG_TRUE || d.Enumerable != FLAG_TRUE || d.Getter != nil {
		t.Errorf("a: %+v %v", d, ok)
	}
	d, ok = o.GetOwnPropertyDescriptor(r.ToValue("g"))
	if !ok || d.Value != nil || d.Getter == nil || d.Setter != nil || d.Enumerable != FLAG_TRUE {
		t.Errorf("g: %+v %v", d, ok)
	}
	if n := r.Get("n").ToInteger(); n != 0 {
		t.Errorf("the getter ran %d times", n)
	}
	if d, ok = o.GetOwnPropertyDescriptor(r.ToValue("s")); !ok || d.Getter != nil || d.Setter == nil {
		t.Errorf("s: %+v %v", d, ok)
	}
	if d, ok = o.GetOwnPropertyDescriptor(r.ToValue("h")); !ok || d.Value.ToInteger() != 3 || d.Enumerable != FLAG_FALSE || d.Writable != FLAG_FALSE {
		t.Errorf("h: %+v %v", d, ok)
	}
	sym, _ := r.RunString(`Symbol.for('k')`)
	if d, ok = o.GetOwnPropertyDescriptor(sym); !ok || d.Value.ToInteger() != 4 {
		t.Errorf("symbol: %+v %v", d, ok)
	}
	if _, ok = o.GetOwnPropertyDescriptor(r.ToValue("toString")); ok {
		t.Error("an inherited property is no own property")
	}
	p, _ := r.RunString(`new Proxy({}, { getOwnPropertyDescriptor(t, k) { return { value: k + '!', configurable: true, enumerable: true, writable: true }; } })`)
	if d, ok = p.(*Object).GetOwnPropertyDescriptor(r.ToValue("x")); !ok || d.Value.String() != "x!" {
		t.Errorf("proxy: %+v %v", d, ok)
	}
}
