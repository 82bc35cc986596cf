package runner

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/runner/auth0"
)

// consentAction is a consent-form redirect in the style of Auth0's "Redirect with Actions" guide.
const consentAction = `exports.onExecutePostLogin = async (event, api) => {
  if (event.user.app_metadata.consent_given) return;
  if (!api.redirect.canRedirect()) { api.access.deny('consent required'); return; }
  const token = api.redirect.encodeToken({
    secret: event.secrets.SESSION_SECRET,
    expiresInSeconds: 60,
    payload: { email: event.user.email, continue_uri: 'https://' + event.request.hostname + '/continue' },
  });
  api.idToken.setCustomClaim('https://example.com/before', true);
  api.redirect.sendUserTo('https://consent.example.com/form', { query: { session_token: token } });
};

exports.onContinuePostLogin = async (event, api) => {
  const payload = api.redirect.validateToken({ secret: event.secrets.SESSION_SECRET, tokenParameterName: 'consent_token' });
  if (!payload.accepted) { api.access.deny('consent refused'); return; }
  api.user.setAppMetadata('consent_given', true);
  api.idToken.setCustomClaim('https://example.com/consent', payload.version);
};`

const consentSecret = "consent-secret-0123456789"

// externalSite is what the consent site does: read the session token, and answer with a token
// carrying the state and the user's decision, signed with the shared secret.
func externalSite(t *testing.T, redirectURL string, accepted bool) (state, token string) {
	t.Helper()
	u, err := url.Parse(redirectURL)
	if err != nil {
		t.Fatal(err)
	}
	state = u.Query().Get("state")
	in, err := siteVerify(consentSecret, u.Query().Get("session_token"))
	if err != nil {
		t.Fatalf("session token: %v", err)
	}
	var email string
	_ = json.Unmarshal(in["email"], &email)
	if email != "ada@example.com" {
		t.Errorf("session token email = %q, want ada@example.com", email)
	}
	for _, c := range []string{"iat", "exp", "sub", "iss", "ip"} {
		if _, ok := in[c]; !ok {
			t.Errorf("session token has no %s claim: %v", c, in)
		}
	}
	out, _ := json.Marshal(map[string]any{"state": state, "accepted": accepted, "version": "v3",
		"exp": time.Now().Add(time.Minute).Unix(), "sub": "auth0|ada"})
	return state, siteSign(consentSecret, out)
}

// siteSign and siteVerify are the consent site's HS256 JWTs, written apart from the api's.
func siteSign(secret string, claims []byte) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

func siteVerify(secret, token string) (map[string]json.RawMessage, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWT")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if sig, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return nil, errors.New("bad signature")
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(body, &claims); err != nil {
		return nil, err
	}
	var exp int64
	if json.Unmarshal(claims["exp"], &exp) != nil || time.Now().Unix() >= exp {
		return nil, errors.New("expired or no exp")
	}
	return claims, nil
}

const loginEvent = `{"user":{"user_id":"auth0|ada","email":"ada@example.com","app_metadata":{}},
"request":{"ip":"203.0.113.9","hostname":"login.example.com","query":{}},"transaction":{"protocol":"oidc-basic-profile"}}`

func consentSpec() *Spec {
	consent := newAction("consent", consentAction)
	consent.Secrets = map[string]string{"SESSION_SECRET": consentSecret}
	after := newAction("after", `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://example.com/after', event.request.query.consent_token ? 'resumed' : 'direct');
};`)
	return newSpec(consent, after)
}

func continueBody(state, token string) []byte {
	b, _ := json.Marshal(map[string]any{"state": state, "request": map[string]any{"query": map[string]any{"consent_token": token, "state": state}}})
	return b
}

