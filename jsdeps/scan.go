package jsdeps

import (
	"maps"
	"slices"
	"strings"
)

// Require is one literal require('x') found in a source file.
type Require struct {
	Spec      string
	Line, Col int // of the "require" token, 1-based; Col counts bytes
}

// Requires finds the literal require('x') / require("x") / require(`x`) calls of a file. It
// skips comments, strings and template literals, so that a require in a comment is not reported;
// it does not tell regular expression literals from divisions (a regexp containing a quote may hide
// what follows it on that line, which only makes the scan miss a call, never invent one).
func Requires(src []byte) []Require {
	var out []Require
	line, lineStart := 1, 0
	n := len(src)
	i := 0
	newline := func(at int) { line++; lineStart = at + 1 }
	skipString := func(q byte) { // i is at the opening quote; leaves i after the closing one
		i++
		for i < n {
			c := src[i]
			switch {
			case c == '\\':
				if i+1 < n && src[i+1] == '\n' {
					newline(i + 1)
				}
				i += 2
				continue
			case c == q:
				i++
				return
			case c == '\n':
				newline(i)
				if q != '`' { // unterminated: stop at the end of the line
					i++
					return
				}
			}
			i++
		}
	}
	isIdent := func(c byte) bool {
		return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
	}
	skipSpace := func(j int) int {
		for j < n && (src[j] == ' ' || src[j] == '\t' || src[j] == '\r' || src[j] == '\n') {
			j++
		}
		return j
	}
	for i < n {
		c := src[i]
		switch {
		case c == '\n':
			newline(i)
			i++
		case c == '/' && i+1 < n && src[i+1] == '/':
			for i < n && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < n && src[i+1] == '*':
			i += 2
			for i < n && !(src[i] == '*' && i+1 < n && src[i+1] == '/') {
				if src[i] == '\n' {
					newline(i)
				}
				i++
			}
			i += 2
		case c == '\'' || c == '"' || c == '`':
			skipString(c)
		case c == 'r' && i+7 <= n && string(src[i:i+7]) == "require" &&
			(i == 0 || !isIdent(src[i-1]) && src[i-1] != '.') && (i+7 == n || !isIdent(src[i+7])):
			call := Require{Line: line, Col: i - lineStart + 1}
			j := skipSpace(i + 7)
			i += 7
			if j >= n || src[j] != '(' {
				continue
			}
			j = skipSpace(j + 1)
			if j >= n || (src[j] != '\'' && src[j] != '"' && src[j] != '`') {
				continue
			}
			q := src[j]
			k := j + 1
			for k < n && src[k] != q && src[k] != '\n' && src[k] != '\\' && !(q == '`' && src[k] == '$') {
				k++
			}
			if k >= n || src[k] != q {
				continue
			}
			if e := skipSpace(k + 1); e < n && src[e] == ')' {
				call.Spec = string(src[j+1 : k])
				out = append(out, call)
			}
			// Count the newlines skipped between require and the literal.
			for p := i; p < k; p++ {
				if src[p] == '\n' {
					newline(p)
				}
			}
			i = k + 1
		default:
			i++
		}
	}
	return out
}

// PackageSubpaths lists the deep imports of declared npm packages ("lodash/get", "date-fns/addDays",
// "@scope/pkg/sub") that the JavaScript files among files require with a literal specifier,
// sorted and without repeats. The bundler gives each one an entry of its own, since a bundle has
// entries for the declared package names only.
func PackageSubpaths(files map[string][]byte, declared map[string]string) []string {
	seen := map[string]bool{}
	for f, src := range files {
		if !IsJS(f) {
			continue
		}
		for _, c := range Requires(src) {
			pkg := PackageName(c.Spec)
			// "pkg/" is the package itself, as in Node.
			if _, ok := declared[pkg]; ok && strings.TrimSuffix(c.Spec, "/") != pkg && !strings.HasPrefix(c.Spec, "node:") {
				seen[c.Spec] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
