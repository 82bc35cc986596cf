package runner

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestFetchEgress(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/ok", http.StatusFound)
			return
		}
		w.Header().Set("X-Echo", r.Header.Get("X-In"))
		io.WriteString(w, "pong")
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))

	a := newAction("ping", `exports.onExecutePostLogin = async (event, api) => {
  const res = await fetch(event.url, { headers: new Headers({ 'X-In': 'hi' }) });
  api.idToken.setCustomClaim('got', [res.status, res.ok, res.statusText, res.headers.get('x-echo'), await res.text(), res.redirected]);
};`)
	tests := []struct {
		name      string
		allow     []string
		path      string
		wantClaim string
		wantError string
	}{
		{name: "loopback refused by default", wantError: "TypeError: fetch failed: Get \"" + srv.URL + "/\": dial tcp " + strings.TrimPrefix(srv.URL, "http://") + ": egress to 127.0.0.1 refused: loopback address not in the egress allow-list"},
		{name: "host entry", allow: []string{"127.0.0.1"}, wantClaim: `[200,true,"OK","hi","pong",false]`},
		{name: "host:port entry", allow: []string{"127.0.0.1:" + port}, wantClaim: `[200,true,"OK","hi","pong",false]`},
		{name: "other port refused", allow: []string{"127.0.0.1:1"}, wantError: "egress to 127.0.0.1 refused"},
		{name: "CIDR entry", allow: []string{"127.0.0.0/8"}, wantClaim: `[200,true,"OK","hi","pong",false]`},
		{name: "redirect followed", allow: []string{"127.0.0.1"}, path: "/redirect", wantClaim: `[200,true,"OK","hi","pong",true]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseEgressAllow(tt.allow)
			if err != nil {
				t.Fatal(err)
			}
			client := NewHTTPClient(p)
			defer client.CloseIdleConnections()
			g := mustBuild(t, newSpec(a), Options{HTTPClient: client})
			res := mustExecute(t, g, "post-login", `{"url":"`+srv.URL+tt.path+`"}`)
			if tt.wantError != "" {
				if e := res.Actions[0].Error; res.Outcome != OutcomeFailed || e == nil || !strings.Contains(e.Message, tt.wantError) {
					t.Fatalf("got %s, want failure containing %q", toJSON(t, res), tt.wantError)
				}
				return
			}
			wantSuccess(t, res)
			if got := toJSON(t, res.Effects.IDTokenClaims["got"]); got != tt.wantClaim {
				t.Errorf("claim = %s, want %s", got, tt.wantClaim)
			}
		})
	}
}

func TestParseEgressAllow(t *testing.T) {
	tests := []struct {
		give    string
		wantErr bool
	}{
		{"example.com", false},
		{"*.corp.example", false},
		{"127.0.0.1", false},
		{"::1", false},
		{"[::1]:8080", false},
		{"api.internal:443", false},
		{"10.0.0.0/8", false},
		{"fd00::/8", false},
		{"", true},
		{"10.0.0.0/33", true},
		{"host:0", true},
		{"host:http", true},
		{"bad host", true},
		{"[::1", true},
	}
	for _, tt := range tests {
		_, err := ParseEgressAllow([]string{tt.give})
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseEgressAllow(%q) error = %v, want error %v", tt.give, err, tt.wantErr)
		}
	}
}

func TestEgressClass(t *testing.T) {
	tests := []struct{ give, want string }{
		{"127.0.0.1", "loopback"},
		{"::1", "loopback"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"192.168.1.1", "private"},
		{"fd12::1", "private"},
		{"169.254.169.254", "cloud-metadata"},
		{"fd00:ec2::254", "cloud-metadata"},
		{"169.254.1.1", "link-local"},
		{"fe80::1", "link-local"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"100.64.0.1", "CGNAT"},
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:7f00:1", "loopback"},
		{"64:ff9b::a00:1", "private (NAT64)"},
		{"64:ff9b::808:808", ""},
		{"64:ff9b:1::1", "private"},
		{"::127.0.0.1", "loopback (IPv4-compatible)"},
		{"::a9fe:a9fe", "cloud-metadata (IPv4-compatible)"},
		{"::ffff:0:7f00:1", "loopback (IPv4-translated)"},
		{"2002:7f00:1::", "loopback (6to4)"},
		{"2002:c0a8:101::1", "private (6to4)"},
		{"2002:808:808::1", ""},
		{"2001:0:7f00:1::", "loopback (Teredo)"},              // server 127.0.0.1
		{"2001:0:808:808:0:0:80ff:fffe", "loopback (Teredo)"}, // client 127.0.0.1, inverted
		{"2001:0:808:808:0:0:f7f7:f7f7", ""},                  // client 8.8.8.8
		{"::1%lo", "zoned loopback"},
		{"::1%1", "zoned loopback"},
		{"fe80::1%eth0", "zoned link-local"},
		{"2606:4700::1111%eth0", "zoned"},
		{"::ffff:127.0.0.1%lo", "zoned loopback"},
		{"fec0::1", "private"},
		{"8.8.8.8", ""},
		{"2606:4700::1111", ""},
	}
	for _, tt := range tests {
		if got := egressClass(netip.MustParseAddr(tt.give)); got != tt.want {
			t.Errorf("egressClass(%s) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestEgressAllowMatching(t *testing.T) {
	p, err := ParseEgressAllow([]string{"vault.internal", "*.corp.example", "db.internal:5432", "10.1.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	c := compileEgress(p)
	ip := netip.MustParseAddr("10.9.9.9")
	tests := []struct {
		host, port string
		ip         netip.Addr
		want       bool
	}{
		{"vault.internal", "8200", ip, true},
		{"VAULT.internal.", "8200", ip, true},
		{"other.internal", "8200", ip, false},
		{"a.corp.example", "443", ip, true},
		{"corp.example", "443", ip, false},
		{"db.internal", "5432", ip, true},
		{"db.internal", "5433", ip, false},
		{"anything", "80", netip.MustParseAddr("10.1.2.3"), true},
		{"public.example", "443", netip.MustParseAddr("93.184.216.34"), true},
	}
	for _, tt := range tests {
		if got, _ := c.allowed(tt.host, tt.port, tt.ip); got != tt.want {
			t.Errorf("allowed(%s, %s, %s) = %v, want %v", tt.host, tt.port, tt.ip, got, tt.want)
		}
	}
}

// TestEgressAllowZoned: a zoned address is allowed only by an entry that names it, zone included;
// an entry for the address without its zone, or a prefix holding it, does not allow it.
func TestEgressAllowZoned(t *testing.T) {
	p, err := ParseEgressAllow([]string{"::1", "fe80::/10", "fe80::1%eth0", "127.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	c := compileEgress(p)
	tests := []struct {
		host string
		ip   string
		want bool
	}{
		{"::1", "::1", true},
		{"::1%lo", "::1%lo", false},
		{"fe80::2", "fe80::2", true},
		{"fe80::2%eth0", "fe80::2%eth0", false},
		{"fe80::1%eth0", "fe80::1%eth0", true},
		{"fe80::1%eth1", "fe80::1%eth1", false},
		{"::ffff:127.0.0.1%lo", "::ffff:127.0.0.1%lo", false},
	}
	for _, tt := range tests {
		if got, _ := c.allowed(tt.host, "80", netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("allowed(%s, %s) = %v, want %v", tt.host, tt.ip, got, tt.want)
		}
	}
}

func TestFetchResponseSizeCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, MaxFetchResponseBody+1))
	}))
	defer srv.Close()
	a := newAction("big", `exports.onExecutePostLogin = async (event) => { await fetch(event.url); };`)
	g := mustBuild(t, newSpec(a), Options{HTTPClient: loopbackClient(t)})
	res := mustExecute(t, g, "post-login", `{"url":"`+srv.URL+`"}`)
	if e := res.Actions[0].Error; e == nil || !strings.Contains(e.Message, "exceeds 10485760 bytes") {
		t.Errorf("got %s, want a size error", toJSON(t, res))
	}
}
