// Package prepare turns what a repository holds into what the runner builds: from a snapshot (the
// daemon's, read from git by gitstore) or a working tree's (the CLI's), with the lock of each
// commit and an npm installer, to a runner.Spec and the diagnostics of every step on the way.
//
// The steps are the daemon's, in its order: Validate checks the references between objects;
// Check compares the npm dependencies a manifest declares with actionsd.lock; Set.Transform
// compiles TypeScript and ES modules to the CommonJS the runner loads; Install attaches the npm
// bundle of what a source declares; Set.Spec assembles the runner.Spec; Set.BuildErrors turns a
// failed runner.Build into diagnostics at the repository's files. sync (the reconciler), review
// (`actionsd validate`) and localrun (`actionsd invoke` and `test`) run them, each with its own
// policy: which units to prepare, and what a problem means (a failed deploy, an error or a warning
// of a review, a refused invocation).
//
// It does not read git, secrets or a registry itself: the snapshot, the secret values and the
// Installer come from the caller.
package prepare

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// Unit is one action, module draft or published module version: the source the runner loads for
// it, and what preparing that source needs.
type Unit struct {
	Object string // "actions/<name>", "modules/<name>" (a draft) or "modules/<name>@v<N>"
	Owner  string // its owner in actionsd.lock: "actions/<name>" or "modules/<name>"
	Ref    string // the tag it was read at; "" for the deploy branch's HEAD or the working tree
	// Manifest is its action.yaml or module.yaml, and Data that file's content (for positions).
	Manifest diag.Pos
	Data     []byte
	// Secrets are the secret names its manifest declares.
	Secrets []string
	// Lock is actionsd.lock at the unit's commit (nil when there is none).
	Lock *lockfile.Lock
	// Commits are read for vendored tarballs (InstallRequest.Commits).
	Commits []string
	// Source is the code as read, then as the runner loads it once Transform and Install ran.
	Source runner.Source

	transformed bool      // Transform ran
	problems    diag.List // what it found
}

// Declares reports whether the unit declares npm dependencies.
func (u *Unit) Declares() bool { return len(u.Source.Dependencies) > 0 }

// Set is the units of one snapshot, made on first use, and what preparing them found out.
type Set struct {
	Snap *gitstore.Snapshot
	// Renamed maps the repository path of every transformed file that changed its name (a .ts
	// that loads as .js) to the file it came from, so that build errors name the file in the
	// repository.
	Renamed map[string]string

	actions, drafts map[string]*Unit
	versions        map[versionKey]*Unit
	head            []string // the snapshot's commit, as the Commits of its own units
	deployed        []*Unit  // Deployed, once made
}

type versionKey struct {
	name string
	n    int
}

// New returns the set of snap's units; it reads nothing yet.
func New(snap *gitstore.Snapshot) *Set {
	return &Set{Snap: snap, Renamed: map[string]string{}, actions: map[string]*Unit{}, drafts: map[string]*Unit{},
		versions: map[versionKey]*Unit{}, head: []string{snap.Commit}}
}

// VersionObject names a module version: "modules/<name>@v<N>".
func VersionObject(name string, n int) string { return fmt.Sprintf("modules/%s@v%d", name, n) }

// Action is the unit of the action name, nil when there is none.
func (s *Set) Action(name string) *Unit {
	if u := s.actions[name]; u != nil {
		return u
	}
	a := s.Snap.Actions[name]
	if a == nil {
		return nil
	}
	object := "actions/" + name
	u := newUnit(object, object, "", "action.yaml", a.Dir, a.Entry, a.Files, a.Dependencies, a.Secrets, s.Snap.Lock, s.head)
	s.actions[name] = u
	return u
}

// Draft is the unit of the module draft name (modules/<name>/ of the snapshot's tree), nil when
// there is none.
func (s *Set) Draft(name string) *Unit {
	if u := s.drafts[name]; u != nil {
		return u
	}
	m := s.Snap.Drafts[name]
	if m == nil {
		return nil
	}
	object := "modules/" + name
	u := newUnit(object, object, "", "module.yaml", m.Dir, m.Entry, m.Files, m.Dependencies, m.Secrets, s.Snap.Lock, s.head)
	s.drafts[name] = u
	return u
}

