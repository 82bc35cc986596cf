package wire_test

import (
	"context"
	"testing"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/wire"
)

// TestResultJSONOfExecutions compares the encodings of results that real executions produce.
func TestResultJSONOfExecutions(t *testing.T) {
	src := `exports.onExecutePostLogin = async (event, api) => {
  console.log('hello', event.user.email, '<tag> & "quotes"\u2028');
  api.idToken.setCustomClaim('https://example.com/roles', event.authorization?.roles ?? []);
  api.idToken.setCustomClaim('obj', { nested: [1, 2.5, 'x y', null, { deep: true }] });
  api.accessToken.setCustomClaim('n', 1e-9);
  api.user.setAppMetadata('plan', 'gold');
  api.user.setUserMetadata('removed', undefined);
  api.multifactor.enable('any', { allowRememberBrowser: true });
};`
	g, err := runner.Build(context.Background(), &runner.Spec{Commit: "c", Generation: 1,
		Actions: map[string]*runner.ActionSpec{"enc": {Name: "enc", Version: "v", Trigger: "post-login",
			Source: runner.Source{Dir: "actions/enc", Entry: "index.js", Files: map[string][]byte{"index.js": []byte(src)}}}},
		Bindings: map[string][]string{"post-login": {"enc"}}}, runner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	res, err := g.Execute(context.Background(), "post-login", []byte(wire.SampleEvent))
	if err != nil || res.Outcome != wire.OutcomeSuccess {
		t.Fatalf("%v %+v", err, res)
	}
	wire.CheckResultJSON(t, res)
}
