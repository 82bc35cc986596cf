package api

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// trackedPair returns the two ends of a loopback TCP connection, the accepted one wrapped as
// Server wraps it.
func trackedPair(t *testing.T) (*trackedConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tl := &trackedListener{Listener: ln, t: &connTracker{metrics: newMetrics(nil, nil)}}
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	c, err := tl.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*trackedConn), peer
}

// endsWithin runs op and reports its error, failing the test unless it returns within d.
func endsWithin(t *testing.T, d time.Duration, op func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- op() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("still blocked after %s", d)
		return nil
	}
}

// TestTrackedConnDeadlines: trackedConn gives deadlines to the socket only when a read or write
// starts, yet every read and write ends at the deadline last asked for, as on net.Conn: net/http's
// header, request, idle and write timeouts, the abort of its background read and closeUnread all
// rest on it.
func TestTrackedConnDeadlines(t *testing.T) {
	const bound = 2 * time.Second
	isTimeout := func(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }
	buf := make([]byte, 16)
	read := func(t *testing.T, c net.Conn) (string, error) {
		t.Helper()
		var n int
		err := endsWithin(t, bound, func() (err error) { n, err = c.Read(buf); return err })
		return string(buf[:n]), err
	}

	t.Run("a deadline asked for before a read bounds it", func(t *testing.T) {
		c, _ := trackedPair(t)
		start := time.Now()
		_ = c.SetReadDeadline(start.Add(100 * time.Millisecond))
		err := endsWithin(t, bound, func() error { _, err := c.Read(buf); return err })
		if !isTimeout(err) || time.Since(start) < 100*time.Millisecond {
			t.Errorf("read ended after %s with %v, want a timeout after 100ms", time.Since(start), err)
		}
	})
	t.Run("a past deadline fails the next read at once, data or not", func(t *testing.T) {
		c, peer := trackedPair(t)
		_, _ = peer.Write([]byte("x"))
		time.Sleep(20 * time.Millisecond)
		_ = c.SetReadDeadline(longAgo)
		if _, err := read(t, c); !isTimeout(err) {
			t.Errorf("read: %v, want a timeout", err)
		}
	})
	t.Run("the deadline last asked for wins", func(t *testing.T) {
		c, peer := trackedPair(t)
		_ = c.SetReadDeadline(longAgo)
		_ = c.SetReadDeadline(time.Time{})
		_, _ = peer.Write([]byte("x"))
		if got, err := read(t, c); err != nil || got != "x" {
			t.Errorf("read %q, %v; want x", got, err)
		}
		// And a read that timed out reads again once the deadline is lifted.
		_ = c.SetReadDeadline(longAgo)
		if _, err := read(t, c); !isTimeout(err) {
			t.Fatalf("read: %v, want a timeout", err)
		}
		_ = c.SetReadDeadline(time.Time{})
		_, _ = peer.Write([]byte("y"))
		if got, err := read(t, c); err != nil || got != "y" {
			t.Errorf("read %q, %v; want y", got, err)
		}
	})
	t.Run("a deadline asked for during a read ends it", func(t *testing.T) {
		c, _ := trackedPair(t)
		_ = c.SetReadDeadline(time.Now().Add(time.Hour))
		done := make(chan error, 1)
		go func() { _, err := c.Read(buf); done <- err }()
		time.Sleep(50 * time.Millisecond) // the read is waiting
		_ = c.SetReadDeadline(longAgo)    // as net/http aborts its background read
		select {
		case err := <-done:
			if !isTimeout(err) {
				t.Errorf("read: %v, want a timeout", err)
			}
		case <-time.After(bound):
			t.Fatal("the waiting read did not end")
		}
	})
	t.Run("a past write deadline fails the next write; a lifted one lets it through", func(t *testing.T) {
		c, peer := trackedPair(t)
		_ = c.SetWriteDeadline(longAgo)
		if err := endsWithin(t, bound, func() error { _, err := c.Write([]byte("x")); return err }); !isTimeout(err) {
			t.Errorf("write: %v, want a timeout", err)
		}
		_ = c.SetWriteDeadline(time.Now().Add(time.Hour))
		if err := endsWithin(t, bound, func() error { _, err := c.Write([]byte("y")); return err }); err != nil {
			t.Fatalf("write: %v", err)
		}
		if got, err := read(t, peer); err != nil || got != "y" {
			t.Errorf("peer read %q, %v; want y", got, err)
		}
	})
	t.Run("a write deadline bounds a write the peer does not read", func(t *testing.T) {
		c, _ := trackedPair(t)
		_ = c.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
		big := bytes.Repeat([]byte("x"), 64<<20) // more than the socket buffers hold
		err := endsWithin(t, bound+time.Second, func() error { _, err := c.Write(big); return err })
		if !isTimeout(err) {
			t.Errorf("write: %v, want a timeout", err)
		}
	})
	t.Run("a write deadline asked for during a write ends it", func(t *testing.T) {
		c, _ := trackedPair(t)
		big := bytes.Repeat([]byte("x"), 64<<20)
		done := make(chan error, 1)
		go func() { _, err := c.Write(big); done <- err }()
		time.Sleep(100 * time.Millisecond) // the write is waiting for the peer
		_ = c.SetDeadline(longAgo)
		select {
		case err := <-done:
			if !isTimeout(err) {
				t.Errorf("write: %v, want a timeout", err)
			}
		case <-time.After(bound):
			t.Fatal("the waiting write did not end")
		}
	})
}

// TestServerTimeoutsKeptAlive: on a connection that was answered once, the next request's
// headers and body are held to ReadHeaderTimeout and RequestTimeout, not to the longer
// IdleTimeout that bounded the wait for them.
func TestServerTimeoutsKeptAlive(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv, addr := startServer(t, Config{Reconciler: serving{gen: claimsGeneration(t)}, Token: "s3cret", Registerer: reg,
		Limits: Limits{ReadHeaderTimeout: 300 * time.Millisecond, RequestTimeout: 600 * time.Millisecond, IdleTimeout: time.Minute}})
	const first = "POST /v1/triggers/post-login/execute HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 2\r\n\r\n{}"
	for _, tt := range []struct {
		name, next, reason, wantStatus string
	}{
		{"slow headers", "POST /v1/triggers/post-login/execute HTTP/1.1\r\nHost: x\r\n", closedHeaderTimeout, ""},
		{"body missing", "POST /v1/triggers/post-login/execute HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Length: 10\r\n\r\n{", closedRequestTimeout, "HTTP/1.1 408"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := closedCount(reg, srv, tt.reason)
			c := dial(t, addr, first)
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			b := make([]byte, 4096)
			n, err := c.Read(b)
			if err != nil || !strings.HasPrefix(string(b[:n]), "HTTP/1.1 200") {
				t.Fatalf("first answer %q, %v", b[:n], err)
			}
			for !strings.HasSuffix(string(b[:n]), "}\n") { // the rest of the first answer
				m, err := c.Read(b[n:])
				if err != nil {
					t.Fatalf("first answer %q, %v", b[:n], err)
				}
				n += m
			}
			time.Sleep(100 * time.Millisecond) // idle a while, within IdleTimeout
			if _, err := io.WriteString(c, tt.next); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			got, closed := closedWithin(c, 600*time.Millisecond+2*time.Second)
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
