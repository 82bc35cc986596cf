package sync

import (
	"errors"
	"fmt"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/runner"
)

// Problem is an error or warning of a reconcile, with the repository file and position at fault.
type Problem struct {
	Object  string `json:"object,omitempty"` // "actions/log-login", "modules/logger@v2", "triggers.yaml"
	Ref     string `json:"ref,omitempty"`    // the tag the file was read from, when not the deploy branch
	File    string `json:"file,omitempty"`   // repository-relative
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (p Problem) Error() string {
	pos := ""
	if p.File != "" {
		pos = gitstore.Pos{Ref: p.Ref, File: p.File, Line: p.Line, Col: p.Col}.String()
	}
	msg := p.Message
	if p.Field != "" {
		msg = p.Field + ": " + msg
	}
	if pos == "" {
		return msg
	}
	return pos + ": " + msg
}

func fromGit(object string, gp gitstore.Problem) Problem {
	return Problem{Object: object, Ref: gp.Ref, File: gp.File, Line: gp.Line, Col: gp.Col, Field: gp.Field, Message: gp.Message}
}

func at(pos gitstore.Pos, object, field, format string, args ...any) Problem {
	return Problem{Object: object, Ref: pos.Ref, File: pos.File, Line: pos.Line, Col: pos.Col, Field: field, Message: fmt.Sprintf(format, args...)}
}

// fromBuild turns a runner build failure into problems; any other error becomes one problem.
func fromBuild(err error) []Problem {
	var be *runner.BuildError
	if !errors.As(err, &be) {
		return []Problem{{Message: err.Error()}}
	}
	out := make([]Problem, 0, len(be.Problems))
	for _, p := range be.Problems {
		out = append(out, Problem{Object: p.Object, File: p.File, Line: p.Line, Col: p.Col, Message: p.Message})
	}
	return out
}

// problemsError reports the problems of a failed reconcile as one error.
type problemsError []Problem

func (e problemsError) Error() string {
	if len(e) == 1 {
		return e[0].Error()
	}
	return fmt.Sprintf("%s (and %d more problems)", e[0].Error(), len(e)-1)
}
