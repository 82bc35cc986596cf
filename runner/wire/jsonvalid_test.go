package wire

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// validityCases are texts, valid JSON or not, that each JSON checker of this package must judge
// as json.Valid does.
var validityCases = []string{
	``, ` `, `{}`, ` { } `, `[]`, `[ ]`, `{"a":1}`, `{"a" : [1, 2.5, -0, -0.5e+10, 1E5, true, false, null, "x"]}`,
	`{"a":}`, `{"a"}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a":1 "b":2}`, `{1:2}`, `01`, `-`, `-a`, `1.`, `.5`,
	`1e`, `1e+`, `+1`, `0x10`, `"\u00e9"`, `"\u00g9"`, `"\u00e"`, `"\x"`, `"\/\b\f\n\r\t\"\\"`, "\"a\tb\"", "\"\x7f\xff\"",
	`"abc`, `"abc\`, `tru`, `truex`, `nul`, `null null`, `[1] [2]`, `{"a":{"b":{"c":[[[]]]}}}`, "\n{\r\n\t}\n",
	`{"a":"b"}x`, `[`, `]`, `{`, `}`, `"`, `[[]`, `[]]`, `{"a":[}`, `{"a":{]}`, "\x00", `123`, `-0.0e-0`, `00`, `-01`,
}

// validJSON is validJSONMembers without the spans, as json.Valid reports.
func validJSON(b []byte) bool {
	_, ok := validJSONMembers(b, nil)
	return ok
}

func TestValidJSON(t *testing.T) {
	tests := append(slices.Clip(validityCases),
		strings.Repeat("[", 10000)+strings.Repeat("]", 10000),
		strings.Repeat("[", 10001)+strings.Repeat("]", 10001),
		strings.Repeat(`{"a":`, 10000)+"1"+strings.Repeat("}", 10000),
		strings.Repeat(`{"a":`, 10000)+"{}"+strings.Repeat("}", 10000),
		strings.Repeat("[", 9999)+"[]"+strings.Repeat("]", 9999),
	)
	for _, give := range tests {
		if got, want := validJSON([]byte(give)), json.Valid([]byte(give)); got != want {
			t.Errorf("validJSON(%.40q) = %v, want %v (json.Valid)", give, got, want)
		}
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"c\u0041"}],"d":-1.5e3}`, `[]`, `"x"`, `{"a":}`, `01`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Errorf("validJSON(%q) = %v, want %v (json.Valid)", b, got, want)
		}
	})
}

func BenchmarkValidJSON(b *testing.B) {
	data := []byte(sampleEvent)
	b.Run("validJSON", func(b *testing.B) {
		for b.Loop() {
			validJSON(data)
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		for b.Loop() {
			json.Valid(data)
		}
	})
}

// TestJSONObjectMembers checks that the member spans recorded while validating give the same
// event entries as scanning the event.
func TestJSONObjectMembers(t *testing.T) {
	many := "{"
	for i := range testMembers + 1 {
		if i > 0 {
			many += ","
		}
		many += `"k` + strings.Repeat("x", i) + `":` + `[1,{"a":2}]`
	}
	many += "}"
	tests := []string{
		`{}`, ` { } `, `{"a":1}`, " {\n\"a\" :\t[1, {\"b\": {}}] , \"b\":\"x\\\"y\" ,\"c\":null,\"d\":{\"e\":[]}}\r\n",
		`{"a":1,"a":{"x":2},"b":true}`, `{"\u0061":1,"é":"\u00e9","":false}`, `{"a":-1.5e3,"b":"}","c":"{["}`,
		`{"user":{"user_id":"auth0|123"},"authorization":{"roles":["admin","dev"]},"tenant":{"id":"t1"}}`, many,
	}
	for _, give := range tests {
		var buf [testMembers]MemberSpan
		members, ok := ObjectMembers([]byte(give), buf[:0])
		if !ok {
			t.Fatalf("ObjectMembers(%.40q) refused a valid object", give)
		}
		if give == many {
			if members != nil {
				t.Errorf("more members than room: got %d spans, want nil", len(members))
			}
			continue
		}
		if members == nil {
			t.Fatalf("ObjectMembers(%.40q) returned nil spans", give)
		}
		var scanned, spanned lazyEvent
		if err := scanned.scan(give); err != nil {
			t.Fatal(err)
		}
		if err := spanned.fromMembers(give, members); err != nil {
			t.Fatal(err)
		}
		if len(scanned.entries) != len(spanned.entries) {
			t.Fatalf("%q: %d entries from the spans, %d from a scan", give, len(spanned.entries), len(scanned.entries))
		}
		for i := range scanned.entries {
			if s, m := scanned.entries[i], spanned.entries[i]; s.key != m.key || s.raw != m.raw {
				t.Errorf("%q: entry %d from the spans is %q: %q, from a scan %q: %q", give, i, m.key, m.raw, s.key, s.raw)
			}
		}
	}
	for _, give := range []string{`[]`, `{"a":}`, `{"a":1`, `"x"`, ``} {
		var buf [testMembers]MemberSpan
		if _, ok := ObjectMembers([]byte(give), buf[:0]); ok {
			t.Errorf("ObjectMembers(%q) accepted it", give)
		}
	}
}
