package runner

import (
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
