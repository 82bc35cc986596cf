package runner

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/actionsd/actionsd/jsdeps"
	"github.com/dop251/goja"
)

// What a require specifier names.
type reqKind int

const (
	reqFile       reqKind = iota // a .js/.cjs/.json file of the unit's folder
	reqModule                    // actions:<name>, the version the action pins
	reqBuiltin                   // a Node built-in the runner provides
	reqDependency                // a declared npm package
)

type resolved struct {
	kind reqKind
	file string // reqFile: relative to the unit's folder
	mod  *unit  // reqModule
	name string // reqBuiltin: its name without "node:"; reqDependency: the package name
}

// builtinLoaders are the Node built-ins, by name without the "node:" prefix. A loader runs once per
// runtime, on first require (see vm.builtin); most are node/<name>.js.
var builtinLoaders map[string]func(v *vm) goja.Value

func init() {
	builtinLoaders = map[string]func(v *vm) goja.Value{
		"buffer":              jsModule("buffer"),
		"events":              jsModule("events"),
		"util":                jsModule("util"),
		"util/types":          func(v *vm) goja.Value { return v.builtin("util").(*goja.Object).Get("types") },
		"stream":              jsModule("stream"),
		"stream/promises":     func(v *vm) goja.Value { return v.builtin("stream").(*goja.Object).Get("promises") },
		"stream/web":          stubModule("stream/web"),
		"string_decoder":      jsModule("string_decoder"),
		"path":                jsModule("path"),
		"path/posix":          jsModule("path"),
		"querystring":         jsModule("querystring"),
		"url":                 jsModule("url"),
		"assert":              jsModule("assert"),
		"assert/strict":       func(v *vm) goja.Value { return v.builtin("assert").(*goja.Object).Get("strict") },
		"os":                  jsModule("os"),
		"tty":                 jsModule("tty"),
		"timers":              jsModule("timers"),
		"timers/promises":     func(v *vm) goja.Value { return v.builtin("timers").(*goja.Object).Get("promises") },
		"zlib":                jsModule("zlib"),
		"crypto":              jsModule("crypto"),
		"http":                func(v *vm) goja.Value { return v.builtin("\x00http").(*goja.Object).Get("http") },
		"https":               func(v *vm) goja.Value { return v.builtin("\x00http").(*goja.Object).Get("https") },
		"\x00http":            jsModule("http"),
		"process":             func(v *vm) goja.Value { return v.process },
		"fs":                  stubModule("fs"),
		"fs/promises":         stubModule("fs/promises"),
		"child_process":       stubModule("child_process"),
		"net":                 stubModule("net"),
		"tls":                 stubModule("tls"),
		"vm":                  stubModule("vm"),
		"worker_threads":      stubModule("worker_threads"),
		"http2":               stubModule("http2"),
		"dns":                 stubModule("dns"),
		"dns/promises":        stubModule("dns/promises"),
		"perf_hooks":          func(v *vm) goja.Value { return v.perfHooks() },
		"async_hooks":         stubModule("async_hooks"),
		"diagnostics_channel": stubModule("diagnostics_channel"),
	}
}

