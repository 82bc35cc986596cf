package review

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dop251/goja/parser"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync"
)

// Check returns every error of s, sorted by position: the files' own problems and references
// (sync.Validate), JavaScript syntax, the lock, unlocked dependencies, and (unless opts.SkipRun)
// what building the actions with the runner refuses.
func Check(ctx context.Context, s *State, opts Options) []Finding {
	errs, _ := check(ctx, s, opts)
	return errs
}

// check is Check that also returns warnings: packages locked but no longer declared, and npm
// dependencies that could not be installed for the build (opts.Dependencies), whose actions were
// then not built.
func check(ctx context.Context, s *State, opts Options) (errs, warnings []Finding) {
	var out []Finding
	for _, p := range sync.Validate(s.Snap) {
		out = append(out, fromSync(p))
	}
	p := &prepared{syntax: map[string]bool{}, sources: map[string]runner.Source{}, renamed: map[string]string{}}
	// TypeScript and ES module files are transformed as the daemon does (esbuild checks their
	// syntax); the other JavaScript files are parsed as the runner wraps them.
	check := func(object string, src runner.Source) {
		orig := src.Files
		src, findings := p.source(object, "", src)
		out = append(out, findings...)
		for _, f := range slices.Sorted(maps.Keys(src.Files)) {
			if !strings.HasSuffix(f, ".js") && !strings.HasSuffix(f, ".cjs") || !bytes.Equal(src.Files[f], orig[f]) {
				continue
			}
			if fd := SyntaxError(src.Dir+"/"+f, src.Files[f]); fd != nil {
				fd.Object = object
				out = append(out, *fd)
				p.syntax[object] = true
			}
		}
	}
	for _, name := range sortedKeys(s.Snap.Actions) {
		a := s.Snap.Actions[name]
		check("actions/"+name, runner.Source{Dir: a.Dir, Entry: a.Entry, Files: a.Files, Dependencies: a.Dependencies})
	}
	for _, name := range sortedKeys(s.Snap.Drafts) {
		m := s.Snap.Drafts[name]
		check("modules/"+name, runner.Source{Dir: m.Dir, Entry: m.Entry, Files: m.Files, Dependencies: m.Dependencies})
	}
	locked, lockWarnings := checkLocked(s)
	out = append(out, locked...)
	warnings = lockWarnings
	if !opts.SkipRun {
		for _, f := range locked { // not installable: not built either
			p.syntax[f.Object] = true
		}
		built, w := build(ctx, s, p, out, opts.Dependencies)
		out = append(out, built...)
		warnings = append(warnings, w...)
	}
	out = dedupe(out)
	sortFindings(out)
	sortFindings(warnings)
	return out, warnings
}

// SyntaxError parses a JavaScript file as the runner wraps it (a CommonJS function body) and
// returns its first syntax error, or nil.
func SyntaxError(file string, src []byte) *Finding {
	const head = "(function(exports, require, module, __filename, __dirname, actions, fetch, console) {"
	_, err := parser.ParseFile(nil, file, head+string(src)+"\n})", 0)
	if err == nil {
		return nil
	}
	var list parser.ErrorList
	var one *parser.Error
	switch {
	case errors.As(err, &list) && len(list) > 0:
		one = list[0]
	case errors.As(err, &one):
	default:
		return &Finding{Pos: file, Message: "SyntaxError: " + err.Error()}
	}
	line, col := one.Position.Line, one.Position.Column
	if line == 1 {
		col = max(1, col-len(head))
	}
	return &Finding{Pos: fmt.Sprintf("%s:%d:%d", file, line, col), Message: "SyntaxError: " + one.Message}
}

