// Package rollout runs gradual rollouts of actions (the `rollout:` of action.yaml): it routes each
// execution of an action under rollout to its stable or canary revision by a hash of a key of the
// event (runner.Router), counts each revision's errors and durations without a lock, promotes the
// canary step by step and aborts it when a threshold is crossed. It also keeps the daemon's
// rollback. Aborts, rollbacks and the state of each rollout are written to a JSON file in the data
// directory, atomically, so that they survive a restart.
//
// The reconciler decides which actions are under rollout and builds both revisions; this package
// only keeps state and routes. It does not read git or build anything.
package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/gitstore"
)

// Phases of a rollout.
const (
	PhaseProgressing = "Progressing"
	PhaseCompleted   = "Completed"
	PhaseAborted     = "Aborted"
)

// State is one action's rollout, as persisted and as GET /v1/rollouts/{action} answers it.
type State struct {
	Action string `json:"action"`
	Phase  string `json:"phase"`
	// Step is the index in Steps of the current step; Percent the share of executions on the
	// canary now (0 once aborted).
	Step     int    `json:"step"`
	Percent  int    `json:"percent"`
	Steps    []int  `json:"steps"`
	Interval string `json:"interval"`
	Key      string `json:"key"`
	// Thresholds of the abort.
	ErrorRateIncrease float64 `json:"error_rate_increase,omitempty"`
	P99Increase       float64 `json:"p99_increase,omitempty"`
	MinExecutions     int     `json:"min_executions"`
	// The two revisions: the commit each was read at and its version (the last commit that
	// changed the action's folder); CanaryID identifies the canary's code, dependencies and
	// module pins.
	StableCommit  string    `json:"stable_commit"`
	StableVersion string    `json:"stable_version"`
	CanaryCommit  string    `json:"canary_commit"`
	CanaryVersion string    `json:"canary_version"`
	CanaryID      string    `json:"canary_id"`
	Started       time.Time `json:"started"`
	StepSince     time.Time `json:"step_since"`
	// Reason says why it ended or moved by hand: the numbers of an abort.
	Reason string `json:"reason,omitempty"`
	// Stable and Canary are the numbers of each revision since the rollout started on this
	// replica (not persisted).
	Stable *RevisionStats `json:"stable,omitempty"`
	Canary *RevisionStats `json:"canary,omitempty"`
}

// Rollback is a commit served instead of the deploy branch's head, until the head moves.
type Rollback struct {
	Commit string    `json:"commit"` // the commit served
	Head   string    `json:"head"`   // the deploy branch's head when the rollback was asked for
	At     time.Time `json:"at"`
}

// file is the state file's content.
type file struct {
	Rollouts map[string]*State `json:"rollouts"`
	Rollback *Rollback         `json:"rollback,omitempty"`
	// Applied are the last commits applied (newest last), for a rollback's default target.
	Applied []string `json:"applied"`
}

// MaxApplied is how many applied commits the state keeps.
const MaxApplied = 20

// StateFile is the state file's name in the daemon's data directory.
const StateFile = "rollouts.json"

// CheckEvery is how often the daemon checks the thresholds and intervals of the rollouts in
// progress: an abort happens within this time of the execution that crosses a threshold.
const CheckEvery = 100 * time.Millisecond

// Errors of the manual actions.
var (
	ErrNoRollout = errors.New("no rollout")
	ErrNotActive = errors.New("the rollout is not in progress")
)

// Manager keeps the rollouts of one daemon. It is a runner.Router.
type Manager struct {
	path     string
	log      *zap.Logger
	onChange func()
	notify   func(Event)
	now      func() time.Time
	aborts   *prometheus.CounterVec
	percent  *prometheus.GaugeVec
	step     *prometheus.GaugeVec
	promos   *prometheus.CounterVec

	routes atomic.Pointer[map[string]*route]

	mu      gosync.Mutex
	states  map[string]*State
	live    map[string]*route // the route of each state routed now
	rb      *Rollback
	applied []string
	// peerAborts are the aborts peers told of rollouts this replica does not run yet, by canary
	// identity: such a rollout starts aborted.
	peerAborts map[string]string
}

// Options configure a Manager.
type Options struct {
	// Path is the state file; "" keeps the state in memory only.
	Path       string
	Logger     *zap.Logger
	Registerer prometheus.Registerer
	// OnChange is called (without the Manager's lock) whenever a rollout changes phase or step.
	OnChange func()
	// Notify is called (without the lock) with each change this replica made to a rollout, by
	// itself or by hand, for the other replicas; not with those FromPeer applies.
	Notify func(Event)
}

