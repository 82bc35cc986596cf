package review

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/actionsd/actionsd/diag"
)

// Formats Render writes.
const (
	FormatText     = "text"
	FormatMarkdown = "markdown"
	FormatJSON     = "json"
)

// Formats lists the formats Render accepts.
var Formats = []string{FormatText, FormatMarkdown, FormatJSON}

// Render writes r in format.
func Render(w io.Writer, r *Report, format string) error {
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(jsonReport(r))
	case FormatMarkdown:
		_, err := io.WriteString(w, Markdown(r))
		return err
	case FormatText, "":
		_, err := io.WriteString(w, Text(r))
		return err
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

func revision(rv Revision) string {
	if rv.Commit == "" {
		return rv.Ref
	}
	return fmt.Sprintf("%s (%s)", rv.Ref, short(rv.Commit))
}

func lines(added, removed int) string { return fmt.Sprintf("+%d -%d", added, removed) }

func pins(ps []PinChange) string {
	var parts []string
	for _, p := range ps {
		switch {
		case p.Before == 0:
			parts = append(parts, fmt.Sprintf("%s v%d", p.Module, p.After))
		case p.After == 0:
			parts = append(parts, fmt.Sprintf("%s v%d dropped", p.Module, p.Before))
		default:
			parts = append(parts, fmt.Sprintf("%s v%d → v%d", p.Module, p.Before, p.After))
		}
	}
	return strings.Join(parts, ", ")
}

func list(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

func version(declared, locked string) string {
	switch {
	case declared == "":
		return "-"
	case locked == "" || locked == declared:
		if locked == "" {
			return declared + " (not locked)"
		}
		return declared
	}
	return fmt.Sprintf("%s (locked %s)", declared, locked)
}

func vault(in *bool) string {
	switch {
	case in == nil:
		return ""
	case *in:
		return "present in Vault"
	}
	return "missing in Vault"
}

func (r *Report) empty() bool {
	return len(r.Actions)+len(r.Bindings)+len(r.Modules)+len(r.Dependencies)+len(r.Secrets) == 0
}

func (r *Report) verdict() string {
	if r.Valid {
		return fmt.Sprintf("valid, %d %s", len(r.Warnings), plural(len(r.Warnings), "warning"))
	}
	return fmt.Sprintf("%d %s, %d %s", len(r.Errors), plural(len(r.Errors), "error"), len(r.Warnings), plural(len(r.Warnings), "warning"))
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// Text is the report for a terminal.
func Text(r *Report) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "actionsd validate: %s → %s: %s\n", revision(r.Base), revision(r.Head), r.verdict())
	if r.empty() {
		b.WriteString("\nNo changes to actions, bindings, module drafts, dependencies or secrets.\n")
	}
	if len(r.Actions) > 0 {
		b.WriteString("\nActions:\n")
		for _, a := range r.Actions {
			fmt.Fprintf(&b, "  %-8s %s (%s) %s", a.Change, a.Name, a.Trigger, lines(a.LinesAdded, a.LinesRemoved))
			if len(a.Pins) > 0 {
				fmt.Fprintf(&b, "; modules: %s", pins(a.Pins))
			}
			b.WriteString("\n")
		}
	}
	if len(r.Bindings) > 0 {
		b.WriteString("\nBindings:\n")
		for _, c := range r.Bindings {
			fmt.Fprintf(&b, "  %s: %s → %s\n", c.Trigger, list(c.Before), list(c.After))
		}
	}
	if len(r.Modules) > 0 {
		b.WriteString("\nModule drafts:\n")
		for _, m := range r.Modules {
			change := m.Change
			if change == "" {
				change = "recorded"
			}
			fmt.Fprintf(&b, "  %-8s %s %s: %s\n", change, m.Name, lines(m.LinesAdded, m.LinesRemoved), m.Summary)
		}
	}
	if len(r.Dependencies) > 0 {
		b.WriteString("\nDependencies:\n")
		for _, d := range r.Dependencies {
			fmt.Fprintf(&b, "  %-8s %s %s: %s → %s\n", d.Change, d.Owner, d.Package, version(d.Before, d.LockedBefore), version(d.After, d.LockedAfter))
		}
	}
	if len(r.Secrets) > 0 {
		b.WriteString("\nSecrets (names only):\n")
		for _, s := range r.Secrets {
			fmt.Fprintf(&b, "  %-8s %s %s", s.Change, s.Owner, s.Name)
			if v := vault(s.InVault); v != "" {
				fmt.Fprintf(&b, " (%s)", v)
			}
			b.WriteString("\n")
		}
	}
	if r.Shadow != nil {
		textShadow(&b, r.Shadow)
	}
	if len(r.Errors) > 0 {
		b.WriteString("\nErrors:\n")
		for _, f := range r.Errors {
			fmt.Fprintf(&b, "  %s\n", f)
			if f.Source != "" && f.Col > 0 {
				// The line and a caret under the column, as node --check shows them.
				src := strings.ReplaceAll(f.Source, "\t", " ")
				fmt.Fprintf(&b, "      %s\n      %s^\n", src, strings.Repeat(" ", f.Col-1))
			}
		}
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\nWarnings:\n")
		for _, f := range r.Warnings {
			fmt.Fprintf(&b, "  %s\n", f)
		}
	}
	return b.String()
}

// Markdown is the report as a pull-request comment.
func Markdown(r *Report) string {
	var b bytes.Buffer
	icon := "✅"
	if !r.Valid {
		icon = "❌"
	}
	fmt.Fprintf(&b, "### %s actionsd validate: %s\n\n", icon, r.verdict())
	fmt.Fprintf(&b, "Comparing %s with %s.\n", mdRev(r.Base), mdRev(r.Head))
	if r.empty() {
		b.WriteString("\nNo changes to actions, bindings, module drafts, dependencies or secrets.\n")
	}
	if len(r.Actions) > 0 {
		b.WriteString("\n#### Actions\n\n| action | change | trigger | lines | modules |\n|---|---|---|---|---|\n")
		for _, a := range r.Actions {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", a.Name, a.Change, a.Trigger, lines(a.LinesAdded, a.LinesRemoved), mdEscape(pins(a.Pins)))
		}
	}
	if len(r.Bindings) > 0 {
		b.WriteString("\n#### Bindings\n\n| trigger | before | after |\n|---|---|---|\n")
		for _, c := range r.Bindings {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.Trigger, mdList(c.Before), mdList(c.After))
		}
	}
	if len(r.Modules) > 0 {
		b.WriteString("\n#### Module drafts\n\n| module | change | lines | publishing |\n|---|---|---|---|\n")
		for _, m := range r.Modules {
			change := m.Change
			if change == "" {
				change = "recorded"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", m.Name, change, lines(m.LinesAdded, m.LinesRemoved), mdEscape(m.Summary))
		}
	}
	if len(r.Dependencies) > 0 {
		b.WriteString("\n#### Dependencies\n\n| owner | package | change | before | after |\n|---|---|---|---|---|\n")
		for _, d := range r.Dependencies {
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s |\n", d.Owner, d.Package, d.Change, version(d.Before, d.LockedBefore), version(d.After, d.LockedAfter))
		}
	}
	if len(r.Secrets) > 0 {
		b.WriteString("\n#### Secrets (names only)\n\n| owner | secret | change | Vault |\n|---|---|---|---|\n")
		for _, s := range r.Secrets {
			v := vault(s.InVault)
			if v == "" {
				v = "not checked"
			}
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", s.Owner, s.Name, s.Change, v)
		}
	}
	if r.Shadow != nil {
		mdShadow(&b, r.Shadow)
	}
	if len(r.Errors) > 0 {
		b.WriteString("\n#### Errors\n\n")
		for _, f := range r.Errors {
			fmt.Fprintf(&b, "- %s\n", mdFinding(f))
		}
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\n#### Warnings\n\n")
		for _, f := range r.Warnings {
			fmt.Fprintf(&b, "- %s\n", mdFinding(f))
		}
	}
	return b.String()
}

func mdRev(rv Revision) string {
	if rv.Commit == "" {
		return "`" + rv.Ref + "`"
	}
	return fmt.Sprintf("`%s` (%s)", rv.Ref, short(rv.Commit))
}

func mdList(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`" + n + "`"
	}
	return strings.Join(quoted, ", ")
}

