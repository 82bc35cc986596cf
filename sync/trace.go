package sync

import (
	"context"
	"errors"
)

// Tracer records reconciles and their steps as spans. Config.Tracer nil (tracing off) records
// nothing. internal/tracing implements it with OpenTelemetry.
//
// Each Start returns the context its span lives in, which the reconcile (or the step) runs with,
// and the function that ends the span. A Tracer is told names, commits and outcomes only, never
// an error's text: a reconcile's errors are in the status and the log.
type Tracer interface {
	// StartReconcile begins the span of one reconcile; end is called once, with the commit it
	// read ("" before the snapshot), the generation it swapped in (0: none), its result
	// ("applied", "failed" or "unchanged") and, when it failed, the step that failed.
	StartReconcile(ctx context.Context) (context.Context, func(commit string, generation int64, result, failedStep string))
	// StartStep begins the span of one step of a reconcile (fetch, snapshot, validate, resolve,
	// install, secrets, build, swap), a child of the reconcile's; end is called once, with the
	// step's result ("ok", "skipped", "content" or "transient").
	StartStep(ctx context.Context, name string) (context.Context, func(result string))
}

// stepResult classifies a step's error for Tracer.StartStep's end.
func stepResult(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, errSkip):
		return "skipped"
	case isContent(err):
		return "content"
	}
	return "transient"
}

// traced is what a reconcile's span ends with: the commit read, the generation swapped in, the
// result and the failed step.
func (a *attempt) traced(err error) (commit string, generation int64, result, failedStep string) {
	if a.snap != nil {
		commit = a.snap.Commit
	}
	switch {
	case a.skipped:
		return commit, 0, resultUnchanged, ""
	case err != nil:
		return commit, 0, resultFailed, a.step
	}
	return commit, a.spec.Generation, resultApplied, ""
}
