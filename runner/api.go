package runner

import (
	"encoding/json"
	"math"
	"slices"
	"time"

	"github.com/actionsd/actionsd/trigger"
	"github.com/dop251/goja"
)

// apiBuilder adds a trigger's api surface to the api object of one runtime. The object is built
// once per runtime, frozen, and reused by every execution: its methods read the execution in
// progress from vm.run. Methods that Auth0 documents as returning api return it, for chaining.
type apiBuilder func(v *vm, api *goja.Object)

// apiBuilders is the api of each trigger; a trigger missing here gets apiCacheOnly (see init).
// Later issues add authentication, redirect, session, transaction, … per trigger here.
var apiBuilders = map[string]func(v *vm) *goja.Object{
	"post-login":                    newAPI(apiPostLogin),
	"credentials-exchange":          newAPI(apiCredentialsExchange),
	"pre-user-registration":         newAPI(apiPreUserRegistration),
	"password-reset-post-challenge": newAPI(apiPasswordResetPostChallenge),
	"custom-token-exchange":         newAPI(apiCustomTokenExchange),
}

func init() {
	for _, t := range trigger.All {
		if _, ok := apiBuilders[t.Name]; !ok {
			apiBuilders[t.Name] = newAPI(apiCacheOnly)
		}
	}
}

// newAPI returns a builder of a frozen api object with api.cache and what build adds.
func newAPI(build apiBuilder) func(v *vm) *goja.Object {
	return func(v *vm) *goja.Object {
		api := v.rt.NewObject()
		apiCache(v, api)
		build(v, api)
		for _, k := range api.Keys() {
			if o, ok := api.Get(k).(*goja.Object); ok {
				v.mustFreeze(o)
			}
		}
		v.mustFreeze(api)
		return api
	}
}

// method is one api function.
type method = func(call goja.FunctionCall) goja.Value

// group adds api[name] with the given methods.
func group(v *vm, api *goja.Object, name string, methods map[string]method) {
	o := v.rt.NewObject()
	for k, fn := range methods {
		o.Set(k, fn)
	}
	api.Set(name, o)
}

// record appends a command of the execution in progress and returns its effects.
func (v *vm) record(op string, args ...any) *Effects {
	r := v.run
	if r == nil {
		panic(v.newError("api." + op + " was called outside an execution"))
	}
	res := r.ex.res
	res.Commands = append(res.Commands, Command{Action: v.act.name, Op: op, Args: args})
	return &res.Effects
}

// stringArg returns argument i, which must be a string.
func (v *vm) stringArg(call goja.FunctionCall, i int, op, what string) string {
	s, ok := jsString(call.Argument(i))
	if !ok {
		panic(v.rt.NewTypeError("api.%s: %s must be a string", op, what))
	}
	return s
}

// optString returns argument i as a string, "" when it is undefined or null.
func optString(call goja.FunctionCall, i int) string {
	a := call.Argument(i)
	if goja.IsUndefined(a) || goja.IsNull(a) {
		return ""
	}
	return a.String()
}

// jsonValue returns val as JSON; a value JSON cannot represent makes the call throw.
func (v *vm) jsonValue(op string, val goja.Value) json.RawMessage {
	s, err := v.jsonStringify(goja.Undefined(), val)
	if err != nil {
		if _, ok := err.(*goja.Exception); !ok {
			panic(err) // an interruption: let it through
		}
		panic(v.rt.NewTypeError("api.%s: the value is not JSON-serialisable: %s", op, errorText(err)))
	}
	if goja.IsUndefined(s) {
		panic(v.rt.NewTypeError("api.%s: the value is not JSON-serialisable (%s)", op, typeOf(val)))
	}
	return json.RawMessage(s.String())
}

func typeOf(val goja.Value) string {
	switch {
	case val == nil || goja.IsUndefined(val):
		return "undefined"
	case goja.IsNull(val):
		return "null"
	}
	if o, ok := val.(*goja.Object); ok {
		if _, fn := goja.AssertFunction(o); fn {
			return "function"
		}
		return "object"
	}
	if _, ok := val.(*goja.Symbol); ok {
		return "symbol"
	}
	return val.ExportType().String()
}

// ---- methods shared by several triggers ----