// checkLocked compares the declared npm dependencies with actionsd.lock as the daemon does
// (npmvendor.Check): declared but not locked, or locked to a version the declaration does not
// allow, is an error (the deploy would fail in step resolve); locked but no longer declared is a
// warning.
func checkLocked(s *State) (errs, warnings []Finding) {
	type decl struct {
		object, manifest string
		deps             map[string]string
		data             []byte
	}
	var decls []decl
	for _, name := range sortedKeys(s.Snap.Actions) {
		a := s.Snap.Actions[name]
		decls = append(decls, decl{"actions/" + name, a.Dir + "/action.yaml", a.Dependencies, a.Files["action.yaml"]})
	}
	for _, name := range sortedKeys(s.Snap.Drafts) {
		m := s.Snap.Drafts[name]
		decls = append(decls, decl{"modules/" + name, m.Dir + "/module.yaml", m.Dependencies, m.Files["module.yaml"]})
	}
	for _, d := range decls {
		if len(d.deps) == 0 && (s.Lock == nil || s.Lock.Owners[d.object] == nil) {
			continue
		}
		for _, p := range npmvendor.Check(s.Lock, d.object, d.deps) {
			pos := d.manifest
			if l, c := gitstore.KeyPos(d.data, "dependencies", p.Package); l > 0 {
				pos = fmt.Sprintf("%s:%d:%d", d.manifest, l, c)
			}
			f := Finding{Pos: pos, Object: d.object, Field: "dependencies." + p.Package}
			switch {
			case p.Declared == "":
				f.Message = fmt.Sprintf("%s is locked but no longer declared (run `actionsd lock`)", p.Package)
				warnings = append(warnings, f)
				continue
			case s.Lock == nil:
				f.Message = fmt.Sprintf("%s %s is not locked: there is no %s (run `actionsd lock`)", p.Package, p.Declared, lockfile.Name)
			case p.Locked == "" && locked(s.Lock, d.object, p.Package) != "": // Check found no package entry
				f.Message = fmt.Sprintf("%s %s is locked to %s, which %s does not list (run `actionsd lock`)", p.Package, p.Declared, s.Lock.Owners[d.object].Dependencies[p.Package], lockfile.Name)
			case p.Locked == "":
				f.Message = fmt.Sprintf("%s %s is not in %s (run `actionsd lock`)", p.Package, p.Declared, lockfile.Name)
			default:
				f.Message = fmt.Sprintf("asks for %s %s but %s has %s (run `actionsd lock`)", p.Package, p.Declared, lockfile.Name, p.Locked)
			}
			errs = append(errs, f)
		}
	}
	return errs, warnings
}

// prepared keeps the sources of a check as the runner gets them (TypeScript and ES modules turned
// into CommonJS, by sync.Transformer), by object.
type prepared struct {
	tr      sync.Transformer
	syntax  map[string]bool          // objects with a syntax error: not built
	sources map[string]runner.Source // "actions/x", "modules/y" (drafts), "modules/y@vN"
	renamed map[string]string        // transformed file -> the repository file it came from
}

// source returns src transformed, once per object, and the findings of its transform.
func (p *prepared) source(object, ref string, src runner.Source) (runner.Source, []Finding) {
	if out, ok := p.sources[object]; ok {
		return out, nil
	}
	out, problems := p.tr.Source(object, ref, src, p.renamed)
	var findings []Finding
	for _, pr := range problems {
		findings = append(findings, fromSync(pr))
		p.syntax[object] = true
	}
	p.sources[object] = out
	return out, findings
}