// Version is the unit of the published version n of module name, nil when the snapshot has no
// such version (a pin Validate reports).
func (s *Set) Version(name string, n int) *Unit {
	key := versionKey{name, n}
	if u := s.versions[key]; u != nil {
		return u
	}
	v := s.published(name, n)
	if v == nil {
		return nil
	}
	m := v.Module
	// The tarballs of the version's own commit first, then the deploy branch's HEAD: they are
	// verified against their integrity, so any commit may serve them.
	u := newUnit(VersionObject(name, n), "modules/"+name, v.Tag, "module.yaml", m.Dir, m.Entry, m.Files, m.Dependencies, m.Secrets,
		v.Lock, []string{v.Commit, s.Snap.Commit})
	s.versions[key] = u
	return u
}

// newUnit is the unit of object, read from its folder dir.
func newUnit(object, owner, ref, manifest, dir, entry string, files map[string][]byte, deps map[string]string, secrets []string,
	lock *lockfile.Lock, commits []string) *Unit {
	return &Unit{Object: object, Owner: owner, Ref: ref, Manifest: diag.Pos{Ref: ref, File: dir + "/" + manifest}, Data: files[manifest],
		Secrets: secrets, Lock: lock, Commits: commits,
		Source: runner.Source{Dir: dir, Entry: entry, Files: files, Dependencies: deps}}
}

func (s *Set) published(name string, n int) *gitstore.Version {
	vs := s.Snap.Modules[name]
	if vs == nil || vs.Versions[n] == nil || vs.Versions[n].Module == nil {
		return nil
	}
	return vs.Versions[n]
}

