// Package peers passes a sync signal on to the other replicas of a daemon, and reads their applied
// commits so that drift between replicas is visible. The replicas are listed by URL (--peer) or by
// the A and AAAA records of a name (--peers-dns, a Kubernetes headless Service), re-resolved
// periodically; the daemon itself is left out of the list.
//
// A signal carries no content: it is an authenticated POST /v1/peer/sync without a body, and the
// peer that receives it fetches from git itself, as on its own webhook. It is sent to every peer
// at once, each with a short timeout, and never waits in the caller: a peer that is down delays
// no one. A peer that cannot be reached or refuses is counted (actionsd_peer_signals_total) and
// logged as a warning at most once a minute per peer.
package peers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Routes of the peer API, served by internal/api.
const (
	SyncPath   = "/v1/peer/sync"
	StatusPath = "/v1/peer/status"
	// RolloutPath (+ "/{action}/{promote|abort}?canary=…") and RollbackPath (+ "?to=…") pass
	// on a change of a rollout, or a rollback, that this replica made (see Tell).
	RolloutPath  = "/v1/peer/rollouts"
	RollbackPath = "/v1/peer/rollback"
	// SourceHeader names the replica that sends a signal (its instance name), for the receiver's
	// log; it is not trusted for anything.
	SourceHeader = "X-Actionsd-Peer"
)

// Defaults of Config.
const (
	DefaultTimeout     = time.Second
	DefaultDNSInterval = 15 * time.Second
	// DefaultWarnEvery is how often a failing peer is logged at most.
	DefaultWarnEvery = time.Minute
)

// Resolver looks up the A and AAAA records of a name (net.Resolver does).
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Config lists the peers and says how to reach them.
type Config struct {
	// URLs are peers' base URLs (http or https, host and port, no path, credentials or query).
	// The wrong ones are left out, with a warning (see New).
	URLs []string
	// DNS is a name whose A and AAAA records are peers (a headless Service), re-resolved every
	// DNSInterval; each address is reached at http://<ip>:<DNSPort>.
	DNS         string
	DNSPort     int           // 0: SelfPort
	DNSInterval time.Duration // 0: DefaultDNSInterval
	// Timeout bounds each request to a peer (a signal, a status read); 0: DefaultTimeout.
	Timeout time.Duration
	// Secret is the bearer token presented to peers: the peer secret, else the API token. Empty:
	// none (peers without a token on loopback).
	Secret string
	// SelfPort is the port this daemon listens on: a peer at one of this host's addresses on this
	// port is this daemon, and is left out.
	SelfPort int
	// Instance names this replica in the signals it sends (SourceHeader).
	Instance string
	// WarnEvery is how often a failing peer is logged at most; 0: DefaultWarnEvery.
	WarnEvery time.Duration

	Logger     *zap.Logger           // nil: nothing is logged
	Registerer prometheus.Registerer // nil: the metrics are not exposed
	Resolver   Resolver              // nil: net.DefaultResolver
	// LocalIPs returns this host's addresses; nil: the addresses of its interfaces.
	LocalIPs func() ([]net.IP, error)
}

// Set is the peers of a daemon. Its methods may be called concurrently; a nil *Set has no peers.
type Set struct {
	cfg     Config
	log     *zap.Logger
	client  *http.Client
	metrics *metrics
	ctx     context.Context // ends with Close: requests under way stop
	cancel  context.CancelFunc

	static  []staticPeer // the valid --peer URLs
	invalid []Status     // the wrong ones, with their error

	mu      gosync.Mutex
	byURL   map[string]*peer // every peer seen, by base URL, so its state survives a refresh
	dnsErr  string           // the last DNS lookup's error, "" after a success
	current atomic.Pointer[[]*peer]
	// resolved is closed once the first refresh is done.
	resolved     chan struct{}
	resolvedOnce gosync.Once
}

type staticPeer struct {
	base string // scheme://host:port
	host string
	port int
}

// peer is one replica: the signals to it are sent one at a time, and those that arrive while one
// is under way are folded into one more after it.
type peer struct {
	base string

	mu       gosync.Mutex
	inflight bool
	pending  bool
	lastWarn time.Time
	quiet    int  // warnings left out since lastWarn
	failing  bool // the last request failed
}

