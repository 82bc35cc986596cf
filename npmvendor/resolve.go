package npmvendor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/progress"
	"github.com/actionsd/actionsd/lockfile"
)

// Resolver resolves declared dependencies into a lock with npm's rules. The zero value is not
// usable: Registries is required.
type Resolver struct {
	Registries *Registries
	HTTPClient *http.Client // nil: a client with no overall time-out (Timeout bounds each request)
	Logger     *zap.Logger  // nil: no logs
	// Timeout bounds each registry request (0: 30s); Retries is how often a 5xx, 429 or network
	// failure is retried (0: 2; negative: never).
	Timeout time.Duration
	Retries int
	// Concurrency bounds parallel registry requests (0: 16).
	Concurrency int
	// MaxDependencies is Auth0's quota of declared dependencies per action or module; 0: no limit.
	MaxDependencies int
	// NodeVersion is the Node version the runner emulates ("22", "22.12.0"; "":
	// DefaultNodeVersion): as npm does, a range or "latest" resolves to the newest version whose
	// engines.node admits it when there is one.
	NodeVersion string
	// Progress is told of the packages whose metadata was read; nil: silent.
	Progress progress.Reporter
}

// Result is what Lock resolved.
type Result struct {
	Lock *lockfile.Lock
	// Pinned is, per owner ("actions/<name>", "modules/<name>"), each declared name with the exact
	// version chosen: what PinManifest writes back into the yaml.
	Pinned map[string]map[string]string
	// Warnings are for people: deprecated versions, optional dependencies that failed.
	Warnings []string
}

// ResolveError is a failure to resolve one package; Package and Version name it ("" when the
// version is not known yet, Spec then says what was asked).
type ResolveError struct {
	Owner   string // the owner whose declaration led here, when it is a direct dependency
	Package string
	Spec    string
	Version string
	From    string // the dependent package ("<name>@<version>"), "" for a direct dependency
	Err     error
}