// Event is a change of a rollout passed between replicas: an abort, or a promotion to Step.
type Event struct {
	Action   string
	Verb     string // "abort" or "promote"
	CanaryID string // the rollout it is about: replicas that run another ignore it
	Step     int    // promote: the step reached
	Reason   string // abort: why
}

// Event verbs.
const (
	VerbAbort   = "abort"
	VerbPromote = "promote"
)

// Open reads the state file, if any, and returns the Manager.
func Open(o Options) (*Manager, error) {
	m := &Manager{path: o.Path, log: o.Logger, onChange: o.OnChange, notify: o.Notify, now: time.Now,
		states: map[string]*State{}, live: map[string]*route{}, peerAborts: map[string]string{}}
	if m.notify == nil {
		m.notify = func(Event) {}
	}
	if m.log == nil {
		m.log = zap.NewNop()
	}
	if m.onChange == nil {
		m.onChange = func() {}
	}
	m.aborts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "actionsd_rollout_aborts_total",
		Help: "Rollouts aborted, automatically or by hand, by action."}, []string{"action"})
	m.promos = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "actionsd_rollout_promotions_total",
		Help: "Rollout steps promoted, automatically or by hand, by action."}, []string{"action"})
	m.percent = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "actionsd_rollout_canary_percent",
		Help: "Share of an action's executions routed to its canary revision (0 after an abort, 100 once complete)."}, []string{"action"})
	m.step = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "actionsd_rollout_step",
		Help: "Index (from 1) of the current step of an action's rollout."}, []string{"action"})
	if o.Registerer != nil {
		for _, c := range []prometheus.Collector{m.aborts, m.promos, m.percent, m.step} {
			if err := o.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("rollout metrics: %w", err)
			}
		}
	}
	empty := map[string]*route{}
	m.routes.Store(&empty)
	if m.path != "" {
		data, err := os.ReadFile(m.path)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("rollout state: %w", err)
		default:
			var f file
			if err := json.Unmarshal(data, &f); err != nil {
				return nil, fmt.Errorf("rollout state %s: %w", m.path, err)
			}
			if f.Rollouts != nil {
				m.states = f.Rollouts
			}
			m.rb, m.applied = f.Rollback, f.Applied
		}
	}
	return m, nil
}

// save writes the state file atomically. m.mu is held.
func (m *Manager) save() {
	if m.path == "" {
		return
	}
	f := file{Rollouts: map[string]*State{}, Rollback: m.rb, Applied: m.applied}
	for name, st := range m.states {
		c := *st
		c.Stable, c.Canary = nil, nil
		f.Rollouts[name] = &c
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err == nil {
		err = writeAtomic(m.path, data)
	}
	if err != nil {
		m.log.Error("writing the rollout state failed: an abort or rollback will not survive a restart", zap.String("file", m.path), zap.Error(err))
	}
}

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".rollouts-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Canary implements runner.Router.
func (m *Manager) Canary(action string, event []byte) bool {
	r := (*m.routes.Load())[action]
	if r == nil {
		return false // not known yet: the stable revision is the safe one
	}
	return r.canary(event)
}

// Observe implements runner.Router.
func (m *Manager) Observe(action string, canary, failed bool, d time.Duration) {
	r := (*m.routes.Load())[action]
	if r == nil {
		return
	}
	i := 0
	if canary {
		i = 1
	}
	r.stats[i].observe(failed, d)
}

// Get returns a copy of an action's rollout, with its numbers.
func (m *Manager) Get(action string) (State, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.states[action]
	if st == nil {
		return State{}, false
	}
	return m.withStats(st), true
}

// List returns every rollout, by action name.
func (m *Manager) List() []State {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]State, 0, len(m.states))
	for _, name := range slices.Sorted(maps.Keys(m.states)) {
		out = append(out, m.withStats(m.states[name]))
	}
	return out
}

// withStats copies st with the numbers of its live route. m.mu is held.
func (m *Manager) withStats(st *State) State {
	c := *st
	c.Steps = slices.Clone(st.Steps)
	if r := m.live[st.Action]; r != nil {
		s, k := r.stats[0].snapshot(), r.stats[1].snapshot()
		c.Stable, c.Canary = &s, &k
	}
	return c
}

// New returns the state of a rollout that starts now for action, from its rollout: configuration.
func New(action string, cfg *gitstore.Rollout, stableCommit, stableVersion, canaryCommit, canaryVersion, canaryID string, now time.Time) *State {
	return &State{Action: action, Phase: PhaseProgressing, Step: 0, Percent: cfg.Steps[0], Steps: slices.Clone(cfg.Steps),
		Interval: cfg.Interval.String(), Key: cfg.Key, ErrorRateIncrease: cfg.Abort.ErrorRateIncrease,
		P99Increase: cfg.Abort.P99Increase, MinExecutions: cfg.Abort.MinExecutions,
		StableCommit: stableCommit, StableVersion: stableVersion, CanaryCommit: canaryCommit,
		CanaryVersion: canaryVersion, CanaryID: canaryID, Started: now, StepSince: now}
}

