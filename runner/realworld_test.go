package runner

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/actionsd/actionsd/runner/auth0"
)

// Real-world actions in the style of Auth0's documentation examples.

const ipAllowList = `// Only allow logins from the office networks.
const ALLOWED = ['203.0.113.0/24', '198.51.100.16/28', '2001:db8:abcd::/48'];

function ipv4ToInt(ip) {
  return ip.split('.').reduce((acc, o) => (acc << 8) + parseInt(o, 10), 0) >>> 0;
}
function ipv6ToBigInt(ip) {
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}
function inCidr(ip, cidr) {
  const [range, bits] = cidr.split('/');
  const n = parseInt(bits, 10);
  if (ip.includes(':') !== range.includes(':')) return false;
  if (ip.includes(':')) {
    const mask = n === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - n)) - 1n);
    return (ipv6ToBigInt(ip) & mask) === (ipv6ToBigInt(range) & mask);
  }
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return ((ipv4ToInt(ip) & mask) >>> 0) === ((ipv4ToInt(range) & mask) >>> 0);
}

exports.onExecutePostLogin = async (event, api) => {
  const ip = event.request.ip;
  if (!ALLOWED.some((cidr) => inCidr(ip, cidr))) {
    api.access.deny(` + "`Access from ${ip} is not allowed.`" + `);
  }
};`

const mfaOutsideNetwork = `const CORPORATE = /^10\.20\./;
exports.onExecutePostLogin = async (event, api) => {
  if (!CORPORATE.test(event.request.ip)) {
    api.multifactor.enable('any', { allowRememberBrowser: false });
  }
};`

const claimsFromRoles = `exports.onExecutePostLogin = async (event, api) => {
  const namespace = 'https://my-app.example.com';
  if (event.authorization) {
    api.idToken.setCustomClaim(` + "`${namespace}/roles`" + `, event.authorization.roles);
    api.accessToken.setCustomClaim(` + "`${namespace}/roles`" + `, event.authorization.roles);
  }
};`

const claimCopier = `/**
 * Copies the client's metadata into the access token, and refuses clients without a tier.
 */
exports.onExecuteCredentialsExchange = async (event, api) => {
  const md = event.client.metadata || {};
  if (!md.tier) {
    api.access.deny('invalid_request', 'client ' + event.client.client_id + ' has no tier');
    return;
  }
  for (const [k, v] of Object.entries(md)) {
    api.accessToken.setCustomClaim('https://api.example.com/' + k, v);
  }
  if (md.tier === 'free') api.transaction.removeTargetScope('write:all');
};`

const slackNotification = `exports.onExecutePostUserRegistration = async (event) => {
  const res = await fetch(event.secrets.SLACK_WEBHOOK_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: ` + "`New User: ${event.user.email}`" + ` }),
  });
  if (!res.ok) throw new Error('Slack answered ' + res.status);
  console.log('slack:', await res.text());
};`

const denyByDomain = `exports.onExecutePreUserRegistration = async (event, api) => {
  if (event.user.email.endsWith('@example.org')) {
    api.access.deny('email_domain_blocked', "Sign-ups from example.org aren't allowed.");
  } else if (!event.user.email.includes('.')) {
    api.validation.error('invalid_email', 'The email address looks wrong.');
  } else {
    api.user.setAppMetadata('signup_source', event.request.hostname);
  }
};`

