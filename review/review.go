package review

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/prepare"
)

// Report is what changes between two revisions and what is wrong with the second.
type Report struct {
	Base         Revision           `json:"base"`
	Head         Revision           `json:"head"`
	Valid        bool               `json:"valid"`
	Actions      []ActionChange     `json:"actions"`
	Bindings     []BindingChange    `json:"bindings"`
	Modules      []ModuleChange     `json:"modules"`
	Dependencies []DependencyChange `json:"dependencies"`
	Secrets      []SecretChange     `json:"secrets"`
	// Shadow is what the head's code does to recorded executions (Options.Shadow); nil when not
	// asked for.
	Shadow *Shadow `json:"shadow,omitempty"`
	// Errors and Warnings are written in JSON with their place as one token (see Render).
	Errors   diag.List `json:"errors"`
	Warnings diag.List `json:"warnings"`
}

// Revision names one side of the comparison.
type Revision struct {
	Ref    string `json:"ref"`
	Commit string `json:"commit,omitempty"` // "" for the working tree
}

// Change kinds.
const (
	Added   = "added"
	Changed = "changed"
	Removed = "removed"
)

// ActionChange is one action folder that differs.
type ActionChange struct {
	Name         string      `json:"name"`
	Change       string      `json:"change"`
	Trigger      string      `json:"trigger,omitempty"`
	LinesAdded   int         `json:"lines_added"`
	LinesRemoved int         `json:"lines_removed"`
	Files        []string    `json:"files"` // changed files, repository-relative
	Pins         []PinChange `json:"pins,omitempty"`
}

// PinChange is a module version an action pins differently; 0 means not pinned.
type PinChange struct {
	Module string `json:"module"`
	Before int    `json:"before"`
	After  int    `json:"after"`
}

// BindingChange is a trigger whose ordered list of actions changes.
type BindingChange struct {
	Trigger string   `json:"trigger"`
	Before  []string `json:"before"`
	After   []string `json:"after"`
}

// ModuleChange is a module whose draft changes, or whose versions are recorded by the change.
type ModuleChange struct {
	Name         string   `json:"name"`
	Change       string   `json:"change"` // added, changed, removed, or "" (only versions recorded)
	LinesAdded   int      `json:"lines_added"`
	LinesRemoved int      `json:"lines_removed"`
	Files        []string `json:"files"`
	// Latest is the highest published version at head (0: none); Matches is the version whose
	// content the head draft is (0: none); Next is the version publishing the draft would create
	// (0: nothing to publish).
	Latest  int `json:"latest"`
	Matches int `json:"matches"`
	Next    int `json:"next"`
	// Recorded are versions the change records in actionsd.lock.
	Recorded []int  `json:"recorded,omitempty"`
	Summary  string `json:"summary"`
}

// DependencyChange is one npm dependency of one action or module that changes.
type DependencyChange struct {
	Owner        string `json:"owner"` // "actions/x" or "modules/y"
	Package      string `json:"package"`
	Change       string `json:"change"`
	Before       string `json:"before,omitempty"` // as declared
	After        string `json:"after,omitempty"`
	LockedBefore string `json:"locked_before,omitempty"` // exact version in actionsd.lock
	LockedAfter  string `json:"locked_after,omitempty"`
}

// SecretChange is a secret name an action or module starts or stops declaring.
type SecretChange struct {
	Owner  string `json:"owner"`
	Name   string `json:"name"`
	Change string `json:"change"`
	// InVault says whether Vault holds the name (names only, never values); nil when not checked.
	InVault *bool `json:"in_vault,omitempty"`
}

// SecretChecker says which of names Vault holds for an owner (kind "actions" or "modules"); it
// must never return values.
type SecretChecker interface {
	Exists(ctx context.Context, kind, name string, names []string) (map[string]bool, error)
}

// Options tune Compare.
type Options struct {
	// Secrets, when set, is asked whether the added secret names exist.
	Secrets SecretChecker
	// SkipRun skips building the head with the runner (which runs each action's top level to find
	// refused requires and missing handlers); syntax is checked either way.
	SkipRun bool
	// Dependencies, when set, installs the npm packages of actions and module versions that
	// declare some, so that they are built too; an install that fails is a warning, and what
	// needs it is not built. Without it they are not built.
	Dependencies prepare.Installer
	// Shadow, when set, runs the head's changed actions on the executions a daemon recorded for
	// their triggers, with the recorded HTTP responses, and reports what would change.
	Shadow *ShadowOptions
}