// Peek returns a copy of an action's persisted rollout, without numbers.
func (m *Manager) Peek(action string) *State {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st := m.states[action]; st != nil {
		c := *st
		return &c
	}
	return nil
}

// Apply sets the rollouts of the generation about to serve: states are every rollout of it
// (new ones and ones kept, each routed when routed names it, as the generation has both of its
// revisions); every other rollout is forgotten. Routes of rollouts kept keep their numbers.
func (m *Manager) Apply(states map[string]*State, routed map[string]bool) {
	m.mu.Lock()
	for name, st := range states {
		if old := m.states[name]; old != nil && old.CanaryID == st.CanaryID && old.Started.Equal(st.Started) {
			continue // the same rollout: its state moves on by itself
		}
		m.states[name] = st
		delete(m.live, name)
		if why, ok := m.peerAborts[st.CanaryID]; ok && st.Phase == PhaseProgressing {
			m.abort(st, "a peer aborted it: "+why)
		}
	}
	for name := range m.states {
		if states[name] == nil {
			delete(m.states, name)
		}
	}
	live := map[string]*route{}
	for name := range routed {
		st := m.states[name]
		if st == nil {
			continue
		}
		r := m.live[name]
		if r == nil {
			r = newRoute(name, st.CanaryID, st.Key, st.Percent)
		}
		live[name] = r
	}
	m.live = live
	m.publish()
	m.save()
	m.mu.Unlock()
}

// publish makes the routes and metrics follow the states. m.mu is held.
func (m *Manager) publish() {
	routes := make(map[string]*route, len(m.live))
	for name, r := range m.live {
		st := m.states[name]
		r.percent.Store(int32(st.Percent))
		routes[name] = r
	}
	m.routes.Store(&routes)
	m.percent.Reset()
	m.step.Reset()
	for name, st := range m.states {
		m.percent.WithLabelValues(name).Set(float64(st.Percent))
		m.step.WithLabelValues(name).Set(float64(st.Step + 1))
	}
}

// Promote moves an action's rollout to its next step now (completing it at 100%).
func (m *Manager) Promote(action string) (State, error) {
	return m.act(action, func(st *State) Event {
		m.promote(st, "promoted by hand")
		return Event{Action: action, Verb: VerbPromote, CanaryID: st.CanaryID, Step: st.Step}
	})
}

// Abort aborts an action's rollout now: every execution goes to the stable revision.
func (m *Manager) Abort(action string) (State, error) {
	return m.act(action, func(st *State) Event {
		m.abort(st, "aborted by hand")
		return Event{Action: action, Verb: VerbAbort, CanaryID: st.CanaryID, Reason: st.Reason}
	})
}

// FromPeer applies a change another replica made, when this replica runs the same rollout (an
// abort of one it does not run yet is kept for when it starts). It is not passed on.
func (m *Manager) FromPeer(e Event) {
	m.mu.Lock()
	st := m.states[e.Action]
	if st == nil || st.CanaryID != e.CanaryID {
		if e.Verb == VerbAbort && e.CanaryID != "" {
			m.peerAborts[e.CanaryID] = e.Reason
		}
		m.mu.Unlock()
		return
	}
	changed := false
	switch e.Verb {
	case VerbAbort:
		if st.Phase == PhaseProgressing {
			m.abort(st, "a peer aborted it: "+e.Reason)
			changed = true
		}
	case VerbPromote:
		for st.Phase == PhaseProgressing && st.Step < e.Step && st.Step+1 < len(st.Steps) {
			m.promote(st, "a peer promoted it")
			changed = true
		}
	}
	if changed {
		m.publish()
		m.save()
	}
	m.mu.Unlock()
	if changed {
		m.onChange()
	}
}

func (m *Manager) act(action string, fn func(*State) Event) (State, error) {
	m.mu.Lock()
	st := m.states[action]
	if st == nil {
		m.mu.Unlock()
		return State{}, fmt.Errorf("action %s: %w", action, ErrNoRollout)
	}
	if st.Phase != PhaseProgressing {
		c := m.withStats(st)
		m.mu.Unlock()
		return c, fmt.Errorf("action %s: %w (it is %s)", action, ErrNotActive, st.Phase)
	}
	e := fn(st)
	m.publish()
	m.save()
	c := m.withStats(st)
	m.mu.Unlock()
	m.onChange()
	m.notify(e)
	return c, nil
}