func (e *ResolveError) Error() string {
	var b strings.Builder
	if e.Owner != "" {
		b.WriteString(e.Owner + ": ")
	}
	if e.From != "" {
		b.WriteString(e.From + " -> ")
	}
	b.WriteString(e.Package)
	switch {
	case e.Version != "":
		b.WriteString("@" + e.Version)
	case e.Spec != "":
		b.WriteString("@" + e.Spec)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ResolveError) Unwrap() error { return e.Err }

func (r *Resolver) client() *client {
	c := &client{regs: r.Registries, http: r.HTTPClient, timeout: r.Timeout, retries: r.Retries, maxMeta: 256 << 20}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.timeout <= 0 {
		c.timeout = 30 * time.Second
	}
	switch {
	case c.retries == 0:
		c.retries = 2
	case c.retries < 0:
		c.retries = 0
	}
	return c
}

// Lock resolves owners (owner key -> npm name -> version, range or "latest", as written) into
// prev (nil: a new lock), which is updated in place and returned in Result.Lock: Owners and
// Packages are replaced, the other sections are kept. A locked version that still satisfies what
// is declared is kept, and so are the locked resolutions below it (no registry request is made for
// a tree that is fully locked). Errors name the owner, the package and the version.
func (r *Resolver) Lock(ctx context.Context, owners map[string]map[string]string, prev *lockfile.Lock) (_ *Result, err error) {
	if r.Registries == nil {
		return nil, errors.New("npm: no registry configured")
	}
	if prev == nil {
		prev = lockfile.New()
	}
	nodeVersion, err := ParseNodeVersion(r.NodeVersion)
	nodeLabel := strings.TrimPrefix(strings.TrimSpace(r.NodeVersion), "v")
	if nodeLabel == "" {
		nodeLabel = DefaultNodeVersion
	}
	if err != nil {
		return nil, err
	}
	conc := r.Concurrency
	if conc <= 0 {
		conc = 16
	}
	logger := r.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	run := &resolveRun{
		c: r.client(), prev: prev, sem: make(chan struct{}, conc), logger: logger,
		packs: map[string]*packEntry{}, picks: map[string]*pickEntry{}, pkgs: map[string]*lockfile.Package{},
		seen: map[string]bool{}, nodeVersion: nodeVersion, nodeLabel: nodeLabel,
		phase: progress.Begin(nil, "", 0),
	}
	if len(owners) > 0 {
		run.phase = progress.Begin(r.Progress, "resolving npm packages", 0)
	}
	defer func() { run.phase.End(err) }()
	res := &Result{Pinned: map[string]map[string]string{}}
	names := sortedKeys(owners)
	var errs []error

	// Direct dependencies: each owner's declared spec to an exact version.
	type direct struct{ owner, name, version string }
	var directs []direct
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, owner := range names { // made before any goroutine reads res.Pinned
		if deps := owners[owner]; r.MaxDependencies <= 0 || len(deps) <= r.MaxDependencies {
			res.Pinned[owner] = map[string]string{}
		}
	}
	for _, owner := range names {
		deps := owners[owner]
		if res.Pinned[owner] == nil {
			mu.Lock()
			errs = append(errs, fmt.Errorf("%s: %d dependencies declared, the limit is %d", owner, len(deps), r.MaxDependencies))
			mu.Unlock()
			continue
		}
		for _, name := range sortedKeys(deps) {
			spec := deps[name]
			if err := checkSpec(spec); err != nil {
				mu.Lock()
				errs = append(errs, &ResolveError{Owner: owner, Package: name, Spec: spec, Err: err})
				mu.Unlock()
				continue
			}
			if v := lockedFor(prev, owner, name, spec); v != "" {
				mu.Lock()
				res.Pinned[owner][name] = v
				directs = append(directs, direct{owner, name, v})
				mu.Unlock()
				continue
			}
			wg.Add(1)
			go func(owner, name, spec string) {
				defer wg.Done()
				v, err := run.pick(ctx, name, spec)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, &ResolveError{Owner: owner, Package: name, Spec: spec, Err: err})
					return
				}
				res.Pinned[owner][name] = v
				directs = append(directs, direct{owner, name, v})
			}(owner, name, spec)
		}
	}
	wg.Wait()
	if err := joinSorted(errs); err != nil {
		return nil, err
	}

	// The whole graph below the direct dependencies.
	for _, d := range directs {
		n, v := depTarget(d.name, d.version)
		run.visit(ctx, n, v, "")
	}
	run.wg.Wait()
	if err := joinSorted(run.errs); err != nil {
		return nil, err
	}

	// Peers (npm 7+): installed unless optional; the owner's own version when it satisfies. The
	// graph is read whole, then the peers it lacks are visited (visit writes run.pkgs from its
	// goroutines), until no peer is missing.
	type peerVisit struct{ name, version, from string }
	for {
		added := false
		var visits []peerVisit
		for _, owner := range names {
			if res.Pinned[owner] == nil {
				continue
			}
			closure := run.closure(res.Pinned[owner], true)
			for _, key := range sortedKeys(closure) {
				p := run.pkgs[key]
				for _, peer := range sortedKeys(p.PeerDependencies) {
					if slices.Contains(p.OptionalPeers, peer) || peerSatisfied(run.pkgs, closure, peer, p.PeerDependencies[peer]) {
						continue
					}
					v := lockedPeer(prev, owner, peer, p.PeerDependencies[peer])
					var err error
					if v == "" {
						v, err = run.pick(ctx, peer, p.PeerDependencies[peer])
					}
					if err != nil {
						run.errs = append(run.errs, &ResolveError{Owner: owner, From: key, Package: peer, Spec: p.PeerDependencies[peer], Err: fmt.Errorf("peer dependency: %w", err)})
						continue
					}
					if run.peerAdds == nil {
						run.peerAdds = map[string]map[string]string{}
					}
					if run.peerAdds[owner] == nil {
						run.peerAdds[owner] = map[string]string{}
					}
					if run.peerAdds[owner][peer] != v {
						run.peerAdds[owner][peer] = v
						visits = append(visits, peerVisit{peer, v, key})
						added = true
					}
				}
			}
		}
		for _, pv := range visits {
			run.visit(ctx, pv.name, pv.version, pv.from)
		}
		run.wg.Wait()
		if err := joinSorted(run.errs); err != nil {
			return nil, err
		}
		if !added {
			break
		}
	}

	// Assemble the lock.
	lock := prev
	lock.Owners = map[string]*lockfile.Owner{}
	lock.Packages = map[string]*lockfile.Package{}
	required := map[string]bool{}
	for _, owner := range names {
		pinned := res.Pinned[owner]
		if pinned == nil {
			continue
		}
		roots := map[string]string{}
		for n, v := range pinned {
			roots[n] = v
		}
		for n, v := range run.peerAdds[owner] {
			roots[n] = v
		}
		closure := run.closure(roots, true)
		o := &lockfile.Owner{Dependencies: maps.Clone(pinned), Packages: sortedKeys(closure)}
		lock.Owners[owner] = o
		for key := range closure {
			lock.Packages[key] = run.pkgs[key]
		}
		for key := range run.closure(roots, false) {
			required[key] = true
		}
	}
	for key, p := range lock.Packages {
		p.Optional = !required[key]
		if p.Deprecated != "" {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s is deprecated: %s", key, p.Deprecated))
		}
	}
	res.Warnings = append(res.Warnings, run.warnings...)
	sort.Strings(res.Warnings)
	for _, w := range res.Warnings {
		logger.Warn("npm", zap.String("warning", w))
	}
	res.Lock = lock
	return res, nil
}

