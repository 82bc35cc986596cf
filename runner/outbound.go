package runner

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/runner/wire"
)

// Outbound recording and replay (Options.RecordOutbound, Options.Replay) work at the HTTP
// transport that fetch and node:http/https send through: each request sent, a redirect hop
// included, is one wire.Exchange. Raw node:net and node:tls sockets are not recorded; in replay
// they fail to connect with errReplaySocket.

// DefaultOutboundBodyLimit is Options.OutboundBodyLimit's default: the bytes of each request and
// response body an exchange keeps.
const DefaultOutboundBodyLimit = 64 << 10

// droppedRequestHeaders and droppedResponseHeaders are never recorded: they carry credentials.
var (
	droppedRequestHeaders  = []string{"Authorization", "Proxy-Authorization", "Cookie"}
	droppedResponseHeaders = []string{"Set-Cookie", "Set-Cookie2"}
)

// recordKey is the context key of an action's *actionTag while recording.
type recordKey struct{}

// actionTag names the action whose requests a context carries, and the execution's recorder.
type actionTag struct {
	rec    *recorder
	action string
}

// recorder collects the exchanges of one execution. Requests run on goroutines of their own, so
// it is locked; collect ends it, and what arrives later (a request the action abandoned) is
// dropped.
type recorder struct {
	limit int
	mu    sync.Mutex
	list  []*recording
	done  bool
}

type recording struct {
	x        wire.Exchange
	finished bool // the response body was read to its end or closed, or the request failed
}

// withAction returns ctx carrying the tag of action for its requests.
func (r *recorder) withAction(ctx context.Context, action string) context.Context {
	return context.WithValue(ctx, recordKey{}, &actionTag{rec: r, action: action})
}

// start records req as sent by action; the response or error is filled in later.
func (r *recorder) start(action string, req *http.Request) *recording {
	x := wire.Exchange{Action: action, Method: req.Method, URL: req.URL.Redacted(),
		RequestHeaders: keptHeaders(req.Header, droppedRequestHeaders)}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			x.RequestBody, x.RequestBodyTruncated = readCapped(body, r.limit)
			body.Close()
		}
	}
	rc := &recording{x: x}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.done {
		r.list = append(r.list, rc)
	}
	return rc
}

// fail records that the request failed.
func (r *recorder) fail(rc *recording, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.done {
		rc.x.Error, rc.finished = err.Error(), true
	}
}

// respond records resp's status and headers, and returns its body wrapped to record what the
// code reads of it.
func (r *recorder) respond(rc *recording, resp *http.Response) io.ReadCloser {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return resp.Body
	}
	rc.x.Status = resp.StatusCode
	rc.x.ResponseHeaders = keptHeaders(resp.Header, droppedResponseHeaders)
	return &teeBody{rc: resp.Body, rec: r, r: rc}
}

// collect ends the recording and returns its exchanges in the order they were sent. An exchange
// whose body was still being read is marked truncated; one still waiting for its response says so.
func (r *recorder) collect() []wire.Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = true
	if len(r.list) == 0 {
		return nil
	}
	out := make([]wire.Exchange, len(r.list))
	for i, rc := range r.list {
		out[i] = rc.x
		if !rc.finished {
			if rc.x.Status == 0 {
				out[i].Error = "no response before the action ended"
			} else {
				out[i].ResponseBodyTruncated = true
			}
		}
	}
	return out
}

// teeBody is a response body that keeps the first limit bytes read of it for the recording.
type teeBody struct {
	rc   io.ReadCloser
	rec  *recorder
	r    *recording
	buf  []byte
	over bool
	end  bool // finish ran
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	room := b.rec.limit - len(b.buf)
	if n > room {
		b.over = true
	}
	b.buf = append(b.buf, p[:min(n, room)]...)
	if err == io.EOF {
		b.finish(true)
	}
	return n, err
}

func (b *teeBody) Close() error {
	b.finish(false)
	return b.rc.Close()
}

// finish stores the body read so far; eof says it was read to its end.
func (b *teeBody) finish(eof bool) {
	if b.end {
		return
	}
	b.end = true
	b.rec.mu.Lock()
	defer b.rec.mu.Unlock()
	if !b.rec.done {
		b.r.x.ResponseBody = b.buf
		b.r.x.ResponseBodyTruncated = b.over || !eof
		b.r.finished = true
	}
}

