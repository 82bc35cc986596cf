package replay

import (
	"slices"
	"testing"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		a, b, want []string
	}{
		{nil, nil, nil},
		{[]string{"x", "y"}, []string{"x", "y"}, []string{"  x", "  y"}},
		{[]string{"x", "gold"}, []string{"x", "platinum"}, []string{"  x", "- gold", "+ platinum"}},
		{[]string{"a", "b", "c"}, []string{"a", "c", "d"}, []string{"  a", "- b", "  c", "+ d"}},
		{nil, []string{"n"}, []string{"+ n"}},
		{[]string{"o"}, nil, []string{"- o"}},
	}
	for _, tt := range tests {
		c := &Comparison{Recorded: Side{Commands: tt.a}, Replayed: Side{Commands: tt.b}}
		if got := c.Diff(); !slices.Equal(got, tt.want) {
			t.Errorf("Diff(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}
