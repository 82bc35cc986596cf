package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	gosync "sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Limits bound what a client may hold of the server (NewServer). Zero fields take the defaults.
type Limits struct {
	// ReadHeaderTimeout: a request's headers must arrive within it, counted from the accept on a
	// new connection and from the request's first bytes on a kept-alive one. At most
	// RequestTimeout.
	ReadHeaderTimeout time.Duration
	// RequestTimeout: the whole request, headers and body, must arrive within it; then the
	// connection is closed (a body cut short answers 408 first).
	RequestTimeout time.Duration
	// WriteTimeout: a response must be written within it once the route's work is done. The
	// write deadline is RequestTimeout + Config.ExecutionBudget + WriteTimeout after the
	// headers: the longest an execute, test or continue request may take to arrive and run.
	// POST /v1/sync moves it to SyncTimeout + WriteTimeout from its start.
	WriteTimeout time.Duration
	// IdleTimeout: a kept-alive connection that sends no next request within it is closed.
	IdleTimeout time.Duration
	// MaxUnauthenticatedConns caps the connections open at once that have not presented a valid
	// bearer token (or webhook signature): a new connection over the cap closes the oldest such
	// connection. Negative: no cap.
	MaxUnauthenticatedConns int
}

// Defaults of Limits.
const (
	DefaultReadHeaderTimeout       = 10 * time.Second
	DefaultRequestTimeout          = 30 * time.Second
	DefaultWriteTimeout            = 10 * time.Second
	DefaultIdleTimeout             = 75 * time.Second // longer than load balancers' usual 60 s, so that they close first
	DefaultMaxUnauthenticatedConns = 256
)

// withDefaults fills in zero fields.
func (l Limits) withDefaults() Limits {
	if l.ReadHeaderTimeout <= 0 {
		l.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if l.RequestTimeout <= 0 {
		l.RequestTimeout = DefaultRequestTimeout
	}
	l.ReadHeaderTimeout = min(l.ReadHeaderTimeout, l.RequestTimeout)
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = DefaultWriteTimeout
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = DefaultIdleTimeout
	}
	if l.MaxUnauthenticatedConns == 0 {
		l.MaxUnauthenticatedConns = DefaultMaxUnauthenticatedConns
	}
	return l
}

// Server is the API's http.Server, with cfg.Limits applied: read, write and idle deadlines on
// every connection, and the cap on unauthenticated connections (which needs the listener: use
// Serve, not ListenAndServe).
type Server struct {
	*http.Server
	Limits Limits // as applied, defaults filled in
	conns  *connTracker
	router *router
}

