// Package auth0 is the api of Auth0 Actions that a runtime hands each handler (SPEC §4): one
// object per trigger, as Auth0's Actions reference documents it:
//
//	post-login                    access.deny(reason); idToken.setCustomClaim(name, value);
//	                              accessToken.setCustomClaim/addScope/removeScope;
//	                              user.setAppMetadata/setUserMetadata(key, value);
//	                              multifactor.enable(provider, options);
//	                              authentication.challengeWith/challengeWithAny/enrollWith/
//	                              enrollWithAny/recordMethod/setPrimaryUser;
//	                              redirect.sendUserTo/encodeToken/validateToken/canRedirect;
//	                              session.revoke/setExpiresAt/setIdleExpiresAt/setMetadata/
//	                              deleteMetadata/evictMetadata; refreshToken.(same as session);
//	                              samlResponse.set*; transaction.setMetadata and
//	                              add/remove/set/clearTargetScope(s); validation.error(code, msg);
//	                              prompt.render(formId, options); rules.wasExecuted(id)
//	credentials-exchange          access.deny(code, reason); accessToken.setCustomClaim;
//	                              transaction.add/remove/set/clearTargetScope(s)
//	pre-user-registration         access.deny(reason, userMessage); user.setAppMetadata/
//	                              setUserMetadata; validation.error(code, message)
//	password-reset-post-challenge access.deny(reason); authentication.challengeWith/
//	                              challengeWithAny; redirect.*; prompt.render;
//	                              transaction.setResultUrl(url)
//	custom-email-provider,
//	custom-phone-provider         notification.drop(reason)/retry(reason)
//	custom-token-exchange         access.deny(code, reason)/rejectInvalidSubjectToken(reason);
//	                              authentication.setUserById/setUserByConnection/
//	                              setOrganization/setActor;
//	                              user.setAppMetadata/setUserMetadata
//	login-post-identifier, signup-post-identifier, password-hash-migration,
//	post-credential-validation    see newtriggers.go; groups.* and roles.* too
//	every trigger                 cache.get/set/delete
//
// Every call but cache.get, redirect.encodeToken/validateToken/canRedirect and rules.wasExecuted
// is recorded as a Command, in order, with the action that made it; the calls with an effect
// Auth0 applies itself (claims, metadata, deny, redirect, …) also fill Effects. Arguments are
// checked as Auth0 checks them: a wrong type throws a TypeError in the action.
//
// It also provides api.cache's store (Cache), shared by the generations of a daemon, and the
// redirect tokens of api.redirect. The api object is built once per runtime (New) and reused by
// every execution; the engine tells it which execution is in progress (Begin, End), and the api
// records into that execution's Result (runner/wire). It knows nothing of how executions are
// scheduled, and does not seal or resume redirected flows: the engine does.
package auth0

import (
	"encoding/json"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/actionsd/actionsd/runner/wire"
	"github.com/actionsd/actionsd/trigger"
	"github.com/dop251/goja"
)

// API is the api object of one runtime, for one action and its trigger. Only the runtime's
// goroutine uses it.
type API struct {
	rt      *goja.Runtime
	in      *host.Intrinsics
	action  string // the action whose runtime this is: commands and denials name it
	trigger string // api.cache's scope
	cache   *Cache
	obj     *goja.Object // the frozen api object

	run   *Run // the execution in progress (&cur); nil between executions
	cur   Run
	names [4]boxedName // recent claim and metadata names, boxed (boxName)
	next  int
}

// Run is the execution in progress, as the api sees it.
type Run struct {
	Result  *wire.Result // what the api records into
	Event   *goja.Object // the event handed to the handler
	Request string       // the request's event, JSON
	Resume  string       // the redirect state the execution resumes (Generation.Continue), or ""
}

// Config is what New needs to know of the action.
type Config struct {
	Action  string          // the action's name
	Trigger trigger.Trigger // the trigger it declares: whose api it gets
	Cache   *Cache          // api.cache's store; nil gives the runtime one of its own
}

// New builds the api object of cfg.Trigger on vm's runtime (in are its intrinsics), frozen.
func New(vm host.VM, in *host.Intrinsics, cfg Config) *API {
	v := &API{rt: vm.Runtime(), in: in, action: cfg.Action, trigger: cfg.Trigger.Name, cache: cfg.Cache}
	if v.cache == nil {
		v.cache = NewCache()
	}
	build, ok := builders[cfg.Trigger.Name]
	if !ok {
		build = apiCacheOnly
	}
	api := v.rt.NewObject()
	apiCache(v, api)
	build(v, api)
	for _, k := range api.Keys() {
		if o, ok := api.Get(k).(*goja.Object); ok {
			v.in.MustFreeze(o)
		}
	}
	v.in.MustFreeze(api)
	v.obj = api
	return v
}