func TestRealWorldPostLogin(t *testing.T) {
	allow := newAction("ip-allow-list", ipAllowList)
	mfa := newAction("mfa-outside-network", mfaOutsideNetwork)
	roles := newAction("claims-from-roles", claimsFromRoles)
	g := mustBuild(t, newSpec(allow, mfa, roles), Options{})
	tests := []struct {
		name, event, outcome, access, mfa, claims string
	}{
		{"office IPv4, corporate", `{"request":{"ip":"203.0.113.77"},"authorization":{"roles":["admin"]}}`, OutcomeSuccess,
			`{"denied":false}`, `{"provider":"any","options":{"allowRememberBrowser":false}}`, `{"https://my-app.example.com/roles":["admin"]}`},
		{"second office range", `{"request":{"ip":"198.51.100.20"},"authorization":{"roles":[]}}`, OutcomeSuccess,
			`{"denied":false}`, `{"provider":"any","options":{"allowRememberBrowser":false}}`, `{"https://my-app.example.com/roles":[]}`},
		{"just outside the /28", `{"request":{"ip":"198.51.100.32"}}`, OutcomeDenied,
			`{"denied":true,"reason":"Access from 198.51.100.32 is not allowed.","action":"ip-allow-list"}`, `null`, `{}`},
		{"IPv6 office", `{"request":{"ip":"2001:db8:abcd:12::1"},"authorization":{"roles":["dev"]}}`, OutcomeSuccess,
			`{"denied":false}`, `{"provider":"any","options":{"allowRememberBrowser":false}}`, `{"https://my-app.example.com/roles":["dev"]}`},
		{"IPv6 elsewhere", `{"request":{"ip":"2001:db8:abce::1"}}`, OutcomeDenied,
			`{"denied":true,"reason":"Access from 2001:db8:abce::1 is not allowed.","action":"ip-allow-list"}`, `null`, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustExecute(t, g, "post-login", tt.event)
			if res.Outcome != tt.outcome {
				t.Fatalf("outcome = %s, want %s: %s", res.Outcome, tt.outcome, toJSON(t, res))
			}
			for _, c := range []struct{ what, got, want string }{
				{"access", toJSON(t, res.Effects.Access), tt.access},
				{"multifactor", toJSON(t, res.Effects.Multifactor), tt.mfa},
				{"id token claims", mapJSON(t, res.Effects.IDTokenClaims), tt.claims},
			} {
				if c.got != c.want {
					t.Errorf("%s = %s, want %s", c.what, c.got, c.want)
				}
			}
		})
	}
	// Inside the corporate network, no MFA.
	allow2 := newAction("ip-allow-list", strings.Replace(ipAllowList, "'203.0.113.0/24'", "'10.20.0.0/16'", 1))
	g2 := mustBuild(t, newSpec(allow2, mfa), Options{})
	res := mustExecute(t, g2, "post-login", `{"request":{"ip":"10.20.3.4"}}`)
	if res.Outcome != OutcomeSuccess || res.Effects.Multifactor != nil {
		t.Errorf("corporate network: got %s, want success without MFA", toJSON(t, res))
	}
}

func TestRealWorldCredentialsExchange(t *testing.T) {
	a := newAction("claim-copier", claimCopier)
	a.Trigger = "credentials-exchange"
	g := mustBuild(t, newSpec(a), Options{})
	res := mustExecute(t, g, "credentials-exchange", `{"client":{"client_id":"c1","metadata":{"tier":"free","region":"eu"}},"transaction":{"target_scopes":["read:all","write:all"]}}`)
	wantSuccess(t, res)
	if got, want := toJSON(t, res.Effects.AccessTokenClaims), `{"https://api.example.com/region":"eu","https://api.example.com/tier":"free"}`; got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
	if got, want := toJSON(t, res.Effects.TargetScopes), `["read:all"]`; got != want {
		t.Errorf("target scopes = %s, want %s", got, want)
	}
	res = mustExecute(t, g, "credentials-exchange", `{"client":{"client_id":"c2"}}`)
	if got, want := toJSON(t, res.Effects.Access), `{"denied":true,"reason":"client c2 has no tier","code":"invalid_request","action":"claim-copier"}`; res.Outcome != OutcomeDenied || got != want {
		t.Errorf("no tier: outcome %s access %s, want denied %s", res.Outcome, got, want)
	}
}

