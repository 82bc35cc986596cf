package security

import (
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/egress"
)

// Sockets (node:net, node:tls) follow the egress rules of fetch (issue 13): every spelling of a
// loopback, unspecified or metadata address is refused by default, judged after resolution, and
// a real listener on loopback never sees a connection; with an allow-list entry for loopback
// the same code connects.
func TestNetSocketsFollowEgress(t *testing.T) {
	port, accepted := netCountingListener(t, "hi")
	a := newAction("sock", `exports.onExecutePostLogin = async (event, api) => {
  const out = [];
  for (const [mod, host] of event.request.query.targets) {
    out.push(await new Promise((resolve) => {
      const opts = { host, port: Number(event.request.query.port), rejectUnauthorized: false };
      const s = require(mod).connect(opts, () => { s.destroy(); resolve('connected'); });
      s.on('error', (e) => resolve(e.code + ' ' + e.message));
    }));
  }
  out.push(await require('dns').promises.lookup('localhost', { family: 4 }).then((r) => r.address, (e) => e.code));
  api.idToken.setCustomClaim('out', out);
};`)
	targets := `[["net","127.0.0.1"],["net","localhost"],["net","::ffff:127.0.0.1"],["net","0.0.0.0"],["net","::1"],["net","169.254.169.254"],["tls","127.0.0.1"],["tls","localhost"]]`
	event := `{"request":{"query":{"port":"` + port + `","targets":` + targets + `}}}`
	for _, allow := range [][]string{nil, {"127.0.0.1"}} {
		p, err := egress.ParseAllow(allow)
		if err != nil {
			t.Fatal(err)
		}
		client := egress.NewClient(p)
		g := mustBuild(t, newSpec(a), runner.Options{HTTPClient: client})
		res := execute(t, g, "post-login", event)
		if res.Outcome != runner.OutcomeSuccess {
			t.Fatalf("allow %v: %s", allow, toJSON(t, res))
		}
		var out []any
		if err := json.Unmarshal([]byte(toJSON(t, res.Effects.IDTokenClaims["out"])), &out); err != nil {
			t.Fatal(err)
		}
		if len(out) != 9 {
			t.Fatalf("allow %v: out = %v in %s", allow, out, toJSON(t, res))
		}
		for i, o := range out[:8] {
			s, _ := o.(string)
			refused := strings.HasPrefix(s, "EACCES ") && strings.Contains(s, "address not in the egress allow-list")
			// An allow entry that is a host name matches the name asked for (as for fetch):
			// "127.0.0.1" lets 127.0.0.1 through, not localhost nor ::ffff:127.0.0.1.
			wantRefused := allow == nil || i != 0 && i != 6
			if refused != wantRefused || !refused && !wantRefused && s != "connected" && s != "UNABLE_TO_VERIFY_LEAF_SIGNATURE" && !strings.HasPrefix(s, "ECONNRESET") && !strings.Contains(s, "EOF") {
				t.Errorf("allow %v: target %d: %q (want refused=%v)", allow, i, s, wantRefused)
			}
		}
		if out[8] != "127.0.0.1" {
			t.Errorf("allow %v: dns.lookup('localhost') = %v", allow, out[8])
		}
		g.Close()
		client.CloseIdleConnections()
		if allow == nil && accepted.Load() != 0 {
			t.Errorf("the listener accepted %d connections while egress refused loopback", accepted.Load())
		}
	}
	if accepted.Load() == 0 {
		t.Error("with loopback allowed, no connection reached the listener")
	}
}

// STARTTLS (tls.connect({ socket })) opens no connection of its own: over a plain socket that
// egress refuses, the TLS socket fails with that refusal and the listener never sees a
// connection.
func TestSTARTTLSFollowsEgress(t *testing.T) {
	port, accepted := netCountingListener(t, "")
	a := newAction("starttls", `exports.onExecutePostLogin = async (event, api) => {
  const out = await new Promise((resolve) => {
    const s = require('net').connect(`+port+`, '127.0.0.1');
    s.on('error', () => {});
    const t = require('tls').connect({ socket: s, servername: 'db.example.test', rejectUnauthorized: false }, () => resolve('connected'));
    t.on('error', (e) => resolve(e.code + ' ' + e.message));
  });
  api.idToken.setCustomClaim('out', out);
};`)
	client := egress.NewClient(egress.Policy{})
	g := mustBuild(t, newSpec(a), runner.Options{HTTPClient: client})
	defer g.Close()
	res := execute(t, g, "post-login", `{}`)
	var out string
	json.Unmarshal([]byte(toJSON(t, res.Effects.IDTokenClaims["out"])), &out)
	if res.Outcome != runner.OutcomeSuccess || !strings.HasPrefix(out, "EACCES ") || !strings.Contains(out, "address not in the egress allow-list") {
		t.Errorf("got %s, want the egress refusal", toJSON(t, res))
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("the listener accepted %d connections while egress refused loopback", n)
	}
}

// netCountingListener listens on loopback until the test ends, writes greeting to each connection
// it accepts and closes it, and counts them; it returns its port.
func netCountingListener(t *testing.T, greeting string) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := new(atomic.Int32)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			if greeting != "" {
				c.Write([]byte(greeting))
			}
			c.Close()
		}
	}()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), accepted
}
