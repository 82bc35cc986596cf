package node

import (
	"bytes"
	"compress/gzip"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/runner/host/hosttest"
	"github.com/actionsd/actionsd/runner/web"
	"github.com/dop251/goja"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newModules loads the built-ins into a test runtime, as the engine does, with require and
// console as globals; allow is the egress allow-list of their requests.
func newModules(t *testing.T, cfg Config, allow ...string) (*hosttest.VM, *Modules) {
	t.Helper()
	vm := hosttest.New(t)
	p, err := egress.ParseAllow(allow)
	if err != nil {
		t.Fatal(err)
	}
	client := egress.NewClient(p)
	t.Cleanup(client.CloseIdleConnections)
	cfg.Web = web.New(vm, &vm.In, web.Config{Client: client, SetTimeout: vm.SetTimeout})
	cfg.SetTimeout, cfg.ClearTimeout = vm.SetTimeout, vm.ClearTimeout
	if cfg.Dial == nil {
		cfg.Dial = egress.DialerOf(client)
	}
	m := New(vm, &vm.In, cfg)
	vm.Set("require", m.RequireFunc())
	vm.Set("console", m.NewConsole())
	vm.Set("process", m.Process())
	return vm, m
}

func TestCryptoHMAC(t *testing.T) {
	vm, _ := newModules(t, Config{})
	got := vm.Run(`const crypto = require('node:crypto');
const { Buffer } = require('buffer');
[crypto.createHmac('sha256', 'k3y').update('hello ').update('world').digest('hex'),
 crypto.createHash('sha256').update('abc').digest('base64'),
 crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ab'))].join(' ')`)
	mac := hmac.New(sha256.New, []byte("k3y"))
	mac.Write([]byte("hello world"))
	want := hex.EncodeToString(mac.Sum(nil)) + " ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0= true"
	if got.String() != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestZlibRoundTrip(t *testing.T) {
	vm, _ := newModules(t, Config{})
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	io.WriteString(w, "from Go")
	w.Close()
	vm.Set("fromGo", vm.Runtime().NewArrayBuffer(gz.Bytes()))
	got := vm.Run(`const zlib = require('zlib');
const { Buffer } = require('buffer');
const text = 'actionsd '.repeat(100);
const out = [];
for (const [c, d] of [['deflateSync', 'inflateSync'], ['gzipSync', 'gunzipSync'], ['deflateRawSync', 'inflateRawSync']]) {
  const packed = zlib[c](Buffer.from(text));
  out.push(packed.length < text.length && zlib[d](packed).toString() === text);
}
out.push(zlib.unzipSync(Buffer.from(fromGo)).toString());
let err;
try { zlib.inflateSync(Buffer.from('not zlib')); } catch (e) { err = e.code; }
out.push(err);
out.join(' ')`)
	if want := "true true true from Go Z_DATA_ERROR"; got.String() != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestEvents(t *testing.T) {
	vm, _ := newModules(t, Config{})
	got := vm.Run(`const EventEmitter = require('events');
const e = new EventEmitter();
const seen = [];
const f = (x) => seen.push('on ' + x);
e.on('x', f);
e.once('x', (x) => seen.push('once ' + x));
e.emit('x', 1);
e.emit('x', 2);
e.removeListener('x', f);
seen.push(String(e.emit('x', 3)), String(e.listenerCount('x')));
seen.join(', ')`)
	if want := "on 1, once 1, on 2, false, 0"; got.String() != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Timers of node:timers/promises run on the host's loop.
func TestTimersPromises(t *testing.T) {
	vm, _ := newModules(t, Config{})
	got := vm.Await(vm.Run(`require('timers/promises').setTimeout(5, 'later')`))
	if got.String() != "later" {
		t.Errorf("got %s, want later", got)
	}
}

// console writes each call as one line into the host's logs, formatted as util.format.
func TestConsoleLogs(t *testing.T) {
	vm, _ := newModules(t, Config{})
	vm.Run(`console.log('n=%d', 42, { a: [1, 'two'], f() {} }); console.error(new Map([['k', 1]]));
process.stdout.write('raw\n');`)
	want := []string{"n=42 { a: [ 1, 'two' ], f: [Function: f] }", "Map(1) { 'k' => 1 }", "raw"}
	if !slices.Equal(vm.Logs, want) {
		t.Errorf("logs = %q, want %q", vm.Logs, want)
	}
}

// Every built-in's exports, and what it names shared, go through Config.Harden once, before any
// code gets them; process.env is Config.ProcessEnv.
func TestRequireHardensAndProcessEnv(t *testing.T) {
	var hardened []goja.Value
	vm, _ := newModules(t, Config{
		Harden:     func(v goja.Value) goja.Value { hardened = append(hardened, v); return v },
		ProcessEnv: "NODE_ENV\x00test\x00",
	})
	got := vm.Run(`const a = require('path'); const b = require('node:path');
[a === b, a.join('/a', '../b'), process.env.NODE_ENV, Object.keys(process.env).length].join(' ')`)
	if want := "true /b test 1"; got.String() != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if len(hardened) != 1 {
		t.Errorf("Harden called %d times for one built-in, want 1", len(hardened))
	}
	vm.Run(`require('crypto')`) // names its internal classes shared
	if len(hardened) < 3 {
		t.Errorf("Harden called %d times after crypto, want its exports and what it shares", len(hardened))
	}
}

func TestUnavailableBuiltins(t *testing.T) {
	vm, _ := newModules(t, Config{})
	for src, want := range map[string]string{
		`require('fs').readFileSync('/etc/passwd')`: "fs.readFileSync is not available to actions",
		`require('cluster')`:                        "cannot require 'cluster': the Node built-in is not available to actions",
		`require('child_process').exec('id')`:       "child_process.exec is not available to actions",
	} {
		err := vm.RunErr(src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", src, err, want)
		}
	}
	if !Has("fs") || Has("cluster") || !NodeOnly("cluster") || slices.Contains(Names(), "\x00http") {
		t.Errorf("Has, NodeOnly or Names disagree with the built-ins")
	}
}

// node:http sends through the web transport: to a loopback server when egress allows it, and
// is refused with Node's EACCES when it does not.
func TestHTTPGetLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("X-In"))
	}))
	defer srv.Close()
	get := `new Promise((resolve, reject) => {
  require('http').get(URL_ + '/p?q=1', { headers: { 'x-in': 'hi' } }, (res) => {
    let body = '';
    res.on('data', (c) => { body += c; });
    res.on('end', () => resolve(res.statusCode + ' ' + body));
  }).on('error', (e) => reject(e.code));
})`
	vm, _ := newModules(t, Config{}, "127.0.0.1")
	vm.Set("URL_", srv.URL)
	if got := vm.Await(vm.Run(get)); got.String() != "200 GET /p?q=1 hi" {
		t.Errorf("got %q", got)
	}
	refused, _ := newModules(t, Config{})
	refused.Set("URL_", srv.URL)
	_, err := refused.AwaitErr(refused.Run(get))
	if r := hosttest.Reason(err); r == nil || r.String() != "EACCES" {
		t.Errorf("without an allow entry: %v, want a rejection with EACCES", err)
	}
}
