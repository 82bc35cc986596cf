package sync

import (
	"context"
	"fmt"
	"sort"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/jsdeps"
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

// depOwners lists the snapshot's actions and the module versions they pin, sorted by object; a
// pin of a version that does not exist is left out (the status of a failed attempt lists owners
// too).
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
			vs := snap.Modules[name]
			if vs == nil || vs.Versions[pin.Version] == nil || vs.Versions[pin.Version].Module == nil {
				continue // a pin of a version that does not exist: validate reports it
			}
			v := vs.Versions[pin.Version]
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
	for _, d := range a.deps {
		for _, p := range npmvendor.Check(d.lock, d.owner, d.declared) {
			pos := d.manifest
			pos.Line, pos.Col = gitstore.KeyPos(d.data, "dependencies", p.Package)
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
		src, ps := r.transformer.Source(object, "", src, a.renamed)
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
			src, ps := r.transformer.Source(object, v.Tag, src, a.renamed)
			problems = append(problems, ps...)
			a.sources[object] = src
		}
	}
	r.transformer.Round()
	if len(problems) > 0 {
		sortProblems(problems)
		return problemsError(problems)
	}
	return nil
}

// InstallSource installs the npm packages src declares, for owner ("actions/<name>",
// "modules/<name>") from lock, with the literal deep imports of its files, and returns src with
// their bundle. commits are read for vendored tarballs first (InstallRequest.Commits).
func InstallSource(ctx context.Context, in Installer, src runner.Source, owner string, lock *lockfile.Lock, commits []string) (runner.Source, error) {
	b, err := in.Install(ctx, InstallRequest{Lock: lock, Owner: owner, Commits: commits,
		Subpaths: jsdeps.PackageSubpaths(src.Files, src.Dependencies)})
	if err != nil {
		return src, err
	}
	src.Bundle = b
	return src, nil
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
	for _, d := range a.deps {
		if len(d.declared) == 0 {
			continue
		}
		src, err := InstallSource(ctx, r.cfg.Dependencies, a.sources[d.object], d.owner, d.lock, d.commits)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			pos := d.manifest
			pos.Line, pos.Col = gitstore.KeyPos(d.data, "dependencies")
			problems = append(problems, at(pos, d.object, "dependencies", "installing npm dependencies: %v", err))
			continue
		}
		a.sources[d.object] = src
		r.cfg.Runner.Programs.Precompile(src.Bundle) // overlaps the secret reads before the build
	}
	if len(problems) > 0 {
		return problemsError(problems)
	}
	return nil
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