// readCapped reads r up to limit bytes; truncated says there was more.
func readCapped(r io.Reader, limit int) (data []byte, truncated bool) {
	data, _ = io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if len(data) > limit {
		return data[:limit:limit], true
	}
	return data, false
}

// keptHeaders is a copy of h without the drop headers; nil when nothing is left.
func keptHeaders(h http.Header, drop []string) map[string][]string {
	var out map[string][]string
	for k, vs := range h {
		if containsFold(drop, k) {
			continue
		}
		if out == nil {
			out = make(map[string][]string, len(h))
		}
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// recordingTransport sends through base and records each exchange of a request whose context
// carries an actionTag; others pass as they are.
type recordingTransport struct {
	base http.RoundTripper
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tag, _ := req.Context().Value(recordKey{}).(*actionTag)
	if tag == nil {
		return t.base.RoundTrip(req)
	}
	rc := tag.rec.start(tag.action, req)
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		tag.rec.fail(rc, err)
		return nil, err
	}
	resp.Body = tag.rec.respond(rc, resp)
	return resp, nil
}

// DialContext is the base client's dialer, for node:net and node:tls (egress.DialerOf): sockets
// are not recorded.
func (t *recordingTransport) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if t.dial == nil {
		return nil, errors.New("sockets are not available: the runner has no egress dialer")
	}
	return t.dial(ctx, network, addr)
}

// recordingClient is c sending through a recordingTransport.
func recordingClient(c *http.Client) *http.Client {
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	rc := *c
	rc.Transport = &recordingTransport{base: base, dial: egress.DialerOf(c)}
	return &rc
}

// replayKey is the context key of an execution's *replayer.
type replayKey struct{}

// replayer answers one execution's requests from recorded exchanges.
type replayer struct {
	mu     sync.Mutex
	list   []wire.Exchange
	used   []bool
	redact *redactor // the generation's: recorded URLs are redacted, so requests are compared redacted
}

// WithReplay returns ctx carrying the recorded exchanges that an execution on a generation built
// with Options.Replay is answered from (a wire.Result's Outbound): each request gets the first
// exchange not yet used with its method and URL, so that repeated requests get their recorded
// responses in order. A request that was not recorded fails with an error that names it; an
// exchange recorded as an error fails with that error. Use one context per execution.
func WithReplay(ctx context.Context, outbound []wire.Exchange) context.Context {
	return context.WithValue(ctx, replayKey{}, &replayer{list: outbound, used: make([]bool, len(outbound))})
}

// next takes the first unused exchange of method and url.
func (r *replayer) next(method, url string) (wire.Exchange, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	url = r.redact.redact(url)
	for i := range r.list {
		if !r.used[i] && r.list[i].Method == method && r.list[i].URL == url {
			r.used[i] = true
			return r.list[i], true
		}
	}
	return wire.Exchange{}, false
}

// errReplaySocket is what node:net and node:tls sockets fail with in replay.
var errReplaySocket = errors.New("replay: node:net and node:tls sockets are not recorded and cannot be replayed")

// replayTransport answers from the replayer of the request's context; it never touches the
// network.
type replayTransport struct{}

func (replayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	href := req.URL.Redacted()
	rp, _ := req.Context().Value(replayKey{}).(*replayer)
	if rp == nil {
		return nil, fmt.Errorf("replay: %s %s was not recorded (no recorded exchanges were given)", req.Method, href)
	}
	x, ok := rp.next(req.Method, href)
	if !ok {
		return nil, fmt.Errorf("replay: %s %s was not recorded", req.Method, rp.redact.redact(href))
	}
	if x.Error != "" || x.Status == 0 {
		return nil, errors.New(cmp.Or(x.Error, "recorded without a response"))
	}
	h := make(http.Header, len(x.ResponseHeaders))
	for k, vs := range x.ResponseHeaders {
		h[k] = append([]string(nil), vs...)
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", x.Status, http.StatusText(x.Status)),
		StatusCode:    x.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(x.ResponseBody)),
		ContentLength: int64(len(x.ResponseBody)),
		Request:       req,
	}, nil
}

// DialContext refuses every socket (egress.DialerOf gives it to node:net and node:tls).
func (replayTransport) DialContext(context.Context, string, string) (net.Conn, error) {
	return nil, errReplaySocket
}

// replayClient is the client of a replaying generation.
func replayClient() *http.Client {
	return &http.Client{Transport: replayTransport{}}
}