// Compare reports what changes from base to head and checks head.
func Compare(ctx context.Context, base, head *State, opts Options) *Report {
	r := &Report{
		Base:         Revision{Ref: base.Rev, Commit: base.CommitHash()},
		Head:         Revision{Ref: head.Rev, Commit: head.CommitHash()},
		Actions:      []ActionChange{},
		Bindings:     []BindingChange{},
		Modules:      []ModuleChange{},
		Dependencies: []DependencyChange{},
		Secrets:      []SecretChange{},
	}
	r.compareActions(base, head)
	r.compareBindings(base, head)
	r.compareModules(base, head)
	r.compareDependencies(base, head)
	r.compareSecrets(ctx, base, head, opts.Secrets)
	var checked diag.List // warnings of the lock check and the build
	r.Errors, checked = check(ctx, head, opts)
	r.Warnings = append(Warnings(base, head), checked...)
	r.Valid = len(r.Errors) == 0
	if opts.Shadow != nil && opts.Shadow.Client != nil {
		r.Shadow = r.shadow(ctx, head, *opts.Shadow, opts.Dependencies)
	}
	return r
}

func (r *Report) compareActions(base, head *State) {
	for _, name := range unionKeys(base.Snap.Actions, head.Snap.Actions) {
		b, h := base.Snap.Actions[name], head.Snap.Actions[name]
		c := ActionChange{Name: name}
		switch {
		case b == nil:
			c.Change, c.Trigger = Added, h.Trigger
			c.Files, c.LinesAdded, c.LinesRemoved = diffFiles(h.Dir, nil, h.Files)
		case h == nil:
			c.Change, c.Trigger = Removed, b.Trigger
			c.Files, c.LinesAdded, c.LinesRemoved = diffFiles(b.Dir, b.Files, nil)
		case b.Tree != h.Tree:
			c.Change, c.Trigger = Changed, h.Trigger
			c.Files, c.LinesAdded, c.LinesRemoved = diffFiles(h.Dir, b.Files, h.Files)
		default:
			continue
		}
		var bp, hp map[string]gitstore.ModulePin
		if b != nil {
			bp = b.Modules
		}
		if h != nil {
			hp = h.Modules
		}
		for _, m := range unionKeys(bp, hp) {
			if bp[m].Version != hp[m].Version {
				c.Pins = append(c.Pins, PinChange{Module: m, Before: bp[m].Version, After: hp[m].Version})
			}
		}
		r.Actions = append(r.Actions, c)
	}
}

func (r *Report) compareBindings(base, head *State) {
	list := func(s *State) map[string][]string {
		out := map[string][]string{}
		if s.Snap.Triggers == nil {
			return out
		}
		for t, bs := range s.Snap.Triggers.Bindings {
			names := []string{}
			for _, b := range bs {
				names = append(names, b.Action)
			}
			out[t] = names
		}
		return out
	}
	b, h := list(base), list(head)
	for _, t := range unionKeys(b, h) {
		if !slices.Equal(b[t], h[t]) {
			before, after := b[t], h[t]
			if before == nil {
				before = []string{}
			}
			if after == nil {
				after = []string{}
			}
			r.Bindings = append(r.Bindings, BindingChange{Trigger: t, Before: before, After: after})
		}
	}
}

func (r *Report) compareModules(base, head *State) {
	names := unionKeys(base.Snap.Drafts, head.Snap.Drafts)
	for _, n := range unionKeys(base.Versions, head.Versions) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		b, h := base.Snap.Drafts[name], head.Snap.Drafts[name]
		c := ModuleChange{Name: name}
		switch {
		case b == nil && h != nil:
			c.Change = Added
			c.Files, c.LinesAdded, c.LinesRemoved = diffFiles(h.Dir, nil, h.Files)
		case h == nil && b != nil:
			c.Change = Removed
			c.Files, c.LinesAdded, c.LinesRemoved = diffFiles(b.Dir, b.Files, nil)
		case b != nil && b.Tree != h.Tree:
			c.Change = Changed
			c.Files, c.LinesAdded, c.LinesRemoved = diffFiles(h.Dir, b.Files, h.Files)
		}
		for n, v := range head.Versions[name] {
			if bv := base.Versions[name][n]; v.Recorded && (bv == nil || !bv.Recorded || bv.Tree != v.Tree) {
				c.Recorded = append(c.Recorded, n)
			}
		}
		sort.Ints(c.Recorded)
		if c.Change == "" && len(c.Recorded) == 0 {
			continue
		}
		if c.Files == nil {
			c.Files = []string{}
		}
		if latest := head.Latest(name); latest != nil {
			c.Latest = latest.Number
		}
		c.Summary = summarizeDraft(head, name, &c)
		r.Modules = append(r.Modules, c)
	}
}

