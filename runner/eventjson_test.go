package runner

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
)

func TestParseEventMatchesJSONParse(t *testing.T) {
	tests := []string{
		`{}`,
		`{"a":1,"b":-2.5,"c":1e3,"d":-0,"e":12345678901234567890,"f":true,"g":false,"h":null}`,
		`{"s":"plain","u":"h\u00e9llo \"q\" \\ \n","emoji":"😀","k\"ey":1}`,
		`{"nested":{"arr":[1,[2,[3,{}]],[],{"x":[]}]}, "dup":1, "dup":2}`,
		` { "__proto__" : { "polluted" : true } , "n" : [ 0.1 , 1E-7 ] } `,
		benchEvent,
	}
	rt := goja.New()
	stringify := func(v goja.Value) string {
		f, _ := goja.AssertFunction(rt.Get("JSON").ToObject(rt).Get("stringify"))
		s, err := f(goja.Undefined(), v)
		if err != nil {
			t.Fatal(err)
		}
		return s.String()
	}
	parse, _ := goja.AssertFunction(rt.Get("JSON").ToObject(rt).Get("parse"))
	for _, give := range tests {
		want, err := parse(goja.Undefined(), rt.ToValue(give))
		if err != nil {
			t.Fatalf("JSON.parse(%s): %v", give, err)
		}
		got, err := parseEvent(rt, give)
		if err != nil {
			t.Fatalf("parseEvent(%s): %v", give, err)
		}
		if g, w := stringify(got), stringify(want); g != w {
			t.Errorf("parseEvent(%s) = %s, want %s", give, g, w)
		}
		if strings.Contains(give, "__proto__") {
			if p := got.ToObject(rt).Get("polluted"); p != nil && !goja.IsUndefined(p) {
				t.Errorf("parseEvent set the prototype from a __proto__ key")
			}
		}
	}
	if _, err := parseEvent(rt, strings.Repeat("[", 300)+strings.Repeat("]", 300)); err == nil {
		t.Errorf("parseEvent of 300 nested arrays: want a depth error")
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add(benchEvent)
	f.Add(`{"a":[1,{"b":"\u0041"}]}`)
	f.Fuzz(func(t *testing.T, give string) {
		if !isJSONObject([]byte(give)) {
			return
		}
		rt := goja.New()
		if _, err := parseEvent(rt, give); err != nil && err != errEventDepth {
			t.Errorf("parseEvent(%q): %v", give, err)
		}
	})
}
