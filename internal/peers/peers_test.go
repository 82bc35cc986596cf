package peers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestParseURL(t *testing.T) {
	for raw, want := range map[string]string{
		"http://10.0.0.7:8080":    "http://10.0.0.7:8080",
		"http://10.0.0.7:8080/":   "http://10.0.0.7:8080",
		"http://actionsd-0.peers": "http://actionsd-0.peers:80",
		"https://[::1]":           "https://[::1]:443",
	} {
		base, _, _, err := ParseURL(raw)
		if err != nil || base != want {
			t.Errorf("ParseURL(%q) = %q, %v; want %q", raw, base, err, want)
		}
	}
	for raw, wantErr := range map[string]string{
		"10.0.0.7:8080":                "want an http:// or https:// URL",
		"ftp://host":                   "want an http:// or https:// URL",
		"http://":                      "no host",
		"http://host/v1":               "without path",
		"http://host?x=1":              "without path",
		"http://host:0":                "port \"0\"",
		"http://host:99999":            "port \"99999\"",
		"http://user:hunter2@host:80/": "credentials",
		"http//oops":                   "want an http:// or https:// URL",
	} {
		_, _, _, err := ParseURL(raw)
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseURL(%q) = %v; want an error with %q", raw, err, wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseURL(%q): the error shows the password: %v", raw, err)
		}
	}
	if ps := Check([]string{"http://ok:1", "bad"}, "no spaces allowed", -1); len(ps) != 3 {
		t.Errorf("Check: %d problems, want 3: %v", len(ps), ps)
	}
	if ps := Check(nil, "actionsd-peers.default.svc.cluster.local", 0); len(ps) != 0 {
		t.Errorf("Check of a good name: %v", ps)
	}
}

// counting is a peer that counts the signals it receives; hold, when set, holds each request until
// it is closed.
type counting struct {
	*httptest.Server
	n    atomic.Int32
	hold chan struct{}
}

func newCounting(t *testing.T, status int) *counting {
	c := &counting{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != SyncPath || r.Header.Get("Authorization") != "Bearer s3cret" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		c.n.Add(1)
		if c.hold != nil {
			<-c.hold
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(c.Close)
	return c
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// A signal reaches every peer at once, without waiting in the caller; a peer that hangs, one that
// nobody listens on, one that refuses the secret and one that is no actionsd are each counted by
// result, and none delays the others.
func TestSignal(t *testing.T) {
	ok1, ok2 := newCounting(t, http.StatusAccepted), newCounting(t, http.StatusAccepted)
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) }))
	defer refusing.Close()
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	hang, err := net.Listen("tcp", "127.0.0.1:0") // accepts connections (the backlog does) and never answers
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String()
	closed.Close()

	reg := prometheus.NewRegistry()
	core, logs := observer.New(zap.WarnLevel)
	const timeout = 2 * time.Second
	s, errs := New(Config{URLs: []string{ok1.URL, "http://" + hang.Addr().String(), refusing.URL, other.URL, closedURL, ok2.URL, "nope://x"},
		Secret: "s3cret", Timeout: timeout, Registerer: reg, Logger: zap.New(core)})
	defer s.Close()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "nope://x") {
		t.Fatalf("New: errors %v, want one about nope://x", errs)
	}
	if got := value(s.metrics.invalid); got != 1 {
		t.Errorf("actionsd_peer_invalid_urls = %v, want 1", got)
	}
	if got := len(s.Peers()); got != 6 {
		t.Fatalf("peers %v, want the 6 valid URLs", s.Peers())
	}

	start := time.Now()
	s.Signal()
	// Waiting would take the hanging peer's whole timeout; half of it leaves room for a loaded
	// machine (it took 105 ms once under make test).
	if d := time.Since(start); d > timeout/2 {
		t.Errorf("Signal took %s: it must not wait for the peers", d)
	}
	waitFor(t, "both good peers", func() bool { return ok1.n.Load() == 1 && ok2.n.Load() == 1 })
	if d := time.Since(start); d >= timeout {
		t.Errorf("the good peers were reached after %s: the hanging one (timeout %s) delayed them", d, timeout)
	}
	count := func(r string) float64 { return value(s.metrics.signals.WithLabelValues(r)) }
	waitFor(t, "every result", func() bool {
		return count(ResultOK) == 2 && count(ResultRefused) == 1 && count(ResultFailed) == 1 && count(ResultUnreachable) == 2
	})
	if d := time.Since(start); d < timeout-100*time.Millisecond {
		t.Errorf("the hanging peer was given up after %s, before its timeout %s", d, timeout)
	}
	warned := map[string]string{}
	for _, e := range logs.FilterMessageSnippet("peer signal failed").All() {
		warned[e.ContextMap()["peer"].(string)] = e.ContextMap()["result"].(string)
	}
	for url, result := range map[string]string{"http://" + hang.Addr().String(): ResultUnreachable, closedURL: ResultUnreachable,
		refusing.URL: ResultRefused, other.URL: ResultFailed} {
		if warned[url] != result {
			t.Errorf("warnings %v: want %s for %s", warned, result, url)
		}
	}
	for _, e := range logs.All() {
		if strings.Contains(e.Message+fmt.Sprint(e.ContextMap()), "s3cret") {
			t.Errorf("a warning shows the secret: %v", e)
		}
	}

	// The failing peers are not logged again within a minute; they are counted.
	n := logs.Len()
	s.Signal()
	waitFor(t, "the second round", func() bool { return count(ResultRefused) == 2 && count(ResultFailed) == 2 })
	if logs.Len() != n {
		t.Errorf("second failures logged again within WarnEvery: %v", logs.All()[n:])
	}
}

