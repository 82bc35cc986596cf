package node

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/runner/host"
	"github.com/dop251/goja"
)

// Client sockets of node:net and node:tls (net.js): a Go connection dialled through the egress
// dialer (Config.Dial), read on a goroutine of its own and written by another, each settling on
// the runtime's loop through host.VM.RegisterCallback. A socket lives only within the execution
// that opened it: when that execution ends (its handler settled, its time ran out, it was
// interrupted) the connection is closed and both goroutines return.

// readBufSize is the most one 'data' event carries.
const readBufSize = 64 << 10

// tlsHandshakeTimeout bounds a TLS handshake; the execution's own deadline usually ends it first.
const tlsHandshakeTimeout = 10 * time.Second

// socket is one connection. Fields but conn, writes and the channels belong to the loop goroutine.
type socket struct {
	v       *Modules
	conn    net.Conn
	onEvent goja.Callable
	ctx     context.Context
	stop    func() bool // the context.AfterFunc that closes conn when the execution ends

	mu     sync.Mutex
	writes []writeReq    // queued for the writer goroutine
	wake   chan struct{} // cap 1: there are writes
	next   chan func(func() error)
	closed bool
	paused bool // loop only: the reader waits for resume

	// STARTTLS (upgrade): moved says the connection now belongs to a TLS socket, so that close
	// leaves it open; detach (closed by upgrade) stops the reader, which then hands what it read
	// but did not deliver (leftover) over and closes readerDone; writerDone is closed when the
	// writer has written what was queued before the upgrade and returned.
	moved      bool
	upgraded   bool // loop only: no more reads are asked for
	detach     chan struct{}
	readerDone chan struct{}
	writerDone chan struct{}
	leftover   []byte
}

// writeReq is one write (data) or, with end set, the half close after the writes before it.
type writeReq struct {
	data    []byte
	end     bool
	enqueue func(func() error)
}

// netConnect is native.netConnect(host, port, tlsOptions | null, onEvent): it dials host:port on
// a goroutine and returns the socket's handle; onEvent(name, value) gets 'connect' (addresses,
// and for TLS authorized, authorizationError, cert, alpnProtocol), 'data' (a Uint8Array),
// 'written' (an error message or undefined, once per write and end, in order), 'end' (the peer
// ended its side) and 'error' (an Error: the connect or a read failed), always on the loop.
func (v *Modules) netConnect(call goja.FunctionCall) goja.Value {
	rt := v.rt
	h, _ := host.String(call.Argument(0))
	port := call.Argument(1).ToInteger()
	onEvent, ok := goja.AssertFunction(call.Argument(3))
	if !ok {
		panic(rt.NewTypeError("netConnect: onEvent must be a function"))
	}
	ctx := v.vm.Context()
	if ctx == nil {
		panic(v.in.NewError("net.connect: sockets may be opened only while an action runs, not while its code loads"))
	}
	if v.cfg.Dial == nil {
		panic(v.in.NewError("net.connect: sockets are not available: the runner has no egress dialer"))
	}
	var tcfg *tls.Config
	if o, ok := call.Argument(2).(*goja.Object); ok {
		tcfg = v.tlsConfig(o, h)
	}
	s := v.newSocket(onEvent, ctx)
	addr := net.JoinHostPort(h, strconv.FormatInt(port, 10))
	dial := v.cfg.Dial
	return s.open(addr, tcfg, func(dctx context.Context) (net.Conn, error) { return dial(dctx, "tcp", addr) })
}

func (v *Modules) newSocket(onEvent goja.Callable, ctx context.Context) *socket {
	return &socket{v: v, onEvent: onEvent, ctx: ctx, wake: make(chan struct{}, 1), next: make(chan func(func() error), 1),
		detach: make(chan struct{}), readerDone: make(chan struct{}), writerDone: make(chan struct{})}
}

