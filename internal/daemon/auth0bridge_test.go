package daemon

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/internal/config"
)

// auth0BridgeAction is the action every post-login command type comes from; the user's email
// picks the case (all, deny, redirect, form, sleep).
const auth0BridgeAction = `exports.onExecutePostLogin = async (event, api) => {
  const mode = event.user.email.split('@')[0];
  if (mode === 'sleep') { await new Promise((r) => setTimeout(r, 3000)); api.idToken.setCustomClaim('late', true); return; }
  if (mode === 'deny') { api.idToken.setCustomClaim('before', 1); api.access.deny('no entry'); return; }
  if (mode === 'redirect') {
    const token = api.redirect.encodeToken({ secret: 'redirect-secret-of-enough-length', payload: { step: 'consent' } });
    api.idToken.setCustomClaim('before', 2);
    api.redirect.sendUserTo('https://consent.example.com/start', { query: { session_token: token } });
    return;
  }
  if (mode === 'form') { api.prompt.render('ap_form1', { vars: { a: 1 } }); return; }
  api.idToken.setCustomClaim('https://example.com/roles', ['admin']);
  api.accessToken.setCustomClaim('plan', { tier: 'gold', seats: 3 });
  api.accessToken.addScope('read:all');
  api.accessToken.removeScope('write:all');
  api.user.setUserMetadata('theme', 'dark');
  api.user.setAppMetadata('plan', 'gold');
  api.cache.set('seen', 'yes');
  api.multifactor.enable('any', { allowRememberBrowser: true });
  api.authentication.challengeWith({ type: 'otp' }, { additionalFactors: [{ type: 'email' }] });
  api.authentication.challengeWithAny([{ type: 'otp' }, { type: 'push-notification' }]);
  api.authentication.enrollWith({ type: 'webauthn-roaming' });
  api.authentication.enrollWithAny([{ type: 'otp' }]);
  api.authentication.recordMethod('https://idp.example.com');
  api.authentication.setPrimaryUser('auth0|primary');
  api.transaction.setMetadata('step', 'one');
  api.session.setExpiresAt(Date.UTC(2030, 0, 1));
  api.session.setIdleExpiresAt(Date.UTC(2030, 0, 2));
  api.session.setMetadata('device', 'laptop');
  api.session.deleteMetadata('old');
  api.session.evictMetadata();
  api.refreshToken.setExpiresAt(Date.UTC(2030, 0, 3));
  api.refreshToken.setIdleExpiresAt(Date.UTC(2030, 0, 4));
  api.refreshToken.setMetadata('k', 'v');
  api.refreshToken.deleteMetadata('old');
  api.refreshToken.revoke('rotated');
  api.session.revoke('logout', { preserveRefreshTokens: true });
  api.samlResponse.setAttribute('https://example.com/dept', 'eng');
  api.samlResponse.setLifetimeInSeconds(600);
  api.samlResponse.setAudience('urn:example');
};
exports.onContinuePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('after', event.request.query.result);
  api.user.setAppMetadata('consent', event.request.query.result);
};
`

// auth0BridgeSecond is bound after auth0BridgeAction: behind a redirect it runs only once the flow
// resumes.
const auth0BridgeSecond = `exports.onExecutePostLogin = async (event, api) => {
  if (event.user.email.startsWith('redirect')) api.accessToken.setCustomClaim('second', event.request.query.result || 'none');
};
`

