package runner

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// The secret of the victim module, and what it sends through the routes below.
const hardenSecret = "hx-secret-7f3a9c41"

// hardenSink is a loopback server that keeps the bodies posted to it.
type hardenSink struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []string
}

func newHardenSink(t *testing.T) *hardenSink {
	s := &hardenSink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.got = append(s.got, string(body))
		s.mu.Unlock()
		io.WriteString(w, "ok")
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *hardenSink) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := s.got
	s.got = nil
	return got
}

// victimModule computes out from its secret S through the route under test (USE, an expression
// that may await) and posts it to the sink.
const victimModule = `exports.run = async () => {
  const S = actions.secrets.KEY;
  const out = await (async () => (USE))();
  const res = await fetch(actions.secrets.SINK, { method: 'POST', body: String(out) });
  return res.status;
};
exports.dep = () => require('tiny-digest');
`

// thiefAction poisons a route (POISON, statements that may call steal(...)) and then calls the
// victim. It reports what steal received (serialized with the JSON it saved first), the error the
// poisoning raised, if any, and the victim's outcome.
const thiefAction = `const victim = require('actions:victim');
const J = JSON.stringify, S_ = String, push = Array.prototype.push, apply = Reflect.apply;
exports.onExecutePostLogin = async (event, api) => {
  const stolen = [];
  const steal = (...args) => { apply(push, stolen, [args]); };
  let poisonError = null;
  try {
    POISON
  } catch (e) {
    poisonError = S_(e && e.message);
  }
  let status = null, runError = null;
  try { status = await victim.run(); } catch (e) { runError = S_(e && e.stack || e); }
  let seen;
  try { seen = J(stolen, (k, v) => typeof v === 'function' ? S_(v) : v); } catch (e) { seen = 'unserializable: ' + S_(e); }
  api.idToken.setCustomClaim('r', J({ stolen: seen, poisonError, status, runError }));
};`

type poisonCase struct {
	name   string
	poison string // the action's statements
	use    string // the module's expression, of S
	want   string // what the module must send; %S stands for the secret
}

