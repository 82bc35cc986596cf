// Package sync is the reconciler: it turns change signals into a serving runner generation.
//
// One goroutine (Run) owns every reconcile. A reconcile is a list of steps with one signature —
// fetch, snapshot, validate, resolve (npm lock check, TypeScript/ESM transform), install (npm
// bundles), secrets, build, swap — and it is all-or-nothing: if any step fails, the generation that
// served before keeps serving and Status says what failed, with file and line. Signals (poll ticks,
// Trigger, Sync, secret rotations) carry no data: a burst of them collapses into one reconcile. A
// rotation re-reads only the owners the SecretWatcher names, and the runner then rebuilds only the
// actions whose secrets (or whose pinned modules' secrets) changed.
//
// It does not serve HTTP, run JavaScript, talk to Vault or to an npm registry; it hands a
// runner.Spec to runner.Build and stores the result in an atomic pointer that request handlers load.
package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/prepare"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/auth0"
	"github.com/actionsd/actionsd/sync/rollout"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// DefaultPollInterval is how often the repository is polled when nothing else signals a change.
const DefaultPollInterval = 30 * time.Second

// Repository is where snapshots come from. Implemented by *gitstore.Store.
type Repository interface {
	// Fetch brings the local mirror up to date with the remote.
	Fetch(ctx context.Context) error
	// RefsKey identifies the state of the refs that matter (deploy branch and tags) as last fetched.
	RefsKey(ctx context.Context) (string, error)
	// Snapshot reads the deploy branch's HEAD and every published module version.
	Snapshot(ctx context.Context) (*gitstore.Snapshot, error)
}

// Watcher signals changes of the repository as they happen (fsnotify on a local repository's
// refs). Implemented by *gitstore.Store.
type Watcher interface {
	// Watch calls changed (which does not block) whenever the repository may have changed, until
	// ctx ends; it returns nil then, or at once when there is nothing to watch.
	Watch(ctx context.Context, changed func()) error
}

// SecretWatcher signals secret rotations. Implemented by *vaultsecrets.Watcher.
type SecretWatcher interface {
	// Changes receives a value (capacity 1) when owners changed since the last TakeChanged.
	Changes() <-chan struct{}
	// TakeChanged returns the owners changed since the last call, and forgets them.
	TakeChanged() []vaultsecrets.Owner
	// SetOwners replaces the owners watched.
	SetOwners(owners []vaultsecrets.Owner)
}

// Login reports the state of the secrets backend's login. Implemented by *vaultsecrets.Vault.
type Login interface {
	Health() vaultsecrets.AuthHealth
}

// BundleCache is implemented by an Installer that keeps bundles: after each reconcile the
// reconciler passes the keys (jsdeps.Bundle.Key) of every bundle the serving generation uses, so
// that the others may go. InUse runs in the reconcile loop, so it must be quick.
type BundleCache interface {
	InUse(keys []string)
}

// Config configures a Reconciler.
type Config struct {
	Repository Repository
	// Secrets reads secret values. When it also has ReadNames, Retain and Health (a
	// *vaultsecrets.Cache), last good values are served through outages and reported in Status.
	Secrets vaultsecrets.Source
	// SecretWatcher, when set, signals rotations: Run reconciles on each, re-reading only the
	// owners it names; after each reconcile it is told which owners to watch.
	SecretWatcher SecretWatcher
	// Login, when set, reports the secrets backend's login in Status (and Degraded on failure).
	Login Login
	// Dependencies installs npm dependencies (the daemon's is npmvendor.RepoInstaller, which reads
	// vendored tarballs from the repository's commits); nil: declared dependencies are
	// checked against the lock but not installed (requiring one then fails in JavaScript with a
	// clear error).
	Dependencies prepare.Installer
	Runner       runner.Options
	PollInterval time.Duration // 0: DefaultPollInterval; negative: no polling
	// Watcher, when set, is run by Run and signals a sync on every change it sees.
	Watcher Watcher
	// Instance names this replica in the status (its host name, a pod name).
	Instance string
	// Registerer receives the reconciler's metrics; nil registers none.
	Registerer prometheus.Registerer
	Logger     *zap.Logger
	// Tracer, when set, records each reconcile and each of its steps as a span; nil records none.
	Tracer Tracer
	// Rollouts, when set, runs the rollouts of the actions whose action.yaml has one, and keeps
	// rollbacks (see Rollback); it must be the Runner's Router. nil: a change serves at once.
	Rollouts *rollout.Manager
}

