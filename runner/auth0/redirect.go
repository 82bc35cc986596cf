package auth0

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/actionsd/actionsd/runner/wire"
	"github.com/dop251/goja"
)

// Redirect token rules, as Auth0's api.redirect.encodeToken/validateToken have them.
const (
	defaultTokenExpiry    = 900 * time.Second
	defaultTokenParameter = "session_token"
)

// The api.redirect methods and their tokens; the engine seals and resumes the flows they pause.

// redirectMethods are api.redirect.sendUserTo/encodeToken/validateToken/canRedirect.
func (v *API) redirectMethods(api *goja.Object) map[string]method {
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
				panic(v.in.NewError("api.redirect.sendUserTo: this transaction cannot be redirected (prompt=none, a refresh token or a password grant); check api.redirect.canRedirect() first"))
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
			eff.Redirect = &wire.Redirect{URL: u.String()}
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
func (v *API) promptRender(api *goja.Object) method {
	return func(call goja.FunctionCall) goja.Value {
		const op = "prompt.render"
		id := v.stringArg(call, 0, op, "the form id")
		if id == "" {
			panic(v.rt.NewTypeError("api.%s: the form id must not be empty", op))
		}
		args := []any{id}
		red := &wire.Redirect{FormID: id}
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
func (v *API) canRedirect(r *Run) bool {
	ev := r.Event
	if ev == nil {
		return false
	}
	if tx, ok := ev.Get("transaction").(*goja.Object); ok {
		if p, ok := host.String(tx.Get("protocol")); ok && slices.Contains(nonInteractiveProtocols, p) {
			return false
		}
	}
	if req, ok := ev.Get("request").(*goja.Object); ok {
		if q, ok := req.Get("query").(*goja.Object); ok {
			if p, ok := host.String(q.Get("prompt")); ok && p == "none" {
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
			s, _ := host.String(val)
			return s
		}
		o, _ = val.(*goja.Object)
	}
	return ""
}

// tokenOptions reads the options object of encodeToken/validateToken (whose fields are listed in
// fields, for the error) and its required secret; it throws a TypeError naming op when either is
// missing.
func (v *API) tokenOptions(call goja.FunctionCall, op, fields string) (*goja.Object, string) {
	o := v.optObjectArg(call, 0, op, "the options")
	if o == nil {
		panic(v.rt.NewTypeError("api.%s: options { %s } are required", op, fields))
	}
	secret, ok := host.String(o.Get("secret"))
	if !ok || secret == "" {
		panic(v.rt.NewTypeError("api.%s: options.secret must be a non-empty string", op))
	}
	return o, secret
}

// encodeToken is api.redirect.encodeToken({secret, payload, expiresInSeconds}): an HS256 JWT
// with iss (the request's hostname), sub (the user id), ip, iat and exp (default 900 s), then the
// payload's own claims, which win.
func (v *API) encodeToken(call goja.FunctionCall) goja.Value {
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
		"iss": pathString(r.Event, "request", "hostname"),
		"sub": pathString(r.Event, "user", "user_id"),
		"ip":  pathString(r.Event, "request", "ip"),
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
func (v *API) validateToken(call goja.FunctionCall) goja.Value {
	const op = "redirect.validateToken"
	r := v.current(op)
	o, secret := v.tokenOptions(call, op, "secret, tokenParameterName")
	param := defaultTokenParameter
	if p := o.Get("tokenParameterName"); p != nil && !goja.IsUndefined(p) {
		s, ok := host.String(p)
		if !ok || s == "" {
			panic(v.rt.NewTypeError("api.%s: options.tokenParameterName must be a non-empty string", op))
		}
		param = s
	}
	if r.Resume == "" {
		panic(v.in.NewError("api.redirect.validateToken: there is no redirect to validate; call it in the continue handler"))
	}
	token := pathString(r.Event, "request", "query", param)
	if token == "" {
		token = pathString(r.Event, "request", "body", param)
	}
	if token == "" {
		panic(v.in.NewError(fmt.Sprintf("api.redirect.validateToken: the request has no %s parameter", param)))
	}
	claims, body, err := verifyHS256(secret, token, time.Now())
	if err != nil {
		panic(v.in.NewError("api.redirect.validateToken: " + err.Error()))
	}
	var state string
	if json.Unmarshal(claims["state"], &state) != nil || !hmac.Equal([]byte(state), []byte(r.Resume)) {
		panic(v.in.NewError("api.redirect.validateToken: the token's state claim does not match this transaction's state"))
	}
	val, err := v.in.JSONParse(goja.Undefined(), v.rt.ToValue(string(body)))
	if err != nil {
		panic(err)
	}
	return val
}