// checkSpec refuses dependency specs that are not registry versions, ranges or dist-tags.
func checkSpec(spec string) error {
	s := strings.TrimSpace(spec)
	if real, rng, ok := parseAlias(s); ok {
		if real == "" || strings.HasPrefix(rng, "npm:") {
			return fmt.Errorf("bad alias %q", spec)
		}
		return checkSpec(rng)
	}
	switch {
	case strings.Contains(s, ":"), strings.HasPrefix(s, "/"), strings.HasPrefix(s, "."), strings.HasPrefix(s, "~/"):
		return fmt.Errorf("unsupported dependency spec %q: only registry versions, ranges and dist-tags", spec)
	case strings.Contains(s, "/") && !strings.ContainsAny(s, " <>=^~|"):
		return fmt.Errorf("unsupported dependency spec %q: only registry versions, ranges and dist-tags", spec)
	}
	if exactVersion(s) != "" || distTagRE.MatchString(s) || s == "" {
		return nil
	}
	if err := ValidRange(s); err != nil {
		return fmt.Errorf("invalid version range %q: %v", spec, err)
	}
	return nil
}

// lockedFor returns the version prev locks name to for owner when it still fits spec: the same
// exact version, or a version a range allows. "latest" and other dist-tags are resolved again.
func lockedFor(prev *lockfile.Lock, owner, name, spec string) string {
	o := prev.Owners[owner]
	if o == nil {
		return ""
	}
	v := o.Dependencies[name]
	if v == "" || prev.Packages[lockfile.Key(name, v)] == nil || !lockComplete(prev, lockfile.Key(name, v), map[string]bool{}) {
		return ""
	}
	if exact := exactVersion(spec); exact != "" {
		if exact == v {
			return v
		}
		return ""
	}
	if distTagRE.MatchString(strings.TrimSpace(spec)) || strings.TrimSpace(spec) == "" {
		return ""
	}
	if Satisfies(v, spec) {
		return v
	}
	return ""
}

// parseAlias splits an npm alias spec "npm:<name>@<range>" (the range may be missing: latest).
func parseAlias(spec string) (name, rng string, ok bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(spec), "npm:")
	if !ok {
		return "", "", false
	}
	at := strings.LastIndex(rest, "@")
	if at <= 0 { // no version, or only a scope's "@"
		return rest, "latest", true
	}
	return rest[:at], rest[at+1:], true
}

// depTarget is the package a dependency entry (name -> exact version, or "npm:<real>@<version>"
// for an alias) points at.
func depTarget(name, version string) (string, string) {
	if real, v, ok := parseAlias(version); ok {
		return real, v
	}
	return name, version
}

// depKey is the package key a dependency entry points at.
func depKey(name, version string) string {
	return lockfile.Key(depTarget(name, version))
}

// lockedPeer returns the version of peer name that prev's tree of owner has and that satisfies
// rng, so that relocking keeps it; "" when there is none.
func lockedPeer(prev *lockfile.Lock, owner, name, rng string) string {
	o := prev.Owners[owner]
	if o == nil {
		return ""
	}
	for _, k := range o.Packages {
		p := prev.Packages[k]
		if p != nil && p.Name == name && Satisfies(p.Version, rng) && lockComplete(prev, k, map[string]bool{}) {
			return p.Version
		}
	}
	return ""
}

// lockComplete reports whether every package below key is in the lock.
func lockComplete(l *lockfile.Lock, key string, seen map[string]bool) bool {
	if seen[key] {
		return true
	}
	seen[key] = true
	p := l.Packages[key]
	if p == nil {
		return false
	}
	for n, v := range p.Dependencies {
		if !lockComplete(l, depKey(n, v), seen) {
			return false
		}
	}
	return true
}

type packEntry struct {
	once sync.Once
	p    *packument
	err  error
}

type pickEntry struct {
	once sync.Once
	v    string
	err  error
}