// Reconciler keeps the serving generation in step with the repository and the secrets.
type Reconciler struct {
	cfg     Config
	log     *zap.Logger
	metrics *metrics
	current atomic.Pointer[runner.Generation]
	signal  chan struct{} // capacity 1: a pending reconcile request
	settled chan struct{} // closed when the first reconcile ends

	mu        gosync.Mutex // guards the fields below
	status    Status
	lastKey   string        // RefsKey of the last attempt whose outcome a poll may reuse
	requested uint64        // forced reconciles asked for
	completed uint64        // forced reconciles done
	done      chan struct{} // closed and replaced whenever completed moves
	genSeq    int64
	served    map[string]string // action name -> version in the serving generation
	// servedModules are the module versions the serving generation runs ("modules/<name>@v<N>").
	servedModules map[string]bool
	servedFP      string // fingerprint of what the serving generation was built from
	// servedRevs is the revision of each action the serving generation runs, for rollouts.
	servedRevs map[string]servedRevision
	head       string // the deploy branch's head as last read
	// dirty are owners the SecretWatcher reported changed and no reconcile has re-read yet.
	dirty map[vaultsecrets.Owner]bool
	// read is what the last attempt that reached the secrets step read, by owner, at readCommit;
	// a later attempt at the same commit reuses the entries of owners that are not dirty.
	read       map[vaultsecrets.Owner]*vaultsecrets.Secret
	readCommit string
	// serving and attempted are the owners the serving generation and the last attempt use: the
	// owners the SecretWatcher watches and the Cache keeps.
	serving, attempted   []vaultsecrets.Owner
	secretsDegradedSince time.Time // when Status first found the secrets degraded; zero when not

	// transformer caches TypeScript/ESM transforms by file content; only Run's goroutine uses it.
	transformer prepare.Transformer
	// bundles are the keys of the npm bundles the serving generation uses (nil before one
	// serves), for the installer's cache; only Run's goroutine uses it.
	bundles []string
}

// New returns a reconciler; it starts nothing until Run. It panics only when its metrics cannot be
// registered (a name registered twice on cfg.Registerer).
func New(cfg Config) *Reconciler {
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.Runner.Logger == nil {
		cfg.Runner.Logger = cfg.Logger
	}
	if cfg.Runner.Cache == nil {
		cfg.Runner.Cache = auth0.NewCache()
	}
	if cfg.Runner.Programs == nil {
		cfg.Runner.Programs = runner.NewProgramCache()
	}
	if cfg.Rollouts != nil {
		cfg.Runner.Router = cfg.Rollouts
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		panic(fmt.Sprintf("sync: metrics: %v", err))
	}
	r := &Reconciler{
		cfg:     cfg,
		log:     cfg.Logger,
		metrics: m,
		signal:  make(chan struct{}, 1),
		settled: make(chan struct{}),
		done:    make(chan struct{}),
		dirty:   map[vaultsecrets.Owner]bool{},
		status:  Status{Instance: cfg.Instance, Errors: diag.List{}, Warnings: diag.List{}},
	}
	now := time.Now()
	for _, c := range []Condition{
		{Type: ConditionReady, Status: "False", Reason: "NotServing", Message: "no generation serves yet"},
		{Type: ConditionReconciling, Status: "False", Reason: "Idle"},
		{Type: ConditionStalled, Status: "False", Reason: "AsExpected"},
		{Type: ConditionDegraded, Status: "False", Reason: "AsExpected"},
	} {
		r.status.Conditions = setCondition(r.status.Conditions, c, now)
	}
	return r
}