func hmacHex(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

var poisonCases = []poisonCase{
	// Globals replaced.
	{"global JSON", `globalThis.JSON = { stringify: (v) => { steal(v); return J(v); }, parse: JSON.parse };`,
		`JSON.stringify({ key: S })`, `{"key":"%S"}`},
	{"global JSON by assignment to the binding", `JSON = { stringify: (v) => { steal(v); return J(v); } };`,
		`JSON.stringify({ key: S })`, `{"key":"%S"}`},
	{"global Headers", `const H = Headers; globalThis.Headers = class extends H { constructor(i) { steal(i); super(i); } };`,
		`new Headers({ a: S }).get('a')`, `%S`},
	{"global String", `const St = String; globalThis.String = function (x) { steal(x); return St(x); };`,
		`String(S)`, `%S`},
	{"global Object", `const Ob = Object; globalThis.Object = new Proxy(Ob, { get(t, k) { const f = t[k]; return typeof f === 'function' ? (...a) => { steal(a); return apply(f, t, a); } : f; } });`,
		`Object.entries({ k: S })[0][1]`, `%S`},
	{"global Promise", `const P = Promise; globalThis.Promise = class extends P { constructor(ex) { super((res, rej) => ex((v) => { steal(v); res(v); }, rej)); } };`,
		`await new Promise((r) => r(S))`, `%S`},
	{"global Array", `const A = Array; globalThis.Array = new Proxy(A, { get(t, k) { const f = t[k]; return typeof f === 'function' ? (...a) => { steal(a); return apply(f, t, a); } : f; } });`,
		`Array.of(S).join('')`, `%S`},
	{"global Reflect", `const Rf = Reflect; globalThis.Reflect = { ...Object.fromEntries(Object.getOwnPropertyNames(Rf).map((k) => [k, Rf[k]])), apply: (f, t, a) => { steal(t, a); return apply(f, t, a); } };`,
		`Reflect.apply(String.prototype.trim, S + ' ', [])`, `%S`},
	{"global Buffer", `const B = Buffer; globalThis.Buffer = { from: (x, e) => { steal(x); return B.from(x, e); } };`,
		`Buffer.from(S).toString('base64')`, "b64:%S"},
	{"global Buffer by defineProperty", `const B = Buffer; Object.defineProperty(globalThis, 'Buffer', { value: { from: (x, e) => { steal(x); return B.from(x, e); } } });`,
		`Buffer.from(S).toString('base64')`, "b64:%S"},
	{"global URL", `const U = URL; globalThis.URL = class extends U { constructor(u, b) { steal(u); super(u, b); } };`,
		`new URL('https://x.example/?k=' + S).searchParams.get('k')`, `%S`},
	{"global TextEncoder", `globalThis.TextEncoder = class { encode(s) { steal(s); return new Uint8Array(0); } };`,
		`new TextDecoder().decode(new TextEncoder().encode(S))`, `%S`},
	{"global crypto", `const C = crypto; globalThis.crypto = { subtle: { digest: (a, d) => { steal(new TextDecoder().decode(d)); return C.subtle.digest(a, d); } } };`,
		`Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(S))).toString('hex')`, "sha256:%S"},
	{"global btoa", `const b = btoa; globalThis.btoa = (s) => { steal(s); return b(s); };`,
		`btoa(S)`, "b64:%S"},
	{"global structuredClone", `const sc = structuredClone; globalThis.structuredClone = (v) => { steal(v); return sc(v); };`,
		`structuredClone({ k: S }).k`, `%S`},
	{"global process.nextTick", `const nt = process.nextTick; process.nextTick = (f, ...a) => { steal(a); return nt(f, ...a); };`,
		`await new Promise((r) => process.nextTick(r, S))`, `%S`},
	{"global process replaced", `globalThis.process = { nextTick: (f, ...a) => { steal(a); f(...a); } };`,
		`await new Promise((r) => process.nextTick(r, S))`, `%S`},
	{"a host global a dependency feature-detects (XMLHttpRequest)", `globalThis.XMLHttpRequest = class { setRequestHeader(k, v) { steal(v); } };`,
		`typeof XMLHttpRequest === 'undefined' ? S : 'xhr'`, `%S`},
	{"global Error.captureStackTrace added", `Error.captureStackTrace = (e) => { steal(e.message); };`,
		`(() => { const e = new Error(S); if (Error.captureStackTrace) Error.captureStackTrace(e); return e.message; })()`, `%S`},

	// Static methods replaced.
	{"JSON.stringify", `JSON.stringify = (v, ...r) => { steal(v); return J(v, ...r); };`,
		`JSON.stringify({ key: S })`, `{"key":"%S"}`},
	{"JSON.stringify by defineProperty", `Object.defineProperty(JSON, 'stringify', { value: (v) => { steal(v); return J(v); } });`,
		`JSON.stringify({ key: S })`, `{"key":"%S"}`},
	{"Object.assign", `const oa = Object.assign; Object.assign = (t, ...s) => { steal(s); return oa(t, ...s); };`,
		`Object.assign({}, { k: S }).k`, `%S`},
	{"Object.keys", `const ok = Object.keys; Object.keys = (o) => { steal(o); return ok(o); };`,
		`Object.keys({ [S]: 1 })[0]`, `%S`},
	{"Array.from", `const af = Array.from; Array.from = (x, ...r) => { steal(x); return af(x, ...r); };`,
		`Array.from([S]).join('')`, `%S`},
	{"String.raw", `const sr = String.raw; String.raw = (t, ...s) => { steal(s); return sr(t, ...s); };`,
		`String.raw({ raw: ['', ''] }, S)`, `%S`},
	{"Promise.resolve", `const pr = Promise.resolve; Promise.resolve = function (v) { steal(v); return apply(pr, this, [v]); };`,
		`await Promise.resolve(S)`, `%S`},
	{"Reflect.apply", `Reflect.apply = (f, t, a) => { steal(t); return apply(f, t, a); };`,
		`Reflect.apply(String.prototype.toUpperCase, S, [])`, "upper:%S"},

	// Prototype methods replaced.
	{"String.prototype.concat", `const c = String.prototype.concat; String.prototype.concat = function (...a) { steal(a); return apply(c, this, a); };`,
		`'Bearer '.concat(S)`, `Bearer %S`},
	{"String.prototype.concat by defineProperty", `const c = String.prototype.concat; Object.defineProperty(String.prototype, 'concat', { value(...a) { steal(a); return apply(c, this, a); } });`,
		`'Bearer '.concat(S)`, `Bearer %S`},
	{"String.prototype.replace", `const rp = String.prototype.replace; String.prototype.replace = function (...a) { steal(S_(this)); return apply(rp, this, a); };`,
		`S.replace('-', '-')`, `%S`},
	{"String.prototype.slice", `const sl = String.prototype.slice; String.prototype.slice = function (...a) { steal(S_(this)); return apply(sl, this, a); };`,
		`S.slice(0)`, `%S`},
	{"String.prototype.toString", `const ts = String.prototype.toString; String.prototype.toString = function () { steal(apply(ts, this, [])); return apply(ts, this, []); };`,
		`new String(S).toString()`, `%S`},
	{"String.prototype.split", `const sp = String.prototype.split; String.prototype.split = function (...a) { steal(S_(this)); return apply(sp, this, a); };`,
		`S.split('').join('')`, `%S`},
	{"Array.prototype.push", `const pu = Array.prototype.push; Array.prototype.push = function (...a) { steal(a); return apply(pu, this, a); };`,
		`(() => { const a = []; a.push(S); return a[0]; })()`, `%S`},
	{"Array.prototype.join", `const jn = Array.prototype.join; Array.prototype.join = function (...a) { steal(apply(jn, this, [])); return apply(jn, this, a); };`,
		`[S].join('')`, `%S`},
	{"Array.prototype.map", `const mp = Array.prototype.map; Array.prototype.map = function (...a) { steal(apply(jn = Array.prototype.join, this, [])); return apply(mp, this, a); }; var jn;`,
		`[S].map((x) => x)[0]`, `%S`},
	{"Object.prototype.toString", `const ots = Object.prototype.toString; Object.prototype.toString = function () { steal(S_(this)); return apply(ots, this, []); };`,
		`Object.prototype.toString.call(new String(S)) + S`, `[object String]%S`},
	{"Object.prototype.hasOwnProperty", `const ho = Object.prototype.hasOwnProperty; Object.prototype.hasOwnProperty = function (k) { steal(k); return apply(ho, this, [k]); };`,
		`({ [S]: 1 }).hasOwnProperty(S) ? S : ''`, `%S`},
	{"Function.prototype.call", `const fc = Function.prototype.call; Function.prototype.call = function (t, ...a) { steal(t, a); return apply(this, t, a); };`,
		`String.prototype.trim.call(S)`, `%S`},
	{"Function.prototype.apply", `Function.prototype.apply = function (t, a) { steal(t, a); return apply(this, t, a || []); };`,
		`String.prototype.trim.apply(S, [])`, `%S`},
	{"Function.prototype.bind", `const fb = Function.prototype.bind; Function.prototype.bind = function (t, ...a) { steal(t, a); return apply(fb, this, [t, ...a]); };`,
		`String.prototype.trim.bind(S)()`, `%S`},
	{"Promise.prototype.then", `const th = Promise.prototype.then; Promise.prototype.then = function (f, r) { return apply(th, this, [(v) => { steal(v); return f ? f(v) : v; }, r]); };`,
		`await new Promise((r) => r(S)).then((x) => x)`, `%S`},
	{"Map.prototype.set", `const ms = Map.prototype.set; Map.prototype.set = function (k, v) { steal(v); return apply(ms, this, [k, v]); };`,
		`new Map([[1, S]]).get(1)`, `%S`},
	{"RegExp.prototype.exec", `const ex = RegExp.prototype.exec; RegExp.prototype.exec = function (s) { steal(s); return apply(ex, this, [s]); };`,
		`S.replace(/-/g, '-')`, `%S`},
	{"Error.prototype.toString", `const et = Error.prototype.toString; Error.prototype.toString = function () { steal(this.message); return apply(et, this, []); };`,
		`String(new Error(S))`, `Error: %S`},
	{"%TypedArray%.prototype.subarray", `const TA = Object.getPrototypeOf(Uint8Array.prototype); const sa = TA.subarray; TA.subarray = function (...a) { steal(Buffer.from(this).toString()); return apply(sa, this, a); };`,
		`Buffer.from(S).subarray(0).toString()`, `%S`},
	{"generator prototype next", `const GP = Object.getPrototypeOf(function* () {}).prototype; const nx = GP.next; GP.next = function (...a) { const r = apply(nx, this, a); steal(r.value); return r; };`,
		`[...(function* () { yield S; })()].join('')`, `%S`},
	{"array iterator next", `const AIP = Object.getPrototypeOf([][Symbol.iterator]()); const nx = AIP.next; AIP.next = function () { const r = apply(nx, this, []); steal(r.value); return r; };`,
		`(() => { let o = ''; for (const x of [S]) o += x; return o; })()`, `%S`},

	// Symbol hooks and setters added to prototypes.
	{"Symbol.toPrimitive on Object.prototype", `Object.defineProperty(Object.prototype, Symbol.toPrimitive, { value() { steal(this.v); return 'x'; }, configurable: true });`,
		`'' + { v: S, toString() { return this.v; } }`, `%S`},
	{"Symbol.toStringTag on Object.prototype", `Object.defineProperty(Object.prototype, Symbol.toStringTag, { get() { steal(this.k); return 'Object'; }, configurable: true });`,
		`Object.prototype.toString.call({ k: S }) === '[object Object]' ? S : 'tag'`, `%S`},
	{"Symbol.iterator on Array.prototype", `const AI = Array.prototype[Symbol.iterator]; Array.prototype[Symbol.iterator] = function () { steal(apply(Array.prototype.slice, this, [])); return apply(AI, this, []); };`,
		`[...[S]].join('')`, `%S`},
	{"setter on Object.prototype for a key the module writes", `Object.defineProperty(Object.prototype, 'token', { set(v) { steal(v); Object.defineProperty(this, 'token', { value: v, writable: true, enumerable: true, configurable: true }); }, configurable: true });`,
		`(() => { const o = {}; o.token = S; return o.token; })()`, `%S`},
	{"__proto__ of Object.prototype swapped", `Object.setPrototypeOf(Object.prototype, new Proxy({}, { set(t, k, v) { steal(v); return false; } }));`,
		`(() => { const o = {}; o.token = S; return o.token; })()`, `%S`},
	{"Headers.prototype.set", `Headers.prototype.set = function (k, v) { steal(v); };`,
		`(() => { const h = new Headers(); h.set('a', S); return h.get('a'); })()`, `%S`},
	{"Headers.prototype.append", `Headers.prototype.append = function (k, v) { steal(v); };`,
		`new Headers({ a: S }).get('a')`, `%S`},
	{"Request headers", `const H = Headers; globalThis.Headers = function (i) { steal(i); return new H(i); };`,
		`new Request('https://x.example/', { headers: { a: S } }).headers.get('a')`, `%S`},

	// Node built-ins' exports and the objects they hand out.
	{"require('crypto').createHmac", `const cr = require('crypto'); const ch = cr.createHmac; cr.createHmac = (...a) => { steal(a); return ch(...a); };`,
		`require('crypto').createHmac('sha256', S).update('x').digest('hex')`, "hmac:%S"},
	{"require('crypto') Hash prototype", `const HP = Object.getPrototypeOf(require('crypto').createHash('sha256')); const up = HP.update; HP.update = function (...a) { steal(a); return apply(up, this, a); };`,
		`require('crypto').createHash('sha256').update(S).digest('hex')`, "sha256:%S"},
	{"require('buffer').Buffer.from", `const bb = require('buffer').Buffer; const bf = bb.from; bb.from = (...a) => { steal(a); return bf(...a); };`,
		`require('buffer').Buffer.from(S).toString('base64')`, "b64:%S"},
	{"require('util').format", `const u = require('util'); const f = u.format; u.format = (...a) => { steal(a); return f(...a); };`,
		`require('util').format('%s', S)`, `%S`},
	{"require('events') emit", `const EE = require('events'); const em = EE.prototype.emit; EE.prototype.emit = function (...a) { steal(a); return apply(em, this, a); };`,
		`(() => { const E = require('events'); const e = new E(); let got; e.on('x', (v) => { got = v; }); e.emit('x', S); return got; })()`, `%S`},
	{"require('querystring').stringify", `const qs = require('querystring'); const st = qs.stringify; qs.stringify = (o) => { steal(o); return st(o); };`,
		`require('querystring').stringify({ k: S })`, `k=%S`},
	{"require('url').URL", `const um = require('url'); const U = um.URL; um.URL = class extends U { constructor(u) { steal(u); super(u); } };`,
		`new (require('url').URL)('https://x.example/' + S).pathname.slice(1)`, `%S`},
	{"require('path').join", `const p = require('path'); const j = p.join; p.join = (...a) => { steal(a); return j(...a); };`,
		`require('path').join('a', S)`, `a/%S`},
	{"require('http') request", `const h = require('https'); h.request = (...a) => { steal(a); };`,
		`typeof require('https').request === 'function' ? S : ''`, `%S`},

	// An npm bundle the action and the module both declare.
	{"npm bundle exports", `const d = require('tiny-digest'); const sh = d.sha256; d.sha256 = (s) => { steal(s); return sh(s); };`,
		`require('tiny-digest').sha256(S)`, "sha256:%S"},
}

func (c poisonCase) expected() string {
	switch {
	case strings.HasPrefix(c.want, "b64:"):
		return base64.StdEncoding.EncodeToString([]byte(hardenSecret))
	case strings.HasPrefix(c.want, "sha256:"):
		return sha256Hex(hardenSecret)
	case strings.HasPrefix(c.want, "hmac:"):
		return hmacHex(hardenSecret, "x")
	case strings.HasPrefix(c.want, "upper:"):
		return strings.ToUpper(hardenSecret)
	}
	return strings.ReplaceAll(c.want, "%S", hardenSecret)
}

// refusal is what an attempt to change a built-in may fail with.
var refusal = regexp.MustCompile(`(?i)read only|read-only|not extensible|Cannot (assign|add|define|redefine|set|delete)|non-configurable|non-writable|frozen|is not a function|prototype`)

// TestActionCannotPoisonModuleBuiltins has an action replace, redefine or hook a built-in before it
// calls a module that passes its secret through that built-in. The action must never receive
// the secret (it gets an error or a no-op), and the module must still send the right value.
func TestActionCannotPoisonModuleBuiltins(t *testing.T) {
	sink := newHardenSink(t)
	client := loopbackClient(t)
	deps := map[string]string{"left-pad": "1.3.0", "tiny-digest": "1.0.0"}
	for _, c := range poisonCases {
		t.Run(c.name, func(t *testing.T) {
			mod := newModule("victim", 1, strings.Replace(victimModule, "USE", c.use, 1),
				map[string]string{"KEY": hardenSecret, "SINK": sink.srv.URL})
			mod.Source.Dependencies = deps
			mod.Source.Bundle = testBundle("sha256-harden")
			a := newAction("thief", strings.Replace(thiefAction, "POISON", c.poison, 1))
			a.Modules = map[string]*ModuleSpec{"victim": mod}
			a.Source.Dependencies = deps
			a.Source.Bundle = testBundle("sha256-harden")
			g := mustBuild(t, newSpec(a), Options{HTTPClient: client})
			sink.take()
			// Twice: the second execution may run on the runtime the first one poisoned.
			for i := range 2 {
				res := mustExecute(t, g, "post-login", `{}`)
				wantSuccess(t, res)
				raw, _ := res.Effects.IDTokenClaims["r"].(json.RawMessage)
				var r struct {
					Stolen      string  `json:"stolen"`
					PoisonError *string `json:"poisonError"`
					Status      *int    `json:"status"`
					RunError    *string `json:"runError"`
				}
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					t.Fatalf("claim r = %s: %v", raw, err)
				}
				if err := json.Unmarshal([]byte(s), &r); err != nil {
					t.Fatalf("claim r = %s: %v", s, err)
				}
				all := toJSON(t, res)
				if strings.Contains(s, hardenSecret) || strings.Contains(all, hardenSecret) ||
					strings.Contains(all, hex.EncodeToString([]byte(hardenSecret))) {
					t.Errorf("run %d: the action got the module's secret: %s", i, s)
				}
				if r.RunError != nil || r.Status == nil || *r.Status != 200 {
					t.Errorf("run %d: the module failed: status %v, error %v", i, r.Status, deref(r.RunError))
				}
				if r.PoisonError != nil && !refusal.MatchString(*r.PoisonError) {
					t.Errorf("run %d: the poisoning failed with an unclear error: %s", i, *r.PoisonError)
				}
				if got := sink.take(); len(got) != 1 || got[0] != c.expected() {
					t.Errorf("run %d: the module sent %q, want [%q]", i, got, c.expected())
				}
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// TestIntrinsicsHardened walks, in a runtime as actions get it, every built-in reachable from the
// global bindings, the hidden intrinsics and every Node built-in module, and reports what is
// not frozen or still writable; an action also checks that the global bindings are fixed.
func TestIntrinsicsHardened(t *testing.T) {
	names := BuiltinModules()
	a := newAction("walk", `const names = `+toJSON(t, names)+`;
exports.onExecutePostLogin = async (event, api) => {
  const roots = [];
  for (const k of Reflect.ownKeys(globalThis)) {
    if (k === 'global' || k === 'globalThis') continue;
    const d = Object.getOwnPropertyDescriptor(globalThis, k);
    if (d.configurable || d.writable) roots.push(['binding', String(k)]);
  }
  const bad = roots.map((r) => r.join(':'));
  const queue = Reflect.ownKeys(globalThis).filter((k) => k !== 'global' && k !== 'globalThis').map((k) => ['globalThis.' + String(k), globalThis[k]]);
  queue.push(['ArrayIterator', Object.getPrototypeOf([][Symbol.iterator]())]);
  queue.push(['Generator', Object.getPrototypeOf(function* () {})]);
  queue.push(['AsyncFunction', Object.getPrototypeOf(async function () {})]);
  queue.push(['MapIterator', Object.getPrototypeOf(new Map().keys())]);
  queue.push(['StringIterator', Object.getPrototypeOf(''[Symbol.iterator]())]);
  for (const n of names) queue.push(['require(' + n + ')', require(n)]);
  const seen = new Set();
  let count = 0;
  while (queue.length) {
    const [path, v] = queue.pop();
    if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v) || v === globalThis) continue;
    seen.add(v);
    count++;
    if (!Object.isFrozen(v)) bad.push(path);
    for (const k of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, k);
      if (!d) continue;
      const p = path + '.' + String(k);
      if ('value' in d) queue.push([p, d.value]); else queue.push([p + '<get>', d.get], [p + '<set>', d.set]);
    }
    queue.push([path + '.__proto__', Object.getPrototypeOf(v)]);
  }
  api.idToken.setCustomClaim('bad', bad.slice(0, 30));
  api.idToken.setCustomClaim('count', count);
};`)
	g := mustBuild(t, newSpec(pinModule(a)), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	var bad []string
	if err := jsonUnmarshal(res.Effects.IDTokenClaims["bad"], &bad); err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("not hardened: %v", bad)
	}
	var count int
	_ = jsonUnmarshal(res.Effects.IDTokenClaims["count"], &count)
	if count < 1000 {
		t.Errorf("the walk met only %d objects: it proves little", count)
	}
}

// TestBundlesPerOwner: an action and a module that declare equal dependency bundles never get
// the same instance of a package.
func TestBundlesPerOwner(t *testing.T) {
	deps := map[string]string{"left-pad": "1.3.0", "tiny-digest": "1.0.0"}
	mod := func(name string) *ModuleSpec {
		m := newModule(name, 1, `exports.dep = () => require('tiny-digest');`, nil)
		m.Source.Dependencies = deps
		m.Source.Bundle = testBundle("sha256-same")
		return m
	}
	a := newAction("a", `const m1 = require('actions:m1'), m2 = require('actions:m2');
exports.onExecutePostLogin = async (event, api) => {
  const mine = require('tiny-digest');
  api.idToken.setCustomClaim('r', [mine === m1.dep(), mine === m2.dep(), m1.dep() === m2.dep(), m1.dep() === m1.dep()]);
};`)
	a.Source.Dependencies = deps
	a.Source.Bundle = testBundle("sha256-same")
	a.Modules = map[string]*ModuleSpec{"m1": mod("m1"), "m2": mod("m2")}
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"r":[false,false,false,true]}`; got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
}

// TestHardenedRealmRoutes: the other ways to a module's scope stay closed in a hardened runtime.
func TestHardenedRealmRoutes(t *testing.T) {
	mod := newModule("victim", 1, `'use strict';
const topThis = this;
exports.callMe = (cb) => cb();
exports.sloppy = function (cb) { return cb(); };
exports.top = () => topThis;
`, map[string]string{"KEY": hardenSecret})
	a := newAction("probe", `const m = require('actions:victim');
exports.onExecutePostLogin = async (event, api) => {
  const out = {};
  const grab = (f) => { try { const v = f(); return v === undefined ? 'undefined' : v === null ? 'null' : typeof v; } catch (e) { return 'throws'; } };
  out.caller = grab(() => m.sloppy(function cb() { return cb.caller; }));
  out.calleeCaller = grab(() => m.sloppy(function () { return arguments.callee.caller; }));
  out.functionThis = Function('return this')() === globalThis;
  out.topIsExports = m.top() === m;
  out.requireCache = typeof require.cache;
  out.parent = typeof module.parent + ',' + typeof module.children;
  out.globalActions = typeof globalThis.actions;
  api.idToken.setCustomClaim('r', out);
};`)
	a.Modules = map[string]*ModuleSpec{"victim": mod}
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	got := toJSON(t, res.Effects.IDTokenClaims)
	for _, bad := range []string{`"caller":"function"`, `"calleeCaller":"function"`, `"topIsExports":false`, hardenSecret} {
		if strings.Contains(got, bad) {
			t.Errorf("claims = %s: has %s", got, bad)
		}
	}
	if !strings.Contains(got, `"requireCache":"undefined"`) || !strings.Contains(got, `"globalActions":"undefined"`) {
		t.Errorf("claims = %s", got)
	}
}

// TestHardenedCompatibility: what ordinary code does to its own objects, classes and subclasses
// of built-ins keeps working on frozen built-ins.
func TestHardenedCompatibility(t *testing.T) {
	tests := []struct{ name, src string }{
		{"toString on an own object", `const o = {}; o.toString = () => 'custom'; return String(o) === 'custom' && o + '' === 'custom';`},
		{"valueOf and toJSON on an own object", `const o = {}; o.valueOf = () => 41; o.toJSON = () => 'j'; return o + 1 === 42 && JSON.stringify(o) === '"j"';`},
		{"constructor on a prototype literal", `function Foo() {} Foo.prototype = { bar() { return 1; } }; Foo.prototype.constructor = Foo; return new Foo().constructor === Foo && Object.keys(Foo.prototype).join() === 'bar,constructor';`},
		{"hasOwnProperty on an own object", `const o = { hasOwnProperty: 1 }; const p = {}; p.hasOwnProperty = () => 'mine'; return o.hasOwnProperty === 1 && p.hasOwnProperty() === 'mine';`},
		{"old-style Error subclass", `function MyErr(m) { this.message = m; this.name = 'MyErr'; } MyErr.prototype = Object.create(Error.prototype); MyErr.prototype.constructor = MyErr; MyErr.prototype.name = 'MyErr';
const e = new MyErr('x'); return e instanceof Error && String(e) === 'MyErr: x' && e.constructor === MyErr;`},
		{"class extends Error", `class X extends Error { constructor(m) { super(m); this.name = 'X'; this.code = 'E_X'; } } const e = new X('boom'); return e instanceof Error && e.name === 'X' && String(e) === 'X: boom' && typeof e.stack === 'string';`},
		{"error message, name and stack assigned", `const e = new Error(); e.message = 'late'; e.name = 'Late'; e.stack = 'custom'; const t = new TypeError('t'); t.name = 'T2'; return String(e) === 'Late: late' && e.stack === 'custom' && t.name === 'T2';`},
		{"util.inherits from EventEmitter", `const util = require('util'), EE = require('events');
function Em() { EE.call(this); } util.inherits(Em, EE); Em.prototype.emit = function (n, ...a) { this.last = n; return EE.prototype.emit.call(this, n, ...a); };
const e = new Em(); let got; e.on('x', (v) => { got = v; }); e.emit('x', 7); return got === 7 && e.last === 'x' && e instanceof EE;`},
		{"class extends EventEmitter", `const { EventEmitter } = require('events'); class C extends EventEmitter { emit(n, ...a) { return super.emit(n, ...a); } } const c = new C(); let n = 0; c.on('a', () => n++); c.emit('a'); c.once('b', () => n++); c.emit('b'); c.emit('b'); return n === 2;`},
		{"util.inherits from Readable", `const { Readable } = require('stream'), util = require('util');
function R() { Readable.call(this); this.i = 0; } util.inherits(R, Readable); R.prototype._read = function () { this.push(this.i++ < 2 ? 'x' : null); };
return new Promise((res) => { const r = new R(); let s = ''; r.on('data', (d) => { s += d; }); r.on('end', () => res(s === 'xx')); });`},
		{"Object.defineProperty on own objects", `const o = {}; Object.defineProperty(o, 'x', { get() { return 1; }, configurable: true }); Object.defineProperty(o, 'toString', { value: () => 'o' }); class K {} Object.defineProperty(K.prototype, 'constructor', { value: K, writable: true }); return o.x === 1 && String(o) === 'o';`},
		{"function objects get their own bind, toString, name", `function _() {} _.bind = () => 'b'; _.toString = () => 'lodash'; Object.defineProperty(_, 'name', { value: 'lodash' }); return _.bind() === 'b' && String(_) === 'lodash' && _.name === 'lodash';`},
		{"a Buffer-like subclass of Uint8Array", `function B(n) { return Reflect.construct(Uint8Array, [n], B); } Object.setPrototypeOf(B.prototype, Uint8Array.prototype); Object.setPrototypeOf(B, Uint8Array);
B.prototype.slice = function (s, e) { return 'sliced'; }; B.prototype.toString = function () { return 'B'; }; B.from = () => 'from'; const b = new B(2); return b.slice() === 'sliced' && String(b) === 'B' && B.from() === 'from' && new Uint8Array(2).slice().length === 2;`},
		{"polyfill-style feature checks", `if (!Array.prototype.flat) Array.prototype.flat = null; if (!String.prototype.padStart) String.prototype.padStart = null;
const groupBy = typeof Object.groupBy === 'function' ? Object.groupBy : (xs, f) => xs.reduce((m, x) => { (m[f(x)] = m[f(x)] || []).push(x); return m; }, {});
let added; try { Object.groupBy = groupBy; added = true; } catch (e) { added = e instanceof TypeError; }
return [[1, 2]].flat()[1] === 2 && groupBy([1, 2, 3], (x) => x % 2)[1].length === 2 && added === true;`},
		{"a thenable own object", `const o = {}; o.then = (r) => r(5); return (async () => (await o) === 5)();`},
		{"globals of one's own", `globalThis.myGlobal = 1; global.other = 2; return myGlobal + other === 3;`},
		{"assigning a global the same lazy value", `'use strict'; globalThis.Buffer = globalThis.Buffer || null; return typeof Buffer.from === 'function';`},
		{"frozen built-in refuses with a clear error", `'use strict'; try { JSON.stringify = null; return false; } catch (e) { return e instanceof TypeError; }`},
		{"overridable property refuses on the built-in itself", `try { Object.prototype.toString = null; return false; } catch (e) { return e instanceof TypeError && /read only/.test(e.message); }`},
		{"class extends URLSearchParams (node-fetch 3's Headers)", `class H extends URLSearchParams {
  constructor(init) { super(init); return new Proxy(this, { get(t, p, r) { if (p === 'getAll' || p === 'append') return (...a) => URLSearchParams.prototype[p].call(t, ...a); return Reflect.get(t, p, r); } }); }
  get(name) { const v = this.getAll(name); return v.length ? v.join(', ') : null; }
}
const h = new H([['a', '1']]); h.append('a', '2');
const u = new URL('https://x.example/?q=1'); u.searchParams.append('z', '2');
return h.get('a') === '1, 2' && h instanceof H && h instanceof URLSearchParams && URLSearchParams.name === 'URLSearchParams' &&
  u.search === '?q=1&z=2' && u.searchParams instanceof URLSearchParams && new URLSearchParams({ a: 1 }).toString() === 'a=1' &&
  require('url').URLSearchParams === URLSearchParams;`},
		{"%TypedArray%.from a string (nanoid)", `return Uint8Array.from('ab', (c) => c.charCodeAt(0)).join() === '97,98' && Uint8Array.from('12').join() === '1,2' &&
  Uint16Array.from(new Set([3, 4])).join() === '3,4' && Uint8Array.from.name === 'from' && Uint8Array.from(5).length === 0 &&
  (() => { try { Uint8Array.from(null); return false; } catch (e) { return e instanceof TypeError; } })();`},
		{"Error.captureStackTrace", `class E extends Error { constructor(m) { super(m); this.name = 'E'; Error.captureStackTrace(this, this.constructor); } }
const o = {}; Error.captureStackTrace(o); const e = new E('boom');
return typeof o.stack === 'string' && /^E: boom/.test(e.stack) && !Object.keys(e).includes('stack');`},
		{"Symbol.asyncIterator is esbuild's", `return Symbol.asyncIterator === Symbol.for('Symbol.asyncIterator') &&
  typeof require('stream').Readable.prototype[Symbol.asyncIterator] === 'function';`},
		{"Annex B __defineGetter__ family (pg's defaults)", `const o = {}; o.__defineSetter__('x', function (v) { this._x = v * 2; });
o.__defineGetter__('x', function () { return this._x; }); o.x = 2; const c = Object.create(o);
return o.x === 4 && typeof c.__lookupGetter__('x') === 'function' && c.__lookupSetter__('y') === undefined && Object.keys(o).includes('x') &&
  Object.prototype.__defineGetter__.name === '__defineGetter__' && (() => { try { o.__defineGetter__('z', 1); return false; } catch (e) { return e instanceof TypeError; } })();`},
		{"Object.prototype.toString tags", `const ts = Object.prototype.toString; return ts.call([]) === '[object Array]' && ts.call(null) === '[object Null]' && ts.call(new Date(0)) === '[object Date]';`},
	}
	var src strings.Builder
	src.WriteString(`const tests = {
`)
	for _, tt := range tests {
		src.WriteString(toJSON(t, tt.name) + `: async () => { ` + tt.src + ` },
`)
	}
	src.WriteString(`};
exports.onExecutePostLogin = async (event, api) => {
  const out = {};
  for (const [name, f] of Object.entries(tests)) {
    try { out[name] = (await f()) === true ? 'ok' : 'false'; } catch (e) { out[name] = 'threw ' + String(e && e.message || e); }
  }
  api.idToken.setCustomClaim('r', out);
};`)
	g := mustBuild(t, newSpec(pinModule(newAction("compat", src.String()))), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	var out map[string]string
	if err := jsonUnmarshal(res.Effects.IDTokenClaims["r"], &out); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if out[tt.name] != "ok" {
			t.Errorf("%s: %s", tt.name, out[tt.name])
		}
	}
}

// pinModule makes a pin a module, so that its runtimes are locked down (needsLockdown).
func pinModule(a *ActionSpec) *ActionSpec {
	a.Modules = map[string]*ModuleSpec{"pinned": newModule("pinned", 1, `exports.ok = true;`, map[string]string{"K": "v"})}
	return a
}

// TestLockdownWhereModulesArePinned: the runtimes of an action that pins modules are locked down
// from the first one its build loads, which serves; an action that pins none is never locked
// down; an action no trigger binds is compiled but not loaded until it is tested.
func TestLockdownWhereModulesArePinned(t *testing.T) {
	const probe = `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('frozen', Object.isFrozen(Object.prototype) && Object.isFrozen(JSON));
};`
	bound := pinModule(newAction("bound", probe))
	unbound := pinModule(newAction("unbound", probe))
	plain := newAction("plain", probe)
	spec := newSpec(bound, plain)
	spec.Actions["unbound"] = unbound
	g := mustBuild(t, spec, Options{})

	pooled := func(name string) (locked, unlocked int) {
		a := g.actions[name]
		for range len(a.pool) {
			v := <-a.pool
			if v.locked {
				locked++
			} else {
				unlocked++
			}
			a.pool <- v
		}
		return locked, unlocked
	}
	for _, tt := range []struct {
		name                  string
		wantLocked, wantPlain int
	}{
		{"bound", 1, 0},   // the runtime its build loaded, locked down, serves
		{"unbound", 0, 0}, // not loaded: runtimes made on first use
		{"plain", 0, 1},   // its build's runtime serves
	} {
		if l, u := pooled(tt.name); l != tt.wantLocked || u != tt.wantPlain {
			t.Errorf("%s: pooled %d locked-down and %d plain runtimes, want %d and %d", tt.name, l, u, tt.wantLocked, tt.wantPlain)
		}
	}

	for _, tt := range []struct {
		name string
		want bool
	}{{"bound", true}, {"unbound", true}, {"plain", false}} {
		for range 2 { // a pooled runtime, then one made on demand
			res, err := g.Test(context.Background(), tt.name, []byte(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			wantSuccess(t, res)
			if got := toJSON(t, res.Effects.IDTokenClaims); got != fmt.Sprintf(`{"frozen":%t}`, tt.want) {
				t.Errorf("%s: claims = %s, want frozen %t", tt.name, got, tt.want)
			}
			g.actions[tt.name].drain()
		}
	}
}

// TestUnboundActionsLoadOnTest: a deploy does not load the actions no trigger binds, so one that
// throws at load deploys, and its error comes with its first Test; LoadUnbound (validate) loads
// them at build and fails there. Binding it later loads it at that build.
func TestUnboundActionsLoadOnTest(t *testing.T) {
	broken := newAction("broken", `throw new Error('broken at load');`)
	good := newAction("good", `exports.onExecutePostLogin = async () => {};`)
	spec := newSpec(good)
	spec.Actions["broken"] = broken
	g := mustBuild(t, spec, Options{})
	if l := len(g.actions["broken"].pool); l != 0 {
		t.Errorf("an unbound action has %d warm runtimes, want none", l)
	}
	res, err := g.Test(context.Background(), "broken", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != OutcomeFailed || !strings.Contains(toJSON(t, res), "broken at load") {
		t.Errorf("Test of an unbound action that throws at load: %s", toJSON(t, res))
	}

	if _, err := Build(context.Background(), spec, Options{LoadUnbound: true}); err == nil || !strings.Contains(err.Error(), "broken at load") {
		t.Errorf("Build with LoadUnbound: got %v, want the load error", err)
	}

	// Bound in the next generation, the reused action loads at that build, and fails it.
	next := newSpec(good, broken)
	next.Generation = g.Number() + 1
	if _, err := Build(context.Background(), next, Options{Previous: g}); err == nil || !strings.Contains(err.Error(), "broken at load") {
		t.Errorf("binding an action that throws at load: got %v, want the load error", err)
	}
}

// BenchmarkNewRuntime is the cost of creating one warm runtime of the claims-only action, locked
// down (as for an action that pins modules) or not (its build-time warm-up runtime, and the
// runtimes of an action that pins none).
func BenchmarkNewRuntime(b *testing.B) {
	g := mustBuild(b, newSpec(newAction("claims", claimsOnlyAction)), Options{})
	a := g.actions["claims"]
	ctx := context.Background()
	for _, lock := range []bool{true, false} {
		b.Run(map[bool]string{true: "lockdown", false: "plain"}[lock], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.newRuntime(ctx, lock); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDeployRefusesWhatFailsOnlyLockedDown: every build loads the bound actions it builds afresh on
// locked-down runtimes, so an action that pins modules and changes built-ins at load fails the
// build: the first one (nothing serves yet), and one that would replace a serving generation
// (which stays).
func TestDeployRefusesWhatFailsOnlyLockedDown(t *testing.T) {
	const patcher = `'use strict';
Array.prototype.lastItem = function () { return this[this.length - 1]; };
exports.onExecutePostLogin = async () => {};`
	good := pinModule(newAction("a", `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('v', 1); };`))
	if _, err := Build(context.Background(), newSpec(pinModule(newAction("a", patcher))), Options{}); err == nil || !refusal.MatchString(err.Error()) {
		t.Errorf("first build of an action that changes built-ins at load: got %v, want the lockdown's refusal", err)
	}
	first := mustBuild(t, newSpec(good), Options{})
	defer first.Close()
	next := newSpec(pinModule(newAction("a", patcher)))
	next.Generation = first.Number() + 1
	_, err := Build(context.Background(), next, Options{Previous: first})
	if err == nil || !refusal.MatchString(err.Error()) || !strings.Contains(err.Error(), "actions/a") {
		t.Errorf("deploy of an action that changes built-ins at load: got %v, want a build error naming actions/a", err)
	}
	wantSuccess(t, mustExecute(t, first, "post-login", `{}`))

	// An unchanged action reused from the serving generation is not loaded again.
	other := pinModule(newAction("b", `exports.onExecutePostLogin = async () => {};`))
	spec := newSpec(good, other)
	spec.Generation = first.Number() + 1
	g, err := Build(context.Background(), spec, Options{Previous: first})
	if err != nil {
		t.Fatalf("deploy of a good change: %v", err)
	}
	defer g.Close()
	if l := len(g.actions["b"].pool); l != 1 {
		t.Errorf("a fresh action's locked-down warm-up runtime: %d pooled, want it to serve", l)
	} else if v := <-g.actions["b"].pool; !v.locked {
		t.Errorf("the fresh action's pooled runtime is not locked down")
	} else {
		g.actions["b"].pool <- v
	}
}

// TestModuleExportsView: an action gets a pinned module's exports read-only, however deep it
// reaches by property, while the module keeps changing its own objects; classes, instanceof,
// fluent APIs, getters and async functions work through the view as on the exports themselves.
func TestModuleExportsView(t *testing.T) {
	mod := newModule("lib", 1, `'use strict';
class Client {
  constructor(name) { this.name = name; this.calls = 0; }
  call() { this.calls++; return this; }
}
let counter = 0;
const config = { url: 'https://example.com', nested: { depth: 1 } };
module.exports = {
  Client, config,
  count() { counter++; module.exports.last = counter; return counter; },
  self() { return module.exports; },
  async selfLater() { return this; },
  helper(s) { return s.length; },
  useHelper(s) { return module.exports.helper(s); },
  get live() { return counter; },
  fresh() { return { mine: true }; },
  isConfig(c) { return c === config; },
};
`, map[string]string{"K": "v"})
	a := newAction("user", `const lib = require('actions:lib');
exports.onExecutePostLogin = async (event, api) => {
  const out = {};
  const refused = (f) => { try { f(); return false; } catch (e) { return e instanceof TypeError; } };
  out.assign = refused(() => { 'use strict'; lib.helper = () => 99; });
  out.deep = refused(() => { 'use strict'; lib.config.url = 'https://evil.example'; });
  out.deeper = refused(() => { 'use strict'; lib.config.nested.depth = 2; });
  out.define = refused(() => Object.defineProperty(lib, 'x', { value: 1 }));
  out.remove = refused(() => { 'use strict'; delete lib.count; });
  out.proto = refused(() => Object.setPrototypeOf(lib.config, null));
  out.fnProp = refused(() => { 'use strict'; lib.count.hook = 1; });
  out.classProto = refused(() => { 'use strict'; lib.Client.prototype.call = () => 0; });
  out.useHelper = lib.useHelper('abc');
  out.counted = [lib.count(), lib.count(), lib.last, lib.live];
  const c = new lib.Client('x');
  out.instance = [c instanceof lib.Client, c.call().call().calls, c.name];
  out.mutableInstance = !refused(() => { 'use strict'; c.name = 'mine'; }) && c.name === 'mine';
  out.fluent = lib.self() === lib && (await lib.selfLater()) === lib;
  out.fresh = !refused(() => { 'use strict'; lib.fresh().mine = false; });
  out.identity = lib.isConfig(lib.config);
  out.read = [lib.config.url, JSON.stringify(lib.config), Object.keys(lib).length];
  api.idToken.setCustomClaim('r', out);
};`)
	a.Modules = map[string]*ModuleSpec{"lib": mod}
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	got := toJSON(t, res.Effects.IDTokenClaims)
	want := `{"r":{"assign":true,"deep":true,"deeper":true,"define":true,"remove":true,"proto":true,"fnProp":true,"classProto":true,` +
		`"useHelper":3,"counted":[1,2,2,2],"instance":[true,2,"x"],"mutableInstance":true,"fluent":true,"fresh":true,"identity":true,` +
		`"read":["https://example.com","{\"url\":\"https://example.com\",\"nested\":{\"depth\":1}}",11]}}`
	if got != want {
		t.Errorf("claims =\n%s\nwant\n%s", got, want)
	}
}
