package sync

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/prepare"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync/rollout"
)

// CommitReader reads the repository at an earlier commit of the deploy branch. Implemented by
// *gitstore.Store; rollbacks and the stable revisions of rollouts need it.
type CommitReader interface {
	SnapshotAt(ctx context.Context, commit string) (*gitstore.Snapshot, error)
}

// Conditions of rollouts and rollbacks, shown only while they hold.
const (
	// ConditionRolloutAborted is True while a rollout stays aborted: its message has the numbers.
	ConditionRolloutAborted = "RolloutAborted"
	// ConditionDrifted is True while a rollback serves an earlier commit than the branch's head.
	ConditionDrifted = "Drifted"
)

// servedRevision is the revision of an action the serving generation runs (its canary, when under
// rollout): what a new commit's revision is compared with.
type servedRevision struct {
	id, commit, version string
}

// identity identifies what a rollout compares between revisions: the action's code (but its
// action.yaml, whose rollout:, timeout or secret names are not a new revision), its npm
// dependencies and bundle, and its module pins.
func identity(as *runner.ActionSpec) string {
	h := sha256.New()
	w := func(ss ...string) {
		for _, s := range ss {
			var n [8]byte
			binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
			h.Write(n[:])
			h.Write([]byte(s))
		}
	}
	src := func(s runner.Source) {
		w(s.Entry)
		for _, f := range slices.Sorted(maps.Keys(s.Files)) {
			if f == "action.yaml" || f == "module.yaml" {
				continue
			}
			w(f, string(s.Files[f]))
		}
		for _, d := range slices.Sorted(maps.Keys(s.Dependencies)) {
			w("dep", d, s.Dependencies[d])
		}
		if s.Bundle != nil {
			w("bundle", s.Bundle.Key)
		}
	}
	src(as.Source)
	for _, m := range slices.Sorted(maps.Keys(as.Modules)) {
		if ms := as.Modules[m]; ms != nil {
			w("module", m, ms.Name, strconv.Itoa(ms.Version))
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// applyRollback replaces the head's snapshot with the rollback's commit while a rollback is in
// force and the head has not moved; a new head ends the rollback.
func (r *Reconciler) applyRollback(ctx context.Context, a *attempt) error {
	m := r.cfg.Rollouts
	if m == nil {
		return nil
	}
	rb := m.Rollback()
	if rb == nil {
		return nil
	}
	if rb.Head != a.snap.Commit {
		r.log.Info("a new commit ends the rollback", zap.String("rolled_back_to", rb.Commit), zap.String("head", a.snap.Commit))
		m.SetRollback(nil)
		return nil
	}
	cr, ok := r.cfg.Repository.(CommitReader)
	if !ok {
		return errors.New("rollback: the repository cannot be read at an earlier commit")
	}
	snap, err := cr.SnapshotAt(ctx, rb.Commit)
	if err != nil {
		return fmt.Errorf("rollback to %s: %w", rb.Commit, err)
	}
	a.snap, a.set, a.rb = snap, prepare.New(snap), rb
	a.warnings = append(diag.List{}, snap.Warnings...)
	a.moved = snap.MovedTags
	return nil
}

// planRollouts decides which actions of a.spec run a rollout, and adds their stable revisions to
// the spec (read at the stable commit, prepared as the head's are). A stable revision that cannot
// be prepared is a warning: the canary then serves all executions of its action.
func (r *Reconciler) planRollouts(ctx context.Context, a *attempt) {
	m := r.cfg.Rollouts
	a.rollouts, a.routed = map[string]*rollout.State{}, map[string]bool{}
	if m == nil || a.rb != nil {
		return
	}
	r.mu.Lock()
	served := r.servedRevs
	r.mu.Unlock()
	need := map[string][]string{} // stable commit -> actions
	now := time.Now()
	for _, name := range slices.Sorted(maps.Keys(a.snap.Actions)) {
		act, cs := a.snap.Actions[name], a.spec.Actions[name]
		if act.Rollout == nil || cs == nil {
			continue
		}
		id := identity(cs)
		prev := m.Peek(name)
		if prev != nil && prev.CanaryID == id {
			a.rollouts[name] = prev
			if prev.Phase != rollout.PhaseCompleted {
				need[prev.StableCommit] = append(need[prev.StableCommit], name)
			}
			continue
		}
		sv, ok := served[name]
		if !ok || sv.id == id {
			continue // a new action, the first generation, or a commit that leaves it as it is
		}
		stableCommit, stableVersion := sv.commit, sv.version
		if prev != nil && prev.Phase != rollout.PhaseCompleted && prev.CanaryID == sv.id {
			// The revision serving is itself a canary not yet trusted: the new one starts over
			// from the same stable revision.
			stableCommit, stableVersion = prev.StableCommit, prev.StableVersion
		}
		a.rollouts[name] = rollout.New(name, act.Rollout, stableCommit, stableVersion, a.snap.Commit, cs.Version, id, now)
		need[stableCommit] = append(need[stableCommit], name)
		r.log.Info("rollout starts", zap.String("action", name), zap.String("stable_commit", stableCommit),
			zap.String("canary_commit", a.snap.Commit), zap.Ints("steps", act.Rollout.Steps))
	}
	if len(need) == 0 {
		return
	}
	warn := func(names []string, format string, args ...any) {
		for _, name := range names {
			a.warnings = append(a.warnings, diag.Diagnostic{Object: "actions/" + name,
				Message: "rollout: " + fmt.Sprintf(format, args...) + ": the new revision serves every execution", Severity: diag.Warning})
		}
	}
	cr, ok := r.cfg.Repository.(CommitReader)
	for _, commit := range slices.Sorted(maps.Keys(need)) {
		names := need[commit]
		if !ok {
			warn(names, "the repository cannot be read at the stable commit %s", commit)
			continue
		}
		stable, err := r.stableSpecs(ctx, cr, a, commit, names)
		if err != nil {
			warn(names, "the stable revision at %s: %v", short(commit), err)
			continue
		}
		if a.spec.Stable == nil {
			a.spec.Stable = map[string]*runner.ActionSpec{}
		}
		for name, as := range stable {
			a.spec.Stable[name] = as
			a.routed[name] = true
		}
	}
}

// stableSpecs prepares names at commit: check, transform and install, as the head's actions.
func (r *Reconciler) stableSpecs(ctx context.Context, cr CommitReader, a *attempt, commit string, names []string) (map[string]*runner.ActionSpec, error) {
	snap, err := cr.SnapshotAt(ctx, commit)
	if err != nil {
		return nil, err
	}
	set := prepare.New(snap)
	var units []*prepare.Unit
	var present []string
	for _, name := range names {
		u := set.Action(name)
		if u == nil {
			continue // the action is new since: nothing to compare with
		}
		present = append(present, name)
		units = append(units, u)
		for mname, pin := range snap.Actions[name].Modules {
			if mu := set.Version(mname, pin.Version); mu != nil {
				units = append(units, mu)
			}
		}
	}
	var errs diag.List
	for _, u := range units {
		errs = append(errs, set.Transform(&r.transformer, u)...)
		if r.cfg.Dependencies != nil && u.Declares() {
			if err := prepare.Install(ctx, r.cfg.Dependencies, u); err != nil {
				return nil, fmt.Errorf("%s: installing npm dependencies: %w", u.Object, err)
			}
		}
	}
	if len(errs) > 0 {
		return nil, problems(errs)
	}
	spec := set.Spec(prepare.SpecOptions{Actions: present, Secrets: a.secretValues})
	return spec.Actions, nil
}

// short is a commit's first 12 characters.
func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// rolloutStatus adds the rollouts, the drift and their conditions to st. r.mu is held.
func (r *Reconciler) rolloutStatus(st *Status) {
	m := r.cfg.Rollouts
	if m == nil {
		return
	}
	st.Rollouts = m.List()
	var aborted []string
	var since time.Time
	for _, ro := range st.Rollouts {
		if ro.Phase == rollout.PhaseAborted {
			aborted = append(aborted, fmt.Sprintf("%s: canary %s aborted, stable %s serves: %s", ro.Action, short(ro.CanaryVersion), short(ro.StableVersion), ro.Reason))
			if ro.StepSince.After(since) {
				since = ro.StepSince
			}
		}
	}
	if len(aborted) > 0 {
		st.Conditions = append(st.Conditions, Condition{Type: ConditionRolloutAborted, Status: "True", Reason: "ThresholdCrossed",
			Message: strings.Join(aborted, "; "), Since: since})
	}
	if rb := m.Rollback(); rb != nil {
		st.Drift = "drifted from git: rolled back to " + rb.Commit
		st.Conditions = append(st.Conditions, Condition{Type: ConditionDrifted, Status: "True", Reason: "RolledBack",
			Message: fmt.Sprintf("%s (the branch's head is %s) until the next commit", st.Drift, rb.Head), Since: rb.At})
	}
}

// Rollback errors.
var (
	ErrNoRollback       = errors.New("rollback is not available: no rollout state is configured")
	ErrNothingToRollTo  = errors.New("no earlier applied commit to roll back to")
	ErrRollbackNotKnown = errors.New("not a commit this daemon can serve")
)

// Rollback serves commit (a full hash, or a prefix of an applied commit; "": the commit applied
// before the one serving) instead of the branch's head, at once, until the next commit arrives.
// It returns the status after the reconcile that swaps it in.
func (r *Reconciler) Rollback(ctx context.Context, to string) (Status, error) {
	m := r.cfg.Rollouts
	if m == nil {
		return r.Status(), ErrNoRollback
	}
	r.mu.Lock()
	head := r.head
	var current string
	if r.status.Applied != nil {
		current = r.status.Applied.Commit
	}
	r.mu.Unlock()
	applied := m.Applied("")
	target := ""
	switch {
	case to == "":
		for i := len(applied) - 1; i >= 0; i-- {
			if applied[i] != current && applied[i] != head {
				target = applied[i]
				break
			}
		}
		if target == "" {
			return r.Status(), ErrNothingToRollTo
		}
	default:
		for i := len(applied) - 1; i >= 0; i-- {
			if strings.HasPrefix(applied[i], to) {
				target = applied[i]
				break
			}
		}
		if target == "" {
			target = to
		}
		if cr, ok := r.cfg.Repository.(CommitReader); !ok {
			return r.Status(), ErrNoRollback
		} else if _, err := cr.SnapshotAt(ctx, target); err != nil {
			return r.Status(), fmt.Errorf("%q: %w: %v", to, ErrRollbackNotKnown, err)
		}
	}
	if target == head {
		m.SetRollback(nil) // "rolling back" to the head is the end of a rollback
		return r.Sync(ctx)
	}
	m.SetRollback(&rollout.Rollback{Commit: target, Head: head, At: time.Now()})
	st, err := r.Sync(ctx)
	if err != nil {
		return st, err
	}
	if st.Applied == nil || st.Applied.Commit != target {
		// The commit did not deploy (its content, its secrets): what served keeps serving, and
		// the status says why; no drift is claimed.
		m.SetRollback(nil)
		return r.Status(), fmt.Errorf("%w: %s did not deploy: %s", ErrRollbackFailed, short(target), problemsText(st))
	}
	return st, nil
}

// ErrRollbackFailed is a rollback whose commit did not deploy.
var ErrRollbackFailed = errors.New("rollback failed")

// problemsText is the first error of a status, for an error message.
func problemsText(st Status) string {
	if len(st.Errors) == 0 {
		return "see the status"
	}
	msg := st.Errors[0].Error()
	if len(st.Errors) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(st.Errors)-1)
	}
	return msg
}
