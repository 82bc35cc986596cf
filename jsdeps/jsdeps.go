// Package jsdeps describes what JavaScript code requires and the bundles of npm packages that
// serve it: the literal require('x') calls of a source file, the npm package a specifier names,
// the deep imports of declared packages, and Bundle, the esbuild output that npmvendor makes and
// the runner loads.
//
// It is the vocabulary npmvendor and the runner share, and nothing more: it runs no JavaScript
// (bundles stay files and bytes here), reads no registry and resolves no version.
package jsdeps

import (
	"strconv"
	"strings"
)

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
	// Missing are the requires of packages that name nothing installed (an optional peer, a
	// require behind `if (options.proxy)`): the bundle holds, in their place, a module that throws
	// Node's MODULE_NOT_FOUND error when the require runs. Tools warn about each.
	Missing []Missing
}

// Missing is one require in a bundled package that resolves to nothing.
type Missing struct {
	Spec    string `json:"spec"`    // what is required ("superagent-proxy")
	Package string `json:"package"` // the requiring package's key ("rest-facade@1.16.4")
	File    string `json:"file"`    // the requiring file, from its package's folder ("rest-facade/src/Client.js")
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	// Guarded: the require sits in a try block (esbuild could tell), so the package expects it
	// may fail; tools need not warn about it.
	Guarded bool `json:"guarded,omitempty"`
}

// String writes the missing require as a warning: "node_modules/rest-facade/src/Client.js:25:12:
// require('superagent-proxy') in rest-facade@1.16.4 names no installed package: …".
func (m Missing) String() string {
	pos := "node_modules/" + m.File
	if m.Line > 0 {
		pos += ":" + strconv.Itoa(m.Line)
		if m.Col > 0 {
			pos += ":" + strconv.Itoa(m.Col)
		}
	}
	return pos + ": require('" + m.Spec + "') in " + m.Package + " names no installed package: it throws MODULE_NOT_FOUND when it runs, as in Node"
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