// Object is the api object, the handler's second argument.
func (v *API) Object() *goja.Object { return v.obj }

// Begin makes r the execution in progress: the api's methods record into it until End.
func (v *API) Begin(r Run) {
	v.cur = r
	v.run = &v.cur
}

// End ends the execution in progress: the api's methods throw until the next Begin.
func (v *API) End() {
	v.run = nil
	v.cur = Run{}
}

// builder adds a trigger's api surface to the api object of one runtime. Its methods read the
// execution in progress from v.run. Methods that Auth0 documents as returning api return it, for
// chaining.
type builder func(v *API, api *goja.Object)

// builders is the api of each trigger; a trigger missing here gets apiCacheOnly.
var builders = map[string]builder{
	"post-login":                    apiPostLogin,
	"credentials-exchange":          apiCredentialsExchange,
	"pre-user-registration":         apiPreUserRegistration,
	"password-reset-post-challenge": apiPasswordResetPostChallenge,
	"custom-token-exchange":         apiCustomTokenExchange,
	"custom-email-provider":         apiNotificationProvider,
	"custom-phone-provider":         apiNotificationProvider,
	"login-post-identifier":         apiPostIdentifier,
	"signup-post-identifier":        apiPostIdentifier,
	"password-hash-migration":       apiPasswordHashMigration,
	"post-credential-validation":    apiPostCredentialValidation,
}

// method is one api function.
type method = func(call goja.FunctionCall) goja.Value

// group adds api[name] with the given methods.
func group(v *API, api *goja.Object, name string, methods map[string]method) {
	o := v.rt.NewObject()
	for _, k := range slices.Sorted(mapKeys(methods)) {
		o.Set(k, methods[k])
	}
	api.Set(name, o)
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// current returns the execution in progress; api methods called outside one throw.
func (v *API) current(op string) *Run {
	r := v.run
	if r == nil {
		panic(v.in.NewError("api." + op + " was called outside an execution"))
	}
	return r
}

// record appends a command of the execution in progress and returns its effects.
func (v *API) record(op string, args ...any) *wire.Effects {
	return v.current(op).Result.AddCommand(v.action, op, args)
}

// stringArg returns argument i, which must be a string.
func (v *API) stringArg(call goja.FunctionCall, i int, op, what string) string {
	s, ok := host.String(call.Argument(i))
	if !ok {
		panic(v.rt.NewTypeError("api.%s: %s must be a string", op, what))
	}
	return s
}

// optStringArg returns argument i, which must be a string, undefined or null ("").
func (v *API) optStringArg(call goja.FunctionCall, i int, op, what string) string {
	a := call.Argument(i)
	if goja.IsUndefined(a) || goja.IsNull(a) {
		return ""
	}
	s, ok := host.String(a)
	if !ok {
		panic(v.rt.NewTypeError("api.%s: %s must be a string", op, what))
	}
	return s
}

// numberArg returns argument i, which must be a finite number.
func (v *API) numberArg(call goja.FunctionCall, i int, op, what string) float64 {
	a := call.Argument(i)
	if _, ok := a.Export().(int64); !ok {
		if _, ok := a.Export().(float64); !ok {
			panic(v.rt.NewTypeError("api.%s: %s must be a number", op, what))
		}
	}
	f := a.ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		panic(v.rt.NewTypeError("api.%s: %s must be a finite number", op, what))
	}
	return f
}

// boolArg returns argument i, which must be a boolean.
func (v *API) boolArg(call goja.FunctionCall, i int, op, what string) bool {
	b, ok := call.Argument(i).Export().(bool)
	if !ok {
		panic(v.rt.NewTypeError("api.%s: %s must be a boolean", op, what))
	}
	return b
}

// optObjectArg returns argument i, which must be an object, undefined or null (nil).
func (v *API) optObjectArg(call goja.FunctionCall, i int, op, what string) *goja.Object {
	a := call.Argument(i)
	if goja.IsUndefined(a) || goja.IsNull(a) {
		return nil
	}
	o, ok := a.(*goja.Object)
	if !ok {
		panic(v.rt.NewTypeError("api.%s: %s must be an object", op, what))
	}
	return o
}

