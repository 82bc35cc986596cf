package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/actionsd/actionsd/runner/auth0"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestModulesPinnedPerAction(t *testing.T) {
	v1 := newModule("greet", 1, `exports.hello = (n) => 'hello ' + n;`, nil)
	v2 := newModule("greet", 2, `exports.hello = (n) => 'HELLO ' + n.toUpperCase() + '!';`, nil)
	src := func(claim string) string {
		return `const greet = require('actions:greet');
exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('` + claim + `', greet.hello(event.user.name)); };`
	}
	a, b, c := newAction("a", src("a")), newAction("b", src("b")), newAction("c", src("c"))
	a.Modules = map[string]*ModuleSpec{"greet": v1}
	b.Modules = map[string]*ModuleSpec{"greet": v2}
	c.Modules = map[string]*ModuleSpec{"greet": newModule("greet", 1, `exports.hello = (n) => 'hello ' + n;`, nil)}
	g := mustBuild(t, newSpec(a, b, c), Options{})

	res := mustExecute(t, g, "post-login", `{"user":{"name":"ada"}}`)
	wantSuccess(t, res)
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"a":"hello ada","b":"HELLO ADA!","c":"hello ada"}`; got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
	// One compiled unit per module version, whatever the number of actions pinning it.
	if ga, gc := g.actions["a"].unit.modules["greet"], g.actions["c"].unit.modules["greet"]; ga != gc {
		t.Errorf("greet@v1 compiled twice: %p and %p", ga, gc)
	}
	if ga, gb := g.actions["a"].unit.modules["greet"], g.actions["b"].unit.modules["greet"]; ga == gb {
		t.Errorf("greet@v1 and greet@v2 share one compiled unit")
	}
}

func TestProgramCacheAcrossGenerations(t *testing.T) {
	pc := NewProgramCache()
	spec := newSpec(newAction("a", `exports.onExecutePostLogin = async () => {};`))
	g1 := mustBuild(t, spec, Options{Programs: pc})
	g2 := mustBuild(t, spec, Options{Programs: pc})
	p1, p2 := g1.actions["a"].unit.progs["index.js"], g2.actions["a"].unit.progs["index.js"]
	if p1 != p2 {
		t.Errorf("unchanged file compiled again: %p then %p", p1, p2)
	}
}

func TestSecretsIsolation(t *testing.T) {
	const modSecret, actSecret = "module-secret-value", "action-secret-value"
	vault := newModule("vault", 1, `let last;
exports.use = () => actions.secrets.MOD_SECRET.length;
exports.remember = (x) => { last = x; };
exports.last = () => String(last);
exports.globals = () => [typeof event, typeof globalThis.event, typeof globalThis.secrets].join(',');
`, map[string]string{"MOD_SECRET": modSecret})

	probe := newAction("probe", `const m = require('actions:vault');
const self = this;
exports.onExecutePostLogin = async (event, api) => {
  const found = [];
  const has = (v) => { try { return JSON.stringify(v) ?.includes('module-secret') } catch (e) { return String(v).includes('module-secret') } };
  const check = (label, f) => { try { if (has(f())) found.push(label); } catch (e) {} };
  check('globalThis.actions', () => globalThis.actions);
  check('actions', () => typeof actions === 'undefined' ? undefined : actions);
  check('this', () => self);
  check('globals', () => Object.getOwnPropertyNames(globalThis).map((k) => { try { return JSON.stringify(globalThis[k]); } catch (e) { return ''; } }).join());
  check('require.cache', () => require.cache);
  check('module', () => [module.children, module.parent]);
  check('exports', () => m);
  check('source', () => m.use.toString());
  api.idToken.setCustomClaim('found', found);
  api.idToken.setCustomClaim('length', m.use());
  api.idToken.setCustomClaim('mine', event.secrets.ACT_SECRET === '`+actSecret+`');
  api.idToken.setCustomClaim('frozen', Object.isFrozen(event.secrets));
  m.remember(event.secrets.ACT_SECRET);
  api.idToken.setCustomClaim('moduleGlobals', m.globals());
};`)
	probe.Secrets = map[string]string{"ACT_SECRET": actSecret}
	probe.Modules = map[string]*ModuleSpec{"vault": vault}

	other := newAction("other", `const m = require('actions:vault');
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('otherSeen', m.last());
  api.idToken.setCustomClaim('otherSecrets', Object.keys(event.secrets));
};`)
	other.Modules = map[string]*ModuleSpec{"vault": vault}

	g := mustBuild(t, newSpec(probe, other), Options{})
	res := mustExecute(t, g, "post-login", `{"secrets":{"INJECTED":"x"}}`)
	wantSuccess(t, res)
	want := `{"found":[],"frozen":true,"length":19,"mine":true,"moduleGlobals":"undefined,undefined,undefined","otherSecrets":[],"otherSeen":"undefined"}`
	if got := toJSON(t, res.Effects.IDTokenClaims); got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
}

func TestActionCannotInterceptModuleFetchOrConsole(t *testing.T) {
	sink := newLogSink(t, "key-1234")
	a := newAction("hijack", `const logger = require('actions:logger');
