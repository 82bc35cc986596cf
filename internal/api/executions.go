package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/history"
	"github.com/actionsd/actionsd/runner"
)

// Sources of a recorded execution (the record's "source"); a bridge's is "bridge:<bridge>/<hook>".
const (
	sourceExecute  = "execute"
	sourceTest     = "test"
	sourceContinue = "continue"
)

// recordEntry starts the history's entry of an execution that just ran: nil when there is no
// history or the sample rate leaves it out. It copies the event, whose buffer goes back to the
// pool; the Result's JSON is added by enqueue, from the response's encoding, before res is
// released.
func (s *server) recordEntry(source string, start time.Time, gen *runner.Generation, event []byte, res *runner.Result) *history.Entry {
	h := s.cfg.History
	if h == nil {
		return nil
	}
	dur := time.Since(start)
	if !h.Keep(failed(res)) {
		return nil
	}
	e := history.NewEntry()
	e.Source, e.Start, e.Duration, e.Redact = source, start, dur, gen
	e.ID, e.Trigger, e.Commit, e.Generation, e.Outcome, e.Revision = res.ExecutionID, res.Trigger, res.Commit, res.Generation, res.Outcome, res.Revision
	for i := range res.Actions {
		e.Actions = append(e.Actions, res.Actions[i].Name)
	}
	if len(event) > 0 {
		e.SetEvent(event)
	}
	return e
}

// enqueue gives e a copy of the Result's JSON and hands it to the history, without waiting.
func (s *server) enqueue(e *history.Entry, result []byte) {
	e.SetResult(result)
	s.cfg.History.Enqueue(e)
}

// failed reports whether an execution failed: its outcome, or any action's error (a fail-closed
// action's error denies).
func failed(res *runner.Result) bool {
	if res.Outcome == runner.OutcomeFailed {
		return true
	}
	for i := range res.Actions {
		if res.Actions[i].Error != nil {
			return true
		}
	}
	return false
}

// Page sizes of GET /v1/executions.
const (
	defaultExecutionsLimit = 50
	maxExecutionsLimit     = 500
)

// historyOn answers 404 history_disabled when there is no history.
func (s *server) historyOn(w http.ResponseWriter) bool {
	if s.cfg.History == nil {
		writeError(w, http.StatusNotFound, "history_disabled", "the execution history is off (history.enabled)")
		return false
	}
	return true
}

// executionFilter reads the filters of GET /v1/executions and /stream.
func executionFilter(r *http.Request) (history.Filter, error) {
	q := r.URL.Query()
	f := history.Filter{Trigger: q.Get("trigger"), Action: q.Get("action"), Outcome: q.Get("outcome"), Commit: q.Get("commit")}
	switch f.Outcome {
	case "", runner.OutcomeSuccess, runner.OutcomeDenied, runner.OutcomeRedirect, runner.OutcomeFailed:
	default:
		return f, fmt.Errorf("outcome %q: want success, denied, redirect or failed", f.Outcome)
	}
	for _, p := range []struct {
		name string
		into *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return f, fmt.Errorf("%s %q: want an RFC 3339 time such as 2026-12-07T19:30:00Z", p.name, v)
		}
		*p.into = t
	}
	return f, nil
}

// executions is GET /v1/executions: the records, newest first, filtered, a page at a time.
func (s *server) executions(w http.ResponseWriter, r *http.Request) {
	if !s.historyOn(w) {
		return
	}
	f, err := executionFilter(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_filter", "GET /v1/executions: "+err.Error())
		return
	}
	limit := defaultExecutionsLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxExecutionsLimit {
			writeError(w, http.StatusBadRequest, "bad_filter", fmt.Sprintf("GET /v1/executions: limit %q: want a number from 1 to %d", v, maxExecutionsLimit))
			return
		}
		limit = n
	}
	recs, next, err := s.cfg.History.List(f, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		if errors.Is(err, history.ErrBadCursor) {
			writeError(w, http.StatusBadRequest, "bad_cursor", "GET /v1/executions: "+err.Error())
			return
		}
		s.log.Error("reading the execution history failed", zap.Error(err))
		writeError(w, http.StatusInternalServerError, "internal", "reading the execution history failed: "+err.Error())
		return
	}
	b := append(make([]byte, 0, 256), `{"executions":[`...)
	for i, rec := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, rec...)
	}
	b = append(b, ']')
	if next != "" {
		b = append(b, `,"next":`...)
		b = strconv.AppendQuote(b, next) // base64url: nothing to escape
	}
	b = append(b, "}\n"...)
	writeRaw(w, b)
}

