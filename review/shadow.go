package review

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/actionsd/actionsd/prepare"
	"github.com/actionsd/actionsd/replay"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// DefaultShadowLast is how many recorded executions of each trigger a shadow run replays.
const DefaultShadowLast = 200

// shadowExamples is how many examples of each kind of difference a shadow report keeps.
const shadowExamples = 3

// ShadowOptions ask Compare for a shadow run: the head's code on the executions a daemon
// recorded.
type ShadowOptions struct {
	// Client reads the records from the daemon.
	Client *replay.Client
	// Last is how many recorded executions of each trigger to replay; 0 means DefaultShadowLast.
	Last int
}

// Shadow is what the head's code does to recorded executions: for each trigger whose actions the
// change touches, the last executions the daemon recorded, run again on the head's actions with
// their recorded HTTP responses (nothing reaches the network) and compared with their records.
type Shadow struct {
	Daemon   string          `json:"daemon"`
	Triggers []ShadowTrigger `json:"triggers"`
	// Error is why the shadow run could not happen at all (the daemon could not be read, …).
	Error string `json:"error,omitempty"`
}

// ShadowTrigger counts what the replays of one trigger's recorded executions did. Each execution
// is counted once: could not replay, else outcome changed (the outcome or the error), else
// commands changed, else same.
type ShadowTrigger struct {
	Trigger         string   `json:"trigger"`
	Actions         []string `json:"actions"` // the changed actions it binds at head
	Executions      int      `json:"executions"`
	Same            int      `json:"same"`
	OutcomeChanged  int      `json:"outcome_changed"`
	CommandsChanged int      `json:"commands_changed"`
	NotReplayed     int      `json:"not_replayed"`
	// Examples of each difference, at most three of each, newest first.
	OutcomeExamples  []ShadowExample `json:"outcome_examples"`
	CommandsExamples []ShadowExample `json:"commands_examples"`
	NotReplayedWhy   []ShadowExample `json:"not_replayed_examples"`
	// Error is why the trigger's executions could not be replayed at all (its head does not build).
	Error string `json:"error,omitempty"`
}

// ShadowExample is one execution whose replay differs from its record.
type ShadowExample struct {
	ID       string    `json:"id"`
	Time     time.Time `json:"time"`
	Recorded string    `json:"recorded,omitempty"` // outcome and error, or the commands that differ
	Replayed string    `json:"replayed,omitempty"`
	Reason   string    `json:"reason,omitempty"` // why it could not be replayed
}

// shadow runs the head's changed actions on the daemon's recorded executions of their triggers.
func (r *Report) shadow(ctx context.Context, head *State, o ShadowOptions, deps prepare.Installer) *Shadow {
	sh := &Shadow{Daemon: o.Client.Addr, Triggers: []ShadowTrigger{}}
	last := o.Last
	if last <= 0 {
		last = DefaultShadowLast
	}
	changed := map[string][]string{} // trigger -> changed actions it binds at head
	bound := map[string][]string{}   // trigger -> every action it binds at head, in order
	if head.Snap.Triggers != nil {
		for trig, list := range head.Snap.Triggers.Bindings {
			for _, b := range list {
				bound[trig] = append(bound[trig], b.Action)
			}
		}
	}
	for _, a := range r.Actions {
		if a.Change == Removed {
			continue
		}
		for trig, names := range bound {
			if slices.Contains(names, a.Name) {
				changed[trig] = append(changed[trig], a.Name)
			}
		}
	}
	for _, b := range r.Bindings {
		if len(bound[b.Trigger]) > 0 && changed[b.Trigger] == nil {
			changed[b.Trigger] = []string{}
		}
	}
	for _, trig := range slices.Sorted(maps.Keys(changed)) {
		st := ShadowTrigger{Trigger: trig, Actions: changed[trig], OutcomeExamples: []ShadowExample{},
			CommandsExamples: []ShadowExample{}, NotReplayedWhy: []ShadowExample{}}
		recs, err := o.Client.List(ctx, trig, last)
		if err != nil {
			sh.Error = "reading the recorded executions: " + err.Error()
			return sh
		}
		st.Executions = len(recs)
		if len(recs) > 0 {
			shadowTrigger(ctx, head, trig, bound[trig], recs, deps, &st)
		}
		sh.Triggers = append(sh.Triggers, st)
	}
	return sh
}