exports.onExecutePostLogin = async (event, api) => {
  const seen = [];
  globalThis.fetch = async (...args) => { seen.push(JSON.stringify(args)); return new Response('{}'); };
  const log = console.log;
  console.log = (...args) => { seen.push(args.join(' ')); };
  await logger.sendLog('c', 'm');
  console.log = log;
  api.idToken.setCustomClaim('seen', seen);
};`)
	a.Modules = map[string]*ModuleSpec{"logger": newModule("logger", 1, loggerModule,
		map[string]string{"SERVICE_URL": sink.srv.URL, "API_KEY": "key-1234"})}
	g := mustBuild(t, newSpec(a), Options{HTTPClient: loopbackClient(t)})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"seen":[]}`; got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
	if got, want := toJSON(t, res.Actions[0].Logs), `["{ code: 'c', message: 'sent' }"]`; got != want {
		t.Errorf("logs = %s, want %s", got, want)
	}
}

func TestDenyStopsLaterActions(t *testing.T) {
	deny := newAction("deny", `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('before', true).access.deny('not from ' + event.request.ip);
  console.log('still runs to the end');
};`)
	after := newAction("after", `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('after', true); };`)
	g := mustBuild(t, newSpec(deny, after), Options{})
	res := mustExecute(t, g, "post-login", `{"request":{"ip":"10.0.0.1"}}`)
	if got, want := res.Outcome, OutcomeDenied; got != want {
		t.Fatalf("outcome = %s, want %s", got, want)
	}
	if got, want := len(res.Actions), 1; got != want {
		t.Fatalf("ran %d actions, want %d", got, want)
	}
	if got, want := toJSON(t, res.Effects.Access), `{"denied":true,"reason":"not from 10.0.0.1","action":"deny"}`; got != want {
		t.Errorf("access = %s, want %s", got, want)
	}
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"before":true}`; got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
	if got, want := toJSON(t, res.Actions[0].Logs), `["still runs to the end"]`; got != want {
		t.Errorf("logs = %s, want %s", got, want)
	}
}

func TestFailureStopsLaterActions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want Error
	}{
		{
			name: "async throw",
			src: `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('x', 1);
  throw new Error('boom');
};`,
			want: Error{Message: "boom", File: "actions/fail/index.js", Line: 3, Col: 9},
		},
		{
			name: "type error",
			src: `exports.onExecutePostLogin = async (event, api) => {
  event.nothing.here;
};`,
			want: Error{Message: "TypeError: Cannot read property 'here' of undefined", File: "actions/fail/index.js", Line: 2, Col: 17},
		},
		{
			name: "sync throw of a string on line 1",
			src:  `exports.onExecutePostLogin = (event, api) => { throw 'plain'; };`,
			want: Error{Message: "plain", File: "actions/fail/index.js", Line: 1, Col: 48},
		},
		{
			name: "unhandled rejection",
			src: `exports.onExecutePostLogin = async (event, api) => {
  Promise.reject(new Error('lost'));
  await new Promise((r) => setTimeout(r, 5));
};`,
			want: Error{Message: "unhandled promise rejection: lost", File: "actions/fail/index.js", Line: 2, Col: 18},
		},
		{
			name: "non-serialisable claim",
			src: `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('f', () => 1);
};`,
			want: Error{Message: "TypeError: api.idToken.setCustomClaim: the value is not JSON-serialisable (function)", File: "actions/fail/index.js", Line: 2, Col: 29},
		},
		{
			name: "promise that nothing settles",
			src:  `exports.onExecutePostLogin = async (event, api) => { await new Promise(() => {}); };`,
			want: Error{Message: errNeverSettles.Error()},
		},
		{
			name: "runaway recursion",
			src: `function r(n) { return r(n + 1) + 1; }
