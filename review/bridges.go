package review

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/internal/bridges"
)

// bridgeWarnings warns of each api call, in an action bound to a trigger that a bridge serves,
// that the bridge's hook cannot express (docs/bridges.md): behind that bridge the execution fails
// there. The repository does not say which bridges a daemon enables, so every bridge is checked,
// and each warning names the bridge and the hook.
//
// The calls are found in the action's own JavaScript and TypeScript files (not its tests, nor the
// modules it uses) as written: `api.<namespace>.<method>(`, outside comments and strings, with
// `api` the handler's parameter as Auth0's templates name it.
func bridgeWarnings(s *State) diag.List {
	if s.Snap.Triggers == nil {
		return nil
	}
	hooks := bridges.Expressible()
	var out diag.List
	for trig, bound := range s.Snap.Triggers.Bindings {
		var served []bridges.HookCommands
		for _, h := range hooks {
			if h.Trigger == trig {
				served = append(served, h)
			}
		}
		if len(served) == 0 {
			continue
		}
		seen := map[string]bool{}
		for _, b := range bound {
			a := s.Snap.Actions[b.Action]
			if a == nil || seen[b.Action] {
				continue
			}
			seen[b.Action] = true
			for _, file := range slices.Sorted(mapsKeys(a.Files)) {
				if !sourceFile(file) {
					continue
				}
				for _, c := range apiCalls(a.Files[file]) {
					// One warning per bridge, naming its hooks that cannot express the call
					// (served is sorted by bridge).
					var cannot []string
					for i, h := range served {
						if !h.Expresses(c.op) {
							cannot = append(cannot, h.Hook)
						}
						if last := i == len(served)-1 || served[i+1].Bridge != h.Bridge; !last || len(cannot) == 0 {
							continue
						}
						out = append(out, diag.Diagnostic{Object: "actions/" + a.Name,
							Pos: diag.Pos{File: a.Dir + "/" + file, Line: c.line, Col: c.col},
							Message: fmt.Sprintf("api.%s: the %s bridge cannot express it on %s (hook %s); behind that bridge the execution fails (docs/bridges.md)",
								c.op, h.Bridge, trig, strings.Join(cannot, ", "))}.Warn())
						cannot = cannot[:0]
					}
				}
			}
		}
	}
	sortDiagnostics(out)
	return out
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// sourceFile reports whether an action's file is code the action runs: JavaScript or TypeScript,
// not a test.
func sourceFile(name string) bool {
	switch path.Ext(name) {
	case ".js", ".cjs", ".mjs", ".ts", ".cts", ".mts":
	default:
		return false
	}
	base := path.Base(name)
	return !strings.Contains(base, ".test.") && !strings.Contains(base, ".spec.") && !strings.HasPrefix(name, "node_modules/")
}

// apiCall is one `api.<namespace>.<method>(` in a source file, at its line and column (1-based,
// the column counted in characters, as Node counts, at the `api`).
type apiCall struct {
	op        string
	line, col int
}

// apiCalls finds the calls `api.<namespace>.<method>(` (optional chaining and white space
// allowed) in JavaScript source, skipping comments, strings and template literals. It is a
// scan, not a parse: a regular expression literal holding a quote may hide what follows it on
// its line.
func apiCalls(src []byte) []apiCall {
	var out []apiCall
	n := len(src)
	isIdent := func(c byte) bool {
		return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
	}
	// skipSpace skips white space and comments from i.
	skipSpace := func(i int) int {
		for i < n {
			switch {
			case src[i] == ' ' || src[i] == '\t' || src[i] == '\r' || src[i] == '\n':
				i++
			case src[i] == '/' && i+1 < n && src[i+1] == '/':
				for i < n && src[i] != '\n' {
					i++
				}
			case src[i] == '/' && i+1 < n && src[i+1] == '*':
				i += 2
				for i < n && !(src[i] == '*' && i+1 < n && src[i+1] == '/') {
					i++
				}
				i += 2
			default:
				return i
			}
		}
		return i
	}
	// dot reads "." or "?." at i.
	dot := func(i int) (int, bool) {
		if i < n && src[i] == '.' {
			return i + 1, true
		}
		if i+1 < n && src[i] == '?' && src[i+1] == '.' {
			return i + 2, true
		}
		return i, false
	}
	ident := func(i int) (string, int) {
		j := i
		for j < n && isIdent(src[j]) {
			j++
		}
		return string(src[i:j]), j
	}
	prev := byte(0) // the last code byte before i, for `x.api` (not the handler's api)
	for i := 0; i < n; {
		c := src[i]
		switch {
		case c == '/' && i+1 < n && (src[i+1] == '/' || src[i+1] == '*'):
			i = skipSpace(i)
			continue
		case c == '"' || c == '\'' || c == '`':
			for i++; i < n && src[i] != c; i++ {
				if src[i] == '\\' {
					i++
				}
			}
			i++
			prev = c
			continue
		case isIdent(c) && !(c >= '0' && c <= '9'):
			start := i
			word, j := ident(i)
			i = j
			if word != "api" || prev == '.' || start > 0 && isIdent(src[start-1]) {
				prev = 'a'
				continue
			}
			prev = 'a'
			k, ok := dot(skipSpace(i))
			if !ok {
				continue
			}
			ns, k2 := ident(skipSpace(k))
			if ns == "" {
				continue
			}
			k, ok = dot(skipSpace(k2))
			if !ok {
				continue
			}
			method, k3 := ident(skipSpace(k))
			if method == "" {
				continue
			}
			k = skipSpace(k3)
			if k+1 < n && src[k] == '?' && src[k+1] == '.' {
				k += 2
			}
			if k < n && src[k] == '(' {
				line := 1 + bytes.Count(src[:start], []byte{'\n'})
				col := utf8.RuneCount(src[bytes.LastIndexByte(src[:start], '\n')+1:start]) + 1
				out = append(out, apiCall{op: ns + "." + method, line: line, col: col})
			}
			i = k3
			continue
		}
		if c != ' ' && c != '\t' && c != '\r' {
			prev = c
		}
		i++
	}
	return out
}
