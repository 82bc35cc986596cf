// Package api is actionsd's HTTP API (SPEC §5): trigger execution, single-action tests, status and
// sync. Bodies are read as JSON whatever their Content-Type and capped in size; every route but
// /healthz, /readyz, /metrics and /v1/openapi.json (this API's description, api/openapi.yaml)
// needs the bearer token when one is configured, checked before any of the body is read; the
// webhook receivers /hooks/{github,gitlab,generic} verify their own HMAC or token instead, and
// only ever signal a sync. Errors are JSON documents {"error":{"code":"…","message":"…"}}.
// NewServer serves it with deadlines on every connection and a cap on the connections that have
// not authenticated (Limits).
//
// It does not build or swap generations: it loads the serving one per request.
package api

import (
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/bridges"
	"github.com/actionsd/actionsd/internal/history"
	"github.com/actionsd/actionsd/internal/peers"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync"
)

// DefaultMaxBody caps request bodies (an event is a few kB).
const DefaultMaxBody = 1 << 20

// Reconciler is what the API needs of sync.Reconciler.
type Reconciler interface {
	// Current returns the serving generation, or nil before the first one.
	Current() *runner.Generation
	// Status returns the reconciler's status.
	Status() sync.Status
	// Sync runs a reconcile and returns the status after it, or ctx's error.
	Sync(ctx context.Context) (sync.Status, error)
	// Notify signals that the repository may have changed (a webhook), without waiting.
	Notify()
}

// Config configures the handler.
type Config struct {
	Reconciler  Reconciler
	Token       string        // bearer token; empty: no authentication (dev mode)
	MaxBody     int64         // 0: DefaultMaxBody
	SyncTimeout time.Duration // how long POST /v1/sync waits; 0: 2 minutes
	Logger      *zap.Logger

	// WebhookSecret verifies /hooks/*; empty: the receivers refuse every delivery.
	WebhookSecret string
	// Branch is the deploy branch: webhook pushes to other branches are ignored. Empty: any.
	Branch string
	// MaxHookBody caps webhook bodies; 0: DefaultMaxHookBody.
	MaxHookBody int64
	// Registerer receives the API's metrics (executions, webhooks); nil registers none. New
	// panics if they are registered there already.
	Registerer prometheus.Registerer
	// Metrics serves GET /metrics (unauthenticated); nil: no such route.
	Metrics http.Handler
	// Draining, when it returns true, makes /readyz answer 503 (the daemon is shutting down).
	Draining func() bool
	// ExecutionBudget is how long an execution may run (runner.Options.Budget): under NewServer,
	// the write deadline leaves room for it (Limits.WriteTimeout). 0: runner.DefaultBudget.
	ExecutionBudget time.Duration
	// Limits bound connections and requests under NewServer; New alone does not apply them.
	Limits Limits

	// Peers are the other replicas: a verified webhook or POST /v1/sync passes its signal on to
	// them, and GET /v1/status?peers=1 lists what they serve. Nil: none.
	Peers Peers
	// PeerSecret authenticates the peer routes (/v1/peer/*) as a bearer token; empty: Token.
	PeerSecret string
	// TraceContext, when set, gives the execution routes' context the trace context of the
	// request's headers (W3C traceparent), so that the execution's span continues the caller's
	// trace; nil ignores it.
	TraceContext func(ctx context.Context, h http.Header) context.Context
	// UI serves the web UI's static files under /ui/ (internal/ui), unauthenticated: they hold no
	// data, and the page reads it from the routes above with the token. nil: no /ui/ at all.
	UI http.Handler

	// Rollouts serve /v1/rollouts (gradual rollouts of actions); nil: none run.
	Rollouts Rollouts
	// Rollback serves POST /v1/rollback; nil: no rollbacks.
	Rollback Rollbacker

	// Bridges serve POST /v1/bridges/{bridge}/{hook} (internal/bridges), each verifying its own
	// provider's signature; a bridge without a secret answers 404 disabled. Nil: no such routes.
	Bridges []*bridges.Bridge

	// History records every execution (internal/history) and serves GET /v1/executions*; nil:
	// nothing is recorded, and those routes answer 404 history_disabled.
	History *history.History
}