// summarizeDraft says what publishing the head draft of module name would do.
func summarizeDraft(head *State, name string, c *ModuleChange) string {
	var rec []string
	for _, n := range c.Recorded {
		rec = append(rec, fmt.Sprintf("v%d", n))
	}
	recorded := ""
	if len(rec) > 0 {
		recorded = "; records " + strings.Join(rec, ", ") + " in " + lockfile.Name
	}
	d := head.Snap.Drafts[name]
	if d == nil {
		return "draft removed; published versions stay available" + recorded
	}
	for _, n := range slices.Sorted(maps.Keys(head.Versions[name])) {
		if v := head.Versions[name][n]; v.Published() && v.Tree == d.Tree {
			c.Matches = n
		}
	}
	if c.Matches != 0 {
		v := head.Versions[name][c.Matches]
		if v.Tag == "" || v.Pending {
			return fmt.Sprintf("draft is v%d, recorded in %s; `actionsd publish %s` on %s tags it after merge%s",
				c.Matches, lockfile.Name, name, head.Snap.Branch, recordedTail(recorded, c.Matches, c.Recorded))
		}
		return fmt.Sprintf("draft matches v%d; nothing to publish%s", c.Matches, recorded)
	}
	c.Next = head.Highest(name) + 1
	if c.Latest == 0 {
		return fmt.Sprintf("no published version yet; publish would create v%d%s", c.Next, recorded)
	}
	return fmt.Sprintf("draft differs from v%d; publish would create v%d%s", c.Latest, c.Next, recorded)
}

// recordedTail leaves out the recording note when it only repeats the version just named.
func recordedTail(recorded string, n int, recs []int) string {
	if len(recs) == 1 && recs[0] == n {
		return ""
	}
	return recorded
}

// owner is an action or module folder's declared dependencies and secrets.
type owner struct {
	deps    map[string]string
	secrets []string
}

func owners(s *State) map[string]owner {
	out := map[string]owner{}
	for _, a := range s.Snap.Actions {
		out["actions/"+a.Name] = owner{deps: a.Dependencies, secrets: a.Secrets}
	}
	for _, m := range s.Snap.Drafts {
		out["modules/"+m.Name] = owner{deps: m.Dependencies, secrets: m.Secrets}
	}
	return out
}

func locked(l *lockfile.Lock, ownerKey, pkg string) string {
	if l == nil || l.Owners[ownerKey] == nil {
		return ""
	}
	return l.Owners[ownerKey].Dependencies[pkg]
}

func (r *Report) compareDependencies(base, head *State) {
	b, h := owners(base), owners(head)
	for _, o := range unionKeys(b, h) {
		for _, pkg := range unionKeys(b[o].deps, h[o].deps) {
			bv, bok := b[o].deps[pkg]
			hv, hok := h[o].deps[pkg]
			c := DependencyChange{Owner: o, Package: pkg, Before: bv, After: hv,
				LockedBefore: locked(base.Lock, o, pkg), LockedAfter: locked(head.Lock, o, pkg)}
			switch {
			case !bok:
				c.Change = Added
			case !hok:
				c.Change = Removed
			case bv != hv || c.LockedBefore != c.LockedAfter:
				c.Change = Changed
			default:
				continue
			}
			r.Dependencies = append(r.Dependencies, c)
		}
	}
}

func (r *Report) compareSecrets(ctx context.Context, base, head *State, checker SecretChecker) {
	b, h := owners(base), owners(head)
	for _, o := range unionKeys(b, h) {
		var added []string
		for _, n := range h[o].secrets {
			if !slices.Contains(b[o].secrets, n) {
				added = append(added, n)
			}
		}
		var exists map[string]bool
		if checker != nil && len(added) > 0 {
			kind, name, _ := strings.Cut(o, "/")
			if got, err := checker.Exists(ctx, kind, name, added); err == nil {
				exists = got
			} else {
				r.Warnings = append(r.Warnings, diag.Diagnostic{Object: o, Pos: diag.Pos{File: o}, Message: "cannot check secret names in Vault: " + err.Error()}.Warn())
			}
		}
		for _, n := range added {
			c := SecretChange{Owner: o, Name: n, Change: Added}
			if exists != nil {
				in := exists[n]
				c.InVault = &in
			}
			r.Secrets = append(r.Secrets, c)
		}
		for _, n := range b[o].secrets {
			if !slices.Contains(h[o].secrets, n) {
				r.Secrets = append(r.Secrets, SecretChange{Owner: o, Name: n, Change: Removed})
			}
		}
	}
}

