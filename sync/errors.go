package sync

import (
	"errors"
	"fmt"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/prepare"
)

// ContentError is a reconcile that failed on the commit's content — its files, the references
// between them, its lock, its code, a signature — which only a change of the repository fixes:
// the refs that failed are not tried again until they move, and the status says Stalled.
type ContentError struct{ Err error }

func (e *ContentError) Error() string { return e.Err.Error() }
func (e *ContentError) Unwrap() error { return e.Err }

// TransientError is a reconcile that failed on something outside the commit — the remote, the git
// mirror, an npm registry, the secrets backend — which may pass by itself: the next poll or
// signal tries again (the poll interval is the back-off), and the status says Degraded with
// Reason, or a generic reason when Reason is "".
type TransientError struct {
	Reason string // "FetchFailed", "SecretsUnavailable" or ""
	Err    error
}

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// Degraded reasons that a TransientError may carry.
const (
	ReasonFetchFailed        = "FetchFailed"
	ReasonSecretsUnavailable = "SecretsUnavailable"
)

// content marks err as a ContentError; nil stays nil.
func content(err error) error {
	if err == nil {
		return nil
	}
	return &ContentError{Err: err}
}

// transient returns a func that marks an error as a TransientError with reason; nil stays nil.
func transient(reason string) func(error) error {
	return func(err error) error {
		if err == nil {
			return nil
		}
		return &TransientError{Reason: reason, Err: err}
	}
}

// isContent reports whether err is a ContentError: the attempt is not retried until the refs move.
func isContent(err error) bool {
	var ce *ContentError
	return errors.As(err, &ce)
}

// transientReason is the Degraded reason err names, "" when none.
func transientReason(err error) string {
	var te *TransientError
	if errors.As(err, &te) {
		return te.Reason
	}
	return ""
}

// problems are the diagnostics of a failed step, as its error; diag.As finds them.
type problems diag.List

func (p problems) Error() string {
	if len(p) == 1 {
		return p[0].Error()
	}
	return fmt.Sprintf("%s (and %d more problems)", p[0].Error(), len(p)-1)
}

func (p problems) Unwrap() error { return diag.List(p) }

// buildError is a failed build: its diagnostics at the repository's files, and the error's text
// as it always read — the runner's, or when a transformed file was renamed (a .ts that loaded as
// .js), the diagnostics', which name the repository's file.
type buildError struct {
	text  string
	diags diag.List
}

func (e *buildError) Error() string { return e.text }
func (e *buildError) Unwrap() error { return e.diags }

// buildFailed is the error of runner.Build's err, for the units of set.
func buildFailed(err error, set *prepare.Set) error {
	e := &buildError{text: err.Error(), diags: set.BuildErrors(err)}
	if len(set.Renamed) > 0 {
		e.text = problems(e.diags).Error()
	}
	return e
}

// problemsOf flattens a reconcile error into diagnostics: those it carries, else its text.
func problemsOf(err error) diag.List {
	if err == nil {
		return diag.List{}
	}
	if l, ok := diag.As(err); ok {
		return append(diag.List{}, l...)
	}
	return diag.List{{Message: err.Error()}}
}
