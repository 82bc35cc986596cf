package auth0

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/runner/host/hosttest"
	"github.com/actionsd/actionsd/runner/wire"
	"github.com/actionsd/actionsd/trigger"
	"github.com/dop251/goja"
)

// newAPI makes the api of trig for action "act" in a test runtime, as the global api, and starts
// an execution whose event is event (JSON); it returns the execution's Result.
func newAPI(t *testing.T, trig string, cache *Cache, event string) (*hosttest.VM, *API, *wire.Result) {
	t.Helper()
	vm := hosttest.New(t)
	tr, ok := trigger.Lookup(trig)
	if !ok {
		t.Fatalf("no trigger %s", trig)
	}
	a := New(vm, &vm.In, Config{Action: "act", Trigger: tr, Cache: cache})
	vm.Set("api", a.Object())
	ev := vm.Run("(" + event + ")").(*goja.Object)
	vm.Set("event", ev)
	res := &wire.Result{}
	res.Begin(1)
	a.Begin(Run{Result: res, Event: ev, Request: event})
	return vm, a, res
}

func ops(res *wire.Result) string {
	var out []string
	for _, c := range res.Commands {
		b, _ := json.Marshal(c.Args)
		out = append(out, c.Action+" "+c.Op+" "+string(b))
	}
	return strings.Join(out, "; ")
}

// api.cache answers from the Cache it was given, scoped to its trigger, and records set and
// delete as commands without their values; get is no command.
func TestAPICache(t *testing.T) {
	cache := NewCache()
	vm, _, res := newAPI(t, "post-login", cache, `{}`)
	got := vm.Run(`const r = [];
r.push(api.cache.set('k', 'v1', { ttl: 60000 }).type);
const e = api.cache.get('k');
r.push(e.value, typeof e.expires_at);
r.push(api.cache.set('k', 42).code, api.cache.set('', 'x').code, api.cache.set('big', 'x'.repeat(5000)).code);
r.push(api.cache.delete('k').type, api.cache.delete('k').code, String(api.cache.get('k')));
r.join(' ')`)
	if want := "success v1 number invalid_value invalid_key value_too_long success not_found undefined"; got.String() != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if want := `act cache.set ["k"]; act cache.set ["big"]; act cache.delete ["k"]; act cache.delete ["k"]`; ops(res) != want {
		t.Errorf("commands = %s, want %s", ops(res), want)
	}
	// Another runtime of the same trigger shares the store; another trigger's does not.
	_ = cache.Set("post-login", "shared", "yes", 0, time.Time{})
	same, _, _ := newAPI(t, "post-login", cache, `{}`)
	other, _, _ := newAPI(t, "credentials-exchange", cache, `{}`)
	if got := same.Run(`api.cache.get('shared').value`).String(); got != "yes" {
		t.Errorf("same trigger: got %q", got)
	}
	if got := other.Run(`String(api.cache.get('shared'))`).String(); got != "undefined" {
		t.Errorf("other trigger: got %q", got)
	}
}

// Claims, metadata and a denial fill the Result's Effects as well as its commands, naming the
// action; the api object is frozen and chains.
func TestAPIEffects(t *testing.T) {
	vm, _, res := newAPI(t, "post-login", nil, `{"user": {"user_id": "auth0|1"}}`)
	vm.Run(`api.idToken.setCustomClaim('roles', ['a', 1, null]).idToken.setCustomClaim('o', { n: 1.5 });
api.user.setAppMetadata('plan', 'gold');
api.access.deny('no');
if (!Object.isFrozen(api) || !Object.isFrozen(api.idToken)) throw new Error('not frozen');`)
	e := res.Effects
	claims, _ := json.Marshal(e.IDTokenClaims)
	md, _ := json.Marshal(e.AppMetadata)
	if string(claims) != `{"o":{"n":1.5},"roles":["a",1,null]}` || string(md) != `{"plan":"gold"}` {
		t.Errorf("claims %s, metadata %s", claims, md)
	}
	if e.Access != (wire.Access{Denied: true, Reason: "no", Action: "act"}) {
		t.Errorf("access = %+v", e.Access)
	}
	want := `act idToken.setCustomClaim ["roles",["a",1,null]]; act idToken.setCustomClaim ["o",{"n":1.5}]; act user.setAppMetadata ["plan","gold"]; act access.deny ["no"]`
	if ops(res) != want {
		t.Errorf("commands = %s\nwant %s", ops(res), want)
	}
}

