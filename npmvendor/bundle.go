package npmvendor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

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

// needsTransform finds what goja cannot run as it is: module syntax, for await, async generators.
var needsTransform = regexp.MustCompile(`(?m)^\s*(import|export)\b|\bfor\s+await\b|\basync\s+function\s*\*|\basync\s*\*`)

// goja runs ES2022+ except what these name (import() included); esbuild lowers them.
var gojaUnsupported = map[string]bool{"async-generator": false, "for-await": false, "dynamic-import": false}

// bundle lays the owner's packages out as a node_modules tree (hard links into the cache, symbolic
// links between packages, so each package sees exactly its locked dependencies) and bundles one
// entry that exports a loader per declared package.
func (i *Installer) bundle(ctx context.Context, o *lockfile.Owner, pkgs map[string]*lockfile.Package, dirs map[string]string) ([]byte, error) {
	tmp, err := os.MkdirTemp(filepath.Join(i.dir, "tmp"), "bundle-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	where := map[string]string{} // package key -> its folder in the layout
	for n, p := range sortedPackages(pkgs) {
		k := lockfile.Key(p.Name, p.Version)
		if dirs[k] == "" {
			continue // an optional package that did not install
		}
		dst := filepath.Join(tmp, "s", strconv.Itoa(n), "node_modules", filepath.FromSlash(p.Name))
		if err := linkTree(dirs[k], dst); err != nil {
			return nil, &PackageError{p.Name, p.Version, fmt.Errorf("laying out: %w", err)}
		}
		where[k] = dst
	}
	for k, dst := range where {
		p := pkgs[k]
		nm := filepath.Dir(dst)
		if strings.HasPrefix(p.Name, "@") {
			nm = filepath.Dir(nm)
		}
		for n, v := range layoutDeps(p, pkgs, o.Dependencies) {
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
	var entry strings.Builder
	entry.WriteString("module.exports = {\n")
	for _, n := range sortedKeys(o.Dependencies) {
		target := where[depKey(n, o.Dependencies[n])]
		if target == "" {
			return nil, fmt.Errorf("%s@%s did not install", n, o.Dependencies[n])
		}
		if err := symlink(target, filepath.Join(root, "node_modules", filepath.FromSlash(n))); err != nil {
			return nil, err
		}
		q, _ := json.Marshal(n)
		fmt.Fprintf(&entry, "  %s: function () { return require(%s); },\n", q, q)
	}
	entry.WriteString("};\n")
	if err := os.WriteFile(filepath.Join(root, "entry.js"), []byte(entry.String()), 0o644); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	nodeCode, nodeBuiltinsUsed, nodeErr := build(root, false)
	browserCode, browserBuiltinsUsed, browserErr := build(root, true)
	switch {
	case nodeErr != nil && browserErr != nil:
		return nil, nodeErr
	case nodeErr != nil:
		return browserCode, nil
	case browserErr == nil && len(browserBuiltinsUsed) < len(nodeBuiltinsUsed):
		// The `browser` builds need fewer Node built-ins (axios' uses fetch, node-fetch's is the
		// global fetch): a better build for goja.
		i.logger.Debug("npm bundle: browser build chosen")
		return browserCode, nil
	}
	return nodeCode, nil
}

// build runs esbuild on root/entry.js: CommonJS for goja, built-ins external. browser selects
// `browser` fields and conditions.
func build(root string, browser bool) ([]byte, []string, error) {
	opts := api.BuildOptions{
		EntryPoints:   []string{filepath.Join(root, "entry.js")},
		AbsWorkingDir: root,
		Bundle:        true,
		Write:         false,
		Format:        api.FormatCommonJS,
		Platform:      api.PlatformNode,
		Target:        api.ESNext,
		Supported:     gojaUnsupported,
		Metafile:      true,
		LogLevel:      api.LogLevelSilent,
		LegalComments: api.LegalCommentsNone,
		Outfile:       filepath.Join(root, "bundle.js"),
		// The bundle is made of require() calls, but ESM-only packages export only to "import";
		// esbuild turns either form into CommonJS, so both conditions are active.
		Conditions: []string{"import", "module"},
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
		return nil, nil, esbuildError(res.Errors)
	}
	var code []byte
	for _, f := range res.OutputFiles {
		if strings.HasSuffix(f.Path, ".js") {
			code = f.Contents
		}
	}
	if code == nil {
		return nil, nil, errors.New("esbuild wrote no output")
	}
	return code, externals(res.Metafile), nil
}

// externals lists the distinct external imports of a build from its metafile.
func externals(metafile string) []string {
	var m struct {
		Outputs map[string]struct {
			Imports []struct {
				Path     string `json:"path"`
				External bool   `json:"external"`
			} `json:"imports"`
		} `json:"outputs"`
	}
	if json.Unmarshal([]byte(metafile), &m) != nil {
		return nil
	}
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
		Loader:     loader,
		Format:     api.FormatCommonJS,
		Target:     api.ESNext,
		Supported:  gojaUnsupported,
		Sourcefile: filename,
		LogLevel:   api.LogLevelSilent,
	})
	if len(res.Errors) > 0 {
		return nil, esbuildError(res.Errors)
	}
	return res.Code, nil
}