exports.onExecutePostLogin = async () => { r(0); };`,
			want: Error{Message: "RangeError: Maximum call stack size exceeded", File: "actions/fail/index.js", Line: 1, Col: 25},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after := newAction("after", `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('after', true); };`)
			g := mustBuild(t, newSpec(newAction("fail", tt.src), after), Options{})
			res := mustExecute(t, g, "post-login", `{}`)
			if got, want := res.Outcome, OutcomeFailed; got != want {
				t.Fatalf("outcome = %s, want %s", got, want)
			}
			if got, want := len(res.Actions), 1; got != want {
				t.Fatalf("ran %d actions, want %d", got, want)
			}
			if got := res.Actions[0].Error; got == nil || *got != tt.want {
				t.Errorf("error = %s, want %s", toJSON(t, got), toJSON(t, tt.want))
			}
		})
	}
}

func TestRelativeRequiresAndJSON(t *testing.T) {
	a := newAction("rel", "")
	a.Source.Files = files(
		"index.js", `const lib = require('./lib');
const same = require('./lib.js');
const data = require('./data.json');
const dir = require('./dir');
const dirIndex = require('./dir/index.js');
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('r', [lib.twice(data.n), same === lib, dir.name, dir === dirIndex, dir.libCount(), lib.loads]);
};`,
		"lib.js", `exports.loads = (exports.loads || 0) + 1; exports.twice = (n) => 2 * n;`,
		"data.json", `{"n": 21}`,
		"dir/index.js", `const lib = require('../lib'); exports.name = 'dir/' + __filename; exports.libCount = () => lib.loads;`,
	)
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"r":[42,true,"dir/actions/rel/dir/index.js",true,1,1]}`; got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
}