// Drain shuts the server down without refusing connections early: the listener stays open, so
// that /readyz answers 503 (Config.Draining) rather than refusing, for at least delay and while
// requests are in flight, but no longer than half of what ctx leaves; then Shutdown closes it and
// waits for the requests still running, within ctx.
func (s *Server) Drain(ctx context.Context, delay time.Duration) error {
	start := time.Now()
	open := delay
	if dl, ok := ctx.Deadline(); ok {
		open = max(delay, time.Until(dl)/2)
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for time.Since(start) < delay || (s.router.inflight.Load() > 0 && time.Since(start) < open) {
		select {
		case <-ctx.Done():
			return s.Shutdown(ctx)
		case <-tick.C:
		}
	}
	return s.Shutdown(ctx)
}

// NewServer returns the API served over HTTP/1.1 with cfg.Limits.
func NewServer(cfg Config) *Server {
	lim := cfg.Limits.withDefaults()
	cfg.Limits = lim
	rt := newRouter(cfg)
	rt.s.writeTimeout = lim.WriteTimeout
	ct := &connTracker{max: lim.MaxUnauthenticatedConns, metrics: rt.s.metrics}
	srv := &http.Server{
		Handler:           rt,
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.RequestTimeout,
		// One deadline for every route, set by net/http once per request, rather than one
		// moved per execution: it costs nothing more on the hot route.
		WriteTimeout: lim.RequestTimeout + rt.s.cfg.ExecutionBudget + lim.WriteTimeout,
		IdleTimeout:  lim.IdleTimeout,
		ConnState:    ct.connState,
		ConnContext:  ct.connContext,
		// net/http logs what it cannot parse (bad TLS handshakes, panics) here; ours is zap.
		ErrorLog: zap.NewStdLog(rt.s.log.WithOptions(zap.IncreaseLevel(zap.WarnLevel))),
	}
	return &Server{Server: srv, Limits: lim, conns: ct, router: rt}
}

// Serve serves on ln, tracking its connections.
func (s *Server) Serve(ln net.Listener) error {
	return s.Server.Serve(&trackedListener{Listener: ln, t: s.conns})
}

// Connections closed by the server, by reason (the label of actionsd_http_connections_closed_total).
const (
	closedUnauthenticatedCap = "unauthenticated_cap" // made room for a newer one under MaxUnauthenticatedConns
	closedHeaderTimeout      = "header_timeout"      // the headers did not arrive within ReadHeaderTimeout
	closedRequestTimeout     = "request_timeout"     // the body did not arrive within RequestTimeout
	closedIdleTimeout        = "idle_timeout"        // no next request within IdleTimeout
	closedUnauthorized       = "unauthorized"        // a request without a valid token or signature was refused
	closedBodyTooLarge       = "body_too_large"      // a declared Content-Length over the route's cap was refused
)

var closeReasons = []string{closedUnauthenticatedCap, closedHeaderTimeout, closedRequestTimeout, closedIdleTimeout, closedUnauthorized, closedBodyTooLarge}

// connTracker keeps the connections that have not authenticated in accept order, and closes the
// oldest when a new one would exceed the cap. Closing the oldest rather than refusing the newest
// keeps an attacker who holds the cap's worth of silent sockets from locking every new client
// out: a client that sends its token within moments of connecting is counted only for those
// moments, while the attacker's sockets are the oldest and go first.
type connTracker struct {
	max     int // ≤ 0: no cap
	metrics *metrics

	mu         gosync.Mutex // guards head, tail, n (and the gauge of it) and the list fields of every trackedConn
	head, tail *trackedConn // unauthenticated connections, oldest first
	n          int
}

// trackedConn is an accepted connection: it leaves the tracker's list when a request on it
// authenticates, or when it closes.
type trackedConn struct {
	net.Conn
	t *connTracker

	prev, next *trackedConn // guarded by t.mu
	listed     bool         // guarded by t.mu
	authed     atomic.Bool  // a request on it presented a valid token or signature

	state         atomic.Int32 // the http.ConnState last reported
	readSinceIdle atomic.Bool  // bytes arrived since the connection turned idle
	closeOnce     gosync.Once
	counted       atomic.Bool // a reason for its closing was counted

	dl     gosync.Mutex // guards rd and wd
	rd, wd deadline     // the read and write deadlines (see SetReadDeadline)
}

// deadline is one direction's deadline: the one last asked for (want), the one the socket has
// (set), and how many Reads (or Writes) are under way.
type deadline struct {
	want, set time.Time
	busy      int
}

// trackedListener adds every accepted connection to the tracker.
type trackedListener struct {
	net.Listener
	t *connTracker
}

func (l *trackedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, t: l.t}
	l.t.add(tc)
	return tc, nil
}

// add lists c as unauthenticated and, over the cap, closes the oldest listed connection.
func (t *connTracker) add(c *trackedConn) {
	var evict *trackedConn
	t.mu.Lock()
	if t.max > 0 && t.n >= t.max {
		evict = t.head
		t.unlinkLocked(evict)
	}
	c.prev, c.next, c.listed = t.tail, nil, true
	if t.tail != nil {
		t.tail.next = c
	} else {
		t.head = c
	}
	t.tail = c
	t.n++
	t.metrics.unauthConns.Set(float64(t.n))
	t.mu.Unlock()
	if evict != nil {
		evict.closeFor(closedUnauthenticatedCap)
	}
}

func (t *connTracker) unlinkLocked(c *trackedConn) {
	if !c.listed {
		return
	}
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		t.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		t.tail = c.prev
	}
	c.prev, c.next, c.listed = nil, nil, false
	t.n--
}

func (t *connTracker) remove(c *trackedConn) {
	t.mu.Lock()
	t.unlinkLocked(c)
	t.metrics.unauthConns.Set(float64(t.n))
	t.mu.Unlock()
}

// authenticate takes c off the list: it no longer counts against the cap.
func (c *trackedConn) authenticate() {
	if c.authed.Load() {
		return
	}
	c.authed.Store(true)
	c.t.remove(c)
}

// closeFor closes c, counting reason unless a reason was counted already.
func (c *trackedConn) closeFor(reason string) {
	c.count(reason)
	_ = c.Close()
}

// count counts the closing of c for reason, once.
func (c *trackedConn) count(reason string) {
	if c.counted.CompareAndSwap(false, true) {
		c.t.metrics.connsClosed.WithLabelValues(reason).Inc()
	}
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() { c.t.remove(c) })
	return err
}

// SetReadDeadline sets the deadline of the reads to come, as net.Conn's does, but gives it to the
// socket only when one starts: net/http moves the read deadline six times a request (header,
// whole request, background read, its abort, idle, header again) while at most two reads wait on
// the socket, and each move re-arms a runtime timer. A read under way gets the new deadline at
// once, so every read, waiting or starting, ends at the deadline last asked for, as it would
// with net.Conn's own.
func (c *trackedConn) SetReadDeadline(t time.Time) error {
	c.dl.Lock()
	defer c.dl.Unlock()
	return c.rd.ask(t, c.Conn, false)
}

