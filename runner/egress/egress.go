// Package egress decides which network destinations the requests of user code may reach, and
// provides the HTTP client that enforces it: public addresses always, loopback, private,
// link-local, CGNAT, multicast and cloud-metadata addresses only when the daemon's allow-list
// (Policy) names them, judged after DNS resolution, just before each connect.
//
// It runs no JavaScript: runner/web's fetch and node:http send through the client it makes, and
// the daemon's configuration validates its allow-list with ParseAllow.
package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Policy lists the destinations that fetch may reach although they are loopback, private,
// link-local, unspecified, CGNAT or cloud-metadata addresses. Public addresses are always allowed.
//
// An entry is one of:
//   - a host name or IP literal ("vault.internal", "127.0.0.1", "*.corp.example"): matches the
//     request's host name, whatever the port;
//   - host:port ("127.0.0.1:8080", "[::1]:8080", "api.internal:443"): matches the host name and port;
//   - a CIDR prefix ("10.0.0.0/8", "fd00::/8"): matches the address the host name resolved to.
type Policy struct {
	Allow []string
}

// ParseAllow validates allow-list entries and returns the policy they make.
func ParseAllow(entries []string) (Policy, error) {
	for _, e := range entries {
		if _, err := parseEntry(e); err != nil {
			return Policy{}, err
		}
	}
	return Policy{Allow: append([]string(nil), entries...)}, nil
}

// Client time limits; an execution's own deadline usually ends a request earlier.
const (
	dialTimeout     = 10 * time.Second
	tlsTimeout      = 10 * time.Second
	headerTimeout   = 20 * time.Second
	clientTimeout   = 30 * time.Second
	idleConnTimeout = 90 * time.Second
)

// MaxRedirects is how many redirects a request may follow.
const MaxRedirects = 10

// NewClient returns the client that fetch uses: no proxy from the environment, bounded timeouts,
// at most MaxRedirects redirects (each one re-checked when it dials), and a dialer that refuses
// non-public addresses after DNS resolution unless p allows them. Invalid entries of p never match
// (validate them with ParseAllow first).
func NewClient(p Policy) *http.Client {
	c := compile(p)
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would make the dialer check the proxy, not the target
		DialContext:           c.dialContext,
		TLSHandshakeTimeout:   tlsTimeout,
		ResponseHeaderTimeout: headerTimeout,
		IdleConnTimeout:       idleConnTimeout,
		MaxIdleConnsPerHost:   64, // executions of a busy action fetch the same hosts at once
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   clientTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= MaxRedirects {
				return fmt.Errorf("stopped after %d redirects", MaxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s: scheme %q is not allowed", req.URL.Redacted(), req.URL.Scheme)
			}
			return nil
		},
	}
}

// entry is one parsed allow-list entry; exactly one of its forms is set.
type entry struct {
	host   string // lower-case host name or IP literal; "*.x" matches subdomains of x
	port   string // with host: "" means any port
	prefix netip.Prefix
}

func parseEntry(s string) (entry, error) {
	e := strings.TrimSpace(s)
	if e == "" {
		return entry{}, errors.New("egress allow entry is empty")
	}
	if strings.Contains(e, "/") {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			return entry{}, fmt.Errorf("egress allow entry %q: %w", s, err)
		}
		return entry{prefix: p.Masked()}, nil
	}
	if _, err := netip.ParseAddr(e); err == nil { // a bare IP (v6 without brackets included)
		return entry{host: strings.ToLower(e)}, nil
	}
	host, port := e, ""
	if h, p, err := net.SplitHostPort(e); err == nil {
		n, perr := strconv.Atoi(p)
		if perr != nil || n < 1 || n > 65535 {
			return entry{}, fmt.Errorf("egress allow entry %q: invalid port %q", s, p)
		}
		host, port = h, p
	} else if strings.ContainsAny(e, "[]:") {
		return entry{}, fmt.Errorf("egress allow entry %q: %w", s, err)
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if !validHost(host) {
		return entry{}, fmt.Errorf("egress allow entry %q: invalid host %q", s, host)
	}
	return entry{host: host, port: port}, nil
}

func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	h = strings.TrimPrefix(h, "*.")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// checker holds a compiled policy; it is immutable and shared by the client's dials.
type checker struct {
	entries  []entry
	resolver *net.Resolver // nil: the default one (a test sets one that never asks DNS)
}