// resolveRun is one Lock call's state. mu guards pkgs, seen, errs and warnings; packs and picks
// are guarded by mu for the map and by their entry's once for the value.
type resolveRun struct {
	c           *client
	prev        *lockfile.Lock
	nodeVersion string // complete (major.minor.patch), for engines.node
	nodeLabel   string // as configured, for messages
	sem         chan struct{}
	logger      *zap.Logger
	phase       progress.Phase // a package resolved: its metadata read
	wg          sync.WaitGroup

	mu       sync.Mutex
	packs    map[string]*packEntry
	picks    map[string]*pickEntry
	pkgs     map[string]*lockfile.Package
	seen     map[string]bool
	errs     []error
	warnings []string
	peerAdds map[string]map[string]string // owner -> peer name -> version (touched by Lock's goroutine only)
}

func (run *resolveRun) packument(ctx context.Context, name string) (*packument, error) {
	run.mu.Lock()
	e := run.packs[name]
	if e == nil {
		e = &packEntry{}
		run.packs[name] = e
	}
	run.mu.Unlock()
	e.once.Do(func() {
		select {
		case run.sem <- struct{}{}:
		case <-ctx.Done():
			e.err = ctx.Err()
			return
		}
		defer func() { <-run.sem }()
		e.p, e.err = run.c.packument(ctx, name)
		if e.err == nil {
			run.phase.Add(1, 0)
		}
	})
	return e.p, e.err
}

// pick resolves name@spec to an exact version, once per (name, spec) in a run. An alias spec
// ("npm:<real>@<range>") resolves to "npm:<real>@<version>".
func (run *resolveRun) pick(ctx context.Context, name, spec string) (string, error) {
	if real, rng, ok := parseAlias(spec); ok {
		v, err := run.pick(ctx, real, rng)
		if err != nil {
			return "", fmt.Errorf("alias of %s: %w", real, err)
		}
		return "npm:" + real + "@" + v, nil
	}
	key := name + "\x00" + spec
	run.mu.Lock()
	e := run.picks[key]
	if e == nil {
		e = &pickEntry{}
		run.picks[key] = e
	}
	run.mu.Unlock()
	e.once.Do(func() {
		p, err := run.packument(ctx, name)
		if err != nil {
			e.err = err
			return
		}
		e.v, e.err = pickVersion(p, spec, run.nodeVersion)
	})
	return e.v, e.err
}

// visit records name@version and, in the background, everything below it.
func (run *resolveRun) visit(ctx context.Context, name, version, from string) {
	key := lockfile.Key(name, version)
	run.mu.Lock()
	if run.seen[key] {
		run.mu.Unlock()
		return
	}
	run.seen[key] = true
	run.mu.Unlock()
	run.wg.Add(1)
	go func() {
		defer run.wg.Done()
		p, err := run.record(ctx, name, version)
		if err != nil {
			run.fail(&ResolveError{From: from, Package: name, Version: version, Err: err})
			return
		}
		run.mu.Lock()
		run.pkgs[key] = p
		run.mu.Unlock()
		for n, v := range p.Dependencies {
			rn, rv := depTarget(n, v)
			run.visit(ctx, rn, rv, key)
		}
		for n, v := range p.OptionalDependencies {
			rn, rv := depTarget(n, v)
			run.visit(ctx, rn, rv, key)
		}
	}()
}

func (run *resolveRun) fail(err error) {
	run.mu.Lock()
	run.errs = append(run.errs, err)
	run.mu.Unlock()
}

