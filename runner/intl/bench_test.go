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
