package daemon

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/internal/tracing"
	"github.com/actionsd/actionsd/internal/tracing/otlptest"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// tracedRepo is a repository whose one action, bound to post-login, fetches process.env.SINK.
func tracedRepo(t *testing.T) *gitRepo {
	t.Helper()
	repo := newGitRepo(t)
	repo.write("triggers.yaml", "post-login: [traced]\n")
	repo.write("actions/traced/action.yaml", "trigger: post-login\n")
	repo.write("actions/traced/index.js", `exports.onExecutePostLogin = async (event, api) => {
  const r = await fetch(process.env.SINK + '/hit?user=' + encodeURIComponent(event.user.user_id));
  api.idToken.setCustomClaim('status', r.status);
};
`)
	repo.commit("traced action")
	return repo
}

// traceparentSink records the traceparent header of each request.
type traceparentSink struct {
	*httptest.Server
	mu  gosync.Mutex
	got []string
}

func newTraceparentSink(t *testing.T) *traceparentSink {
	s := &traceparentSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.got = append(s.got, r.Header.Get("traceparent"))
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *traceparentSink) traceparents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

const (
	callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan  = "00f067aa0ba902b7"
	traceparent = "00-" + callerTrace + "-" + callerSpan + "-01"
)

// executeTraced sends POST /v1/triggers/post-login/execute with the caller's traceparent.
func executeTraced(t *testing.T, url string) runner.Result {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/v1/triggers/post-login/execute", strings.NewReader(`{"user":{"user_id":"u-secret-1"}}`))
	req.Header.Set("traceparent", traceparent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var res runner.Result
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &res) != nil || res.Outcome != runner.OutcomeSuccess {
		t.Fatalf("execute: %d %s", resp.StatusCode, body)
	}
	return res
}

// A daemon traces its reconciles (a span per step, children of the reconcile's) and its
// executions: the execution route continues the caller's traceparent, and the action's fetch
// carries the traceparent of its own span to the server it reaches.
func TestTracingInProcess(t *testing.T) {
	repo := tracedRepo(t)
	head := repo.git("rev-parse", "HEAD")
	sink := newTraceparentSink(t)
	rec := tracetest.NewSpanRecorder()
	tr := tracing.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))

	cfg := testConfig(t, repo.dir)
	cfg.Egress.Allow = []string{"127.0.0.1"}
	cfg.ProcessEnv = map[string]string{"SINK": sink.URL}
	d, err := New(cfg, Options{Secrets: Secrets{Source: vaultsecrets.NewStatic(nil, zaptest.NewLogger(t))}, Logger: zaptest.NewLogger(t), Tracing: tr})
	if err != nil {
		t.Fatal(err)
	}
	td := runDaemon(t, d)
	if st := td.sync(""); !st.Ready {
		t.Fatalf("sync: %+v", st)
	}

	// The reconcile: one root span, a child per step, in order.
	var reconcile sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == "reconcile" && attr(s, "actionsd.outcome") == "applied" {
			reconcile = s
		}
	}
	if reconcile == nil {
		t.Fatalf("no applied reconcile span among %v", names(rec.Ended()))
	}
	if reconcile.Parent().IsValid() {
		t.Errorf("the reconcile has a parent: %v", reconcile.Parent())
	}
	if attr(reconcile, "actionsd.commit") != head || attr(reconcile, "actionsd.generation") != "1" {
		t.Errorf("reconcile attributes %v, want commit %s generation 1", reconcile.Attributes(), head)
	}
	var steps []string
	for _, s := range rec.Ended() {
		if s.Parent().SpanID() == reconcile.SpanContext().SpanID() {
			steps = append(steps, s.Name()+"="+attr(s, "actionsd.result"))
		}
	}
	want := "reconcile fetch=ok reconcile snapshot=ok reconcile validate=ok reconcile resolve=ok reconcile install=ok reconcile secrets=ok reconcile build=ok reconcile swap=ok"
	if got := strings.Join(steps, " "); got != want {
		t.Errorf("steps:\n got %s\nwant %s", got, want)
	}

	// The execution continues the caller's trace.
	executeTraced(t, td.url)
	spans := rec.Ended()
	exec, action, get := one(t, spans, "execute post-login"), one(t, spans, "action traced"), one(t, spans, "GET")
	if exec.SpanContext().TraceID().String() != callerTrace || exec.Parent().SpanID().String() != callerSpan {
		t.Errorf("execution in trace %s under %s, want the caller's %s under %s", exec.SpanContext().TraceID(), exec.Parent().SpanID(), callerTrace, callerSpan)
	}
	if action.Parent().SpanID() != exec.SpanContext().SpanID() || get.Parent().SpanID() != action.SpanContext().SpanID() {
		t.Errorf("tree: action's parent %s (execution %s), GET's parent %s (action %s)", action.Parent().SpanID(), exec.SpanContext().SpanID(),
			get.Parent().SpanID(), action.SpanContext().SpanID())
	}
	if attr(exec, "actionsd.commit") != head || attr(exec, "actionsd.generation") != "1" || attr(exec, "actionsd.outcome") != "success" {
		t.Errorf("execution attributes %v", exec.Attributes())
	}
	wantTP := "00-" + callerTrace + "-" + get.SpanContext().SpanID().String() + "-01"
	if got := sink.traceparents(); len(got) != 1 || got[0] != wantTP {
		t.Errorf("the sink got traceparent %q, want [%s]", got, wantTP)
	}
	for _, s := range spans {
		for _, kv := range s.Attributes() {
			if v := kv.Value.Emit(); strings.Contains(v, "u-secret-1") || strings.Contains(v, "?") {
				t.Errorf("span %s's attribute %s = %q holds the event or a query", s.Name(), kv.Key, v)
			}
		}
	}

	// A commit that does not build: the reconcile fails at its build step, both spans say so.
	repo.write("actions/traced/index.js", "exports.onExecutePostLogin = async (event, api) => {\n")
	broken := repo.commit("broken")
	rec.Reset()
	if st := td.sync(""); st.Attempted == nil || st.Attempted.Result != "failed" {
		t.Fatalf("sync of a broken commit: %+v", st.Attempted)
	}
	failed := one(t, rec.Ended(), "reconcile")
	step := attr(failed, "actionsd.step")
	if attr(failed, "actionsd.outcome") != "failed" || attr(failed, "actionsd.commit") != broken || step == "" || failed.Status().Code.String() != "Error" {
		t.Errorf("failed reconcile: attributes %v, status %v", failed.Attributes(), failed.Status())
	}
	if s := one(t, rec.Ended(), "reconcile "+step); attr(s, "actionsd.result") != "content" || s.Status().Code.String() != "Error" {
		t.Errorf("failed step %s: attributes %v, status %v", step, s.Attributes(), s.Status())
	}
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}