// Peers is what the API needs of peers.Set.
type Peers interface {
	// Signal passes a sync signal on to every peer, without waiting.
	Signal()
	// Statuses reads what every peer serves, each within a timeout.
	Statuses(ctx context.Context) []peers.Status
	// Tell sends POST path (a peer route) to every peer, without waiting.
	Tell(path string)
}

type server struct {
	cfg     Config
	log     *zap.Logger
	metrics *metrics
	bearer  []byte // "Bearer <token>"
	// peerBearer is "Bearer <peer secret or token>"; nil: the peer routes are open, as the
	// others are without a token.
	peerBearer []byte
	// writeTimeout is Limits.WriteTimeout under NewServer, which sets it; 0 (New alone): the
	// routes leave the write deadline as it is.
	writeTimeout time.Duration
}

// New returns the API's handler.
func New(cfg Config) http.Handler { return newRouter(cfg) }

func newRouter(cfg Config) *router {
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.SyncTimeout == 0 {
		cfg.SyncTimeout = 2 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.MaxHookBody == 0 {
		cfg.MaxHookBody = DefaultMaxHookBody
	}
	if cfg.ExecutionBudget <= 0 {
		cfg.ExecutionBudget = runner.DefaultBudget
	}
	s := &server{cfg: cfg, log: cfg.Logger, metrics: newMetrics(cfg.Registerer, cfg.Bridges), bearer: []byte("Bearer " + cfg.Token)}
	if secret := cmp.Or(cfg.PeerSecret, cfg.Token); secret != "" {
		s.peerBearer = []byte("Bearer " + secret)
	}
	mux := http.NewServeMux()
	var patterns []string
	handle := func(pattern string, h http.Handler) {
		patterns = append(patterns, pattern)
		mux.Handle(pattern, h)
	}
	// Routes that take no body close the connection rather than read one (bodiless).
	handle("GET /healthz", bodiless(http.HandlerFunc(s.healthz)))
	handle("GET /readyz", bodiless(http.HandlerFunc(s.readyz)))
	handle(executePattern, s.auth(s.execute))
	handle("POST /v1/actions/{name}/test", s.auth(s.test))
	handle("POST /v1/continue", s.auth(s.resume))
	handle("GET /v1/openapi.json", bodiless(http.HandlerFunc(serveOpenAPI)))
	handle("GET /v1/status", bodiless(s.auth(s.status)))
	handle("GET /v1/actions", bodiless(s.auth(s.actions)))
	handle("GET /v1/actions/{name}", bodiless(s.auth(s.action)))
	handle("GET /v1/modules", bodiless(s.auth(s.modules)))
	handle("GET /v1/modules/{name}/versions", bodiless(s.auth(s.moduleVersionsRoute)))
	handle("GET /v1/metrics/summary", bodiless(s.auth(s.metricsSummary)))
	handle("POST /v1/sync", bodiless(s.auth(s.sync)))
	handle("GET /v1/rollouts", bodiless(s.auth(s.rolloutList)))
	handle("GET /v1/rollouts/{action}", bodiless(s.auth(s.rolloutGet)))
	handle("POST /v1/rollouts/{action}/promote", bodiless(s.auth(s.rolloutPromote)))
	handle("POST /v1/rollouts/{action}/abort", bodiless(s.auth(s.rolloutAbort)))
	handle("POST /v1/rollback", bodiless(s.auth(s.rollback)))
	handle("GET /v1/executions", bodiless(s.auth(s.executions)))
	handle("GET /v1/executions/stream", bodiless(s.auth(s.executionStream)))
	handle("GET /v1/executions/{id}", bodiless(s.auth(s.execution)))
	handle("POST "+peers.SyncPath, bodiless(s.peerAuth(s.peerSync)))
	handle("GET "+peers.StatusPath, bodiless(s.peerAuth(s.peerStatus)))
	handle("POST "+peers.RolloutPath+"/{action}/{verb}", bodiless(s.peerAuth(s.peerRollout)))
	handle("POST "+peers.RollbackPath, bodiless(s.peerAuth(s.peerRollback)))
	for _, recv := range receivers {
		handle("POST /hooks/"+recv.name, s.hook(recv))
	}
	var bridgeRoutes []*bridgeRoute
	for _, b := range cfg.Bridges {
		br := newBridgeRoute(b)
		bridgeRoutes = append(bridgeRoutes, br)
		handle(br.pattern, s.bridge(br))
	}
	if cfg.Metrics != nil {
		handle("GET /metrics", bodiless(cfg.Metrics))
	}
	if cfg.UI != nil {
		// Static files, not API routes: they are not in patterns, which api/openapi.yaml
		// describes (TestOpenAPIDocument).
		mux.Handle("GET /ui/", bodiless(cfg.UI))
		mux.Handle("GET /ui", bodiless(http.RedirectHandler("/ui/", http.StatusMovedPermanently)))
	}
	mux.Handle("/", bodiless(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allow := allowed(patterns, r.URL.Path); allow != "" {
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" "+r.URL.Path+": the route takes "+allow)
			return
		}
		writeError(w, http.StatusNotFound, "not_found", "no route "+r.Method+" "+r.URL.Path)
	})))
	return &router{s: s, mux: mux, patterns: patterns, bridges: bridgeRoutes}
}

