package runner

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	r := newRedactor([]string{"abc", "secret", "secret-longer", "tok3n", "xyzw"})
	tests := []struct{ give, want string }{
		{"", ""},
		{"nothing here", "nothing here"},
		{"abc is too short to redact", "abc is too short to redact"},
		{"secret", "[REDACTED]"},
		{"a secret-longer one", "a [REDACTED] one"},
		{"ends with tok3n", "ends with [REDACTED]"},
		{"xyzwxyzw", "[REDACTED][REDACTED]"},
		{"secre", "secre"},
		{"sssecret!", "ss[REDACTED]!"},
	}
	for _, tt := range tests {
		got := r.redact(tt.give)
		if got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.give, got, tt.want)
		}
		if c := r.contains(tt.give); c != (got != tt.give) {
			t.Errorf("contains(%q) = %v, but redact changes it: %v", tt.give, c, got != tt.give)
		}
		if got == tt.give && strings.Contains(got, "[REDACTED]") {
			t.Errorf("redact(%q) left a marker", tt.give)
		}
	}
	var none *redactor
	if got := none.redact("secret"); got != "secret" {
		t.Errorf("nil redactor: %q", got)
	}
}

// A secret is redacted in the forms code writes it in: JSON-escaped, URL-encoded, base64.
func TestRedactEncodings(t *testing.T) {
	const secret = `pa"ss/wo rd`
	r := newRedactor([]string{secret})
	for _, s := range []string{
		`{"TOKEN":"pa\"ss/wo rd"}`,
		"https://x.test/?k=pa%22ss%2Fwo+rd",
		"pa%22ss%2Fwo%20rd",
		"Bearer " + base64.StdEncoding.EncodeToString([]byte(secret)),
		base64.RawURLEncoding.EncodeToString([]byte(secret)),
	} {
		if got := r.redact(s); !strings.Contains(got, redacted) {
			t.Errorf("redact(%q) = %q, want the secret redacted", s, got)
		}
	}
}
