package localrun

import (
	"context"

	"github.com/actionsd/actionsd/review"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/egress"
)

// InvokeSpec returns the spec `actionsd invoke` runs: action alone when it is not "", else every
// action bound to trig; and the trigger it runs for (the action's own). A working tree's spec
// has the commit review.WorkingTree.
func (w *Workspace) InvokeSpec(ctx context.Context, action, trig string) (*runner.Spec, string, error) {
	spec := &runner.Spec{Commit: w.State.CommitHash(), Actions: map[string]*runner.ActionSpec{}, Bindings: map[string][]string{}}
	if action != "" {
		as, err := w.ActionSpec(ctx, action)
		if err != nil {
			return nil, "", err
		}
		spec.Actions[action] = as
		trig = as.Trigger
	} else {
		var err error
		if spec, err = w.TriggerSpec(ctx, trig); err != nil {
			return nil, "", err
		}
	}
	if spec.Commit == "" {
		spec.Commit = review.WorkingTree
	}
	return spec, trig, nil
}

// InvokeOptions say how Invoke runs a spec.
type InvokeOptions struct {
	Action  string        // run this action as POST /v1/actions/{name}/test does; "": run Trigger
	Trigger string        // the trigger to execute, as POST /v1/triggers/{trigger}/execute does
	Event   []byte        // the event, JSON
	Egress  egress.Policy // what fetch may reach besides public addresses
}

// Invoke builds spec with the real runner (one runtime, fetch through the egress policy) and
// runs it once on the event. An execution that failed is a result, not an error.
func Invoke(ctx context.Context, spec *runner.Spec, opts InvokeOptions) (*runner.Result, error) {
	gen, err := runner.Build(ctx, spec, runner.Options{PoolSize: 1, HTTPClient: egress.NewClient(opts.Egress)})
	if err != nil {
		return nil, err
	}
	defer gen.Close()
	if opts.Action != "" {
		return gen.Test(ctx, opts.Action, opts.Event)
	}
	return gen.Execute(ctx, opts.Trigger, opts.Event)
}
