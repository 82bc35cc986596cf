package runner

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestValidJSON(t *testing.T) {
	tests := []string{
		``, ` `, `{}`, ` { } `, `[]`, `[ ]`, `{"a":1}`, `{"a" : [1, 2.5, -0, -0.5e+10, 1E5, true, false, null, "x"]}`,
		`{"a":}`, `{"a"}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a":1 "b":2}`, `{1:2}`, `01`, `-`, `-a`, `1.`, `.5`,
		`1e`, `1e+`, `+1`, `0x10`, `"\u00e9"`, `"\u00g9"`, `"\u00e"`, `"\x"`, `"\/\b\f\n\r\t\"\\"`, "\"a\tb\"", "\"\x7f\xff\"",
		`"abc`, `"abc\`, `tru`, `truex`, `nul`, `null null`, `[1] [2]`, `{"a":{"b":{"c":[[[]]]}}}`, "\n{\r\n\t}\n",
		`{"a":"b"}x`, `[`, `]`, `{`, `}`, `"`, `[[]`, `[]]`, `{"a":[}`, `{"a":{]}`, "\x00", `123`, `-0.0e-0`, `00`, `-01`,
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
		strings.Repeat(`{"a":`, 10000) + "{}" + strings.Repeat("}", 10000),
		strings.Repeat("[", 9999) + "[]" + strings.Repeat("]", 9999),
	}
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
	data := []byte(benchEvent)
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