func (v *vm) setClaim(api *goja.Object, op string, claims func(*Effects) map[string]any) method {
	return func(call goja.FunctionCall) goja.Value {
		name := v.stringArg(call, 0, op, "the claim name")
		val := v.jsonValue(op, call.Argument(1))
		eff := v.record(op, name, val)
		claims(eff)[name] = val
		return api
	}
}

func (v *vm) setMetadata(api *goja.Object, op string, md func(*Effects) map[string]any) method {
	return func(call goja.FunctionCall) goja.Value {
		key := v.stringArg(call, 0, op, "the metadata key")
		val := json.RawMessage("null") // undefined removes the key, as null does
		if a := call.Argument(1); !goja.IsUndefined(a) {
			val = v.jsonValue(op, a)
		}
		eff := v.record(op, key, val)
		md(eff)[key] = val
		return api
	}
}

func idClaims(e *Effects) map[string]any     { return e.IDTokenClaims }
func accessClaims(e *Effects) map[string]any { return e.AccessTokenClaims }
func appMetadata(e *Effects) map[string]any  { return e.AppMetadata }
func userMetadata(e *Effects) map[string]any { return e.UserMetadata }

// denyReason is access.deny(reason) of post-login and password-reset-post-challenge.
func (v *vm) denyReason(api *goja.Object) method {
	return func(call goja.FunctionCall) goja.Value {
		reason := optString(call, 0)
		eff := v.record("access.deny", reason)
		eff.Access = Access{Denied: true, Reason: reason, Action: v.act.name}
		return api
	}
}

// denyCode is access.deny(code, reason) of credentials-exchange and custom-token-exchange.
func (v *vm) denyCode(api *goja.Object) method {
	return func(call goja.FunctionCall) goja.Value {
		code, reason := optString(call, 0), optString(call, 1)
		eff := v.record("access.deny", code, reason)
		eff.Access = Access{Denied: true, Code: code, Reason: reason, Action: v.act.name}
		return api
	}
}

// ---- per trigger ----

func apiPostLogin(v *vm, api *goja.Object) {
	group(v, api, "access", map[string]method{"deny": v.denyReason(api)})
	group(v, api, "idToken", map[string]method{
		"setCustomClaim": v.setClaim(api, "idToken.setCustomClaim", idClaims),
	})
	group(v, api, "accessToken", map[string]method{
		"setCustomClaim": v.setClaim(api, "accessToken.setCustomClaim", accessClaims),
		"addScope":       v.scope(api, "accessToken.addScope", true),
		"removeScope":    v.scope(api, "accessToken.removeScope", false),
	})
	group(v, api, "user", map[string]method{
		"setAppMetadata":  v.setMetadata(api, "user.setAppMetadata", appMetadata),
		"setUserMetadata": v.setMetadata(api, "user.setUserMetadata", userMetadata),
	})
	group(v, api, "multifactor", map[string]method{
		"enable": func(call goja.FunctionCall) goja.Value {
			const op = "multifactor.enable"
			provider := v.stringArg(call, 0, op, "the provider")
			mf := &Multifactor{Provider: provider}
			args := []any{provider}
			if o := call.Argument(1); !goja.IsUndefined(o) && !goja.IsNull(o) {
				raw := v.jsonValue(op, o)
				if err := json.Unmarshal(raw, &mf.Options); err != nil {
					panic(v.rt.NewTypeError("api.%s: options must be an object", op))
				}
				args = append(args, raw)
			}
			eff := v.record(op, args...)
			eff.Multifactor = mf
			return api
		},
	})
}

func (v *vm) scope(api *goja.Object, op string, add bool) method {
	return func(call goja.FunctionCall) goja.Value {
		s := v.stringArg(call, 0, op, "the scope")
		eff := v.record(op, s)
		eff.ScopesAdded = slices.DeleteFunc(eff.ScopesAdded, func(x string) bool { return x == s })
		eff.ScopesRemoved = slices.DeleteFunc(eff.ScopesRemoved, func(x string) bool { return x == s })
		if add {
			eff.ScopesAdded = append(eff.ScopesAdded, s)
		} else {
			eff.ScopesRemoved = append(eff.ScopesRemoved, s)
		}
		return api
	}
}

func apiCredentialsExchange(v *vm, api *goja.Object) {
	group(v, api, "access", map[string]method{"deny": v.denyCode(api)})
	group(v, api, "accessToken", map[string]method{
		"setCustomClaim": v.setClaim(api, "accessToken.setCustomClaim", accessClaims),
	})
}

