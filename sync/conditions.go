package sync

import (
	"fmt"
	"strings"
	"time"

	"github.com/actionsd/actionsd/diag"
)

// Condition types, in the style of Flux and Argo CD.
const (
	// ConditionReady is True when a generation serves the last commit attempted.
	ConditionReady = "Ready"
	// ConditionReconciling is True while a reconcile runs.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True when the last commit attempted cannot deploy as it is (its content,
	// a signature): it is not retried until something changes.
	ConditionStalled = "Stalled"
	// ConditionDegraded is True when the daemon serves, but not all is well: the last attempt
	// failed (an older commit serves), the repository or the secrets could not be read, or a
	// version tag moved.
	ConditionDegraded = "Degraded"
)

// Condition is one aspect of the status.
type Condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"` // "True" or "False"
	Reason  string `json:"reason"`
	Message string `json:"message,omitempty"`
	// Since is when Status last changed.
	Since time.Time `json:"last_transition_time"`
}

// setCondition sets c in list, keeping its Since when Status is unchanged. r.mu is held.
func setCondition(list []Condition, c Condition, now time.Time) []Condition {
	for i := range list {
		if list[i].Type == c.Type {
			c.Since = list[i].Since
			if list[i].Status != c.Status || c.Since.IsZero() {
				c.Since = now
			}
			list[i] = c
			return list
		}
	}
	c.Since = now
	return append(list, c)
}

// Condition returns the condition of type t, or a zero Condition.
func (s Status) Condition(t string) Condition {
	for _, c := range s.Conditions {
		if c.Type == t {
			return c
		}
	}
	return Condition{}
}

// updateConditions derives the four conditions after an attempt that ended with err in step: the
// kind of err (ContentError, TransientError) decides Stalled and Degraded. moved are the attempt's
// warnings about version tags that moved. r.mu is held.
func (r *Reconciler) updateConditions(st *Status, step string, err error, moved diag.List, now time.Time) {
	short := func(c string) string {
		if len(c) > 12 {
			return c[:12]
		}
		return c
	}
	serving := st.Applied != nil && st.Ready
	attempted := ""
	if st.Attempted != nil {
		attempted = st.Attempted.Commit
	}
	// Ready
	ready := Condition{Type: ConditionReady}
	switch {
	case err == nil && serving:
		ready.Status, ready.Reason = "True", "Applied"
		ready.Message = fmt.Sprintf("serving commit %s (generation %d)", short(st.Applied.Commit), st.Generation)
	case !serving:
		ready.Status, ready.Reason = "False", "NotServing"
		ready.Message = "no generation serves yet"
		if err != nil {
			ready.Message += ": " + firstLine(err)
		}
	default:
		ready.Status, ready.Reason = "False", "ReconcileFailed"
		ready.Message = fmt.Sprintf("%s failed; still serving commit %s: %s", step, short(st.Applied.Commit), firstLine(err))
	}
	st.Conditions = setCondition(st.Conditions, ready, now)

	st.Conditions = setCondition(st.Conditions, Condition{Type: ConditionReconciling, Status: "False", Reason: "Idle"}, now)

	stalled := Condition{Type: ConditionStalled, Status: "False", Reason: "AsExpected"}
	if err != nil && isContent(err) {
		stalled.Status, stalled.Reason = "True", "InvalidRevision"
		stalled.Message = fmt.Sprintf("commit %s cannot deploy (%s): %s; it is not retried until the repository changes", short(attempted), step, firstLine(err))
	}
	st.Conditions = setCondition(st.Conditions, stalled, now)

	degraded := Condition{Type: ConditionDegraded, Status: "False", Reason: "AsExpected"}
	switch reason := transientReason(err); {
	case reason != "":
		degraded.Status, degraded.Reason, degraded.Message = "True", reason, firstLine(err)
	case err != nil && serving:
		degraded.Status, degraded.Reason = "True", "ServingPrevious"
		degraded.Message = fmt.Sprintf("commit %s failed; commit %s keeps serving", short(attempted), short(st.Applied.Commit))
	case err != nil:
		degraded.Status, degraded.Reason, degraded.Message = "True", "ReconcileFailed", firstLine(err)
	case len(moved) > 0:
		degraded.Status, degraded.Reason = "True", "VersionTagMoved"
		degraded.Message = moved[0].Error()
	}
	st.Conditions = setCondition(st.Conditions, degraded, now)
	for _, c := range st.Conditions {
		v := 0.0
		if c.Status == "True" {
			v = 1
		}
		r.metrics.conditions.WithLabelValues(c.Type).Set(v)
	}
}

func firstLine(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
