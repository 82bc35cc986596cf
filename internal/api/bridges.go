package api

import (
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/bridges"
	"github.com/actionsd/actionsd/internal/history"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync"
)

// bridgeMetrics count the bridges' requests (by bridge, hook and result) and failures (by
// bridge and reason).
type bridgeMetrics struct {
	requests *prometheus.CounterVec
	failures *prometheus.CounterVec
	repeats  *prometheus.CounterVec
}

func newBridgeMetrics(bs []*bridges.Bridge) bridgeMetrics {
	m := bridgeMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_bridge_requests_total",
			Help: "Requests to the identity provider bridges (/v1/bridges/{bridge}/{hook}), by bridge, hook and result (answered: the provider got the answer it expects, a deny included; failed; refused; repeated: a repeat of a signed request answered with the first one's answer).",
		}, []string{"bridge", "hook", "result"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_bridge_failures_total",
			Help: "Bridge requests refused or failed, by bridge and reason (disabled, missing_signature, bad_signature, stale_signature, replayed, unknown_hook, bad_shape, bad_body, not_ready, unsupported_command, action_failed, execution_error).",
		}, []string{"bridge", "reason"}),
		repeats: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_bridge_repeats_total",
			Help: "Repeated signed requests to a bridge that answers them (zitadel), by bridge and outcome (answered: with the first request's answer, the actions not run again; refused: as replayed, the answer no longer held).",
		}, []string{"bridge", "outcome"}),
	}
	for _, b := range bs {
		if b.Repeats() {
			m.repeats.WithLabelValues(b.Name(), "answered")
			m.repeats.WithLabelValues(b.Name(), "refused")
		}
		for _, r := range bridges.Reasons {
			m.failures.WithLabelValues(b.Name(), r)
		}
	}
	return m
}

// bridgeRoute is a bridge's route, with what its requests would otherwise look up or build each
// time: the route's pattern, and per hook the Hook, the history's source and the counter of its
// answered requests.
type bridgeRoute struct {
	b       *bridges.Bridge
	pattern string
	hooks   map[string]*bridgeHook // every name b.HookNames lists
}

type bridgeHook struct {
	hook   bridges.Hook
	source string // "bridge:<bridge>/<hook>"
	// answered is the counter actionsd_bridge_requests_total{result="answered"} of the hook, made
	// on its first answered request (a prometheus.Counter): made beforehand, every hook's series
	// would show, and Auth0's hooks are every trigger's.
	answered atomic.Value
}

func newBridgeRoute(b *bridges.Bridge) *bridgeRoute {
	br := &bridgeRoute{b: b, pattern: "POST /v1/bridges/" + b.Name(), hooks: map[string]*bridgeHook{}}
	if b.Param() != "" {
		br.pattern += "/{" + b.Param() + "}"
	}
	for _, name := range b.HookNames() {
		if h, ok := b.Hook(name); ok {
			br.hooks[name] = &bridgeHook{hook: h, source: "bridge:" + b.Name() + "/" + name}
		}
	}
	return br
}

// hook returns the named hook; a hook HookNames did not list is looked up and made anew.
func (br *bridgeRoute) hook(name string) (*bridgeHook, bool) {
	if h, ok := br.hooks[name]; ok {
		return h, true
	}
	h, ok := br.b.Hook(name)
	if !ok {
		return nil, false
	}
	return &bridgeHook{hook: h, source: "bridge:" + br.b.Name() + "/" + name}, true
}

// answeredCounter is the hook's counter of answered requests.
func (s *server) answeredCounter(b *bridges.Bridge, h *bridgeHook, label string) prometheus.Counter {
	if c, ok := h.answered.Load().(prometheus.Counter); ok {
		return c
	}
	c := s.metrics.bridges.requests.WithLabelValues(b.Name(), label, "answered")
	h.answered.Store(c)
	return c
}

// bridge serves POST /v1/bridges/{bridge}/{hook} through the ServeMux: the router sends the
// requests whose path is clean to serveBridge directly.
func (s *server) bridge(br *bridgeRoute) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var hook string
		if p := br.b.Param(); p != "" {
			hook = r.PathValue(p)
		}
		s.serveBridge(w, r, br, hook)
	}
}

