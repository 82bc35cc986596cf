package runner

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const loggerModule = `exports.sendLog = async (code, message) => {
  const res = await fetch(actions.secrets.SERVICE_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': actions.secrets.API_KEY },
    body: JSON.stringify({ code, message }),
  });
  console.log({ code, message: 'sent' });
  if (!res.ok) throw new Error('logger service answered ' + res.status);
  return res.json();
};
`

const quickstartAction = `const logger = require('actions:logger');
exports.onExecutePostLogin = async (event, api) => {
  const r = await logger.sendLog('logger_success', 'Your Action was able to use the Logger Action Module');
  console.log('stored', r.id);
  api.idToken.setCustomClaim('https://example.com/roles', event.authorization?.roles ?? []);
};
`

// logSink is a loopback logging service that checks the API key and records what it receives.
type logSink struct {
	srv  *httptest.Server
	mu   sync.Mutex // guards got
	got  []string
	keys []string
}

func newLogSink(t testing.TB, key string) *logSink {
	s := &logSink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.got = append(s.got, string(body))
		s.keys = append(s.keys, r.Header.Get("X-API-Key"))
		s.mu.Unlock()
		if r.Method != http.MethodPost || r.Header.Get("X-API-Key") != key {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"42"}`)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func quickstartSpec(serviceURL, key string) *Spec {
	a := newAction("log-login", quickstartAction)
	a.Modules = map[string]*ModuleSpec{
		"logger": newModule("logger", 1, loggerModule, map[string]string{"SERVICE_URL": serviceURL, "API_KEY": key}),
	}
	return newSpec(a)
}

func TestQuickstart(t *testing.T) {
	const key = "k-0123456789"
	sink := newLogSink(t, key)
	g := mustBuild(t, quickstartSpec(sink.srv.URL, key), Options{HTTPClient: loopbackClient(t)})

	res := mustExecute(t, g, "post-login", `{"authorization":{"roles":["admin","dev"]},"user":{"user_id":"auth0|1"}}`)
	wantSuccess(t, res)

	if got, want := res.Commit, "abc123"; got != want {
		t.Errorf("commit = %q, want %q", got, want)
	}
	if got, want := res.Generation, int64(7); got != want {
		t.Errorf("generation = %d, want %d", got, want)
	}
	if len(res.ExecutionID) != 32 {
		t.Errorf("execution_id = %q, want 32 hex digits", res.ExecutionID)
	}
	if len(res.Actions) != 1 {
		t.Fatalf("got %d action results, want 1", len(res.Actions))
	}
	ar := res.Actions[0]
	if ar.Name != "log-login" || ar.Version != "c0ffee" || ar.Error != nil {
		t.Errorf("action result = %s, want log-login@c0ffee without error", toJSON(t, ar))
	}
	wantLogs := []string{"{ code: 'logger_success', message: 'sent' }", "stored 42"}
	if got, want := toJSON(t, ar.Logs), toJSON(t, wantLogs); got != want {
		t.Errorf("logs = %s, want %s", got, want)
	}
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"https://example.com/roles":["admin","dev"]}`; got != want {
		t.Errorf("id token claims = %s, want %s", got, want)
	}
	if got, want := toJSON(t, res.Commands), `[{"action":"log-login","op":"idToken.setCustomClaim","args":["https://example.com/roles",["admin","dev"]]}]`; got != want {
		t.Errorf("commands = %s, want %s", got, want)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.got) != 1 {
		t.Fatalf("sink got %d requests, want 1", len(sink.got))
	}
	if got, want := sink.keys[0], key; got != want {
		t.Errorf("X-API-Key = %q, want %q", got, want)
	}
	var body map[string]string
	if err := json.Unmarshal([]byte(sink.got[0]), &body); err != nil || body["code"] != "logger_success" {
		t.Errorf("sink body = %s, want the logger_success event", sink.got[0])
	}
}

func TestResultJSONShape(t *testing.T) {
	g := mustBuild(t, newSpec(newAction("noop", `exports.onExecutePostLogin = async () => {};`)), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	got := toJSON(t, res)
	for _, want := range []string{
		`"outcome":"success"`, `"logs":[]`, `"commands":[]`, `"error":null`,
		`"result":{"id_token_claims":{},"access_token_claims":{},"app_metadata":{},"user_metadata":{},"access":{"denied":false},"redirect":null,"multifactor":null}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("result %s does not contain %s", got, want)
		}
	}
}