// allowed lists the methods of the route patterns ("METHOD /path/{wildcard}") whose path matches
// path, as an Allow header's value (GET brings HEAD, as net/http serves it); "" when none does.
func allowed(patterns []string, path string) string {
	var methods []string
	for _, p := range patterns {
		method, route, _ := strings.Cut(p, " ")
		if !pathMatches(route, path) {
			continue
		}
		methods = append(methods, method)
		if method == http.MethodGet {
			methods = append(methods, http.MethodHead)
		}
	}
	return strings.Join(methods, ", ")
}

// pathMatches reports whether path matches a route's path, whose {name} segments match any one
// non-empty segment.
func pathMatches(route, path string) bool {
	rs, ps := strings.Split(route, "/"), strings.Split(path, "/")
	if len(rs) != len(ps) {
		return false
	}
	for i, r := range rs {
		if strings.HasPrefix(r, "{") && strings.HasSuffix(r, "}") {
			if ps[i] == "" {
				return false
			}
		} else if r != ps[i] {
			return false
		}
	}
	return true
}

// bodiless wraps a route that reads no body: a request that comes with one closes its
// connection after the answer, instead of net/http reading the body to reuse the connection.
func bodiless(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 {
			closeUnread(w)
		}
		h.ServeHTTP(w, r)
	})
}

// executePattern is the execute route's pattern.
const executePattern = "POST /v1/triggers/{trigger}/execute"

// router sends the hot routes, POST /v1/triggers/{trigger}/execute and the bridges'
// POST /v1/bridges/{bridge}[/{hook}], straight to their handlers when the path is one the
// ServeMux would match as it is (clean, no escaped characters), and every other request through
// the ServeMux.
type router struct {
	s        *server
	mux      *http.ServeMux
	patterns []string // every route's pattern but the catch-all "/", as registered
	bridges  []*bridgeRoute
	inflight atomic.Int64
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt.inflight.Add(1)
	defer rt.inflight.Add(-1)
	if trig, ok := executeRoute(r); ok {
		r.Pattern = executePattern
		if rt.s.authorized(w, r) {
			rt.s.executeTrigger(w, r, trig)
		}
		return
	}
	if br, hook, ok := rt.bridgeRoute(r); ok {
		r.Pattern = br.pattern
		rt.s.serveBridge(w, r, br, hook)
		return
	}
	rt.mux.ServeHTTP(w, r)
}