// Deployed is what the daemon deploys: every action and each module version an action pins,
// sorted by object. A pin of a version that does not exist is left out (Validate reports it).
// Treat the list as read-only.
func (s *Set) Deployed() []*Unit {
	if s.deployed != nil {
		return s.deployed
	}
	out := make([]*Unit, 0, len(s.Snap.Actions))
	seen := map[*Unit]bool{}
	for name, a := range s.Snap.Actions {
		out = append(out, s.Action(name))
		for mname, pin := range a.Modules {
			if u := s.Version(mname, pin.Version); u != nil && !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	slices.SortFunc(out, func(a, b *Unit) int { return cmp.Compare(a.Object, b.Object) })
	s.deployed = out
	return out
}

// Transform compiles u's TypeScript and ES module files to CommonJS with t (see
// Transformer.Source), once, and records the files renamed in s.Renamed. It returns the problems
// of the files that do not compile (the same again when called again).
func (s *Set) Transform(t *Transformer, u *Unit) diag.List {
	if !u.transformed {
		u.Source, u.problems = t.Source(u.Object, u.Ref, u.Source, s.Renamed)
		u.transformed = true
	}
	return u.problems
}

// Installer installs one owner's npm dependencies from a lock: the daemon's over its cache and git
// mirror, the CLI's over the user's cache and the working tree.
type Installer interface {
	// Install returns the bundle of req.Owner's dependencies as req.Lock records them. It returns
	// nil, nil when the owner has none, and must return when ctx ends.
	Install(ctx context.Context, req InstallRequest) (*jsdeps.Bundle, error)
}

// InstallRequest is one owner's install: its lock, its name, the commits whose vendor/npm/ is
// read before any registry ("" the working tree) and its deep imports. npmvendor defines it, so
// that its installers implement Installer without importing this package.
type InstallRequest = npmvendor.InstallRequest

// Install installs the npm packages u declares with in, from u's lock, with the literal deep
// imports of its files, and attaches their bundle to u.Source. The request names u's commits for
// vendored tarballs (the daemon's installer reads them from its mirror; the CLI's, from the
// working tree's vendor/npm/).
func Install(ctx context.Context, in Installer, u *Unit) error {
	b, err := in.Install(ctx, InstallRequest{Lock: u.Lock, Owner: u.Owner, Commits: u.Commits,
		Subpaths: jsdeps.PackageSubpaths(u.Source.Files, u.Source.Dependencies)})
	if err != nil {
		return err
	}
	u.Source.Bundle = b
	return nil
}

// DependenciesPos is the place of u's dependencies in its manifest (of package pkg, when given).
func (u *Unit) DependenciesPos(pkg ...string) diag.Pos {
	pos := u.Manifest
	pos.Line, pos.Col = gitstore.KeyPos(u.Data, append([]string{"dependencies"}, pkg...)...)
	return pos
}

// SpecOptions say how Spec assembles a runner.Spec from a set's prepared units.
type SpecOptions struct {
	Generation int64
	// Actions are the actions to build; nil: every action of the snapshot.
	Actions []string
	// Version, when set, is every action's version instead of its own.
	Version string
	// Secrets gives an owner's values of the secret names it declares; nil: none.
	Secrets func(owner vaultsecrets.Owner, names []string) map[string]string
	// Bindings: the spec binds the snapshot's triggers (a generation that serves); else none (a
	// build that only checks the actions load).
	Bindings bool
}

// Spec assembles the runner.Spec of the actions o names, from their units and those of the module
// versions they pin (one ModuleSpec for each version, shared by the actions that pin it). The units
// should be prepared (Transform, Install) first: Spec takes their sources as they are.
func (s *Set) Spec(o SpecOptions) *runner.Spec {
	spec := &runner.Spec{Commit: s.Snap.Commit, Generation: o.Generation,
		Actions: map[string]*runner.ActionSpec{}, Bindings: map[string][]string{}}
	names := o.Actions
	if names == nil {
		names = slices.Collect(maps.Keys(s.Snap.Actions))
	}
	secrets := func(kind, name string, names []string) map[string]string {
		if o.Secrets == nil || len(names) == 0 {
			return map[string]string{}
		}
		return o.Secrets(vaultsecrets.Owner{Kind: kind, Name: name}, names)
	}
	modules := map[*Unit]*runner.ModuleSpec{}
	for _, name := range names {
		act := s.Snap.Actions[name]
		as := ActionSpec(act, s.Action(name).Source, secrets(vaultsecrets.KindAction, name, act.Secrets))
		if o.Version != "" {
			as.Version = o.Version
		}
		for mname, pin := range act.Modules {
			u := s.Version(mname, pin.Version)
			if u == nil {
				continue // Validate reports it
			}
			ms := modules[u]
			if ms == nil {
				ms = ModuleSpec(mname, pin.Version, u.Source, secrets(vaultsecrets.KindModule, mname, u.Secrets))
				modules[u] = ms
			}
			as.Modules[mname] = ms
		}
		spec.Actions[name] = as
	}
	if o.Bindings && s.Snap.Triggers != nil {
		for trig, list := range s.Snap.Triggers.Bindings {
			bound := make([]string, len(list))
			for i, b := range list {
				bound[i] = b.Action
			}
			spec.Bindings[trig] = bound
		}
	}
	return spec
}

// ActionSpec is the spec of action a with its prepared source and secret values; its modules are
// for the caller to add.
func ActionSpec(a *gitstore.Action, src runner.Source, secrets map[string]string) *runner.ActionSpec {
	return &runner.ActionSpec{Name: a.Name, Version: a.Version, Trigger: a.Trigger, Timeout: a.Timeout,
		Source: src, Secrets: secrets, Modules: make(map[string]*runner.ModuleSpec, len(a.Modules))}
}

// ModuleSpec is the spec of version n of module name with its prepared source and secret values.
func ModuleSpec(name string, n int, src runner.Source, secrets map[string]string) *runner.ModuleSpec {
	return &runner.ModuleSpec{Name: name, Version: n, Source: src, Secrets: secrets}
}

// BuildErrors turns what runner.Build returned into diagnostics at the repository's files: the
// build's problems, naming the file each transformed file came from (the .ts the runner saw as
// its .js); any other error is one diagnostic with its text.
func (s *Set) BuildErrors(err error) diag.List {
	var be *runner.BuildError
	if !errors.As(err, &be) {
		return diag.List{{Message: err.Error()}}
	}
	out := make(diag.List, 0, len(be.Problems))
	for _, p := range be.Problems {
		d := p
		if orig, ok := s.Renamed[d.File]; ok {
			d.File = orig
		}
		out = append(out, d)
	}
	return out
}