// promote moves st one step on. m.mu is held.
func (m *Manager) promote(st *State, why string) {
	st.Step++
	st.Percent = st.Steps[st.Step]
	st.StepSince = m.now()
	m.promos.WithLabelValues(st.Action).Inc()
	if st.Percent >= 100 {
		st.Phase = PhaseCompleted
		st.Reason = why + ": complete, the canary is stable"
	}
	m.log.Info("rollout promoted", zap.String("action", st.Action), zap.Int("percent", st.Percent), zap.String("phase", st.Phase), zap.String("why", why))
}

// abort ends st. m.mu is held.
func (m *Manager) abort(st *State, why string) {
	st.Phase, st.Percent, st.Reason, st.StepSince = PhaseAborted, 0, why, m.now()
	m.aborts.WithLabelValues(st.Action).Inc()
	m.log.Warn("rollout aborted: every execution goes to the stable revision", zap.String("action", st.Action),
		zap.String("canary_version", st.CanaryVersion), zap.String("stable_version", st.StableVersion), zap.String("reason", why))
}

// Run checks every rollout in progress every tick (the thresholds at once, the step's interval)
// until ctx ends.
func (m *Manager) Run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.Check()
		}
	}
}

// Check aborts each rollout in progress whose canary crossed a threshold, and promotes each whose
// step has lasted its interval.
func (m *Manager) Check() {
	m.mu.Lock()
	var events []Event
	now := m.now()
	for _, name := range slices.Sorted(maps.Keys(m.live)) {
		st, r := m.states[name], m.live[name]
		if st == nil || st.Phase != PhaseProgressing {
			continue
		}
		if why := breach(st, r.stats[0].snapshot(), r.stats[1].snapshot()); why != "" {
			m.abort(st, why)
			events = append(events, Event{Action: name, Verb: VerbAbort, CanaryID: st.CanaryID, Reason: why})
			continue
		}
		interval, _ := time.ParseDuration(st.Interval)
		if now.Sub(st.StepSince) >= interval {
			m.promote(st, "interval passed")
			events = append(events, Event{Action: name, Verb: VerbPromote, CanaryID: st.CanaryID, Step: st.Step})
		}
	}
	changed := len(events) > 0
	if changed {
		m.publish()
		m.save()
	}
	m.mu.Unlock()
	if changed {
		m.onChange()
	}
	for _, e := range events {
		m.notify(e)
	}
}

// breach says which threshold the canary crossed, with the numbers; "" when none (or it has not
// run MinExecutions times yet).
func breach(st *State, stable, canary RevisionStats) string {
	if canary.Executions < int64(max(st.MinExecutions, 1)) {
		return ""
	}
	if st.ErrorRateIncrease > 0 && canary.ErrorRate-stable.ErrorRate > st.ErrorRateIncrease {
		return fmt.Sprintf("error rate: canary %.4f (%d of %d executions) vs stable %.4f (%d of %d): an increase of %.4f, above %.4f",
			canary.ErrorRate, canary.Errors, canary.Executions, stable.ErrorRate, stable.Errors, stable.Executions,
			canary.ErrorRate-stable.ErrorRate, st.ErrorRateIncrease)
	}
	if st.P99Increase > 0 && stable.Executions > 0 && stable.P99MS > 0 && canary.P99MS > st.P99Increase*stable.P99MS {
		return fmt.Sprintf("p99: canary %.3f ms vs stable %.3f ms (%d and %d executions): %.2fx, above %gx",
			canary.P99MS, stable.P99MS, canary.Executions, stable.Executions, canary.P99MS/stable.P99MS, st.P99Increase)
	}
	return ""
}

// Rollback returns the rollback in force, if any.
func (m *Manager) Rollback() *Rollback {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rb == nil {
		return nil
	}
	c := *m.rb
	return &c
}

// SetRollback puts rb in force (nil ends it) and writes it down.
func (m *Manager) SetRollback(rb *Rollback) {
	m.mu.Lock()
	m.rb = rb
	m.save()
	m.mu.Unlock()
	m.onChange()
}

// Applied records that commit serves now; it returns the commits applied, oldest first.
func (m *Manager) Applied(commit string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if commit != "" && (len(m.applied) == 0 || m.applied[len(m.applied)-1] != commit) {
		m.applied = append(m.applied, commit)
		if len(m.applied) > MaxApplied {
			m.applied = m.applied[len(m.applied)-MaxApplied:]
		}
		m.save()
	}
	return slices.Clone(m.applied)
}
