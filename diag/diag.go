// Package diag is the one description of a problem found at a place: what it is about (an
// action, a module version, triggers.yaml), where (a file of the repository, a line and a
// column, a field, the tag it was read from), how bad it is, and what is wrong. Every step that
// checks a repository (reading git, validating, resolving, building) reports its problems as
// Diagnostics, and every front end (the daemon's status, validate, invoke) shows them as they
// are. It knows nothing of where a problem came from.
package diag

import (
	"errors"
	"fmt"
	"strings"
)

// Severity says whether a diagnostic stops what it is about (Error) or only informs (Warning).
type Severity uint8

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Pos is a place in the repository. Its zero value is no place.
type Pos struct {
	// Ref is the tag the file was read from ("modules/logger/v1") when it is not the deploy
	// branch's HEAD; String writes it as git does, "modules/logger/v1:modules/logger/module.yaml".
	Ref  string `json:"ref,omitempty"`
	File string `json:"file,omitempty"` // repository-relative path
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// String writes the place as compilers do: "file", "file:line" or "file:line:col", behind
// "ref:" when there is a ref.
func (p Pos) String() string {
	file := p.File
	if p.Ref != "" {
		file = p.Ref + ":" + file
	}
	switch {
	case p.Line == 0:
		return file
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", file, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", file, p.Line, p.Col)
}

// Diagnostic is one problem at one place. Its JSON form is the status API's:
// {"object", "ref", "file", "line", "col", "field", "message"}, empty members left out.
type Diagnostic struct {
	Object string `json:"object,omitempty"` // "actions/log-login", "modules/logger@v2", "triggers.yaml"
	Pos
	Field   string `json:"field,omitempty"` // the YAML field at fault ("dependencies.axios"), if any
	Message string `json:"message"`
	// Source is the text of the line at fault, when known, for a front end to show under the
	// message with a caret at Col, as `node --check` does.
	Source   string   `json:"source,omitempty"`
	Severity Severity `json:"-"`
}

// At returns an error diagnostic about object at pos.
func At(object string, pos Pos, field, format string, args ...any) Diagnostic {
	return Diagnostic{Object: object, Pos: pos, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Warn returns d as a warning.
func (d Diagnostic) Warn() Diagnostic {
	d.Severity = Warning
	return d
}

// Error writes "pos: field: message", leaving out what is empty.
func (d Diagnostic) Error() string {
	msg := d.Message
	if d.Field != "" {
		msg = d.Field + ": " + msg
	}
	if d.File == "" {
		return msg
	}
	return d.Pos.String() + ": " + msg
}

// List is the diagnostics of one piece of work, as an error: the first and how many more.
type List []Diagnostic

func (l List) Error() string {
	switch len(l) {
	case 0:
		return "no problems"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more)", l[0].Error(), len(l)-1)
}

// Errors returns the error diagnostics of l, in order.
func (l List) Errors() List { return l.filter(Error) }

// Warnings returns the warnings of l, in order.
func (l List) Warnings() List { return l.filter(Warning) }

func (l List) filter(s Severity) List {
	var out List
	for _, d := range l {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// String writes one diagnostic a line.
func (l List) String() string {
	var b strings.Builder
	for _, d := range l {
		b.WriteString(d.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

// As returns the diagnostics err carries (a List or a Diagnostic, wrapped or not), and whether
// it carries any.
func As(err error) (List, bool) {
	var l List
	if errors.As(err, &l) {
		return l, true
	}
	var d Diagnostic
	if errors.As(err, &d) {
		return List{d}, true
	}
	return nil, false
}