// Warnings are what deserves a reviewer's attention at head without stopping the change.
func Warnings(base, head *State) diag.List {
	var out diag.List
	out = append(out, head.Snap.Warnings...)
	out = append(out, deprecated(head)...)
	out = append(out, bridgeWarnings(head)...)

	// Module versions pinned at base that no action pins at head.
	pinned := func(s *State) map[string]bool {
		m := map[string]bool{}
		for _, a := range s.Snap.Actions {
			for name, p := range a.Modules {
				m[fmt.Sprintf("%s\x00%d", name, p.Version)] = true
			}
		}
		return m
	}
	bp, hp := pinned(base), pinned(head)
	for _, k := range slices.Sorted(maps.Keys(bp)) {
		if !hp[k] {
			name, n, _ := strings.Cut(k, "\x00")
			out = append(out, diag.Diagnostic{Object: "modules/" + name, Pos: diag.Pos{File: "modules/" + name},
				Message: fmt.Sprintf("%s v%s is no longer used by any action", name, n)}.Warn())
		}
	}

	// Tests that exercise a module version while its draft has unpublished changes.
	for _, name := range slices.Sorted(maps.Keys(head.Snap.Actions)) {
		a := head.Snap.Actions[name]
		tests := testFiles(a.Files)
		if len(tests) == 0 {
			continue
		}
		for _, m := range slices.Sorted(maps.Keys(a.Modules)) {
			d := head.Snap.Drafts[m]
			latest := head.Latest(m)
			if d == nil || latest == nil || latest.Tree == d.Tree {
				continue
			}
			for _, t := range tests {
				out = append(out, diag.Diagnostic{Object: "actions/" + name, Pos: diag.Pos{File: a.Dir + "/" + t},
					Message: fmt.Sprintf("the tests use %s v%d, but the %s draft has unpublished changes (publish would create v%d; `actionsd test --draft` tests the draft)",
						m, a.Modules[m].Version, m, head.Highest(m)+1)}.Warn())
			}
		}
	}
	sortDiagnostics(out)
	return out
}

// deprecated warns about locked npm versions the registry marked deprecated.
func deprecated(s *State) diag.List {
	if s.Lock == nil {
		return nil
	}
	var out diag.List
	for _, o := range slices.Sorted(maps.Keys(s.Lock.Owners)) {
		if _, ok := owners(s)[o]; !ok {
			continue
		}
		for _, key := range s.Lock.Owners[o].Packages {
			p := s.Lock.Packages[key]
			if p == nil || p.Deprecated == "" {
				continue
			}
			pos := diag.Pos{File: manifestOf(o)}
			pos.Line, pos.Col = gitstore.KeyPos(manifestData(s, o), "dependencies", p.Name)
			out = append(out, diag.At(o, pos, "dependencies."+p.Name, "npm package %s@%s is deprecated: %s", p.Name, p.Version, p.Deprecated).Warn())
		}
	}
	return out
}

// manifestData is the manifest file of an owner ("actions/x") at s.
func manifestData(s *State, owner string) []byte {
	kind, name, _ := strings.Cut(owner, "/")
	if kind == "actions" && s.Snap.Actions[name] != nil {
		return s.Snap.Actions[name].Files["action.yaml"]
	}
	if m := s.Snap.Drafts[name]; kind == "modules" && m != nil {
		return m.Files["module.yaml"]
	}
	return nil
}

func manifestOf(owner string) string {
	if strings.HasPrefix(owner, "actions/") {
		return owner + "/action.yaml"
	}
	return owner + "/module.yaml"
}

// testFiles lists the *.test.js files of a folder's files, sorted.
func testFiles(files map[string][]byte) []string {
	var out []string
	for f := range files {
		if strings.HasSuffix(f, ".test.js") {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// position is d's place as one file:line:col token, "" when it has none.
func position(d diag.Diagnostic) string {
	if d.File == "" {
		return ""
	}
	return d.Pos.String()
}

// sortDiagnostics orders diagnostics by file (with its ref), line, column and message.
func sortDiagnostics(l diag.List) {
	file := func(d diag.Diagnostic) string { return diag.Pos{Ref: d.Ref, File: d.File}.String() }
	sort.SliceStable(l, func(i, j int) bool {
		if fi, fj := file(l[i]), file(l[j]); fi != fj {
			return fi < fj
		}
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		if l[i].Col != l[j].Col {
			return l[i].Col < l[j].Col
		}
		return l[i].Message < l[j].Message
	})
}

func unionKeys[V any](a, b map[string]V) []string {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return slices.Sorted(maps.Keys(m))
}
