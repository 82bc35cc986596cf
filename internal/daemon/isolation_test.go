package daemon

import (
	"strings"
	"testing"

	"github.com/actionsd/actionsd/internal/vaulttest"
	"github.com/actionsd/actionsd/runner"
)

// isolationSearch is JavaScript shared by the probes: search(roots, own) walks every object
// reachable from roots (own property names and symbols, getters left alone, prototypes,
// functions' properties) and returns the paths of strings that hold a canary other than own.
const isolationSearch = `
function search(roots, own) {
  const found = [];
  let sawOwn = false;
  const seen = new Set();
  const queue = roots.map(([path, v]) => [path, v]);
  let budget = 50000;
  const check = (path, v) => {
    if (typeof v !== 'string' || v.indexOf('iso-canary-') < 0) return;
    if (v === own) { sawOwn = true; return; }
    found.push(path);
  };
  while (queue.length && budget-- > 0) {
    const [path, v] = queue.shift();
    check(path, v);
    if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v)) continue;
    seen.add(v);
    let keys = [];
    try { keys = Reflect.ownKeys(v); } catch (e) { continue; }
    for (const k of keys) {
      let d;
      try { d = Object.getOwnPropertyDescriptor(v, k); } catch (e) { continue; }
      if (!d) continue;
      const p = path + '.' + String(k);
      if ('value' in d) { check(p, d.value); queue.push([p, d.value]); }
    }
    try { queue.push([path + '.__proto__', Object.getPrototypeOf(v)]); } catch (e) {}
  }
  return { found, sawOwn };
}
`

// TestSecretIsolation gives two modules and two actions their own canary secrets, and has one
// action (and the module it pins) try every route a JavaScript author might take to another's
// secrets: globals, the require cache, a module that is not pinned, prototype chains, this, the
// Function constructor, error objects and stacks, the event and api objects. None gets there.
func TestSecretIsolation(t *testing.T) {
	vault := vaulttest.Start(t)
	canary := map[string]string{
		"modules/a": "iso-canary-module-a-5e1f", "modules/b": "iso-canary-module-b-77c2",
		"actions/x": "iso-canary-action-x-90ad", "actions/y": "iso-canary-action-y-3b64",
	}
	for owner, v := range canary {
		vault.Put(t, "actionsd/"+owner, map[string]any{"KEY": v})
	}
	repo := newGitRepo(t)
	repo.write("triggers.yaml", "post-login:\n  - y\n  - x\n")
	for _, m := range []string{"a", "b"} {
		repo.write("modules/"+m+"/module.yaml", "secrets: [KEY]\n")
		repo.write("modules/"+m+"/index.js", isolationSearch+`
const topThis = this;
let lastError;
module.exports = {
  // The module's own search: it sees actions.secrets.KEY and nothing else.
  probe: () => search([['actions', actions], ['globalThis', globalThis], ['this', topThis], ['module', module], ['exports', exports],
    ['require', require], ['require.cache', require.cache], ['Function', Function('return this')()]], actions.secrets.KEY),
  fail: () => { lastError = new Error('failing'); lastError.detail = { hint: 'none' }; throw lastError; },
  last: () => lastError,
  greet: function () { return 'hi'; },
};
`)
	}
	for _, a := range []struct{ name, module string }{{"x", "a"}, {"y", "b"}} {
		repo.write("actions/"+a.name+"/action.yaml", "trigger: post-login\nsecrets: [KEY]\nmodules:\n  "+a.module+": 1\n")
		repo.write("actions/"+a.name+"/index.js", isolationSearch+`
const mod = require('actions:`+a.module+`');
const topThis = this;
exports.onExecutePostLogin = async function (event, api) {
  const roots = [['globalThis', globalThis], ['this', topThis], ['handlerThis', this], ['module', module],
    ['require', require], ['require.cache', require.cache], ['mod', mod], ['Function', Function('return this')()],
    ['event', event], ['api', api], ['process', process]];
  for (const other of ['a', 'b', 'x', 'y']) {
    try { roots.push(['require:' + other, require('actions:' + other)]); } catch (e) { roots.push(['requireError:' + other, e]); }
  }
  try { mod.fail(); } catch (e) { roots.push(['caught', e], ['stack', String(e.stack)]); }
  roots.push(['last', mod.last()]);
  try { roots.push(['caller', mod.greet.caller]); } catch (e) { roots.push(['callerError', e]); }
  try { roots.push(['ctor', mod.greet.constructor('return this')()]); } catch (e) {}
  try { await fetch('http://127.0.0.1:1/'); } catch (e) { roots.push(['fetchError', e]); }
  const mine = search(roots, event.secrets.KEY);
  const inModule = mod.probe();
  api.idToken.setCustomClaim('found', mine.found.concat(inModule.found.map((p) => 'module:' + p)));
  api.idToken.setCustomClaim('sawOwn', mine.sawOwn);
  api.idToken.setCustomClaim('moduleSawOwn', inModule.sawOwn);
};
`)
	}
	repo.commit("isolation probes")
	repo.git("tag", "modules/a/v1")
	repo.git("tag", "modules/b/v1")

	d := startVaultDaemon(t, repo.dir, vault.Addr, vault.RootToken, nil, nil)
	if st := d.sync(""); !st.Ready {
		t.Fatalf("first sync: %v", problemsText(st.Errors))
	}
	for _, name := range []string{"x", "y"} {
		// Twice: the second runs on a warm runtime that the first may have polluted.
		for range 2 {
			res := d.testAction(name, []byte(`{"user":{"user_id":"u1"}}`))
			if res.Outcome != runner.OutcomeSuccess {
				t.Fatalf("action %s: outcome %s: %+v", name, res.Outcome, res.Actions)
			}
			c := res.Effects.IDTokenClaims
			if found, _ := c["found"].([]any); len(found) > 0 {
				t.Errorf("action %s reached another owner's secret through: %v", name, found)
			}
			if c["sawOwn"] != true || c["moduleSawOwn"] != true {
				t.Errorf("action %s: the search did not even find its own secrets (sawOwn %v, moduleSawOwn %v): it proves nothing", name, c["sawOwn"], c["moduleSawOwn"])
			}
		}
	}
	// And in one trigger execution, where x runs after y on the same event.
	res := d.execute("", []byte(`{"user":{"user_id":"u2"}}`))
	if res.Outcome != runner.OutcomeSuccess {
		t.Fatalf("execute: outcome %s: %+v", res.Outcome, res.Actions)
	}
	if found, _ := res.Effects.IDTokenClaims["found"].([]any); len(found) > 0 {
		t.Errorf("in one trigger execution, an action reached another owner's secret through: %v", found)
	}
	for _, a := range res.Actions {
		if strings.Contains(strings.Join(a.Logs, "\n"), "iso-canary-") {
			t.Errorf("action %s logs hold a canary", a.Name)
		}
	}
}
