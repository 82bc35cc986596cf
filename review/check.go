package review

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja/parser"
	"github.com/evanw/esbuild/pkg/api"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/prepare"
	"github.com/actionsd/actionsd/runner"
)

// Check returns every error of s, sorted by position: the files' own problems and references
// (prepare.Validate), JavaScript syntax, the lock, unlocked dependencies, and (unless
// opts.SkipRun) what building the actions with the runner refuses.
func Check(ctx context.Context, s *State, opts Options) diag.List {
	errs, _ := check(ctx, s, opts)
	return errs
}

// check is Check that also returns warnings: packages locked but no longer declared, and npm
// dependencies that could not be installed for the build (opts.Dependencies), whose actions were
// then not built.
func check(ctx context.Context, s *State, opts Options) (errs, warnings diag.List) {
	out := prepare.Validate(s.Snap)
	c := &checker{set: prepare.New(s.Snap), broken: map[string]bool{}}
	// TypeScript and ES module files are transformed as the daemon does (esbuild checks their
	// syntax); the other JavaScript files are parsed as the runner wraps them.
	check := func(u *prepare.Unit) {
		orig := u.Source.Files
		out = append(out, c.transform(u)...)
		for _, f := range slices.Sorted(maps.Keys(u.Source.Files)) {
			if !strings.HasSuffix(f, ".js") && !strings.HasSuffix(f, ".cjs") || !bytes.Equal(u.Source.Files[f], orig[f]) {
				continue
			}
			if d := SyntaxError(u.Source.Dir+"/"+f, u.Source.Files[f]); d != nil {
				d.Object = u.Object
				out = append(out, *d)
				c.broken[u.Object] = true
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Snap.Actions)) {
		check(c.set.Action(name))
	}
	for _, name := range slices.Sorted(maps.Keys(s.Snap.Drafts)) {
		check(c.set.Draft(name))
	}
	locked, lockWarnings := c.checkLocked(s)
	out = append(out, locked...)
	warnings = lockWarnings
	if !opts.SkipRun {
		for _, d := range locked { // not installable: not built either
			c.broken[d.Object] = true
		}
		built, w := c.build(ctx, s, out, opts.Dependencies)
		out = append(out, built...)
		warnings = append(warnings, w...)
	}
	out = dedupe(out)
	sortDiagnostics(out)
	sortDiagnostics(warnings)
	return out, warnings
}

// SyntaxError parses a JavaScript file as the runner wraps it (a CommonJS function body) and
// returns its first syntax error, or nil.
func SyntaxError(file string, src []byte) *diag.Diagnostic {
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
		return &diag.Diagnostic{Pos: diag.Pos{File: file}, Message: "SyntaxError: " + err.Error()}
	}
	// goja's parser may report an error past where it failed (`const x = {;` on line 2: line 3,
	// column 1). esbuild's parser stops where the code stops being JavaScript, as Node's does:
	// its position and message, with the line's text, when it finds the error too.
	if r := api.Transform(string(src), api.TransformOptions{Loader: api.LoaderJS, Sourcefile: file, LogLevel: api.LogLevelSilent}); len(r.Errors) > 0 && r.Errors[0].Location != nil {
		loc := r.Errors[0].Location
		return &diag.Diagnostic{Pos: diag.Pos{File: file, Line: loc.Line, Col: runeCol(loc.LineText, loc.Column) + 1},
			Message: "SyntaxError: " + r.Errors[0].Text, Source: loc.LineText}
	}
	line, col := one.Position.Line, one.Position.Column
	if line == 1 {
		col = max(1, col-len(head))
	}
	return &diag.Diagnostic{Pos: diag.Pos{File: file, Line: line, Col: col}, Message: "SyntaxError: " + one.Message}
}

// runeCol turns esbuild's column (bytes of line) into one counted in characters, as Node counts.
func runeCol(line string, bytes int) int {
	return utf8.RuneCountInString(line[:min(bytes, len(line))])
}

// checker prepares the units of one check as the runner gets them (TypeScript and ES modules
// turned into CommonJS, npm packages installed), and knows which are broken.
type checker struct {
	set    *prepare.Set
	tr     prepare.Transformer
	broken map[string]bool // units with an error of their own (syntax, lock, install): not built
}

// transform transforms u, once, and returns the problems of its transform.
func (c *checker) transform(u *prepare.Unit) diag.List {
	problems := c.set.Transform(&c.tr, u)
	if len(problems) > 0 {
		c.broken[u.Object] = true
	}
	return problems
}

// checkLocked compares the declared npm dependencies of the actions and drafts with
// actionsd.lock as the daemon does (prepare.Check), and says what to do about each difference:
// declared but not locked, or locked to a version the declaration does not allow, is an error
// (the deploy would fail in step resolve); locked but no longer declared is a warning.
func (c *checker) checkLocked(s *State) (errs, warnings diag.List) {
	var units []*prepare.Unit
	for _, name := range slices.Sorted(maps.Keys(s.Snap.Actions)) {
		units = append(units, c.set.Action(name))
	}
	for _, name := range slices.Sorted(maps.Keys(s.Snap.Drafts)) {
		units = append(units, c.set.Draft(name))
	}
	for _, u := range units {
		for _, p := range prepare.Check(u) {
			d := diag.Diagnostic{Object: u.Object, Pos: p.Pos, Field: "dependencies." + p.Package}
			switch {
			case p.Declared == "":
				d.Message = fmt.Sprintf("%s is locked but no longer declared (run `actionsd lock`)", p.Package)
				warnings = append(warnings, d.Warn())
				continue
			case s.Lock == nil:
				d.Message = fmt.Sprintf("%s %s is not locked: there is no %s (run `actionsd lock`)", p.Package, p.Declared, lockfile.Name)
			case p.Locked == "" && locked(s.Lock, u.Object, p.Package) != "": // Check found no package entry
				d.Message = fmt.Sprintf("%s %s is locked to %s, which %s does not list (run `actionsd lock`)", p.Package, p.Declared, s.Lock.Owners[u.Object].Dependencies[p.Package], lockfile.Name)
			case p.Locked == "":
				d.Message = fmt.Sprintf("%s %s is not in %s (run `actionsd lock`)", p.Package, p.Declared, lockfile.Name)
			default:
				d.Message = fmt.Sprintf("asks for %s %s but %s has %s (run `actionsd lock`)", p.Package, p.Declared, lockfile.Name, p.Locked)
			}
			errs = append(errs, d)
		}
	}
	return errs, warnings
}