// Arguments are checked as Auth0 checks them, and the api throws outside an execution.
func TestAPIRefusals(t *testing.T) {
	vm, a, res := newAPI(t, "post-login", nil, `{}`)
	for src, want := range map[string]string{
		`api.idToken.setCustomClaim(1, 'x')`:                        "TypeError: api.idToken.setCustomClaim: the claim name must be a string",
		`api.idToken.setCustomClaim('f', () => 1)`:                  "the value is not JSON-serialisable",
		`api.multifactor.enable('sms')`:                             "api.multifactor.enable: the provider must be one of",
		`api.redirect.sendUserTo('javascript:alert')`:               "is not an absolute http(s) URL",
		`api.idToken.newMethod = () => {}; api.idToken.newMethod()`: "has no member 'newMethod'", // frozen
	} {
		if err := vm.RunErr(src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", src, err, want)
		}
	}
	if len(res.Commands) != 0 {
		t.Errorf("refused calls recorded %s", ops(res))
	}
	a.End()
	if err := vm.RunErr(`api.access.deny('late')`); err == nil || !strings.Contains(err.Error(), "api.access.deny was called outside an execution") {
		t.Errorf("after End: error %v", err)
	}
}

// A token encodeToken makes carries the event's claims and the payload; validateToken, in the
// continue handler of the flow it names by its state claim, returns the payload, and refuses a
// token of another flow.
func TestRedirectTokens(t *testing.T) {
	const event = `{"user": {"user_id": "auth0|ada"}, "request": {"hostname": "login.example.com", "ip": "203.0.113.9", "query": {}}}`
	vm, _, _ := newAPI(t, "post-login", nil, event)
	token := vm.Run(`api.redirect.encodeToken({ secret: 's3cret', payload: { a: 1 }, expiresInSeconds: 60 })`).String()
	claims, _, err := verifyHS256("s3cret", token, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"sub": `"auth0|ada"`, "iss": `"login.example.com"`, "ip": `"203.0.113.9"`, "a": "1"} {
		if string(claims[k]) != want {
			t.Errorf("claim %s = %s, want %s", k, claims[k], want)
		}
	}
	if _, _, err := verifyHS256("other", token, time.Now()); err == nil {
		t.Errorf("a token verified with another secret")
	}

	back, _ := json.Marshal(map[string]any{"state": "flow-1", "ok": true, "exp": time.Now().Add(time.Minute).Unix()})
	continued := func(resume string) (*hosttest.VM, error) {
		ev := `{"request": {"query": {"session_token": "` + signHS256("s3cret", back) + `"}}}`
		vm, a, res := newAPI(t, "post-login", nil, ev)
		a.Begin(Run{Result: res, Event: vm.Run("(" + ev + ")").(*goja.Object), Request: ev, Resume: resume})
		return vm, vm.RunErr(`globalThis.payload = api.redirect.validateToken({ secret: 's3cret' })`)
	}
	vm, err = continued("flow-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := vm.Run(`payload.ok`).String(); got != "true" {
		t.Errorf("payload.ok = %s", got)
	}
	if _, err := continued("flow-2"); err == nil || !strings.Contains(err.Error(), "does not match this transaction's state") {
		t.Errorf("another flow's token: %v", err)
	}
	if _, err := continued(""); err == nil || !strings.Contains(err.Error(), "there is no redirect to validate") {
		t.Errorf("outside a continue: %v", err)
	}
}

// Each trigger has api.cache; only the triggers Auth0 documents a surface for have more.
func TestAPISurfacePerTrigger(t *testing.T) {
	for _, tr := range trigger.All {
		vm, _, _ := newAPI(t, tr.Name, nil, `{}`)
		keys := strings.Split(vm.Run(`Object.keys(api).sort().join(',')`).String(), ",")
		if !slices.Contains(keys, "cache") {
			t.Errorf("%s: api has no cache: %v", tr.Name, keys)
		}
		if _, ok := builders[tr.Name]; !ok && len(keys) != 1 {
			t.Errorf("%s: no surface of its own, yet api has %v", tr.Name, keys)
		}
	}
}