func TestGlobalsAndBuiltins(t *testing.T) {
	a := newAction("env", `const { Buffer: B } = require('buffer');
const { URL: U } = require('node:url');
const util = require('util');
const EventEmitter = require('events');
const fs = require('fs');
exports.onExecutePostLogin = async (event, api) => {
  const out = {};
  out.buffer = B.from('hi').toString('base64') + ',' + Buffer.from('aGk=', 'base64').toString();
  out.url = new U('https://x.test/a?b=1').searchParams.get('b') + ',' + new URLSearchParams('a=1&a=2').getAll('a').join('');
  out.format = util.format('%s=%d %j', 'a', 42, { k: 1 });
  const e = new EventEmitter(); let got; e.once('x', (v) => { got = v; }); e.emit('x', 5); e.emit('x', 6);
  out.events = got;
  try { fs.readFileSync('/etc/passwd'); } catch (err) { out.fs = err.message; }
  try { require('child_process').execSync('id'); } catch (err) { out.cp = err.message; }
  out.env = Object.keys(process.env).length + ':' + typeof process.env.HOME;
  out.global = global === globalThis;
  out.text = new TextDecoder().decode(new TextEncoder().encode('héllo'));
  out.b64 = btoa('hi') + ',' + atob('aGk=');
  const src = { d: new Date(0), m: new Map([['k', [1]]]) }; const c = structuredClone(src);
  out.clone = c.d.getTime() === 0 && c.m.get('k')[0] === 1 && c.m.get('k') !== src.m.get('k');
  const order = [];
  setTimeout(() => order.push('timeout'), 0);
  queueMicrotask(() => order.push('microtask'));
  await new Promise((r) => setTimeout(r, 5));
  let n = 0; await new Promise((r) => { const id = setInterval(() => { if (++n === 3) { clearInterval(id); r(); } }, 1); });
  out.order = order.join(',') + ',' + n;
  const h = new Headers({ 'X-A': '1' }); h.append('x-a', '2');
  out.headers = h.get('x-a');
  out.response = await new Response('{"a":1}', { status: 201 }).json();
  try { require('axios'); } catch (err) { out.npm = err.message; }
  // Non-literal specifiers: the static scan of Build would refuse literal ones.
  const names = ['crypto', 'left-pad'];
  out.crypto = require(names[0]).createHash('sha256').update('abc').digest('hex').slice(0, 16);
  try { require(names[1]); } catch (err) { out.undeclared = err.message; }
  api.idToken.setCustomClaim('out', out);
};`)
	a.Source.Dependencies = map[string]string{"axios": "1.7.9"}
	t.Setenv("ACTIONSD_TEST_HOST_SECRET", "must-not-leak")
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	want := map[string]string{
		"buffer":     `"aGk=,hi"`,
		"url":        `"1,12"`,
		"format":     `"a=42 {\"k\":1}"`,
		"events":     `5`,
		"fs":         `"fs.readFileSync is not available to actions"`,
		"cp":         `"child_process.execSync is not available to actions"`,
		"env":        `"0:undefined"`,
		"global":     `true`,
		"text":       `"héllo"`,
		"b64":        `"aGk=,hi"`,
		"clone":      `true`,
		"order":      `"microtask,timeout,3"`,
		"headers":    `"1, 2"`,
		"response":   `{"a":1}`,
		"npm":        `"cannot require 'axios': npm package axios is declared but its dependencies are not bundled (run actionsd lock and sync again)"`,
		"crypto":     `"ba7816bf8f01cfea"`,
		"undeclared": `"cannot require 'left-pad': it is not a file of actions/env, an action module, a Node built-in or an npm package the action declares"`,
	}
	var out map[string]any
	raw := res.Effects.IDTokenClaims["out"]
	if err := jsonUnmarshal(raw, &out); err != nil {
		t.Fatalf("claim out = %v: %v", raw, err)
	}
	for k, w := range want {
		if got := toJSON(t, out[k]); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
}

func TestConsoleFormat(t *testing.T) {
	a := newAction("fmt", `exports.onExecutePostLogin = async () => {
  console.log('plain', 1, true, null, undefined);
  console.info({ code: 'logger_success', message: 'it\'s ok', n: [1, 'two', { deep: { deeper: { deepest: 1 } } }] });
  console.warn('%s has %d items: %o', 'cart', 3, ['a']);
  console.error(new Map([['a', 1]]), new Set([1]), function named() {}, () => 1, Symbol('s'), 10n);
  const o = { self: null, 'a-b': 1 }; o.self = o;
  console.debug(o, [], {}, Object.create(null));
  console.log(new Error('bad'));
  console.log('%% %c', 'css', 'extra');
};`)
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	want := []string{ // what Node 20 prints for the same calls (the stack aside)
		"plain 1 true null undefined",
		"{\n  code: 'logger_success',\n  message: \"it's ok\",\n  n: [ 1, 'two', { deep: [Object] } ]\n}",
		"cart has 3 items: [ 'a', [length]: 1 ]",
		"Map(1) { 'a' => 1 } Set(1) { 1 } [Function: named] [Function (anonymous)] Symbol(s) 10n",
		"<ref *1> { self: [Circular *1], 'a-b': 1 } [] {} [Object: null prototype] {}",
		"Error: bad\n\tat actions/fmt/index.js:8:15(91)",
		"%  extra",
	}
	got := res.Actions[0].Logs
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("log %d = %q, want %q", i, g, w)
		}
	}
}