func TestRealWorldSlackNotification(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]string
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		mu.Lock()
		got = append(got, body)
		mu.Unlock()
		io.WriteString(w, "ok")
	}))
	defer slack.Close()
	a := newAction("slack", slackNotification)
	a.Trigger = "post-user-registration"
	a.Secrets = map[string]string{"SLACK_WEBHOOK_URL": slack.URL + "/services/T000/B000/XXXX"}
	g := mustBuild(t, newSpec(a), Options{HTTPClient: loopbackClient(t)})
	res := mustExecute(t, g, "post-user-registration", `{"user":{"email":"ada@example.com"}}`)
	wantSuccess(t, res)
	if got, want := toJSON(t, res.Actions[0].Logs), `["slack: ok"]`; got != want {
		t.Errorf("logs = %s, want %s", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0]["text"] != "New User: ada@example.com" {
		t.Errorf("slack got %v, want one message about ada", got)
	}
}

func TestRealWorldPreUserRegistration(t *testing.T) {
	a := newAction("domains", denyByDomain)
	a.Trigger = "pre-user-registration"
	g := mustBuild(t, newSpec(a), Options{})
	tests := []struct{ give, outcome, want string }{
		{`{"user":{"email":"eve@example.org"}}`, OutcomeDenied, `{"denied":true,"reason":"email_domain_blocked","action":"domains","user_message":"Sign-ups from example.org aren't allowed."}`},
		{`{"user":{"email":"bob@localhost"}}`, OutcomeDenied, `{"denied":true,"reason":"The email address looks wrong.","code":"invalid_email","action":"domains"}`},
		{`{"user":{"email":"ada@example.com"},"request":{"hostname":"login.example.com"}}`, OutcomeSuccess, `{"denied":false}`},
	}
	for _, tt := range tests {
		res := mustExecute(t, g, "pre-user-registration", tt.give)
		if res.Outcome != tt.outcome || toJSON(t, res.Effects.Access) != tt.want {
			t.Errorf("%s: got %s %s, want %s %s", tt.give, res.Outcome, toJSON(t, res.Effects.Access), tt.outcome, tt.want)
		}
	}
}

