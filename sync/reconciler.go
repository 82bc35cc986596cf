// Package sync is the reconciler: it turns change signals into a serving runner generation.
//
// One goroutine (Run) owns every reconcile. A reconcile is a list of steps with one signature —
// fetch, snapshot, validate, secrets, build, swap — and it is all-or-nothing: if any step fails, the
// generation that served before keeps serving and Status says what failed, with file and line.
// Signals (poll ticks, Trigger, Sync) carry no data: a burst of them collapses into one reconcile.
//
// It does not serve HTTP or run JavaScript; it hands a runner.Spec to runner.Build and stores the
// result in an atomic pointer that request handlers load.
package sync

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	gosync "sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/runner"
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

// Config configures a Reconciler.
type Config struct {
	Repository   Repository
	Secrets      vaultsecrets.Source
	Runner       runner.Options
	PollInterval time.Duration // 0: DefaultPollInterval; negative: no polling
	Logger       *zap.Logger
}

// Reconciler keeps the serving generation in step with the repository and the secrets.
type Reconciler struct {
	cfg     Config
	log     *zap.Logger
	current atomic.Pointer[runner.Generation]
	signal  chan struct{} // capacity 1: a pending reconcile request

	mu        gosync.Mutex // guards the fields below
	status    Status
	lastKey   string        // RefsKey of the last attempt whose outcome a poll may reuse
	requested uint64        // forced reconciles asked for
	completed uint64        // forced reconciles done
	done      chan struct{} // closed and replaced whenever completed moves
	genSeq    int64
	served    map[string]string // action name -> version in the serving generation
}

// New returns a reconciler; it starts nothing until Run.
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
		cfg.Runner.Cache = runner.NewCache()
	}
	return &Reconciler{
		cfg:    cfg,
		log:    cfg.Logger,
		signal: make(chan struct{}, 1),
		done:   make(chan struct{}),
		status: Status{Errors: []Problem{}, Warnings: []Problem{}},
	}
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
			st := r.status
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