func TestRequestErrors(t *testing.T) {
	g := mustBuild(t, newSpec(newAction("a", `exports.onExecutePostLogin = async () => {};`)), Options{})
	ctx := context.Background()
	tests := []struct {
		name string
		run  func() (*Result, error)
		want error
	}{
		{"unknown trigger", func() (*Result, error) { return g.Execute(ctx, "post-logout", []byte(`{}`)) }, ErrUnknownTrigger},
		{"unknown action", func() (*Result, error) { return g.Test(ctx, "nope", []byte(`{}`)) }, ErrUnknownAction},
		{"array event", func() (*Result, error) { return g.Execute(ctx, "post-login", []byte(`[]`)) }, ErrBadEvent},
		{"invalid json", func() (*Result, error) { return g.Execute(ctx, "post-login", []byte(`{"a":`)) }, ErrBadEvent},
		{"empty event", func() (*Result, error) { return g.Test(ctx, "a", nil) }, ErrBadEvent},
		{"trailing garbage", func() (*Result, error) { return g.Execute(ctx, "post-login", []byte(`{} x`)) }, ErrBadEvent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.run()
			var re *RequestError
			if !errors.Is(err, tt.want) || !errors.As(err, &re) || res != nil {
				t.Errorf("got (%v, %v), want a *RequestError wrapping %v", res, err, tt.want)
			}
		})
	}
	// A valid trigger with nothing bound succeeds with no actions.
	res := mustExecute(t, g, "post-user-registration", `{}`)
	if res.Outcome != OutcomeSuccess || len(res.Actions) != 0 {
		t.Errorf("unbound trigger: got %s, want success without actions", toJSON(t, res))
	}
}

func TestTestRunsUnboundActionWithItsTrigger(t *testing.T) {
	a := newAction("m2m", `exports.onExecuteCredentialsExchange = async (event, api) => {
  api.accessToken.setCustomClaim('tenant', event.tenant.id);
  api.access.deny('invalid_scope', 'no');
};`)
	a.Trigger = "credentials-exchange"
	spec := newSpec(a)
	spec.Bindings = nil
	g := mustBuild(t, spec, Options{})
	res, err := g.Test(context.Background(), "m2m", []byte(`{"tenant":{"id":"t1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Trigger != "credentials-exchange" || res.Outcome != OutcomeDenied {
		t.Errorf("got trigger %s outcome %s, want credentials-exchange denied", res.Trigger, res.Outcome)
	}
	if got, want := toJSON(t, res.Effects.Access), `{"denied":true,"reason":"no","code":"invalid_scope","action":"m2m"}`; got != want {
		t.Errorf("access = %s, want %s", got, want)
	}
	if got, want := toJSON(t, res.Effects.AccessTokenClaims), `{"tenant":"t1"}`; got != want {
		t.Errorf("access token claims = %s, want %s", got, want)
	}
}

func TestPostLoginAPI(t *testing.T) {
	a := newAction("all", `exports.onExecutePostLogin = async (event, api) => {
  api.accessToken.setCustomClaim('aud2', 'x').accessToken.addScope('read').accessToken.addScope('write').accessToken.removeScope('read');
  api.user.setAppMetadata('plan', 'gold').user.setUserMetadata('lang', 'fr').user.setUserMetadata('gone', undefined);
  api.multifactor.enable('duo', { allowRememberBrowser: true });
  try { api.idToken = null; } catch (e) {}
  api.idToken.setCustomClaim('still', typeof api.idToken.setCustomClaim);
};`)
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	r := res.Effects
	checks := []struct{ name, got, want string }{
		{"access token claims", toJSON(t, r.AccessTokenClaims), `{"aud2":"x"}`},
		{"scopes added", toJSON(t, r.ScopesAdded), `["write"]`},
		{"scopes removed", toJSON(t, r.ScopesRemoved), `["read"]`},
		{"app metadata", toJSON(t, r.AppMetadata), `{"plan":"gold"}`},
		{"user metadata", toJSON(t, r.UserMetadata), `{"gone":null,"lang":"fr"}`},
		{"multifactor", toJSON(t, r.Multifactor), `{"provider":"duo","options":{"allowRememberBrowser":true}}`},
		{"id token claims", toJSON(t, r.IDTokenClaims), `{"still":"function"}`},
		{"ops", strings.Join(ops(res.Commands), ","), "accessToken.setCustomClaim,accessToken.addScope,accessToken.addScope,accessToken.removeScope,user.setAppMetadata,user.setUserMetadata,user.setUserMetadata,multifactor.enable,idToken.setCustomClaim"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
}

func ops(cmds []Command) []string {
	var out []string
	for _, c := range cmds {
		out = append(out, c.Op)
	}
	return out
}

func TestEventIsACopyPerAction(t *testing.T) {
	mutate := newAction("mutate", `exports.onExecutePostLogin = async (event) => { event.user.name = 'changed'; event.extra = 1; };`)
	read := newAction("read", `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('seen', [event.user.name, event.extra === undefined]); };`)
	g := mustBuild(t, newSpec(mutate, read), Options{})
	for range 2 { // the second run reuses the pooled runtimes
		res := mustExecute(t, g, "post-login", `{"user":{"name":"ada"}}`)
		wantSuccess(t, res)
		if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"seen":["ada",true]}`; got != want {
			t.Errorf("claims = %s, want %s", got, want)
		}
	}
}

