package sync

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/runner"
)

// finish records the outcome of an attempt in the status and the log.
func (r *Reconciler) finish(a *attempt, err error, start time.Time) {
	if a.skipped {
		return
	}
	now := time.Now()
	problems := problemsOf(err)

	r.mu.Lock()
	defer r.mu.Unlock()
	st := &r.status
	commit := ""
	if a.snap != nil {
		commit = a.snap.Commit
	}
	result := "applied"
	if err != nil {
		result = "failed"
	}
	st.Attempted = &Revision{Commit: commit, At: now, Result: result}
	st.Errors = problems
	st.Warnings = append([]Problem{}, a.warnings...)
	if a.statuses != nil {
		st.Secrets = a.statuses
	}
	if err == nil {
		st.Applied = &Revision{Commit: commit, At: now}
		st.Generation = a.spec.Generation
		st.Ready = true
	}
	if a.snap != nil {
		st.Actions, st.Modules = r.objects(a, problems, err == nil)
	}

	fields := []zap.Field{zap.String("commit", commit), zap.Duration("duration", time.Since(start))}
	if err != nil {
		r.log.Error("reconcile failed; the previous generation keeps serving", append(fields, zap.Int("problems", len(problems)), zap.Error(err))...)
		return
	}
	for _, w := range a.warnings {
		r.log.Warn("repository warning", zap.String("object", w.Object), zap.String("warning", w.Error()))
	}
	r.log.Info("generation swapped in", append(fields, zap.Int64("generation", a.spec.Generation), zap.Int("actions", len(a.spec.Actions)))...)
}

// problemsOf flattens a reconcile error into problems.
func problemsOf(err error) []Problem {
	if err == nil {
		return []Problem{}
	}
	var pe problemsError
	if errors.As(err, &pe) {
		return append([]Problem{}, pe...)
	}
	var be *runner.BuildError
	if errors.As(err, &be) {
		return fromBuild(be)
	}
	return []Problem{{Message: err.Error()}}
}

// objects reports the state of every action and pinned module version of the attempted snapshot.
// r.mu is held.
func (r *Reconciler) objects(a *attempt, problems []Problem, applied bool) (actions, modules []ObjectStatus) {
	byObject := map[string][]string{}
	for _, p := range problems {
		if p.Object != "" {
			byObject[p.Object] = append(byObject[p.Object], p.Error())
		}
	}
	state := func(object string, servingNow bool) (string, []string) {
		if errs := byObject[object]; len(errs) > 0 {
			return StateFailed, errs
		}
		if applied || servingNow {
			return StateServing, nil
		}
		return StateNotBuilt, nil
	}
	for _, act := range a.snap.Actions {
		object := "actions/" + act.Name
		v, ok := r.served[act.Name]
		s, errs := state(object, ok && v == act.Version)
		actions = append(actions, ObjectStatus{Name: act.Name, Version: act.Version, Trigger: act.Trigger, State: s, Errors: errs})
	}
	for name, vs := range a.snap.Modules {
		for n := range vs.Versions {
			object := fmt.Sprintf("modules/%s@v%d", name, n)
			s, errs := state(object, false)
			if !applied && len(errs) == 0 {
				s = "" // a version's state is only known once a generation is built
			}
			modules = append(modules, ObjectStatus{Name: name, Version: fmt.Sprintf("v%d", n), State: s, Errors: errs})
		}
	}
	sort.Slice(actions, func(i, j int) bool { return actions[i].Name < actions[j].Name })
	sort.Slice(modules, func(i, j int) bool {
		if modules[i].Name != modules[j].Name {
			return modules[i].Name < modules[j].Name
		}
		return modules[i].Version < modules[j].Version
	})
	return actions, modules
}