// execution is GET /v1/executions/{id}: one record.
func (s *server) execution(w http.ResponseWriter, r *http.Request) {
	if !s.historyOn(w) {
		return
	}
	id := r.PathValue("id")
	rec, err := s.cfg.History.Get(id)
	if err != nil {
		if errors.Is(err, history.ErrNotFound) {
			writeError(w, http.StatusNotFound, "unknown_execution", "no execution "+strconv.Quote(id)+" in the history (it may be older than history.max_age, sampled out, or not written yet)")
			return
		}
		s.log.Error("reading the execution history failed", zap.String("execution_id", id), zap.Error(err))
		writeError(w, http.StatusInternalServerError, "internal", "reading the execution history failed: "+err.Error())
		return
	}
	writeRaw(w, append(rec, '\n'))
}

// streamHeartbeat is how often the live tail writes a comment when nothing happens, so that
// proxies keep the connection and the client sees it alive.
const streamHeartbeat = 15 * time.Second

// executionStream is GET /v1/executions/stream: the records written from now on that match the
// filters, as Server-Sent Events ("event: execution", "id: <execution id>", "data: <record>"),
// with a comment line every streamHeartbeat. It ends when the client goes away or the daemon
// starts draining.
func (s *server) executionStream(w http.ResponseWriter, r *http.Request) {
	if !s.historyOn(w) {
		return
	}
	f, err := executionFilter(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_filter", "GET /v1/executions/stream: "+err.Error())
		return
	}
	rc := http.NewResponseController(w)
	// The request has arrived: no read deadline may end the stream (net/http cancels the
	// request's context when its background read times out).
	_ = rc.SetReadDeadline(time.Time{})
	sub := s.cfg.History.Subscribe(f)
	defer sub.Cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on as they come
	w.WriteHeader(http.StatusOK)
	write := func(b []byte) bool {
		if s.writeTimeout > 0 {
			_ = rc.SetWriteDeadline(time.Now().Add(s.writeTimeout))
		}
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write([]byte(": actionsd execution stream\n\n")) {
		return
	}
	// A tick a second looks whether the daemon drains, so that a stream does not hold its shutdown
	// (Server.Drain waits for the requests in flight); every streamHeartbeat it writes a comment.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastWrite := time.Now()
	var b []byte
	for {
		select {
		case <-r.Context().Done():
			return
		case now := <-tick.C:
			if s.cfg.Draining != nil && s.cfg.Draining() {
				return
			}
			if now.Sub(lastWrite) < streamHeartbeat {
				continue
			}
			if !write([]byte(": heartbeat\n\n")) {
				return
			}
			lastWrite = now
		case rec, ok := <-sub.C:
			if !ok { // the history closed: the daemon stops
				return
			}
			b = b[:0]
			if n := sub.Missed(); n > 0 {
				b = fmt.Appendf(b, "event: missed\ndata: {\"missed\":%d}\n\n", n)
			}
			b = append(b, "event: execution\ndata: "...)
			b = append(b, rec...) // one line: JSON from encoding/json holds no raw newline
			b = append(b, "\n\n"...)
			if !write(b) {
				return
			}
			lastWrite = time.Now()
		}
	}
}

// writeRaw writes b, a JSON document, as a 200 response.
func writeRaw(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["X-Content-Type-Options"] = noSniff
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// recordResult encodes res for e and hands e to the history: for the routes whose response is
// not the Result (the bridges). It encodes into a pooled buffer, which e copies into its own, as
// the execute route's answer is: the entry's buffers are pooled too.
func (s *server) recordResult(e *history.Entry, res *runner.Result) {
	bp := bufPool.Get().(*[]byte)
	defer putBuf(bp)
	b, err := res.AppendJSON((*bp)[:0])
	if err != nil {
		s.log.Warn("history: encoding the result failed", zap.String("execution_id", res.ExecutionID), zap.Error(err))
		return
	}
	*bp = b
	s.enqueue(e, b)
}

// historyStats are the history's numbers for GET /v1/status; nil when it is off.
func (s *server) historyStats() *history.Stats {
	if s.cfg.History == nil {
		return nil
	}
	st := s.cfg.History.Stats()
	return &st
}