func TestRedirectAndContinue(t *testing.T) {
	g := mustBuild(t, consentSpec(), Options{StateKey: []byte("k0123456789abcdef0123456789abcdef")})
	ctx := context.Background()

	res := mustExecute(t, g, "post-login", loginEvent)
	if res.Outcome != OutcomeRedirect {
		t.Fatalf("outcome = %s, want redirect: %s", res.Outcome, toJSON(t, res))
	}
	if got := len(res.Actions); got != 1 {
		t.Errorf("ran %d actions before the redirect, want 1", got)
	}
	r := res.Effects.Redirect
	if r == nil || r.State == "" || !strings.HasPrefix(r.URL, "https://consent.example.com/form?") {
		t.Fatalf("redirect = %s, want the consent form with a state", toJSON(t, r))
	}
	if plain, _ := base64.RawURLEncoding.DecodeString(r.State); strings.Contains(string(plain), "ada@example.com") {
		t.Errorf("the state reveals the event: %s", r.State)
	}
	state, token := externalSite(t, r.URL, true)
	if state != r.State {
		t.Errorf("URL state = %q, want the result's state %q", state, r.State)
	}

	done, err := g.Continue(ctx, "", continueBody(state, token))
	if err != nil {
		t.Fatal(err)
	}
	wantSuccess(t, done)
	if got, want := toJSON(t, done.Effects.IDTokenClaims), `{"https://example.com/after":"resumed","https://example.com/before":true,"https://example.com/consent":"v3"}`; got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
	if got, want := strings.Join(ops(done.Commands), ","), "idToken.setCustomClaim,redirect.sendUserTo,user.setAppMetadata,idToken.setCustomClaim,idToken.setCustomClaim"; got != want {
		t.Errorf("commands = %s, want %s", got, want)
	}
	if got, want := toJSON(t, names(done.Actions)), `["consent","after"]`; got != want {
		t.Errorf("actions = %s, want %s", got, want)
	}
	if done.Effects.Redirect != nil {
		t.Errorf("redirect after continue = %s, want null", toJSON(t, done.Effects.Redirect))
	}

	// Replayed: refused.
	if _, err := g.Continue(ctx, "", continueBody(state, token)); !errors.Is(err, ErrBadState) {
		t.Errorf("replay: err = %v, want ErrBadState", err)
	}

	// A refused consent denies.
	res = mustExecute(t, g, "post-login", loginEvent)
	state, token = externalSite(t, res.Effects.Redirect.URL, false)
	done, err = g.Continue(ctx, state, continueBody(state, token))
	if err != nil || done.Outcome != OutcomeDenied || done.Effects.Access.Reason != "consent refused" {
		t.Errorf("refused consent: got %v %s, want denied", err, toJSON(t, done))
	}

	// A token for another state (another login) fails the action.
	res1 := mustExecute(t, g, "post-login", loginEvent)
	res2 := mustExecute(t, g, "post-login", loginEvent)
	_, token2 := externalSite(t, res2.Effects.Redirect.URL, true)
	done, err = g.Continue(ctx, res1.Effects.Redirect.State, continueBody(res1.Effects.Redirect.State, token2))
	if err != nil || done.Outcome != OutcomeFailed || !strings.Contains(done.Actions[0].Error.Message, "state claim does not match") {
		t.Errorf("token of another state: got %v %s, want failed with a state mismatch", err, toJSON(t, done))
	}
}

func names(ars []ActionResult) []string {
	var out []string
	for _, a := range ars {
		out = append(out, a.Name)
	}
	return out
}

func TestContinueRejectsBadStates(t *testing.T) {
	key := []byte("k0123456789abcdef0123456789abcdef")
	g := mustBuild(t, consentSpec(), Options{StateKey: key})
	ctx := context.Background()
	res := mustExecute(t, g, "post-login", loginEvent)
	state := res.Effects.Redirect.State

	expired := &pausedFlow{Version: 1, ID: "x1", Trigger: "post-login", Action: "consent", Expires: time.Now().Add(-time.Second).Unix(), Event: json.RawMessage(`{}`)}
	expiredState, err := g.sealer.seal(expired)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(state)
	raw[len(raw)-1] ^= 1
	tampered := base64.RawURLEncoding.EncodeToString(raw)
	other := mustBuild(t, consentSpec(), Options{StateKey: []byte("another key, another daemon.....")})

	tests := []struct {
		name  string
		g     *Generation
		state string
	}{
		{"empty", g, ""},
		{"garbage", g, "not-a-state"},
		{"tampered", g, tampered},
		{"expired", g, expiredState},
		{"sealed with another key", other, state},
		{"forged as an HMAC of the payload", g, forgeState(key)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.g.Continue(ctx, tt.state, []byte(`{}`))
			var re *RequestError
			if !errors.Is(err, ErrBadState) || !errors.As(err, &re) || res != nil {
				t.Errorf("got (%v, %v), want a *RequestError wrapping ErrBadState", res, err)
			}
		})
	}

	// The same key in a new generation (a restart, another replica) resumes the state.
	restarted := mustBuild(t, consentSpec(), Options{StateKey: key, Cache: auth0.NewCache()})
	u, _ := url.Parse(res.Effects.Redirect.URL)
	_, token := externalSite(t, u.String(), true)
	done, err := restarted.Continue(ctx, state, continueBody(state, token))
	if err != nil {
		t.Fatal(err)
	}
	wantSuccess(t, done)
}

