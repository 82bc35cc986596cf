// Package localrun runs actions from a working tree with the real runner, for `actionsd invoke`
// and `actionsd test`: it turns a review.State into a runner.Spec (module pins resolved to their
// published versions, or to the drafts when asked), reads secrets from a local source, and runs
// *.test.js files inside the runner with a small test API (test, expect, fixture events, a
// recording api and a fetch stub).
//
// Sources are prepared as the daemon prepares them (package prepare): TypeScript and ES modules
// are compiled to CommonJS, and declared npm packages are installed from actionsd.lock by
// Workspace.Dependencies. It does not read Vault or serve HTTP.
package localrun

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/actionsd/actionsd/prepare"
	"github.com/actionsd/actionsd/review"
	"github.com/actionsd/actionsd/runner"
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
	Dependencies prepare.Installer

	set *prepare.Set
	tr  prepare.Transformer
}

// prepare compiles u's TypeScript and ES module files to CommonJS and, when it declares npm
// packages and w.Dependencies is set, attaches their bundle, installed from u's lock.
func (w *Workspace) prepare(ctx context.Context, u *prepare.Unit) (runner.Source, error) {
	if problems := w.set.Transform(&w.tr, u); len(problems) > 0 {
		var msgs []string
		for _, p := range problems {
			msgs = append(msgs, p.Error())
		}
		return u.Source, errors.New(strings.Join(msgs, "; "))
	}
	if !u.Declares() || w.Dependencies == nil {
		return u.Source, nil
	}
	if err := prepare.Install(ctx, w.Dependencies, u); err != nil {
		return u.Source, fmt.Errorf("%s: npm dependencies: %w", u.Object, err)
	}
	return u.Source, nil
}

// units returns the prepare.Set of the workspace's state, made on first use.
func (w *Workspace) units() *prepare.Set {
	if w.set == nil || w.set.Snap != w.State.Snap {
		w.set = prepare.New(w.State.Snap)
	}
	return w.set
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
	src, err := w.prepare(ctx, w.units().Action(name))
	if err != nil {
		return nil, err
	}
	as := prepare.ActionSpec(a, src, secrets)
	if as.Version == "" {
		as.Version = "working-tree"
	}
	for _, m := range slices.Sorted(maps.Keys(a.Modules)) {
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
	var u *prepare.Unit
	if w.Draft || n == 0 {
		if u = w.units().Draft(name); u == nil {
			return nil, fmt.Errorf("module %s has no draft (no modules/%s)", name, name)
		}
	} else if u = w.units().Version(name, n); u == nil {
		return nil, fmt.Errorf("module %s v%d is not published (--draft runs the draft in modules/%s)", name, n, name)
	}
	src, err := w.prepare(ctx, u)
	if err != nil {
		return nil, err
	}
	secrets, err := w.secrets(ctx, vaultsecrets.KindModule, name, u.Secrets)
	if err != nil {
		return nil, err
	}
	return prepare.ModuleSpec(name, n, src, secrets), nil
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
