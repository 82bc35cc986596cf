package bridges

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/runner/wire"
)

// FuzzSkipRaw: skipRaw, which looks at a string's bytes eight at a time, ends every value where
// wire.SkipValue does, on any text.
func FuzzSkipRaw(f *testing.F) {
	for _, s := range []string{`{"a":"bcdefghijklmnop","q":"x\"yzabcdefghij\\"}`, `["abcdefgh\\`, `"abcdefghij`, `[1,{"a":[2]}]x`, `tr ue`,
		`{"function":"function/preaccesstoken","user":{"id":"0123456789abcdef\u0041"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := range len(b) + 1 {
			if got, want := skipRaw(b, i), wire.SkipValue(b, i); got != want {
				t.Fatalf("skipRaw(%q, %d) = %d, want %d", b, i, got, want)
			}
		}
	})
}

// FuzzValidJSON: validJSON is json.Valid.
func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{`"pro"`, ` {"a":[1,2]} `, `pro`, `{"a":}`, "\"\xff\"", `1 2`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Errorf("validJSON(%q) = %v, want %v", b, got, want)
		}
	})
}

func TestValidJSONDeep(t *testing.T) {
	for _, n := range []int{9999, 10000, 10001} {
		b := []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Errorf("validJSON of %d levels = %v, want %v", n, got, want)
		}
	}
}

// FuzzPlainString: a string plainString takes is one json.Unmarshal decodes to its bytes, ending
// where wire.ValidString says.
func FuzzPlainString(f *testing.F) {
	for _, s := range []string{`"abcdefghijklmnop"x`, `"abc"`, `"abcdefgh\"ij"`, "\"abcdefgh\x01\"", "\"abcdefghé\"", `"abcdefghij`, `""`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '"' {
			b = append([]byte{'"'}, b...)
		}
		n := plainString(b)
		if n == 0 {
			return
		}
		var s string
		if n != wire.ValidString(b, 0) || json.Unmarshal(b[:n], &s) != nil || s != string(b[1:n-1]) {
			t.Errorf("plainString(%q) = %d; wire.ValidString %d, decoded %q", b, n, wire.ValidString(b, 0), s)
		}
	})
}
