package runner

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/actionsd/actionsd/trigger"
	"github.com/dop251/goja"
)

// Redirects (api.redirect.sendUserTo, api.prompt.render) pause a flow: the execution ends with
// outcome "redirect" and Effects.Redirect.State, an opaque string the caller hands back to
// POST /v1/continue (Generation.Continue) when the user returns. The state carries everything
// needed to resume — the trigger, the action, the event, and the commands and effects so far — so
// any replica can resume it, and it is sealed with AES-256-GCM under a key derived from
// Options.StateKey: it can be neither forged nor read (the user's browser carries it to a third
// party). A state resumes at most once per daemon (a replay is refused; replicas do not share
// what they have seen, so a replay across replicas is stopped only by the expiry) and only
// before it expires (RedirectStateTTL). With no StateKey configured, a random key is drawn once
// per process: states then do not survive a restart; configure the key to let them.

// RedirectStateTTL is how long a redirect state can be resumed.
const RedirectStateTTL = time.Hour

// Redirect token rules, as Auth0's api.redirect.encodeToken/validateToken have them.
const (
	defaultTokenExpiry    = 900 * time.Second
	defaultTokenParameter = "session_token"
	maxStateBytes         = 64 << 10 // a sealed state larger than this is refused
)

// ErrBadState is a Continue whose state is not one this daemon sealed, has expired, or was used.
var ErrBadState = errors.New("the redirect state is invalid, expired or already used")

// processStateKey is the state key of a process that configured none.
var processStateKey = sync.OnceValue(func() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
})

// stateSealer seals and opens redirect states; it is immutable.
type stateSealer struct {
	aead cipher.AEAD
}

func newStateSealer(key []byte) *stateSealer {
	if len(key) == 0 {
		key = processStateKey()
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("actionsd redirect state v1"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		panic(err) // a 32-byte key never fails
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &stateSealer{aead: aead}
}

// pausedFlow is what a redirect state seals.
type pausedFlow struct {
	Version  int             `json:"v"`
	ID       string          `json:"id"` // random: what the replay check remembers
	Exec     string          `json:"x"`  // the execution that paused
	Trigger  string          `json:"t"`
	Action   string          `json:"a"`
	Single   bool            `json:"s,omitempty"` // paused in Test: resume only this action
	Expires  int64           `json:"e"`           // unix seconds
	Event    json.RawMessage `json:"ev"`
	Commands []Command       `json:"c"`
	Effects  sealedEffects   `json:"r"`
}

// sealedEffects is Effects with its claim and metadata values kept as raw JSON (in Effects,
// those maps are nil, encoded as null).
type sealedEffects struct {
	Effects           Effects                    `json:"e"`
	IDTokenClaims     map[string]json.RawMessage `json:"id"`
	AccessTokenClaims map[string]json.RawMessage `json:"at"`
	AppMetadata       map[string]json.RawMessage `json:"am"`
	UserMetadata      map[string]json.RawMessage `json:"um"`
}

func rawMap(m map[string]any) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		if r, ok := v.(json.RawMessage); ok {
			out[k] = r
		} else if b, err := json.Marshal(v); err == nil {
			out[k] = b
		}
	}
	return out
}

func anyMap(m map[string]json.RawMessage) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *stateSealer) seal(p *pausedFlow) (string, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	var z bytes.Buffer
	zw, _ := flate.NewWriter(&z, flate.BestSpeed)
	zw.Write(plain)
	zw.Close()
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+z.Len()+s.aead.Overhead())
	_, _ = rand.Read(nonce)
	sealed := s.aead.Seal(nonce, nonce, z.Bytes(), nil)
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

func (s *stateSealer) open(state string) (*pausedFlow, error) {
	if len(state) > maxStateBytes {
		return nil, errors.New("too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(state)
	// Only the one spelling seal made: the decoder skips line breaks and ignores the padding bits
	// of the last character, which would let several strings open as one state.
	if err != nil || len(raw) < s.aead.NonceSize()+s.aead.Overhead() || base64.RawURLEncoding.EncodeToString(raw) != state {
		return nil, errors.New("malformed")
	}
	n := s.aead.NonceSize()
	z, err := s.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return nil, errors.New("not sealed by this daemon's key")
	}
	plain, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(z)), 16<<20))
	if err != nil {
		return nil, errors.New("corrupt")
	}
	var p pausedFlow
	if err := json.Unmarshal(plain, &p); err != nil || p.Version != 1 {
		return nil, errors.New("unknown format")
	}
	return &p, nil
}

