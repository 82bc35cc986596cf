package tracing_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	gosync "sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/actionsd/actionsd/internal/tracing"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/sync"
)

// The hooks tracing implements.
var (
	_ runner.Tracer = (*tracing.Tracing)(nil)
	_ sync.Tracer   = (*tracing.Tracing)(nil)
)

const secret = "s3cr3t-token-value"

// tracedAction fetches (GET), sends an http.request (POST) and opens a node:net socket, each to a
// loopback server, with the secret in the query string: every way out that has a span.
const tracedAction = `const http = require('http');
const net = require('net');
exports.onExecutePostLogin = async (event, api) => {
  const base = event.secrets.BASE;
  const r = await fetch(base + '/fetch?token=' + event.secrets.TOKEN);
  await r.text();
  await new Promise((resolve, reject) => {
    const req = http.request(base + '/node?token=' + event.secrets.TOKEN, { method: 'POST' }, res => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end('body');
  });
  await new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: Number(event.secrets.TCP_PORT) }, () => { s.end(); resolve(); });
    s.on('error', reject);
  });
  api.idToken.setCustomClaim('ok', true);
};`

// loopback is an HTTP server that records the traceparent of each request by path, and a TCP
// listener that accepts and closes.
type loopback struct {
	http *httptest.Server
	tcp  net.Listener

	mu           gosync.Mutex
	traceparents map[string]string // path -> traceparent header ("" when none came)
}

