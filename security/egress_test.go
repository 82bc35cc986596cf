package security

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/egress"
)

// Egress: every spelling of a loopback address, through every way an action makes a request,
// against real listeners. Issue 11, items 3 (zone IDs), 4 (IPv4 embedded in IPv6) and 5 (URLs
// rewritten on the way out).

// egressNetnsEnv is set in the child test process that egressNamespace starts inside a network
// namespace of its own.
const egressNetnsEnv = "ACTIONSD_EGRESS_NETNS"

// egressEmbedded are IPv6 addresses that embed 127.0.0.1 (IPv4-compatible, 6to4, NAT64, Teredo
// server and client, SIIT). Inside the test's network namespace they are addresses of lo, so that
// one the check let through would reach the listener; outside it they are never dialled.
var egressEmbedded = []string{"::7f00:1", "2002:7f00:1::", "64:ff9b::7f00:1", "2001:0:7f00:1::", "2001::80ff:fffe", "::ffff:0:7f00:1"}

// egressNamespace makes the calling test run in a network namespace of its own (unshare -n) with
// only lo, up, and egressEmbedded added to it: nothing the test dials can leave the machine, and
// every address it dials that is not refused reaches a listener. It runs the test again in a child
// process there and returns "parent" (the caller returns: the child's result is the test's), or
// returns "inside" in that child. Where no namespace can be made (not root, no unshare) it
// returns "none": the caller runs the rows that dial loopback only.
func egressNamespace(t *testing.T) string {
	if os.Getenv(egressNetnsEnv) == "1" {
		return "inside"
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Logf("no network namespace (no ip command: %v): rows of addresses that are not loopback are skipped", err)
		return "none"
	}
	if err := exec.Command("unshare", "-n", "true").Run(); err != nil {
		t.Logf("no network namespace (unshare -n: %v): rows of addresses that are not loopback are skipped", err)
		return "none"
	}
	script := "ip link set lo up"
	for _, a := range egressEmbedded {
		script += " && ip addr add " + a + "/128 dev lo"
	}
	script += ` && exec "$0" "$@"`
	args := []string{"-n", "sh", "-c", script, os.Args[0], "-test.run", "^" + t.Name() + "$", "-test.count", "1"}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	cmd := exec.Command("unshare", args...)
	cmd.Env = append(os.Environ(), egressNetnsEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "\nPASS") && !strings.HasPrefix(string(out), "PASS") {
		t.Fatalf("%s in its network namespace: %v\n%s", t.Name(), err, out)
	}
	if testing.Verbose() {
		t.Logf("in its network namespace:\n%s", out)
	}
	return "parent"
}

// egressListener is a TCP listener on one port of several loopback addresses that counts the
// connections it accepts and answers each HTTP request with reply(target), recording the request
// target it received, byte for byte.
type egressListener struct {
	port     int
	accepted atomic.Int64
	reply    func(target string) (status int, location string)

	mu      sync.Mutex
	targets []string
}

// egressListen listens on 127.0.0.1 and on each of v6 (unspecified "::" takes every IPv6
// address of the namespace, IPv6 only) at one port.
func egressListen(t *testing.T, v6 ...string) *egressListener {
	t.Helper()
	l := &egressListener{reply: func(string) (int, string) { return 200, "" }}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.port = ln.Addr().(*net.TCPAddr).Port
	lns := []net.Listener{ln}
	for _, h := range v6 {
		ln6, err := net.Listen("tcp6", net.JoinHostPort(h, strconv.Itoa(l.port)))
		if err != nil {
			t.Fatalf("listen on [%s]:%d: %v", h, l.port, err)
		}
		lns = append(lns, ln6)
	}
	for _, ln := range lns {
		t.Cleanup(func() { ln.Close() })
		go l.serve(ln)
	}
	return l
}

func (l *egressListener) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		l.accepted.Add(1)
		go l.handle(c)
	}
}

func (l *egressListener) handle(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return
	}
	parts := strings.Split(strings.TrimRight(line, "\r\n"), " ")
	if len(parts) != 3 || !strings.HasPrefix(parts[2], "HTTP/") {
		return // not HTTP (a TLS ClientHello from https.get)
	}
	for {
		h, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if h == "\r\n" || h == "\n" {
			break
		}
	}
	l.mu.Lock()
	l.targets = append(l.targets, parts[1])
	l.mu.Unlock()
	status, location := l.reply(parts[1])
	resp := fmt.Sprintf("HTTP/1.1 %d X\r\nContent-Length: 2\r\nConnection: close\r\n", status)
	if location != "" {
		resp += "Location: " + location + "\r\n"
	}
	c.Write([]byte(resp + "\r\nok"))
}