// bridgeRoute returns the bridge and {hook} of a POST to one of the bridges' routes whose path
// the ServeMux would route unchanged, as executeRoute does: no escaped characters, clean, a
// non-empty hook segment for a bridge whose route has one and none for a bridge whose body names
// the hook.
func (rt *router) bridgeRoute(r *http.Request) (*bridgeRoute, string, bool) {
	const prefix = "/v1/bridges/"
	p := r.URL.Path
	if len(rt.bridges) == 0 || r.Method != http.MethodPost || r.URL.RawPath != "" || !strings.HasPrefix(p, prefix) {
		return nil, "", false
	}
	name, hook, hasHook := strings.Cut(p[len(prefix):], "/")
	for _, br := range rt.bridges {
		if br.b.Name() != name {
			continue
		}
		if br.b.Param() == "" {
			return br, "", !hasHook
		}
		if hook == "" || hook == "." || hook == ".." || strings.IndexByte(hook, '/') >= 0 {
			return nil, "", false
		}
		return br, hook, true
	}
	return nil, "", false
}

// executeRoute returns the {trigger} of a POST to /v1/triggers/{trigger}/execute whose path the
// ServeMux would route unchanged: no escaped characters (so the segment is what PathValue
// returns) and clean (no redirect), with a non-empty trigger segment.
func executeRoute(r *http.Request) (string, bool) {
	const prefix, suffix = "/v1/triggers/", "/execute"
	p := r.URL.Path
	if r.Method != http.MethodPost || r.URL.RawPath != "" || len(p) <= len(prefix)+len(suffix) ||
		p[:len(prefix)] != prefix || p[len(p)-len(suffix):] != suffix {
		return "", false
	}
	trig := p[len(prefix) : len(p)-len(suffix)]
	if trig == "." || trig == ".." || strings.IndexByte(trig, '/') >= 0 {
		return "", false
	}
	return trig, true
}

func (s *server) auth(h http.HandlerFunc) http.Handler {
	if s.cfg.Token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.authorized(w, r) {
			h(w, r)
		}
	})
}

// authorized checks the bearer token, when one is configured, before anything reads the body.
// A request without a valid one is answered 401 and its connection closed without reading its
// body; one with a valid one (or any, without a token configured) marks its connection
// authenticated (Limits.MaxUnauthenticatedConns).
func (s *server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.Token != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), s.bearer) != 1 {
		refuse(w, r, closedUnauthorized)
		w.Header().Set("WWW-Authenticate", `Bearer realm="actionsd"`)
		writeError(w, http.StatusUnauthorized, "unauthorized", "a valid bearer token is required")
		return false
	}
	authenticated(r)
	return true
}

func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *server) readyz(w http.ResponseWriter, _ *http.Request) {
	if s.cfg.Draining != nil && s.cfg.Draining() {
		writeError(w, http.StatusServiceUnavailable, "draining", "shutting down")
		return
	}
	gen := s.cfg.Reconciler.Current()
	if gen == nil {
		writeError(w, http.StatusServiceUnavailable, "not_ready", "no generation serves yet")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "commit": gen.Commit(), "generation": gen.Number()})
}

func (s *server) execute(w http.ResponseWriter, r *http.Request) {
	s.executeTrigger(w, r, r.PathValue("trigger"))
}

func (s *server) executeTrigger(w http.ResponseWriter, r *http.Request, trig string) {
	s.run(w, r, eventBody, sourceExecute, func(ctx context.Context, gen *runner.Generation, body []byte) (*runner.Result, error) {
		start := time.Now()
		res, err := gen.Execute(ctx, trig, body)
		if err == nil && res != nil {
			s.metrics.observe(res, time.Since(start))
		}
		return res, err
	})
}

func (s *server) test(w http.ResponseWriter, r *http.Request) {
	s.run(w, r, eventBody, sourceTest, func(ctx context.Context, gen *runner.Generation, body []byte) (*runner.Result, error) {
		return gen.Test(ctx, r.PathValue("name"), body)
	})
}

// resume is POST /v1/continue: it resumes a flow paused by a redirect. The body is a JSON object
// {"state": "<result.redirect.state>", …}; its other members are merged into the paused event as
// a JSON merge patch (e.g. "request": {"query": {"session_token": "…"}}). The state may also come
// as ?state=. A forged, expired or replayed state answers 400.
func (s *server) resume(w http.ResponseWriter, r *http.Request) {
	s.run(w, r, optionalBody, sourceContinue, func(ctx context.Context, gen *runner.Generation, body []byte) (*runner.Result, error) {
		return gen.Continue(ctx, r.URL.Query().Get("state"), body)
	})
}