// SetWriteDeadline is SetReadDeadline for writes: net/http sets one when a request's headers are
// read and clears it after the answer, while only the answer's flush writes to the socket.
func (c *trackedConn) SetWriteDeadline(t time.Time) error {
	c.dl.Lock()
	defer c.dl.Unlock()
	return c.wd.ask(t, c.Conn, true)
}

// SetDeadline sets both deadlines.
func (c *trackedConn) SetDeadline(t time.Time) error {
	return errors.Join(c.SetReadDeadline(t), c.SetWriteDeadline(t))
}

// ask records t as the deadline wanted, and gives it to conn at once only when an operation
// waits on it. d is conn's write deadline when write, else its read deadline. Called with
// trackedConn.dl held.
func (d *deadline) ask(t time.Time, conn net.Conn, write bool) error {
	d.want = t
	if d.busy == 0 {
		return nil
	}
	return d.apply(conn, write)
}

// apply gives conn the deadline wanted unless it has it already. Called with trackedConn.dl held.
func (d *deadline) apply(conn net.Conn, write bool) error {
	if d.want.Equal(d.set) {
		return nil
	}
	set := conn.SetReadDeadline
	if write {
		set = conn.SetWriteDeadline
	}
	if err := set(d.want); err != nil {
		return err
	}
	d.set = d.want
	return nil
}

// Write writes with the write deadline last asked for.
func (c *trackedConn) Write(p []byte) (int, error) {
	c.dl.Lock()
	_ = c.wd.apply(c.Conn, true) // a closed connection fails the write as it failed this
	c.wd.busy++
	c.dl.Unlock()
	n, err := c.Conn.Write(p)
	c.dl.Lock()
	c.wd.busy--
	c.dl.Unlock()
	return n, err
}

// Read reads with the read deadline last asked for. It counts a connection closed for a header or
// idle timeout (net/http closes it on any read error outside a handler). Timeouts while a request
// is active are body reads, which the handlers count, or net/http's own abort of its background
// read, which is no timeout at all.
func (c *trackedConn) Read(p []byte) (int, error) {
	c.dl.Lock()
	_ = c.rd.apply(c.Conn, false) // a closed connection fails the read as it failed this
	c.rd.busy++
	c.dl.Unlock()
	n, err := c.Conn.Read(p)
	c.dl.Lock()
	c.rd.busy--
	c.dl.Unlock()
	if n > 0 && !c.readSinceIdle.Load() {
		c.readSinceIdle.Store(true)
	}
	if err != nil && http.ConnState(c.state.Load()) != http.StateActive && errors.Is(err, os.ErrDeadlineExceeded) {
		if http.ConnState(c.state.Load()) == http.StateIdle && !c.readSinceIdle.Load() {
			c.count(closedIdleTimeout)
		} else {
			c.count(closedHeaderTimeout)
		}
	}
	return n, err
}

// CloseWrite lets net/http half-close the connection before closing it, as it does a TCP one.
func (c *trackedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (t *connTracker) connState(nc net.Conn, st http.ConnState) {
	c, ok := nc.(*trackedConn)
	if !ok {
		return
	}
	switch st {
	case http.StateIdle:
		c.readSinceIdle.Store(false)
	case http.StateClosed, http.StateHijacked:
		t.remove(c)
	}
	c.state.Store(int32(st))
}

// connKey is the context key of a request's *trackedConn.
type connKey struct{}

func (t *connTracker) connContext(ctx context.Context, nc net.Conn) context.Context {
	if c, ok := nc.(*trackedConn); ok {
		return context.WithValue(ctx, connKey{}, c)
	}
	return ctx
}

// requestConn is the tracked connection r arrived on; nil when the handler is not served by a
// Server.
func requestConn(r *http.Request) *trackedConn {
	c, _ := r.Context().Value(connKey{}).(*trackedConn)
	return c
}

// authenticated marks r's connection as authenticated.
func authenticated(r *http.Request) {
	if c := requestConn(r); c != nil {
		c.authenticate()
	}
}

// refuse makes the connection close after this response, without reading what is left of the
// request's body, and counts it for reason.
func refuse(w http.ResponseWriter, r *http.Request, reason string) {
	closeUnread(w)
	if c := requestConn(r); c != nil {
		c.count(reason)
	}
}

// closeUnread makes the connection close after this response without reading any more of the
// request: net/http would otherwise read up to 256 kB of an unread body (until the request
// deadline, when it does not come) before it answered the next request or closed. A read
// deadline in the past fails that read at once.
func closeUnread(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(longAgo)
}

var longAgo = time.Unix(1, 0)

// extendWrite moves the write deadline of the response to d + WriteTimeout from now: the
// route's work (a sync) takes up to d. It does nothing outside a Server.
func (s *server) extendWrite(w http.ResponseWriter, d time.Duration) {
	if s.writeTimeout > 0 {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d + s.writeTimeout))
	}
}
