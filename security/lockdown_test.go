package security

import (
	_ "embed"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/runner"
)

//go:embed testdata/reach.js
var reachJS string

// sharedCheck runs in the action, after both walks: every object both owners reached is shared,
// and must be one that neither can change: frozen, with no element, entry or internal value that
// a method or setter can still change. It returns the paths of those that are not, with why.
const sharedCheck = `
function unchangeable(o) {
  'use strict';
  const R = Reflect, apply = R.apply;
  const why = [];
  if (!Object.isFrozen(o)) {
    if (ArrayBuffer.isView(o) && o.length > 0) why.push('a typed array with elements');
    else why.push('not frozen');
  }
  const is = (method) => { try { apply(method, o, []); return true; } catch (e) { return false; } };
  if (is(Map.prototype.keys)) why.push('a Map');
  if (is(Set.prototype.values)) why.push('a Set');
  try { apply(WeakMap.prototype.has, o, [{}]); why.push('a WeakMap'); } catch (e) {}
  try { apply(WeakSet.prototype.has, o, [{}]); why.push('a WeakSet'); } catch (e) {}
  if (is(Date.prototype.getTime)) why.push('a Date');
  try { if (apply(Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get, o, []) > 0) why.push('an ArrayBuffer with bytes'); } catch (e) {}
  // A setter that changes what its getter returns is state one owner sets and the other reads.
  for (const k of R.ownKeys(o)) {
    const d = Object.getOwnPropertyDescriptor(o, k);
    if (!d || !d.set || !d.get) continue;
    let before, after;
    const probe = { probe: true };
    try { before = apply(d.get, o, []); apply(d.set, o, [probe]); after = apply(d.get, o, []); } catch (e) { continue; }
    if (after === probe) {
      why.push('its setter ' + String(k) + ' changes it');
      try { apply(d.set, o, [before]); } catch (e) {}
    }
  }
  return why;
}
`

// TestNothingSharedIsChangeable is issue 11's second hole, as a class: in a locked-down runtime,
// an action and the module it pins each walk everything they can reach of the shared
// environment (reach.js: globals, hidden intrinsics, every built-in module's exports, and what
// calling or constructing every function met returns or throws, getters included). Every object
// both reach is shared between the two owners, and must be one neither can change. The lockdown
// froze what the globals and the exports reach, but not the prototypes of what runner functions
// return: the URLSearchParams iterator's (whose next() caught a module's client_secret), the
// Timeout's, Cipheriv's and SecretKeyObject's, among others.
func TestNothingSharedIsChangeable(t *testing.T) {
	names, err := json.Marshal(runner.BuiltinModules())
	if err != nil {
		t.Fatal(err)
	}
	const budget = "60000"
	mod := newModule("peer", reachJS+`
exports.reach = () => reach(require, `+string(names)+`, `+budget+`);
`, map[string]string{"KEY": "peer-secret"})
	a := newAction("walker", reachJS+sharedCheck+`
exports.onExecutePostLogin = async (event, api) => {
  const peer = require('actions:peer');
  const theirs = await peer.reach();
  const mine = await reach(require, `+string(names)+`, `+budget+`);
  const bad = [];
  let shared = 0;
  for (const [o, path] of mine.seen) {
    if (!theirs.seen.has(o)) continue;
    shared++;
    const why = unchangeable(o);
    if (why.length) bad.push(path + ': ' + why.join(', '));
  }
  // The walk must get to the prototypes of what runner functions return: these four were missed.
  const proto = Object.getPrototypeOf;
  const reached = {
    'URLSearchParams iterator': proto(new URLSearchParams('a=1').entries()),
    Timeout: proto(setTimeout(() => {}, 1e6)),
    Cipheriv: proto(require('crypto').createCipheriv('aes-128-cbc', new Uint8Array(16), new Uint8Array(16))),
    SecretKeyObject: proto(require('crypto').createSecretKey(new Uint8Array(16))),
  };
  const missed = Object.keys(reached).filter((k) => !mine.seen.has(reached[k]) || !theirs.seen.has(reached[k]));
  api.idToken.setCustomClaim('r', { bad: bad.sort(), shared, mine: mine.seen.size, calls: mine.calls, done: mine.done && theirs.done, missed });
};
`, mod)
	// The walk keeps every object it meets: more than an action's default heap allowance.
	g := mustBuild(t, newSpec(a), runner.Options{MemoryLimit: 2 << 30, Budget: 150 * time.Second})
	res := execute(t, g, "post-login", `{}`)
	// Calling every function with made-up arguments leaves some built-ins failing later, in a
	// callback (a stream destroyed with a bogus error, say): an uncaught error there ends the
	// execution after the handler set its claim, as it would end Node. That is no finding here;
	// a Go panic in a native ("internal error") is.
	if res.Outcome != runner.OutcomeSuccess {
		msg := toJSON(t, res.Actions[0].Error)
		if !strings.Contains(msg, "unhandled promise rejection") {
			t.Fatalf("the walk failed: %s", msg)
		}
		t.Logf("the walk's execution ended with %s", msg)
	}
	var raw json.RawMessage
	for _, c := range res.Commands {
		if c.Op == "idToken.setCustomClaim" && len(c.Args) == 2 && c.Args[0] == "r" {
			raw, _ = json.Marshal(c.Args[1])
		}
	}
	var r struct {
		Bad    []string `json:"bad"`
		Shared int      `json:"shared"`
		Mine   int      `json:"mine"`
		Calls  int      `json:"calls"`
		Done   bool     `json:"done"`
		Missed []string `json:"missed"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("claim r = %s: %v", raw, err)
	}
	t.Logf("reached %d objects (%d shared) with %d calls; walk finished: %t", r.Mine, r.Shared, r.Calls, r.Done)
	if len(r.Bad) > 0 {
		t.Errorf("%d shared objects one owner can change and the other can observe:\n%s", len(r.Bad), strings.Join(r.Bad, "\n"))
	}
	if len(r.Missed) > 0 {
		t.Errorf("the walk did not reach %v: it proves too little", r.Missed)
	}
	if !r.Done {
		t.Errorf("the walk ran out of time before it met everything: it proves too little")
	}
	if r.Shared < 1000 {
		t.Errorf("the walk shared only %d objects: it proves too little", r.Shared)
	}
}