func TestCloseWithExecutionsInFlight(t *testing.T) {
	a := newAction("slow", `exports.onExecutePostLogin = async (event, api) => {
  await new Promise((r) => setTimeout(r, 30));
  api.idToken.setCustomClaim('done', true);
};`)
	g := mustBuild(t, newSpec(a), Options{PoolSize: 1})
	var wg sync.WaitGroup
	results := make([]*Result, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = g.Execute(context.Background(), "post-login", []byte(`{}`))
		}()
	}
	g.Close()
	wg.Wait()
	for i, res := range results {
		if res == nil || res.Outcome != OutcomeSuccess || toJSON(t, res.Effects.IDTokenClaims) != `{"done":true}` {
			t.Errorf("execution %d: got %s, want success with the claim", i, toJSON(t, res))
		}
	}
	if n := len(g.actions["slow"].pool); n != 0 {
		t.Errorf("closed generation pools %d runtimes, want 0", n)
	}
	wantSuccess(t, mustExecute(t, g, "post-login", `{}`))
}

func TestCacheAPI(t *testing.T) {
	a := newAction("cache", `exports.onExecutePostLogin = async (event, api) => {
  const prev = api.cache.get('token');
  const out = { prev: prev ? prev.value : null, hasExpiry: prev ? typeof prev.expires_at === 'number' : null };
  out.set = api.cache.set('token', 'v' + event.n, { ttl: 60000 });
  out.long = api.cache.set('k'.repeat(65), 'x');
  out.big = api.cache.set('big', 'x'.repeat(4097));
  out.num = api.cache.set('num', 5);
  out.del = api.cache.delete('missing');
  api.idToken.setCustomClaim('out', out);
};`)
	cache := auth0.NewCache()
	g := mustBuild(t, newSpec(a), Options{Cache: cache})
	first := mustExecute(t, g, "post-login", `{"n":1}`)
	wantSuccess(t, first)
	second := mustExecute(t, g, "post-login", `{"n":2}`)
	wantSuccess(t, second)
	want := `{"out":{"prev":"v1","hasExpiry":true,"set":{"type":"success"},"long":{"type":"error","code":"key_too_long"},"big":{"type":"error","code":"value_too_long"},"num":{"type":"error","code":"invalid_value"},"del":{"type":"error","code":"not_found"}}}`
	if got := toJSON(t, second.Effects.IDTokenClaims); got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
	if e, ok := cache.Get("post-login", "token"); !ok || e.Value != "v2" {
		t.Errorf("cache post-login/token = %+v, %v; want v2", e, ok)
	}
	if _, ok := cache.Get("credentials-exchange", "token"); ok {
		t.Errorf("post-login's entry is visible to credentials-exchange")
	}
}

