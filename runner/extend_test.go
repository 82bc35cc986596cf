package runner

import (
	"testing"
)

// TestGlobalsExtensibleAsNode: an action's runtime functions and classes can be extended as in
// Node (issue 13, cause 7). node-fetch 2's browser file, verbatim, did
// fetch.default = fetch.bind(globalThis), which threw "Cannot add property default, object is
// not extensible".
func TestGlobalsExtensibleAsNode(t *testing.T) {
	a := newAction("a", `
var getGlobal = function () {
	if (typeof self !== 'undefined') { return self; }
	if (typeof window !== 'undefined') { return window; }
	if (typeof global !== 'undefined') { return global; }
	throw new Error('unable to locate global object');
};
var globalObject = getGlobal();
var nodeFetch = globalObject.fetch;
if (globalObject.fetch) { nodeFetch.default = globalObject.fetch.bind(globalObject); }
Headers.prototype.raw = function () { return 'raw'; };
AbortSignal.any = AbortSignal.any || function () { return 'any'; };
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('r', [typeof fetch.default, fetch.default === nodeFetch.default, new Headers().raw(),
    Object.isExtensible(fetch), Object.isFrozen(Headers.prototype), fetch.name, fetch.length]);
};`)
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	// Node 20 gives the same for the same lines.
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"r":["function",true,"raw",true,false,"fetch",1]}`; got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
}

// TestOwnersExtendTheirOwnFetch: where an action and its modules share a (locked-down) runtime,
// each module's fetch is its own: a module may extend it as in Node, and neither the action nor
// another module sees what it added. The shared global fetch stays frozen.
func TestOwnersExtendTheirOwnFetch(t *testing.T) {
	one := newModule("one", 1, `fetch.default = 1;
exports.mine = () => [fetch.default, globalThis.fetch.default === undefined, Object.isFrozen(globalThis.fetch)];`, nil)
	two := newModule("two", 1, `exports.mine = () => [fetch.default, typeof fetch, Object.isExtensible(fetch)];`, nil)
	a := newAction("a", `exports.onExecutePostLogin = async (event, api) => {
  const one = require('actions:one'), two = require('actions:two');
  fetch.default = 2; // the shared global: frozen, so (sloppy code) nothing happens
  api.idToken.setCustomClaim('r', [one.mine(), two.mine(), fetch.default === undefined]);
};`)
	a.Modules = map[string]*ModuleSpec{"one": one, "two": two}
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"r":[[1,true,true],[null,"function",true],true]}`; got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
}

// TestOwnersHaveTheirOwnChannels: the built-ins whose state code changes through their functions
// (diagnostics_channel's subscribers, async stores, domains, performance marks) are per owner: an
// action publishing on a channel that the module it pins subscribed to reaches nothing, and each
// sees only its own marks and active domain.
func TestOwnersHaveTheirOwnChannels(t *testing.T) {
	mod := newModule("peer", 1, `const dc = require('diagnostics_channel');
const seen = [];
dc.subscribe('secrets', (m) => seen.push(m));
const { performance } = require('perf_hooks');
performance.mark('peer-mark');
const domain = require('domain');
exports.run = () => { dc.channel('secrets').publish('from peer'); return [seen.join(), performance.getEntriesByName('action-mark').length, String(domain.active)]; };`, nil)
	a := newAction("a", `exports.onExecutePostLogin = async (event, api) => {
  const peer = require('actions:peer');
  const dc = require('diagnostics_channel');
  const mine = [];
  dc.subscribe('secrets', (m) => mine.push(m));
  dc.channel('secrets').publish('from action');
  require('perf_hooks').performance.mark('action-mark');
  const d = require('domain').create();
  const theirs = d.run(() => peer.run());
  api.idToken.setCustomClaim('r', [theirs, mine.join(), dc.hasSubscribers('secrets'), require('perf_hooks').performance.getEntriesByName('peer-mark').length]);
};`)
	a.Modules = map[string]*ModuleSpec{"peer": mod}
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	wantSuccess(t, res)
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"r":[["from peer",0,"null"],"from action",true,0]}`; got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
}

// TestGlobalPerformanceIsNotShared: the global performance is the action's perf_hooks one, as in
// Node, in a runtime the action has alone; where owners share the runtime (an action that pins a
// module), it records no marks, so that a module's mark (which may name what it does with a
// secret) reaches no other owner through it, while mark and measure still return their entries.
func TestGlobalPerformanceIsNotShared(t *testing.T) {
	alone := newAction("alone", `exports.onExecutePostLogin = async (event, api) => {
  performance.mark('m');
  api.idToken.setCustomClaim('r', [require('perf_hooks').performance === performance, performance.getEntriesByName('m').length]);
};`)
	res := mustExecute(t, mustBuild(t, newSpec(alone), Options{}), "post-login", `{}`)
	wantSuccess(t, res)
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"r":[true,1]}`; got != want {
		t.Errorf("alone: claims = %s, want %s", got, want)
	}

	mod := newModule("peer", 1, `exports.run = () => { performance.mark('peer-' + actions.secrets.KEY); return performance.measure('peer-measure').entryType; };`,
		map[string]string{"KEY": "s3cret"})
	a := newAction("a", `exports.onExecutePostLogin = async (event, api) => {
  const entry = require('actions:peer').run();
  const m = performance.mark('mine');
  api.idToken.setCustomClaim('r', [entry, m.name, m.entryType, performance.getEntries().map((e) => e.name),
    require('perf_hooks').performance === performance, typeof performance.now()]);
};`)
	a.Modules = map[string]*ModuleSpec{"peer": mod}
	res = mustExecute(t, mustBuild(t, newSpec(a), Options{}), "post-login", `{}`)
	wantSuccess(t, res)
	if got, want := toJSON(t, res.Effects.IDTokenClaims), `{"r":["measure","mine","mark",[],false,"number"]}`; got != want {
		t.Errorf("shared: claims = %s, want %s", got, want)
	}
}