// Continue resumes a flow that a redirect paused: state is Effects.Redirect.State of that
// execution, and body a JSON object whose members other than "state" are merged into the paused
// execution's event as a JSON merge patch (RFC 7396), so that a caller can pass what the user
// brought back, e.g. {"state": "…", "request": {"query": {"session_token": "…"}}}. It runs the
// trigger's continue handler (onContinuePostLogin, onContinuePostChallenge) of the action that
// redirected, then the actions bound after it in this generation, and returns the §4 document of
// the whole flow: the commands and effects from before the redirect come first. A state that is
// forged, expired or already used is a *RequestError wrapping ErrBadState.
func (g *Generation) Continue(ctx context.Context, state string, body []byte) (*Result, error) {
	if len(body) == 0 {
		body = []byte("{}")
	}
	if !isJSONObject(body) {
		return nil, &RequestError{Kind: ErrBadEvent}
	}
	var overrides map[string]json.RawMessage
	if err := json.Unmarshal(body, &overrides); err != nil {
		return nil, &RequestError{Kind: ErrBadEvent}
	}
	if state == "" {
		if err := json.Unmarshal(overrides["state"], &state); err != nil || state == "" {
			return nil, &RequestError{Kind: ErrBadState, Name: "no state given"}
		}
	}
	delete(overrides, "state")

	p, err := g.sealer.open(state)
	if err != nil {
		return nil, &RequestError{Kind: ErrBadState, Name: err.Error()}
	}
	exp := time.Unix(p.Expires, 0)
	if !time.Now().Before(exp) {
		return nil, &RequestError{Kind: ErrBadState, Name: "expired"}
	}
	t, ok := trigger.Lookup(p.Trigger)
	if !ok || t.Continue == "" {
		return nil, &RequestError{Kind: ErrBadState, Name: "unknown trigger"}
	}
	if !g.env.cache.spend(p.ID, exp) {
		return nil, &RequestError{Kind: ErrBadState, Name: "already used"}
	}

	event := mergePatch(p.Event, overrides)
	var actions []*action
	var missing string
	if p.Single {
		if a := g.actions[p.Action]; a != nil && a.trig.Name == t.Name {
			actions = []*action{a}
		} else {
			missing = fmt.Sprintf("action %s no longer exists for trigger %s", p.Action, t.Name)
		}
	} else {
		bound := g.bindings[t.Name]
		i := slices.IndexFunc(bound, func(a *action) bool { return a.name == p.Action })
		if i < 0 {
			missing = fmt.Sprintf("action %s is no longer bound to trigger %s", p.Action, t.Name)
		} else {
			actions = bound[i:]
		}
	}
	prior := &Result{Commands: p.Commands, Effects: p.Effects.Effects}
	prior.Effects.IDTokenClaims = anyMap(p.Effects.IDTokenClaims)
	prior.Effects.AccessTokenClaims = anyMap(p.Effects.AccessTokenClaims)
	prior.Effects.AppMetadata = anyMap(p.Effects.AppMetadata)
	prior.Effects.UserMetadata = anyMap(p.Effects.UserMetadata)
	prior.Effects.Redirect = nil
	if prior.Commands == nil {
		prior.Commands = []Command{}
	}
	fl := &flow{resume: state, single: p.Single, prior: prior}
	if missing != "" {
		res := g.newResult(t, 1, fl, nil)
		res.Outcome = OutcomeFailed
		res.Actions = append(res.Actions, ActionResult{Name: p.Action, Logs: []string{}, Error: &Error{Message: missing}})
		return res, nil
	}
	return g.execute(ctx, t, actions, event, nil, fl), nil
}

