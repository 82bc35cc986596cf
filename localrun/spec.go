// Package localrun runs actions from a working tree with the real runner, for `actionsd invoke`
// and `actionsd test`: it turns a review.State into a runner.Spec (module pins resolved to their
// published versions, or to the drafts when asked), reads secrets from a local source, and runs
// *.test.js files inside the runner with a small test API (test, expect, fixture events, a
// recording api and a fetch stub).
//
// Sources are prepared as the daemon prepares them: TypeScript and ES modules are compiled to
// CommonJS (sync.Transformer), and declared npm packages are installed from actionsd.lock by
// Workspace.Dependencies. It does not read Vault or serve HTTP.
package localrun

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/review"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// Workspace is a repository state to run actions from.
type Workspace struct {
	State *review.State
	// Draft resolves every module pin to the module's draft instead of the pinned version.
	Draft bool
	// Secrets gives secret values by owner; nil gives each declared name its Placeholder (with
	// Placeholders) or nothing.
	Secrets vaultsecrets.Source
	// Placeholders, when Secrets is nil, sets each declared secret to its Placeholder.
	Placeholders bool
	// Missing collects "owner: NAME" for declared secrets the source does not hold.
	Missing []string
	// Dependencies installs the npm packages actions and modules declare, as the daemon's
	// installer does; nil leaves them out (requiring one then fails, saying so).
	Dependencies sync.Installer

	tr sync.Transformer
}

// prepare compiles src's TypeScript and ES module files to CommonJS and, when it declares npm
// packages and w.Dependencies is set, attaches their bundle, installed from lock for owner.
func (w *Workspace) prepare(ctx context.Context, object, ref, owner string, lock *lockfile.Lock, src runner.Source) (runner.Source, error) {
	src, problems := w.tr.Source(object, ref, src, nil)
	if len(problems) > 0 {
		var msgs []string
		for _, p := range problems {
			msgs = append(msgs, p.Error())
		}
		return src, errors.New(strings.Join(msgs, "; "))
	}
	if len(src.Dependencies) == 0 || w.Dependencies == nil {
		return src, nil
	}
	src, err := sync.InstallSource(ctx, w.Dependencies, src, owner, lock, nil)
	if err != nil {
		return src, fmt.Errorf("%s: npm dependencies: %w", object, err)
	}
	return src, nil
}

// ActionSpec returns the spec of action name, its modules resolved.
func (w *Workspace) ActionSpec(ctx context.Context, name string) (*runner.ActionSpec, error) {
	a := w.State.Snap.Actions[name]
	if a == nil {
		return nil, fmt.Errorf("no action %s (no actions/%s/action.yaml)", name, name)
	}
	if a.Trigger == "" {
		return nil, fmt.Errorf("action %s declares no valid trigger", name)
	}
	secrets, err := w.secrets(ctx, vaultsecrets.KindAction, name, a.Secrets)
	if err != nil {
		return nil, err
	}
	src, err := w.prepare(ctx, "actions/"+name, "", "actions/"+name, w.State.Snap.Lock,
		runner.Source{Dir: a.Dir, Entry: a.Entry, Files: a.Files, Dependencies: a.Dependencies})
	if err != nil {
		return nil, err
	}
	as := &runner.ActionSpec{
		Name:    name,
		Version: a.Version,
		Trigger: a.Trigger,
		Timeout: a.Timeout,
		Source:  src,
		Secrets: secrets,
		Modules: map[string]*runner.ModuleSpec{},
	}
	if as.Version == "" {
		as.Version = "working-tree"
	}
	names := make([]string, 0, len(a.Modules))
	for m := range a.Modules {
		names = append(names, m)
	}
	sort.Strings(names)
	for _, m := range names {
		ms, err := w.ModuleSpec(ctx, m, a.Modules[m].Version)
		if err != nil {
			return nil, fmt.Errorf("action %s: %w", name, err)
		}
		as.Modules[m] = ms
	}
	return as, nil
}