// TestAPIArgumentValidation checks that each trigger's api refuses what Auth0 refuses, with a
// TypeError naming the method, and that every method of SPEC §4 exists.
func TestAPIArgumentValidation(t *testing.T) {
	tests := []struct {
		trigger, call, want string
	}{
		{"post-login", `api.idToken.setCustomClaim(1, 'x')`, "api.idToken.setCustomClaim: the claim name must be a string"},
		{"post-login", `api.idToken.setCustomClaim('a', Symbol('s'))`, "api.idToken.setCustomClaim: the value is not JSON-serialisable (symbol)"},
		{"post-login", `api.idToken.setCustomClaim('a', 10n)`, "api.idToken.setCustomClaim: the value is not JSON-serialisable: TypeError: Do not know how to serialize a BigInt"},
		{"post-login", `api.multifactor.enable('sms')`, `api.multifactor.enable: the provider must be one of [any duo google-authenticator guardian none], not "sms"`},
		{"post-login", `api.authentication.challengeWith({ type: 'carrier-pigeon' })`, "api.authentication.challengeWith: the factor type must be one of [otp recovery-code email phone push-notification webauthn-platform webauthn-roaming]"},
		{"post-login", `api.authentication.challengeWithAny([])`, "api.authentication.challengeWithAny: the factors must be a non-empty array"},
		{"post-login", `api.redirect.sendUserTo('/relative')`, `api.redirect.sendUserTo: "/relative" is not an absolute http(s) URL`},
		{"post-login", `api.redirect.encodeToken({ payload: {} })`, "api.redirect.encodeToken: options.secret must be a non-empty string"},
		{"post-login", `api.redirect.validateToken({ secret: 'x' })`, "api.redirect.validateToken: there is no redirect to validate; call it in the continue handler"},
		{"post-login", `api.session.setExpiresAt('tomorrow')`, "api.session.setExpiresAt: the expiry (ms since the epoch) must be a number"},
		{"post-login", `api.samlResponse.setSignatureAlgorithm('md5')`, `api.samlResponse.setSignatureAlgorithm: the algorithm must be "rsa-sha256" or "rsa-sha1"`},
		{"post-login", `api.samlResponse.setSignResponse('yes')`, "api.samlResponse.setSignResponse: the value must be a boolean"},
		{"post-login", `api.prompt.render('')`, "api.prompt.render: the form id must not be empty"},
		{"credentials-exchange", `api.access.deny('nope', 'x')`, `api.access.deny: the code must be one of [invalid_scope invalid_request server_error], not "nope"`},
		{"credentials-exchange", `api.transaction.setTargetScopes('read')`, "api.transaction.setTargetScopes: the scopes must be an array of strings"},
		{"pre-user-registration", `api.validation.error('code')`, "api.validation.error: the error message must be a string"},
		{"password-reset-post-challenge", `api.transaction.setResultUrl('ftp://x')`, `api.transaction.setResultUrl: "ftp://x" is not an absolute http(s) URL`},
		{"custom-token-exchange", `api.authentication.setUserByConnection('db', { email: 'a' }, { creationBehavior: 'always' })`, "api.authentication.setUserByConnection: options.creationBehavior must be one of [create_if_not_exists none]"},
		{"custom-email-provider", `api.notification.drop(5)`, "api.notification.drop: the reason must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.trigger+" "+tt.call, func(t *testing.T) {
			a := newAction("v", `exports.`+handlerOf(tt.trigger)+` = async (event, api) => { `+tt.call+`; };`)
			a.Trigger = tt.trigger
			g := mustBuild(t, newSpec(a), Options{})
			res, err := g.Test(context.Background(), "v", []byte(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			msg := ""
			if res.Actions[0].Error != nil {
				msg = strings.TrimPrefix(res.Actions[0].Error.Message, "TypeError: ")
				msg = strings.TrimPrefix(msg, "Error: ")
			}
			if msg != tt.want {
				t.Errorf("error = %q, want %q", msg, tt.want)
			}
		})
	}
}

// mapJSON is toJSON of an Effects map, where nil is {} as in the result document.
func mapJSON(t *testing.T, m map[string]any) string {
	if m == nil {
		return "{}"
	}
	return toJSON(t, m)
}

func handlerOf(trig string) string {
	for _, t := range triggerList() {
		if t[0] == trig {
			return t[1]
		}
	}
	return ""
}

func triggerList() [][2]string {
	return [][2]string{
		{"post-login", "onExecutePostLogin"}, {"credentials-exchange", "onExecuteCredentialsExchange"},
		{"pre-user-registration", "onExecutePreUserRegistration"}, {"post-user-registration", "onExecutePostUserRegistration"},
		{"post-change-password", "onExecutePostChangePassword"}, {"send-phone-message", "onExecuteSendPhoneMessage"},
		{"password-reset-post-challenge", "onExecutePostChallenge"}, {"custom-email-provider", "onExecuteCustomEmailProvider"},
		{"custom-phone-provider", "onExecuteCustomPhoneProvider"}, {"custom-token-exchange", "onExecuteCustomTokenExchange"},
		{"event-stream", "onExecuteEventStream"}, {"login-post-identifier", "onExecutePostIdentifier"},
		{"signup-post-identifier", "onExecutePostIdentifier"}, {"password-hash-migration", "onExecutePasswordHashMigration"},
		{"post-credential-validation", "onExecutePostCredentialValidation"},
	}
}

// TestAPISurface lists every method of each trigger's api.
func TestAPISurface(t *testing.T) {
	want := map[string]string{
		"post-login":                    "access.deny accessToken.addScope accessToken.removeScope accessToken.setCustomClaim authentication.challengeWith authentication.challengeWithAny authentication.enrollWith authentication.enrollWithAny authentication.recordMethod authentication.setPrimaryUser cache.delete cache.get cache.set groups.getUserGroups groups.hasGroupMembership idToken.setCustomClaim multifactor.enable prompt.render redirect.canRedirect redirect.encodeToken redirect.sendUserTo redirect.validateToken refreshToken.deleteMetadata refreshToken.evictMetadata refreshToken.revoke refreshToken.setExpiresAt refreshToken.setIdleExpiresAt refreshToken.setMetadata roles.getUserEffectiveRoles roles.getUserEffectiveRolesInOrganization rules.wasExecuted samlResponse.setAttribute samlResponse.setAudience samlResponse.setAuthnContextClassRef samlResponse.setCert samlResponse.setCreateUpnClaim samlResponse.setDestination samlResponse.setDigestAlgorithm samlResponse.setEncryptionCert samlResponse.setEncryptionPublicKey samlResponse.setIncludeAttributeNameFormat samlResponse.setIssuer samlResponse.setKey samlResponse.setLifetimeInSeconds samlResponse.setMapIdentities samlResponse.setMapUnknownClaimsAsIs samlResponse.setNameIdentifierFormat samlResponse.setNameIdentifierProbes samlResponse.setPassthroughClaimsWithNoMapping samlResponse.setRecipient samlResponse.setRelayState samlResponse.setSignResponse samlResponse.setSignatureAlgorithm samlResponse.setSigningCert samlResponse.setTypedAttributes session.deleteMetadata session.evictMetadata session.revoke session.setExpiresAt session.setIdleExpiresAt session.setMetadata transaction.addTargetScope transaction.clearTargetScopes transaction.removeTargetScope transaction.setMetadata transaction.setTargetScopes user.setAppMetadata user.setUserMetadata validation.error",
		"credentials-exchange":          "access.deny accessToken.setCustomClaim cache.delete cache.get cache.set transaction.addTargetScope transaction.clearTargetScopes transaction.removeTargetScope transaction.setTargetScopes",
		"pre-user-registration":         "access.deny cache.delete cache.get cache.set user.setAppMetadata user.setUserMetadata validation.error",
		"post-user-registration":        "cache.delete cache.get cache.set",
		"password-reset-post-challenge": "access.deny authentication.challengeWith authentication.challengeWithAny cache.delete cache.get cache.set prompt.render redirect.canRedirect redirect.encodeToken redirect.sendUserTo redirect.validateToken transaction.setResultUrl",
		"custom-email-provider":         "cache.delete cache.get cache.set notification.drop notification.retry",
		"custom-token-exchange":         "access.deny access.rejectInvalidSubjectToken authentication.setActor authentication.setOrganization authentication.setUserByConnection authentication.setUserById cache.delete cache.get cache.set groups.getUserGroups groups.hasGroupMembership roles.getUserEffectiveRoles roles.getUserEffectiveRolesInOrganization user.setAppMetadata user.setUserMetadata",
		"login-post-identifier":         "access.deny authentication.setConnectionByName cache.delete cache.get cache.set",
		"signup-post-identifier":        "access.deny authentication.setConnectionByName cache.delete cache.get cache.set",
		"password-hash-migration":       "access.deny authentication.setPasswordVerified cache.delete cache.get cache.set",
		"post-credential-validation":    "access.deny cache.delete cache.get cache.set groups.getUserGroups groups.hasGroupMembership roles.getUserEffectiveRoles roles.getUserEffectiveRolesInOrganization",
	}
	for trig, w := range want {
		a := newAction("s", `exports.`+handlerOf(trig)+` = async (event, api) => {
  const names = [];
  for (const g of Object.keys(api)) for (const m of Object.keys(api[g])) names.push(g + '.' + m);
  api.cache.set('surface', names.sort().join(' '));
};`)
		a.Trigger = trig
		cache := auth0.NewCache()
		g := mustBuild(t, newSpec(a), Options{Cache: cache})
		res, _ := g.Test(context.Background(), "s", []byte(`{}`))
		wantSuccess(t, res)
		e, _ := cache.Get(trig, "surface")
		if e.Value != w {
			t.Errorf("%s api = %s\nwant %s", trig, e.Value, w)
		}
	}
}