func TestRedaction(t *testing.T) {
	const token, modKey = "s3cr3t-token-value", "module-key-987"
	a := newAction("leaky", `const m = require('actions:leak');
exports.onExecutePostLogin = async (event, api) => {
  console.log('token is', event.secrets.TOKEN);
  console.log({ nested: event.secrets.TOKEN + '!' });
  m.leak();
  api.access.deny('token ' + event.secrets.TOKEN);
  throw new Error('bad token ' + event.secrets.TOKEN);
};`)
	a.Secrets = map[string]string{"TOKEN": token, "SHORT": "abc"}
	a.Modules = map[string]*ModuleSpec{"leak": newModule("leak", 1, `exports.leak = () => console.log('key=' + actions.secrets.KEY);`, map[string]string{"KEY": modKey})}
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	doc := toJSON(t, res)
	for _, secret := range []string{token, modKey} {
		if strings.Contains(doc, secret) {
			t.Errorf("result contains secret %q: %s", secret, doc)
		}
	}
	if got, want := toJSON(t, res.Actions[0].Logs), `["token is [REDACTED]","{ nested: '[REDACTED]!' }","key=[REDACTED]"]`; got != want {
		t.Errorf("logs = %s, want %s", got, want)
	}
	if got, want := res.Actions[0].Error.Message, "bad token [REDACTED]"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

// Every execution is logged at info (warn when it failed) with its id, trigger, commit,
// generation and outcome, and each action it ran with its version, its module versions and, for
// the one that failed, its error with secret values redacted.
func TestExecutionLog(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	ok := newAction("ok", `const log = require('actions:logger');
exports.onExecutePostLogin = async () => {};
`)
	ok.Modules = map[string]*ModuleSpec{"logger": newModule("logger", 2, `module.exports = {};
`, nil)}
	bad := newAction("bad", `exports.onExecutePostLogin = async (event) => { throw new Error('boom ' + event.secrets.TOKEN); };
`)
	bad.Secrets = map[string]string{"TOKEN": "s3cr3t-value"}
	g := mustBuild(t, newSpec(ok, bad), Options{Logger: zap.New(core)})
	res := mustExecute(t, g, "post-login", `{"user":{"user_id":"u1"}}`)
	if res.Outcome != OutcomeFailed {
		t.Fatalf("outcome %s, want failed", res.Outcome)
	}
	entries := logs.FilterMessage("execution").All()
	if len(entries) != 1 {
		t.Fatalf("%d execution log entries, want 1", len(entries))
	}
	e := entries[0]
	f := e.ContextMap()
	if e.Level != zapcore.WarnLevel || f["execution_id"] != res.ExecutionID || f["trigger"] != "post-login" || f["commit"] != "abc123" || f["generation"] != int64(7) || f["outcome"] != "failed" {
		t.Errorf("execution entry: level %s, fields %v", e.Level, f)
	}
	got := fmt.Sprint(f["actions"])
	for _, want := range []string{"action:ok", "version:c0ffee", "modules:[logger@v2]", "action:bad", "error:"} {
		if !strings.Contains(got, want) {
			t.Errorf("actions %s: want %q", got, want)
		}
	}
	if strings.Contains(got, "s3cr3t-value") || !strings.Contains(got, "[REDACTED]") {
		t.Errorf("actions %s: the error must be redacted", got)
	}
}

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"0123456789abc", 10, "0123456…"},
		{"ééééééé", 8, "éé…"}, // 2-byte runes: no rune is cut in half
	} {
		got := truncate(c.s, c.n)
		if got != c.want || len(got) > c.n {
			t.Errorf("truncate(%q, %d) = %q, want %q (at most %d bytes)", c.s, c.n, got, c.want, c.n)
		}
	}
}

// A process env that runner.Build cannot pass on faithfully is an error, not a surprise.
func TestProcessEnvRefused(t *testing.T) {
	for _, env := range []map[string]string{{"A": "x\x00B\x00y"}, {"__proto__": "x"}, {"": "x"}} {
		if _, err := Build(context.Background(), newSpec(newAction("a", "exports.onExecutePostLogin = async () => {};")), Options{ProcessEnv: env}); err == nil {
			t.Errorf("ProcessEnv %q: built, want an error", env)
		}
	}
}