func mdFinding(d diag.Diagnostic) string {
	msg := d.Message
	if d.Field != "" {
		msg = "`" + d.Field + "`: " + msg
	}
	if position(d) == "" {
		return mdEscape(msg)
	}
	return "`" + position(d) + "` " + mdEscape(msg)
}

// finding is a diagnostic as validate's JSON writes it: its place as one file:line:col token, as
// a CI annotation or an editor's problem matcher reads it.
type finding struct {
	Pos     string `json:"pos"`
	Object  string `json:"object,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func findings(l diag.List) []finding {
	if l == nil {
		return nil
	}
	out := make([]finding, len(l))
	for i, d := range l {
		out[i] = finding{Pos: position(d), Object: d.Object, Field: d.Field, Message: d.Message}
	}
	return out
}

// jsonReport is r with its errors and warnings as findings. (The embedded report's own errors
// and warnings are hidden by the fields of the same names, which stay last in the output.)
func jsonReport(r *Report) any {
	type report Report
	return struct {
		*report
		Errors   []finding `json:"errors"`
		Warnings []finding `json:"warnings"`
	}{(*report)(r), findings(r.Errors), findings(r.Warnings)}
}

// mdEscape keeps a message from breaking a table or turning into markup.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "<", "&lt;")
	return s
}

// textShadow writes the shadow run's counts and examples for a terminal.
func textShadow(b *bytes.Buffer, sh *Shadow) {
	fmt.Fprintf(b, "\nShadow run on executions recorded by %s:\n", sh.Daemon)
	if sh.Error != "" {
		fmt.Fprintf(b, "  not run: %s\n", sh.Error)
		return
	}
	if len(sh.Triggers) == 0 {
		b.WriteString("  no changed action is bound to a trigger\n")
	}
	for _, t := range sh.Triggers {
		fmt.Fprintf(b, "  %s (%s): %d %s: %d same, %d outcome changed, %d commands changed, %d could not replay\n",
			t.Trigger, list(t.Actions), t.Executions, plural(t.Executions, "execution"), t.Same, t.OutcomeChanged, t.CommandsChanged, t.NotReplayed)
		if t.Error != "" {
			fmt.Fprintf(b, "    not replayed: %s\n", t.Error)
		}
		for _, e := range t.OutcomeExamples {
			fmt.Fprintf(b, "    outcome  %s: %s → %s\n", e.ID, e.Recorded, e.Replayed)
		}
		for _, e := range t.CommandsExamples {
			fmt.Fprintf(b, "    commands %s: %s → %s\n", e.ID, e.Recorded, e.Replayed)
		}
		for _, e := range t.NotReplayedWhy {
			fmt.Fprintf(b, "    not replayed %s: %s\n", e.ID, e.Reason)
		}
	}
}

// mdShadow writes the shadow run's counts and examples as a pull-request comment's section.
func mdShadow(b *bytes.Buffer, sh *Shadow) {
	fmt.Fprintf(b, "\n#### Shadow run on recorded executions\n\nThe head's code, run on the last executions `%s` recorded, with their recorded HTTP responses.\n\n", mdEscape(sh.Daemon))
	if sh.Error != "" {
		fmt.Fprintf(b, "Not run: %s\n", mdEscape(sh.Error))
		return
	}
	if len(sh.Triggers) == 0 {
		b.WriteString("No changed action is bound to a trigger.\n")
		return
	}
	b.WriteString("| trigger | changed actions | executions | same | outcome changed | commands changed | could not replay |\n|---|---|---|---|---|---|---|\n")
	for _, t := range sh.Triggers {
		fmt.Fprintf(b, "| `%s` | %s | %d | %d | %d | %d | %d |\n", t.Trigger, mdList(t.Actions), t.Executions, t.Same, t.OutcomeChanged, t.CommandsChanged, t.NotReplayed)
	}
	for _, t := range sh.Triggers {
		if t.Error != "" {
			fmt.Fprintf(b, "\n`%s` not replayed: %s\n", t.Trigger, mdEscape(t.Error))
		}
		if len(t.OutcomeExamples)+len(t.CommandsExamples)+len(t.NotReplayedWhy) == 0 {
			continue
		}
		fmt.Fprintf(b, "\nExamples for `%s`:\n\n| execution | difference | recorded | replayed |\n|---|---|---|---|\n", t.Trigger)
		for _, e := range t.OutcomeExamples {
			fmt.Fprintf(b, "| `%s` | outcome | %s | %s |\n", e.ID, mdCode(e.Recorded), mdCode(e.Replayed))
		}
		for _, e := range t.CommandsExamples {
			fmt.Fprintf(b, "| `%s` | commands | %s | %s |\n", e.ID, mdCode(e.Recorded), mdCode(e.Replayed))
		}
		for _, e := range t.NotReplayedWhy {
			fmt.Fprintf(b, "| `%s` | could not replay | %s | |\n", e.ID, mdEscape(e.Reason))
		}
	}
}

// mdCode is s as inline code in a table cell.
func mdCode(s string) string {
	return "`" + strings.ReplaceAll(strings.ReplaceAll(s, "`", "'"), "|", `\|`) + "`"
}
