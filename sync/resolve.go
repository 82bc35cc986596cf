package sync

import (
	"context"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/prepare"
)

// resolve checks every action's and pinned module version's declared npm dependencies against the
// lock of its commit (declared but not locked, or locked to a version the declaration does not
// allow, fail the commit; locked but no longer declared is a warning), and transforms TypeScript
// and ES module sources into the CommonJS the runner loads.
func (r *Reconciler) resolve(_ context.Context, a *attempt) error {
	var errs diag.List
	units := a.set.Deployed()
	for _, u := range units {
		for _, p := range prepare.Check(u) {
			if p.Warning() {
				a.warnings = append(a.warnings, p.Diagnostic())
				continue
			}
			errs = append(errs, p.Diagnostic())
		}
	}
	for _, u := range units {
		errs = append(errs, a.set.Transform(&r.transformer, u)...)
	}
	r.transformer.Round()
	if len(errs) > 0 {
		prepare.Sort(errs)
		return content(problems(errs))
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
	var errs diag.List
	for _, u := range a.set.Deployed() {
		if !u.Declares() {
			continue
		}
		if err := prepare.Install(ctx, r.cfg.Dependencies, u); err != nil {
			if ctx.Err() != nil {
				return transient("")(ctx.Err())
			}
			errs = append(errs, diag.At(u.Object, u.DependenciesPos(), "dependencies", "installing npm dependencies: %v", err))
			continue
		}
		r.cfg.Runner.Programs.Precompile(u.Source.Bundle) // overlaps the secret reads before the build
	}
	if len(errs) > 0 {
		return transient("")(problems(errs))
	}
	return nil
}