// serveBridge serves POST /v1/bridges/{bridge}/{hook} (POST /v1/bridges/{bridge} when the body
// names the hook, after the signature over it verifies): what the headers can show is checked
// before any of the body is read, as the webhook receivers do; the signature over the body and
// the replay check come before the body is parsed.
func (s *server) serveBridge(w http.ResponseWriter, r *http.Request, br *bridgeRoute, hookName string) {
	b := br.b
	// A bridge whose body names the hook (Param "") knows it only once the body verifies;
	// until then its requests count under the hook "none".
	bodyRouted := b.Param() == ""
	var label string
	var bh *bridgeHook
	known := true
	if bodyRouted {
		label = "none"
	} else {
		label = hookName
		if bh, known = br.hook(hookName); !known {
			label = "unknown"
		}
	}
	now := time.Now()
	fail := func(reason, msg string) {
		s.metrics.bridges.failures.WithLabelValues(b.Name(), reason).Inc()
		b.Failed(now, hookName, reason, msg)
		s.log.Warn("bridge request failed", zap.String("bridge", b.Name()), zap.String("hook", hookName),
			zap.String("reason", reason), zap.String("message", msg), zap.String("remote", r.RemoteAddr))
	}
	// Every refusal before the signature verifies closes the connection, unread body and all.
	refuseWith := func(status int, reason, msg string) {
		refuse(w, r, closedUnauthorized)
		s.metrics.bridges.requests.WithLabelValues(b.Name(), label, "refused").Inc()
		fail(reason, msg)
		writeError(w, status, reason, msg)
	}
	v := b.Verifier()
	if v == nil {
		refuseWith(http.StatusNotFound, bridges.ReasonDisabled, "the "+b.Name()+" bridge is disabled: it has no secret ("+b.Flag()+")")
		return
	}
	if reason, ok := v.Precheck(r.Header, now); !ok {
		refuseWith(http.StatusUnauthorized, reason, "the "+b.Name()+" bridge's "+b.Credential()+" does not verify: "+reason)
		return
	}
	if !known {
		refuseWith(http.StatusNotFound, bridges.ReasonUnknownHook, "the "+b.Name()+" bridge has no hook "+hookName)
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		s.metrics.bridges.requests.WithLabelValues(b.Name(), label, "refused").Inc()
		fail(bridges.ReasonBadBody, "the request body was too large or did not arrive in time")
		return
	}
	defer s.releaseBody(body)
	key, forget, reason, ok := v.Verify(r.Header, body.Bytes(), now)
	if !ok {
		refuseWith(http.StatusUnauthorized, reason, "the "+b.Name()+" bridge's "+b.Credential()+" does not verify: "+reason)
		return
	}
	// A body-routed bridge reads the hook's name once the body verifies, before the replay
	// check, so that a replay counts under its hook; a body that names none is refused after.
	var hookErr error
	if bodyRouted {
		hookName, hookErr = b.HookFromBody(body.Bytes())
		if hookErr == nil {
			if bh, known = br.hook(hookName); known {
				label = hookName
			} else {
				label = "unknown"
			}
		}
	}
	// A bridge that answers repeats (Zitadel, whose messages carry no nonce) gives a request
	// seen within the window the first one's answer, status and bytes, without running the
	// actions again; a repeat that comes while the first runs waits for it. Every other
	// bridge refuses a repeat as a replay.
	first, outcome := b.Begin(key, forget, now)
	switch outcome {
	case bridges.Evicted:
		if b.Repeats() {
			s.metrics.bridges.repeats.WithLabelValues(b.Name(), "refused").Inc()
			refuseWith(http.StatusUnauthorized, bridges.ReasonReplayed, "the "+b.Name()+" bridge has seen this signed request before, and no longer holds its answer")
			return
		}
		refuseWith(http.StatusUnauthorized, bridges.ReasonReplayed, "the "+b.Name()+" bridge has seen this signed request before")
		return
	case bridges.Repeat:
		status, answer, ok := first.Wait(r.Context())
		if !ok {
			s.metrics.bridges.repeats.WithLabelValues(b.Name(), "refused").Inc()
			refuseWith(http.StatusUnauthorized, bridges.ReasonReplayed, "the "+b.Name()+" bridge has seen this signed request before, and has no answer of it to repeat")
			return
		}
		authenticated(r)
		s.metrics.bridges.repeats.WithLabelValues(b.Name(), "answered").Inc()
		s.metrics.bridges.requests.WithLabelValues(b.Name(), label, "repeated").Inc()
		h := w.Header()
		h["Content-Type"] = contentTypeJSON
		h["X-Content-Type-Options"] = noSniff
		w.WriteHeader(status)
		_, _ = w.Write(answer)
		return
	}
	if first != nil {
		tw := &teeWriter{ResponseWriter: w}
		w = tw
		// Run last (after the pooled answer buffer went back): the tee holds its own copy. A
		// panic leaves no answer (status 0): the repeats waiting are refused.
		defer func() {
			status, body := tw.answer()
			b.Finish(first, status, body)
		}()
	}
	authenticated(r)
	if hookErr != nil {
		s.metrics.bridges.requests.WithLabelValues(b.Name(), label, "refused").Inc()
		msg := "POST " + r.URL.Path + ": the body is not " + b.Name() + "'s shape: " + hookErr.Error()
		fail(bridges.ReasonBadShape, msg)
		writeError(w, http.StatusBadRequest, bridges.ReasonBadShape, msg)
		return
	}
	if !known {
		s.metrics.bridges.requests.WithLabelValues(b.Name(), label, "refused").Inc()
		msg := "the " + b.Name() + " bridge has no hook " + strconv.Quote(hookName)
		fail(bridges.ReasonUnknownHook, msg)
		writeError(w, http.StatusNotFound, bridges.ReasonUnknownHook, msg)
		return
	}
	hook := bh.hook
	// The event and the answer are made into pooled buffers: the runner copies the event.
	eb := bufPool.Get().(*[]byte)
	defer putBuf(eb)
	event, err := hook.MakeEvent((*eb)[:0], body.Bytes())
	// The event is validated here, once, as the execute route's entry would (runner.Event): an
	// event that is the body as it came (Auth0's) is checked nowhere else.
	var ev runner.Event
	if err == nil && !ev.Parse(event) {
		err = &bridges.ShapeError{Field: "(event)", Want: "a JSON object (the body's values do not make one)"}
		if len(event) == len(body.Bytes()) && (len(event) == 0 || &event[0] == &body.Bytes()[0]) {
			err = &bridges.ShapeError{Field: "(body)", Want: "the event, a JSON object"}
		}
	}
	if err != nil {
		s.metrics.bridges.requests.WithLabelValues(b.Name(), label, "refused").Inc()
		msg := "POST " + r.URL.Path + ": the body is not " + b.Name() + "'s " + hookName + " shape: " + err.Error()
		fail(bridges.ReasonBadShape, msg)
		writeError(w, http.StatusBadRequest, bridges.ReasonBadShape, msg)
		return
	}
	gen := s.cfg.Reconciler.Current()
	if gen == nil {
		s.metrics.bridges.requests.WithLabelValues(b.Name(), label, "failed").Inc()
		fail(bridges.ReasonNotReady, "no generation serves yet")
		writeError(w, http.StatusServiceUnavailable, "not_ready", "no generation serves yet; see GET /v1/status")
		return
	}
	start := time.Now()
	var res *runner.Result
	if hook.Resume {
		res, err = gen.Continue(r.Context(), "", event)
	} else {
		res, err = gen.ExecuteEvent(r.Context(), hook.Trigger, &ev)
	}
	var rec *history.Entry
	if err == nil {
		rec = s.recordEntry(bh.source, start, gen, event, res)
	}
	if err != nil {
		s.metrics.bridges.requests.WithLabelValues(b.Name(), label, "failed").Inc()
		fail(bridges.ReasonExecutionError, "trigger "+hook.Trigger+": "+err.Error())
		var re *runner.RequestError
		if errors.As(err, &re) {
			status, code := requestErrorStatus(err)
			writeError(w, status, code, re.Error())
			return
		}
		writeError(w, http.StatusInternalServerError, "internal", "execution failed: "+err.Error())
		return
	}
	s.metrics.observe(res, time.Since(start))
	ab := bufPool.Get().(*[]byte)
	defer putBuf(ab)
	answer, status, reason, msg := hook.MakeAnswer((*ab)[:0], body.Bytes(), res)
	switch {
	case rec != nil && hook.AnswerIsResult && answer != nil:
		s.enqueue(rec, answer)
	case rec != nil:
		s.recordResult(rec, res)
	}
	res.Release()
	if answer == nil {
		s.metrics.bridges.requests.WithLabelValues(b.Name(), label, "failed").Inc()
		fail(reason, msg)
		writeError(w, http.StatusInternalServerError, "internal", msg)
		return
	}
	if reason != "" {
		s.metrics.bridges.requests.WithLabelValues(b.Name(), label, "failed").Inc()
		fail(reason, msg)
	} else {
		s.answeredCounter(b, bh, label).Inc()
		b.Succeeded(now)
	}
	*ab = append(answer, '\n')
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["X-Content-Type-Options"] = noSniff
	w.WriteHeader(status)
	_, _ = w.Write(*ab)
}