func apiPreUserRegistration(v *vm, api *goja.Object) {
	group(v, api, "access", map[string]method{
		"deny": func(call goja.FunctionCall) goja.Value {
			reason, msg := optString(call, 0), optString(call, 1)
			eff := v.record("access.deny", reason, msg)
			eff.Access = Access{Denied: true, Reason: reason, UserMessage: msg, Action: v.act.name}
			return api
		},
	})
	group(v, api, "user", map[string]method{
		"setAppMetadata":  v.setMetadata(api, "user.setAppMetadata", appMetadata),
		"setUserMetadata": v.setMetadata(api, "user.setUserMetadata", userMetadata),
	})
}

func apiPasswordResetPostChallenge(v *vm, api *goja.Object) {
	group(v, api, "access", map[string]method{"deny": v.denyReason(api)})
}

func apiCustomTokenExchange(v *vm, api *goja.Object) {
	group(v, api, "access", map[string]method{
		"deny": v.denyCode(api),
		"rejectInvalidSubjectToken": func(call goja.FunctionCall) goja.Value {
			reason := optString(call, 0)
			eff := v.record("access.rejectInvalidSubjectToken", reason)
			eff.Access = Access{Denied: true, Code: "invalid_request", Reason: reason, Action: v.act.name}
			return api
		},
	})
	group(v, api, "user", map[string]method{
		"setAppMetadata":  v.setMetadata(api, "user.setAppMetadata", appMetadata),
		"setUserMetadata": v.setMetadata(api, "user.setUserMetadata", userMetadata),
	})
}

func apiCacheOnly(*vm, *goja.Object) {}

// apiCache adds api.cache, scoped to the action's trigger. get is not recorded as a command (it
// asks nothing of the caller); set and delete are, without their values.
func apiCache(v *vm, api *goja.Object) {
	scope := v.act.trig.Name
	cache := v.act.g.cache
	rt := v.rt
	result := func(err error) goja.Value {
		o := rt.NewObject()
		if err == nil {
			o.Set("type", "success")
			return o
		}
		o.Set("type", "error")
		if ce, ok := err.(*CacheError); ok {
			o.Set("code", ce.Code)
		}
		return o
	}
	group(v, api, "cache", map[string]method{
		"get": func(call goja.FunctionCall) goja.Value {
			key, ok := jsString(call.Argument(0))
			if !ok {
				return goja.Undefined()
			}
			e, ok := cache.Get(scope, key)
			if !ok {
				return goja.Undefined()
			}
			o := rt.NewObject()
			o.Set("value", e.Value)
			o.Set("expires_at", e.ExpiresAt.UnixMilli())
			return o
		},
		"set": func(call goja.FunctionCall) goja.Value {
			key, ok := jsString(call.Argument(0))
			if !ok || key == "" {
				return result(&CacheError{Code: CacheErrInvalidKey})
			}
			val, ok := jsString(call.Argument(1))
			if !ok {
				return result(&CacheError{Code: CacheErrInvalidValue})
			}
			var ttl time.Duration
			var exp time.Time
			if opts, ok := call.Argument(2).(*goja.Object); ok {
				if t := opts.Get("ttl"); t != nil && !goja.IsUndefined(t) {
					ms := t.ToFloat()
					if math.IsNaN(ms) || ms <= 0 {
						return result(&CacheError{Code: CacheErrInvalidTTL})
					}
					ttl = time.Duration(min(ms, float64(CacheMaxTTL/time.Millisecond))) * time.Millisecond
				}
				if e := opts.Get("expires_at"); e != nil && !goja.IsUndefined(e) {
					ms := e.ToFloat()
					if math.IsNaN(ms) || ms <= 0 {
						return result(&CacheError{Code: CacheErrInvalidTTL})
					}
					exp = time.UnixMilli(int64(min(ms, float64(math.MaxInt64/2))))
				}
			}
			v.record("cache.set", key)
			return result(cache.Set(scope, key, val, ttl, exp))
		},
		"delete": func(call goja.FunctionCall) goja.Value {
			key, ok := jsString(call.Argument(0))
			if !ok {
				return result(&CacheError{Code: CacheErrInvalidKey})
			}
			v.record("cache.delete", key)
			if !cache.Delete(scope, key) {
				return result(&CacheError{Code: CacheErrNotFound})
			}
			return result(nil)
		},
	})
}
