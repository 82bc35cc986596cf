package bridges

import (
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
