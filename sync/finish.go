package sync

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/diag"
)

// finish records the outcome of an attempt in the status and the log.
func (r *Reconciler) finish(a *attempt, err error, start time.Time) {
	now := time.Now()
	if a.skipped {
		r.mu.Lock()
		if a.statuses != nil { // the secrets were read again, to the same versions
			r.status.Secrets = a.statuses
		}
		r.status.Conditions = setCondition(r.status.Conditions, Condition{Type: ConditionReconciling, Status: "False", Reason: "Idle"}, now)
		r.metrics.conditions.WithLabelValues(ConditionReconciling).Set(0)
		r.mu.Unlock()
		return
	}
	errs := problemsOf(err)

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
	st.Attempted = &Revision{Commit: commit, At: now, Result: result, Step: a.step}
	st.Errors = errs
	st.Warnings = append(diag.List{}, a.warnings...)
	if a.statuses != nil {
		st.Secrets = a.statuses
	}
	if err == nil {
		st.Applied = &Revision{Commit: commit, At: now}
		st.Generation = a.spec.Generation
		st.Ready = true
		r.metrics.swaps.Inc()
		r.metrics.generation.Set(float64(a.spec.Generation))
		r.metrics.applied.Reset()
		r.metrics.applied.WithLabelValues(a.snap.Branch, commit).Set(1)
		r.metrics.appliedAt.Set(float64(now.UnixNano()) / 1e9)
		r.metrics.duration.WithLabelValues(resultApplied).Observe(now.Sub(start).Seconds())
	} else {
		r.metrics.failures.WithLabelValues(a.step).Inc()
		r.metrics.duration.WithLabelValues(resultFailed).Observe(now.Sub(start).Seconds())
	}
	if a.snap != nil {
		st.Actions, st.Modules = r.safeObjects(a, errs)
	}
	r.updateConditions(st, a.step, err, a.moved, now)

	fields := []zap.Field{zap.String("commit", commit), zap.Duration("duration", time.Since(start))}
	if err != nil {
		r.log.Error("reconcile failed; "+r.servingNote(), append(fields, r.servingField(), zap.Int("problems", len(errs)), zap.Error(err))...)
		return
	}
	for _, w := range a.warnings {
		r.log.Warn("repository warning", zap.String("object", w.Object), zap.String("warning", w.Error()))
	}
	r.log.Info("generation swapped in", append(fields, zap.Int64("generation", a.spec.Generation), zap.Int("actions", len(a.spec.Actions)))...)
}

// safeObjects is objects, or none (logged) if building the report panics: the status is a report,
// and a bug in it must not stop the daemon.
func (r *Reconciler) safeObjects(a *attempt, errs diag.List) (actions, modules []ObjectStatus) {
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("building the objects' status panicked: a bug", zap.String("panic", panicText(p)), zap.Stack("stack"))
			actions, modules = nil, nil
		}
	}()
	return r.objects(a, errs)
}

// objects reports the state of every action and pinned module version of the attempted snapshot.
// r.mu is held.
func (r *Reconciler) objects(a *attempt, errs diag.List) (actions, modules []ObjectStatus) {
	byObject := map[string][]string{}
	for _, p := range errs {
		if p.Object != "" {
			byObject[p.Object] = append(byObject[p.Object], p.Error())
		}
	}
	warnings := map[string][]string{} // by "modules/<name>" or "modules/<name>@v<N>"
	for _, w := range a.warnings {
		if w.Object != "" {
			warnings[w.Object] = append(warnings[w.Object], w.Error())
		}
	}
	// An object serves when the serving generation runs it: this attempt's, when it was applied
	// (swap set served and servedModules from its spec), else the previous one.
	state := func(object string, serving bool) (string, []string) {
		if errs := byObject[object]; len(errs) > 0 {
			return StateFailed, errs
		}
		if serving {
			return StateServing, nil
		}
		return StateNotBuilt, nil
	}
	deps := map[string]map[string]string{} // by object: package -> locked version
	for _, u := range a.set.Deployed() {
		if !u.Declares() {
			continue
		}
		m := make(map[string]string, len(u.Source.Dependencies))
		for pkg, spec := range u.Source.Dependencies {
			m[pkg] = spec
			if u.Lock != nil && u.Lock.Owners[u.Owner] != nil {
				if v := u.Lock.Owners[u.Owner].Dependencies[pkg]; v != "" {
					m[pkg] = v
				}
			}
		}
		deps[u.Object] = m
	}
	order := map[string]int{} // action -> its place in its trigger's list
	if a.snap.Triggers != nil {
		for trig, list := range a.snap.Triggers.Bindings {
			for i, b := range list {
				if act := a.snap.Actions[b.Action]; act != nil && act.Trigger == trig {
					order[b.Action] = i + 1
				}
			}
		}
	}
	for _, act := range a.snap.Actions {
		object := "actions/" + act.Name
		v, ok := r.served[act.Name]
		s, errs := state(object, ok && v == act.Version)
		var pins map[string]string
		if len(act.Modules) > 0 {
			pins = make(map[string]string, len(act.Modules))
			for m, pin := range act.Modules {
				pins[m] = fmt.Sprintf("v%d", pin.Version)
			}
		}
		actions = append(actions, ObjectStatus{Name: act.Name, Version: act.Version, Trigger: act.Trigger, Order: order[act.Name],
			Pins: pins, State: s, Errors: errs, Dependencies: deps[object]})
	}
	for name, vs := range a.snap.Modules {
		for n, v := range vs.Versions {
			object := fmt.Sprintf("modules/%s@v%d", name, n)
			s, errs := state(object, r.servedModules[object]) // a version no action pins is not built
			os := ObjectStatus{Name: name, Version: fmt.Sprintf("v%d", n), State: s, Errors: errs,
				Tag: v.Tag, Commit: v.Commit, Tree: v.Tree, Moved: v.Moved, Deleted: v.Deleted, Unrecorded: v.Unrecorded,
				Dependencies: deps[object]}
			tag := "tag " + v.Tag + " "
			for _, w := range warnings["modules/"+name] {
				if strings.Contains(w, tag) || strings.Contains(w, fmt.Sprintf(": v%d ", n)) {
					os.Warnings = append(os.Warnings, w)
				}
			}
			modules = append(modules, os)
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
