package runner

import "context"

// Tracer records executions and their actions as spans. Options.Tracer nil (tracing off) costs a
// nil check per execution and per action. internal/tracing implements it with OpenTelemetry.
//
// Each Start returns the context its span lives in, which the execution (or the action, and the
// requests and sockets it opens) carries, and the function that ends the span. A Tracer is told
// names, commits and outcomes only, never an event, a secret or a log line.
type Tracer interface {
	// StartExecution begins the span of one execution of trigger (Execute, Test, Continue) on
	// the generation of commit and number; end is called once, with the Result's outcome.
	StartExecution(ctx context.Context, trigger, commit string, generation int64) (context.Context, func(outcome string))
	// StartAction begins the span of one action of an execution, a child of the execution's;
	// end is called once, with whether the action failed.
	StartAction(ctx context.Context, name string) (context.Context, func(failed bool))
}
