package runner

import (
	"fmt"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/runner/wire"
)

// The document an execution returns (SPEC §4) is wire's: its types live with their encoder. They
// are named here too because Generation's methods return them and every caller reads them as the
// runner's results.
type (
	Result          = wire.Result
	ActionResult    = wire.ActionResult
	Error           = wire.Error
	Command         = wire.Command
	Effects         = wire.Effects
	Access          = wire.Access
	Redirect        = wire.Redirect
	ValidationError = wire.ValidationError
	Notification    = wire.Notification
	Multifactor     = wire.Multifactor
)

// Outcomes of an execution.
const (
	OutcomeSuccess  = wire.OutcomeSuccess
	OutcomeDenied   = wire.OutcomeDenied
	OutcomeRedirect = wire.OutcomeRedirect
	OutcomeFailed   = wire.OutcomeFailed
)

// BuildError says why a generation could not be built: one diagnostic per failing action or
// module, each with the repository-relative file and line at fault where known. It unwraps to
// its Problems, so that diag.As finds them.
type BuildError struct {
	Problems diag.List
}

func (e *BuildError) Error() string {
	if len(e.Problems) == 1 {
		return problemText(e.Problems[0])
	}
	return fmt.Sprintf("%s (and %d more)", problemText(e.Problems[0]), len(e.Problems)-1)
}

// Unwrap returns the problems.
func (e *BuildError) Unwrap() error { return e.Problems }

// problemText is how a build problem reads in BuildError's message: the object, then the file,
// line and column as Error.Error writes them.
func problemText(d diag.Diagnostic) string {
	e := Error{Message: d.Message, File: d.File, Line: d.Line, Col: d.Col}
	return d.Object + ": " + e.Error()
}

// problemAt is the build problem e of object.
func problemAt(object string, e Error) diag.Diagnostic {
	return diag.Diagnostic{Object: object, Pos: diag.Pos{File: e.File, Line: e.Line, Col: e.Col}, Message: e.Message}
}
