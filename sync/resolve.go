package sync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/runner"
)

// depOwner is one action or pinned module version as the resolve and install steps see it.
type depOwner struct {
	object   string       // status object: "actions/<name>", "modules/<name>@v<N>"
	owner    string       // the lock's owner: "actions/<name>", "modules/<name>"
	manifest gitstore.Pos // action.yaml or module.yaml (with the version's tag)
	data     []byte       // the manifest's content, for positions
	declared map[string]string
	lock     *lockfile.Lock // actionsd.lock at commits[0]
	commits  []string       // whose vendor/npm/ may hold the tarballs: the lock's, then HEAD
}

// depOwners lists the snapshot's actions and the module versions they pin, sorted by object.
func depOwners(snap *gitstore.Snapshot) []depOwner {
	var out []depOwner
	seen := map[string]bool{}
	for _, act := range snap.Actions {
		out = append(out, depOwner{
			object: "actions/" + act.Name, owner: "actions/" + act.Name,
			manifest: gitstore.Pos{File: act.Dir + "/action.yaml"}, data: act.Files["action.yaml"],
			declared: act.Dependencies, lock: snap.Lock, commits: []string{snap.Commit},
		})
		for name, pin := range act.Modules {
			object := fmt.Sprintf("modules/%s@v%d", name, pin.Version)
			if seen[object] {
				continue
			}
			seen[object] = true
			v := snap.Modules[name].Versions[pin.Version]
			out = append(out, depOwner{
				object: object, owner: "modules/" + name,
				manifest: gitstore.Pos{Ref: v.Tag, File: v.Module.Dir + "/module.yaml"}, data: v.Module.Files["module.yaml"],
				declared: v.Module.Dependencies, lock: v.Lock, commits: []string{v.Commit, snap.Commit},
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].object < out[j].object })
	return out
}

// resolve checks every action's and pinned module version's declared npm dependencies against the
// lock of its commit (declared but not locked, or locked to a version the declaration does not
// allow, fail the commit; locked but no longer declared is a warning), and transforms TypeScript
// and ES module sources into the CommonJS the runner loads.
func (r *Reconciler) resolve(_ context.Context, a *attempt) error {
	var problems []Problem
	a.sources = map[string]runner.Source{}
	a.renamed = map[string]string{}
	next := make(map[[32]byte]transformResult, len(r.transformed))
	for _, d := range depOwners(a.snap) {
		for _, p := range npmvendor.Check(d.lock, d.owner, d.declared) {
			pos := d.manifest
			pos.Line, pos.Col = yamlKeyPos(d.data, "dependencies", p.Package)
			if pos.Line == 0 {
				pos.Line, pos.Col = yamlKeyPos(d.data, "dependencies")
			}
			pr := at(pos, d.object, "dependencies."+p.Package, "%s", p.Error())
			if p.Declared == "" && p.Locked != "" {
				a.warnings = append(a.warnings, pr)
				continue
			}
			problems = append(problems, pr)
		}
	}
	for _, act := range a.snap.Actions {
		object := "actions/" + act.Name
		src := runner.Source{Dir: act.Dir, Entry: act.Entry, Files: act.Files, Dependencies: act.Dependencies}
		src, ps := r.transformSource(object, "", src, a.renamed, next)
		problems = append(problems, ps...)
		a.sources[object] = src
		for name, pin := range act.Modules {
			object := fmt.Sprintf("modules/%s@v%d", name, pin.Version)
			if _, done := a.sources[object]; done {
				continue
			}
			v := a.snap.Modules[name].Versions[pin.Version]
			m := v.Module
			src := runner.Source{Dir: m.Dir, Entry: m.Entry, Files: m.Files, Dependencies: m.Dependencies}
			src, ps := r.transformSource(object, v.Tag, src, a.renamed, next)
			problems = append(problems, ps...)
			a.sources[object] = src
		}
	}
	r.transformed = next
	if len(problems) > 0 {
		sortProblems(problems)
		return problemsError(problems)
	}
	return nil
}

// install installs the npm dependencies of every action and pinned module version that declares
// any, from the lock of its commit, and attaches each bundle to its source. A failure (a registry
// that does not answer, a tarball that fails its integrity check) fails the commit, which is
// retried at the next poll.
func (r *Reconciler) install(ctx context.Context, a *attempt) error {
	if r.cfg.Dependencies == nil {
		return nil
	}
	var problems []Problem
	for _, d := range depOwners(a.snap) {
		if len(d.declared) == 0 {
			continue
		}
		src := a.sources[d.object]
		b, err := r.cfg.Dependencies.Install(ctx, InstallRequest{Lock: d.lock, Owner: d.owner, Commits: d.commits,
			Subpaths: runner.PackageSubpaths(src.Files, d.declared)})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			pos := d.manifest
			pos.Line, pos.Col = yamlKeyPos(d.data, "dependencies")
			problems = append(problems, at(pos, d.object, "dependencies", "installing npm dependencies: %v", err))
			continue
		}
		src.Bundle = b
		a.sources[d.object] = src
	}
	if len(problems) > 0 {
		return problemsError(problems)
	}
	return nil
}