// ModuleSpec returns version n of module name, or its draft when w.Draft (or n is 0).
func (w *Workspace) ModuleSpec(ctx context.Context, name string, n int) (*runner.ModuleSpec, error) {
	var m *gitstore.Module
	object, ref, lock := "modules/"+name, "", w.State.Snap.Lock
	if w.Draft || n == 0 {
		m = w.State.Snap.Drafts[name]
		if m == nil {
			return nil, fmt.Errorf("module %s has no draft (no modules/%s)", name, name)
		}
	} else {
		vs := w.State.Snap.Modules[name]
		if vs == nil || vs.Versions[n] == nil || vs.Versions[n].Module == nil {
			return nil, fmt.Errorf("module %s v%d is not published (--draft runs the draft in modules/%s)", name, n, name)
		}
		v := vs.Versions[n]
		m, object, ref, lock = v.Module, fmt.Sprintf("modules/%s@v%d", name, n), v.Tag, v.Lock
	}
	src, err := w.prepare(ctx, object, ref, "modules/"+name, lock,
		runner.Source{Dir: m.Dir, Entry: m.Entry, Files: m.Files, Dependencies: m.Dependencies})
	if err != nil {
		return nil, err
	}
	secrets, err := w.secrets(ctx, vaultsecrets.KindModule, name, m.Secrets)
	if err != nil {
		return nil, err
	}
	return &runner.ModuleSpec{
		Name:    name,
		Version: n,
		Source:  src,
		Secrets: secrets,
	}, nil
}

func (w *Workspace) secrets(ctx context.Context, kind, name string, names []string) (map[string]string, error) {
	out := map[string]string{}
	if len(names) == 0 {
		return out, nil
	}
	if w.Secrets == nil {
		if w.Placeholders {
			for _, n := range names {
				out[n] = Placeholder(n)
			}
		}
		return out, nil
	}
	sec, err := w.Secrets.Read(ctx, vaultsecrets.Owner{Kind: kind, Name: name})
	var nf *vaultsecrets.NotFoundError
	switch {
	case errors.As(err, &nf):
		for _, n := range names {
			w.Missing = append(w.Missing, kind+"/"+name+": "+n)
		}
		return out, nil
	case err != nil:
		return nil, err
	}
	picked, missing := sec.Values.Pick(names)
	for _, n := range missing {
		w.Missing = append(w.Missing, kind+"/"+name+": "+n)
	}
	return picked, nil
}

// Placeholder is the value a declared secret gets in tests without a secrets file: a URL for
// names that say they are one (…URL, …URI, …ENDPOINT: "https://service-url.test.invalid"), else
// "test-<NAME>".
func Placeholder(name string) string {
	upper := strings.ToUpper(name)
	for _, s := range []string{"URL", "URI", "ENDPOINT"} {
		if strings.Contains(upper, s) {
			return "https://" + strings.ReplaceAll(strings.ToLower(name), "_", "-") + ".test.invalid"
		}
	}
	return "test-" + name
}

// TriggerSpec returns the spec of every action bound to trig, in binding order.
func (w *Workspace) TriggerSpec(ctx context.Context, trig string) (*runner.Spec, error) {
	spec := &runner.Spec{Commit: w.State.CommitHash(), Actions: map[string]*runner.ActionSpec{}, Bindings: map[string][]string{}}
	if w.State.Snap.Triggers == nil {
		return nil, errors.New("there is no triggers.yaml")
	}
	names := []string{}
	for _, b := range w.State.Snap.Triggers.Bindings[trig] {
		as, err := w.ActionSpec(ctx, b.Action)
		if err != nil {
			return nil, err
		}
		spec.Actions[b.Action] = as
		names = append(names, b.Action)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no action is bound to %s in triggers.yaml", trig)
	}
	spec.Bindings[trig] = names
	return spec, nil
}