// open gets the socket's connection from get (a dial, or the connection of the socket that a
// STARTTLS upgrades) on a goroutine, runs the TLS handshake over it when tcfg is set, and reports
// 'connect' or 'error' on the loop; it returns the socket's handle.
func (s *socket) open(addr string, tcfg *tls.Config, get func(context.Context) (net.Conn, error)) *goja.Object {
	v := s.v
	enqueue := v.vm.RegisterCallback()
	dctx, cancel := context.WithCancel(s.ctx)
	go func() {
		defer cancel()
		conn, err := get(dctx)
		if err == nil && tcfg != nil {
			tc := tls.Client(conn, tcfg)
			hctx, hcancel := context.WithTimeout(dctx, tlsHandshakeTimeout)
			err = tc.HandshakeContext(hctx)
			hcancel()
			if err != nil {
				conn.Close()
			}
			conn = tc
		}
		if err != nil {
			enqueue(func() error {
				s.mu.Lock()
				closed := s.closed
				s.mu.Unlock()
				if !closed {
					s.emit("error", v.netError(err, "connect", addr))
				}
				return nil
			})
			return
		}
		enqueue(func() error {
			s.mu.Lock()
			if s.closed { // destroyed while connecting
				s.mu.Unlock()
				conn.Close()
				return nil
			}
			s.conn = conn
			s.mu.Unlock()
			s.stop = context.AfterFunc(s.ctx, func() { conn.Close() })
			s.emit("connect", s.connectInfo(tcfg))
			s.startReader()
			go s.writer()
			return nil
		})
	}()
	return s.handle(cancel)
}

// handle is the socket's handle for net.js; cancel abandons a connect in progress.
func (s *socket) handle(cancel func()) *goja.Object {
	v, rt := s.v, s.v.rt
	handle := rt.NewObject()
	handle.Set("write", func(call goja.FunctionCall) goja.Value {
		b, _ := host.Bytes(call.Argument(0))
		s.queue(writeReq{data: append([]byte(nil), b...)})
		return goja.Undefined()
	})
	handle.Set("read", func(goja.FunctionCall) goja.Value {
		s.resume()
		return goja.Undefined()
	})
	handle.Set("end", func(goja.FunctionCall) goja.Value {
		s.queue(writeReq{end: true})
		return goja.Undefined()
	})
	handle.Set("destroy", func(goja.FunctionCall) goja.Value {
		cancel() // a dial in progress
		s.close()
		return goja.Undefined()
	})
	handle.Set("upgrade", func(call goja.FunctionCall) goja.Value {
		o, _ := call.Argument(0).(*goja.Object)
		h, _ := host.String(call.Argument(1))
		onEvent, ok := goja.AssertFunction(call.Argument(2))
		if o == nil || !ok {
			panic(rt.NewTypeError("upgrade: tls options and onEvent expected"))
		}
		return s.upgrade(v.tlsConfig(o, h), onEvent)
	})
	handle.Set("setNoDelay", func(call goja.FunctionCall) goja.Value {
		if tc, ok := s.tcp(); ok {
			_ = tc.SetNoDelay(call.Argument(0).ToBoolean())
		}
		return goja.Undefined()
	})
	handle.Set("setKeepAlive", func(call goja.FunctionCall) goja.Value {
		if tc, ok := s.tcp(); ok {
			on := call.Argument(0).ToBoolean()
			_ = tc.SetKeepAlive(on)
			if ms := call.Argument(1).ToInteger(); on && ms > 0 {
				_ = tc.SetKeepAlivePeriod(time.Duration(ms) * time.Millisecond)
			}
		}
		return goja.Undefined()
	})
	return handle
}

