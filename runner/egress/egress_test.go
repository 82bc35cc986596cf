package egress

import (
	"errors"
	"net/http"
	"net/netip"
	"testing"
)

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
		_, err := ParseAllow([]string{tt.give})
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseAllow(%q) error = %v, want error %v", tt.give, err, tt.wantErr)
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
		if got := Class(netip.MustParseAddr(tt.give)); got != tt.want {
			t.Errorf("Class(%s) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestEgressAllowMatching(t *testing.T) {
	p, err := ParseAllow([]string{"vault.internal", "*.corp.example", "db.internal:5432", "10.1.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	c := compile(p)
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
	p, err := ParseAllow([]string{"::1", "fe80::/10", "fe80::1%eth0", "127.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	c := compile(p)
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

// DialerOf gives sockets the client's own egress dialer, and nothing for a client made otherwise.
func TestDialerOf(t *testing.T) {
	d := DialerOf(NewClient(Policy{}))
	if d == nil {
		t.Fatal("DialerOf(NewClient) = nil")
	}
	var ee *Error
	if _, err := d(t.Context(), "tcp", "127.0.0.1:1"); !errors.As(err, &ee) || ee.Class != "loopback" {
		t.Errorf("dial 127.0.0.1:1: %v, want the egress refusal", err)
	}
	if DialerOf(&http.Client{}) != nil || DialerOf(nil) != nil {
		t.Error("DialerOf of a client without an egress transport is not nil")
	}
}

func TestPolicyNames(t *testing.T) {
	p := Policy{Allow: []string{"127.0.0.1", "api.internal:8443", "*.corp.example", "10.0.0.0/8", "bad entry"}}
	for _, c := range []struct {
		host, port string
		want       bool
	}{
		{"127.0.0.1", "80", true},
		{"127.0.0.2", "80", false},
		{"api.internal", "8443", true},
		{"api.internal", "443", false},
		{"API.internal.", "8443", true},
		{"vault.corp.example", "443", true},
		{"corp.example", "443", false},
		{"10.1.2.3", "443", true},
		{"ten.example", "443", false}, // prefixes match IP literals only: no DNS here
		{"[::1]", "443", false},
	} {
		if got := p.Names(c.host, c.port); got != c.want {
			t.Errorf("Names(%q, %q) = %v, want %v", c.host, c.port, got, c.want)
		}
	}
}