// mergePatch applies patch to the JSON object doc as RFC 7396 describes.
func mergePatch(doc json.RawMessage, patch map[string]json.RawMessage) []byte {
	var base map[string]json.RawMessage
	if err := json.Unmarshal(doc, &base); err != nil || base == nil {
		base = map[string]json.RawMessage{}
	}
	for k, pv := range patch {
		if bytes.Equal(bytes.TrimSpace(pv), []byte("null")) {
			delete(base, k)
			continue
		}
		var sub map[string]json.RawMessage
		if json.Unmarshal(pv, &sub) == nil && sub != nil {
			if cur, ok := base[k]; ok {
				var cm map[string]json.RawMessage
				if json.Unmarshal(cur, &cm) == nil && cm != nil {
					base[k] = mergePatch(cur, sub)
					continue
				}
			}
			base[k] = mergePatch(nil, sub) // drops nulls inside
			continue
		}
		base[k] = pv
	}
	out, _ := json.Marshal(base)
	return out
}

// pause seals the state of an execution that an action (the i-th of actions) redirected.
func (g *Generation) pause(t trigger.Trigger, a *action, ex *execution, single bool) {
	res := ex.res
	p := &pausedFlow{
		Version:  1,
		ID:       newStateID(),
		Exec:     res.ExecutionID,
		Trigger:  t.Name,
		Action:   a.name,
		Single:   single,
		Expires:  time.Now().Add(RedirectStateTTL).Unix(),
		Event:    json.RawMessage(ex.event),
		Commands: res.Commands,
	}
	p.Effects.Effects = res.Effects
	p.Effects.Effects.Redirect = nil
	p.Effects.Effects.IDTokenClaims, p.Effects.Effects.AccessTokenClaims = nil, nil
	p.Effects.Effects.AppMetadata, p.Effects.Effects.UserMetadata = nil, nil
	p.Effects.IDTokenClaims = rawMap(res.Effects.IDTokenClaims)
	p.Effects.AccessTokenClaims = rawMap(res.Effects.AccessTokenClaims)
	p.Effects.AppMetadata = rawMap(res.Effects.AppMetadata)
	p.Effects.UserMetadata = rawMap(res.Effects.UserMetadata)
	state, err := g.sealer.seal(p)
	if err != nil {
		res.Outcome = OutcomeFailed
		res.Actions[len(res.Actions)-1].Error = &Error{Message: "cannot seal the redirect state: " + err.Error()}
		return
	}
	r := res.Effects.Redirect
	r.State = state
	if r.URL != "" {
		u, err := url.Parse(r.URL)
		if err == nil {
			q := u.Query()
			q.Set("state", state)
			u.RawQuery = q.Encode()
			r.URL = u.String()
		}
	}
}

// ---- api.redirect ----

// redirectMethods are api.redirect.sendUserTo/encodeToken/validateToken/canRedirect.
func (v *vm) redirectMethods(api *goja.Object) map[string]method {
	return map[string]method{
		"sendUserTo": func(call goja.FunctionCall) goja.Value {
			const op = "redirect.sendUserTo"
			r := v.current(op)
			raw := v.stringArg(call, 0, op, "the URL")
			u, err := url.Parse(raw)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				panic(v.rt.NewTypeError("api.%s: %q is not an absolute http(s) URL", op, raw))
			}
			if !v.canRedirect(r) {
				panic(v.newError("api.redirect.sendUserTo: this transaction cannot be redirected (prompt=none, a refresh token or a password grant); check api.redirect.canRedirect() first"))
			}
			args := []any{raw}
			if o := v.optObjectArg(call, 1, op, "the options"); o != nil {
				if qv := o.Get("query"); qv != nil && !goja.IsUndefined(qv) && !goja.IsNull(qv) {
					qo, ok := qv.(*goja.Object)
					if !ok {
						panic(v.rt.NewTypeError("api.%s: options.query must be an object", op))
					}
					q := u.Query()
					for _, k := range qo.Keys() {
						val := qo.Get(k)
						if goja.IsUndefined(val) {
							continue
						}
						q.Set(k, val.String())
					}
					u.RawQuery = q.Encode()
					args = append(args, v.jsonValue(op, qo))
				}
			}
			eff := v.record(op, args...)
			eff.Redirect = &Redirect{URL: u.String()}
			return api
		},
		"canRedirect": func(goja.FunctionCall) goja.Value {
			return v.rt.ToValue(v.canRedirect(v.current("redirect.canRedirect")))
		},
		"encodeToken":   v.encodeToken,
		"validateToken": v.validateToken,
	}
}

