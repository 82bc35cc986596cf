package wire

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// validByValue is json.Valid as ValidValue reports it: one value, white space around it.
func validByValue(b []byte) bool {
	i := ValidValue(b, SkipSpace(b, 0))
	return i >= 0 && SkipSpace(b, i) == len(b)
}

func TestValidValue(t *testing.T) {
	tests := append(slices.Clip(validityCases),
		`[1 2]`, `{"a" 1}`, `{"a":1}}`, `[{"a":[{"b":null}]},{}]`, strings.Repeat("[", 100)+strings.Repeat("]", 100),
		strings.Repeat("[", 100)+strings.Repeat("]", 99),
	)
	for _, give := range tests {
		if got, want := validByValue([]byte(give)), json.Valid([]byte(give)); got != want {
			t.Errorf("ValidValue(%.40q) = %v, want %v (json.Valid)", give, got, want)
		}
	}
	// The value's end, with more text after it.
	for give, want := range map[string]int{`{"a":[1]} ,"x"`: 9, `"a\"b"x`: 6, `-1.5e3]`: 6, `null}`: 4, `[] [`: 2} {
		if got := ValidValue([]byte(give), 0); got != want {
			t.Errorf("ValidValue(%q) = %d, want %d", give, got, want)
		}
	}
}

func FuzzValidValue(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"c\u0041"}],"d":-1.5e3}`, `[]`, `"x"`, `{"a":}`, `01`, ` [1, {}] `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if strings.Count(string(b), "[")+strings.Count(string(b), "{") > 10000 {
			return // json.Valid refuses past 10,000 levels; ValidValue does not count them
		}
		if got, want := validByValue(b), json.Valid(b); got != want {
			t.Errorf("ValidValue(%q) = %v, want %v (json.Valid)", b, got, want)
		}
	})
}

// FuzzValidString: a string read eight bytes at a time ends where, and is refused when, one
// read a byte at a time is.
func FuzzValidString(f *testing.F) {
	for _, s := range []string{`"abcdefghijklmnop"`, `"abcdefgh\"ijkl"`, "\"abcdefg\x01hij\"", `"ab`, `"\u00e9\u00e9\u00e9 éé"`, `"0123456"x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '"' {
			b = append([]byte{'"'}, b...)
		}
		if got, want := ValidString(b, 0), skipStringBytes(b, 0); got != want {
			t.Errorf("ValidString(%q) = %d, want %d", b, got, want)
		}
	})
}

func TestValidString(t *testing.T) {
	for _, give := range []string{`""`, `"a"`, `"abcdefgh"`, `"abcdefghijklmnopqrstuvwxyz"`, `"abcdefghijklmnop\"qrstuvwxyz"`,
		"\"abcdefghijk\x1flmnop\"", "\"abcdefghijk\x7flmnop\"", `"abcdefghijk\u00e9lmnop"`, `"abcdefghijk\xlmnop"`, `"abcdefghijklmnop`,
		`"abcdefgh"ijklmnop"`, "\"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\"", `"0123456789abcdef0123456789abcdef\\"`} {
		if got, want := ValidString([]byte(give), 0), skipStringBytes([]byte(give), 0); got != want {
			t.Errorf("ValidString(%q) = %d, want %d", give, got, want)
		}
	}
}