func (l *egressListener) lastTarget() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.targets) == 0 {
		return ""
	}
	return l.targets[len(l.targets)-1]
}

// egressAction makes the request that event.egress describes ({via, url, hostname, port, path})
// and sets the claim r to {status, body} or {error, code}.
const egressAction = `const http = require('http'), https = require('https');
const get = (mod, arg) => new Promise((resolve, reject) => {
  try {
    mod.get(arg, (res) => { let b = ''; res.on('data', (d) => { b += d; }); res.on('end', () => resolve({ status: res.statusCode, body: b })); }).on('error', reject);
  } catch (e) { reject(e); }
});
exports.onExecutePostLogin = async (event, api) => {
  const e = event.egress;
  let r;
  try {
    switch (e.via) {
      case 'fetch': { const res = await fetch(e.url); r = { status: res.status, body: await res.text() }; break; }
      case 'http.get(url)': r = await get(http, e.url); break;
      case 'https.get(url)': r = await get(https, e.url); break;
      case 'http.get(options)': r = await get(http, { hostname: e.hostname, port: e.port, path: e.path || '/' }); break;
      case 'https.get(options)': r = await get(https, { hostname: e.hostname, port: e.port, path: e.path || '/' }); break;
      default: throw new Error('unknown via ' + e.via);
    }
  } catch (err) {
    r = { error: String(err && err.message), code: err && err.code };
  }
  api.idToken.setCustomClaim('r', r);
};`

// egressRequest is what egressAction was asked and what it got.
type egressRequest struct {
	Via      string `json:"via"`
	URL      string `json:"url,omitempty"`
	Hostname string `json:"hostname,omitempty"`
	Port     int    `json:"port,omitempty"`
	Path     string `json:"path,omitempty"`
}

type egressResult struct {
	Status int    `json:"status"`
	Body   string `json:"body"`
	Error  string `json:"error"`
	Code   any    `json:"code"`
}

// egressGeneration builds egressAction with the egress client of allow.
func egressGeneration(t *testing.T, allow ...string) *runner.Generation {
	t.Helper()
	p, err := egress.ParseAllow(allow)
	if err != nil {
		t.Fatal(err)
	}
	c := egress.NewClient(p)
	t.Cleanup(c.CloseIdleConnections)
	return mustBuild(t, newSpec(newAction("egress", egressAction)), runner.Options{HTTPClient: c})
}

func egressDo(t *testing.T, g *runner.Generation, req egressRequest) egressResult {
	t.Helper()
	res := execute(t, g, "post-login", `{"egress":`+toJSON(t, req)+`}`)
	if res.Outcome != runner.OutcomeSuccess {
		t.Fatalf("%+v: execution %s", req, toJSON(t, res))
	}
	var r egressResult
	raw, _ := json.Marshal(res.Effects.IDTokenClaims["r"])
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%+v: claim r: %v (%s)", req, err, raw)
	}
	return r
}

// egressRefusal reports whether msg is the egress check's refusal, or the URL parser's or
// node:http's refusal of a host (an IPv6 zone).
func egressRefusal(msg string) bool {
	return strings.Contains(msg, " refused: ") || strings.Contains(msg, "Invalid URL") || strings.Contains(msg, "invalid host")
}