// upgrade is STARTTLS (tls.connect({ socket })): it hands s's connection to a new socket that
// runs a TLS handshake over it and returns that socket's handle; onEvent gets its events as
// netConnect's does. The connection was dialled through the egress dialer already, and stays
// bound to the execution: the new socket closes it when the execution ends. s reads no more
// (what its reader read but did not deliver goes to the handshake, as Node's TLS layer takes
// over the handle), writes what was queued before, and then leaves the connection open when
// it is closed.
func (s *socket) upgrade(tcfg *tls.Config, onEvent goja.Callable) goja.Value {
	s.mu.Lock()
	conn, closed, moved := s.conn, s.closed, s.moved
	if conn != nil && !closed && !moved {
		s.moved = true
	}
	s.mu.Unlock()
	if conn == nil || closed || moved {
		panic(s.v.in.NewError("tls.connect: options.socket is not connected"))
	}
	s.upgraded = true
	close(s.detach)
	_ = conn.SetReadDeadline(time.Unix(1, 0)) // ends a read in progress
	select {
	case s.wake <- struct{}{}: // the writer returns once the queue is empty
	default:
	}
	ns := s.v.newSocket(onEvent, s.ctx)
	addr := conn.RemoteAddr().String()
	return ns.open(addr, tcfg, func(ctx context.Context) (net.Conn, error) {
		for _, done := range []chan struct{}{s.readerDone, s.writerDone} {
			select {
			case <-done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		select {
		case enqueue := <-s.next: // asked for before the upgrade, never to be read
			enqueue(func() error { return nil })
		default:
		}
		if err := conn.SetReadDeadline(time.Time{}); err != nil {
			return nil, err
		}
		if len(s.leftover) > 0 {
			return &prefixConn{Conn: conn, prefix: s.leftover}, nil
		}
		return conn, nil
	})
}

// prefixConn reads prefix before the connection's own bytes.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(b []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(b, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

func (c *prefixConn) CloseWrite() error { return closeWrite(c.Conn) }

// tcp is the socket's TCP connection (under TLS too), once connected.
func (s *socket) tcp() (*net.TCPConn, bool) {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if pc, ok := c.(*prefixConn); ok {
		c = pc.Conn
	}
	tc, ok := c.(*net.TCPConn)
	return tc, ok
}

// emit calls onEvent(name, val); it returns what onEvent returned, as a boolean (for 'data':
// whether the stream wants more now).
func (s *socket) emit(name string, val goja.Value) bool {
	if val == nil {
		val = goja.Undefined()
	}
	return host.Call(s.onEvent, goja.Undefined(), s.v.rt.ToValue(name), val).ToBoolean()
}

// resume reads again after the stream's buffer was full ('data' returned false).
func (s *socket) resume() {
	if s.paused && s.ctx.Err() == nil && !s.upgraded {
		s.paused = false
		s.next <- s.v.vm.RegisterCallback()
	}
}

// queue hands w to the writer goroutine; its 'written' event is awaited by the loop. Before the
// connection is made, writes wait in the queue.
func (s *socket) queue(w writeReq) {
	w.enqueue = s.v.vm.RegisterCallback()
	s.mu.Lock()
	if s.closed || s.moved {
		s.mu.Unlock()
		w.enqueue(func() error {
			s.emit("written", s.v.rt.ToValue("This socket has been ended by the other party"))
			return nil
		})
		return
	}
	s.writes = append(s.writes, w)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// close closes the connection (once); the reader then reports 'close'. Queued writes fail.
func (s *socket) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conn := s.conn
	moved := s.moved
	s.mu.Unlock()
	switch {
	case moved: // the TLS socket's now: it closes the connection
	case conn != nil:
		conn.Close()
	default:
		// No writer runs (the connect failed or is abandoned): hand the queued writes back,
		// off the loop, whose job queue they go to.
		go s.failWrites()
	}
	if s.stop != nil {
		s.stop()
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// writer writes the queued writes in order until the connection closes or the execution ends.
func (s *socket) writer() {
	defer close(s.writerDone)
	for {
		s.mu.Lock()
		if len(s.writes) == 0 {
			closed := s.closed || s.moved
			s.mu.Unlock()
			if closed {
				return
			}
			select {
			case <-s.wake:
				continue
			case <-s.ctx.Done():
				s.failWrites()
				return
			}
		}
		w := s.writes[0]
		s.writes = s.writes[1:]
		closed := s.closed && !s.moved
		conn := s.conn
		s.mu.Unlock()
		var err error
		switch {
		case closed:
			err = net.ErrClosed
		case w.end:
			err = closeWrite(conn)
		default:
			_, err = conn.Write(w.data)
		}
		var msg goja.Value
		w.enqueue(func() error {
			if err != nil {
				msg = s.v.rt.ToValue(err.Error())
			}
			s.emit("written", msg)
			return nil
		})
	}
}

// failWrites hands every queued write back (the execution ended: enqueue drops them at once).
func (s *socket) failWrites() {
	s.mu.Lock()
	ws := s.writes
	s.writes = nil
	s.mu.Unlock()
	for _, w := range ws {
		w.enqueue(func() error { return nil })
	}
}

// closeWrite half-closes conn: the peer reads the end of the stream.
func closeWrite(conn net.Conn) error {
	switch c := conn.(type) {
	case *tls.Conn:
		return c.CloseWrite()
	case interface{ CloseWrite() error }:
		return c.CloseWrite()
	}
	return nil
}

// startReader reads the connection on a goroutine: each chunk is handed to the loop, which
// registers the next callback before the goroutine reads again, so that the loop waits for the
// socket as long as it is open (as Node's loop does for a socket it refs). When the stream's
// buffer is full, the next read waits for the stream to ask (resume): a peer cannot fill the
// runtime's memory faster than the code reads.
func (s *socket) startReader() {
	s.next <- s.v.vm.RegisterCallback()
	conn := s.conn
	go func() {
		defer close(s.readerDone)
		buf := make([]byte, readBufSize)
		for {
			var enqueue func(func() error)
			select {
			case enqueue = <-s.next:
			case <-s.ctx.Done():
				return
			case <-s.detach:
				return
			}
			n, err := conn.Read(buf)
			select {
			case <-s.detach: // upgraded while reading (upgrade's deadline ended the read)
				s.leftover = append([]byte(nil), buf[:n]...)
				enqueue(func() error { return nil })
				return
			default:
			}
			if n > 0 {
				data := append([]byte(nil), buf[:n]...)
				rerr := err
				enqueue(func() error {
					// Paused until the stream reads again (resume), which it may do within emit,
					// as the ticks and promise jobs run when the call returns.
					s.paused = rerr == nil
					more := s.emit("data", s.v.rt.ToValue(s.v.rt.NewArrayBuffer(data)))
					switch {
					case rerr == nil && more && s.paused && !s.upgraded:
						s.paused = false
						s.next <- s.v.vm.RegisterCallback()
					case rerr == nil:
					default:
						s.readDone(rerr)
					}
					return nil
				})
				if err == nil {
					continue
				}
				return
			}
			if err == nil { // a zero read: read again
				s.next <- enqueue
				continue
			}
			enqueue(func() error { s.readDone(err); return nil })
			return
		}
	}()
}

// readDone reports the end of the reads: 'end' at the peer's end of the stream (the socket stays
// open for writing until the JavaScript side ends or destroys it), 'error' when reading failed
// other than because the socket was closed here.
func (s *socket) readDone(err error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	switch {
	case closed || errors.Is(err, net.ErrClosed):
	case errors.Is(err, io.EOF):
		s.emit("end", nil)
	default:
		s.emit("error", s.v.netError(err, "read", ""))
	}
}

// connectInfo is the 'connect' event's value.
func (s *socket) connectInfo(tcfg *tls.Config) *goja.Object {
	rt := s.v.rt
	o := rt.NewObject()
	addrInfo := func(prefix string, a net.Addr) {
		if ta, ok := a.(*net.TCPAddr); ok {
			o.Set(prefix+"Address", ta.IP.String())
			o.Set(prefix+"Port", ta.Port)
			fam := "IPv4"
			if ta.IP.To4() == nil {
				fam = "IPv6"
			}
			o.Set(prefix+"Family", fam)
		}
	}
	addrInfo("remote", s.conn.RemoteAddr())
	addrInfo("local", s.conn.LocalAddr())
	if tc, ok := s.conn.(*tls.Conn); ok {
		st := tc.ConnectionState()
		authorized, authErr := verifyPeer(st, tcfg)
		o.Set("authorized", authorized)
		if authErr != "" {
			o.Set("authorizationError", authErr)
		}
		o.Set("alpnProtocol", st.NegotiatedProtocol)
		o.Set("protocol", tlsVersionName(st.Version))
		if len(st.PeerCertificates) > 0 {
			c := st.PeerCertificates[0]
			cert := rt.NewObject()
			subj := rt.NewObject()
			subj.Set("CN", c.Subject.CommonName)
			cert.Set("subject", subj)
			iss := rt.NewObject()
			iss.Set("CN", c.Issuer.CommonName)
			cert.Set("issuer", iss)
			cert.Set("valid_from", c.NotBefore.UTC().Format("Jan _2 15:04:05 2006 GMT"))
			cert.Set("valid_to", c.NotAfter.UTC().Format("Jan _2 15:04:05 2006 GMT"))
			cert.Set("serialNumber", fmt.Sprintf("%X", c.SerialNumber))
			cert.Set("raw", rt.NewArrayBuffer(append([]byte(nil), c.Raw...)))
			o.Set("cert", cert)
		}
	}
	return o
}

// verifyPeer says whether the peer's chain verifies against the configured roots and name, when
// the handshake did not check it already (rejectUnauthorized: false).
func verifyPeer(st tls.ConnectionState, tcfg *tls.Config) (bool, string) {
	if !tcfg.InsecureSkipVerify {
		return true, ""
	}
	if len(st.PeerCertificates) == 0 {
		return false, "UNABLE_TO_GET_ISSUER_CERT"
	}
	inter := x509.NewCertPool()
	for _, c := range st.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := st.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: tcfg.RootCAs, Intermediates: inter, DNSName: tcfg.ServerName})
	if err != nil {
		var he x509.HostnameError
		if errors.As(err, &he) {
			return false, "ERR_TLS_CERT_ALTNAME_INVALID"
		}
		return false, "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
	}
	return true, ""
}

func tlsVersionName(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	}
	return "unknown"
}

// tlsConfig reads tls.connect's options (o): servername (SNI; default the host unless it is an
// IP address), ca (PEM strings or Buffers: replace the system roots, as in Node),
// rejectUnauthorized (default true) and ALPNProtocols.
func (v *Modules) tlsConfig(o *goja.Object, hostName string) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	sni := hostName
	if s, ok := host.String(o.Get("servername")); ok {
		sni = s
	}
	if net.ParseIP(sni) == nil {
		cfg.ServerName = sni
	}
	if ca := o.Get("ca"); ca != nil && !goja.IsUndefined(ca) && !goja.IsNull(ca) {
		pool := x509.NewCertPool()
		var items []goja.Value
		if arr, ok := ca.(*goja.Object); ok && arr.ClassName() == "Array" {
			for _, k := range arr.Keys() {
				items = append(items, arr.Get(k))
			}
		} else {
			items = []goja.Value{ca}
		}
		for i, it := range items {
			var pem []byte
			if s, ok := host.String(it); ok {
				pem = []byte(s)
			} else if b, ok := host.Bytes(it); ok {
				pem = b
			}
			if !pool.AppendCertsFromPEM(pem) {
				panic(v.in.NewError(fmt.Sprintf("tls.connect: options.ca[%d] holds no PEM certificate", i)))
			}
		}
		cfg.RootCAs = pool
	}
	if r := o.Get("rejectUnauthorized"); r != nil && !goja.IsUndefined(r) && !r.ToBoolean() {
		cfg.InsecureSkipVerify = true // verified after the handshake, for socket.authorized (verifyPeer)
	}
	if arr, ok := o.Get("ALPNProtocols").(*goja.Object); ok {
		for _, k := range arr.Keys() {
			if s, ok := host.String(arr.Get(k)); ok {
				cfg.NextProtos = append(cfg.NextProtos, s)
			}
		}
	}
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		// An IP address: Go verifies it against the certificate's IP SANs.
		cfg.ServerName = sni
	}
	return cfg
}