// ParseURL checks a --peer URL: http or https, a host, and nothing beyond an optional port and a
// trailing "/". It returns the base URL, scheme://host:port.
func ParseURL(raw string) (base, host string, port int, err error) {
	shown := redact(raw)
	if !strings.Contains(raw, "://") {
		return "", "", 0, fmt.Errorf("peer %q: want an http:// or https:// URL", shown)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may hold a password
		}
		return "", "", 0, fmt.Errorf("peer %q: %w", shown, err)
	}
	raw = shown
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", "", 0, fmt.Errorf("peer %q: want an http:// or https:// URL", raw)
	case u.Hostname() == "":
		return "", "", 0, fmt.Errorf("peer %q: no host", raw)
	case u.User != nil:
		return "", "", 0, fmt.Errorf("peer %q: credentials do not belong in the URL (the peer secret or the API token authenticates)", shown)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return "", "", 0, fmt.Errorf("peer %q: want a base URL, scheme://host:port, without path, query or fragment", raw)
	}
	host = u.Hostname()
	port = 80
	if u.Scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", "", 0, fmt.Errorf("peer %q: port %q: want 1 to 65535", raw, p)
		}
		port = n
	}
	return u.Scheme + "://" + net.JoinHostPort(host, strconv.Itoa(port)), host, port, nil
}

// redact is raw without what may be a password: the user information before an '@'.
func redact(raw string) string {
	i := strings.Index(raw, "://")
	j := strings.LastIndex(raw, "@")
	if i < 0 || j < i {
		return raw
	}
	return raw[:i+3] + "xxxxx@" + raw[j+1:]
}

// Check reports every problem of the peer settings (serve --check-config): wrong URLs, a DNS
// name that is no host name, a port out of range. It resolves nothing.
func Check(urls []string, dns string, port int) []error {
	var ps []error
	for _, raw := range urls {
		if _, _, _, err := ParseURL(raw); err != nil {
			ps = append(ps, fmt.Errorf("peers.urls: %w", err))
		}
	}
	if dns != "" && !validName(dns) {
		ps = append(ps, fmt.Errorf("peers.dns %q: want a host name such as actionsd-peers.default.svc.cluster.local", dns))
	}
	if port < 0 || port > 65535 {
		ps = append(ps, fmt.Errorf("peers.port %d: want 1 to 65535, or 0 for the daemon's own listen port", port))
	}
	return ps
}