// TestEgressAddressTable is the egress address table: each spelling of a loopback address,
// through fetch, http.get and https.get with a URL and with options, against listeners on
// 127.0.0.1 and on every IPv6 address of the (test's own) network namespace. With nothing
// allowed, every row must fail with the refusal and the listeners must accept nothing; with the
// listener's 127.0.0.1:port and [::1]:port allowed, the spellings of exactly those connect (which
// shows the listeners work) and the others are refused.
func TestEgressAddressTable(t *testing.T) {
	ns := egressNamespace(t)
	if ns == "parent" {
		return
	}
	l := egressListen(t, "::")
	port := strconv.Itoa(l.port)

	type row struct {
		name       string
		urlHost    string // the URL's host ("" for none)
		optHost    string // the hostname option ("" for none)
		connectURL bool   // connects through a URL when 127.0.0.1:port and [::1]:port are allowed
		connectOpt bool   // connects through options when they are allowed
		embedded   bool   // dials an address that is not loopback unless refused: in the namespace only
		dns        bool   // a name the resolver here does not know: an error of any kind will do
	}
	rows := []row{
		{name: "127.0.0.1", urlHost: "127.0.0.1", optHost: "127.0.0.1", connectURL: true, connectOpt: true},
		{name: "decimal", urlHost: "2130706433", optHost: "2130706433", connectURL: true, connectOpt: true},
		{name: "octal", urlHost: "0177.0.0.1", optHost: "0177.0.0.1", connectURL: true, connectOpt: true},
		{name: "hex", urlHost: "0x7f.0.0.1", optHost: "0x7f.0.0.1", connectURL: true, connectOpt: true},
		{name: "hex whole", urlHost: "0x7f000001", optHost: "0x7f000001", connectURL: true, connectOpt: true},
		{name: "short", urlHost: "127.1", optHost: "127.1", connectURL: true, connectOpt: true},
		{name: "short hex", urlHost: "0x7f.1", optHost: "0x7f.1", connectURL: true, connectOpt: true},
		{name: "trailing dot", urlHost: "127.0.0.1.", optHost: "127.0.0.1.", connectURL: true, connectOpt: true},
		{name: "percent-encoded", urlHost: "%31%32%37.0.0.1", optHost: "%31%32%37.0.0.1", connectURL: true},
		{name: "fullwidth digits", urlHost: "\uff11\uff12\uff17.0.0.1", connectURL: true},
		{name: "0.0.0.0", urlHost: "0.0.0.0", optHost: "0.0.0.0"},
		{name: "0", urlHost: "0", optHost: "0"},
		{name: "localhost", urlHost: "localhost", optHost: "localhost"},
		{name: "LOCALHOST", urlHost: "LOCALHOST", optHost: "LOCALHOST"},
		{name: "localhost trailing dot", urlHost: "localhost.", optHost: "localhost.", dns: true},
		{name: "[::1]", urlHost: "[::1]", optHost: "::1", connectURL: true, connectOpt: true},
		{name: "[::1] long", urlHost: "[0:0:0:0:0:0:0:1]", optHost: "0:0:0:0:0:0:0:1", connectURL: true},
		{name: "[::]", urlHost: "[::]", optHost: "::"},
		{name: "IPv4-mapped", urlHost: "[::ffff:127.0.0.1]", optHost: "::ffff:127.0.0.1"},
		{name: "IPv4-mapped hex", urlHost: "[::ffff:7f00:1]", optHost: "::ffff:7f00:1"},
		{name: "IPv4-compatible", urlHost: "[::127.0.0.1]", optHost: "::127.0.0.1", embedded: true},
		{name: "6to4", urlHost: "[2002:7f00:1::]", optHost: "2002:7f00:1::", embedded: true},
		{name: "NAT64", urlHost: "[64:ff9b::7f00:1]", optHost: "64:ff9b::7f00:1", embedded: true},
		{name: "Teredo server", urlHost: "[2001:0:7f00:1::]", optHost: "2001:0:7f00:1::", embedded: true},
		{name: "Teredo client", urlHost: "[2001::80ff:fffe]", optHost: "2001::80ff:fffe", embedded: true},
		{name: "IPv4-translated", urlHost: "[::ffff:0:7f00:1]", optHost: "::ffff:0:7f00:1", embedded: true},
		{name: "zone lo", urlHost: "[::1%25lo]", optHost: "::1%lo"},
		{name: "zone index", urlHost: "[::1%251]", optHost: "::1%1"},
		{name: "zone eth0", urlHost: "[::1%25eth0]", optHost: "::1%eth0"},
		{name: "zone 25lo", optHost: "::1%25lo"},
		{name: "zoned IPv4-mapped", urlHost: "[::ffff:127.0.0.1%25lo]", optHost: "::ffff:127.0.0.1%lo"},
		{name: "zoned link-local", urlHost: "[fe80::1%25lo]", optHost: "fe80::1%lo"},
	}
	policies := []struct {
		name  string
		allow []string
	}{
		{"nothing allowed", nil},
		{"listener allowed", []string{"127.0.0.1:" + port, "[::1]:" + port}},
	}
	for _, p := range policies {
		g := egressGeneration(t, p.allow...)
		for _, r := range rows {
			var reqs []egressRequest
			var connect []bool
			if r.urlHost != "" {
				for _, via := range []string{"fetch", "http.get(url)", "https.get(url)"} {
					scheme := "http"
					if strings.HasPrefix(via, "https") {
						scheme = "https"
					}
					reqs = append(reqs, egressRequest{Via: via, URL: scheme + "://" + r.urlHost + ":" + port + "/"})
					connect = append(connect, r.connectURL && p.allow != nil)
				}
			}
			if r.optHost != "" {
				for _, via := range []string{"http.get(options)", "https.get(options)"} {
					reqs = append(reqs, egressRequest{Via: via, Hostname: r.optHost, Port: l.port})
					connect = append(connect, r.connectOpt && p.allow != nil)
				}
			}
			for i, req := range reqs {
				t.Run(p.name+"/"+r.name+"/"+req.Via, func(t *testing.T) {
					if r.embedded && ns != "inside" {
						t.Skip("dials an address that is not loopback were it let through: runs only in a network namespace of its own")
					}
					before := l.accepted.Load()
					res := egressDo(t, g, req)
					accepted := l.accepted.Load() - before
					if connect[i] {
						if accepted == 0 {
							t.Fatalf("%+v: the listener accepted nothing (%+v)", req, res)
						}
						if !strings.HasPrefix(req.Via, "https") && (res.Status != 200 || res.Body != "ok") {
							t.Fatalf("%+v: got %+v, want 200 ok", req, res)
						}
						return
					}
					if accepted != 0 {
						t.Errorf("%+v: the listener accepted %d connections", req, accepted)
					}
					if res.Error == "" {
						t.Fatalf("%+v: got %+v, want an error", req, res)
					}
					if !r.dns && !egressRefusal(res.Error) {
						t.Errorf("%+v: error %q (%v), want the egress refusal", req, res.Error, res.Code)
					}
				})
			}
		}
	}
}

