package runner

import (
	"context"
	"testing"
)

// BenchmarkExecuteConsoleLog is an execution that logs what actions log most: a message, the
// user object and a small literal, through util.inspect (node/inspect.go).
func BenchmarkExecuteConsoleLog(b *testing.B) {
	g := mustBuild(b, newSpec(newAction("logs", `exports.onExecutePostLogin = async (event, api) => {
  console.log('login', event.user.user_id);
  console.log('user', event.user);
  console.log({ roles: event.authorization?.roles ?? [], ok: true, n: 3 });
};`)), Options{})
	ctx := context.Background()
	event := []byte(benchEvent)
	res, err := g.Execute(ctx, "post-login", event)
	if err != nil || res.Outcome != OutcomeSuccess || len(res.Actions[0].Logs) != 3 {
		b.Fatalf("warm-up: %v %s", err, toJSON(b, res))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Execute(ctx, "post-login", event); err != nil {
			b.Fatal(err)
		}
	}
}
