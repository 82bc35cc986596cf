package runner

import (
	"fmt"
	"path"
	"strings"

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
// runtime, on first require. Later issues add crypto, http, path, … here.
var builtinLoaders = map[string]func(v *vm) goja.Value{
	"buffer":  func(v *vm) goja.Value { return v.builtins["buffer"] },
	"url":     func(v *vm) goja.Value { return v.builtins["url"] },
	"util":    func(v *vm) goja.Value { return v.prelude.Get("util") },
	"events":  func(v *vm) goja.Value { return v.prelude.Get("EventEmitter") },
	"process": func(v *vm) goja.Value { return v.rt.GlobalObject().Get("process") },
	"timers": func(v *vm) goja.Value {
		o := v.rt.NewObject()
		o.Set("setTimeout", v.setTimeout)
		o.Set("setInterval", v.setInterval)
		o.Set("clearTimeout", v.clearTimer)
		o.Set("clearInterval", v.clearTimer)
		o.Set("setImmediate", func(call goja.FunctionCall) goja.Value {
			return v.addTimer(goja.FunctionCall{This: call.This, Arguments: append([]goja.Value{call.Argument(0), v.rt.ToValue(0)}, call.Arguments[min(1, len(call.Arguments)):]...)}, false)
		})
		return o
	},
	// Loadable, but every function throws "<module>.<fn> is not available to actions": packages
	// import them and rarely use them.
	"fs":             stubModule("fs"),
	"fs/promises":    stubModule("fs/promises"),
	"child_process":  stubModule("child_process"),
	"net":            stubModule("net"),
	"tls":            stubModule("tls"),
	"vm":             stubModule("vm"),
	"worker_threads": stubModule("worker_threads"),
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

// plannedBuiltins are Node built-ins SPEC §3 promises that this runner does not provide yet.
var plannedBuiltins = map[string]bool{
	"querystring": true, "path": true, "string_decoder": true, "assert": true, "crypto": true,
	"http": true, "https": true, "zlib": true, "os": true, "stream": true,
}

// nodeOnlyBuiltins are the other Node built-ins, refused by name so the error says why.
var nodeOnlyBuiltins = map[string]bool{
	"async_hooks": true, "cluster": true, "dgram": true, "diagnostics_channel": true, "dns": true,
	"domain": true, "http2": true, "inspector": true, "module": true, "perf_hooks": true,
	"punycode": true, "readline": true, "repl": true, "sqlite": true, "test": true, "trace_events": true,
	"tty": true, "v8": true, "wasi": true, "constants": true, "sys": true,
}

// packageName returns the npm package a bare specifier names ("@scope/pkg/sub" -> "@scope/pkg").
func packageName(spec string) string {
	parts := strings.SplitN(spec, "/", 3)
	if strings.HasPrefix(spec, "@") && len(parts) >= 2 {
		return parts[0] + "/" + parts[1]
	}
	return parts[0]
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
	if plannedBuiltins[name] || plannedBuiltins[packageName(name)] {
		return resolved{}, fmt.Errorf("cannot require '%s': the Node built-in %s is not available to actions yet", spec, packageName(name))
	}
	if nodeOnlyBuiltins[packageName(name)] || strings.HasPrefix(spec, "node:") {
		return resolved{}, fmt.Errorf("cannot require '%s': the Node built-in is not available to actions", spec)
	}
	if pkg := packageName(spec); u.deps != nil {
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
		return v.loadFileObject(r.mod, r.mod.entry).Get("exports")
	case reqBuiltin:
		if m, ok := v.builtins[r.name]; ok {
			return m
		}
		m := builtinLoaders[r.name](v)
		v.builtins[r.name] = m
		return m
	default:
		return v.requireDependency(u, r.name, spec)
	}
}

// requireDependency loads a declared npm package. This is the seam the npm issue fills: bundles
// built per dependency set will be looked up here by (unit, package) and loaded once per runtime,
// like loadFileObject does for files.
func (v *vm) requireDependency(u *unit, pkg, spec string) goja.Value {
	_ = u
	_ = spec
	panic(v.newError(fmt.Sprintf("npm package %s is declared but bundles are not built yet", pkg)))
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