// Signals that arrive while one is under way to a peer are folded into one more after it: the
// peer always gets a signal sent after the last Signal, and never a pile of them.
func TestSignalCoalesces(t *testing.T) {
	p := newCounting(t, http.StatusAccepted)
	p.hold = make(chan struct{})
	s, _ := New(Config{URLs: []string{p.URL}, Secret: "s3cret"})
	defer s.Close()
	s.Signal()
	waitFor(t, "the first signal", func() bool { return p.n.Load() == 1 })
	for range 50 {
		s.Signal()
	}
	close(p.hold)
	waitFor(t, "the folded signal", func() bool { return p.n.Load() == 2 })
	time.Sleep(50 * time.Millisecond)
	if n := p.n.Load(); n != 2 {
		t.Errorf("the peer got %d signals, want 2 (the first, and one for the 50 that came meanwhile)", n)
	}
}

// fakeResolver answers lookups from a map that the test changes (a unit test of the refresh).
type fakeResolver struct {
	mu    gosync.Mutex
	addrs map[string][]string
	errs  map[string]error
}

func (f *fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs[host]; err != nil {
		return nil, err
	}
	var out []net.IPAddr
	for _, a := range f.addrs[host] {
		out = append(out, net.IPAddr{IP: net.ParseIP(a)})
	}
	return out, nil
}

func (f *fakeResolver) set(host string, addrs []string, err error) {
	f.mu.Lock()
	f.addrs[host], f.errs[host] = addrs, err
	f.mu.Unlock()
}

