package runner

import (
	"fmt"
	"path"
	"strings"

	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/runner/host"
	"github.com/actionsd/actionsd/runner/node"
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
	if node.Has(name) {
		return resolved{kind: reqBuiltin, name: name}, nil
	}
	if node.NodeOnly(jsdeps.PackageName(name)) || strings.HasPrefix(spec, "node:") {
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
		spec, ok := host.String(call.Argument(0))
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
		return v.node.RequireOwned(u.object, r.name)
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
	builtins, _ := goja.AssertFunction(v.node.OwnerRequireFunc(u.object))
	return v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		if spec, ok := host.String(call.Argument(0)); ok && strings.HasPrefix(spec, "./") {
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
		val, err := v.in.JSONParse(goja.Undefined(), rt.ToValue(src))
		if err != nil {
			panic(v.newError(fmt.Sprintf("%s: %s", name, host.ErrorText(err))))
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
		args = append(args, v.moduleActions(u), v.ownerFetch(u), v.modConsole)
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
	v.in.MustFreeze(secrets)
	a := v.rt.NewObject()
	a.Set("secrets", secrets)
	v.in.MustFreeze(a)
	v.loaded[key] = a
	return a
}

// ownerFetch returns the `fetch` parameter of a module's files: a function of the module's own
// that calls the runtime's fetch. The global fetch of a locked-down runtime is frozen, being
// shared; this one is not, so that a module may extend it as code does in Node
// (fetch.default = fetch.bind(globalThis)) and no other owner sees what it added.
func (v *vm) ownerFetch(u *unit) goja.Value {
	key := "\x00fetch:" + u.object
	if f, ok := v.loaded[key]; ok {
		return f
	}
	shared, _ := goja.AssertFunction(v.fetch)
	f := v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		r, err := shared(call.This, call.Arguments...)
		if err != nil {
			panic(err)
		}
		return r
	}).(*goja.Object)
	_ = f.DefineDataProperty("name", v.rt.ToValue("fetch"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = f.DefineDataProperty("length", v.rt.ToValue(1), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	v.loaded[key] = f
	return f
}

// BuiltinModules returns the names of the Node built-in modules actions may require (each also
// as node:<name>), sorted.
func BuiltinModules() []string { return node.Names() }