// shadowTrigger builds the actions head binds to trig and replays recs on them.
func shadowTrigger(ctx context.Context, head *State, trig string, names []string, recs []*replay.Record, deps prepare.Installer, st *ShadowTrigger) {
	gen, err := buildShadow(ctx, head, trig, names, deps)
	if err != nil {
		st.Error = err.Error()
		st.NotReplayed = len(recs)
		return
	}
	defer gen.Close()
	for _, rec := range recs {
		res, err := replay.Run(ctx, gen, rec)
		if err != nil {
			st.NotReplayed++
			st.NotReplayedWhy = addExample(st.NotReplayedWhy, ShadowExample{ID: rec.ID, Time: rec.Time, Reason: err.Error()})
			continue
		}
		c := replay.Compare(rec, res)
		switch {
		case c.NotRecorded != "":
			st.NotReplayed++
			st.NotReplayedWhy = addExample(st.NotReplayedWhy, ShadowExample{ID: rec.ID, Time: rec.Time, Reason: c.NotRecorded})
		case c.OutcomeChanged || c.ErrorChanged:
			st.OutcomeChanged++
			st.OutcomeExamples = addExample(st.OutcomeExamples, ShadowExample{ID: rec.ID, Time: rec.Time,
				Recorded: outcomeText(c.Recorded), Replayed: outcomeText(c.Replayed)})
		case c.CommandsChanged:
			st.CommandsChanged++
			var was, now []string
			for _, l := range c.Diff() {
				switch {
				case strings.HasPrefix(l, "- "):
					was = append(was, l[2:])
				case strings.HasPrefix(l, "+ "):
					now = append(now, l[2:])
				}
			}
			st.CommandsExamples = addExample(st.CommandsExamples, ShadowExample{ID: rec.ID, Time: rec.Time,
				Recorded: commandsText(was), Replayed: commandsText(now)})
		default:
			st.Same++
		}
	}
}

func addExample(l []ShadowExample, e ShadowExample) []ShadowExample {
	if len(l) >= shadowExamples {
		return l
	}
	return append(l, e)
}

func outcomeText(s replay.Side) string {
	if s.Error == "" {
		return s.Outcome
	}
	return s.Outcome + ": " + s.Error
}

func commandsText(lines []string) string {
	if len(lines) == 0 {
		return "(no command)"
	}
	return strings.Join(lines, "; ")
}

// buildShadow builds the actions head binds to trig, bound to it, with placeholder secret values
// (redacted as the daemon redacts the real ones, so that a request with a secret in its URL
// matches its record) and HTTP answered from the records.
func buildShadow(ctx context.Context, head *State, trig string, names []string, deps prepare.Installer) (*runner.Generation, error) {
	set := prepare.New(head.Snap)
	var tr prepare.Transformer
	ready := func(u *prepare.Unit) error {
		if problems := set.Transform(&tr, u); len(problems) > 0 {
			return fmt.Errorf("%s does not compile: %v", u.Object, problems[0])
		}
		if u.Declares() {
			if deps == nil {
				return fmt.Errorf("%s declares npm dependencies, which --no-install leaves out", u.Object)
			}
			if err := prepare.Install(ctx, deps, u); err != nil {
				return fmt.Errorf("%s: npm dependencies: %w", u.Object, err)
			}
		}
		return nil
	}
	for _, name := range names {
		a := head.Snap.Actions[name]
		if a == nil {
			return nil, fmt.Errorf("%s binds %s, which has no action.yaml", trig, name)
		}
		if err := ready(set.Action(name)); err != nil {
			return nil, err
		}
		for mname, pin := range a.Modules {
			u := set.Version(mname, pin.Version)
			if u == nil {
				return nil, fmt.Errorf("action %s pins %s v%d, which is not published", name, mname, pin.Version)
			}
			if err := ready(u); err != nil {
				return nil, err
			}
		}
	}
	spec := set.Spec(prepare.SpecOptions{Actions: names, Version: "shadow", Secrets: placeholderSecrets})
	spec.Bindings[trig] = names
	gen, err := runner.Build(ctx, spec, replay.Options())
	if err != nil {
		var be *runner.BuildError
		if errors.As(err, &be) {
			return nil, fmt.Errorf("the head does not build: %v", be)
		}
		return nil, err
	}
	return gen, nil
}

// placeholderSecrets gives each declared secret a value of its own name: "shadow-<NAME>".
func placeholderSecrets(_ vaultsecrets.Owner, names []string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = "shadow-" + n
	}
	return out
}
