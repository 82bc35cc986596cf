package npmvendor

import (
	"fmt"
	"strings"

	"github.com/actionsd/actionsd/lockfile"
)

// DependencyProblem is one disagreement between what a manifest declares and what the lock says.
type DependencyProblem struct {
	Owner    string // "actions/<name>" or "modules/<name>"
	Package  string
	Declared string // "" when the lock has it but the manifest does not
	Locked   string // "" when the manifest declares it but the lock does not
}

func (p *DependencyProblem) Error() string {
	switch {
	case p.Locked == "":
		return fmt.Sprintf("%s: declared %s but not locked (run actionsd lock)", p.Package, p.Declared)
	case p.Declared == "":
		return fmt.Sprintf("%s: locked but not declared (run actionsd lock)", p.Package)
	}
	return fmt.Sprintf("%s: declared %s, locked to %s (run actionsd lock)", p.Package, p.Declared, p.Locked)
}

// Check compares owner's declared dependencies (as the manifest writes them) with lock: a
// dependency declared but not locked, locked to a version the declaration does not allow, or
// locked but no longer declared. A dist-tag ("latest") accepts any locked version. The problems
// are sorted by package name; none means the lock is good for this owner.
func Check(lock *lockfile.Lock, owner string, declared map[string]string) []*DependencyProblem {
	var locked map[string]string
	if lock != nil && lock.Owners[owner] != nil {
		locked = lock.Owners[owner].Dependencies
	}
	names := map[string]bool{}
	for n := range declared {
		names[n] = true
	}
	for n := range locked {
		names[n] = true
	}
	var out []*DependencyProblem
	for _, n := range sortedKeys(names) {
		d, dok := declared[n]
		v, lok := locked[n]
		switch {
		case !lok:
			out = append(out, &DependencyProblem{Owner: owner, Package: n, Declared: d})
		case !dok:
			out = append(out, &DependencyProblem{Owner: owner, Package: n, Locked: v})
		case lock.Packages[depKey(n, v)] == nil:
			out = append(out, &DependencyProblem{Owner: owner, Package: n, Declared: d})
		case !declaredAllows(d, v):
			out = append(out, &DependencyProblem{Owner: owner, Package: n, Declared: d, Locked: v})
		}
	}
	return out
}

func declaredAllows(spec, version string) bool {
	s := strings.TrimSpace(spec)
	if s == "" || distTagRE.MatchString(s) && exactVersion(s) == "" {
		return true
	}
	if exact := exactVersion(s); exact != "" {
		return exact == version
	}
	return Satisfies(version, s)
}
