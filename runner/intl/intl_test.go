package intl

import (
	"testing"

	"github.com/dop251/goja"
)

// TestNothingBuiltUntilUsed: a runtime that never touches Intl or a toLocale* method never runs
// intl.js; the first use of either runs it once.
func TestNothingBuiltUntilUsed(t *testing.T) {
	loads := 0
	rt := goja.New()
	Install(rt, Config{
		Lazy: func(name string, load func() goja.Value) {
			g := rt.GlobalObject()
			get := rt.ToValue(func(goja.FunctionCall) goja.Value { return load() })
			_ = g.DefineAccessorProperty(name, get, nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
		},
		Harden: func(v goja.Value) goja.Value { loads++; return v },
	})
	if _, err := rt.RunString(`const d = new Date(0); String(d); (5).toString(); 'a' < 'b'; JSON.stringify({a: 1})`); err != nil {
		t.Fatal(err)
	}
	if loads != 0 {
		t.Fatalf("intl.js ran %d times before any use of Intl", loads)
	}
	v, err := rt.RunString(`[(1234.5).toLocaleString(), new Date(Date.UTC(2026, 11, 7, 15, 4, 5)).toLocaleDateString('en-US', { timeZone: 'UTC' }), typeof Intl.DateTimeFormat, 'a'.localeCompare('b')].join('|')`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.String(), "1,234.5|12/7/2026|function|-1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if loads != 1 {
		t.Errorf("intl.js ran %d times, want once", loads)
	}
}

// TestZones: IANA names resolve as Node resolves them, and what is no zone is refused.
func TestZones(t *testing.T) {
	for in, want := range map[string]string{"UTC": "UTC", "Etc/UTC": "UTC", "utc": "UTC", "America/New_York": "America/New_York",
		"america/new_york": "America/New_York", "Asia/Tokyo": "Asia/Tokyo", "Mars/Base": "", "../../etc/passwd": "", "/etc/localtime": "", "Local": "", "": ""} {
		if got := canonicalZone(in); got != want {
			t.Errorf("canonicalZone(%q) = %q, want %q", in, got, want)
		}
	}
}
