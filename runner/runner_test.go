package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/actionsd/actionsd/runner/egress"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"
)

func TestMain(m *testing.M) {
	// regexp2's clock, which bounds backtracking matches by the execution's deadline, runs on
	// until a second after the last deadline it was given, then stops by itself.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/dlclark/regexp2/v2.runClock"))
}

// files turns name/source pairs into Source.Files.
func files(kv ...string) map[string][]byte {
	m := make(map[string][]byte, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = []byte(kv[i+1])
	}
	return m
}

// newAction returns a post-login action whose index.js is src.
func newAction(name, src string) *ActionSpec {
	return &ActionSpec{
		Name:    name,
		Version: "c0ffee",
		Trigger: "post-login",
		Source:  Source{Dir: "actions/" + name, Entry: "index.js", Files: files("index.js", src)},
	}
}

func newModule(name string, version int, src string, secrets map[string]string) *ModuleSpec {
	return &ModuleSpec{
		Name:    name,
		Version: version,
		Source:  Source{Dir: "modules/" + name, Entry: "index.js", Files: files("index.js", src)},
		Secrets: secrets,
	}
}

// newSpec binds the actions to post-login in the order given.
func newSpec(actions ...*ActionSpec) *Spec {
	s := &Spec{Commit: "abc123", Generation: 7, Actions: map[string]*ActionSpec{}, Bindings: map[string][]string{}}
	for _, a := range actions {
		s.Actions[a.Name] = a
		s.Bindings[a.Trigger] = append(s.Bindings[a.Trigger], a.Name)
	}
	return s
}

// loopbackClient is an egress client allowed to reach 127.0.0.1; its idle connections close with
// the test.
func loopbackClient(t testing.TB) *http.Client {
	p, err := egress.ParseAllow([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	c := egress.NewClient(p)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func mustBuild(t testing.TB, spec *Spec, opts Options) *Generation {
	t.Helper()
	if opts.Logger == nil {
		if tt, ok := t.(*testing.T); ok {
			opts.Logger = zaptest.NewLogger(tt)
		}
	}
	g, err := Build(context.Background(), spec, opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	t.Cleanup(g.Close)
	return g
}

func mustExecute(t testing.TB, g *Generation, trig, event string) *Result {
	t.Helper()
	res, err := g.Execute(context.Background(), trig, []byte(event))
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	return res
}

func toJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantSuccess fails the test unless res succeeded.
func wantSuccess(t testing.TB, res *Result) {
	t.Helper()
	if res.Outcome != OutcomeSuccess {
		t.Fatalf("outcome = %s, want success; result: %s", res.Outcome, toJSON(t, res))
	}
}

// jsonUnmarshal decodes a claim or metadata value (a json.RawMessage) into out.
func jsonUnmarshal(v any, out any) error {
	raw, ok := v.(json.RawMessage)
	if !ok {
		return fmt.Errorf("value %v is a %T, not a json.RawMessage", v, v)
	}
	return json.Unmarshal(raw, out)
}