// Current returns the serving generation, or nil before the first successful reconcile.
func (r *Reconciler) Current() *runner.Generation { return r.current.Load() }

// Trigger asks for a reconcile that re-reads everything, without waiting for it.
func (r *Reconciler) Trigger() {
	r.mu.Lock()
	r.requested++
	r.mu.Unlock()
	r.poke()
}

// Notify signals that something may have changed (a webhook, a watched ref), without waiting.
// Unlike Trigger, the reconcile it causes ends early when the repository's refs are unchanged
// since the last attempt.
func (r *Reconciler) Notify() { r.poke() }

func (r *Reconciler) poke() {
	select {
	case r.signal <- struct{}{}:
	default: // one is pending already: it will see this request too
	}
}

// Sync asks for a reconcile and waits until one that started after the call has finished, or ctx
// ends. It returns the status after that reconcile.
func (r *Reconciler) Sync(ctx context.Context) (Status, error) {
	r.mu.Lock()
	r.requested++
	want := r.requested
	r.mu.Unlock()
	r.poke()
	for {
		r.mu.Lock()
		if r.completed >= want {
			st := r.statusLocked()
			r.mu.Unlock()
			return st, nil
		}
		done := r.done
		r.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return r.Status(), ctx.Err()
		}
	}
}

// Status returns a copy of the current status, with the secrets backend's health as it is now.
func (r *Reconciler) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.statusLocked()
}

// Run reconciles at once, then on every poll tick and signal, until ctx ends. It returns nil when ctx
// ends; the serving generation stays available to Current afterwards.
func (r *Reconciler) Run(ctx context.Context) error {
	var tick <-chan time.Time
	var timer *time.Timer
	if r.cfg.PollInterval > 0 {
		timer = time.NewTimer(jitter(r.cfg.PollInterval))
		defer timer.Stop()
		tick = timer.C
	}
	if r.cfg.Watcher != nil {
		watchDone := make(chan struct{})
		defer func() { <-watchDone }()
		go func() {
			defer close(watchDone)
			if err := r.cfg.Watcher.Watch(ctx, r.Notify); err != nil {
				r.log.Error("watching the repository failed; polling and webhooks still signal syncs", zap.Error(err))
			}
		}()
	}
	var rotations <-chan struct{}
	if r.cfg.SecretWatcher != nil {
		rotations = r.cfg.SecretWatcher.Changes()
	}
	r.Trigger()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-rotations:
			changed := r.cfg.SecretWatcher.TakeChanged()
			if len(changed) == 0 {
				continue
			}
			r.mu.Lock()
			for _, o := range changed {
				r.dirty[o] = true
			}
			r.mu.Unlock()
			r.log.Info("secrets changed: reconciling", zap.Stringers("owners", changed))
			r.reconcile(ctx)
		case <-r.signal:
			r.reconcile(ctx)
		case <-tick:
			r.reconcile(ctx)
			timer.Reset(jitter(r.cfg.PollInterval))
		}
	}
}

// jitter spreads polls of many replicas: ±10% of d.
func jitter(d time.Duration) time.Duration {
	return d - d/10 + time.Duration(rand.Int64N(int64(d/5)+1))
}

// attempt carries one reconcile's state from step to step.
type attempt struct {
	forced   bool // a Sync or Trigger asked for it: nothing is skipped
	rotated  bool // a secret rotation is pending: the refs may be unchanged, the secrets are not
	key      string
	snap     *gitstore.Snapshot
	set      *prepare.Set // snap's units: transformed by resolve, with their bundles after install
	warnings diag.List
	moved    diag.List // the warnings of version tags that moved or contradict their record
	secrets  map[vaultsecrets.Owner]*vaultsecrets.Secret
	statuses []SecretStatus
	owners   []vaultsecrets.Owner // the owners whose secrets this attempt needs
	spec     *runner.Spec
	gen      *runner.Generation
	fp       string                    // fingerprint of the build's inputs: refs and secret versions
	rb       *rollout.Rollback         // the rollback this attempt serves, if any
	rollouts map[string]*rollout.State // the rollouts of the generation built
	routed   map[string]bool           // the actions of rollouts with both revisions built
	skipped  bool                      // nothing changed since the last attempt
	step     string                    // the step that failed
}