// build runs runner.Build over the actions of s whose module pins resolve and whose files parse,
// with no secret values, and reports what it refuses. Actions and modules that declare npm
// dependencies are built with their packages installed by deps; without deps, or when an install
// fails (a warning), they are left out.
func (c *checker) build(ctx context.Context, s *State, already diag.List, deps prepare.Installer) (errs, warnings diag.List) {
	bundled := map[string]bool{} // units whose dependencies installed
	var out diag.List            // of pinned module versions (drafts' are checked before), and bundles
	install := func(u *prepare.Unit) bool {
		switch {
		case c.broken[u.Object]:
			return false
		case !u.Declares() || bundled[u.Object]:
			return true
		case deps == nil:
			return false
		}
		if err := prepare.Install(ctx, deps, u); err != nil {
			c.broken[u.Object] = true
			var be *npmvendor.BundleError
			if errors.As(err, &be) {
				// The packages installed but do not bundle: the daemon would fail the same way.
				pos := diag.Pos{File: u.Object}
				if be.Declared != "" {
					pos = u.DependenciesPos(be.Declared)
				}
				out = append(out, diag.Diagnostic{Object: u.Object, Pos: pos, Field: fieldOf(be.Declared),
					Message: "its npm dependencies do not bundle: " + err.Error()})
				return false
			}
			warnings = append(warnings, diag.Diagnostic{Object: u.Object, Pos: diag.Pos{File: u.Object},
				Message: "not built: its npm dependencies did not install: " + err.Error()}.Warn())
			return false
		}
		bundled[u.Object] = true
		if b := u.Source.Bundle; b != nil {
			for _, m := range b.Missing {
				if m.Guarded {
					continue
				}
				warnings = append(warnings, diag.Diagnostic{Object: u.Object, Pos: diag.Pos{File: u.Object},
					Message: m.String()}.Warn())
			}
		}
		return true
	}
	// Every pinned module version is transformed first, as the daemon does whatever else fails:
	// its errors are the commit's, whether or not an action pinning it gets built.
	for _, name := range slices.Sorted(maps.Keys(s.Snap.Actions)) {
		a := s.Snap.Actions[name]
		for _, mname := range slices.Sorted(maps.Keys(a.Modules)) {
			if u := c.set.Version(mname, a.Modules[mname].Version); u != nil { // else Validate reported it
				out = append(out, c.transform(u)...)
			}
		}
	}
	var names []string
actions:
	for _, name := range slices.Sorted(maps.Keys(s.Snap.Actions)) {
		a := s.Snap.Actions[name]
		if a.Entry == "" || a.Trigger == "" || !install(c.set.Action(name)) {
			continue
		}
		for _, mname := range slices.Sorted(maps.Keys(a.Modules)) {
			u := c.set.Version(mname, a.Modules[mname].Version)
			if u == nil {
				continue actions // Validate reported it
			}
			m := s.Snap.Modules[mname].Versions[a.Modules[mname].Version].Module
			if c.broken["modules/"+mname] && m.Tree == draftTree(s, mname) || m.Entry == "" || !install(u) {
				continue actions
			}
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return out, warnings
	}
	// Locked down as a deploy loads them: an action that pins modules and changes built-ins at
	// load fails here as it would fail the daemon's build.
	gen, err := runner.Build(ctx, c.set.Spec(prepare.SpecOptions{Actions: names, Version: "review"}), runner.Options{PoolSize: 1, LoadUnbound: true})
	if err == nil {
		gen.Close()
		return out, warnings
	}
	var be *runner.BuildError
	if !errors.As(err, &be) {
		return append(out, diag.Diagnostic{Message: "build: " + err.Error()}), warnings
	}
	seen := map[string]bool{}
	for _, d := range already {
		seen[position(d)] = true
	}
	for _, d := range c.set.BuildErrors(err) {
		switch { // one file:line:col token, as the checks before write them
		case d.File == "":
			d.Pos = diag.Pos{}
		case d.Line == 0:
			d.Col = 0
		default:
			d.Col = max(d.Col, 1)
		}
		if p := position(d); p != "" && seen[p] {
			continue
		}
		out = append(out, d)
	}
	return out, warnings
}

// fieldOf is the manifest field of a declared npm package, "" for none.
func fieldOf(pkg string) string {
	if pkg == "" {
		return ""
	}
	return "dependencies." + pkg
}

func draftTree(s *State, name string) string {
	if d := s.Snap.Drafts[name]; d != nil {
		return d.Tree
	}
	return ""
}

func dedupe(l diag.List) diag.List {
	seen := map[diag.Diagnostic]bool{}
	out := l[:0]
	for _, d := range l {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}