// transformResult is one transformed file, or why it does not transform.
type transformResult struct {
	code []byte
	err  error
}

// transformSource runs a source's files through npmvendor.Transform: TypeScript (.ts, .mts, .cts)
// and .mjs files become .js files of CommonJS, and .js files with import/export or syntax goja
// lacks are rewritten in place; the entry follows its file's new name. Renamed files are recorded
// in renamed (repository path of the .js -> of the original) so that build errors name the file
// in the repository. Declaration files (.d.ts) are left out. Results are cached by content.
func (r *Reconciler) transformSource(object, ref string, src runner.Source, renamed map[string]string, next map[[32]byte]transformResult) (runner.Source, []Problem) {
	var problems []Problem
	var files map[string][]byte // copied on the first change
	for _, f := range sortedKeys(src.Files) {
		data := src.Files[f]
		ext := strings.ToLower(path.Ext(f))
		out := f
		switch ext {
		case ".ts", ".mts", ".cts", ".mjs":
			if strings.HasSuffix(strings.ToLower(f), ".d.ts") {
				if files == nil {
					files = cloneFiles(src.Files)
				}
				delete(files, f)
				continue
			}
			out = strings.TrimSuffix(f, path.Ext(f)) + ".js"
			if _, clash := src.Files[out]; clash {
				problems = append(problems, Problem{Object: object, Ref: ref, File: src.Dir + "/" + f,
					Message: fmt.Sprintf("%s and %s would both load as %s: keep one", f, out, out)})
				continue
			}
		case ".js", ".cjs":
		default:
			continue
		}
		key := sha256.Sum256(append([]byte(f+"\x00"), data...))
		res, ok := r.transformed[key]
		if !ok {
			res, ok = next[key]
		}
		if !ok {
			res.code, res.err = npmvendor.Transform(f, data)
		}
		next[key] = res
		if res.err != nil {
			problems = append(problems, transformProblem(object, ref, src.Dir, f, res.err))
			continue
		}
		if out == f && bytes.Equal(res.code, data) {
			continue
		}
		if files == nil {
			files = cloneFiles(src.Files)
		}
		if out != f {
			delete(files, f)
			renamed[src.Dir+"/"+out] = src.Dir + "/" + f
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

func cloneFiles(m map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// esbuildPos is the position esbuild puts before a message: "file:line:col: text".
var esbuildPos = regexp.MustCompile(`^(.+?):(\d+):(\d+): (.*)$`)

func transformProblem(object, ref, dir, file string, err error) Problem {
	p := Problem{Object: object, Ref: ref, File: dir + "/" + file, Message: err.Error()}
	first, _, _ := strings.Cut(err.Error(), "; ")
	if m := esbuildPos.FindStringSubmatch(first); m != nil && m[1] == file {
		p.Line, _ = strconv.Atoi(m[2])
		p.Col, _ = strconv.Atoi(m[3])
		p.Col++ // esbuild's columns are 0-based
		p.Message = m[4]
	}
	return p
}

// yamlKeyPos returns the 1-based line and column of the key path keys in a YAML document, or 0, 0.
func yamlKeyPos(data []byte, keys ...string) (line, col int) {
	var doc yaml.Node
	if len(data) == 0 || yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0, 0
	}
	n := doc.Content[0]
	for _, k := range keys {
		if n.Kind != yaml.MappingNode {
			return 0, 0
		}
		var found *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				line, col = n.Content[i].Line, n.Content[i].Column
				found = n.Content[i+1]
				break
			}
		}
		if found == nil {
			return 0, 0
		}
		n = found
	}
	return line, col
}

// sortProblems orders problems by file, line and column.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Col < ps[j].Col
	})
}