// errSkip ends a reconcile early without failing it.
var errSkip = errors.New("nothing changed")

// step is one step of a reconcile. Its run returns a *ContentError or a *TransientError (or
// errSkip); panicked classifies a panic in it: as a content error in the steps that read only the
// commit (a bug met by this commit stays until the commit changes), as transient in those that
// read something else.
type step struct {
	name     string
	run      func(ctx context.Context, a *attempt) error
	panicked func(error) error
}

func (r *Reconciler) steps() []step {
	return []step{
		{"fetch", r.fetch, transient(ReasonFetchFailed)},
		{"snapshot", r.snapshot, transient("")},
		{"validate", r.validate, content},
		{"resolve", r.resolve, content},
		{"install", r.install, transient("")},
		{"secrets", r.readSecrets, transient(ReasonSecretsUnavailable)},
		{"build", r.build, content},
		{"swap", r.swap, transient("")},
	}
}

func (r *Reconciler) reconcile(ctx context.Context) {
	r.mu.Lock()
	target := r.requested
	forced := target > r.completed
	rotated := len(r.dirty) > 0
	r.mu.Unlock()

	start := time.Now()
	a := &attempt{forced: forced, rotated: rotated}
	var endSpan func(string, int64, string, string)
	if r.cfg.Tracer != nil {
		ctx, endSpan = r.cfg.Tracer.StartReconcile(ctx)
	}
	r.setReconciling(start)
	var err error
	remember := true // whether a poll with the same refs may skip this attempt's result
	for _, s := range r.steps() {
		if err = r.runStep(ctx, s, a); err != nil {
			if errors.Is(err, errSkip) {
				err = nil
				a.skipped = true
			} else {
				a.step = s.name
				// Content errors stay until the content changes; a failed fetch, git read,
				// npm install or secrets read may pass on the next poll.
				remember = isContent(err)
				err = fmt.Errorf("%s: %w", s.name, err)
			}
			break
		}
	}
	r.finish(a, err, start)
	if endSpan != nil {
		endSpan(a.traced(err))
	}
	if a.snap != nil {
		r.watchOwners(a)
	}
	if a.skipped {
		r.metrics.duration.WithLabelValues(resultUnchanged).Observe(time.Since(start).Seconds())
	}

	r.mu.Lock()
	if !a.skipped {
		r.lastKey = ""
		if remember {
			r.lastKey = a.key
		}
	}
	if target > r.completed {
		r.completed = target
	}
	close(r.done)
	r.done = make(chan struct{})
	select {
	case <-r.settled:
	default:
		close(r.settled)
	}
	r.mu.Unlock()
	// After the waiters are released: a cache prune is nobody's wait. Every reconcile, so that
	// a quiet repository's cache is pruned too (the installer decides how often).
	if bc, ok := r.cfg.Dependencies.(BundleCache); ok && r.bundles != nil {
		bc.InUse(r.bundles)
	}
}

// runStep runs one step, turning a panic into the step's error (logged with its stack), so that a
// bug met by one commit fails that attempt while the serving generation stays, instead of
// stopping the daemon.
func (r *Reconciler) runStep(ctx context.Context, s step, a *attempt) (err error) {
	if r.cfg.Tracer != nil {
		var end func(string)
		ctx, end = r.cfg.Tracer.StartStep(ctx, s.name)
		defer func() { end(stepResult(err)) }() // after the recover below has set err
	}
	defer func() {
		if p := recover(); p != nil {
			what := panicText(p)
			r.log.Error("reconcile step panicked: a bug; "+r.servingNote(),
				zap.String("step", s.name), zap.String("panic", what), zap.Stack("stack"))
			err = s.panicked(fmt.Errorf("internal error (please report it, with the daemon's log): %s", what))
		}
	}()
	return s.run(ctx, a)
}