// What a route's body may be: the event (a JSON object, never empty), or optional (empty or
// blank is no body at all).
const (
	eventBody    = false
	optionalBody = true
)

// run reads the body, runs exec on the serving generation and writes its Result, which the
// history records as from source.
func (s *server) run(w http.ResponseWriter, r *http.Request, optional bool, source string, exec func(context.Context, *runner.Generation, []byte) (*runner.Result, error)) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	if blank(body.b) {
		if !optional {
			s.releaseBody(body)
			writeError(w, http.StatusBadRequest, "bad_event", r.Method+" "+r.URL.Path+": the request body is empty; it must be the event, a JSON object ({} for an empty event)")
			return
		}
		body.b = nil
	}
	gen := s.cfg.Reconciler.Current()
	if gen == nil {
		s.releaseBody(body)
		writeError(w, http.StatusServiceUnavailable, "not_ready", "no generation serves yet; see GET /v1/status")
		return
	}
	ctx := r.Context()
	if s.cfg.TraceContext != nil {
		ctx = s.cfg.TraceContext(ctx, r.Header)
	}
	start := time.Now()
	res, err := exec(ctx, gen, body.Bytes())
	var rec *history.Entry
	if err == nil {
		rec = s.recordEntry(source, start, gen, body.Bytes(), res)
	}
	s.releaseBody(body)
	if err != nil {
		var re *runner.RequestError
		if errors.As(err, &re) {
			status, code := requestErrorStatus(err)
			writeError(w, status, code, re.Error())
			return
		}
		s.log.Error("execution failed", zap.String("path", r.URL.Path), zap.Error(err))
		writeError(w, http.StatusInternalServerError, "internal", "execution failed: "+err.Error())
		return
	}
	s.writeResult(w, r, res, rec)
}