func one(t *testing.T, spans []sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == name {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d spans named %q among %v, want 1", len(found), name, names(spans))
	}
	return found[0]
}

// servedBinary is one `actionsd serve` process of the binary.
type servedBinary struct {
	cmd  *exec.Cmd
	url  string
	logs *lockedWriter // stdout and stderr
	done chan struct{}
}

// serveBinary runs actionsd serve on repo with env added to a environment without OTEL_*
// variables, and waits until it is ready.
func serveBinary(t *testing.T, repo, sinkURL string, env ...string) *servedBinary {
	t.Helper()
	home := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	secrets := filepath.Join(home, "secrets.yaml")
	if err := os.WriteFile(secrets, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(actionsdBinary(t), "serve", "--repo", repo, "--data-dir", filepath.Join(home, "data"), "--addr", addr,
		"--poll-interval", "0", "--log-format", "json", "--secrets-file", secrets, "--egress-allow", "127.0.0.1",
		"--process-env", "SINK="+sinkURL)
	for _, kv := range gitEnv(home) {
		if !strings.HasPrefix(kv, "OTEL_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	b := &servedBinary{cmd: cmd, url: "http://" + addr, logs: &lockedWriter{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = b.logs, b.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(b.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-b.done
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-b.done:
			t.Fatalf("actionsd serve exited before it was ready:\n%s", b.output())
		default:
		}
		if resp, err := http.Get(b.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return b
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("actionsd serve not ready after 60s:\n%s", b.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *servedBinary) output() string { return b.logs.String() }

// stop sends SIGINT and waits for the exit (the daemon flushes its spans on the way out).
func (b *servedBinary) stop(t *testing.T) {
	t.Helper()
	_ = b.cmd.Process.Signal(os.Interrupt)
	select {
	case <-b.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("actionsd serve did not stop within 30s:\n%s", b.output())
	}
	if code := b.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("actionsd serve exited %d:\n%s", code, b.output())
	}
}

// The real binary, run with OTEL_EXPORTER_OTLP_ENDPOINT naming a receiver on loopback, sends its
// reconcile's and its execution's spans there over OTLP/HTTP protobuf; with OTEL_TRACES_EXPORTER=none
// beside the same endpoint, or with no OTEL_* variable at all, nothing arrives and no traceparent
// leaves.
func TestTracingBinaryOTLP(t *testing.T) {
	repo := tracedRepo(t)
	head := repo.git("rev-parse", "HEAD")
	sink := newTraceparentSink(t)

	t.Run("on", func(t *testing.T) {
		recv := otlptest.NewHTTP(t)
		b := serveBinary(t, repo.dir, sink.URL, "OTEL_EXPORTER_OTLP_ENDPOINT="+recv.Endpoint, "OTEL_SERVICE_NAME=actionsd-test")
		if !strings.Contains(b.output(), `"tracing on"`) {
			t.Errorf("no tracing-on log line:\n%s", b.output())
		}
		executeTraced(t, b.url)
		b.stop(t)
		if errs := recv.Errors(); len(errs) > 0 {
			t.Errorf("bad export requests: %q", errs)
		}
		spans := recv.Spans()
		by := map[string][]otlptest.Span{}
		for _, s := range spans {
			by[s.Name] = append(by[s.Name], s)
		}
		var applied *otlptest.Span
		for i, s := range by["reconcile"] {
			if s.Attributes["actionsd.outcome"] == "applied" {
				applied = &by["reconcile"][i]
			}
		}
		if applied == nil || applied.Attributes["actionsd.commit"] != head {
			t.Fatalf("no applied reconcile of %s among %d spans: %+v", head, len(spans), by["reconcile"])
		}
		for _, step := range []string{"fetch", "snapshot", "validate", "resolve", "install", "secrets", "build", "swap"} {
			found := false
			for _, s := range by["reconcile "+step] {
				found = found || s.ParentSpanID == applied.SpanID
			}
			if !found {
				t.Errorf("no step span %q under the applied reconcile", step)
			}
		}
		if len(by["execute post-login"]) != 1 || len(by["action traced"]) != 1 || len(by["GET"]) != 1 {
			t.Fatalf("execution spans: %d execute, %d action, %d GET; all: %v", len(by["execute post-login"]), len(by["action traced"]), len(by["GET"]), by)
		}
		exec, action, get := by["execute post-login"][0], by["action traced"][0], by["GET"][0]
		if exec.TraceID != callerTrace || exec.ParentSpanID != callerSpan || exec.Kind != "SPAN_KIND_SERVER" {
			t.Errorf("execution %+v, want it in trace %s under %s", exec, callerTrace, callerSpan)
		}
		if action.ParentSpanID != exec.SpanID || get.ParentSpanID != action.SpanID || get.Kind != "SPAN_KIND_CLIENT" {
			t.Errorf("tree: execution %s, action %s under %s, GET under %s", exec.SpanID, action.SpanID, action.ParentSpanID, get.ParentSpanID)
		}
		if exec.Resource["service.name"] != "actionsd-test" || exec.Scope != "github.com/actionsd/actionsd" {
			t.Errorf("resource %v scope %q", exec.Resource, exec.Scope)
		}
		if got, want := sink.traceparents(), fmt.Sprintf("00-%s-%s-01", callerTrace, get.SpanID); len(got) != 1 || got[0] != want {
			t.Errorf("the sink got traceparent %q, want [%s]", got, want)
		}
	})

	for _, c := range []struct {
		name string
		env  []string
	}{
		{"exporter none", []string{"OTEL_TRACES_EXPORTER=none"}},
		{"unset", nil},
	} {
		t.Run("off/"+c.name, func(t *testing.T) {
			sink.mu.Lock()
			sink.got = nil
			sink.mu.Unlock()
			recv := otlptest.NewHTTP(t)
			env := c.env
			if env != nil {
				env = append(env, "OTEL_EXPORTER_OTLP_ENDPOINT="+recv.Endpoint)
			}
			b := serveBinary(t, repo.dir, sink.URL, env...)
			executeTraced(t, b.url)
			b.stop(t)
			if n := recv.Requests(); n != 0 {
				t.Errorf("the receiver got %d export requests with tracing off", n)
			}
			if strings.Contains(b.output(), `"tracing on"`) {
				t.Errorf("tracing on with %v:\n%s", c.env, b.output())
			}
			if got := sink.traceparents(); len(got) != 1 || got[0] != "" {
				t.Errorf("with tracing off the sink got traceparents %q, want one request without", got)
			}
		})
	}
}
