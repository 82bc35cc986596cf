package prepare

import (
	"bytes"
	"crypto/sha256"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/runner"
)

// transformResult is one transformed file, or why it does not transform.
type transformResult struct {
	code []byte
	err  error
}

// Transformer turns the TypeScript and ES module files of sources into the CommonJS the runner
// loads, remembering results by content from one round to the next: the reconciler, `actionsd
// validate` and `actionsd test` prepare sources alike (Set.Transform). The zero value is ready to use; it is not
// safe for concurrent use.
type Transformer struct {
	prev, next map[[32]byte]transformResult
}

// Round ends a round of Source calls: results the round did not use are forgotten.
func (t *Transformer) Round() {
	t.prev, t.next = t.next, nil
}

// Source runs a source's files through npmvendor.Transform: TypeScript (.ts, .mts, .cts) and .mjs
// files become .js files of CommonJS, and .js files with import/export or syntax goja lacks are
// rewritten in place; the entry follows its file's new name. Renamed files are recorded in renamed
// (repository path of the .js -> of the original; nil to not record) so that build errors can name
// the file in the repository. Declaration files (.d.ts) are left out. ref names the tag the source
// was read at, for problems ("" for the deploy branch).
func (t *Transformer) Source(object, ref string, src runner.Source, renamed map[string]string) (runner.Source, diag.List) {
	if t.next == nil {
		t.next = map[[32]byte]transformResult{}
	}
	var problems diag.List
	var files map[string][]byte // copied on the first change
	for _, f := range sortedKeys(src.Files) {
		data := src.Files[f]
		ext := strings.ToLower(path.Ext(f))
		out := f
		switch ext {
		case ".ts", ".mts", ".cts", ".mjs":
			if strings.HasSuffix(strings.ToLower(f), ".d.ts") {
				if files == nil {
					files = maps.Clone(src.Files)
				}
				delete(files, f)
				continue
			}
			out = strings.TrimSuffix(f, path.Ext(f)) + ".js"
			if _, clash := src.Files[out]; clash {
				problems = append(problems, diag.At(object, diag.Pos{Ref: ref, File: src.Dir + "/" + f}, "",
					"%s and %s would both load as %s: keep one", f, out, out))
				continue
			}
		case ".js", ".cjs":
		default:
			continue
		}
		key := sha256.Sum256(append([]byte(f+"\x00"), data...))
		res, ok := t.prev[key]
		if !ok {
			res, ok = t.next[key]
		}
		if !ok {
			res.code, res.err = npmvendor.Transform(f, data)
		}
		t.next[key] = res
		if res.err != nil {
			problems = append(problems, transformProblem(object, ref, src.Dir, f, res.err))
			continue
		}
		if out == f && bytes.Equal(res.code, data) {
			continue
		}
		if files == nil {
			files = maps.Clone(src.Files)
		}
		if out != f {
			delete(files, f)
			if renamed != nil {
				renamed[src.Dir+"/"+out] = src.Dir + "/" + f
			}
			if src.Entry == f {
				src.Entry = out
			}
		}
		files[out] = res.code
	}
	if files != nil {
		src.Files = files
	}
	return src, problems
}

// esbuildPos is the position esbuild puts before a message: "file:line:col: text".
var esbuildPos = regexp.MustCompile(`^(.+?):(\d+):(\d+): (.*)$`)

func transformProblem(object, ref, dir, file string, err error) diag.Diagnostic {
	p := diag.Diagnostic{Object: object, Pos: diag.Pos{Ref: ref, File: dir + "/" + file}, Message: err.Error()}
	first, _, _ := strings.Cut(err.Error(), "; ")
	// esbuild names the file by its base name (npmvendor.Transform's Sourcefile).
	if m := esbuildPos.FindStringSubmatch(first); m != nil && (m[1] == file || m[1] == path.Base(file)) {
		p.Line, _ = strconv.Atoi(m[2])
		p.Col, _ = strconv.Atoi(m[3])
		p.Col++ // esbuild's columns are 0-based
		p.Message = m[4]
	}
	return p
}

// sortedKeys is m's keys, sorted, in one allocation (slices.Sorted grows its slice as it goes:
// this runs for every unit of every reconcile).
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