// promptRender is api.prompt.render(formId, options): it pauses the flow like a redirect.
func (v *vm) promptRender(api *goja.Object) method {
	return func(call goja.FunctionCall) goja.Value {
		const op = "prompt.render"
		id := v.stringArg(call, 0, op, "the form id")
		if id == "" {
			panic(v.rt.NewTypeError("api.%s: the form id must not be empty", op))
		}
		args := []any{id}
		red := &Redirect{FormID: id}
		if o := v.optObjectArg(call, 1, op, "the options"); o != nil {
			red.Form = v.jsonValue(op, o)
			args = append(args, red.Form)
		}
		eff := v.record(op, args...)
		eff.Redirect = red
		return api
	}
}

// nonInteractiveProtocols are the event.transaction.protocol values of flows that cannot
// redirect the user.
var nonInteractiveProtocols = []string{"oauth2-refresh-token", "oauth2-password",
	"oauth2-resource-owner", "oauth2-resource-owner-jwt-bearer", "oauth2-token-exchange",
	"oauth2-device-code", "oidc-ciba"}

// canRedirect is Auth0's rule: not for refresh-token, password (ROPG) and other
// non-interactive grants, and not with prompt=none.
func (v *vm) canRedirect(r *actionRun) bool {
	ev := r.event
	if ev == nil {
		return false
	}
	if tx, ok := ev.Get("transaction").(*goja.Object); ok {
		if p, ok := jsString(tx.Get("protocol")); ok && slices.Contains(nonInteractiveProtocols, p) {
			return false
		}
	}
	if req, ok := ev.Get("request").(*goja.Object); ok {
		if q, ok := req.Get("query").(*goja.Object); ok {
			if p, ok := jsString(q.Get("prompt")); ok && p == "none" {
				return false
			}
		}
	}
	return true
}

// path reads a nested string of an object (o.a.b), "" when absent.
func pathString(o *goja.Object, keys ...string) string {
	for i, k := range keys {
		if o == nil {
			return ""
		}
		val := o.Get(k)
		if i == len(keys)-1 {
			s, _ := jsString(val)
			return s
		}
		o, _ = val.(*goja.Object)
	}
	return ""
}

// tokenOptions reads the options object of encodeToken/validateToken (whose fields are listed in
// fields, for the error) and its required secret; it throws a TypeError naming op when either is
// missing.
func (v *vm) tokenOptions(call goja.FunctionCall, op, fields string) (*goja.Object, string) {
	o := v.optObjectArg(call, 0, op, "the options")
	if o == nil {
		panic(v.rt.NewTypeError("api.%s: options { %s } are required", op, fields))
	}
	secret, ok := jsString(o.Get("secret"))
	if !ok || secret == "" {
		panic(v.rt.NewTypeError("api.%s: options.secret must be a non-empty string", op))
	}
	return o, secret
}

// encodeToken is api.redirect.encodeToken({secret, payload, expiresInSeconds}): an HS256 JWT
// with iss (the request's hostname), sub (the user id), ip, iat and exp (default 900 s), then the
// payload's own claims, which win.
func (v *vm) encodeToken(call goja.FunctionCall) goja.Value {
	const op = "redirect.encodeToken"
	r := v.current(op)
	o, secret := v.tokenOptions(call, op, "secret, payload, expiresInSeconds")
	exp := defaultTokenExpiry
	if e := o.Get("expiresInSeconds"); e != nil && !goja.IsUndefined(e) {
		n, ok := e.Export().(int64)
		f := float64(n)
		if !ok {
			ff, isF := e.Export().(float64)
			if !isF {
				panic(v.rt.NewTypeError("api.%s: options.expiresInSeconds must be a number", op))
			}
			f = ff
		}
		if !(f > 0) {
			panic(v.rt.NewTypeError("api.%s: options.expiresInSeconds must be positive", op))
		}
		exp = time.Duration(f * float64(time.Second))
	}
	now := time.Now()
	claims := map[string]json.RawMessage{
		"iat": json.RawMessage(fmt.Sprint(now.Unix())),
		"exp": json.RawMessage(fmt.Sprint(now.Add(exp).Unix())),
	}
	for k, s := range map[string]string{
		"iss": pathString(r.event, "request", "hostname"),
		"sub": pathString(r.event, "user", "user_id"),
		"ip":  pathString(r.event, "request", "ip"),
	} {
		if s != "" {
			claims[k] = appendJSONString(nil, s)
		}
	}
	if pv := o.Get("payload"); pv != nil && !goja.IsUndefined(pv) && !goja.IsNull(pv) {
		po, ok := pv.(*goja.Object)
		if !ok {
			panic(v.rt.NewTypeError("api.%s: options.payload must be an object", op))
		}
		var payload map[string]json.RawMessage
		if err := json.Unmarshal(v.jsonValue(op, po), &payload); err != nil {
			panic(v.rt.NewTypeError("api.%s: options.payload must be a plain object", op))
		}
		maps.Copy(claims, payload)
	}
	body, _ := json.Marshal(claims)
	return v.rt.ToValue(signHS256(secret, body))
}

