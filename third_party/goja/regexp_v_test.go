package goja

import "testing"

// TestRegexpUnicodeSets: the v flag (ES2024) compiles and matches as V8 does: nested classes,
// difference, intersection, strings, negation; its flags and getters. Node 20 gives these results.
func TestRegexpUnicodeSets(t *testing.T) {
	const script = `
	const r = [];
	r.push(/[\p{L}--[a-z]]/v.test("a"), /[\p{L}--[a-z]]/v.test("Ä"), /^[\p{L}--[a-z]]+$/v.test("ÄB"));
	r.push(/[\p{L}&&\p{Lu}]/v.test("é"), /[\p{L}&&[A-Z]]/v.test("E"));
	r.push(/^[[a-c][x-z]]+$/v.test("abxz"), /[[a-c][x-z]]/v.test("m"));
	r.push("xabcx".match(/[\q{abc|a}]/v)[0], /^[^\d--[5]]$/v.test("5"), /^[^\d--[5]]$/v.test("4"));
	r.push(/[\-\&]/v.test("&"), /[^a-z]/v.test("A"));
	const re = new RegExp("[\\p{L}--[a-z]]", "gv");
	r.push(re.flags, re.unicodeSets, re.unicode, "ZaY".replace(re, "_"));
	let bad = [];
	for (const [p, f] of [["a", "uv"], ["[a-z", "v"], ["[(]", "v"]]) {
		try { new RegExp(p, f); bad.push("ok"); } catch (e) { bad.push(e.name); }
	}
	r.push(bad.join());
	JSON.stringify(r);
	`
	v, err := New().RunString(script)
	if err != nil {
		t.Fatal(err)
	}
	want := `[false,true,true,false,true,true,false,"abc",true,false,true,true,"gv",true,false,"_a_","SyntaxError,SyntaxError,SyntaxError"]`
	if v.String() != want {
		t.Errorf("got  %s\nwant %s", v, want)
	}
}