// jsonValue returns val as JSON; a value JSON cannot represent makes the call throw. Strings,
// numbers, booleans, null and arrays of them are encoded here; other values by JSON.stringify.
func (v *API) jsonValue(op string, val goja.Value) json.RawMessage {
	if r := v.run; r != nil { // in the execution's scratch space
		res := r.Result
		if b, ok := appendPlainJSON(res.JSONScratch(), val, 0); ok {
			return res.KeepJSON(b)
		}
	} else if b, ok := appendPlainJSON(make([]byte, 0, 64), val, 0); ok {
		return b
	}
	s, err := v.in.JSONStringify(goja.Undefined(), val)
	if err != nil {
		if _, ok := err.(*goja.Exception); !ok {
			panic(err) // an interruption: let it through
		}
		panic(v.rt.NewTypeError("api.%s: the value is not JSON-serialisable: %s", op, host.ErrorText(err)))
	}
	if goja.IsUndefined(s) {
		panic(v.rt.NewTypeError("api.%s: the value is not JSON-serialisable (%s)", op, typeOf(val)))
	}
	return json.RawMessage(s.String())
}

// appendPlainJSON encodes primitives and arrays of primitives as JSON.stringify would, without
// calling into JavaScript or exporting to Go values; ok is false for anything else (objects,
// functions, symbols, …).
func appendPlainJSON(b []byte, val goja.Value, depth int) ([]byte, bool) {
	if _, sym := val.(*goja.Symbol); sym || val == nil || goja.IsUndefined(val) {
		return nil, false
	}
	if goja.IsNull(val) {
		return append(b, "null"...), true
	}
	if o, ok := val.(*goja.Object); ok {
		if depth > 0 || o.ClassName() != "Array" {
			return nil, false
		}
		n := o.Get("length").ToInteger()
		if n > 64 {
			return nil, false
		}
		b = append(b, '[')
		for i := range int(n) {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendPlainJSON(b, o.Get(strconv.Itoa(i)), depth+1); !ok {
				return nil, false
			}
		}
		return append(b, ']'), true
	}
	switch val.ExportType() {
	case typeString:
		return appendJSONString(b, val.String()), true
	case typeBool:
		return strconv.AppendBool(b, val.ToBoolean()), true
	case typeInt:
		return strconv.AppendInt(b, val.ToInteger(), 10), true
	case typeFloat:
		f := val.ToFloat()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(b, "null"...), true
		}
		return append(b, val.String()...), true // JS number formatting, as JSON.stringify
	}
	return nil, false // symbols, BigInts
}

var (
	typeString = reflect.TypeOf("")
	typeBool   = reflect.TypeOf(false)
	typeInt    = reflect.TypeOf(int64(0))
	typeFloat  = reflect.TypeOf(float64(0))
)

