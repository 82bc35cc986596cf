package runner

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestURLAsNode: URL objects behave as Node's (the WHATWG URL standard) where goja_nodejs parts
// from it: href after searchParams changes, search set with its "?", origin with a port. The
// expected values are what Node 20 prints for the same lines.
func TestURLAsNode(t *testing.T) {
	a := newAction("a", `exports.onExecutePostLogin = async (event, api) => {
const out = [];
const t = (f) => { try { out.push(String(f())); } catch (e) { out.push('ERR ' + e.constructor.name); } };
t(() => { const u = new URL('https://x.example/p?q=1'); u.searchParams.append('z', '2'); return u.href; });
t(() => { const u = new URL('https://x.example/p'); u.searchParams.set('a', 'b c'); return u.href; });
t(() => { const u = new URL('https://x.example/p?q=1'); u.search = '?k=v'; return u.href; });
t(() => { const u = new URL('https://x.example/p?q=1'); u.search = 'k=v'; return u.href; });
t(() => { const u = new URL('https://x.example/p?q=1'); u.search = ''; return u.href; });
t(() => { const u = new URL('https://x.example/p#a'); u.hash = '#b'; return u.href; });
t(() => { const u = new URL('https://x.example/p#a'); u.hash = 'c'; return u.href; });
t(() => { const u = new URL('https://x.example/p'); u.pathname = '/a b/c'; return u.href; });
t(() => { const u = new URL('https://x.example/p?q=1'); u.searchParams.delete('q'); return u.href; });
t(() => { const u = new URL('https://x.example/p?q=1&q=2'); u.searchParams.delete('q'); u.searchParams.append('r', '3'); return u.href + ' ' + u.search; });
t(() => { const u = new URL('https://user:pw@x.example:8443/p?q=1#h'); return [u.origin, u.host, u.port, u.username, u.password, u.hash].join('|'); });
t(() => { const u = new URL('/rel?x=1', 'https://x.example/base/'); return u.href; });
t(() => { const u = new URL('https://x.example'); return u.href + ' ' + u.pathname; });
t(() => { const u = new URL('https://x.example/p?q=a%20b'); return u.searchParams.get('q') + '|' + u.search; });
t(() => { const u = new URL('https://x.example/p'); u.searchParams.append('e', 'é&='); return u.href; });
t(() => { const u = new URL('https://x.example/p?q=1'); const s = u.searchParams; u.search = '?n=2'; return s.get('n') + ',' + s.get('q'); });
t(() => { const u = new URL('https://x.example/p'); u.host = 'y.example:81'; return u.href; });
t(() => { const u = new URL('https://x.example/p'); u.protocol = 'http'; return u.href; });
t(() => { const u = new URL('https://x.example/p?b=2&a=1'); u.searchParams.sort(); return u.href; });
t(() => JSON.stringify({ u: new URL('https://x.example/p?q=1') }));
t(() => new URL('https://EXAMPLE.com/A').href);
t(() => { const u = new URL('https://x.example/p'); u.href = 'https://z.example/q?w=1'; u.searchParams.append('v', '2'); return u.href; });
api.idToken.setCustomClaim('r', out);
};`)
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	var got []string
	raw, _ := res.Effects.IDTokenClaims["r"].(json.RawMessage)
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("claims: %v (%s)", err, raw)
	}
	var want []string
	if err := json.Unmarshal([]byte(`["https://x.example/p?q=1&z=2", "https://x.example/p?a=b+c", "https://x.example/p?k=v", "https://x.example/p?k=v", "https://x.example/p", "https://x.example/p#b", "https://x.example/p#c", "https://x.example/a%20b/c", "https://x.example/p", "https://x.example/p?r=3 ?r=3", "https://x.example:8443|x.example:8443|8443|user|pw|#h", "https://x.example/rel?x=1", "https://x.example/ /", "a b|?q=a%20b", "https://x.example/p?e=%C3%A9%26%3D", "2,null", "https://y.example:81/p", "http://x.example/p", "https://x.example/p?a=1&b=2", "{\"u\":\"https://x.example/p?q=1\"}", "https://example.com/A", "https://z.example/q?w=1&v=2"]`), &want); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("case %d: got %q, want %q", i+1, got[i], want[i])
		}
	}
	// Subclasses and instanceof still work, and the statics are there.
	b := newAction("b", `exports.onExecutePostLogin = async (event, api) => {
  class My extends URL { hi() { return 'hi ' + this.hostname; } }
  const m = new My('https://m.example/');
  api.idToken.setCustomClaim('r', [m.hi(), m instanceof URL, new URL('https://x.example') instanceof URL, URL.name, require('url').URL === URL, new URL('https://x.example/').constructor === URL]);
};`)
	g = mustBuild(t, newSpec(b), Options{})
	res = mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"r":["hi m.example",true,true,"URL",true,true]}`; got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
}

// TestURLTableAsNode: URL and URLSearchParams give what Node gives for every expression of
// testdata/url/node.json (parsing and serialization: hosts in every IPv4 and IPv6 spelling,
// paths with dot segments and double and trailing slashes, the percent-encoding sets, special and
// other schemes, default ports, relative references; every setter; URLSearchParams; the classes'
// shapes). The expected values are Node's, made by testdata/url/gen.js and checked in, so that
// the test needs no Node.
func TestURLTableAsNode(t *testing.T) {
	raw, err := os.ReadFile("testdata/url/node.json")
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Node     string
		Prologue string
		Cases    []struct{ Expr, Want string }
	}
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatal(err)
	}
	if len(table.Cases) < 200 {
		t.Fatalf("only %d cases in testdata/url/node.json", len(table.Cases))
	}
	var src strings.Builder
	src.WriteString(`exports.onExecutePostLogin = async (event, api) => {
` + table.Prologue + `
const out = [];
const t = (f) => { try { out.push(String(f())); } catch (err) { out.push('throws ' + err.name + ' ' + err.code); } };
`)
	for _, c := range table.Cases {
		src.WriteString(`t(() => (` + c.Expr + `));
`)
	}
	src.WriteString(`api.idToken.setCustomClaim('r', out);
};`)
	g := mustBuild(t, newSpec(newAction("table", src.String())), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	var got []string
	claim, _ := res.Effects.IDTokenClaims["r"].(json.RawMessage)
	if err := json.Unmarshal(claim, &got); err != nil {
		t.Fatalf("claims: %v (%s)", err, claim)
	}
	if len(got) != len(table.Cases) {
		t.Fatalf("got %d results, want %d", len(got), len(table.Cases))
	}
	for i, c := range table.Cases {
		if got[i] != c.Want {
			t.Errorf("%s\n got %q\nwant %q (Node %s)", c.Expr, got[i], c.Want, table.Node)
		}
	}
}