func newLoopback(t *testing.T) *loopback {
	t.Helper()
	lb := &loopback{traceparents: map[string]string{}}
	lb.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		lb.mu.Lock()
		lb.traceparents[r.URL.Path] = r.Header.Get("traceparent")
		lb.mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(lb.http.Close)
	var err error
	if lb.tcp, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lb.tcp.Close() })
	go func() {
		for {
			c, err := lb.tcp.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return lb
}

func (lb *loopback) traceparent(path string) string {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.traceparents[path]
}

// build builds a generation of tracedAction bound to post-login, tracing with tr (nil: off),
// allowed to reach 127.0.0.1.
func build(t *testing.T, tr *tracing.Tracing, lb *loopback) *runner.Generation {
	t.Helper()
	allow, err := egress.ParseAllow([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	opts := runner.Options{HTTPClient: egress.NewClient(allow)}
	if tr != nil {
		opts.Tracer = tr
		opts.HTTPClient = tr.Client(opts.HTTPClient)
	}
	spec := &runner.Spec{Commit: "c0ffee", Generation: 7,
		Actions: map[string]*runner.ActionSpec{"traced": {Name: "traced", Version: "v1", Trigger: "post-login",
			Source: runner.Source{Dir: "actions/traced", Entry: "index.js", Files: map[string][]byte{"index.js": []byte(tracedAction)}},
			Secrets: map[string]string{"BASE": lb.http.URL, "TOKEN": secret,
				"TCP_PORT": strconv.Itoa(lb.tcp.Addr().(*net.TCPAddr).Port)}}},
		Bindings: map[string][]string{"post-login": {"traced"}}}
	g, err := runner.Build(context.Background(), spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return g
}

func newRecorder() (*tracetest.SpanRecorder, *tracing.Tracing) {
	rec := tracetest.NewSpanRecorder()
	return rec, tracing.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
}

// byName returns the one ended span named name.
func byName(t *testing.T, spans []sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == name {
			if found != nil {
				t.Fatalf("two spans named %q", name)
			}
			found = s
		}
	}
	if found == nil {
		names := []string{}
		for _, s := range spans {
			names = append(names, s.Name())
		}
		t.Fatalf("no span named %q among %q", name, names)
	}
	return found
}

func attrs(s sdktrace.ReadOnlySpan) map[string]string {
	m := map[string]string{}
	for _, kv := range s.Attributes() {
		m[string(kv.Key)] = kv.Value.Emit()
	}
	return m
}

// An execution is a span whose parent is the caller's traceparent, with a child per action, and
// the action's fetch, http.request and socket connect are children of the action's span; the
// requests carry the traceparent of their own span; no attribute holds the secret or a query.
func TestExecutionSpanTree(t *testing.T) {
	lb := newLoopback(t)
	rec, tr := newRecorder()
	g := build(t, tr, lb)

	const callerTrace, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	h := http.Header{}
	h.Set("traceparent", "00-"+callerTrace+"-"+callerSpan+"-01")
	ctx := tr.TraceContext(context.Background(), h)
	res, err := g.Execute(ctx, "post-login", []byte(`{"user":{"email":"someone@example.com"}}`))
	if err != nil || res.Outcome != runner.OutcomeSuccess {
		t.Fatalf("execute: %v %+v", err, res.Actions)
	}

	spans := rec.Ended()
	exec := byName(t, spans, "execute post-login")
	action := byName(t, spans, "action traced")
	get := byName(t, spans, "GET")
	post := byName(t, spans, "POST")
	connect := byName(t, spans, "connect")
	if len(spans) != 5 {
		t.Errorf("got %d spans, want 5", len(spans))
	}

	if got := exec.SpanContext().TraceID().String(); got != callerTrace {
		t.Errorf("execution's trace id %s, want the caller's %s", got, callerTrace)
	}
	if got := exec.Parent().SpanID().String(); got != callerSpan || !exec.Parent().IsRemote() {
		t.Errorf("execution's parent %s (remote %v), want the caller's span %s", got, exec.Parent().IsRemote(), callerSpan)
	}
	if exec.SpanKind() != trace.SpanKindServer {
		t.Errorf("execution's kind %v, want server", exec.SpanKind())
	}
	want := map[string]string{"actionsd.trigger": "post-login", "actionsd.commit": "c0ffee", "actionsd.generation": "7", "actionsd.outcome": "success"}
	if got := attrs(exec); !equal(got, want) {
		t.Errorf("execution's attributes %v, want %v", got, want)
	}
	if action.Parent().SpanID() != exec.SpanContext().SpanID() {
		t.Errorf("action's parent %s, want the execution %s", action.Parent().SpanID(), exec.SpanContext().SpanID())
	}
	if got := attrs(action); !equal(got, map[string]string{"actionsd.action": "traced"}) {
		t.Errorf("action's attributes %v", got)
	}
	port := strconv.Itoa(lb.http.Listener.Addr().(*net.TCPAddr).Port)
	for _, c := range []struct {
		span   sdktrace.ReadOnlySpan
		path   string
		method string
	}{{get, "/fetch", "GET"}, {post, "/node", "POST"}} {
		if c.span.Parent().SpanID() != action.SpanContext().SpanID() {
			t.Errorf("%s's parent %s, want the action %s", c.method, c.span.Parent().SpanID(), action.SpanContext().SpanID())
		}
		if c.span.SpanKind() != trace.SpanKindClient {
			t.Errorf("%s's kind %v, want client", c.method, c.span.SpanKind())
		}
		want := map[string]string{"http.request.method": c.method, "server.address": "127.0.0.1", "server.port": port, "http.response.status_code": "200"}
		if got := attrs(c.span); !equal(got, want) {
			t.Errorf("%s's attributes %v, want %v", c.method, got, want)
		}
		wantTP := "00-" + callerTrace + "-" + c.span.SpanContext().SpanID().String() + "-01"
		if got := lb.traceparent(c.path); got != wantTP {
			t.Errorf("%s %s carried traceparent %q, want %q (its span's)", c.method, c.path, got, wantTP)
		}
	}
	if connect.Parent().SpanID() != action.SpanContext().SpanID() {
		t.Errorf("connect's parent %s, want the action %s", connect.Parent().SpanID(), action.SpanContext().SpanID())
	}
	tcpPort := strconv.Itoa(lb.tcp.Addr().(*net.TCPAddr).Port)
	if got := attrs(connect); !equal(got, map[string]string{"network.transport": "tcp", "server.address": "127.0.0.1", "server.port": tcpPort}) {
		t.Errorf("connect's attributes %v", got)
	}
	for _, s := range spans {
		if s.SpanContext().TraceID().String() != callerTrace {
			t.Errorf("span %s is in trace %s, not the caller's", s.Name(), s.SpanContext().TraceID())
		}
		for k, v := range attrs(s) {
			if strings.Contains(v, secret) || strings.Contains(v, "?") || strings.Contains(v, "example.com") || strings.Contains(v, "/fetch") {
				t.Errorf("span %s's attribute %s = %q holds a secret, a query, a path or the event", s.Name(), k, v)
			}
		}
		if strings.Contains(s.Status().Description, secret) {
			t.Errorf("span %s's status holds the secret", s.Name())
		}
	}
}

// Without a caller's traceparent the execution starts a trace; a failing action marks the action
// and the execution as errors, without the error's text (it may quote the event).
func TestExecutionFailedNewTrace(t *testing.T) {
	rec, tr := newRecorder()
	spec := &runner.Spec{Commit: "c1", Generation: 1,
		Actions: map[string]*runner.ActionSpec{"boom": {Name: "boom", Version: "v1", Trigger: "post-login",
			Source: runner.Source{Dir: "actions/boom", Entry: "index.js", Files: map[string][]byte{"index.js": []byte(
				`exports.onExecutePostLogin = async (event) => { throw new Error('bad ' + event.user.email); };`)}}}},
		Bindings: map[string][]string{"post-login": {"boom"}}}
	g, err := runner.Build(context.Background(), spec, runner.Options{Tracer: tr})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	res, err := g.Execute(context.Background(), "post-login", []byte(`{"user":{"email":"someone@example.com"}}`))
	if err != nil || res.Outcome != runner.OutcomeFailed {
		t.Fatalf("execute: %v %+v", err, res.Actions)
	}
	spans := rec.Ended()
	exec, action := byName(t, spans, "execute post-login"), byName(t, spans, "action boom")
	if exec.Parent().IsValid() {
		t.Errorf("execution has parent %s without a traceparent", exec.Parent().SpanID())
	}
	for _, s := range []sdktrace.ReadOnlySpan{exec, action} {
		if s.Status().Code.String() != "Error" {
			t.Errorf("%s's status %v, want Error", s.Name(), s.Status())
		}
		if strings.Contains(s.Status().Description, "example.com") {
			t.Errorf("%s's status %q quotes the event", s.Name(), s.Status().Description)
		}
	}
	if got := attrs(exec)["actionsd.outcome"]; got != "failed" {
		t.Errorf("outcome %q", got)
	}

	// A single action's test (POST /v1/actions/{name}/test) is an execution too.
	rec.Reset()
	if _, err := g.Test(context.Background(), "boom", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	spans = rec.Ended()
	if exec, action := byName(t, spans, "execute post-login"), byName(t, spans, "action boom"); action.Parent().SpanID() != exec.SpanContext().SpanID() {
		t.Errorf("Test: the action's parent %s, want the execution %s", action.Parent().SpanID(), exec.SpanContext().SpanID())
	}
}

// Tracing off: the runner is built without hooks, and requests carry no traceparent.
func TestOffSendsNoTraceparent(t *testing.T) {
	lb := newLoopback(t)
	g := build(t, nil, lb)
	res, err := g.Execute(context.Background(), "post-login", []byte(`{}`))
	if err != nil || res.Outcome != runner.OutcomeSuccess {
		t.Fatalf("execute: %v %+v", err, res.Actions)
	}
	for _, p := range []string{"/fetch", "/node"} {
		if got := lb.traceparent(p); got != "" {
			t.Errorf("%s carried traceparent %q with tracing off", p, got)
		}
	}
}

// The traced client still dials through the egress policy: a client whose policy allows no
// loopback refuses requests and sockets to it, and their spans are errors.
func TestClientKeepsEgress(t *testing.T) {
	lb := newLoopback(t)
	rec, tr := newRecorder()
	c := tr.Client(egress.NewClient(egress.Policy{}))
	req, _ := http.NewRequest("GET", lb.http.URL+"/refused", nil)
	if _, err := c.Do(req); err == nil || !strings.Contains(err.Error(), "egress") {
		t.Errorf("request to loopback: %v, want an egress refusal", err)
	}
	dial := egress.DialerOf(c)
	if dial == nil {
		t.Fatal("DialerOf(traced client) = nil: sockets would be refused")
	}
	if conn, err := dial(context.Background(), "tcp", lb.tcp.Addr().String()); err == nil || !strings.Contains(err.Error(), "egress") {
		if conn != nil {
			conn.Close()
		}
		t.Errorf("socket to loopback: %v, want an egress refusal", err)
	}
	for _, name := range []string{"GET", "connect"} {
		if s := byName(t, rec.Ended(), name); s.Status().Code.String() != "Error" {
			t.Errorf("%s's status %v, want Error", name, s.Status())
		}
	}
	lb.mu.Lock()
	_, reached := lb.traceparents["/refused"]
	lb.mu.Unlock()
	if reached {
		t.Error("the refused request reached the server")
	}
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}