func compile(p Policy) *checker {
	c := &checker{}
	for _, s := range p.Allow {
		if e, err := parseEntry(s); err == nil {
			c.entries = append(c.entries, e)
		}
	}
	return c
}

// allowed reports whether a connection to ip:port, reached by asking for host, may be made; if
// not, it names the address's class. A zoned address is allowed only by an entry that names it,
// zone included; prefix entries match unzoned addresses only.
func (c *checker) allowed(host, port string, ip netip.Addr) (bool, string) {
	class := Class(ip)
	if class == "" {
		return true, ""
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	zoned := ip.Zone() != ""
	for _, e := range c.entries {
		switch {
		case e.prefix.IsValid():
			if !zoned && e.prefix.Contains(ip) {
				return true, ""
			}
		case e.port != "" && e.port != port:
		case zoned && !strings.Contains(e.host, "%"):
		case e.host == host:
			return true, ""
		case strings.HasPrefix(e.host, "*.") && strings.HasSuffix(host, e.host[1:]):
			return true, ""
		}
	}
	return false, class
}

// check is the egress decision for one connection: to ip:port, reached by asking for host.
func (c *checker) check(host, port string, ip netip.Addr) error {
	if ok, class := c.allowed(host, port, ip); !ok {
		return &Error{Host: host, Addr: ip.String(), Class: class}
	}
	return nil
}

// dialContext is the only way the runner opens connections for user code (fetch, node:http and
// node:https, through NewClient's transport; node:net and node:tls sockets, through DialerOf). A
// host that is an IP literal is judged before anything is dialled; every address the dialer
// connects to, literal or resolved from a name, is judged again just before connect (Control),
// so that DNS answers, rebinding included, cannot slip past the check.
func (c *checker) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return c.dial(ctx, network, addr, nil)
}

// dial is dialContext; a non-nil probe is called with each address the check lets through, just
// before connect, and an error it returns aborts that connect (see DialFunc).
func (c *checker) dial(ctx context.Context, network, addr string, probe func(netip.Addr) error) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := c.check(host, port, ip); err != nil {
			// As the dialer reports the same refusal made in Control.
			var to net.Addr
			if ap, perr := netip.ParseAddrPort(addr); perr == nil {
				to = net.TCPAddrFromAddrPort(ap)
			}
			return nil, &net.OpError{Op: "dial", Net: network, Addr: to, Err: err}
		}
	}
	d := &net.Dialer{
		Timeout:  dialTimeout,
		Resolver: c.resolver,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("egress to %s: unexpected address %q", host, address)
			}
			if err := c.check(host, port, ap.Addr()); err != nil {
				return err
			}
			if probe != nil {
				return probe(ap.Addr())
			}
			return nil
		},
	}
	return d.DialContext(ctx, network, addr)
}

// Error is a connection the egress policy refused.
type Error struct {
	Host  string // as requested
	Addr  string // the address it resolved to
	Class string // "loopback", "private", ...
}

func (e *Error) Error() string {
	if e.Host == e.Addr {
		return fmt.Sprintf("egress to %s refused: %s address not in the egress allow-list", e.Host, e.Class)
	}
	return fmt.Sprintf("egress to %s (%s) refused: %s address not in the egress allow-list", e.Host, e.Addr, e.Class)
}

var restrictedPrefixes = []struct {
	prefix netip.Prefix
	class  string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "CGNAT"}, // includes Alibaba's 100.100.100.200 metadata
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved"},
	{netip.MustParsePrefix("198.18.0.0/15"), "reserved"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("fc00::/7"), "private"}, // ULA, includes AWS' fd00:ec2::254 metadata
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "private"},      // deprecated site-local, still routed on some networks
	{netip.MustParsePrefix("64:ff9b:1::/48"), "private"}, // local-use NAT64 (RFC 8215)
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// ipv4Embeddings are the IPv6 ranges that carry an IPv4 address a packet may end up at; an
// address in one is judged by the IPv4 addresses inside (IPv4-mapped ::ffff:0:0/96 is unmapped
// first). at lists the byte offsets of those addresses; xor inverts them (Teredo's client).
var ipv4Embeddings = []struct {
	prefix netip.Prefix
	name   string
	at     []int
	xor    []bool
}{
	{netip.MustParsePrefix("::/96"), "IPv4-compatible", []int{12}, []bool{false}},           // ::a.b.c.d (:: and ::1 are judged before)
	{netip.MustParsePrefix("::ffff:0:0:0/96"), "IPv4-translated", []int{12}, []bool{false}}, // SIIT
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64", []int{12}, []bool{false}},
	{netip.MustParsePrefix("2002::/16"), "6to4", []int{2}, []bool{false}},
	{netip.MustParsePrefix("2001::/32"), "Teredo", []int{4, 12}, []bool{false, true}}, // server, client (inverted)
}