// auth0BridgeTests is the bridge's *.test.js: each test runs the bridge action against the real
// daemon (DAEMON) with a recording api, and logs {applied, commands} for the Go side, commands
// being what the daemon's execute route answers for the same event.
const auth0BridgeTests = `const bridge = require('./index.js');
const DAEMON = '@DAEMON@';
const secrets = (over) => Object.assign({ ACTIONSD_URL: DAEMON, ACTIONSD_BRIDGE_SECRET: '@SECRET@' }, over || {});
const login = (email, over) => events.postLogin({ user: { user_id: 'auth0|bridge', email }, secrets: secrets(over) });
async function direct(trigger, event) {
  const sent = Object.assign({}, event);
  delete sent.secrets;
  const res = await fetch(DAEMON + '/v1/triggers/' + trigger + '/execute', { method: 'POST', body: JSON.stringify(sent) });
  return res.json();
}
async function report(name, event, run) {
  const api = mockApi();
  const t0 = Date.now();
  let thrown = null;
  try { await run(event, api); } catch (e) { thrown = String(e.message); }
  const ms = Date.now() - t0;
  const want = await direct('post-login', event);
  console.log(JSON.stringify({ name, applied: api.calls, commands: want.commands, outcome: want.outcome, thrown, ms }));
  return api;
}
test('all', () => report('all', login('all@example.com'), bridge.onExecutePostLogin));
test('deny', () => report('deny', login('deny@example.com'), bridge.onExecutePostLogin));
test('redirect', () => report('redirect', login('redirect@example.com'), bridge.onExecutePostLogin));
test('form', () => report('form', login('form@example.com'), bridge.onExecutePostLogin));
test('bad secret closed', () => report('bad secret closed', login('all@example.com', { ACTIONSD_BRIDGE_SECRET: 'not-the-secret-not-the-secret-not-the-secret' }), bridge.onExecutePostLogin));
test('bad secret open', () => report('bad secret open', login('all@example.com', { ACTIONSD_BRIDGE_SECRET: 'not-the-secret-not-the-secret-not-the-secret', ACTIONSD_FAIL_OPEN: 'true' }), bridge.onExecutePostLogin));
test('bad secret no deny', () => report('bad secret no deny', login('all@example.com', { ACTIONSD_BRIDGE_SECRET: 'not-the-secret-not-the-secret-not-the-secret' }), bridge.onExecutePostChangePassword));
test('stale closed', async () => {
  const now = Date.now;
  Date.now = () => now() - 10 * 60 * 1000; // the Action's clock ten minutes behind the daemon's
  try { await report('stale closed', login('all@example.com'), bridge.onExecutePostLogin); } finally { Date.now = now; }
});
test('replayed', async () => {
  // another user: the same body signed in the same second as the deny test's would be its replay
  await report('replayed', events.postLogin({ user: { user_id: 'auth0|replay', email: 'deny@example.com' }, secrets: secrets() }), bridge.onExecutePostLogin);
  const [sent] = (await fetchCalls()).filter((c) => c.url.includes('/v1/bridges/auth0/'));
  const res = await fetch(sent.url, { method: 'POST', headers: { 'x-actionsd-timestamp': sent.headers['x-actionsd-timestamp'], 'x-actionsd-signature': sent.headers['x-actionsd-signature'] }, body: sent.body });
  console.log(JSON.stringify({ name: 'replay answer', outcome: res.status + ' ' + (await res.json()).error.code, sentSecrets: 'secrets' in JSON.parse(sent.body) }));
});
test('continue', async () => {
  // Auth0 runs onExecutePostLogin, the user goes to the redirect's URL and comes back with
  // ?result=consented; Auth0 then runs onContinuePostLogin with the transaction's metadata.
  // another user: the redirect test's body signed in the same second would be its replay
  const event = events.postLogin({ user: { user_id: 'auth0|continue', email: 'redirect@example.com' }, secrets: secrets() });
  const api = mockApi();
  await bridge.onExecutePostLogin(event, api);
  const metadata = {};
  for (const c of api.called('transaction.setMetadata')) metadata[c[0]] = c[1];
  const back = events.postLogin({ user: { user_id: 'auth0|continue', email: 'redirect@example.com' }, secrets: secrets(),
    transaction: { metadata }, request: { query: { result: 'consented' } } });
  const after = mockApi();
  await bridge.onContinuePostLogin(back, after);
  // The same flow straight through the daemon: execute, then POST /v1/continue.
  const first = await direct('post-login', event);
  const res = await fetch(DAEMON + '/v1/continue', { method: 'POST', body: JSON.stringify({ state: first.result.redirect.state, request: { query: { result: 'consented' } } }) });
  const resumed = await res.json();
  const sent = (await fetchCalls()).filter((c) => c.url.endsWith('/v1/bridges/auth0/continue-post-login'));
  console.log(JSON.stringify({ name: 'continue', applied: after.calls, commands: resumed.commands.slice(first.commands.length), outcome: resumed.outcome,
    stored: Object.keys(metadata), before: api.calls.map((c) => c.op), sentState: sent.length === 1 && !sent[0].body.includes('actionsd_applied') && JSON.parse(sent[0].body).state === metadata.actionsd_state }));
  // The same state again: the daemon resumes a flow once (or the replay check refuses the same
  // signed request), and the bridge fails closed.
  const again = mockApi();
  await bridge.onContinuePostLogin(back, again);
  console.log(JSON.stringify({ name: 'continue again', applied: again.calls }));
  // No state in the transaction: fails closed, asking nothing.
  const none = mockApi();
  await bridge.onContinuePostLogin(login('all@example.com'), none);
  console.log(JSON.stringify({ name: 'continue without state', applied: none.calls }));
});
test('timeout closed', () => report('timeout closed', login('sleep@example.com', { ACTIONSD_TIMEOUT_MS: '500' }), bridge.onExecutePostLogin));
test('timeout open', () => report('timeout open', login('sleep@example.com', { ACTIONSD_TIMEOUT_MS: '500', ACTIONSD_FAIL_OPEN: 'true' }), bridge.onExecutePostLogin));
`

