package npmvendor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/lockfile"
)

// Packages resolve as Node resolves them, not as a browser bundler would: the `exports`
// conditions "node", then "require" (or "import" for an import statement), then "default", then
// `main` (esbuild's node platform with no extra conditions). Four things are added to esbuild:
//
//   - a require of an ES-module-only package (its exports name "import" only) loads it, as Node
//     22's require(esm) does;
//   - a trailing-slash specifier ("buffer/", "url/", "punycode/", "events/", "util/", …) is the
//     npm package of that name, never the Node built-in, as in Node;
//   - a require that resolves to nothing installed (an optional peer, a require behind
//     `if (options.proxy)`) does not fail the bundle: it is left external, and the chunk's
//     require throws Node's error for it when it runs (code MODULE_NOT_FOUND, "Cannot find
//     module 'x'"; missingPrologue); each is recorded (jsdeps.Missing) for the tools to warn
//     about, with the file and line;
//   - a package's `browser` field or "browser" condition is used only for the packages of
//     browserAllowed.

// browserAllowed are the packages whose `browser` build the bundle may use instead of the Node
// build: each one's browser build is known to work in the runner (TestPopularPackages runs it).
// A bundle uses browser builds only when every package the browser build reaches that has a
// browser field is listed here, and when it needs fewer Node built-ins than the Node build.
// Elsewhere a browser build breaks ("window is not defined": form-data 2.3.3).
var browserAllowed = map[string]bool{
	"axios": true, // its fetch/XHR adapter; TestPopularPackages/axios
}

// resolveGuard marks the plugin's own calls to esbuild's resolver, which run the plugin again.
type resolveGuard struct{}

// layoutIndex maps the files of a bundle layout back to their packages: package n of the sorted
// package keys lives at <tmp>/s/<n>/node_modules/<name>.
type layoutIndex struct {
	tmp  string
	keys []string
	dirs map[string]string // package key -> its folder in the package cache
}

var layoutPathRE = regexp.MustCompile(`(?:^|/)s/([0-9]+)/node_modules/(.+)$`)

