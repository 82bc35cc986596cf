package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/actionsd/actionsd/runner/egress"
)

// errFuzzNoDial ends every connect FuzzEgressURL lets through: it dials nothing.
var errFuzzNoDial = errors.New("fuzz: not dialled")

// FuzzEgressURL: whatever URL fetch or http.get is given, and whatever hostname option
// http.get is given, a dial that the egress check lets through goes to an address that is
// public, or that the allow-list allows ("127.0.0.1:1" here); and a URL's request dials the host
// that WHATWG parsing of the URL gives (no second parser reads it otherwise). "Public" is judged by
// fuzzRestricted, written apart from egress.Class. The requests go through the real transport and
// egress dialer, whose connects are stopped just before they happen, with a resolver that knows
// only /etc/hosts. The seed corpus (testdata/fuzz/FuzzEgressURL) is the address table's spellings.
func FuzzEgressURL(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1/", "http://[::1%25lo]:1/", "::1%lo", "http://0x7f.1:1/"} {
		f.Add(s)
	}
	p, err := egress.ParseAllow([]string{"127.0.0.1:1"})
	if err != nil {
		f.Fatal(err)
	}
	resolver := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("fuzz: no DNS")
	}}
	type dial struct {
		addr string // as the transport asked for it
		ip   netip.Addr
	}
	var mu sync.Mutex
	var asked []string // every address the transport asked to dial
	var dials []dial   // every connect the check let through
	client := &http.Client{
		Transport: &http.Transport{
			DisableKeepAlives: true,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				mu.Lock()
				asked = append(asked, addr)
				mu.Unlock()
				return p.DialFunc(resolver, func(ip netip.Addr) error {
					mu.Lock()
					dials = append(dials, dial{addr, ip})
					mu.Unlock()
					return errFuzzNoDial
				})(ctx, network, addr)
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	do := func(t *testing.T, what string, u *urlTarget) {
		mu.Lock()
		asked, dials = nil, nil
		mu.Unlock()
		req, err := newHTTPRequest(context.Background(), "GET", u.url, nil)
		if err != nil {
			return
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("%s: a request was answered, although no connection may be made", what)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, d := range dials {
			host, port, err := net.SplitHostPort(d.addr)
			if err != nil {
				t.Fatalf("%s: dial address %q: %v", what, d.addr, err)
			}
			allowed := strings.ToLower(strings.TrimSuffix(host, ".")) == "127.0.0.1" && port == "1" && d.ip.Zone() == ""
			if fuzzRestricted(d.ip) && !allowed {
				t.Fatalf("%s: dialled %s (for %s), which is not public and not allowed", what, d.ip, d.addr)
			}
		}
		for _, a := range asked {
			if u.host != "" && a != u.host {
				t.Fatalf("%s: dialled %s, but the URL's host and port are %s", what, a, u.host)
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		if u, err := parseURL(s, nil); err == nil {
			if r, err := requestURL(u); err == nil {
				port := u.port
				if port == "" {
					port = map[string]string{"http": "80", "https": "443"}[u.scheme()]
				}
				host := strings.TrimSuffix(strings.TrimPrefix(u.hostname, "["), "]")
				do(t, "fetch("+s+")", &urlTarget{url: r, host: net.JoinHostPort(host, port)})
			}
		}
		if r, err := httpRequestURL("http:", s, "1", "/"); err == nil {
			do(t, "http.get({hostname: "+s+"})", &urlTarget{url: r})
		}
	})
}

// urlTarget is a request's URL and, for a URL fetch was given, the host:port it must dial.
type urlTarget struct {
	url  *url.URL
	host string
}

// fuzzRestricted reports whether ip is anything but a public unicast address, judged apart from
// egressClass: by net.IP's own predicates and the byte layout of each embedding of IPv4.
func fuzzRestricted(a netip.Addr) bool {
	if a.Zone() != "" {
		return true
	}
	ip := net.IP(a.AsSlice())
	if v4 := ip.To4(); v4 != nil {
		return fuzzRestricted4(v4)
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() {
		return true
	}
	zero := func(b []byte) bool {
		for _, x := range b {
			if x != 0 {
				return false
			}
		}
		return true
	}
	switch {
	case ip[0] == 0xfe && ip[1]&0xc0 == 0xc0: // site-local
		return true
	case zero(ip[:12]): // IPv4-compatible
		return fuzzRestricted4(ip[12:])
	case zero(ip[:8]) && ip[8] == 0xff && ip[9] == 0xff && zero(ip[10:12]): // IPv4-translated
		return fuzzRestricted4(ip[12:])
	case ip[0] == 0 && ip[1] == 0x64 && ip[2] == 0xff && ip[3] == 0x9b && zero(ip[4:12]): // NAT64
		return fuzzRestricted4(ip[12:])
	case ip[0] == 0 && ip[1] == 0x64 && ip[2] == 0xff && ip[3] == 0x9b && ip[4] == 0 && ip[5] == 1: // local NAT64
		return true
	case ip[0] == 0x20 && ip[1] == 0x02: // 6to4
		return fuzzRestricted4(ip[2:6])
	case ip[0] == 0x20 && ip[1] == 0x01 && ip[2] == 0 && ip[3] == 0: // Teredo
		client := net.IP{ip[12] ^ 0xff, ip[13] ^ 0xff, ip[14] ^ 0xff, ip[15] ^ 0xff}
		return fuzzRestricted4(ip[4:8]) || fuzzRestricted4(client)
	}
	return false
}

func fuzzRestricted4(v4 net.IP) bool {
	a, b, c := v4[0], v4[1], v4[2]
	return a == 0 || a == 127 || a == 10 || a == 172 && b&0xf0 == 16 || a == 192 && b == 168 ||
		a == 100 && b&0xc0 == 64 || a == 169 && b == 254 || a == 192 && b == 0 && c == 0 ||
		a == 198 && b&0xfe == 18 || a >= 224
}
