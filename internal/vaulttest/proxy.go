package vaulttest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy is a loopback TCP proxy in front of a Vault server, for making outages the way networks
// make them: Cut refuses every connection, Hold accepts connections and forwards nothing (requests
// hang until the client times out), Restore forwards again. It stops when the test that started it
// ends.
type Proxy struct {
	Addr string // e.g. "http://127.0.0.1:41235": give it to the client instead of Server.Addr

	ln     net.Listener
	target string // host:port of the server
	wg     sync.WaitGroup

	mu      sync.Mutex // guards the fields below
	mode    proxyMode
	release chan struct{} // closed when a Hold ends
	conns   map[net.Conn]struct{}
	closed  bool
}

type proxyMode int

const (
	proxyPass proxyMode = iota
	proxyCut
	proxyHold
)

// Proxy starts a proxy to s for t.
func (s *Server) Proxy(t testing.TB) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	target := s.Addr
	for _, p := range []string{"http://", "https://"} {
		if len(target) > len(p) && target[:len(p)] == p {
			target = target[len(p):]
		}
	}
	p := &Proxy{
		Addr:    "http://" + ln.Addr().String(),
		ln:      ln,
		target:  target,
		release: make(chan struct{}),
		conns:   map[net.Conn]struct{}{},
	}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// Cut closes every connection and refuses new ones (they are accepted and closed at once), as a
// network partition that resets connections does.
func (p *Proxy) Cut() { p.set(proxyCut) }

// Hold closes every connection and accepts new ones without forwarding anything, as a black hole
// does: requests hang until the client gives up.
func (p *Proxy) Hold() { p.set(proxyHold) }

// Restore forwards again; held connections are forwarded from now on.
func (p *Proxy) Restore() { p.set(proxyPass) }

func (p *Proxy) set(m proxyMode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode == proxyHold && m != proxyHold {
		close(p.release)
		p.release = make(chan struct{})
	}
	p.mode = m
	if m != proxyPass {
		for c := range p.conns {
			c.Close()
		}
	}
}

func (p *Proxy) close() {
	p.mu.Lock()
	p.closed = true
	p.ln.Close()
	for c := range p.conns {
		c.Close()
	}
	if p.mode == proxyHold {
		close(p.release)
		p.release = make(chan struct{})
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// track adds c to the connections to close; false when the proxy is closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

func (p *Proxy) serve(c net.Conn) {
	defer p.wg.Done()
	defer c.Close()
	if !p.track(c) {
		return
	}
	defer p.untrack(c)
	for {
		p.mu.Lock()
		mode, release := p.mode, p.release
		p.mu.Unlock()
		switch mode {
		case proxyCut:
			return
		case proxyHold:
			// Forward nothing until the hold ends; then forward what the client sent meanwhile.
			<-release
			if p.isClosed() {
				return
			}
		case proxyPass:
			p.pump(c)
			return
		}
	}
}

// pump forwards c to the server until either side closes.
func (p *Proxy) pump(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer up.Close()
	if !p.track(up) {
		return
	}
	defer p.untrack(up)
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); up.Close(); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); c.Close(); done <- struct{}{} }()
	<-done
	<-done
}