// TestEgressRedirectChain: fetch follows redirects from an allowed listener, but each hop is
// checked as the first was: a redirect to a port not allowed, to [::1], to a zoned address, to
// an address that embeds 127.0.0.1, or to another spelling of loopback is refused, and its target
// receives nothing.
func TestEgressRedirectChain(t *testing.T) {
	ns := egressNamespace(t)
	if ns == "parent" {
		return
	}
	from := egressListen(t)
	from.reply = func(target string) (int, string) {
		if to, ok := strings.CutPrefix(target, "/to?u="); ok {
			u, _ := url.QueryUnescape(to)
			return 302, u
		}
		return 200, ""
	}
	target := egressListen(t, "::")
	g := egressGeneration(t, "127.0.0.1:"+strconv.Itoa(from.port))
	fromURL := "http://127.0.0.1:" + strconv.Itoa(from.port)
	tp := strconv.Itoa(target.port)
	tests := []struct {
		name, to string
		embedded bool
		wantOK   bool
	}{
		{name: "relative, same host", to: "/ok", wantOK: true},
		{name: "absolute, same host", to: fromURL + "/ok", wantOK: true},
		{name: "port not allowed", to: "http://127.0.0.1:" + tp + "/"},
		{name: "[::1]", to: "http://[::1]:" + tp + "/"},
		{name: "zoned", to: "http://[::1%25lo]:" + tp + "/"},
		{name: "zoned index", to: "http://[::1%251]:" + tp + "/"},
		{name: "decimal", to: "http://2130706433:" + tp + "/"},
		{name: "localhost", to: "http://localhost:" + tp + "/"},
		{name: "protocol-relative", to: "//127.1:" + tp + "/"},
		{name: "6to4", to: "http://[2002:7f00:1::]:" + tp + "/", embedded: true},
		{name: "NAT64", to: "http://[64:ff9b::7f00:1]:" + tp + "/", embedded: true},
		{name: "second hop", to: "/to?u=" + url.QueryEscape("http://127.0.0.1:"+tp+"/")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.embedded && ns != "inside" {
				t.Skip("dials an address that is not loopback were it let through: runs only in a network namespace of its own")
			}
			before, targetBefore := from.accepted.Load(), target.accepted.Load()
			res := egressDo(t, g, egressRequest{Via: "fetch", URL: fromURL + "/to?u=" + url.QueryEscape(tt.to)})
			if from.accepted.Load() == before {
				t.Fatal("the allowed listener got no request")
			}
			if got := target.accepted.Load() - targetBefore; got != 0 {
				t.Errorf("the redirect's target accepted %d connections", got)
			}
			if tt.wantOK {
				if res.Status != 200 || res.Body != "ok" || from.lastTarget() != "/ok" {
					t.Fatalf("got %+v (last request %q), want 200 ok from /ok", res, from.lastTarget())
				}
				return
			}
			if !egressRefusal(res.Error) {
				t.Errorf("got %+v, want the egress refusal", res)
			}
		})
	}
}