// writeResult writes res as the response, encoded by hand (runner.Result.AppendJSON) into a
// pooled buffer, and then releases res. A history entry (rec, nil for none) gets a copy of the
// encoded Result and goes to the history's queue.
func (s *server) writeResult(w http.ResponseWriter, r *http.Request, res *runner.Result, rec *history.Entry) {
	bp := bufPool.Get().(*[]byte)
	defer putBuf(bp)
	// The outbound exchanges are the history's, not the caller's: the response is the §4
	// document without them, and the history's copy is encoded with them.
	outbound := res.Outbound
	res.Outbound = nil
	b, err := res.AppendJSON((*bp)[:0])
	if err == nil && rec != nil && len(outbound) > 0 {
		res.Outbound = outbound
		if full, ferr := res.AppendJSON(nil); ferr == nil {
			rec.Result = full
		}
	}
	res.Release()
	if err != nil {
		s.log.Error("encoding the result failed", zap.String("path", r.URL.Path), zap.Error(err))
		writeError(w, http.StatusInternalServerError, "internal", "encoding the result failed: "+err.Error())
		return
	}
	switch {
	case rec != nil && rec.Result != nil:
		s.cfg.History.Enqueue(rec)
	case rec != nil:
		s.enqueue(rec, b)
	}
	b = append(b, '\n')
	*bp = b
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["X-Content-Type-Options"] = noSniff
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// Header values shared by every response; net/http only reads them.
var (
	contentTypeJSON = []string{"application/json"}
	noSniff         = []string{"nosniff"}
)

// bufPool holds the buffers that request bodies are read into and results are encoded into.
var bufPool = gosync.Pool{New: func() any {
	b := make([]byte, 0, 4096)
	return &b
}}

// maxPooledBuf bounds the buffers bufPool keeps.
const maxPooledBuf = 64 << 10

func putBuf(bp *[]byte) {
	if cap(*bp) <= maxPooledBuf {
		*bp = (*bp)[:0]
		bufPool.Put(bp)
	}
}

// requestErrorStatus maps the runner's request errors to an HTTP status and an error code.
func requestErrorStatus(err error) (int, string) {
	switch {
	case errors.Is(err, runner.ErrUnknownTrigger):
		return http.StatusNotFound, "unknown_trigger"
	case errors.Is(err, runner.ErrUnknownAction):
		return http.StatusNotFound, "unknown_action"
	case errors.Is(err, runner.ErrBadEvent):
		return http.StatusBadRequest, "bad_event"
	}
	return http.StatusBadRequest, "bad_request"
}

func (s *server) status(w http.ResponseWriter, r *http.Request) {
	st := s.cfg.Reconciler.Status()
	if q := r.URL.Query().Get("peers"); q == "" || q == "0" || q == "false" {
		writeJSON(w, http.StatusOK, statusWithBridges{Status: st, Bridges: s.bridgeStatuses(), History: s.historyStats()})
		return
	}
	writeJSON(w, http.StatusOK, statusWithPeers{Status: st, Bridges: s.bridgeStatuses(), History: s.historyStats(), Peers: s.peerStatuses(r.Context(), st)})
}

func (s *server) sync(w http.ResponseWriter, r *http.Request) {
	s.signalPeers()
	s.extendWrite(w, s.cfg.SyncTimeout)
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.SyncTimeout)
	defer cancel()
	st, err := s.cfg.Reconciler.Sync(ctx)
	if err != nil {
		writeError(w, http.StatusGatewayTimeout, "sync_timeout", "the sync is still running: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// requestBody is a request body read into a pooled buffer (readBody); releaseBody returns the
// buffer once nothing reads the body any more (the runner copies what it keeps).
type requestBody struct {
	buf *[]byte
	b   []byte
}

func (b requestBody) Bytes() []byte { return b.b }

// readBody reads a size-capped body; it writes the error response itself. A declared
// Content-Length over the cap is refused before any of the body is read.
func (s *server) readBody(w http.ResponseWriter, r *http.Request) (requestBody, bool) {
	if r.ContentLength > s.cfg.MaxBody {
		refuse(w, r, closedBodyTooLarge)
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("%s %s: the request body (%d bytes) exceeds the limit of %d bytes", r.Method, r.URL.Path, r.ContentLength, s.cfg.MaxBody))
		return requestBody{}, false
	}
	bp := bufPool.Get().(*[]byte)
	var src io.Reader = r.Body
	if r.ContentLength < 0 {
		// Without a Content-Length, the cap is enforced while reading. (A body with one ends at
		// it: net/http never reads past the declared length.)
		src = http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
	}
	body, err := readAll((*bp)[:0], src)
	*bp = body
	if err != nil {
		putBuf(bp)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("%s %s: the request body exceeds the limit of %d bytes", r.Method, r.URL.Path, s.cfg.MaxBody))
			return requestBody{}, false
		}
		s.bodyReadFailed(w, r, err)
		return requestBody{}, false
	}
	// The body was read to its end: closing it now spares net/http its own look for the end
	// (a discarding copy) before the answer.
	_ = r.Body.Close()
	return requestBody{buf: bp, b: body}, true
}

// bodyReadFailed answers a body that could not be read: 408 when it did not arrive within
// Limits.RequestTimeout (counted, and the connection closes), else 400.
func (s *server) bodyReadFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		refuse(w, r, closedRequestTimeout)
		writeError(w, http.StatusRequestTimeout, "request_timeout", fmt.Sprintf("%s %s: the request did not arrive within %s", r.Method, r.URL.Path, s.cfg.Limits.RequestTimeout))
		return
	}
	writeError(w, http.StatusBadRequest, "bad_body", r.Method+" "+r.URL.Path+": reading the request body: "+err.Error())
}

// blank reports whether b is empty or only JSON white space.
func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func (s *server) releaseBody(b requestBody) {
	if b.buf != nil {
		putBuf(b.buf)
	}
}

// readAll is io.ReadAll appending to b.
func readAll(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
	}
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var b errorBody
	b.Error.Code, b.Error.Message = code, msg
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
