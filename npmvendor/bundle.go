package npmvendor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/evanw/esbuild/pkg/api"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/lockfile"
)

// nodeBuiltins are the module names Node provides; the bundle leaves them to the runtime's require
// (also as node:<name>).
var nodeBuiltins = []string{
	"assert", "assert/strict", "async_hooks", "buffer", "child_process", "cluster", "console", "constants",
	"crypto", "dgram", "diagnostics_channel", "dns", "dns/promises", "domain", "events", "fs", "fs/promises",
	"http", "http2", "https", "inspector", "module", "net", "os", "path", "path/posix", "path/win32",
	"perf_hooks", "process", "punycode", "querystring", "readline", "repl", "stream", "stream/promises",
	"stream/web", "string_decoder", "sys", "timers", "timers/promises", "tls", "trace_events", "tty", "url",
	"util", "util/types", "v8", "vm", "wasi", "worker_threads", "zlib",
}

// needsTransform finds what goja cannot run as it is: module syntax, import(), for await, async
// generators.
var needsTransform = regexp.MustCompile(`(?m)^\s*(import|export)\b|\bimport\s*\(|\bfor\s+await\b|\basync\s+function\s*\*|\basync\s*\*`)

// goja runs ES2022+ except what these name (import() included); esbuild lowers them.
var gojaUnsupported = map[string]bool{"async-generator": false, "for-await": false, "dynamic-import": false}