// validName reports whether s is a DNS name (letters, digits, '-', '_' and dots) or an IP.
func validName(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	if len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// New returns the peers cfg lists. A wrong URL is left out and logged as a warning (and counted
// in actionsd_peer_invalid_urls); the errors are returned too. It resolves nothing: Run does, at
// once and then periodically. With nothing configured it returns nil, which has no peers.
func New(cfg Config) (*Set, []error) {
	if len(cfg.URLs) == 0 && cfg.DNS == "" {
		return nil, nil
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.DNSInterval <= 0 {
		cfg.DNSInterval = DefaultDNSInterval
	}
	if cfg.WarnEvery <= 0 {
		cfg.WarnEvery = DefaultWarnEvery
	}
	if cfg.DNSPort == 0 {
		cfg.DNSPort = cfg.SelfPort
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.LocalIPs == nil {
		cfg.LocalIPs = interfaceIPs
	}
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Set{
		cfg: cfg, log: log.Named("peers"), metrics: newMetrics(cfg.Registerer), ctx: ctx, cancel: cancel,
		byURL: map[string]*peer{}, resolved: make(chan struct{}),
		client: &http.Client{
			Transport: &http.Transport{
				Proxy:               nil, // peers are reached directly, never through HTTP_PROXY
				DialContext:         (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
				MaxIdleConnsPerHost: 2,
				IdleConnTimeout:     60 * time.Second, // before the peer's own idle timeout (75 s)
				ForceAttemptHTTP2:   false,
			},
			Timeout: cfg.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse // a peer answers itself; a redirect is a wrong peer
			},
		},
	}
	var errs []error
	seen := map[string]bool{}
	for _, raw := range cfg.URLs {
		base, host, port, err := ParseURL(raw)
		if err != nil {
			errs = append(errs, err)
			s.invalid = append(s.invalid, Status{Peer: redact(raw), Error: "invalid URL: " + err.Error()})
			s.log.Warn("peer left out: its URL is wrong", zap.Error(err))
			continue
		}
		if !seen[base] {
			seen[base] = true
			s.static = append(s.static, staticPeer{base: base, host: host, port: port})
		}
	}
	s.metrics.invalid.Set(float64(len(s.invalid)))
	empty := []*peer{}
	s.current.Store(&empty)
	if cfg.DNS == "" && !s.staticNames() {
		s.refresh(context.Background()) // addresses only: nothing to resolve, and no signal is lost before Run
	}
	return s, errs
}

// Run keeps the list of peers: it resolves the DNS name and the host names of the URLs at once
// (to leave this daemon out) and every DNSInterval, until ctx ends; then it stops the requests
// under way.
func (s *Set) Run(ctx context.Context) {
	if s == nil {
		return
	}
	defer s.cancel()
	s.refresh(ctx)
	if s.cfg.DNS == "" && !s.staticNames() {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(s.cfg.DNSInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.refresh(ctx)
		}
	}
}

// staticNames reports whether a --peer URL names its host (which may resolve differently later).
func (s *Set) staticNames() bool {
	for _, p := range s.static {
		if net.ParseIP(p.host) == nil {
			return true
		}
	}
	return false
}

// Resolved is closed once the peers have been listed the first time.
func (s *Set) Resolved() <-chan struct{} {
	if s == nil {
		c := make(chan struct{})
		close(c)
		return c
	}
	return s.resolved
}

// refresh lists the peers again: the URLs but this daemon's own, and the DNS name's addresses
// but this daemon's.
func (s *Set) refresh(ctx context.Context) {
	local, err := s.cfg.LocalIPs()
	if err != nil {
		s.log.Warn("reading this host's addresses failed: a peer list that names this daemon would signal it too", zap.Error(err))
	}
	lookup := func(host string) ([]net.IP, error) {
		if ip := net.ParseIP(host); ip != nil {
			return []net.IP{ip}, nil
		}
		lctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
		defer cancel()
		addrs, err := s.cfg.Resolver.LookupIPAddr(lctx, host)
		if err != nil {
			return nil, err
		}
		ips := make([]net.IP, len(addrs))
		for i, a := range addrs {
			ips[i] = a.IP
		}
		return ips, nil
	}
	var bases []string
	for _, p := range s.static {
		ips, err := lookup(p.host)
		if err == nil && isSelf(ips, p.port, s.cfg.SelfPort, local) {
			continue
		}
		bases = append(bases, p.base) // a name that does not resolve now may later: it stays
	}
	var dnsErr string
	if s.cfg.DNS != "" {
		ips, err := lookup(s.cfg.DNS)
		if err != nil {
			s.metrics.lookups.WithLabelValues("error").Inc()
			dnsErr = fmt.Sprintf("resolving %s: %v", s.cfg.DNS, err)
			s.mu.Lock()
			first := s.dnsErr == ""
			s.mu.Unlock()
			if first {
				s.log.Warn("peers: DNS lookup failed; the peers found before are kept", zap.String("name", s.cfg.DNS), zap.Error(err))
			}
			bases = append(bases, s.dnsBases()...)
		} else {
			s.metrics.lookups.WithLabelValues("ok").Inc()
			for _, ip := range ips {
				if isSelf([]net.IP{ip}, s.cfg.DNSPort, s.cfg.SelfPort, local) {
					continue
				}
				bases = append(bases, "http://"+net.JoinHostPort(ip.String(), strconv.Itoa(s.cfg.DNSPort)))
			}
		}
	}
	slices.Sort(bases)
	bases = slices.Compact(bases)

	s.mu.Lock()
	next := make([]*peer, 0, len(bases))
	for _, b := range bases {
		p := s.byURL[b]
		if p == nil {
			p = &peer{base: b}
			s.byURL[b] = p
		}
		next = append(next, p)
	}
	for b := range s.byURL { // forget the peers that are gone, but not those still sending
		if !slices.Contains(bases, b) {
			delete(s.byURL, b)
		}
	}
	old := *s.current.Load()
	s.current.Store(&next)
	s.dnsErr = dnsErr
	s.mu.Unlock()
	s.metrics.peers.Set(float64(len(next)))
	if !samePeers(old, next) {
		s.log.Info("peers", zap.Strings("peers", bases))
	}
	s.resolvedOnce.Do(func() { close(s.resolved) })
}

// dnsBases are the current peers found by DNS (those that are not --peer URLs).
func (s *Set) dnsBases() []string {
	var out []string
	for _, p := range *s.current.Load() {
		if !slices.ContainsFunc(s.static, func(sp staticPeer) bool { return sp.base == p.base }) {
			out = append(out, p.base)
		}
	}
	return out
}

func samePeers(a, b []*peer) bool {
	return slices.EqualFunc(a, b, func(x, y *peer) bool { return x.base == y.base })
}

// isSelf reports whether a peer at one of ips on port is this daemon: the same port, and an
// address of this host (a loopback address always is, interfaces or not; so is the unspecified
// address).
func isSelf(ips []net.IP, port, selfPort int, local []net.IP) bool {
	if port != selfPort || selfPort == 0 {
		return false
	}
	for _, ip := range ips {
		if ip.IsUnspecified() || ip.IsLoopback() || slices.ContainsFunc(local, ip.Equal) {
			return true
		}
	}
	return false
}

// interfaceIPs are the addresses of this host's interfaces.
func interfaceIPs() ([]net.IP, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	var ips []net.IP
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			ips = append(ips, n.IP)
		}
	}
	return ips, nil
}

// Peers are the base URLs of the peers now.
func (s *Set) Peers() []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, p := range *s.current.Load() {
		out = append(out, p.base)
	}
	return out
}