// forgeState is what someone who guessed the format but not the sealing would send.
func forgeState(key []byte) string {
	p, _ := json.Marshal(map[string]any{"v": 1, "id": "f", "t": "post-login", "a": "consent", "e": time.Now().Add(time.Hour).Unix()})
	mac := hmac.New(sha256.New, key)
	mac.Write(p)
	return base64.RawURLEncoding.EncodeToString(p) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func TestCanRedirect(t *testing.T) {
	a := newAction("r", `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('can', api.redirect.canRedirect());
  try { api.redirect.sendUserTo('https://x.example.com'); } catch (e) { api.idToken.setCustomClaim('err', e.message.slice(0, 40)); }
};`)
	g := mustBuild(t, newSpec(a), Options{})
	tests := []struct{ give, want string }{
		{`{"transaction":{"protocol":"oauth2-refresh-token"}}`, `{"can":false,"err":"api.redirect.sendUserTo: this transactio"}`},
		{`{"transaction":{"protocol":"oauth2-password"}}`, `{"can":false,"err":"api.redirect.sendUserTo: this transactio"}`},
		{`{"request":{"query":{"prompt":"none"}}}`, `{"can":false,"err":"api.redirect.sendUserTo: this transactio"}`},
	}
	for _, tt := range tests {
		res := mustExecute(t, g, "post-login", tt.give)
		if got := toJSON(t, res.Effects.IDTokenClaims); got != tt.want || res.Outcome != OutcomeSuccess {
			t.Errorf("%s: claims = %s outcome %s, want %s success", tt.give, got, res.Outcome, tt.want)
		}
	}
	res := mustExecute(t, g, "post-login", `{"transaction":{"protocol":"oidc-basic-profile"}}`)
	if res.Outcome != OutcomeRedirect || toJSON(t, res.Effects.IDTokenClaims) != `{"can":true}` {
		t.Errorf("interactive login: got %s, want a redirect", toJSON(t, res))
	}
}

func TestTestRedirectResumesOnlyThatAction(t *testing.T) {
	g := mustBuild(t, consentSpec(), Options{})
	res, err := g.Test(context.Background(), "consent", []byte(loginEvent))
	if err != nil || res.Outcome != OutcomeRedirect {
		t.Fatalf("got %v %s, want a redirect", err, toJSON(t, res))
	}
	state, token := externalSite(t, res.Effects.Redirect.URL, true)
	done, err := g.Continue(context.Background(), state, continueBody(state, token))
	if err != nil {
		t.Fatal(err)
	}
	wantSuccess(t, done)
	if got, want := toJSON(t, names(done.Actions)), `["consent"]`; got != want {
		t.Errorf("actions = %s, want %s", got, want)
	}
}

func TestPromptRenderPauses(t *testing.T) {
	a := newAction("form", `exports.onExecutePostLogin = async (event, api) => {
  api.prompt.render('ap_123', { vars: { plan: 'gold' } });
};
exports.onContinuePostLogin = async (event, api) => {
  api.user.setUserMetadata('answer', event.prompt.fields.answer);
};`)
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "post-login", `{}`)
	if res.Outcome != OutcomeRedirect || res.Effects.Redirect.FormID != "ap_123" || string(res.Effects.Redirect.Form) != `{"vars":{"plan":"gold"}}` {
		t.Fatalf("got %s, want a paused form", toJSON(t, res))
	}
	done, err := g.Continue(context.Background(), res.Effects.Redirect.State, []byte(`{"prompt":{"fields":{"answer":42}}}`))
	if err != nil {
		t.Fatal(err)
	}
	wantSuccess(t, done)
	if got, want := toJSON(t, done.Effects.UserMetadata), `{"answer":42}`; got != want {
		t.Errorf("user metadata = %s, want %s", got, want)
	}
}

func TestMergePatch(t *testing.T) {
	tests := []struct{ give, patch, want string }{
		{`{"a":1,"r":{"ip":"x","q":{"a":1}}}`, `{"r":{"q":{"b":2}}}`, `{"a":1,"r":{"ip":"x","q":{"a":1,"b":2}}}`},
		{`{"a":1,"b":2}`, `{"a":null}`, `{"b":2}`},
		{`{"a":{"b":1}}`, `{"a":[1]}`, `{"a":[1]}`},
		{`{}`, `{"n":{"x":null,"y":1}}`, `{"n":{"y":1}}`},
	}
	for _, tt := range tests {
		var p map[string]json.RawMessage
		_ = json.Unmarshal([]byte(tt.patch), &p)
		if got := string(mergePatch(json.RawMessage(tt.give), p)); got != tt.want {
			t.Errorf("mergePatch(%s, %s) = %s, want %s", tt.give, tt.patch, got, tt.want)
		}
	}
}
