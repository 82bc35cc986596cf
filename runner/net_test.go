package runner

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"io"
	"math/big"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// netIdleServer accepts connections, sends "hi" and then nothing; each connection's end (the
// client closed it) is reported on the returned channel.
func netIdleServer(t *testing.T) (string, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{}, 8)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.Write([]byte("hi"))
				io.Copy(io.Discard, c)
				closed <- struct{}{}
			}()
		}
	}()
	return ln.Addr().String(), closed
}

// netSocketGoroutines counts the goroutines of node's sockets (their reader, writer and dial).
func netSocketGoroutines() int {
	buf := make([]byte, 1<<20)
	n := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "runner/node.(*socket)") || strings.Contains(g, "runner/node.(*Modules).netConnect") {
			n++
		}
	}
	return n
}

// A socket the action leaves open is closed when its execution ends, whether the handler
// settled with it open or the action's timeout ended the wait for data: the server sees the
// close, and no goroutine of the socket is left.
func TestNetSocketClosedWithExecution(t *testing.T) {
	addr, closed := netIdleServer(t)
	_, port, _ := net.SplitHostPort(addr)
	for _, tt := range []struct{ name, body, wantErr string }{
		{name: "handler settled", body: `await new Promise((res) => s.once('data', res)); api.idToken.setCustomClaim('ok', true);`},
		{name: "timeout", body: `await new Promise((res) => s.once('data', res)); await new Promise((res) => s.once('data', res));`, wantErr: "exceeded its 500ms timeout"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := newAction("sock", `exports.onExecutePostLogin = async (event, api) => {
  const s = require('net').connect(`+port+`, '127.0.0.1');
  `+tt.body+`
};`)
			a.Timeout = 500 * time.Millisecond
			g := mustBuild(t, newSpec(a), Options{HTTPClient: loopbackClient(t)})
			netWantClosed(t, mustExecute(t, g, "post-login", `{}`), tt.wantErr, closed)
		})
	}
}

// startTLSIdleServer accepts connections, greets, upgrades at "STARTTLS" (a self-signed
// certificate), sends "hi" over TLS and then nothing; each connection's end is reported.
func startTLSIdleServer(t *testing.T) (string, <-chan struct{}) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), DNSNames: []string{"idle.example.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{}, 8)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.Write([]byte("220 hello\r\n"))
				if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || line != "STARTTLS\r\n" {
					return
				}
				c.Write([]byte("220 go ahead\r\n"))
				tc := tls.Server(c, cfg)
				if tc.Handshake() == nil {
					tc.Write([]byte("hi"))
					io.Copy(io.Discard, tc)
				}
				closed <- struct{}{}
			}()
		}
	}()
	return ln.Addr().String(), closed
}

// A socket upgraded with STARTTLS (tls.connect({ socket })) and left open is closed when its
// execution ends, as a plain one is: the server sees the close, and no goroutine of either
// socket is left.
func TestNetUpgradedSocketClosedWithExecution(t *testing.T) {
	addr, closed := startTLSIdleServer(t)
	_, port, _ := net.SplitHostPort(addr)
	for _, tt := range []struct{ name, body, wantErr string }{
		{name: "handler settled", body: `await new Promise((res) => t.once('data', res)); api.idToken.setCustomClaim('ok', true);`},
		{name: "timeout", body: `await new Promise((res) => t.once('data', res)); await new Promise((res) => t.once('data', res));`, wantErr: "exceeded its 3s timeout"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := newAction("sock", `exports.onExecutePostLogin = async (event, api) => {
  const s = require('net').connect(`+port+`, '127.0.0.1');
  await new Promise((res) => s.once('data', res));
  s.write('STARTTLS\r\n');
  await new Promise((res) => s.once('data', res));
  const t = require('tls').connect({ socket: s, servername: 'idle.example.test', rejectUnauthorized: false });
  `+tt.body+`
};`)
			a.Timeout = 3 * time.Second // a handshake under the race detector on a loaded machine
			g := mustBuild(t, newSpec(a), Options{HTTPClient: loopbackClient(t)})
			netWantClosed(t, mustExecute(t, g, "post-login", `{}`), tt.wantErr, closed)
		})
	}
}

// netWantClosed checks an execution that left a socket open: it succeeded (wantErr "") or failed
// with wantErr, and within 5 s of its end the server saw the connection close (closed) and no
// goroutine of the socket is left.
func netWantClosed(t *testing.T, res *Result, wantErr string, closed <-chan struct{}) {
	t.Helper()
	if wantErr == "" {
		wantSuccess(t, res)
	} else if e := res.Actions[0].Error; e == nil || !strings.Contains(e.Message, wantErr) {
		t.Fatalf("got %s, want an error with %q", toJSON(t, res), wantErr)
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the server's connection is still open 5s after the execution ended")
	}
	deadline := time.Now().Add(5 * time.Second)
	for netSocketGoroutines() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines of the socket outlive the execution", netSocketGoroutines())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