// Signal passes a sync signal on to every peer, without waiting: each gets a POST /v1/peer/sync
// with its own timeout. A signal to a peer that one is still under way to is sent once more
// after it (one, for every signal that came meanwhile), so that the peer fetches after the push
// that caused the last one.
func (s *Set) Signal() {
	if s == nil {
		return
	}
	for _, p := range *s.current.Load() {
		p.mu.Lock()
		if p.inflight {
			p.pending = true
			p.mu.Unlock()
			continue
		}
		p.inflight = true
		p.mu.Unlock()
		go s.sendLoop(p)
	}
}

// Tell sends POST path (one of the peer routes, with its query) to every peer at once, without
// waiting: a rollout's change or a rollback made on this replica. Unlike Signal it carries what
// changed, so each call is sent (none is folded into another); a peer that misses it decides on
// its own, as without peers. Results are counted and logged as signals are.
func (s *Set) Tell(path string) {
	if s == nil {
		return
	}
	for _, p := range *s.current.Load() {
		go func() {
			start := time.Now()
			code, err := s.do(http.MethodPost, p.base+path, nil)
			result := ResultOK
			switch {
			case err != nil:
				result = ResultUnreachable
			case code == http.StatusUnauthorized || code == http.StatusForbidden:
				result, err = ResultRefused, fmt.Errorf("%s refused %s (%d): the peer secret (or API token) differs", p.base, path, code)
			case code < 200 || code > 299:
				result, err = ResultFailed, fmt.Errorf("%s answered %d to POST %s: is it an actionsd of this version?", p.base, code, path)
			}
			s.metrics.signals.WithLabelValues(result).Inc()
			s.metrics.latency.Observe(time.Since(start).Seconds())
			s.report(p, result, err)
		}()
	}
}

func (s *Set) sendLoop(p *peer) {
	for {
		s.send(p)
		p.mu.Lock()
		if !p.pending || s.ctx.Err() != nil {
			p.inflight = false
			p.mu.Unlock()
			return
		}
		p.pending = false
		p.mu.Unlock()
	}
}

// Results of a signal (the label of actionsd_peer_signals_total).
const (
	ResultOK          = "ok"          // the peer accepted it (2xx)
	ResultRefused     = "refused"     // 401 or 403: the peer secret or token does not match
	ResultFailed      = "failed"      // another status: no actionsd there, or one without the peer route
	ResultUnreachable = "unreachable" // no connection, or no answer within the timeout
)

var results = []string{ResultOK, ResultRefused, ResultFailed, ResultUnreachable}

// send sends one signal to p and counts and logs how it went.
func (s *Set) send(p *peer) {
	start := time.Now()
	code, err := s.do(http.MethodPost, p.base+SyncPath, nil)
	result := ResultOK
	switch {
	case err != nil:
		result = ResultUnreachable
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		result, err = ResultRefused, fmt.Errorf("%s refused the signal (%d): the peer secret (or API token) differs", p.base, code)
	case code < 200 || code > 299:
		result, err = ResultFailed, fmt.Errorf("%s answered %d to POST %s: is it an actionsd of this version?", p.base, code, SyncPath)
	}
	s.metrics.signals.WithLabelValues(result).Inc()
	s.metrics.latency.Observe(time.Since(start).Seconds())
	s.report(p, result, err)
}

// report logs a failure of p at most once per WarnEvery, and its recovery.
func (s *Set) report(p *peer, result string, err error) {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		if p.failing {
			s.log.Info("peer answers again", zap.String("peer", p.base))
		}
		p.failing = false
		return
	}
	p.failing = true
	if s.ctx.Err() != nil {
		return // shutting down: the requests were stopped on purpose
	}
	if !p.lastWarn.IsZero() && now.Sub(p.lastWarn) < s.cfg.WarnEvery {
		p.quiet++
		return
	}
	s.log.Warn("peer signal failed; the peer will catch up on its own poll", zap.String("peer", p.base),
		zap.String("result", result), zap.Error(err), zap.Int("failures_not_logged", p.quiet))
	p.lastWarn, p.quiet = now, 0
}