// build runs runner.Build over the actions of s whose module pins resolve and whose files parse,
// with no secret values, and reports what it refuses. Actions and modules that declare npm
// dependencies are built with their packages installed by deps; without deps, or when an install
// fails (a warning), they are left out.
func build(ctx context.Context, s *State, p *prepared, already []Finding, deps sync.Installer) (errs, warnings []Finding) {
	syntax := p.syntax
	bundled := map[string]bool{} // objects whose dependencies installed
	var transformErrs []Finding  // of pinned module versions (drafts' are checked before)
	install := func(object, owner string, lock *lockfile.Lock) bool {
		src := p.sources[object]
		switch {
		case syntax[object]:
			return false
		case len(src.Dependencies) == 0 || bundled[object]:
			return true
		case deps == nil:
			return false
		}
		src, err := sync.InstallSource(ctx, deps, src, owner, lock, nil)
		if err != nil {
			warnings = append(warnings, Finding{Pos: object, Object: object,
				Message: "not built: its npm dependencies did not install: " + err.Error()})
			syntax[object] = true
			return false
		}
		p.sources[object] = src
		bundled[object] = true
		return true
	}
	// Every pinned module version is transformed first, as the daemon does whatever else fails:
	// its errors are the commit's, whether or not an action pinning it gets built.
	for _, name := range sortedKeys(s.Snap.Actions) {
		a := s.Snap.Actions[name]
		for _, mname := range sortedKeys(a.Modules) {
			pin := a.Modules[mname]
			vs := s.Snap.Modules[mname]
			if vs == nil || vs.Versions[pin.Version] == nil || vs.Versions[pin.Version].Module == nil {
				continue // sync.Validate reported it
			}
			v := vs.Versions[pin.Version]
			m := v.Module
			_, findings := p.source(fmt.Sprintf("modules/%s@v%d", mname, pin.Version), v.Tag,
				runner.Source{Dir: m.Dir, Entry: m.Entry, Files: m.Files, Dependencies: m.Dependencies})
			transformErrs = append(transformErrs, findings...)
		}
	}
	spec := &runner.Spec{Commit: s.CommitHash(), Actions: map[string]*runner.ActionSpec{}, Bindings: map[string][]string{}}
	modules := map[string]*runner.ModuleSpec{}
actions:
	for _, name := range sortedKeys(s.Snap.Actions) {
		a := s.Snap.Actions[name]
		if syntax["actions/"+name] || a.Entry == "" || a.Trigger == "" || !install("actions/"+name, "actions/"+name, s.Snap.Lock) {
			continue
		}
		as := &runner.ActionSpec{Name: name, Version: "review", Trigger: a.Trigger, Timeout: a.Timeout,
			Source:  p.sources["actions/"+name],
			Secrets: map[string]string{}, Modules: map[string]*runner.ModuleSpec{}}
		for _, mname := range sortedKeys(a.Modules) {
			pin := a.Modules[mname]
			vs := s.Snap.Modules[mname]
			if vs == nil || vs.Versions[pin.Version] == nil || vs.Versions[pin.Version].Module == nil {
				continue actions // sync.Validate reported it
			}
			v := vs.Versions[pin.Version]
			m := v.Module
			if syntax["modules/"+mname] && m.Tree == draftTree(s, mname) || m.Entry == "" {
				continue actions
			}
			key := fmt.Sprintf("%s@%d", mname, pin.Version)
			if modules[key] == nil {
				object := fmt.Sprintf("modules/%s@v%d", mname, pin.Version) // transformed above
				if !install(object, "modules/"+mname, v.Lock) {
					continue actions
				}
				modules[key] = &runner.ModuleSpec{Name: mname, Version: pin.Version, Source: p.sources[object], Secrets: map[string]string{}}
			}
			as.Modules[mname] = modules[key]
		}
		spec.Actions[name] = as
	}
	if len(spec.Actions) == 0 {
		return transformErrs, warnings
	}
	// Locked down as a deploy loads them: an action that pins modules and changes built-ins at
	// load fails here as it would fail the daemon's build.
	gen, err := runner.Build(ctx, spec, runner.Options{PoolSize: 1, LoadUnbound: true})
	if err == nil {
		gen.Close()
		return transformErrs, warnings
	}
	var be *runner.BuildError
	if !errors.As(err, &be) {
		return append(transformErrs, Finding{Message: "build: " + err.Error()}), warnings
	}
	seen := map[string]bool{}
	for _, f := range already {
		seen[f.Pos] = true
	}
	out := transformErrs
	for _, pr := range be.Problems {
		file := pr.File
		if orig, ok := p.renamed[file]; ok { // name the .ts the runner saw as its .js
			file = orig
		}
		pos := file
		if file != "" && pr.Line > 0 {
			pos = fmt.Sprintf("%s:%d:%d", file, pr.Line, max(pr.Col, 1))
		}
		if pos != "" && seen[pos] {
			continue
		}
		out = append(out, Finding{Pos: pos, Object: pr.Object, Message: pr.Message})
	}
	return out, warnings
}

func draftTree(s *State, name string) string {
	if d := s.Snap.Drafts[name]; d != nil {
		return d.Tree
	}
	return ""
}

func dedupe(fs []Finding) []Finding {
	seen := map[Finding]bool{}
	out := fs[:0]
	for _, f := range fs {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}