// The DNS name's records are the peers, on the given port (else this daemon's), this daemon's
// own address left out; the list follows the records, and a failed lookup keeps the last one
// and is shown in the statuses.
func TestDNSPeers(t *testing.T) {
	res := &fakeResolver{addrs: map[string][]string{}, errs: map[string]error{}}
	res.set("actionsd-peers", []string{"10.0.0.1", "10.0.0.2", "fd00::3"}, nil)
	local := func() ([]net.IP, error) { return []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.0.0.2")}, nil }
	reg := prometheus.NewRegistry()
	s, _ := New(Config{DNS: "actionsd-peers", SelfPort: 8080, Resolver: res, LocalIPs: local, Registerer: reg,
		URLs: []string{"http://127.0.0.1:8080", "http://127.0.0.1:8081", "http://actionsd-self:8080"}})
	defer s.Close()
	res.set("actionsd-self", []string{"10.0.0.2"}, nil)
	s.refresh(context.Background())
	want := []string{"http://10.0.0.1:8080", "http://127.0.0.1:8081", "http://[fd00::3]:8080"}
	if got := s.Peers(); !slices.Equal(got, want) {
		t.Errorf("peers %v, want %v (this daemon, 10.0.0.2:8080 and 127.0.0.1:8080, left out)", got, want)
	}
	if got := value(s.metrics.peers); got != 3 {
		t.Errorf("actionsd_peers = %v, want 3", got)
	}

	res.set("actionsd-peers", []string{"10.0.0.1", "10.0.0.4"}, nil)
	s.refresh(context.Background())
	want = []string{"http://10.0.0.1:8080", "http://10.0.0.4:8080", "http://127.0.0.1:8081"}
	if got := s.Peers(); !slices.Equal(got, want) {
		t.Errorf("after the records changed: peers %v, want %v", got, want)
	}

	res.set("actionsd-peers", nil, errors.New("no such host"))
	s.refresh(context.Background())
	if got := s.Peers(); !slices.Equal(got, want) {
		t.Errorf("after a failed lookup: peers %v, want the last ones %v", got, want)
	}
	if got := value(s.metrics.lookups.WithLabelValues("error")); got != 1 {
		t.Errorf("failed lookups counted %v, want 1", got)
	}
	s.cfg.Timeout = 200 * time.Millisecond // the 10.0.0.x peers do not exist
	st := s.Statuses(context.Background())
	last := st[len(st)-1]
	if last.Peer != "dns:actionsd-peers" || !strings.Contains(last.Error, "no such host") {
		t.Errorf("statuses end with %+v, want the DNS error", last)
	}

	// The port of the DNS peers is a setting of its own.
	s2, _ := New(Config{DNS: "actionsd-peers", DNSPort: 9000, SelfPort: 8080, Resolver: res, LocalIPs: local})
	defer s2.Close()
	res.set("actionsd-peers", []string{"10.0.0.2", "10.0.0.5"}, nil)
	s2.refresh(context.Background())
	if got, want := s2.Peers(), []string{"http://10.0.0.2:9000", "http://10.0.0.5:9000"}; !slices.Equal(got, want) {
		t.Errorf("peers %v, want %v (10.0.0.2 is this host, but not on port 9000)", got, want)
	}
}

// Statuses reads each peer's GET /v1/peer/status with the secret; one that does not answer in
// time is an error of its own, and does not hold up the others.
func TestStatuses(t *testing.T) {
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != StatusPath || r.Header.Get("Authorization") != "Bearer s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"instance":"b","ready":true,"generation":4,"applied":{"commit":"abc","at":"2026-01-02T03:04:05Z"},"attempted":null}`))
	}))
	defer good.Close()
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	s, _ := New(Config{URLs: []string{good.URL, "http://" + hang.Addr().String(), "http//bad"}, Secret: "s3cret", Timeout: 300 * time.Millisecond})
	defer s.Close()
	start := time.Now()
	st := s.Statuses(context.Background())
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Statuses took %s with a timeout of 300ms", d)
	}
	if len(st) != 3 {
		t.Fatalf("statuses %+v, want 3", st)
	}
	byPeer := map[string]Status{}
	for _, x := range st {
		byPeer[x.Peer] = x
	}
	if g := byPeer[good.URL]; g.Replica == nil || g.Instance != "b" || g.Applied.Commit != "abc" || g.Error != "" {
		t.Errorf("good peer: %+v", g)
	}
	if h := byPeer["http://"+hang.Addr().String()]; h.Replica != nil || !strings.Contains(h.Error, "no answer within") {
		t.Errorf("hanging peer: %+v, want a timeout error", h)
	}
	if b := byPeer["http//bad"]; !strings.Contains(b.Error, "invalid URL") {
		t.Errorf("wrong URL: %+v", b)
	}
}

// value is the value of a counter or gauge.
func value(c prometheus.Collector) float64 {
	ch := make(chan prometheus.Metric, 1)
	c.Collect(ch)
	var m dto.Metric
	if err := (<-ch).Write(&m); err != nil {
		panic(err)
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}
