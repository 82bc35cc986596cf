package intl

import (
	"testing"

	"github.com/dop251/goja"
)

// BenchmarkInstall is what Install adds to the making of every runtime (the lazy Intl global and
// the routed methods), against a runtime made without it.
func BenchmarkInstall(b *testing.B) {
	lazy := func(rt *goja.Runtime) func(string, func() goja.Value) {
		return func(name string, load func() goja.Value) {
			get := rt.ToValue(func(goja.FunctionCall) goja.Value { return load() })
			_ = rt.GlobalObject().DefineAccessorProperty(name, get, nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	}
	b.Run("without", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rt := goja.New()
			_ = rt.Get("Date").(*goja.Object).Get("prototype").(*goja.Object).Get("toString")
		}
	})
	b.Run("with", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rt := goja.New()
			Install(rt, Config{Lazy: lazy(rt)})
		}
	})
}

// BenchmarkFormat is the cost of the common calls once Intl is loaded: a number's and a date's
// toLocaleString without arguments, and a DateTimeFormat with a time zone made and used once, as
// date libraries do.
func BenchmarkFormat(b *testing.B) {
	rt := goja.New()
	Install(rt, Config{Lazy: func(name string, load func() goja.Value) {
		_ = rt.GlobalObject().DefineAccessorProperty(name, rt.ToValue(func(goja.FunctionCall) goja.Value { return load() }), nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}})
	for name, src := range map[string]string{
		"number":        `(function () { return (1234567.891).toLocaleString(); })`,
		"date":          `(function () { return new Date(1796655845678).toLocaleString(); })`,
		"datetimeparts": `(function () { return new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', minute: 'numeric', timeZoneName: 'short' }).formatToParts(1796655845678); })`,
	} {
		fv, err := rt.RunString(src)
		if err != nil {
			b.Fatal(err)
		}
		fn, _ := goja.AssertFunction(fv)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := fn(goja.Undefined()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
