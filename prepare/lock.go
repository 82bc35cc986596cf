package prepare

import (
	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/npmvendor"
)

// LockProblem is one disagreement between the npm dependencies a unit's manifest declares and its
// actionsd.lock, at the declaration.
type LockProblem struct {
	*npmvendor.DependencyProblem
	Unit *Unit
	Pos  diag.Pos // the package's key under dependencies (or the manifest, when it is not there)
}

// Check compares the npm dependencies u declares with u's lock (npmvendor.Check): declared but not
// locked, or locked to a version the declaration does not allow, would fail the deploy; locked
// but no longer declared only warns.
func Check(u *Unit) []LockProblem {
	var out []LockProblem
	for _, p := range npmvendor.Check(u.Lock, u.Owner, u.Source.Dependencies) {
		out = append(out, LockProblem{DependencyProblem: p, Unit: u, Pos: u.DependenciesPos(p.Package)})
	}
	return out
}

// Warning reports whether the problem only warns: a package locked but no longer declared.
func (p LockProblem) Warning() bool { return p.Declared == "" && p.Locked != "" }

// Diagnostic is the problem as the daemon reports it.
func (p LockProblem) Diagnostic() diag.Diagnostic {
	d := diag.At(p.Unit.Object, p.Pos, "dependencies."+p.Package, "%s", p.Error())
	if p.Warning() {
		d = d.Warn()
	}
	return d
}