// bundle lays the owner's packages out as a node_modules tree (hard links into the cache, symbolic
// links between packages, so each package sees exactly its locked dependencies) and bundles it:
// one entry chunk per declared package, and shared chunks for what two of them use, so that goja
// compiles the chunks in parallel and a package is one instance however many others use it.
func (i *Installer) bundle(ctx context.Context, o *lockfile.Owner, pkgs map[string]*lockfile.Package, dirs map[string]string, subpaths []string) (*split, error) {
	tmp, err := os.MkdirTemp(filepath.Join(i.dir, "tmp"), "bundle-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if i.backgroundRemove {
			go os.RemoveAll(tmp) // thousands of links: not on the caller's time
		} else {
			os.RemoveAll(tmp)
		}
	}()
	where := map[string]string{} // package key -> its folder in the layout
	var errs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, 8) // file system calls, mostly
	for n, k := range sortedKeys(pkgs) {
		p := pkgs[k]
		if dirs[k] == "" {
			continue // an optional package that did not install
		}
		dst := filepath.Join(tmp, "s", strconv.Itoa(n), "node_modules", filepath.FromSlash(p.Name))
		where[k] = dst
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			if err := linkTree(dirs[k], dst); err != nil {
				mu.Lock()
				errs = append(errs, &PackageError{p.Name, p.Version, fmt.Errorf("laying out: %w", err)})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := joinSorted(errs); err != nil {
		return nil, err
	}
	all := make(map[string]bool, len(pkgs)) // every package key: where peers may resolve
	for k := range pkgs {
		all[k] = true
	}
	for k, dst := range where {
		p := pkgs[k]
		nm := filepath.Dir(dst)
		if strings.HasPrefix(p.Name, "@") {
			nm = filepath.Dir(nm)
		}
		for n, v := range layoutDeps(p, pkgs, all, o.Dependencies) {
			target := where[depKey(n, v)]
			if target == "" || n == p.Name {
				continue
			}
			if err := symlink(target, filepath.Join(nm, filepath.FromSlash(n))); err != nil {
				return nil, err
			}
		}
	}
	root := filepath.Join(tmp, "root")
	for _, name := range sortedKeys(o.Dependencies) {
		target := where[depKey(name, o.Dependencies[name])]
		if target == "" {
			return nil, fmt.Errorf("%s@%s did not install", name, o.Dependencies[name])
		}
		if err := symlink(target, filepath.Join(root, "node_modules", filepath.FromSlash(name))); err != nil {
			return nil, err
		}
	}
	entries := map[string]string{} // entry file -> what it requires: a package, or a deep import of one
	for n, spec := range append(sortedKeys(o.Dependencies), subpaths...) {
		q, _ := json.Marshal(spec)
		file := fmt.Sprintf("entry-%d.js", n)
		if err := os.WriteFile(filepath.Join(root, file), []byte("module.exports = require("+string(q)+");\n"), 0o644); err != nil {
			return nil, err
		}
		entries[file] = spec
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	li := &layoutIndex{tmp: tmp, keys: sortedKeys(pkgs), dirs: dirs}
	tryBrowser := browserCandidate(pkgs)
	var nodeBuild, browserBuild *split
	var nodeErr, browserErr error
	// The first builds use esbuild's own resolver with Node's conditions; that is all most sets
	// need. A require that resolves to nothing in a try block is left external by esbuild (and
	// throws as Node does, see toCommonJS). What fails to resolve otherwise (a require of a
	// package that is not installed, an ES-module-only package reached by require) and "buffer/"
	// left external by a browser build get the builds again with the plugin (noderesolve.go) for
	// those specifiers only: a plugin callback for every import would cost a third of the time.
	var specs []string
	for {
		var builds sync.WaitGroup
		builds.Go(func() { nodeBuild, nodeErr = build(root, entries, false, li, specs) })
		if tryBrowser {
			builds.Go(func() { browserBuild, browserErr = build(root, entries, true, li, specs) })
		}
		builds.Wait()
		more := li.unresolved(nodeBuild, nodeErr, specs)
		if tryBrowser {
			more = append(more, li.unresolved(browserBuild, browserErr, append(specs, more...))...)
		}
		if len(more) > 0 {
			specs = append(specs, more...)
			continue
		}
		if nodeErr == nil || tryBrowser && browserErr == nil {
			break
		}
		// A deep import that does not resolve is left out (requiring it then fails, as in Node),
		// not the whole set: it may sit in a try block, or in a test.
		var be *buildError
		if !errors.As(nodeErr, &be) || !dropSubpaths(entries, be.entries, subpaths) {
			break
		}
		i.logger.Warn("npm bundle: deep imports that do not resolve are left out", zap.Error(nodeErr))
	}
	chosen := nodeBuild
	browserOK := tryBrowser && browserErr == nil
	if browserOK {
		if blockers := li.browserBlockers(browserBuild, pkgs); len(blockers) > 0 {
			i.logger.Debug("npm bundle: browser build not used", zap.Strings("browser_fields_not_allowed", blockers))
			browserOK = false
		}
	}
	switch {
	case nodeErr != nil && !browserOK:
		return nil, li.bundleError(o, pkgs, nodeErr)
	case nodeErr != nil:
		chosen = browserBuild
	case browserOK && len(browserBuild.builtins) < len(nodeBuild.builtins):
		// The `browser` builds of browserAllowed need fewer Node built-ins (axios' uses fetch).
		i.logger.Debug("npm bundle: browser build chosen")
		chosen = browserBuild
	}
	if err := chosen.toCommonJS(); err != nil {
		return nil, err
	}
	return chosen, nil
}

// dropSubpaths removes from entries the failed entry files that are deep imports (subpaths), and
// reports whether it removed any and only those failed.
func dropSubpaths(entries map[string]string, failed map[string]bool, subpaths []string) bool {
	if len(failed) == 0 {
		return false
	}
	deep := map[string]bool{}
	for _, s := range subpaths {
		deep[s] = true
	}
	for f := range failed {
		if !deep[entries[f]] {
			return false
		}
	}
	for f := range failed {
		delete(entries, f)
	}
	return true
}

// buildError is a failed build, with the entry files whose own line failed (an import that does
// not resolve).
type buildError struct {
	err     error
	msgs    []api.Message
	entries map[string]bool
}

func (e *buildError) Error() string { return e.err.Error() }

// split is a bundle as build makes it: chunks by file name (ES modules until toCommonJS), the
// entry chunk of each declared package, and the Node built-ins the chunks require.
type split struct {
	entries  map[string]string // package name -> chunk
	chunks   map[string][]byte
	builtins []string
	missing  []jsdeps.Missing // requires of nothing, left external: they throw when they run
	packages []string         // keys of the packages whose files the build read
	// missingStacks are the specifiers of missing and their require stacks: specifier, stack, ….
	missingStacks []string
	// cjsImported are the chunks of CommonJS files that a package loads with import(): their
	// namespace gets the module's properties beside default, as Node's does (cjsNamespace).
	cjsImported map[string]bool
}

// cjsNamespace ends the chunk of a CommonJS file reached by import(): esbuild's namespace of it
// holds only default (module.exports); Node's also has its named exports, which its lexer finds
// in the source and this finds at run time, as esbuild's own Node mode of __toESM does.
const cjsNamespace = "\n;(function (ns) { var d = ns.default; if (d === null || typeof d !== \"object\" && typeof d !== \"function\") return; " +
	"Object.getOwnPropertyNames(d).forEach(function (k) { if (k !== \"default\" && !Object.prototype.hasOwnProperty.call(ns, k)) " +
	"Object.defineProperty(ns, k, { get: function () { return d[k]; }, enumerable: true }); }); })(module.exports);\n"

// toCommonJS turns the chunks from ES modules into CommonJS, in parallel: chunks then require each
// other as "./<chunk>", and an entry chunk's exports.default is its package.
func (sp *split) toCommonJS() error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	out := make(map[string][]byte, len(sp.chunks))
	prologue := missingPrologue(sp.missingStacks)
	for name, code := range sp.chunks {
		wg.Go(func() {
			cjs := api.Transform(string(code), api.TransformOptions{
				Format:    api.FormatCommonJS,
				Target:    api.ESNext,
				Supported: gojaUnsupported,
				LogLevel:  api.LogLevelSilent,
			})
			mu.Lock()
			defer mu.Unlock()
			if len(cjs.Errors) > 0 {
				errs = append(errs, fmt.Errorf("chunk %s: %w", name, esbuildError(cjs.Errors)))
				return
			}
			if len(sp.missingStacks) > 0 {
				// Every chunk: esbuild's __require helper, which external requires go through,
				// sits in a shared chunk and calls that chunk's require.
				cjs.Code = withPrologue(cjs.Code, prologue)
			}
			if sp.cjsImported[name] {
				cjs.Code = append(cjs.Code, cjsNamespace...)
			}
			out[name] = cjs.Code
		})
	}
	wg.Wait()
	if err := joinSorted(errs); err != nil {
		return err
	}
	sp.chunks = out
	return nil
}

// withPrologue puts prologue at the start of code's first line, after a "use strict" directive
// (which must stay first to count), so that the lines keep their numbers.
func withPrologue(code []byte, prologue string) []byte {
	const directive = `"use strict";`
	out := make([]byte, 0, len(code)+len(prologue))
	if bytes.HasPrefix(code, []byte(directive)) {
		out = append(out, directive...)
		code = code[len(directive):]
	}
	out = append(out, prologue...)
	return append(out, code...)
}

// build runs esbuild on root's entry files (entry file -> package name) with code splitting;
// built-ins stay external, and specs (what an earlier build left unresolved) resolve through
// li.plugin. browser selects `browser` fields and conditions. Splitting needs ES module output:
// toCommonJS makes the chunks goja's.
func build(root string, entries map[string]string, browser bool, li *layoutIndex, specs []string) (*split, error) {
	var points []api.EntryPoint
	for _, file := range sortedKeys(entries) {
		points = append(points, api.EntryPoint{InputPath: filepath.Join(root, file), OutputPath: strings.TrimSuffix(strings.Replace(file, "entry-", "pkg-", 1), ".js")})
	}
	opts := api.BuildOptions{
		EntryPointsAdvanced: points,
		AbsWorkingDir:       root,
		Bundle:              true,
		Write:               false,
		Format:              api.FormatESModule,
		Splitting:           true,
		Platform:            api.PlatformNode,
		Target:              api.ESNext,
		Supported:           gojaUnsupported,
		Metafile:            true,
		LogLevel:            api.LogLevelSilent,
		LegalComments:       api.LegalCommentsNone,
		Outdir:              filepath.Join(root, "out"),
		// Node's conditions only: "node" (the platform), "require" or "import" (by how the
		// module is reached) and "default"; not esbuild's default "module" (noderesolve.go).
		Conditions: []string{},
	}
	if len(specs) > 0 {
		opts.Plugins = []api.Plugin{li.plugin(specs)}
	}
	if browser {
		opts.Platform = api.PlatformBrowser
		external := []string{"node:*"}
		for _, b := range nodeBuiltins {
			external = append(external, b)
		}
		opts.External = external
	}
	res := api.Build(opts)
	if len(res.Errors) > 0 {
		e := &buildError{err: esbuildError(res.Errors), msgs: res.Errors, entries: map[string]bool{}}
		for _, m := range res.Errors {
			if m.Location != nil && entries[m.Location.File] != "" {
				e.entries[m.Location.File] = true
			}
		}
		return nil, e
	}
	var meta metafile
	if err := json.Unmarshal([]byte(res.Metafile), &meta); err != nil {
		return nil, fmt.Errorf("esbuild metafile: %w", err)
	}
	out := &split{entries: map[string]string{}, chunks: map[string][]byte{}, builtins: meta.externals()}
	seen := map[string]bool{}
	stack := map[string]string{} // a missing specifier -> the first file requiring it
	for _, in := range sortedKeys(meta.Inputs) {
		if key, _ := li.locate(in); key != "" && !seen[key] {
			seen[key] = true
			out.packages = append(out.packages, key)
		}
		for _, imp := range meta.Inputs[in].Imports {
			if !imp.External || isBuiltinSpec(imp.Path) || strings.HasPrefix(imp.Path, "<") { // "<runtime>": esbuild's own
				continue
			}
			m := li.missing(filepath.Join(root, in), imp.Path)
			m.Guarded = !slices.Contains(specs, imp.Path) // left external by esbuild: in a try block
			out.missing = append(out.missing, m)
			if stack[imp.Path] == "" {
				stack[imp.Path] = "node_modules/" + m.File
			}
		}
	}
	sortMissing(out.missing)
	for _, spec := range sortedKeys(stack) {
		out.missingStacks = append(out.missingStacks, spec, stack[spec])
	}
	for _, f := range res.OutputFiles {
		name := filepath.Base(f.Path)
		if !strings.HasSuffix(name, ".js") {
			continue
		}
		out.chunks[name] = f.Contents
		rel, err := filepath.Rel(root, f.Path)
		if err != nil {
			return nil, err
		}
		if o := meta.Outputs[filepath.ToSlash(rel)]; o.EntryPoint != "" {
			if pkg, ok := entries[o.EntryPoint]; ok {
				out.entries[pkg] = name
			} else if meta.Inputs[o.EntryPoint].Format == "cjs" {
				if out.cjsImported == nil {
					out.cjsImported = map[string]bool{}
				}
				out.cjsImported[name] = true // an import() of a CommonJS file
			}
		}
	}
	for _, pkg := range entries {
		if out.entries[pkg] == "" {
			return nil, fmt.Errorf("esbuild wrote no entry chunk for %s", pkg)
		}
	}
	return out, nil
}

// externals lists the distinct external imports of a build from its metafile.
func (m *metafile) externals() []string {
	seen := map[string]bool{}
	for _, o := range m.Outputs {
		for _, imp := range o.Imports {
			if imp.External {
				seen[strings.TrimPrefix(imp.Path, "node:")] = true
			}
		}
	}
	return sortedKeys(seen)
}

// metafile is what build reads of esbuild's metafile.
type metafile struct {
	Inputs map[string]struct {
		Format  string `json:"format"` // "cjs", "esm" or none
		Imports []struct {
			Path     string `json:"path"`
			External bool   `json:"external"`
		} `json:"imports"`
	} `json:"inputs"`
	Outputs map[string]struct {
		EntryPoint string `json:"entryPoint"`
		Imports    []struct {
			Path     string `json:"path"`
			External bool   `json:"external"`
		} `json:"imports"`
	} `json:"outputs"`
}

func esbuildError(msgs []api.Message) error {
	var parts []string
	for n, m := range msgs {
		if n == 5 {
			parts = append(parts, fmt.Sprintf("… and %d more", len(msgs)-5))
			break
		}
		s := m.Text
		if m.Location != nil {
			file := m.Location.File
			if i := strings.LastIndex(file, "node_modules/"); i >= 0 {
				file = file[i+len("node_modules/"):]
			}
			s = fmt.Sprintf("%s:%d:%d: %s", file, m.Location.Line, m.Location.Column, m.Text)
		}
		parts = append(parts, s)
	}
	return errors.New(strings.Join(parts, "; "))
}

// linkTree recreates src at dst with hard links to src's files (copies where links fail).
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			if err := os.Link(p, target); err == nil {
				return nil
			}
			return copyFile(p, target)
		}
		return nil
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func symlink(target, link string) error {
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return err
	}
	if _, err := os.Lstat(link); err == nil {
		return nil // already linked
	}
	return os.Symlink(target, link)
}

// Transform compiles one action or module source file to CommonJS that goja runs: TypeScript
// (.ts, .mts, .cts) and ES module syntax (import/export) become require/exports, and syntax goja
// lacks (for await, async generators) is lowered. Files that need nothing are returned as they are.
func Transform(filename string, src []byte) ([]byte, error) {
	loader := api.LoaderJS
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".ts", ".mts", ".cts":
		loader = api.LoaderTS
	case ".js", ".cjs", ".mjs":
		if !needsTransform.Match(src) {
			return src, nil
		}
	default:
		return src, nil
	}
	res := api.Transform(string(src), api.TransformOptions{
		Loader:    loader,
		Format:    api.FormatCommonJS,
		Target:    api.ESNext,
		Supported: gojaUnsupported,
		// An inline source map, which goja reads: stack traces and load errors then name the
		// original file (beside the output, hence the base name) and its lines.
		Sourcemap:      api.SourceMapInline,
		SourcesContent: api.SourcesContentExclude,
		Sourcefile:     path.Base(filepath.ToSlash(filename)),
		LogLevel:       api.LogLevelSilent,
	})
	if len(res.Errors) > 0 {
		return nil, esbuildError(res.Errors)
	}
	return res.Code, nil
}