// BuiltinModules returns the names of the Node built-in modules actions may require (each also
// as node:<name>), sorted.
func BuiltinModules() []string {
	var names []string
	for name := range builtinLoaders {
		if !strings.HasPrefix(name, "\x00") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// jsModule loads node/<file>.js.
func jsModule(file string) func(v *vm) goja.Value {
	return func(v *vm) goja.Value { return v.jsBuiltin(file) }
}

// perfHooks is node:perf_hooks' performance.now and timeOrigin.
func (v *vm) perfHooks() goja.Value {
	o := v.rt.NewObject()
	perf := v.rt.NewObject()
	perf.Set("now", func(goja.FunctionCall) goja.Value {
		return v.rt.ToValue(float64(time.Since(processStart).Nanoseconds()) / 1e6)
	})
	perf.Set("timeOrigin", float64(processStart.UnixNano())/1e6)
	perf.Set("mark", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	perf.Set("measure", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	o.Set("performance", perf)
	return o
}

func stubModule(name string) func(v *vm) goja.Value {
	return func(v *vm) goja.Value {
		stub, _ := goja.AssertFunction(v.prelude.Get("stub"))
		m, err := stub(goja.Undefined(), v.rt.ToValue(name))
		if err != nil {
			panic(err)
		}
		return m
	}
}

// nodeOnlyBuiltins are the other Node built-ins, refused by name so the error says why.
var nodeOnlyBuiltins = map[string]bool{
	"cluster": true, "dgram": true, "domain": true, "inspector": true, "module": true,
	"punycode": true, "readline": true, "repl": true, "sqlite": true, "test": true, "trace_events": true,
	"v8": true, "wasi": true, "constants": true, "sys": true,
}

// resolve says what spec, required from file (relative to u's folder), names, or why it is refused.
// Build's static scan and the runtime's require share it.
func (u *unit) resolve(from, spec string) (resolved, error) {
	switch {
	case spec == "":
		return resolved{}, fmt.Errorf("cannot require '': the specifier is empty")
	case strings.HasPrefix(spec, "/"):
		return resolved{}, fmt.Errorf("cannot require '%s': absolute paths are not allowed; use a path relative to the file", spec)
	case spec == "." || spec == ".." || strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../"):
		p := path.Join(path.Dir(from), spec)
		if p == ".." || strings.HasPrefix(p, "../") {
			return resolved{}, fmt.Errorf("cannot require '%s': it is outside the %s folder", spec, u.dir)
		}
		for _, c := range []string{p, p + ".js", p + ".cjs", p + ".json", p + "/index.js", p + "/index.cjs", p + "/index.json"} {
			if _, ok := u.progs[c]; ok {
				return resolved{kind: reqFile, file: c}, nil
			}
			if _, ok := u.json[c]; ok {
				return resolved{kind: reqFile, file: c}, nil
			}
		}
		return resolved{}, fmt.Errorf("cannot require '%s': no such .js, .cjs or .json file in %s", spec, u.dir)
	case strings.HasPrefix(spec, "actions:"):
		name := strings.TrimPrefix(spec, "actions:")
		if u.kind == moduleUnit {
			return resolved{}, fmt.Errorf("cannot require '%s': action modules cannot require other modules", spec)
		}
		m := u.modules[name]
		if m == nil {
			return resolved{}, fmt.Errorf("cannot require '%s': module %s is not pinned in the action's modules (action.yaml)", spec, name)
		}
		return resolved{kind: reqModule, mod: m}, nil
	}
	name := strings.TrimPrefix(spec, "node:")
	if _, ok := builtinLoaders[name]; ok {
		return resolved{kind: reqBuiltin, name: name}, nil
	}
	if nodeOnlyBuiltins[jsdeps.PackageName(name)] || strings.HasPrefix(spec, "node:") {
		return resolved{}, fmt.Errorf("cannot require '%s': the Node built-in is not available to actions", spec)
	}
	if pkg := jsdeps.PackageName(spec); u.deps != nil {
		if _, ok := u.deps[pkg]; ok {
			return resolved{kind: reqDependency, name: pkg}, nil
		}
	}
	what := "action"
	if u.kind == moduleUnit {
		what = "module"
	}
	return resolved{}, fmt.Errorf("cannot require '%s': it is not a file of %s, an action module, a Node built-in or an npm package the %s declares",
		spec, u.dir, what)
}

// requireFunc returns the require function of file (relative to u's folder).
func (v *vm) requireFunc(u *unit, file string) goja.Value {
	return v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		spec, ok := jsString(call.Argument(0))
		if !ok {
			panic(v.rt.NewTypeError("require: the specifier must be a string"))
		}
		return v.require(u, file, spec)
	})
}

func (v *vm) require(u *unit, from, spec string) goja.Value {
	r, err := u.resolve(from, spec)
	if err != nil {
		e := v.newError(err.Error())
		e.Set("code", "MODULE_NOT_FOUND")
		panic(e)
	}
	switch r.kind {
	case reqFile:
		return v.loadFileObject(u, r.file).Get("exports")
	case reqModule:
		return v.moduleView(v.loadFileObject(r.mod, r.mod.entry).Get("exports"))
	case reqBuiltin:
		return v.builtin(r.name)
	default:
		return v.requireDependency(u, r.name, spec)
	}
}

// requireDependency loads a declared npm package from the unit's bundle (Source.Bundle): its
// entry chunk runs once per runtime and owner, and its exports.default is the package. A deep
// import ("pkg/sub") is served by an entry of that name (the bundler makes one for each deep
// import the code requires literally), never by the package's own.
func (v *vm) requireDependency(u *unit, pkg, spec string) goja.Value {
	if u.bundle == nil {
		panic(v.newError(fmt.Sprintf("cannot require '%s': npm package %s is declared but its dependencies are not bundled (run actionsd lock and sync again)", spec, pkg)))
	}
	if strings.TrimSuffix(spec, "/") == pkg { // require('pkg/') is the package, as in Node
		spec = pkg
	}
	chunk, ok := u.bundle.entries[spec]
	if !ok {
		msg := fmt.Sprintf("cannot require '%s': the dependency bundle of %s has no %s", spec, u.object, spec)
		if spec != pkg {
			msg += " (deep imports are bundled when required with a literal name, as require('" + spec + "'))"
		}
		e := v.newError(msg)
		e.Set("code", "MODULE_NOT_FOUND")
		panic(e)
	}
	exports, ok := v.loadChunk(u, chunk).(*goja.Object)
	if !ok {
		panic(v.newError(fmt.Sprintf("the dependency bundle of %s: the entry chunk of %s exports no object", u.object, spec)))
	}
	return exports.Get("default")
}

// loadChunk runs chunk name of u's bundle in v once and returns its module.exports.
func (v *vm) loadChunk(u *unit, name string) goja.Value {
	// Per owner, not per content: an action and a module (or two modules) with equal bundles must
	// not share one instance of a package, whose exports either could change (harden.go).
	key := "\x00bundle:" + u.object + "\x00" + u.bundle.key + "\x00" + name
	if m, ok := v.loaded[key]; ok {
		return m.Get("exports")
	}
	c := u.bundle.chunks[name]
	if c == nil {
		e := v.newError(fmt.Sprintf("the dependency bundle of %s has no chunk %s", u.object, name))
		e.Set("code", "MODULE_NOT_FOUND")
		panic(e)
	}
	prg, err := c.wait()
	if err != nil {
		panic(v.newError(fmt.Sprintf("the npm dependency bundle of %s does not compile: chunk %s: %v", u.object, name, err)))
	}
	rt := v.rt
	m := rt.NewObject()
	exports := rt.NewObject()
	m.Set("exports", exports)
	v.loaded[key] = m
	fnv, err := rt.RunProgram(prg)
	if err != nil {
		delete(v.loaded, key)
		panic(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	file := u.repoPath("<npm bundle>")
	if _, err := fn(exports, exports, v.chunkRequire(u), m, rt.ToValue(file+"/"+name), rt.ToValue(file)); err != nil {
		delete(v.loaded, key)
		panic(err)
	}
	return m.Get("exports")
}

// chunkRequire is the require of u's bundle chunks: "./<chunk>" loads another chunk of the
// bundle, anything else is a Node built-in (builtinRequire).
func (v *vm) chunkRequire(u *unit) goja.Value {
	builtins, _ := goja.AssertFunction(v.builtinRequire())
	return v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		if spec, ok := jsString(call.Argument(0)); ok && strings.HasPrefix(spec, "./") {
			return v.loadChunk(u, spec[len("./"):])
		}
		out, err := builtins(goja.Undefined(), call.Arguments...)
		if err != nil {
			panic(err)
		}
		return out
	})
}

// loadFileObject loads file of u into the runtime once and returns its module object.
func (v *vm) loadFileObject(u *unit, file string) *goja.Object {
	key := u.object + ":" + file
	if m, ok := v.loaded[key]; ok {
		return m
	}
	rt := v.rt
	name := u.repoPath(file)
	if src, ok := u.json[file]; ok {
		val, err := v.jsonParse(goja.Undefined(), rt.ToValue(src))
		if err != nil {
			panic(v.newError(fmt.Sprintf("%s: %s", name, errorText(err))))
		}
		m := rt.NewObject()
		m.Set("exports", val)
		v.loaded[key] = m
		return m
	}
	prg, ok := u.progs[file]
	if !ok {
		panic(v.newError(fmt.Sprintf("cannot require %s: not a JavaScript or JSON file", name)))
	}
	m := rt.NewObject()
	exports := rt.NewObject()
	m.Set("exports", exports)
	m.Set("id", name)
	m.Set("filename", name)
	m.Set("loaded", false)
	v.loaded[key] = m // before running it, so that require cycles see the partial exports, as in Node

	fnv, err := rt.RunProgram(prg)
	if err != nil {
		delete(v.loaded, key)
		panic(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	args := []goja.Value{exports, v.requireFunc(u, file), m, rt.ToValue(name), rt.ToValue(path.Dir(name))}
	if u.kind == moduleUnit {
		args = append(args, v.moduleActions(u), v.fetch, v.modConsole)
	}
	if _, err := fn(exports, args...); err != nil {
		delete(v.loaded, key)
		panic(err)
	}
	m.Set("loaded", true)
	return m
}

// moduleActions returns the `actions` parameter of a module's files: a frozen object whose
// frozen secrets are the module's own.
func (v *vm) moduleActions(u *unit) goja.Value {
	key := "\x00actions:" + u.object
	if m, ok := v.loaded[key]; ok {
		return m
	}
	secrets := v.rt.NewObject()
	for k, val := range u.secrets {
		secrets.Set(k, val)
	}
	v.mustFreeze(secrets)
	a := v.rt.NewObject()
	a.Set("secrets", secrets)
	v.mustFreeze(a)
	v.loaded[key] = a
	return a
}

// errorText is the message of a JS exception (without its stack), or err's text.
func errorText(err error) string {
	if ex, ok := err.(*goja.Exception); ok && ex.Value() != nil {
		return ex.Value().String()
	}
	return err.Error()
}
