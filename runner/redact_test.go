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

// A secret is redacted in the forms code writes it in: JSON-escaped, URL-encoded (as JavaScript
// does), base64 (also inside a longer encoded credential).
func TestRedactEncodings(t *testing.T) {
	const secret = `pa"ss/wo rd`
	r := newRedactor([]string{secret})
	for _, s := range []string{
		`{"TOKEN":"pa\"ss/wo rd"}`,
		"https://x.test/?k=pa%22ss%2Fwo+rd",
		"pa%22ss%2Fwo%20rd",
		"Bearer " + base64.StdEncoding.EncodeToString([]byte(secret)),
		base64.RawURLEncoding.EncodeToString([]byte(secret)),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+secret)),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("us:"+secret+"!")),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("u:"+secret)),
	} {
		if got := r.redact(s); !strings.Contains(got, redacted) {
			t.Errorf("redact(%q) = %q, want the secret redacted", s, got)
		}
	}
	// encodeURIComponent leaves !~*'() as they are; URLSearchParams writes a space as +.
	js := newRedactor([]string{"p@ss!word/1 (x)~"})
	for _, s := range []string{"p%40ss!word%2F1%20(x)~", "p%40ss%21word%2F1+%28x%29%7E"} {
		if got := js.redact("q=" + s); !strings.Contains(got, redacted) {
			t.Errorf("redact(%q) = %q, want the secret redacted", s, got)
		}
	}
}

// base64Inner finds a value's base64 characters wherever it starts in the encoded data.
func TestBase64Inner(t *testing.T) {
	const v = "s3cr3t-value"
	for _, prefix := range []string{"", "a", "ab", "abc", "abcd"} {
		enc := base64.StdEncoding.EncodeToString([]byte(prefix + v + "!?"))
		inner := base64Inner(base64.RawStdEncoding, v, len(prefix)%3)
		if len(inner) < 12 || !strings.Contains(enc, inner) {
			t.Errorf("prefix %q: %q is not in %q (or too short)", prefix, inner, enc)
		}
	}
}
