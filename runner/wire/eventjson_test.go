package wire

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/dop251/goja"
)

// sampleEvent is a post-login event as the benchmarks send it.
const sampleEvent = `{"user":{"user_id":"auth0|123","email":"ada@example.com","app_metadata":{"plan":"gold"}},` +
	`"authorization":{"roles":["admin","dev"]},"client":{"client_id":"abc","name":"web"},` +
	`"request":{"ip":"203.0.113.7","geoip":{"countryCode":"FR"}},"tenant":{"id":"t1"}}`

// testMembers is how many member spans the tests keep, as the engine does.
const testMembers = 16

func TestParseEventMatchesJSONParse(t *testing.T) {
	tests := []string{
		`{}`,
		`{"a":1,"b":-2.5,"c":1e3,"d":-0,"e":12345678901234567890,"f":true,"g":false,"h":null}`,
		`{"s":"plain","u":"h\u00e9llo \"q\" \\ \n","emoji":"😀","k\"ey":1}`,
		`{"nested":{"arr":[1,[2,[3,{}]],[],{"x":[]}]}, "dup":1, "dup":2}`,
		` { "__proto__" : { "polluted" : true } , "n" : [ 0.1 , 1E-7 ] } `,
		sampleEvent,
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
	f.Add(sampleEvent)
	f.Add(`{"a":[1,{"b":"\u0041"}]}`)
	f.Fuzz(func(t *testing.T, give string) {
		if !IsObject([]byte(give)) {
			return
		}
		rt := goja.New()
		if _, err := parseEvent(rt, give); err != nil && err != errEventDepth {
			t.Errorf("parseEvent(%q): %v", give, err)
		}
	})
}

// FuzzLazyEvent checks that the lazy event shows what JSON.parse would: the same keys and
// values, for any JSON object a caller may send.
func FuzzLazyEvent(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"user":{"name":"ada","tags":["x",1,true,null]},"n":-1.5e3}`,
		`{"a\"b":"c\\d","a":2,"a":3}`, ` { "x" : [ { } , [ ] ] } `, `{"__proto__":{"polluted":1}}`} {
		f.Add(s)
	}
	rt := goja.New()
	var in host.Intrinsics
	in.Capture(rt)
	secrets := rt.NewObject()
	in.MustFreeze(secrets)
	f.Fuzz(func(t *testing.T, data string) {
		if !IsObject([]byte(data)) {
			return
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal([]byte(data), &want); err != nil {
			return
		}
		// Once scanning the event, once from the member spans found while validating it.
		var buf [testMembers]MemberSpan
		members, _ := ObjectMembers([]byte(data), buf[:0])
		for _, members := range [][]MemberSpan{nil, members} {
			checkLazyEvent(t, rt, &in, secrets, data, members, want)
		}
	})
}

func checkLazyEvent(t *testing.T, rt *goja.Runtime, in *host.Intrinsics, secrets *goja.Object, data string, members []MemberSpan, want map[string]json.RawMessage) {
	t.Helper()
	ev, err := NewEvent(rt, data, members, secrets)
	if err != nil {
		t.Fatalf("NewEvent(%s): %v", data, err)
	}
	for k, raw := range want {
		got, err := in.JSONStringify(goja.Undefined(), ev.Get(k))
		if err != nil {
			t.Fatal(err)
		}
		var w, gv any
		_ = json.Unmarshal(raw, &w)
		if err := json.Unmarshal([]byte(got.String()), &gv); err != nil || !reflect.DeepEqual(w, gv) {
			t.Errorf("%s: event[%q] = %s, want %s", data, k, got, raw)
		}
	}
	if n := len(ev.Keys()); n != len(want)+1 { // + secrets
		t.Errorf("%s: %d keys, want %d", data, n, len(want)+1)
	}
}
