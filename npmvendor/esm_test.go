package npmvendor

import (
	"context"
	"testing"

	"github.com/dop251/goja"
)

// TestInstallDynamicImport: a CommonJS package that loads an ES-module-only package with import()
// (as CommonJS must) bundles, and the promise gives the module's namespace, as in Node. A RegExp of
// the v flag in a package bundles and loads.
func TestInstallDynamicImport(t *testing.T) {
	f := newFakeRegistry(t)
	f.add("esm-only", "3.0.0", &fakePkg{
		files: map[string]string{
			"package.json": `{"name":"esm-only","version":"3.0.0","type":"module","exports":{".":{"import":"./index.js"}}}`,
			"index.js":     `export const id = (n = 4) => "x".repeat(n); export default id;`,
		},
	})
	f.add("dyn", "1.0.0", &fakePkg{
		manifest: map[string]any{"dependencies": map[string]string{"esm-only": "3.0.0"}},
		files: map[string]string{
			"index.js": `exports.load = async () => { const { id, default: d } = await import("esm-only"); const lazy = await import("./lazy.js"); return id(3) + (d === id) + lazy.x; }; exports.re = /[\p{L}--[a-z]]/gv;`,
			"lazy.js":  `exports.x = "!";`,
		},
	})
	res, err := lockOwners(t, f, map[string]map[string]string{"actions/a": {"dyn": "1.0.0"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newTestInstaller(t, f, "").Install(context.Background(), res.Lock, "actions/a")
	if err != nil {
		t.Fatal(err)
	}
	vm, exports := loadBundle(t, b)
	load, _ := goja.AssertFunction(loadPackage(t, vm, exports, "dyn").ToObject(vm).Get("load"))
	re := loadPackage(t, vm, exports, "dyn").ToObject(vm).Get("re").ToObject(vm)
	if re.Get("flags").String() != "gv" || re.Get("source").String() != `[\p{L}--[a-z]]` {
		t.Errorf("dyn.re: flags %v, source %v; want the RegExp of the v flag as written", re.Get("flags"), re.Get("source"))
	}
	v, err := load(goja.Undefined())
	if err != nil {
		t.Fatal(err)
	}
	p, ok := v.Export().(*goja.Promise)
	if !ok || p.State() != goja.PromiseStateFulfilled || p.Result().String() != "xxxtrue!" {
		t.Errorf("dyn.load(): got %v (%v), want a promise fulfilled with xxxtrue!", v, p.Result())
	}
}