// netError is a Node-style error for a failed socket: code ECONNREFUSED, ETIMEDOUT, ENOTFOUND,
// ECONNRESET or EACCES (refused by the egress policy, as node:http reports it), with syscall,
// address and port when known.
func (v *Modules) netError(err error, op, addr string) *goja.Object {
	code, tlsMsg := "", ""
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var he x509.HostnameError
	switch {
	case isEgressRefusal(err):
		code = "EACCES"
	case errors.As(err, &dnsErr):
		code = "ENOTFOUND"
	case errors.Is(err, syscall.ECONNREFUSED):
		code = "ECONNREFUSED"
	case errors.Is(err, syscall.ECONNRESET):
		code = "ECONNRESET"
	case errors.Is(err, syscall.EPIPE):
		code = "EPIPE"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		code = "ETIMEDOUT"
	case errors.As(err, &certErr) && errors.As(err, &he):
		code = "ERR_TLS_CERT_ALTNAME_INVALID"
		tlsMsg = "Hostname/IP does not match certificate's altnames: " + altNameReason(he)
	case errors.As(err, &certErr):
		code, tlsMsg = "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate"
	}
	msg := err.Error()
	var ee *egress.Error
	switch {
	case tlsMsg != "": // Node's words
		msg = tlsMsg
	case op == "connect" && errors.As(err, &ee): // Node's form, and why
		msg = "connect " + code + " " + addr + ": " + ee.Error()
	case op == "connect" && strings.HasPrefix(code, "E") && code != "ENOTFOUND": // as Node words it
		msg = "connect " + code + " " + addr
	case code != "":
		msg = code + " " + msg
	}
	e := v.in.NewError(msg)
	if code != "" {
		e.Set("code", code)
	}
	if he.Certificate != nil {
		e.Set("reason", altNameReason(he))
		e.Set("host", he.Host)
	}
	if op == "connect" {
		e.Set("syscall", "connect")
		if h, p, perr := net.SplitHostPort(addr); perr == nil {
			e.Set("address", h)
			if n, err := strconv.Atoi(p); err == nil {
				e.Set("port", n)
			}
		}
	} else {
		e.Set("syscall", op)
	}
	return e
}