// TestEgressURLExactness: the URL reproducers. new URL keeps a trailing slash before the
// query and gives an IPv6 hostname with its brackets; http.get of an IPv6 URL dials that address
// (it dialled localhost, which the allow-list below refuses).
func TestEgressURLExactness(t *testing.T) {
	a := newAction("urls", `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('r', [new URL('http://h/a/b/?x=1').href, new URL('http://[::1]:8080/').hostname,
    new URL('http://h/p//double/./dot/../x/').pathname]);
};`)
	g := mustBuild(t, newSpec(a), runner.Options{})
	res := execute(t, g, "post-login", `{}`)
	if got, want := toJSON(t, res.Effects.IDTokenClaims["r"]), `["http://h/a/b/?x=1","[::1]","/p//double/x/"]`; got != want {
		t.Errorf("got %s, want %s (%s)", got, want, toJSON(t, res))
	}

	l := egressListen(t, "::1")
	g = egressGeneration(t, "[::1]:"+strconv.Itoa(l.port))
	r := egressDo(t, g, egressRequest{Via: "http.get(url)", URL: "http://[::1]:" + strconv.Itoa(l.port) + "/v6"})
	if r.Status != 200 || l.lastTarget() != "/v6" {
		t.Errorf("http.get(http://[::1]:port/v6): got %+v, listener saw %q", r, l.lastTarget())
	}
}

// TestEgressRequestTargetAsNode: a request leaves with the request target Node sends for the same
// call (testdata/egress/request_targets.json, recorded from Node by gen.js): fetch and http.get of
// a URL send the WHATWG path and query, dot segments resolved and nothing else changed; http.get
// with a path option sends the path as given. One exception, which net/http cannot avoid: a path
// that begins with "//" and holds "^", "|" or a "%" not followed by two hex digits is sent in
// absolute form (GET http://host:port//a^b), which carries the same path.
func TestEgressRequestTargetAsNode(t *testing.T) {
	raw, err := os.ReadFile("testdata/egress/request_targets.json")
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Node  string
		Cases []struct {
			Via, Input string
			Want       *string
		}
	}
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatal(err)
	}
	l := egressListen(t)
	g := egressGeneration(t, "127.0.0.1:"+strconv.Itoa(l.port))
	base := "http://127.0.0.1:" + strconv.Itoa(l.port)
	for _, c := range table.Cases {
		t.Run(c.Via+" "+c.Input, func(t *testing.T) {
			if c.Want == nil {
				t.Fatalf("Node sent nothing for %s %q", c.Via, c.Input)
			}
			want := egressLatin1(*c.Want)
			req := egressRequest{Via: c.Via, URL: base + c.Input}
			if c.Via == "http.get(options)" {
				req = egressRequest{Via: c.Via, Hostname: "127.0.0.1", Port: l.port, Path: c.Input}
			}
			before := l.accepted.Load()
			res := egressDo(t, g, req)
			if l.accepted.Load() == before {
				t.Fatalf("no request reached the listener: %+v", res)
			}
			got := l.lastTarget()
			if got == want {
				return
			}
			if strings.HasPrefix(want, "//") && strings.ContainsAny(want, "^|%") && got == base+want {
				return // absolute form, as documented
			}
			t.Errorf("request target %q, want %q (Node %s)", got, want, table.Node)
		})
	}
}

// egressLatin1 turns a string of code points below 256 into those bytes: Node writes a path
// option as latin1, and gen.js records request targets as latin1 strings.
func egressLatin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return s
		}
		b = append(b, byte(r))
	}
	return string(b)
}