// appendJSONString quotes s as JSON.stringify does (non-ASCII kept as is, lone surrogates
// escaped by encoding/json's replacement are rare enough to go through the slow path).
func appendJSONString(b []byte, s string) []byte {
	simple := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			simple = false
			break
		}
	}
	if simple {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	enc, _ := json.Marshal(s)
	return append(b, enc...)
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

func (v *API) setClaim(api *goja.Object, op string, claims func(*wire.Effects) *map[string]any) method {
	return func(call goja.FunctionCall) goja.Value {
		name := v.stringArg(call, 0, op, "the claim name")
		var val any = v.jsonValue(op, call.Argument(1)) // boxed once for the command and the claim
		eff := v.record(op, v.boxName(name), val)
		wire.SetEffect(claims(eff), name, val)
		return api
	}
}

func (v *API) setMetadata(api *goja.Object, op string, md func(*wire.Effects) *map[string]any) method {
	return func(call goja.FunctionCall) goja.Value {
		key := v.stringArg(call, 0, op, "the metadata key")
		val := json.RawMessage("null") // undefined removes the key, as null does
		if a := call.Argument(1); !goja.IsUndefined(a) {
			val = v.jsonValue(op, a)
		}
		var boxed any = val
		eff := v.record(op, v.boxName(key), boxed)
		wire.SetEffect(md(eff), key, boxed)
		return api
	}
}

// The Effects maps; wire.SetEffect makes one that is nil.
func idClaims(e *wire.Effects) *map[string]any     { return &e.IDTokenClaims }
func accessClaims(e *wire.Effects) *map[string]any { return &e.AccessTokenClaims }
func appMetadata(e *wire.Effects) *map[string]any  { return &e.AppMetadata }
func userMetadata(e *wire.Effects) *map[string]any { return &e.UserMetadata }

// boxName returns the claim or metadata name s as an interface value, the same one as for an
// equal name before: names are nearly always constants of the action, so this saves boxing them
// per call. Boxed strings are immutable, so results may share them.
func (v *API) boxName(s string) any {
	for i := range v.names {
		if n := &v.names[i]; n.boxed != nil && n.s == s {
			return n.boxed
		}
	}
	b := any(s)
	if len(s) <= 128 {
		v.names[v.next] = boxedName{s: s, boxed: b}
		v.next = (v.next + 1) % len(v.names)
	}
	return b
}

type boxedName struct {
	s     string
	boxed any
}

func userMethods(v *API, api *goja.Object) map[string]method {
	return map[string]method{
		"setAppMetadata":  v.setMetadata(api, "user.setAppMetadata", appMetadata),
		"setUserMetadata": v.setMetadata(api, "user.setUserMetadata", userMetadata),
	}
}

// denyReason is access.deny(reason) of post-login and password-reset-post-challenge.
func (v *API) denyReason(api *goja.Object) method {
	return func(call goja.FunctionCall) goja.Value {
		reason := v.optStringArg(call, 0, "access.deny", "the reason")
		eff := v.record("access.deny", reason)
		eff.Access = wire.Access{Denied: true, Reason: reason, Action: v.action}
		return api
	}
}

// denyCode is access.deny(code, reason) of credentials-exchange and custom-token-exchange; codes
// lists the protocol error codes Auth0 allows (nil: any string).
func (v *API) denyCode(api *goja.Object, codes ...string) method {
	return func(call goja.FunctionCall) goja.Value {
		const op = "access.deny"
		code := v.stringArg(call, 0, op, "the code")
		if len(codes) > 0 && !slices.Contains(codes, code) {
			panic(v.rt.NewTypeError("api.%s: the code must be one of %v, not %q", op, codes, code))
		}
		reason := v.optStringArg(call, 1, op, "the reason")
		eff := v.record(op, code, reason)
		eff.Access = wire.Access{Denied: true, Code: code, Reason: reason, Action: v.action}
		return api
	}
}

// validationError is api.validation.error(code, message): it stops the flow like a deny.
func (v *API) validationError(api *goja.Object) method {
	return func(call goja.FunctionCall) goja.Value {
		const op = "validation.error"
		code := v.stringArg(call, 0, op, "the error code")
		msg := v.stringArg(call, 1, op, "the error message")
		eff := v.record(op, code, msg)
		eff.Validation = &wire.ValidationError{Code: code, Message: msg, Action: v.action}
		eff.Access = wire.Access{Denied: true, Code: code, Reason: msg, Action: v.action}
		return api
	}
}

// recorded returns a method that checks its arguments with check, records them and returns api.
// check returns the arguments as the command carries them.
func (v *API) recorded(api *goja.Object, op string, check func(call goja.FunctionCall) []any) method {
	return func(call goja.FunctionCall) goja.Value {
		v.record(op, check(call)...)
		return api
	}
}

// Argument checkers for recorded methods.
func (v *API) argString(op, what string) func(goja.FunctionCall) []any {
	return func(call goja.FunctionCall) []any { return []any{v.stringArg(call, 0, op, what)} }
}

func (v *API) argBool(op, what string) func(goja.FunctionCall) []any {
	return func(call goja.FunctionCall) []any { return []any{v.boolArg(call, 0, op, what)} }
}

func (v *API) argNumber(op, what string) func(goja.FunctionCall) []any {
	return func(call goja.FunctionCall) []any { return []any{v.numberArg(call, 0, op, what)} }
}

// argKeyValue checks (key string, value JSON).
func (v *API) argKeyValue(op string) func(goja.FunctionCall) []any {
	return func(call goja.FunctionCall) []any {
		return []any{v.stringArg(call, 0, op, "the key"), v.jsonValue(op, call.Argument(1))}
	}
}

// expiry checks setExpiresAt/setIdleExpiresAt's absolute time in ms since the epoch.
func (v *API) argExpiry(op string) func(goja.FunctionCall) []any {
	return func(call goja.FunctionCall) []any {
		ms := v.numberArg(call, 0, op, "the expiry (ms since the epoch)")
		if ms <= 0 {
			panic(v.rt.NewTypeError("api.%s: the expiry must be a positive time in ms since the epoch", op))
		}
		return []any{ms}
	}
}

// Factor types of authentication.challengeWith/enrollWith, as Auth0 lists them.
var mfaFactors = []string{"otp", "recovery-code", "email", "phone", "push-notification",
	"webauthn-platform", "webauthn-roaming"}

// factor checks one {type, options?} factor object and returns it as JSON.
func (v *API) factor(op string, val goja.Value) json.RawMessage {
	o, ok := val.(*goja.Object)
	if !ok {
		panic(v.rt.NewTypeError("api.%s: a factor must be an object like { type: 'otp' }", op))
	}
	t, ok := host.String(o.Get("type"))
	if !ok || !slices.Contains(mfaFactors, t) {
		panic(v.rt.NewTypeError("api.%s: the factor type must be one of %v", op, mfaFactors))
	}
	return v.jsonValue(op, o)
}

func (v *API) argFactor(op string) func(goja.FunctionCall) []any {
	return func(call goja.FunctionCall) []any {
		out := []any{v.factor(op, call.Argument(0))}
		if o := v.optObjectArg(call, 1, op, "the options"); o != nil {
			if add := o.Get("additionalFactors"); add != nil && !goja.IsUndefined(add) {
				ao, ok := add.(*goja.Object)
				if !ok || ao.ClassName() != "Array" {
					panic(v.rt.NewTypeError("api.%s: options.additionalFactors must be an array", op))
				}
				for _, k := range ao.Keys() {
					v.factor(op, ao.Get(k))
				}
			}
			out = append(out, v.jsonValue(op, o))
		}
		return out
	}
}

func (v *API) argFactors(op string) func(goja.FunctionCall) []any {
	return func(call goja.FunctionCall) []any {
		o, ok := call.Argument(0).(*goja.Object)
		if !ok || o.ClassName() != "Array" || o.Get("length").ToInteger() == 0 {
			panic(v.rt.NewTypeError("api.%s: the factors must be a non-empty array", op))
		}
		for _, k := range o.Keys() {
			v.factor(op, o.Get(k))
		}
		out := []any{v.jsonValue(op, o)}
		if opts := v.optObjectArg(call, 1, op, "the options"); opts != nil {
			out = append(out, v.jsonValue(op, opts))
		}
		return out
	}
}

// ---- per trigger ----

// multifactorProviders are multifactor.enable's providers.
var multifactorProviders = []string{"any", "duo", "google-authenticator", "guardian", "none"}

func apiPostLogin(v *API, api *goja.Object) {
	group(v, api, "access", map[string]method{"deny": v.denyReason(api)})
	group(v, api, "idToken", map[string]method{
		"setCustomClaim": v.setClaim(api, "idToken.setCustomClaim", idClaims),
	})
	group(v, api, "accessToken", map[string]method{
		"setCustomClaim": v.setClaim(api, "accessToken.setCustomClaim", accessClaims),
		"addScope":       v.scope(api, "accessToken.addScope", true),
		"removeScope":    v.scope(api, "accessToken.removeScope", false),
	})
	group(v, api, "user", userMethods(v, api))
	group(v, api, "multifactor", map[string]method{
		"enable": func(call goja.FunctionCall) goja.Value {
			const op = "multifactor.enable"
			provider := v.stringArg(call, 0, op, "the provider")
			if !slices.Contains(multifactorProviders, provider) {
				panic(v.rt.NewTypeError("api.%s: the provider must be one of %v, not %q", op, multifactorProviders, provider))
			}
			mf := &wire.Multifactor{Provider: provider}
			args := []any{provider}
			if o := v.optObjectArg(call, 1, op, "the options"); o != nil {
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
	group(v, api, "authentication", map[string]method{
		"challengeWith":    v.recorded(api, "authentication.challengeWith", v.argFactor("authentication.challengeWith")),
		"challengeWithAny": v.recorded(api, "authentication.challengeWithAny", v.argFactors("authentication.challengeWithAny")),
		"enrollWith":       v.recorded(api, "authentication.enrollWith", v.argFactor("authentication.enrollWith")),
		"enrollWithAny":    v.recorded(api, "authentication.enrollWithAny", v.argFactors("authentication.enrollWithAny")),
		"recordMethod":     v.recorded(api, "authentication.recordMethod", v.argString("authentication.recordMethod", "the provider URL")),
		"setPrimaryUser":   v.recorded(api, "authentication.setPrimaryUser", v.argString("authentication.setPrimaryUser", "the primary user id")),
	})
	group(v, api, "redirect", v.redirectMethods(api))
	group(v, api, "session", v.expiringMethods(api, "session"))
	group(v, api, "refreshToken", v.expiringMethods(api, "refreshToken"))
	group(v, api, "samlResponse", v.samlMethods(api))
	tx := v.targetScopeMethods(api)
	tx["setMetadata"] = v.recorded(api, "transaction.setMetadata", v.argKeyValue("transaction.setMetadata"))
	group(v, api, "transaction", tx)
	group(v, api, "validation", map[string]method{"error": v.validationError(api)})
	group(v, api, "prompt", map[string]method{"render": v.promptRender(api)})
	group(v, api, "rules", map[string]method{
		"wasExecuted": func(goja.FunctionCall) goja.Value { return v.rt.ToValue(false) }, // no Rules here
	})
	apiDirectory(v, api)
}

// expiringMethods are session.* and refreshToken.* of post-login.
func (v *API) expiringMethods(api *goja.Object, name string) map[string]method {
	return map[string]method{
		"revoke": v.recorded(api, name+".revoke", func(call goja.FunctionCall) []any {
			out := []any{v.optStringArg(call, 0, name+".revoke", "the reason")}
			if o := v.optObjectArg(call, 1, name+".revoke", "the options"); o != nil {
				out = append(out, v.jsonValue(name+".revoke", o))
			}
			return out
		}),
		"setExpiresAt":     v.recorded(api, name+".setExpiresAt", v.argExpiry(name+".setExpiresAt")),
		"setIdleExpiresAt": v.recorded(api, name+".setIdleExpiresAt", v.argExpiry(name+".setIdleExpiresAt")),
		"setMetadata":      v.recorded(api, name+".setMetadata", v.argKeyValue(name+".setMetadata")),
		"deleteMetadata":   v.recorded(api, name+".deleteMetadata", v.argString(name+".deleteMetadata", "the key")),
		"evictMetadata":    v.recorded(api, name+".evictMetadata", func(goja.FunctionCall) []any { return []any{} }),
	}
}

// samlResponse setters of post-login, by the type of their one argument.
var (
	samlStringSetters = []string{"setAudience", "setIssuer", "setEncryptionPublicKey", "setRecipient",
		"setDestination", "setNameIdentifierFormat", "setAuthnContextClassRef", "setSigningCert",
		"setEncryptionCert", "setCert", "setKey", "setRelayState"}
	samlBoolSetters = []string{"setCreateUpnClaim", "setPassthroughClaimsWithNoMapping",
		"setMapUnknownClaimsAsIs", "setMapIdentities", "setSignResponse",
		"setIncludeAttributeNameFormat", "setTypedAttributes"}
)

func (v *API) samlMethods(api *goja.Object) map[string]method {
	m := map[string]method{}
	for _, s := range samlStringSetters {
		op := "samlResponse." + s
		m[s] = v.recorded(api, op, v.argString(op, "the value"))
	}
	for _, s := range samlBoolSetters {
		op := "samlResponse." + s
		m[s] = v.recorded(api, op, v.argBool(op, "the value"))
	}
	m["setLifetimeInSeconds"] = v.recorded(api, "samlResponse.setLifetimeInSeconds", v.argNumber("samlResponse.setLifetimeInSeconds", "the lifetime"))
	m["setAttribute"] = v.recorded(api, "samlResponse.setAttribute", v.argKeyValue("samlResponse.setAttribute"))
	m["setNameIdentifierProbes"] = v.recorded(api, "samlResponse.setNameIdentifierProbes", func(call goja.FunctionCall) []any {
		const op = "samlResponse.setNameIdentifierProbes"
		o, ok := call.Argument(0).(*goja.Object)
		if !ok || o.ClassName() != "Array" {
			panic(v.rt.NewTypeError("api.%s: the probes must be an array of strings", op))
		}
		for _, k := range o.Keys() {
			if _, ok := host.String(o.Get(k)); !ok {
				panic(v.rt.NewTypeError("api.%s: the probes must be an array of strings", op))
			}
		}
		return []any{v.jsonValue(op, o)}
	})
	for _, alg := range []struct{ name, a, b string }{
		{"setSignatureAlgorithm", "rsa-sha256", "rsa-sha1"},
		{"setDigestAlgorithm", "sha256", "sha1"},
	} {
		op := "samlResponse." + alg.name
		m[alg.name] = v.recorded(api, op, func(call goja.FunctionCall) []any {
			s := v.stringArg(call, 0, op, "the algorithm")
			if s != alg.a && s != alg.b {
				panic(v.rt.NewTypeError("api.%s: the algorithm must be %q or %q", op, alg.a, alg.b))
			}
			return []any{s}
		})
	}
	return m
}

func (v *API) scope(api *goja.Object, op string, add bool) method {
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

// targetScopeMethods are api.transaction.add/remove/set/clearTargetScope(s): each updates
// event.transaction.target_scopes at once, for this action and the ones after it.
func (v *API) targetScopeMethods(api *goja.Object) map[string]method {
	update := func(op string, args []any, f func([]string) []string) {
		r := v.current(op)
		eff := v.record(op, args...)
		var cur []string
		if eff.TargetScopes != nil {
			cur = *eff.TargetScopes
		} else {
			cur = initialTargetScopes(r.Request)
		}
		next := f(slices.Clone(cur))
		if next == nil {
			next = []string{}
		}
		eff.TargetScopes = &next
		SetTargetScopes(v.rt, r.Event, next)
	}
	return map[string]method{
		"addTargetScope": func(call goja.FunctionCall) goja.Value {
			s := v.stringArg(call, 0, "transaction.addTargetScope", "the scope")
			update("transaction.addTargetScope", []any{s}, func(c []string) []string {
				if !slices.Contains(c, s) {
					c = append(c, s)
				}
				return c
			})
			return api
		},
		"removeTargetScope": func(call goja.FunctionCall) goja.Value {
			s := v.stringArg(call, 0, "transaction.removeTargetScope", "the scope")
			update("transaction.removeTargetScope", []any{s}, func(c []string) []string {
				return slices.DeleteFunc(c, func(x string) bool { return x == s })
			})
			return api
		},
		"setTargetScopes": func(call goja.FunctionCall) goja.Value {
			const op = "transaction.setTargetScopes"
			o, ok := call.Argument(0).(*goja.Object)
			if !ok || o.ClassName() != "Array" {
				panic(v.rt.NewTypeError("api.%s: the scopes must be an array of strings", op))
			}
			var set []string
			for _, k := range o.Keys() {
				s, ok := host.String(o.Get(k))
				if !ok {
					panic(v.rt.NewTypeError("api.%s: the scopes must be an array of strings", op))
				}
				if !slices.Contains(set, s) {
					set = append(set, s)
				}
			}
			update(op, []any{set}, func([]string) []string { return set })
			return api
		},
		"clearTargetScopes": func(goja.FunctionCall) goja.Value {
			update("transaction.clearTargetScopes", []any{}, func([]string) []string { return []string{} })
			return api
		},
	}
}

// initialTargetScopes reads event.transaction.target_scopes from the request's event.
func initialTargetScopes(event string) []string {
	var ev struct {
		Transaction struct {
			TargetScopes []string `json:"target_scopes"`
		} `json:"transaction"`
	}
	_ = json.Unmarshal([]byte(event), &ev)
	return ev.Transaction.TargetScopes
}

// SetTargetScopes writes scopes into event.transaction.target_scopes of a JS event: the engine
// gives an action's event the scopes the actions before it set.
func SetTargetScopes(rt *goja.Runtime, event *goja.Object, scopes []string) {
	if event == nil {
		return
	}
	tx, ok := event.Get("transaction").(*goja.Object)
	if !ok {
		tx = rt.NewObject()
		event.Set("transaction", tx)
	}
	items := make([]any, len(scopes))
	for i, s := range scopes {
		items[i] = s
	}
	tx.Set("target_scopes", rt.NewArray(items...))
}

func apiCredentialsExchange(v *API, api *goja.Object) {
	group(v, api, "access", map[string]method{
		"deny": v.denyCode(api, "invalid_scope", "invalid_request", "server_error"),
	})
	group(v, api, "accessToken", map[string]method{
		"setCustomClaim": v.setClaim(api, "accessToken.setCustomClaim", accessClaims),
	})
	group(v, api, "transaction", v.targetScopeMethods(api))
}

func apiPreUserRegistration(v *API, api *goja.Object) {
	group(v, api, "access", map[string]method{
		"deny": func(call goja.FunctionCall) goja.Value {
			reason := v.optStringArg(call, 0, "access.deny", "the reason")
			msg := v.optStringArg(call, 1, "access.deny", "the user message")
			eff := v.record("access.deny", reason, msg)
			eff.Access = wire.Access{Denied: true, Reason: reason, UserMessage: msg, Action: v.action}
			return api
		},
	})
	group(v, api, "user", userMethods(v, api))
	group(v, api, "validation", map[string]method{"error": v.validationError(api)})
}

func apiPasswordResetPostChallenge(v *API, api *goja.Object) {
	group(v, api, "access", map[string]method{"deny": v.denyReason(api)})
	group(v, api, "authentication", map[string]method{
		"challengeWith":    v.recorded(api, "authentication.challengeWith", v.argFactor("authentication.challengeWith")),
		"challengeWithAny": v.recorded(api, "authentication.challengeWithAny", v.argFactors("authentication.challengeWithAny")),
	})
	group(v, api, "redirect", v.redirectMethods(api))
	group(v, api, "prompt", map[string]method{"render": v.promptRender(api)})
	group(v, api, "transaction", map[string]method{
		"setResultUrl": func(call goja.FunctionCall) goja.Value {
			const op = "transaction.setResultUrl"
			s := v.stringArg(call, 0, op, "the URL")
			if u, err := url.Parse(s); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				panic(v.rt.NewTypeError("api.%s: %q is not an absolute http(s) URL", op, s))
			}
			args := []any{s}
			if o := v.optObjectArg(call, 1, op, "the options"); o != nil {
				args = append(args, v.jsonValue(op, o))
			}
			eff := v.record(op, args...)
			eff.ResultURL = s
			return api
		},
	})
}

func apiCustomTokenExchange(v *API, api *goja.Object) {
	group(v, api, "access", map[string]method{
		"deny": v.denyCode(api),
		"rejectInvalidSubjectToken": func(call goja.FunctionCall) goja.Value {
			reason := v.optStringArg(call, 0, "access.rejectInvalidSubjectToken", "the reason")
			eff := v.record("access.rejectInvalidSubjectToken", reason)
			eff.Access = wire.Access{Denied: true, Code: "invalid_request", Reason: reason, Action: v.action}
			return api
		},
	})
	group(v, api, "authentication", map[string]method{
		"setUserById": v.recorded(api, "authentication.setUserById", v.argString("authentication.setUserById", "the user id")),
		"setUserByConnection": v.recorded(api, "authentication.setUserByConnection", func(call goja.FunctionCall) []any {
			const op = "authentication.setUserByConnection"
			conn := v.stringArg(call, 0, op, "the connection name")
			profile := v.optObjectArg(call, 1, op, "the user profile")
			if profile == nil {
				panic(v.rt.NewTypeError("api.%s: the user profile must be an object", op))
			}
			out := []any{conn, v.jsonValue(op, profile)}
			if o := v.optObjectArg(call, 2, op, "the options"); o != nil {
				for key, allowed := range map[string][]string{
					"creationBehavior": {"create_if_not_exists", "none"},
					"updateBehavior":   {"replace", "none"},
				} {
					if val := o.Get(key); val != nil && !goja.IsUndefined(val) {
						if s, ok := host.String(val); !ok || !slices.Contains(allowed, s) {
							panic(v.rt.NewTypeError("api.%s: options.%s must be one of %v", op, key, allowed))
						}
					}
				}
				out = append(out, v.jsonValue(op, o))
			}
			return out
		}),
		"setOrganization": v.setOrganization(api),
		"setActor":        v.setActor(api),
	})
	group(v, api, "user", userMethods(v, api))
	apiDirectory(v, api)
}

func apiNotificationProvider(v *API, api *goja.Object) {
	op := func(name string) method {
		return func(call goja.FunctionCall) goja.Value {
			reason := v.optStringArg(call, 0, "notification."+name, "the reason")
			eff := v.record("notification."+name, reason)
			eff.Notification = &wire.Notification{Op: name, Reason: reason, Action: v.action}
			return api
		}
	}
	group(v, api, "notification", map[string]method{"drop": op("drop"), "retry": op("retry")})
}

func apiCacheOnly(*API, *goja.Object) {}

// apiCache adds api.cache, scoped to the action's trigger and shared by every execution of that
// trigger in the daemon (Options.Cache). get is not recorded as a command (it asks nothing of the
// caller); set and delete are, without their values. set and delete return {type: 'success'} or
// {type: 'error', code}; get returns {value, expires_at} or undefined.
func apiCache(v *API, api *goja.Object) {
	scope := v.trigger
	cache := v.cache
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
			key, ok := host.String(call.Argument(0))
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
			key, ok := host.String(call.Argument(0))
			if !ok || key == "" {
				return result(&CacheError{Code: CacheErrInvalidKey})
			}
			val, ok := host.String(call.Argument(1))
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
			key, ok := host.String(call.Argument(0))
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