type bridgeCall struct {
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args"`
}

// TestAuth0BridgeAction runs examples/auth0-bridge/auth0-bridge.js with actionsd test against a
// real daemon: what the bridge applies to the recording api equals the daemon's command list
// (less the commands that only read or that only the daemon keeps), for every post-login command
// type; a wrong secret and a timeout deny (fail closed), or change nothing (fail open).
func TestAuth0BridgeAction(t *testing.T) {
	src, err := os.ReadFile("../../examples/auth0-bridge/auth0-bridge.js")
	if err != nil {
		t.Fatal(err)
	}
	r := newGitRepo(t)
	r.write("triggers.yaml", "post-login: [every, second]\n")
	r.write("actions/every/action.yaml", "trigger: post-login\ntimeout: 10s\n")
	r.write("actions/every/index.js", auth0BridgeAction)
	r.write("actions/second/action.yaml", "trigger: post-login\n")
	r.write("actions/second/index.js", auth0BridgeSecond)
	r.commit("every command")
	d, _ := startDaemonWith(t, r.Dir, func(c *config.Config) { c.Bridges.Auth0.Secret = auth0Secret })
	waitFor(t, "the first generation", func() bool { return d.rec.Current() != nil })

	b := newGitRepo(t)
	b.write("triggers.yaml", "post-login: [auth0-bridge]\n")
	b.write("actions/auth0-bridge/action.yaml", "trigger: post-login\n")
	b.write("actions/auth0-bridge/index.js", string(src))
	b.write("actions/auth0-bridge/bridge.test.js", strings.NewReplacer("@DAEMON@", d.url, "@SECRET@", auth0Secret).Replace(auth0BridgeTests))
	b.commit("the bridge and its tests")

	res := run(t, b.Dir, "", "test", "--format", "json", "--timeout", "15s", "--egress-allow", "127.0.0.1").want(t, 0, "test")
	var out struct {
		Tests []struct {
			Name, Status, Error string
			Logs                []string
		}
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("actionsd test output: %v\n%s", err, res.stdout)
	}
	type report struct {
		Name      string
		Applied   []bridgeCall
		Commands  []bridgeCall
		Outcome   string
		Thrown    *string
		Ms        float64
		Before    []string
		SentState bool
	}
	results := out.Tests
	got := map[string]report{}
	for _, r := range results {
		for _, l := range r.Logs {
			var rep report
			if json.Unmarshal([]byte(l), &rep) == nil && rep.Name != "" {
				got[rep.Name] = rep
			}
		}
	}
	ops := func(cs []bridgeCall) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Op)
		}
		return out
	}
	// what the bridge must apply: the daemon's commands less cache.* and the reads, with
	// sendUserTo's (url, query) as Auth0 takes it, (url, {query}).
	applicable := func(cs []bridgeCall) []bridgeCall {
		var out []bridgeCall
		for _, c := range cs {
			if strings.HasPrefix(c.Op, "cache.") || c.Op == "redirect.encodeToken" || c.Op == "redirect.canRedirect" {
				continue
			}
			if c.Op == "redirect.sendUserTo" {
				var a []json.RawMessage
				_ = json.Unmarshal(c.Args, &a)
				c.Args = json.RawMessage(`[` + string(a[0]) + `,{"query":` + string(a[1]) + `}]`)
			}
			out = append(out, c)
		}
		return out
	}
	same := func(a, b []bridgeCall) bool {
		return slices.EqualFunc(a, b, func(x, y bridgeCall) bool { return x.Op == y.Op && jsonEqual(x.Args, y.Args) })
	}

	all := got["all"]
	every := []string{"idToken.setCustomClaim", "accessToken.setCustomClaim", "accessToken.addScope", "accessToken.removeScope",
		"user.setUserMetadata", "user.setAppMetadata", "multifactor.enable", "authentication.challengeWith",
		"authentication.challengeWithAny", "authentication.enrollWith", "authentication.enrollWithAny",
		"authentication.recordMethod", "authentication.setPrimaryUser", "transaction.setMetadata",
		"session.setExpiresAt", "session.setIdleExpiresAt", "session.setMetadata", "session.deleteMetadata",
		"session.evictMetadata", "refreshToken.setExpiresAt", "refreshToken.setIdleExpiresAt", "refreshToken.setMetadata",
		"refreshToken.deleteMetadata", "refreshToken.revoke", "session.revoke", "samlResponse.setAttribute",
		"samlResponse.setLifetimeInSeconds", "samlResponse.setAudience"}
	if !slices.Equal(ops(all.Applied), every) || !same(all.Applied, applicable(all.Commands)) || all.Outcome != "success" {
		t.Errorf("all: the bridge applied %s\nthe daemon's commands %s", mustJSON(all.Applied), mustJSON(all.Commands))
	}
	if !slices.Contains(ops(all.Commands), "cache.set") {
		t.Errorf("all: the daemon recorded no cache.set: %v", ops(all.Commands))
	}
	// A form pauses the flow as a redirect does: the bridge keeps the state after the commands.
	if c := got["form"]; len(c.Applied) == 3 && c.Applied[1].Op == "transaction.setMetadata" && c.Applied[2].Op == "transaction.setMetadata" {
		c.Applied = c.Applied[:1]
		got["form"] = c
	}
	for _, name := range []string{"deny", "form"} {
		if c := got[name]; len(c.Applied) == 0 || !same(c.Applied, applicable(c.Commands)) {
			t.Errorf("%s: the bridge applied %s\nthe daemon's commands %s", name, mustJSON(c.Applied), mustJSON(c.Commands))
		}
	}
	if c := got["deny"]; !slices.Equal(ops(c.Applied), []string{"idToken.setCustomClaim", "access.deny"}) || c.Outcome != "denied" {
		t.Errorf("deny: applied %v, outcome %s", ops(c.Applied), c.Outcome)
	}
	// The redirect's token is signed at each execution (iat, exp): compare all but the token. The
	// bridge keeps the daemon's state, and how many commands it applied, in the transaction.
	if c := got["redirect"]; len(c.Applied) != 4 || c.Applied[1].Op != "redirect.sendUserTo" ||
		c.Applied[2].Op != "transaction.setMetadata" || !strings.HasPrefix(string(c.Applied[2].Args), `["actionsd_state","`) ||
		string(c.Applied[3].Args) != `["actionsd_applied",`+strconv.Itoa(len(c.Commands))+`]` ||
		!strings.HasPrefix(string(c.Applied[1].Args), `["https://consent.example.com/start",{"query":{"session_token":"eyJ`) || c.Outcome != "redirect" {
		t.Errorf("redirect: applied %s, outcome %s", mustJSON(c.Applied), c.Outcome)
	}
	// onContinuePostLogin resumed the daemon's flow: the redirecting action's onContinuePostLogin
	// and the action bound after it ran, and the bridge applied what they made, then dropped the
	// state; it sent the state, not its own count.
	if c := got["continue"]; len(c.Applied) < 2 || !same(c.Applied[:len(c.Applied)-2], applicable(c.Commands)) ||
		!slices.Equal(ops(c.Applied), []string{"idToken.setCustomClaim", "user.setAppMetadata", "accessToken.setCustomClaim", "transaction.setMetadata", "transaction.setMetadata"}) ||
		mustJSON(c.Applied[len(c.Applied)-2:]) != `[{"op":"transaction.setMetadata","args":["actionsd_state",null]},{"op":"transaction.setMetadata","args":["actionsd_applied",null]}]` ||
		c.Outcome != "success" || !c.SentState || !slices.Equal(c.Before, []string{"idToken.setCustomClaim", "redirect.sendUserTo", "transaction.setMetadata", "transaction.setMetadata"}) {
		t.Errorf("continue: before the redirect %v; after it applied %s\nthe daemon's commands after the redirect %s, outcome %s, state sent %v",
			c.Before, mustJSON(c.Applied), mustJSON(c.Commands), c.Outcome, c.SentState)
	}
	if c := got["replayed"]; c.Outcome != "denied" || len(c.Applied) != 2 {
		t.Errorf("replayed: the first request: applied %s, outcome %s", mustJSON(c.Applied), c.Outcome)
	}
	if c := got["replay answer"]; c.Outcome != "401 replayed" {
		t.Errorf("the bridge's request sent again: %s, want 401 replayed", c.Outcome)
	}
	if !strings.Contains(res.stdout, `actionsd answered 401 (stale_signature); failing closed`) || strings.Contains(res.stdout, `"sentSecrets\":true`) || strings.Contains(res.stdout, auth0Secret) {
		t.Errorf("the bridge's logs show a secret, or the event's secrets were sent:\n%s", res.stdout)
	}
	denied := `[{"op":"access.deny","args":["actionsd_unavailable","The service is unavailable; please try again later."]}]`
	for _, c := range []struct {
		name, applied string
		thrown        string
	}{
		{"bad secret closed", denied, ""},
		{"bad secret open", `[]`, ""},
		{"bad secret no deny", `[]`, "actionsd bridge (post-change-password): actionsd answered 401 (bad_signature)"},
		{"stale closed", denied, ""},
		{"timeout closed", denied, ""},
		{"continue again", denied, ""},
		{"continue without state", denied, ""},
		{"timeout open", `[]`, ""},
	} {
		g, ok := got[c.name]
		thrown := ""
		if g.Thrown != nil {
			thrown = *g.Thrown
		}
		if !ok || !jsonEqual(json.RawMessage(mustJSON(g.Applied)), json.RawMessage(c.applied)) || thrown != c.thrown {
			t.Errorf("%s: applied %s, threw %q; want %s, %q", c.name, mustJSON(g.Applied), thrown, c.applied, c.thrown)
		}
	}
	// The bridge gave up at its 500 ms timeout, not when the daemon's action ended (3 s).
	for _, name := range []string{"timeout closed", "timeout open"} {
		if ms := got[name].Ms; ms < 400 || ms > 2500 {
			t.Errorf("%s: the bridge took %.0f ms, want about 500", name, ms)
		}
	}
	for _, r := range results {
		if r.Status != "pass" {
			t.Errorf("%s: %s %s", r.Name, r.Status, r.Error)
		}
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return mustJSON(x) == mustJSON(y)
}