var jwtHS256Header = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

func signHS256(secret string, claims []byte) string {
	signing := jwtHS256Header + "." + base64.RawURLEncoding.EncodeToString(claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// verifyHS256 checks an HS256 JWT and returns its claims; now is the time exp and nbf are
// checked against.
func verifyHS256(secret, token string, now time.Time) (map[string]json.RawMessage, []byte, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, errors.New("the token is not a JWT")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, nil, errors.New("the token's header is not base64url")
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(hb, &h) != nil || h.Alg != "HS256" {
		return nil, nil, fmt.Errorf("the token's algorithm must be HS256, not %q", h.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, nil, errors.New("the token's signature is not base64url")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(mac.Sum(nil), sig) {
		return nil, nil, errors.New("the token's signature is invalid")
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, nil, errors.New("the token's payload is not base64url")
	}
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(body, &claims); err != nil {
		return nil, nil, errors.New("the token's payload is not a JSON object")
	}
	var exp, nbf float64
	if json.Unmarshal(claims["exp"], &exp) != nil || exp == 0 {
		return nil, nil, errors.New("the token has no exp claim")
	}
	if float64(now.Unix()) >= exp {
		return nil, nil, errors.New("the token has expired")
	}
	if raw, ok := claims["nbf"]; ok && json.Unmarshal(raw, &nbf) == nil && float64(now.Unix()) < nbf {
		return nil, nil, errors.New("the token is not valid yet (nbf)")
	}
	return claims, body, nil
}

// validateToken is api.redirect.validateToken({secret, tokenParameterName}): it reads the token
// from the continue request's query or body (session_token by default), checks its HS256
// signature, exp (and nbf), and that its state claim is this flow's state, and returns its
// payload. Any failure throws.
func (v *vm) validateToken(call goja.FunctionCall) goja.Value {
	const op = "redirect.validateToken"
	r := v.current(op)
	o, secret := v.tokenOptions(call, op, "secret, tokenParameterName")
	param := defaultTokenParameter
	if p := o.Get("tokenParameterName"); p != nil && !goja.IsUndefined(p) {
		s, ok := jsString(p)
		if !ok || s == "" {
			panic(v.rt.NewTypeError("api.%s: options.tokenParameterName must be a non-empty string", op))
		}
		param = s
	}
	if r.ex.flow == nil || r.ex.flow.resume == "" {
		panic(v.newError("api.redirect.validateToken: there is no redirect to validate; call it in the continue handler"))
	}
	token := pathString(r.event, "request", "query", param)
	if token == "" {
		token = pathString(r.event, "request", "body", param)
	}
	if token == "" {
		panic(v.newError(fmt.Sprintf("api.redirect.validateToken: the request has no %s parameter", param)))
	}
	claims, body, err := verifyHS256(secret, token, time.Now())
	if err != nil {
		panic(v.newError("api.redirect.validateToken: " + err.Error()))
	}
	var state string
	if json.Unmarshal(claims["state"], &state) != nil || !hmac.Equal([]byte(state), []byte(r.ex.flow.resume)) {
		panic(v.newError("api.redirect.validateToken: the token's state claim does not match this transaction's state"))
	}
	val, err := v.jsonParse(goja.Undefined(), v.rt.ToValue(string(body)))
	if err != nil {
		panic(err)
	}
	return val
}
