// Package jsdeps describes what JavaScript code requires and the bundles of npm packages that
// serve it: the literal require('x') calls of a source file, the npm package a specifier names,
// the deep imports of declared packages, and Bundle, the esbuild output that npmvendor makes and
// the runner loads.
//
// It is the vocabulary npmvendor and the runner share, and nothing more: it runs no JavaScript
// (bundles stay files and bytes here), reads no registry and resolves no version.
package jsdeps

import "strings"

// Bundle is one dependency set bundled by esbuild, split into CommonJS chunks: one entry chunk per
// declared package, and shared chunks for code that several use. The runner compiles the chunks
// in parallel, and a chunk whose content did not change is not compiled again. A chunk loads once
// per runtime and owner, like a CommonJS module (exports, require, module); its require serves the
// other chunks as "./<chunk name>" and Node built-ins by name, nothing else. An entry chunk's
// module.exports.default is its package's exports.
type Bundle struct {
	Key     string            // content hash of Entries and Chunks: equal keys mean equal code
	Entries map[string]string // declared package name (or deep import) -> its entry chunk
	Chunks  map[string][]byte // chunk name ("pkg-0.js", "chunk-ABCD1234.js") -> code
}

// PackageName returns the npm package a bare specifier names ("@scope/pkg/sub" -> "@scope/pkg").
func PackageName(spec string) string {
	parts := strings.SplitN(spec, "/", 3)
	if strings.HasPrefix(spec, "@") && len(parts) >= 2 {
		return parts[0] + "/" + parts[1]
	}
	return parts[0]
}

// IsJS reports whether a file name is one the runner compiles as JavaScript (.js or .cjs).
func IsJS(name string) bool {
	return strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".cjs")
}