// do sends a bodiless request to target with the secret and the timeout, and returns the status
// (the body, at most 64 kB, is read and dropped so that the connection is reused).
func (s *Set) do(method, target string, into any) (int, error) {
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return 0, err
	}
	if s.cfg.Secret != "" {
		req.Header.Set("Authorization", "Bearer "+s.cfg.Secret)
	}
	if s.cfg.Instance != "" {
		req.Header.Set(SourceHeader, s.cfg.Instance)
	}
	res, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is logged beside it
		}
		if errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) {
			return 0, fmt.Errorf("no answer within %s: %w", s.cfg.Timeout, err)
		}
		return 0, err
	}
	defer res.Body.Close()
	body := io.LimitReader(res.Body, 64<<10)
	if into != nil && res.StatusCode == http.StatusOK {
		if err := json.NewDecoder(body).Decode(into); err != nil {
			return res.StatusCode, fmt.Errorf("reading the answer: %w", err)
		}
	}
	_, _ = io.Copy(io.Discard, body)
	return res.StatusCode, nil
}

// Replica is what GET /v1/peer/status answers: the replica's name and what it serves.
type Replica struct {
	Instance   string    `json:"instance,omitempty"`
	Ready      bool      `json:"ready"`
	Generation int64     `json:"generation"`
	Applied    *Revision `json:"applied"`   // the commit the serving generation was built from
	Attempted  *Revision `json:"attempted"` // the last commit a reconcile tried
}

// Revision is a commit and when it was applied or attempted.
type Revision struct {
	Commit string    `json:"commit"`
	At     time.Time `json:"at"`
	Result string    `json:"result,omitempty"`
}

// Status is one peer as GET /v1/status?peers=1 lists it: what it serves, or why that is not known.
type Status struct {
	Peer string `json:"peer"` // its base URL (the URL given, when it is wrong; dns:<name> for a failed lookup)
	*Replica
	// Drift is whether its applied commit differs from this replica's (set by the caller).
	Drift *bool  `json:"drift,omitempty"`
	Error string `json:"error,omitempty"`
}

// Statuses reads every peer's GET /v1/peer/status at once, each within the timeout, and lists
// them in order, with the wrong URLs and a failed DNS lookup as errors.
func (s *Set) Statuses(ctx context.Context) []Status {
	if s == nil {
		return []Status{}
	}
	ps := *s.current.Load()
	out := make([]Status, len(ps))
	var wg gosync.WaitGroup
	for i, p := range ps {
		wg.Go(func() {
			st := Status{Peer: p.base}
			var r Replica
			code, err := s.do(http.MethodGet, p.base+StatusPath, &r)
			switch {
			case err != nil:
				st.Error = err.Error()
			case code == http.StatusOK:
				st.Replica = &r
			case code == http.StatusUnauthorized || code == http.StatusForbidden:
				st.Error = fmt.Sprintf("refused (%d): the peer secret (or API token) differs", code)
			default:
				st.Error = fmt.Sprintf("GET %s answered %d", StatusPath, code)
			}
			out[i] = st
		})
	}
	wg.Wait()
	out = append(out, s.invalid...)
	s.mu.Lock()
	if s.dnsErr != "" {
		out = append(out, Status{Peer: "dns:" + s.cfg.DNS, Error: s.dnsErr})
	}
	s.mu.Unlock()
	return out
}

// Close stops the requests under way.
func (s *Set) Close() {
	if s != nil {
		s.cancel()
	}
}

type metrics struct {
	signals *prometheus.CounterVec
	latency prometheus.Histogram
	peers   prometheus.Gauge
	invalid prometheus.Gauge
	lookups *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		signals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_peer_signals_total",
			Help: "Sync signals sent to peers, by result (ok, refused: wrong peer secret or token, failed: another status, unreachable: no connection or no answer in time).",
		}, []string{"result"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "actionsd_peer_signal_duration_seconds",
			Help:    "Time of one sync signal to a peer, until its answer or the timeout.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		peers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "actionsd_peers",
			Help: "Peers a sync signal goes to now (URLs and DNS records, this daemon left out).",
		}),
		invalid: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "actionsd_peer_invalid_urls",
			Help: "--peer URLs left out because they are wrong.",
		}),
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "actionsd_peer_dns_lookups_total",
			Help: "Lookups of the peers' DNS name, by result (ok, error).",
		}, []string{"result"}),
	}
	for _, r := range results {
		m.signals.WithLabelValues(r)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.signals, m.latency, m.peers, m.invalid, m.lookups} {
			reg.MustRegister(c)
		}
	}
	return m
}