// locate returns the package key of a file of the layout and the file's path from the layout's
// node_modules ("rest-facade/src/Client.js"); "" when it is not in a package.
func (li *layoutIndex) locate(path string) (key, rel string) {
	m := layoutPathRE.FindStringSubmatch(filepath.ToSlash(path))
	if m == nil {
		return "", ""
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n >= len(li.keys) {
		return "", ""
	}
	return li.keys[n], m[2]
}

// inside reports whether dir is within the layout.
func (li *layoutIndex) inside(dir string) bool {
	rel, err := filepath.Rel(li.tmp, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// packageDir finds node_modules/<name> from dir upwards, within the layout, as Node looks for a
// package; "" when there is none.
func (li *layoutIndex) packageDir(dir, name string) string {
	for li.inside(dir) {
		cand := filepath.Join(dir, "node_modules", filepath.FromSlash(name))
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return ""
}

// sortMissing orders requires of nothing by file, line, column and specifier.
func sortMissing(l []jsdeps.Missing) {
	slices.SortFunc(l, func(a, b jsdeps.Missing) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Col != b.Col {
			return a.Col - b.Col
		}
		return strings.Compare(a.Spec, b.Spec)
	})
}

// isBuiltinSpec reports whether an external import is a Node built-in.
func isBuiltinSpec(spec string) bool {
	return strings.HasPrefix(spec, "node:") || builtinSet[spec]
}

var builtinSet = func() map[string]bool {
	m := map[string]bool{}
	for _, b := range nodeBuiltins {
		m[b] = true
	}
	return m
}()

var couldNotResolveRE = regexp.MustCompile(`^Could not resolve "(.+)"$`)

// unresolved lists what a build left unresolved that the plugin may resolve, beyond known: the
// specifiers of "Could not resolve" errors, and trailing-slash names of built-ins left external
// ("buffer/" in a browser build).
func (li *layoutIndex) unresolved(sp *split, err error, known []string) []string {
	seen := map[string]bool{}
	for _, k := range known {
		seen[k] = true
	}
	var out []string
	add := func(spec string) {
		if !seen[spec] {
			seen[spec] = true
			out = append(out, spec)
		}
	}
	var be *buildError
	if errors.As(err, &be) {
		for _, m := range be.msgs {
			if sub := couldNotResolveRE.FindStringSubmatch(m.Text); sub != nil && m.Location != nil {
				add(sub[1]) // in an entry file too: an ES-module-only package declared
			}
		}
	}
	if sp != nil {
		for _, b := range sp.builtins {
			if base, slash := strings.CutSuffix(b, "/"); slash && builtinSet[base] {
				add(b)
			}
		}
	}
	return out
}

// plugin is the esbuild plugin that resolves specs (what a build without it left unresolved) as
// Node does, see above; what still resolves to nothing is left external, and throws Node's error
// when it runs (missingPrologue).
func (li *layoutIndex) plugin(specs []string) api.Plugin {
	quoted := make([]string, len(specs))
	for n, s := range specs {
		quoted[n] = regexp.QuoteMeta(s)
	}
	filter := "^(?:" + strings.Join(quoted, "|") + ")$"
	return api.Plugin{Name: "actionsd-node-resolve", Setup: func(pb api.PluginBuild) {
		pb.OnResolve(api.OnResolveOptions{Filter: filter}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
			if _, own := args.PluginData.(resolveGuard); own || args.Kind == api.ResolveEntryPoint || args.Namespace != "file" {
				return api.OnResolveResult{}, nil
			}
			_, inPackage := li.locate(args.Importer)
			spec := args.Path
			opts := api.ResolveOptions{Kind: args.Kind, ResolveDir: args.ResolveDir, Importer: args.Importer,
				Namespace: args.Namespace, PluginData: resolveGuard{}, With: args.With}
			var r api.ResolveResult
			if base, slash := strings.CutSuffix(spec, "/"); slash && builtinSet[base] {
				// "buffer/": the npm package buffer, as in Node, whatever esbuild's externals say.
				if dir := li.packageDir(args.ResolveDir, base); dir != "" {
					r = pb.Resolve(dir, opts)
				} else {
					r.Errors = []api.Message{{Text: "not installed"}}
				}
			} else {
				r = pb.Resolve(spec, opts)
				if len(r.Errors) > 0 && args.Kind == api.ResolveJSRequireCall {
					// An ES-module-only package (exports for "import" only), required: Node 22's
					// require(esm) loads it.
					opts.Kind = api.ResolveJSImportStatement
					if r2 := pb.Resolve(spec, opts); len(r2.Errors) == 0 {
						r = r2
					}
				}
			}
			switch {
			case len(r.Errors) > 0 && inPackage == "":
				// An entry file's require (a deep import of the owner's code): esbuild fails it,
				// and the bundler leaves that entry out.
				return api.OnResolveResult{}, nil
			case len(r.Errors) > 0:
				return api.OnResolveResult{Path: spec, External: true}, nil
			}
			side := api.SideEffectsTrue
			if !r.SideEffects {
				side = api.SideEffectsFalse
			}
			return api.OnResolveResult{Path: r.Path, External: r.External, Namespace: r.Namespace, Suffix: r.Suffix,
				PluginData: r.PluginData, SideEffects: side, Warnings: r.Warnings}, nil
		})
	}}
}

// missingPrologue is what a chunk that requires specifiers that name nothing starts with (on its
// first line, so that its lines keep their numbers): a require that throws Node's error for those
// (code MODULE_NOT_FOUND, "Cannot find module 'x'" and the require stack), and is the chunk's
// require for the others. m is specifier, require stack, specifier, require stack, ….
func missingPrologue(m []string) string {
	stacks := map[string]string{}
	for n := 0; n+1 < len(m); n += 2 {
		stacks[m[n]] = m[n+1]
	}
	table, _ := json.Marshal(stacks)
	return `var require = (function (r, m) { return function (s) { if (Object.prototype.hasOwnProperty.call(m, s)) { ` +
		`var e = new Error("Cannot find module '" + s + "'\nRequire stack:\n- " + m[s]); e.code = "MODULE_NOT_FOUND"; e.requireStack = [m[s]]; throw e; } ` +
		`return r.apply(this, arguments); }; })(require, ` + string(table) + `); `
}

// missing describes the require of spec by importer, with the line and column of its first
// mention in the file.
func (li *layoutIndex) missing(importer, spec string) jsdeps.Missing {
	key, rel := li.locate(importer)
	m := jsdeps.Missing{Spec: spec, Package: key, File: rel}
	if rel == "" {
		m.File = filepath.Base(importer)
	}
	src, err := os.ReadFile(importer)
	if err != nil {
		return m
	}
	best := -1
	for _, q := range []string{"'", `"`, "`"} {
		if i := bytes.Index(src, []byte(q+spec+q)); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best >= 0 {
		m.Line = bytes.Count(src[:best], []byte("\n")) + 1
		m.Col = best - (bytes.LastIndexByte(src[:best], '\n') + 1) + 1
	}
	return m
}

// hasBrowserBuild reports whether the package in dir (a cache folder) declares a browser build:
// a `browser` field or a "browser" condition.
func hasBrowserBuild(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	return err == nil && bytes.Contains(data, []byte(`"browser"`))
}

// browserCandidate reports whether a browser build is worth trying: a package of browserAllowed
// is among pkgs.
func browserCandidate(pkgs map[string]*lockfile.Package) bool {
	for _, p := range pkgs {
		if browserAllowed[p.Name] {
			return true
		}
	}
	return false
}

// browserBlockers lists the packages a browser build reaches (their keys, from its inputs) that
// have a browser build of their own and are not in browserAllowed.
func (li *layoutIndex) browserBlockers(sp *split, pkgs map[string]*lockfile.Package) []string {
	var out []string
	for _, key := range sp.packages {
		p := pkgs[key]
		if p == nil || browserAllowed[p.Name] {
			continue
		}
		if hasBrowserBuild(li.dirs[key]) {
			out = append(out, key)
		}
	}
	return out
}

// BundleError is a bundle that esbuild could not make: Package is the package whose file failed
// ("" when it is none), Chain how the owner reaches it (package keys, declared package first,
// Package last) and Declared the name the owner declares at the head of the chain.
type BundleError struct {
	Package  string
	Chain    []string
	Declared string
	Err      error
}

func (e *BundleError) Error() string {
	if e.Package == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("package %s (required through %s): %v", e.Package, strings.Join(e.Chain, " -> "), e.Err)
}

func (e *BundleError) Unwrap() error { return e.Err }

// bundleError names the package of err's first located message and the chain of dependencies
// from o's declarations to it.
func (li *layoutIndex) bundleError(o *lockfile.Owner, pkgs map[string]*lockfile.Package, err error) error {
	var be *buildError
	if !errors.As(err, &be) {
		return err
	}
	for _, m := range be.msgs {
		if m.Location == nil {
			continue
		}
		key, _ := li.locate(m.Location.File)
		if key == "" {
			continue
		}
		e := &BundleError{Package: key, Chain: dependencyChain(o, pkgs, key), Err: err}
		for n, v := range o.Dependencies {
			if depKey(n, v) == e.Chain[0] {
				e.Declared = n
			}
		}
		return e
	}
	return err
}

// dependencyChain is the shortest path of package keys from a declared dependency of o to key,
// through the dependencies each package sees in the layout.
func dependencyChain(o *lockfile.Owner, pkgs map[string]*lockfile.Package, key string) []string {
	all := make(map[string]bool, len(pkgs))
	for k := range pkgs {
		all[k] = true
	}
	from := map[string]string{}
	var queue []string
	for _, n := range sortedKeys(o.Dependencies) {
		k := depKey(n, o.Dependencies[n])
		if _, seen := from[k]; !seen && pkgs[k] != nil {
			from[k] = ""
			queue = append(queue, k)
		}
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		if k == key {
			var chain []string
			for c := k; c != ""; c = from[c] {
				chain = append([]string{c}, chain...)
			}
			return chain
		}
		deps := layoutDeps(pkgs[k], pkgs, all, o.Dependencies)
		for _, n := range sortedKeys(deps) {
			d := depKey(n, deps[n])
			if _, seen := from[d]; !seen && pkgs[d] != nil {
				from[d] = k
				queue = append(queue, d)
			}
		}
	}
	return []string{key}
}