// panicText describes a recovered panic for the log and the status without its value unless the
// Go runtime made it (a runtime.Error names types and indexes, never data): a library's panic
// value might hold anything, a secret included.
func panicText(p any) string {
	if re, ok := p.(runtime.Error); ok {
		return re.Error()
	}
	return fmt.Sprintf("a panic with a %T value", p)
}

// servingNote says what serves while an attempt fails: the previous generation, or nothing.
// Logs must never claim a generation serves when none does.
func (r *Reconciler) servingNote() string {
	if r.current.Load() != nil {
		return "the previous generation keeps serving"
	}
	return "no generation serves"
}

// servingField is the serving generation's number as a log field (0: none serves).
func (r *Reconciler) servingField() zap.Field {
	var n int64
	if g := r.current.Load(); g != nil {
		n = g.Number()
	}
	return zap.Int64("serving_generation", n)
}

// Settled is closed once the first reconcile has ended, whether it swapped a generation in or
// not: the daemon's start is over.
func (r *Reconciler) Settled() <-chan struct{} { return r.settled }

func (r *Reconciler) fetch(ctx context.Context, a *attempt) error {
	failed := transient(ReasonFetchFailed)
	if err := r.cfg.Repository.Fetch(ctx); err != nil {
		return failed(err)
	}
	key, err := r.cfg.Repository.RefsKey(ctx)
	if err != nil {
		return failed(err)
	}
	a.key = key
	r.mu.Lock()
	same := a.key == r.lastKey
	r.mu.Unlock()
	if same && !a.forced && !a.rotated {
		return errSkip
	}
	return nil
}

func (r *Reconciler) snapshot(ctx context.Context, a *attempt) error {
	if err := r.readSnapshot(ctx, a); err != nil {
		return transient("")(err)
	}
	r.mu.Lock()
	r.head = a.snap.Commit
	r.mu.Unlock()
	return transient("")(r.applyRollback(ctx, a))
}

// readSnapshot reads the snapshot into a, cloning the repository again when the mirror is
// corrupt.
func (r *Reconciler) readSnapshot(ctx context.Context, a *attempt) error {
	snap, err := r.cfg.Repository.Snapshot(ctx)
	var corrupt *gitstore.CorruptMirrorError
	if errors.As(err, &corrupt) {
		// The store moved its corrupt mirror aside: clone the repository again and read that,
		// once. The serving generation, if any, serves meanwhile.
		r.log.Warn("the git mirror was corrupt: cloning the repository again", zap.String("moved_to", corrupt.MovedTo), r.servingField())
		if err := r.cfg.Repository.Fetch(ctx); err != nil {
			return fmt.Errorf("%w; cloning it again failed: %w", corrupt, err)
		}
		if a.key, err = r.cfg.Repository.RefsKey(ctx); err != nil {
			return err
		}
		snap, err = r.cfg.Repository.Snapshot(ctx)
		if err == nil {
			a.warnings = append(a.warnings, diag.Diagnostic{Message: fmt.Sprintf("the git mirror was corrupt (%v): it was moved to %s and the repository cloned again", corrupt.Err, cmp.Or(corrupt.MovedTo, "nowhere (deleted)")), Severity: diag.Warning})
		}
	}
	if err != nil {
		return err
	}
	a.snap, a.set = snap, prepare.New(snap)
	a.warnings = append(a.warnings, snap.Warnings...)
	a.moved = snap.MovedTags
	return nil
}

func (r *Reconciler) validate(_ context.Context, a *attempt) error {
	if errs := prepare.Validate(a.snap); len(errs) > 0 {
		return content(problems(errs))
	}
	return nil
}