// altNameReason is Node's reason for a certificate that does not name the host:
// "Host: h. is not in the cert's altnames: DNS:a, IP Address:1.2.3.4" (for an IP address,
// "IP: 1.2.3.5 is not in the cert's list: 1.2.3.4").
func altNameReason(he x509.HostnameError) string {
	var names, ips []string
	for _, n := range he.Certificate.DNSNames {
		names = append(names, "DNS:"+n)
	}
	for _, ip := range he.Certificate.IPAddresses {
		names = append(names, "IP Address:"+ip.String())
		ips = append(ips, ip.String())
	}
	if net.ParseIP(he.Host) != nil {
		return "IP: " + he.Host + " is not in the cert's list: " + strings.Join(ips, ", ")
	}
	return "Host: " + he.Host + ". is not in the cert's altnames: " + strings.Join(names, ", ")
}

func isEgressRefusal(err error) bool {
	var ee *egress.Error
	return errors.As(err, &ee)
}

// dnsLookup is native.dnsLookup(host, family, cb): it resolves host with the resolver the egress
// dialer uses (Go's, as configured on the host) on a goroutine and calls cb(error | null,
// [[address, family], ...]) on the loop. family 4 or 6 keeps those addresses only. A lookup
// judges nothing: egress judges connections, and its refusals already name the address a name
// resolved to; an address a lookup returns is checked when a socket or request connects to it.
func (v *Modules) dnsLookup(call goja.FunctionCall) goja.Value {
	h, _ := host.String(call.Argument(0))
	family := call.Argument(1).ToInteger()
	cb, ok := goja.AssertFunction(call.Argument(2))
	if !ok {
		panic(v.rt.NewTypeError("dnsLookup: cb must be a function"))
	}
	ctx := v.vm.Context()
	if ctx == nil {
		panic(v.in.NewError("dns.lookup: names may be looked up only while an action runs, not while its code loads"))
	}
	enqueue := v.vm.RegisterCallback()
	go func() {
		network := "ip"
		switch family {
		case 4:
			network = "ip4"
		case 6:
			network = "ip6"
		}
		lctx, cancel := context.WithTimeout(ctx, dialTimeoutDNS)
		addrs, err := net.DefaultResolver.LookupNetIP(lctx, network, h)
		cancel()
		enqueue(func() error {
			if err != nil {
				e := v.netError(err, "getaddrinfo", "")
				var de *net.DNSError
				if !errors.As(err, &de) || de.IsNotFound {
					e.Set("code", "ENOTFOUND")
				}
				e.Set("message", "getaddrinfo "+e.Get("code").String()+" "+h)
				e.Set("hostname", h)
				host.Call(cb, goja.Undefined(), e)
				return nil
			}
			list := make([]any, 0, len(addrs))
			for _, a := range addrs {
				a = a.Unmap()
				f := 4
				if a.Is6() {
					f = 6
				}
				list = append(list, v.rt.NewArray(a.String(), f))
			}
			host.Call(cb, goja.Undefined(), goja.Null(), v.rt.NewArray(list...))
			return nil
		})
	}()
	return goja.Undefined()
}

// dialTimeoutDNS bounds a lookup; the execution's deadline usually ends it first.
const dialTimeoutDNS = 10 * time.Second
