package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/runner/host/hosttest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newGlobals installs the Web APIs into a test runtime as the engine does; allow is the egress
// allow-list of fetch.
func newGlobals(t *testing.T, allow ...string) (*hosttest.VM, *Globals) {
	t.Helper()
	vm := hosttest.New(t)
	p, err := egress.ParseAllow(allow)
	if err != nil {
		t.Fatal(err)
	}
	client := egress.NewClient(p)
	t.Cleanup(client.CloseIdleConnections)
	w := New(vm, &vm.In, Config{Client: client, SetTimeout: vm.SetTimeout})
	for _, name := range append([]string{"URL", "URLSearchParams", "atob", "btoa"}, Names...) {
		vm.Set(name, w.Get(name))
	}
	return vm, w
}

// fetch reaches a loopback server that the egress policy allows, sending the method, headers and
// body asked for and following its redirect; the same fetch without the allow entry is refused
// before anything is dialled.
func TestFetchLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/echo", http.StatusTemporaryRedirect)
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Echo", r.Header.Get("X-In"))
		io.WriteString(w, r.Method+" "+r.URL.Path+" "+string(body))
	}))
	defer srv.Close()
	const src = `fetch(URL_ + '/moved', { method: 'POST', headers: { 'X-In': 'hi' }, body: 'payload' })
  .then(async (r) => [r.status, r.redirected, r.headers.get('x-echo'), await r.text()].join(' '))`

	vm, _ := newGlobals(t, "127.0.0.1")
	vm.Set("URL_", srv.URL)
	if got, want := vm.Await(vm.Run(src)).String(), "200 true hi POST /echo payload"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}

	refused, _ := newGlobals(t)
	refused.Set("URL_", srv.URL)
	_, err := refused.AwaitErr(refused.Run(src))
	reason := hosttest.Reason(err)
	if reason == nil || !strings.Contains(reason.String(), "fetch failed") ||
		!strings.Contains(reason.String(), "egress to 127.0.0.1 refused: loopback address not in the egress allow-list") {
		t.Errorf("without an allow entry: %v, want the egress refusal", err)
	}
}

// fetch needs an execution: while code loads, it throws.
func TestFetchWhileLoading(t *testing.T) {
	vm, _ := newGlobals(t, "127.0.0.1")
	vm.Loading(true)
	err := vm.RunErr(`fetch('http://127.0.0.1:1/')`)
	if err == nil || !strings.Contains(err.Error(), "fetch is not available while the code loads") {
		t.Errorf("error %v, want the loading refusal", err)
	}
}

func TestURL(t *testing.T) {
	vm, _ := newGlobals(t)
	got := vm.Run(`const u = new URL('HTTPS://user:pw@Example.com:443/a/./b/../c?x=1&y=%20#frag');
u.searchParams.append('z', 'a b');
const out = [u.href, u.protocol, u.username, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin,
  new URL('../d', 'http://h/a/b/c').href, URL.canParse('nope'), new URLSearchParams({ a: '1', b: 'x&y' }).toString()];
try { new URL('http://[::1'); } catch (e) { out.push(e.code); }
out.join('|')`)
	want := "https://user:pw@example.com/a/c?x=1&y=+&z=a+b#frag|https:|user|example.com||/a/c|?x=1&y=+&z=a+b|#frag|https://example.com|http://h/a/d|false|a=1&b=x%26y|ERR_INVALID_URL"
	if got.String() != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestTextEncodingAndBase64(t *testing.T) {
	vm, _ := newGlobals(t)
	got := vm.Run(`const bytes = new TextEncoder().encode('héllo €');
const back = new TextDecoder().decode(bytes);
let fatal;
try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])); } catch (e) { fatal = e.name; }
[bytes.length, back, btoa('hi\xff'), atob(' aGn/ '), fatal, structuredClone({ a: [1, { b: 2 }] }).a[1].b].join('|')`)
	if want := "10|héllo €|aGn/|hi\xc3\xbf|TypeError|2"; got.String() != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
