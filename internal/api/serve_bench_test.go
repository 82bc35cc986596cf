package api

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"testing"
)

// BenchmarkServeWire runs the claims-only execute route over loopback, with the bearer token,
// from clients that write the request's bytes and read the answer's on kept-alive connections
// without net/http's client: what is measured (ns/op, cpu-ns/op, allocs/op) is nearly all the
// server's. "limits" serves it through NewServer, as actionsd serve does; "nolimits" through a
// bare http.Server, without deadlines or connection tracking: the difference is what the limits
// cost. Run it pinned to one CPU (taskset -c 0) to see the cost per request on one core.
func BenchmarkServeWire(b *testing.B) {
	g := claimsGeneration(b)
	b.Run("limits", func(b *testing.B) {
		srv := NewServer(Config{Reconciler: serving{gen: g}, Token: "s3cret"})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		serveWire(b, ln)
	})
	b.Run("nolimits", func(b *testing.B) {
		srv := &http.Server{Handler: New(Config{Reconciler: serving{gen: g}, Token: "s3cret"})}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		serveWire(b, ln)
	})
}

func serveWire(b *testing.B, ln net.Listener) {
	event := `{"user":{"user_id":"auth0|123","email":"ada@example.com","app_metadata":{"plan":"gold"}},"authorization":{"roles":["admin","dev"]},"client":{"client_id":"abc","name":"web"},"request":{"ip":"203.0.113.7","geoip":{"countryCode":"FR"}},"tenant":{"id":"t1"}}`
	req := []byte("POST /v1/triggers/post-login/execute HTTP/1.1\r\nHost: " + ln.Addr().String() +
		"\r\nUser-Agent: bench\r\nAuthorization: Bearer s3cret\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(event)) + "\r\n\r\n" + event)
	const conns = 8
	var wg sync.WaitGroup
	work := make(chan struct{}, conns)
	errs := make(chan error, conns)
	b.ReportAllocs()
	for range conns {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		wg.Go(func() {
			br := bufio.NewReaderSize(c, 8192)
			for range work {
				if _, err := c.Write(req); err != nil {
					errs <- err
					return
				}
				if err := readAnswer(br); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}

// cpuTime is the process's user and system CPU time so far, in nanoseconds: unlike the wall
// time, it leaves out what other tenants of a shared machine take.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// readAnswer reads one 200 answer with a Content-Length from br.
func readAnswer(br *bufio.Reader) error {
	n := -1
	status := true
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if status {
			if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
				return fmt.Errorf("answer %q", line)
			}
			status = false
			continue
		}
		if len(line) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(k, []byte("Content-Length")) {
			n, err = strconv.Atoi(string(bytes.TrimSpace(v)))
			if err != nil {
				return err
			}
		}
	}
	if n < 0 {
		return fmt.Errorf("no Content-Length")
	}
	_, err := br.Discard(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}
