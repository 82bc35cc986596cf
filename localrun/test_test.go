package localrun

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actionsd/actionsd/review"
	"github.com/actionsd/actionsd/runner/egress"
)

func write(t *testing.T, dir, path, content string) {
	t.Helper()
	full := filepath.Join(dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// workspace is a git repository with the logger module (draft only) and an action pinning it.
func workspace(t *testing.T) *Workspace {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", "-b", "main", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	write(t, dir, "triggers.yaml", "post-login: [log-login]\n")
	write(t, dir, "modules/logger/module.yaml", "secrets: [SERVICE_URL]\n")
	write(t, dir, "modules/logger/index.js", `module.exports = {
  sendLog: async (code) => {
    const res = await fetch(actions.secrets.SERVICE_URL, { method: 'POST', body: JSON.stringify({ code }) });
    return res.status;
  },
};
`)
	write(t, dir, "modules/logger/logger.test.js", `const logger = require('./index.js');
test('posts to the service', async () => {
  await mockFetch('POST https://logs.example.com/*', { status: 204 });
  expect(await logger.sendLog('x')).toBe(204);
  const calls = await fetchCalls();
  expect(calls).toHaveLength(1);
  expect(JSON.parse(calls[0].body)).toEqual({ code: 'x' });
});
`)
	write(t, dir, "actions/log-login/action.yaml", "trigger: post-login\nmodules:\n  logger: 1\n")
	write(t, dir, "actions/log-login/index.js", `const logger = require('actions:logger');
exports.onExecutePostLogin = async (event, api) => {
  await logger.sendLog('login');
  api.idToken.setCustomClaim('https://example.com/roles', event.authorization?.roles ?? []);
};
`)
	write(t, dir, "actions/log-login/log-login.test.js", `const { onExecutePostLogin } = require('./index.js');
describe('log-login', () => {
  test('sets the roles claim', async () => {
    await mockFetch('https://logs.example.com/*', { status: 204 });
    const api = mockApi();
    await onExecutePostLogin(events.postLogin({ authorization: { roles: ['admin'] } }), api);
    expect(api).toHaveCalled('idToken.setCustomClaim', 'https://example.com/roles', ['admin']);
  });
  test('fails without a stub', async () => {
    await onExecutePostLogin(events.postLogin(), mockApi());
  });
  test('a failing expectation', () => {
    expect({ a: 1 }).toEqual({ a: 2 });
  });
  test.skip('later', () => {});
});
`)
	r, err := review.Open(dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.Read(review.WorkingTree)
	if err != nil {
		t.Fatal(err)
	}
	return &Workspace{State: st, Draft: true}
}

func TestRunTests(t *testing.T) {
	w := workspace(t)
	w.Secrets = staticSecrets{"modules/logger": {"SERVICE_URL": "https://logs.example.com/v1"}}
	files := w.Discover()
	if len(files) != 2 || files[0].Path != "actions/log-login/log-login.test.js" || files[1].Path != "modules/logger/logger.test.js" {
		t.Fatalf("Discover: got %+v", files)
	}
	got := map[string]TestResult{}
	for _, f := range files {
		for _, r := range w.RunTests(context.Background(), f, TestOptions{}) {
			got[r.Name] = r
		}
	}
	want := map[string]string{
		"log-login › sets the roles claim":  "pass",
		"log-login › fails without a stub":  "fail",
		"log-login › a failing expectation": "fail",
		"log-login › later":                 "skip",
		"posts to the service":              "pass",
	}
	for name, status := range want {
		if got[name].Status != status {
			t.Errorf("%s: got %+v, want %s", name, got[name], status)
		}
	}
	if r := got["log-login › fails without a stub"]; !strings.Contains(r.Error, "no mockFetch stub matches POST https://") && !strings.Contains(r.Error, "fetch failed") {
		t.Errorf("no stub: got error %q", r.Error)
	}
	if r := got["log-login › a failing expectation"]; !strings.Contains(r.Error, `expected: {"a":1} to equal {"a":2}`) || r.Pos != "actions/log-login/log-login.test.js:13:29" {
		t.Errorf("expectation: got %q at %q", r.Error, r.Pos)
	}
}

func TestModuleTestWithoutSecrets(t *testing.T) {
	w := workspace(t)
	w.Placeholders = true // SERVICE_URL is https://service-url.test.invalid: not stubbed
	files := w.Discover("modules/logger")
	if len(files) != 1 {
		t.Fatalf("Discover(modules/logger): got %+v", files)
	}
	rs := w.RunTests(context.Background(), files[0], TestOptions{})
	if len(rs) != 1 || rs[0].Status != "fail" || !strings.Contains(rs[0].Error, "no mockFetch stub matches POST https://service-url.test.invalid") {
		t.Fatalf("got %+v, want one test failing for want of a stub", rs)
	}
}

// TestPassThrough: with --egress-allow naming its host, a fetch no stub matches reaches a real
// listener on loopback through the egress client; a host the list does not name stays stubbed-only.
func TestPassThrough(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, _ := io.ReadAll(r.Body); string(b) == `{"code":"x"}` && r.Method == "POST" {
			hits.Add(1)
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	w := workspace(t)
	w.Secrets = staticSecrets{"modules/logger": {"SERVICE_URL": srv.URL + "/v1"}}
	files := w.Discover("modules/logger")
	if len(files) != 1 {
		t.Fatalf("Discover(modules/logger): got %+v", files)
	}
	for _, c := range []struct {
		allow  []string
		status string
		hits   int32
	}{
		{nil, "fail", 0},
		{[]string{"10.0.0.0/8", "localhost"}, "fail", 0},
		{[]string{"127.0.0.1"}, "pass", 1},
		{[]string{"127.0.0.0/8"}, "pass", 2},
	} {
		rs := w.RunTests(context.Background(), files[0], TestOptions{PassThrough: egress.Policy{Allow: c.allow}})
		if len(rs) != 1 || rs[0].Status != c.status || hits.Load() != c.hits {
			t.Errorf("allow %v: got %+v and %d requests, want %s and %d", c.allow, rs, hits.Load(), c.status, c.hits)
		}
		if c.status == "fail" && !strings.Contains(rs[0].Error, "no mockFetch stub matches POST "+srv.URL) {
			t.Errorf("allow %v: got error %q", c.allow, rs[0].Error)
		}
	}
}