var metadataAddrs = map[netip.Addr]bool{
	netip.MustParseAddr("169.254.169.254"): true, // AWS, GCP, Azure, OpenStack
	netip.MustParseAddr("169.254.170.2"):   true, // ECS task metadata
	netip.MustParseAddr("100.100.100.200"): true, // Alibaba
	netip.MustParseAddr("fd00:ec2::254"):   true, // AWS IPv6
}

// Class is the one classification of addresses that egress uses: it names why ip may not
// be dialled without an allow-list entry ("loopback", "private", "cloud-metadata", ...), or returns
// "" for a public address. A zoned address (fe80::1%eth0) is always restricted ("zoned", with the
// class of the address without its zone); an IPv4-mapped address is judged as the IPv4 address, and
// one that embeds IPv4 addresses (ipv4Embeddings) by them too.
func Class(ip netip.Addr) string {
	if !ip.IsValid() {
		return "invalid"
	}
	if ip.Zone() != "" {
		if c := Class(ip.WithZone("")); c != "" {
			return "zoned " + c
		}
		return "zoned"
	}
	ip = ip.Unmap()
	if metadataAddrs[ip] {
		return "cloud-metadata"
	}
	for _, r := range restrictedPrefixes {
		if r.prefix.Contains(ip) {
			return r.class
		}
	}
	if ip.Is6() {
		b := ip.As16()
		for _, e := range ipv4Embeddings {
			if !e.prefix.Contains(ip) {
				continue
			}
			for i, at := range e.at {
				v4 := [4]byte{b[at], b[at+1], b[at+2], b[at+3]}
				if e.xor[i] {
					for j := range v4 {
						v4[j] ^= 0xff
					}
				}
				if c := Class(netip.AddrFrom4(v4)); c != "" {
					return c + " (" + e.name + ")"
				}
			}
		}
	}
	return ""
}

// DialFunc returns the dial function of p's clients (NewClient), resolving names with resolver
// (nil: the default one) and, when probe is not nil, calling it with each address the check lets
// through just before connect: an error it returns aborts that connect. It lets a caller observe
// what the check allows without making connections (FuzzEgressURL stops every one).
func (p Policy) DialFunc(resolver *net.Resolver, probe func(netip.Addr) error) func(ctx context.Context, network, addr string) (net.Conn, error) {
	c := compile(p)
	c.resolver = resolver
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		return c.dial(ctx, network, addr, probe)
	}
}

// DialerOf returns the dial function of c's transport, which NewClient made to enforce the egress
// policy: node:net and node:tls open their sockets with it, so that they follow the same rules as
// fetch. A transport that wraps NewClient's (internal/tracing's) offers its dial function as a
// DialContext method, which must dial through the wrapped one. It returns nil when c's transport is
// neither (a client made otherwise): sockets are then refused.
func DialerOf(c *http.Client) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if c == nil {
		return nil
	}
	switch tr := c.Transport.(type) {
	case *http.Transport:
		return tr.DialContext
	case interface {
		DialContext(ctx context.Context, network, addr string) (net.Conn, error)
	}:
		return tr.DialContext
	}
	return nil
}

// Names reports whether an entry of p names the destination host:port itself: a host-name or
// host:port entry equal to it (or a "*." entry it is under), or a prefix entry that contains it
// when host is an IP literal. Unlike the dialer's check it says nothing about public addresses;
// `actionsd test --egress-allow` uses it to pick the fetches that skip the stubs.
func (p Policy) Names(host, port string) bool {
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	ip, ipErr := netip.ParseAddr(host)
	for _, s := range p.Allow {
		e, err := parseEntry(s)
		if err != nil {
			continue
		}
		switch {
		case e.prefix.IsValid():
			if ipErr == nil && ip.Zone() == "" && e.prefix.Contains(ip) {
				return true
			}
		case e.port != "" && e.port != port:
		case e.host == host:
			return true
		case strings.HasPrefix(e.host, "*.") && strings.HasSuffix(host, e.host[1:]):
			return true
		}
	}
	return false
}