func (r *Reconciler) build(ctx context.Context, a *attempt) error {
	fpKey := a.key
	if a.rb != nil {
		fpKey += "\nrollback " + a.rb.Commit
	}
	a.fp = fingerprint(fpKey, a.statuses)
	r.mu.Lock()
	number := r.genSeq + 1
	unchanged := a.fp == r.servedFP && r.status.Attempted != nil && r.status.Attempted.Result == resultApplied
	r.mu.Unlock()
	if unchanged && r.current.Load() != nil {
		return errSkip // a forced sync of the refs and secrets that already serve
	}
	a.spec = a.set.Spec(prepare.SpecOptions{Generation: number, Secrets: a.secretValues, Bindings: true})
	r.planRollouts(ctx, a)
	opts := r.cfg.Runner
	opts.Previous = r.current.Load() // reuse every unchanged action, compiled and warm
	gen, err := runner.Build(ctx, a.spec, opts)
	if err != nil {
		var be *runner.BuildError
		if !errors.As(err, &be) {
			return transient("")(err) // ctx ended
		}
		return content(buildFailed(err, a.set))
	}
	a.gen = gen
	return nil
}

func (r *Reconciler) swap(_ context.Context, a *attempt) error {
	served := make(map[string]string, len(a.spec.Actions))
	servedModules := map[string]bool{}
	for name, as := range a.spec.Actions {
		served[name] = as.Version
		for mname, ms := range as.Modules {
			servedModules[fmt.Sprintf("modules/%s@v%d", cmp.Or(ms.Name, mname), ms.Version)] = true
		}
	}
	r.bundles = bundleKeys(a.spec)
	revs := make(map[string]servedRevision, len(a.spec.Actions))
	for name, as := range a.spec.Actions {
		revs[name] = servedRevision{id: identity(as), commit: a.spec.Commit, version: as.Version}
	}
	if m := r.cfg.Rollouts; m != nil && a.rb == nil {
		// Before the swap: the new generation's routes are ready when it serves. A rollback
		// leaves the rollouts as they are, for the commit that ends it.
		m.Apply(a.rollouts, a.routed)
		m.Applied(a.spec.Commit)
	}
	r.mu.Lock()
	r.servedRevs = revs
	r.genSeq = a.spec.Generation
	r.served = served
	r.servedModules = servedModules
	r.servedFP = a.fp
	r.mu.Unlock()
	if old := r.current.Swap(a.gen); old != nil {
		func() { // the new generation serves: a bug in closing the old one must not fail this attempt
			defer func() {
				if p := recover(); p != nil {
					r.log.Error("closing the previous generation panicked: a bug", zap.String("panic", panicText(p)), zap.Stack("stack"))
				}
			}()
			old.Close()
		}()
	}
	return nil
}

// secretValues are owner's values of names, from what the secrets step read.
func (a *attempt) secretValues(owner vaultsecrets.Owner, names []string) map[string]string {
	sec := a.secrets[owner]
	if sec == nil {
		return map[string]string{}
	}
	picked, _ := sec.Values.Pick(names)
	return picked
}

// fingerprint identifies a build's inputs: the refs read and the version of every secret path.
func fingerprint(refs string, secrets []SecretStatus) string {
	var b strings.Builder
	b.WriteString(refs)
	for _, s := range secrets {
		fmt.Fprintf(&b, "\n%s %s %d", s.Owner, s.Path, s.Version)
	}
	return b.String()
}

// setReconciling marks a reconcile as running in the status.
func (r *Reconciler) setReconciling(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status.Conditions = setCondition(r.status.Conditions, Condition{Type: ConditionReconciling, Status: "True", Reason: "Progressing", Message: "reading the repository"}, now)
}

// bundleKeys is the keys of the bundles spec uses, sorted; empty, not nil, when it uses none.
func bundleKeys(spec *runner.Spec) []string {
	seen := map[string]bool{}
	for _, a := range spec.Actions {
		if b := a.Source.Bundle; b != nil {
			seen[b.Key] = true
		}
		for _, m := range a.Modules {
			if b := m.Source.Bundle; b != nil {
				seen[b.Key] = true
			}
		}
	}
	return append([]string{}, slices.Sorted(maps.Keys(seen))...)
}