// record returns the lock entry of name@version: the previous lock's when it has one, else one
// made from the registry's metadata (with its dependencies resolved).
func (run *resolveRun) record(ctx context.Context, name, version string) (*lockfile.Package, error) {
	key := lockfile.Key(name, version)
	if p := run.prev.Packages[key]; p != nil && p.Integrity != "" && p.Tarball != "" {
		cp := *p
		return &cp, nil
	}
	pk, err := run.packument(ctx, name)
	if err != nil {
		return nil, err
	}
	m := pk.Versions[version]
	if m == nil {
		return nil, fmt.Errorf("version %s does not exist (latest is %s)", version, pk.DistTags["latest"])
	}
	integrity, err := distIntegrity(string(m.Dist.Integrity), string(m.Dist.Shasum))
	if err != nil {
		return nil, err
	}
	if !engineOK(m, run.nodeVersion) {
		run.mu.Lock()
		run.warnings = append(run.warnings, fmt.Sprintf("%s wants Node %s (engines.node), not %s", key, m.Engines.Node, run.nodeLabel))
		run.mu.Unlock()
	}
	tarball, err := run.c.relativeTarball(name, string(m.Dist.Tarball))
	if err != nil {
		return nil, err
	}
	p := &lockfile.Package{
		Name: name, Version: version, Integrity: integrity, Tarball: tarball,
		OS: m.OS, CPU: m.CPU, Deprecated: m.deprecation(),
	}
	bundled := m.bundled()
	for n := range bundled {
		p.Bundled = append(p.Bundled, n)
	}
	sort.Strings(p.Bundled)
	for _, n := range sortedKeys(m.Dependencies) {
		if bundled[n] || m.OptionalDependencies[n] != "" {
			continue
		}
		spec := m.Dependencies[n]
		if err := checkSpec(spec); err != nil {
			return nil, fmt.Errorf("dependency %s: %w", n, err)
		}
		v, err := run.pick(ctx, n, spec)
		if err != nil {
			return nil, &ResolveError{Package: n, Spec: spec, Err: err}
		}
		if p.Dependencies == nil {
			p.Dependencies = map[string]string{}
		}
		p.Dependencies[n] = v
	}
	for _, n := range sortedKeys(m.OptionalDependencies) {
		if bundled[n] {
			continue
		}
		spec := m.OptionalDependencies[n]
		v, err := "", checkSpec(spec)
		if err == nil {
			v, err = run.pick(ctx, n, spec)
		}
		if err != nil {
			run.mu.Lock()
			run.warnings = append(run.warnings, fmt.Sprintf("%s: optional dependency %s@%s skipped: %v", key, n, spec, err))
			run.mu.Unlock()
			continue
		}
		if p.OptionalDependencies == nil {
			p.OptionalDependencies = map[string]string{}
		}
		p.OptionalDependencies[n] = v
	}
	for _, n := range sortedKeys(m.PeerDependencies) {
		if _, dep := m.Dependencies[n]; dep {
			continue
		}
		if p.PeerDependencies == nil {
			p.PeerDependencies = map[string]string{}
		}
		p.PeerDependencies[n] = m.PeerDependencies[n]
		if m.PeerDependenciesMeta[n].Optional {
			p.OptionalPeers = append(p.OptionalPeers, n)
		}
	}
	return p, nil
}

// distIntegrity is what a version's tarball is verified against: dist.integrity when it names an
// algorithm we check, else dist.shasum (sha1, as npm checks tarballs that have no integrity).
func distIntegrity(integrity, shasum string) (string, error) {
	var ierr error
	if integrity != "" {
		if _, _, ierr = parseIntegrity(integrity); ierr == nil {
			return integrity, nil
		}
	}
	if shasum != "" {
		return sha1Integrity(shasum)
	}
	if ierr != nil {
		return "", ierr
	}
	return "", errors.New("the registry gives no integrity (dist.integrity or dist.shasum)")
}

// closure is every package reachable from roots (name -> version), by key; with optional false,
// only what roots reach through required (not optional) dependencies.
func (run *resolveRun) closure(roots map[string]string, optional bool) map[string]bool {
	out := map[string]bool{}
	var walk func(key string)
	walk = func(key string) {
		if out[key] {
			return
		}
		p := run.pkgs[key]
		if p == nil {
			return
		}
		out[key] = true
		for n, v := range p.Dependencies {
			walk(depKey(n, v))
		}
		if optional {
			for n, v := range p.OptionalDependencies {
				walk(depKey(n, v))
			}
		}
	}
	for n, v := range roots {
		walk(depKey(n, v))
	}
	return out
}

// peerSatisfied reports whether the closure already holds a version of name satisfying rng.
func peerSatisfied(pkgs map[string]*lockfile.Package, closure map[string]bool, name, rng string) bool {
	return peerVersion(pkgs, closure, nil, name, rng) != ""
}

// peerVersion picks the version of peer name a package uses: the owner's declared version when it
// satisfies rng, else the highest version of name in the closure that does; "" when none does.
func peerVersion(pkgs map[string]*lockfile.Package, closure map[string]bool, declared map[string]string, name, rng string) string {
	if v := declared[name]; v != "" && Satisfies(v, rng) {
		return v
	}
	best := ""
	for key := range closure {
		p := pkgs[key]
		if p == nil || p.Name != name || !Satisfies(p.Version, rng) {
			continue
		}
		if best == "" || Satisfies(p.Version, ">"+best) {
			best = p.Version
		}
	}
	return best
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// joinSorted joins errs in a stable order (their messages sorted), nil when there are none.
func joinSorted(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errors.Join(errs...)
}