// statusWithBridges is GET /v1/status: the reconciler's status and each bridge's.
type statusWithBridges struct {
	sync.Status
	Bridges []bridges.Status `json:"bridges"`
	History *history.Stats   `json:"history,omitempty"` // nil: the history is off
}

func (s *server) bridgeStatuses() []bridges.Status {
	out := make([]bridges.Status, 0, len(s.cfg.Bridges))
	for _, b := range s.cfg.Bridges {
		out = append(out, b.Status())
	}
	return out
}

// teeWriter keeps a copy of the response a bridge request that may be repeated answers, for its
// repeats; a body over maxTee is not kept (nor answered to repeats).
type teeWriter struct {
	http.ResponseWriter
	status int
	body   []byte
	over   bool
}

const maxTee = 64 << 10

func (t *teeWriter) WriteHeader(status int) {
	if t.status == 0 {
		t.status = status
	}
	t.ResponseWriter.WriteHeader(status)
}

func (t *teeWriter) Write(p []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	if !t.over {
		if len(t.body)+len(p) > maxTee {
			t.over, t.body = true, nil
		} else {
			t.body = append(t.body, p...)
		}
	}
	return t.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (t *teeWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// answer is the status and body to repeat; status 0 when none is kept.
func (t *teeWriter) answer() (int, []byte) {
	if t.over {
		return 0, nil
	}
	return t.status, t.body
}