// Status returns a copy of the current status.
func (r *Reconciler) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
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
	r.Trigger()
	for {
		select {
		case <-ctx.Done():
			return nil
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
	key      string
	snap     *gitstore.Snapshot
	warnings []Problem
	secrets  map[vaultsecrets.Owner]*vaultsecrets.Secret
	statuses []SecretStatus
	spec     *runner.Spec
	gen      *runner.Generation
	skipped  bool // nothing changed since the last attempt
}

// errSkip ends a reconcile early without failing it.
var errSkip = errors.New("nothing changed")

type step struct {
	name string
	run  func(ctx context.Context, a *attempt) error
}

func (r *Reconciler) steps() []step {
	return []step{
		{"fetch", r.fetch},
		{"snapshot", r.snapshot},
		{"validate", r.validate},
		{"secrets", r.readSecrets},
		{"build", r.build},
		{"swap", r.swap},
	}
}

func (r *Reconciler) reconcile(ctx context.Context) {
	r.mu.Lock()
	target := r.requested
	forced := target > r.completed
	r.mu.Unlock()

	start := time.Now()
	a := &attempt{forced: forced}
	var err error
	remember := true // whether a poll with the same refs may skip this attempt's result
	for _, s := range r.steps() {
		if err = s.run(ctx, a); err != nil {
			if errors.Is(err, errSkip) {
				err = nil
				a.skipped = true
			} else {
				// Content errors stay until the content changes; a failed fetch, git read or
				// secrets read may pass on the next poll.
				remember = s.name == "validate" || s.name == "build"
				err = fmt.Errorf("%s: %w", s.name, err)
			}
			break
		}
	}
	r.finish(a, err, start)

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
	r.mu.Unlock()
}

func (r *Reconciler) fetch(ctx context.Context, a *attempt) error {
	if err := r.cfg.Repository.Fetch(ctx); err != nil {
		return err
	}
	key, err := r.cfg.Repository.RefsKey(ctx)
	if err != nil {
		return err
	}
	a.key = key
	r.mu.Lock()
	same := a.key == r.lastKey
	r.mu.Unlock()
	if same && !a.forced {
		return errSkip
	}
	return nil
}

func (r *Reconciler) snapshot(ctx context.Context, a *attempt) error {
	snap, err := r.cfg.Repository.Snapshot(ctx)
	if err != nil {
		return err
	}
	a.snap = snap
	for _, w := range snap.Warnings {
		a.warnings = append(a.warnings, fromGit(objectOf(w.File), w))
	}
	return nil
}

func (r *Reconciler) validate(_ context.Context, a *attempt) error {
	if problems := Validate(a.snap); len(problems) > 0 {
		return problemsError(problems)
	}
	return nil
}

// readSecrets reads, once per owner, the secrets of every action and of every pinned module version
// that declares any, and checks that each declared name has a value.
func (r *Reconciler) readSecrets(ctx context.Context, a *attempt) error {
	type need struct {
		owner vaultsecrets.Owner
		names map[string]gitstore.Pos // declared name -> the manifest that declares it
	}
	needs := map[vaultsecrets.Owner]*need{}
	add := func(o vaultsecrets.Owner, pos gitstore.Pos, names []string) {
		if len(names) == 0 {
			return
		}
		n := needs[o]
		if n == nil {
			n = &need{owner: o, names: map[string]gitstore.Pos{}}
			needs[o] = n
		}
		for _, name := range names {
			if _, ok := n.names[name]; !ok {
				n.names[name] = pos
			}
		}
	}
	for _, act := range a.snap.Actions {
		add(vaultsecrets.Owner{Kind: vaultsecrets.KindAction, Name: act.Name}, gitstore.Pos{File: act.Dir + "/action.yaml"}, act.Secrets)
		for name, pin := range act.Modules {
			v := a.snap.Modules[name].Versions[pin.Version]
			add(vaultsecrets.Owner{Kind: vaultsecrets.KindModule, Name: name}, gitstore.Pos{Ref: v.Tag, File: v.Module.Dir + "/module.yaml"}, v.Module.Secrets)
		}
	}

	owners := make([]vaultsecrets.Owner, 0, len(needs))
	for o := range needs {
		owners = append(owners, o)
	}
	sort.Slice(owners, func(i, j int) bool { return owners[i].String() < owners[j].String() })

	a.secrets = make(map[vaultsecrets.Owner]*vaultsecrets.Secret, len(owners))
	var problems []Problem
	for _, o := range owners {
		n := needs[o]
		names := sortedKeys(n.names)
		st := SecretStatus{Owner: o.String(), Names: names}
		sec, err := r.cfg.Secrets.Read(ctx, o)
		if err != nil {
			st.Error = err.Error()
			a.statuses = append(a.statuses, st)
			problems = append(problems, at(n.names[names[0]], o.String(), "secrets", "reading secrets: %v", err))
			continue
		}
		st.Path, st.Version, st.ReadAt = sec.Path, sec.Version, sec.ReadAt
		_, missing := sec.Values.Pick(names)
		if len(missing) > 0 {
			st.Error = fmt.Sprintf("missing keys %v at %s", missing, sec.Path)
			for _, m := range missing {
				problems = append(problems, at(n.names[m], o.String(), "secrets", "secret %s has no value at %s", m, sec.Path))
			}
		}
		a.statuses = append(a.statuses, st)
		a.secrets[o] = sec
	}
	if len(problems) > 0 {
		return problemsError(problems)
	}
	return nil
}

func (r *Reconciler) build(ctx context.Context, a *attempt) error {
	r.mu.Lock()
	number := r.genSeq + 1
	r.mu.Unlock()
	a.spec = specFor(a.snap, a.secrets, number)
	gen, err := runner.Build(ctx, a.spec, r.cfg.Runner)
	if err != nil {
		return err
	}
	a.gen = gen
	return nil
}

func (r *Reconciler) swap(_ context.Context, a *attempt) error {
	served := make(map[string]string, len(a.spec.Actions))
	for name, as := range a.spec.Actions {
		served[name] = as.Version
	}
	r.mu.Lock()
	r.genSeq = a.spec.Generation
	r.served = served
	r.mu.Unlock()
	if old := r.current.Swap(a.gen); old != nil {
		old.Close()
	}
	return nil
}

// specFor turns a validated snapshot and its secrets into what the runner builds.
func specFor(snap *gitstore.Snapshot, secrets map[vaultsecrets.Owner]*vaultsecrets.Secret, number int64) *runner.Spec {
	values := func(kind, name string, names []string) map[string]string {
		sec := secrets[vaultsecrets.Owner{Kind: kind, Name: name}]
		if sec == nil {
			return map[string]string{}
		}
		picked, _ := sec.Values.Pick(names)
		return picked
	}
	spec := &runner.Spec{
		Commit:     snap.Commit,
		Generation: number,
		Actions:    make(map[string]*runner.ActionSpec, len(snap.Actions)),
		Bindings:   map[string][]string{},
	}
	modules := map[string]*runner.ModuleSpec{} // "name@v" -> spec, shared by the actions that pin it
	for _, act := range snap.Actions {
		as := &runner.ActionSpec{
			Name:    act.Name,
			Version: act.Version,
			Trigger: act.Trigger,
			Timeout: act.Timeout,
			Source:  runner.Source{Dir: act.Dir, Entry: act.Entry, Files: act.Files, Dependencies: act.Dependencies},
			Secrets: values(vaultsecrets.KindAction, act.Name, act.Secrets),
			Modules: make(map[string]*runner.ModuleSpec, len(act.Modules)),
		}
		for name, pin := range act.Modules {
			key := fmt.Sprintf("%s@%d", name, pin.Version)
			ms := modules[key]
			if ms == nil {
				m := snap.Modules[name].Versions[pin.Version].Module
				ms = &runner.ModuleSpec{
					Name:    name,
					Version: pin.Version,
					Source:  runner.Source{Dir: m.Dir, Entry: m.Entry, Files: m.Files, Dependencies: m.Dependencies},
					Secrets: values(vaultsecrets.KindModule, name, m.Secrets),
				}
				modules[key] = ms
			}
			as.Modules[name] = ms
		}
		spec.Actions[act.Name] = as
	}
	if snap.Triggers != nil {
		for trig, list := range snap.Triggers.Bindings {
			names := make([]string, len(list))
			for i, b := range list {
				names[i] = b.Action
			}
			spec.Bindings[trig] = names
		}
	}
	return spec
}
