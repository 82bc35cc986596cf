package api

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync"
)

// startServer serves cfg with NewServer on a loopback port until the test ends.
func startServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(cfg)
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	t.Cleanup(func() { _ = srv.Close(); <-done })
	return srv, ln.Addr().String()
}

// dial opens a connection to addr and writes head (nothing when empty).
func dial(t *testing.T, addr, head string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if head != "" {
		if _, err := io.WriteString(c, head); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// closedWithin waits up to d for the server to close c (a read that ends in EOF or an error,
// after whatever response it wrote) and returns what was read and whether it closed.
func closedWithin(c net.Conn, d time.Duration) (string, bool) {
	_ = c.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return string(b), false
	}
	return string(b), true
}

// closedCount reads actionsd_http_connections_closed_total{reason} from reg.
func closedCount(reg *prometheus.Registry, _ *Server, reason string) float64 {
	return gathered(reg, "actionsd_http_connections_closed_total", reason)
}

// gathered reads the value of metric name from reg: the series whose one label is label, or
// the only series when label is "".
func gathered(reg *prometheus.Registry, name, label string) float64 {
	mfs, err := reg.Gather()
	if err != nil {
		panic(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label == "" || len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == label {
				if g := m.GetGauge(); g != nil {
					return g.GetValue()
				}
				return m.GetCounter().GetValue()
			}
		}
	}
	return -1
}

func TestLimitsDefaults(t *testing.T) {
	got := Limits{}.withDefaults()
	want := Limits{ReadHeaderTimeout: 10 * time.Second, RequestTimeout: 30 * time.Second, WriteTimeout: 10 * time.Second,
		IdleTimeout: 75 * time.Second, MaxUnauthenticatedConns: 256}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	// The header timeout never outlasts the whole request's.
	if got := (Limits{ReadHeaderTimeout: 10 * time.Second, RequestTimeout: 2 * time.Second}).withDefaults(); got.ReadHeaderTimeout != 2*time.Second {
		t.Errorf("read header timeout %s with a request timeout of 2s, want 2s", got.ReadHeaderTimeout)
	}
	srv := NewServer(Config{Reconciler: serving{}})
	if srv.ReadTimeout != 30*time.Second || srv.ReadHeaderTimeout != 10*time.Second || srv.IdleTimeout != 75*time.Second ||
		srv.WriteTimeout != 60*time.Second {
		t.Errorf("http.Server: read %s, read header %s, idle %s, write %s; want 30s, 10s, 75s, 60s (30s + the 20s budget + 10s)",
			srv.ReadTimeout, srv.ReadHeaderTimeout, srv.IdleTimeout, srv.WriteTimeout)
	}
}

// TestServerCapClosesOldest: over MaxUnauthenticatedConns, each new connection closes the
// oldest one that has not authenticated, while an authenticated connection is never counted or
// closed, and a client that authenticates on a new connection is answered.
func TestServerCapClosesOldest(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv, addr := startServer(t, Config{Reconciler: serving{gen: claimsGeneration(t)}, Token: "s3cret", Registerer: reg,
		Limits: Limits{MaxUnauthenticatedConns: 3}})
	authed := dial(t, addr, "")
	br := bufio.NewReader(authed)
	roundTrip := func() {
		t.Helper()
		if _, err := io.WriteString(authed, "POST /v1/triggers/post-login/execute HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 2\r\n\r\n{}"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("authenticated connection: %v", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("authenticated connection: status %d", resp.StatusCode)
		}
	}
	roundTrip()
	var silent []net.Conn
	for range 3 {
		silent = append(silent, dial(t, addr, "POST /hooks/generic HTTP/1.1\r\nHost: x\r\n"))
	}
	waitFor(t, func() bool { return gathered(reg, "actionsd_http_unauthenticated_connections", "") == 3 })
	// A fourth closes the first, a fifth the second.
	silent = append(silent, dial(t, addr, ""), dial(t, addr, ""))
	for i, c := range silent[:2] {
		if _, closed := closedWithin(c, 2*time.Second); !closed {
			t.Errorf("connection %d (of the oldest) still open over the cap", i)
		}
	}
	for i, c := range silent[2:] {
		if _, closed := closedWithin(c, 200*time.Millisecond); closed {
			t.Errorf("connection %d (of the newest) closed", i+2)
		}
	}
	if got := closedCount(reg, srv, closedUnauthenticatedCap); got != 2 {
		t.Errorf("closed for the cap: %v, want 2", got)
	}
	roundTrip() // the authenticated connection was neither counted nor closed
	// A new client that authenticates gets its answer, and leaves the count.
	resp, err := authedPost(addr, "/v1/triggers/post-login/execute", "{}")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("new authenticated client: %v %v", resp, err)
	}
	waitFor(t, func() bool { return gathered(reg, "actionsd_http_unauthenticated_connections", "") <= 3 })
}

func authedPost(addr, path, body string) (*http.Response, error) {
	req, _ := http.NewRequest("POST", "http://"+addr+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer s3cret")
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestServerTimeouts: slow headers, a body that does not arrive, and an idle connection are
// closed at their limits and counted by reason; a body cut short answers 408 first.
func TestServerTimeouts(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv, addr := startServer(t, Config{Reconciler: serving{gen: claimsGeneration(t)}, Token: "s3cret", Registerer: reg, WebhookSecret: "shh",
		Limits: Limits{ReadHeaderTimeout: 300 * time.Millisecond, RequestTimeout: 600 * time.Millisecond, IdleTimeout: 300 * time.Millisecond}})
	const margin = 2 * time.Second
	sig := "sha256=" + strings.Repeat("ab", 32)
	tests := []struct {
		name, head string
		reason     string
		wantStatus string // "" when no response is due
	}{
		{"slow headers", "POST /v1/triggers/post-login/execute HTTP/1.1\r\nHost: x\r\n", closedHeaderTimeout, ""},
		{"body missing, with a token", "POST /v1/triggers/post-login/execute HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 10\r\n\r\n", closedRequestTimeout, "HTTP/1.1 408"},
		{"webhook body missing", "POST /hooks/generic HTTP/1.1\r\nHost: x\r\nX-Signature: " + sig + "\r\nContent-Length: 10\r\n\r\n{", closedRequestTimeout, "HTTP/1.1 408"},
		{"idle after an answer", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", closedIdleTimeout, "HTTP/1.1 200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := closedCount(reg, srv, tt.reason)
			start := time.Now()
			c := dial(t, addr, tt.head)
			got, closed := closedWithin(c, 600*time.Millisecond+margin)
			if !closed {
				t.Fatalf("still open after %s", time.Since(start))
			}
			if !strings.HasPrefix(got, tt.wantStatus) || tt.wantStatus == "" && got != "" {
				t.Errorf("answer %q, want %q", got, tt.wantStatus)
			}
			if n := closedCount(reg, srv, tt.reason); n != before+1 {
				t.Errorf("closed for %s: %v, want %v", tt.reason, n, before+1)
			}
		})
	}
}

// TestServerRefusesWithoutReadingTheBody: a request refused for its token, its signature or its
// declared size is answered at once, although its body never comes, and its connection closed.
func TestServerRefusesWithoutReadingTheBody(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv, addr := startServer(t, Config{Reconciler: serving{gen: claimsGeneration(t)}, Token: "s3cret", Registerer: reg, WebhookSecret: "shh",
		Limits: Limits{RequestTimeout: time.Minute}})
	tests := []struct {
		name, head, want, reason string
	}{
		{"no token", "POST /v1/triggers/post-login/execute HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n", "HTTP/1.1 401", closedUnauthorized},
		{"wrong token, large body", "POST /v1/actions/a/test HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\nContent-Length: 200000\r\n\r\n", "HTTP/1.1 401", closedUnauthorized},
		{"no token, chunked", "POST /v1/continue HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.1 401", closedUnauthorized},
		{"declared too large", "POST /v1/triggers/post-login/execute HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 2000000\r\n\r\n", "HTTP/1.1 413", closedBodyTooLarge},
		{"webhook unsigned", "POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n", "HTTP/1.1 401", closedUnauthorized},
		{"webhook signature malformed", "POST /hooks/generic HTTP/1.1\r\nHost: x\r\nX-Signature: sha256=00\r\nContent-Length: 10\r\n\r\n", "HTTP/1.1 401", closedUnauthorized},
		{"gitlab wrong token", "POST /hooks/gitlab HTTP/1.1\r\nHost: x\r\nX-Gitlab-Token: nope\r\nContent-Length: 10\r\n\r\n", "HTTP/1.1 401", closedUnauthorized},
		{"webhook declared too large", "POST /hooks/generic HTTP/1.1\r\nHost: x\r\nX-Signature: sha256=" + strings.Repeat("ab", 32) + "\r\nContent-Length: 6000000\r\n\r\n", "HTTP/1.1 413", closedBodyTooLarge},
		{"bodiless route with a body", "GET /v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 10\r\n\r\n", "HTTP/1.1 200", ""},
		{"unknown route with a body", "POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n", "HTTP/1.1 404", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before float64
			if tt.reason != "" {
				before = closedCount(reg, srv, tt.reason)
			}
			c := dial(t, addr, tt.head)
			got, closed := closedWithin(c, 2*time.Second)
			if !closed || !strings.HasPrefix(got, tt.want) {
				t.Fatalf("closed %v, answer %q; want %q and the connection closed at once", closed, got, tt.want)
			}
			if tt.reason != "" && closedCount(reg, srv, tt.reason) != before+1 {
				t.Errorf("closed for %s: %v, want %v", tt.reason, closedCount(reg, srv, tt.reason), before+1)
			}
		})
	}
}

// TestServerExecuteOutlastsWriteTimeout: an execution may take its budget although the request
// and write timeouts together are shorter.
func TestServerExecuteOutlastsWriteTimeout(t *testing.T) {
	src := `exports.onExecutePostLogin = async (event, api) => {
  await new Promise(r => setTimeout(r, 1500));
  api.idToken.setCustomClaim('slept', true);
};`
	spec := &runner.Spec{Commit: "c0ffee", Generation: 1,
		Actions: map[string]*runner.ActionSpec{"slow": {Name: "slow", Version: "v1", Trigger: "post-login",
			Source: runner.Source{Dir: "actions/slow", Entry: "index.js", Files: map[string][]byte{"index.js": []byte(src)}}}},
		Bindings: map[string][]string{"post-login": {"slow"}}}
	g, err := runner.Build(context.Background(), spec, runner.Options{Budget: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	_, addr := startServer(t, Config{Reconciler: serving{gen: g}, Token: "s3cret", ExecutionBudget: 5 * time.Second,
		Limits: Limits{RequestTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond}})
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/triggers/post-login/execute", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("execution of 1.5s with request and write timeouts of 0.3s each: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"slept":true`) {
		t.Errorf("got %d %s", resp.StatusCode, body)
	}
}

// TestServerEmptyEvent: the execute and test routes refuse an empty or blank body, naming the
// request; continue takes one (its state may come as ?state=).
func TestServerEmptyEvent(t *testing.T) {
	h := New(Config{Reconciler: serving{gen: claimsGeneration(t)}})
	for _, tt := range []struct {
		path, body string
		want       int
		wantMsg    string
	}{
		{"/v1/triggers/post-login/execute", "", 400, "POST /v1/triggers/post-login/execute: the request body is empty"},
		{"/v1/triggers/post-login/execute", " \r\n\t", 400, "POST /v1/triggers/post-login/execute: the request body is empty"},
		{"/v1/actions/claims/test", "", 400, "POST /v1/actions/claims/test: the request body is empty"},
		{"/v1/triggers/post-login/execute", "{}", 200, ""},
		{"/v1/continue?state=forged", "", 400, "state"}, // read as {}: the state is what is wrong
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", tt.path, strings.NewReader(tt.body)))
		if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.wantMsg) {
			t.Errorf("POST %s %q: got %d %s, want %d %q", tt.path, tt.body, rec.Code, rec.Body, tt.want, tt.wantMsg)
		}
		if tt.path == "/v1/continue?state=forged" && strings.Contains(rec.Body.String(), "empty") {
			t.Errorf("continue refused an empty body: %s", rec.Body)
		}
	}
}

// BenchmarkServe runs the claims-only execute route over loopback, authenticated, through the
// server as it was before Limits (only a header timeout) and through NewServer: what the
// deadlines, the connection tracking and the write-deadline extension cost per request.
func BenchmarkServe(b *testing.B) {
	g := claimsGeneration(b)
	cfg := Config{Reconciler: serving{gen: g}, Token: "s3cret"}
	event := `{"user":{"user_id":"auth0|123","email":"ada@example.com"},"authorization":{"roles":["admin","dev"]}}`
	for _, tt := range []struct {
		name  string
		serve func(net.Listener) (stop func())
	}{
		{"header-timeout-only", func(ln net.Listener) func() {
			srv := &http.Server{Handler: New(cfg), ReadHeaderTimeout: 10 * time.Second}
			go func() { _ = srv.Serve(ln) }()
			return func() { _ = srv.Close() }
		}},
		{"limits", func(ln net.Listener) func() {
			srv := NewServer(cfg)
			go func() { _ = srv.Serve(ln) }()
			return func() { _ = srv.Close() }
		}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer tt.serve(ln)()
			url := "http://" + ln.Addr().String() + "/v1/triggers/post-login/execute"
			tr := &http.Transport{MaxIdleConnsPerHost: 64}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("POST", url, strings.NewReader(event))
					req.Header.Set("Authorization", "Bearer s3cret")
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		})
	}
}

// slowSync is a Reconciler whose Sync takes a while.
type slowSync struct {
	serving
	took time.Duration
}

func (s slowSync) Sync(ctx context.Context) (sync.Status, error) {
	select {
	case <-time.After(s.took):
		return sync.Status{}, nil
	case <-ctx.Done():
		return sync.Status{}, ctx.Err()
	}
}

// TestServerSyncOutlastsWriteTimeout: POST /v1/sync may wait its SyncTimeout although the
// server's write deadline is shorter.
func TestServerSyncOutlastsWriteTimeout(t *testing.T) {
	_, addr := startServer(t, Config{Reconciler: slowSync{took: 1500 * time.Millisecond}, Token: "s3cret", SyncTimeout: 5 * time.Second,
		ExecutionBudget: 200 * time.Millisecond, Limits: Limits{RequestTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond}})
	resp, err := authedPost(addr, "/v1/sync", "")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a sync of 1.5s under a 0.6s write deadline: %v %v", resp, err)
	}
}
