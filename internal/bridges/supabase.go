package bridges

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/wire"
)

// Supabase Auth's HTTP hooks (https://supabase.com/docs/guides/auth/auth-hooks). Each answers
// HTTP 200: Supabase reads the body of a 2xx answer only, and an error is the object
// {"error": {"http_code": …, "message": …}} in it.
func supabaseHooks() map[string]Hook {
	return map[string]Hook{
		"custom-access-token": {Trigger: "post-login", AppendEvent: appendSupabaseAccessTokenEvent, AppendReply: appendSupabaseAccessTokenAnswer},
		"send-sms":            encodedHook("send-phone-message", supabaseSMSEvent, supabaseSendAnswer("send-sms")),
		"send-email":          encodedHook("custom-email-provider", supabaseEmailEvent, supabaseSendAnswer("send-email")),
		"before-user-created": encodedHook("pre-user-registration", supabaseBeforeUserCreatedEvent, supabaseBeforeUserCreatedAnswer),
		"password-verification-attempt": encodedHook("post-credential-validation", supabaseVerificationEvent("password"),
			supabaseDecisionAnswer("password-verification-attempt")),
		"mfa-verification-attempt": encodedHook("post-credential-validation", supabaseVerificationEvent("mfa"),
			supabaseDecisionAnswer("mfa-verification-attempt")),
	}
}

// supabaseExpressible lists the commands each hook's answer can express (docs/bridges.md); an
// execution that makes another fails, naming it, and validate warns of it (Expressible).
var supabaseExpressible = map[string][]string{
	"custom-access-token":           {"idToken.setCustomClaim", "accessToken.setCustomClaim", "access.deny"},
	"send-sms":                      {},
	"send-email":                    {"notification.drop", "notification.retry"},
	"before-user-created":           {"access.deny", "validation.error"},
	"password-verification-attempt": {"access.deny"},
	"mfa-verification-attempt":      {"access.deny"},
}

func supabaseCan(hook string) func(op string) bool {
	ops := supabaseExpressible[hook]
	return func(op string) bool { return slices.Contains(ops, op) }
}

// supabaseError is Supabase's hook error shape.
func supabaseError(code int, msg string) any {
	return map[string]any{"error": map[string]any{"http_code": code, "message": msg}}
}

// object is a decoded JSON object whose members are read by path, for errors naming the field.
type object struct {
	path string
	m    map[string]json.RawMessage
}

func parseObject(body []byte) (object, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return object{}, &ShapeError{Field: "(body)", Want: "a JSON object"}
	}
	return object{m: m}, nil
}

func (o object) field(name string) string {
	if o.path == "" {
		return name
	}
	return o.path + "." + name
}

// obj reads a required object member.
func (o object) obj(name string) (object, error) {
	raw, ok := o.m[name]
	var m map[string]json.RawMessage
	if !ok || json.Unmarshal(raw, &m) != nil || m == nil {
		return object{}, &ShapeError{Field: o.field(name), Want: "an object"}
	}
	return object{path: o.field(name), m: m}, nil
}

// str reads a string member; required ones must be there and not empty.
func (o object) str(name string, required bool) (string, error) {
	raw, ok := o.m[name]
	if !ok || string(raw) == "null" {
		if required {
			return "", &ShapeError{Field: o.field(name), Want: "a string"}
		}
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil || (required && s == "") {
		return "", &ShapeError{Field: o.field(name), Want: "a non-empty string"}
	}
	return s, nil
}

// boolean reads a required boolean member.
func (o object) boolean(name string) (bool, error) {
	var b bool
	raw, ok := o.m[name]
	if !ok || json.Unmarshal(raw, &b) != nil {
		return false, &ShapeError{Field: o.field(name), Want: "a boolean"}
	}
	return b, nil
}

// raw returns a member as it came, or null.
func (o object) raw(name string) json.RawMessage {
	if r, ok := o.m[name]; ok {
		return r
	}
	return json.RawMessage("null")
}

// metadata returns a member that must be an object when present ({} when absent or null).
func (o object) metadata(name string) (json.RawMessage, error) {
	raw, ok := o.m[name]
	if !ok || string(raw) == "null" {
		return json.RawMessage("{}"), nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil, &ShapeError{Field: o.field(name), Want: "an object"}
	}
	return raw, nil
}

// supabaseUser maps Supabase's user (the auth.users row as JSON) to Auth0's event.user.
func supabaseUser(u object) (map[string]any, error) {
	id, err := u.str("id", true)
	if err != nil {
		return nil, err
	}
	email, err := u.str("email", false)
	if err != nil {
		return nil, err
	}
	phone, err := u.str("phone", false)
	if err != nil {
		return nil, err
	}
	app, err := u.metadata("app_metadata")
	if err != nil {
		return nil, err
	}
	usr, err := u.metadata("user_metadata")
	if err != nil {
		return nil, err
	}
	out := map[string]any{"user_id": id, "app_metadata": app, "user_metadata": usr}
	if email != "" {
		out["email"] = email
	}
	if phone != "" {
		out["phone_number"] = phone
	}
	if c, ok := u.m["created_at"]; ok {
		out["created_at"] = c
	}
	return out, nil
}

// custom-access-token: {"user_id", "claims": {…}, "authentication_method"} → post-login.
//
// appendSupabaseAccessTokenEvent appends the post-login event of a custom-access-token body to
// dst. The hook runs on every token Supabase issues: the body is validated in one pass that finds
// its members too (wire.ObjectMembers), the claims' members are found by scanning, and the event
// is written by appending their bytes as they came, nothing decoded.
func appendSupabaseAccessTokenEvent(dst, body []byte) ([]byte, error) {
	// The body's members are found by the pass that validates it (a body of more members than
	// spans holds, none of Supabase's, is scanned again).
	var spans [8]wire.MemberSpan
	members, ok := wire.ObjectMembers(body, spans[:0])
	if !ok {
		return nil, &ShapeError{Field: "(body)", Want: "a JSON object"}
	}
	var userID, claims, method []byte
	member := func(k, v []byte) bool {
		switch string(k) {
		case "user_id":
			userID = v
		case "claims":
			claims = v
		case "authentication_method":
			method = v
		}
		return true
	}
	if members == nil {
		eachRawMember(body, member)
	}
	for _, m := range members {
		k := m.Key(body)
		if bytes.IndexByte(k, '\\') >= 0 {
			k = []byte(unquote(k))
		} else {
			k = k[1 : len(k)-1]
		}
		member(k, m.Value(body))
	}
	if err := checkString("user_id", userID, true); err != nil {
		return nil, err
	}
	if err := checkString("authentication_method", method, false); err != nil {
		return nil, err
	}
	if claims == nil || claims[0] != '{' {
		return nil, &ShapeError{Field: "claims", Want: "an object"}
	}
	var email, phone, session, app, usr []byte
	eachRawMember(claims, func(k, v []byte) bool {
		switch string(k) {
		case "email":
			email = v
		case "phone":
			phone = v
		case "session_id":
			session = v
		case "app_metadata":
			app = v
		case "user_metadata":
			usr = v
		}
		return true
	})
	for _, m := range [...]struct {
		name string
		v    []byte
	}{{"claims.email", email}, {"claims.phone", phone}, {"claims.session_id", session}} {
		if err := checkString(m.name, m.v, false); err != nil {
			return nil, err
		}
	}
	app, err := objectOrEmpty("claims.app_metadata", app)
	if err != nil {
		return nil, err
	}
	usr, err = objectOrEmpty("claims.user_metadata", usr)
	if err != nil {
		return nil, err
	}
	b := append(dst, `{"user":{"user_id":`...)
	b = append(b, userID...)
	if !isEmptyString(email) {
		b = append(b, `,"email":`...)
		b = append(b, email...)
	}
	if !isEmptyString(phone) {
		b = append(b, `,"phone_number":`...)
		b = append(b, phone...)
	}
	b = append(b, `,"app_metadata":`...)
	b = append(b, app...)
	b = append(b, `,"user_metadata":`...)
	b = append(b, usr...)
	b = append(b, '}')
	if !isEmptyString(method) {
		b = append(b, `,"authentication":{"methods":[{"name":`...)
		b = append(b, method...)
		b = append(b, "}]}"...)
	}
	if !isEmptyString(session) {
		b = append(b, `,"session":{"id":`...)
		b = append(b, session...)
		b = append(b, '}')
	}
	b = append(b, `,"supabase":{"claims":`...)
	b = append(b, claims...)
	b = append(b, `,"authentication_method":`...)
	if isNull(method) {
		b = append(b, `""`...)
	} else {
		b = append(b, method...)
	}
	return append(b, "}}"...), nil
}

// checkString checks that v, a member's valid JSON value (nil when absent), is a string, or
// absent or null when not required; a required one must not be empty.
func checkString(field string, v []byte, required bool) error {
	switch {
	case isNull(v):
		if required {
			return &ShapeError{Field: field, Want: "a non-empty string"}
		}
	case v[0] != '"':
		return &ShapeError{Field: field, Want: "a string"}
	case required && isEmptyString(v):
		return &ShapeError{Field: field, Want: "a non-empty string"}
	}
	return nil
}

// objectOrEmpty checks that v, a member's valid JSON value, is an object, and makes an absent or
// null one {}.
func objectOrEmpty(field string, v []byte) ([]byte, error) {
	if isNull(v) {
		return emptyObject, nil
	}
	if v[0] != '{' {
		return nil, &ShapeError{Field: field, Want: "an object"}
	}
	return v, nil
}

// isNull reports whether a member's value is absent (nil) or null.
func isNull(v []byte) bool { return v == nil || string(v) == "null" }

// isEmptyString reports whether a member's value is absent, null or "".
func isEmptyString(v []byte) bool { return isNull(v) || string(v) == `""` }

var emptyObject = json.RawMessage("{}")

// isObject reports whether raw is a JSON object (it is valid JSON: it was decoded).
func isObject(raw json.RawMessage) bool {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c == '{'
	}
	return false
}

// appendSupabaseAccessTokenAnswer appends the custom-access-token hook's answer to dst: HTTP
// 200, as every Supabase hook answers.
func appendSupabaseAccessTokenAnswer(dst, body []byte, res *runner.Result) ([]byte, int, string, string) {
	if res.Outcome == runner.OutcomeFailed {
		msg := failedAction(res)
		return appendSupabaseError(dst, 500, msg), http.StatusOK, ReasonActionFailed, msg
	}
	if msg, bad := unsupported("supabase", "custom-access-token", res, supabaseCan("custom-access-token")); bad {
		return appendSupabaseError(dst, 500, msg), http.StatusOK, ReasonUnsupported, msg
	}
	if res.Effects.Access.Denied {
		return appendSupabaseError(dst, 403, res.Effects.Access.Reason), http.StatusOK, "", ""
	}
	b, err := appendSupabaseClaims(dst, body, res)
	if err != nil {
		return appendSupabaseError(dst, 500, err.Error()), http.StatusOK, ReasonBadShape, err.Error()
	}
	return b, http.StatusOK, "", ""
}

// appendSupabaseError appends Supabase's hook error shape, as supabaseError encodes it.
func appendSupabaseError(b []byte, code int, msg string) []byte {
	b = append(b, `{"error":{"http_code":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, `,"message":`...)
	b = appendString(b, msg)
	return append(b, "}}"...)
}

// appendSupabaseClaims appends {"claims": …}: Supabase's claims with the claims the actions set
// merged in, ID token claims first, then access token claims (Supabase issues one token, the
// access token, so both land in it). The body was validated as the event was made from it. The
// hook runs on every token Supabase issues, so nothing is decoded and the claims are scanned once:
// when none of the actions' claims can be among Supabase's (no escape in them, and no claim's
// name quoted in them), they are copied in one piece; else member by member, but those the
// actions set.
func appendSupabaseClaims(b, body []byte, res *runner.Result) ([]byte, error) {
	claims := lastMember(body, "claims")
	if claims == nil || claims[0] != '{' {
		return nil, fmt.Errorf("claims: not an object")
	}
	var set claimSet
	set.gather(res.Effects.IDTokenClaims, res.Effects.AccessTokenClaims)
	b = append(b, `{"claims":{`...)
	start := len(b)
	if inner, ok := set.untouched(claims); ok {
		b = append(b, inner...)
	} else {
		first := true
		ok := eachRawMember(claims, func(k, v []byte) bool {
			if !set.has(k) {
				b, first = appendMember(b, first, k, v), false
			}
			return true
		})
		if !ok {
			return nil, fmt.Errorf("claims: not an object")
		}
	}
	return append(set.appendTo(b, len(b) == start), "}}"...), nil
}

// claimSet is the claims the actions set, the access token's over the ID token's: usually a
// few, kept in an array so that each of Supabase's claims is compared with them rather than
// looked up in two maps, and the maps are walked once.
type claimSet struct {
	id, at map[string]any
	n      int
	kv     [8]claimKV
	many   bool // more than kv holds: the maps are used instead
}

type claimKV struct {
	k string
	v any
}

// gather lists id's claims that at does not set, then at's.
func (s *claimSet) gather(id, at map[string]any) {
	s.id, s.at = id, at
	if len(id)+len(at) > len(s.kv) {
		s.many = true
		return
	}
	for k, v := range id {
		if _, ok := at[k]; !ok {
			s.kv[s.n] = claimKV{k, v}
			s.n++
		}
	}
	for k, v := range at {
		s.kv[s.n] = claimKV{k, v}
		s.n++
	}
}

// has reports whether the actions set the claim k.
func (s *claimSet) has(k []byte) bool {
	if s.many {
		_, inID := s.id[string(k)]
		_, inAT := s.at[string(k)]
		return inID || inAT
	}
	for i := range s.n {
		if s.kv[i].k == string(k) {
			return true
		}
	}
	return false
}

// appendTo appends the claims as members of an object, after a comma unless first.
func (s *claimSet) appendTo(b []byte, first bool) []byte {
	if s.many {
		for k, v := range s.id {
			if _, ok := s.at[k]; !ok {
				b, first = appendMember(b, first, k, claimValue(v)), false
			}
		}
		for k, v := range s.at {
			b, first = appendMember(b, first, k, claimValue(v)), false
		}
		return b
	}
	for _, c := range s.kv[:s.n] {
		b, first = appendMember(b, first, c.k, claimValue(c.v)), false
	}
	return b
}

// untouched returns the members of the claims object, its text between the braces, when none of
// them can be one the actions set: the object has no escape (so that each name is written as it
// is, and every '"' in it delimits a string), and no claim's name is written in it as a string.
func (s *claimSet) untouched(claims []byte) ([]byte, bool) {
	if s.many || bytes.IndexByte(claims, '\\') >= 0 {
		return nil, false
	}
	for _, c := range s.kv[:s.n] {
		if c.k == "" || quoted(claims, c.k) {
			return nil, false
		}
	}
	return bytes.TrimSpace(claims[1 : len(claims)-1]), true
}

// quoted reports whether text holds the string k between quotes. It looks for k's first byte,
// not the opening quote: a '"' is in JSON text too often to skip ahead with it.
func quoted(text []byte, k string) bool {
	for i := 1; i+len(k) < len(text); i++ {
		j := bytes.IndexByte(text[i:len(text)-len(k)], k[0])
		if j < 0 {
			return false
		}
		i += j
		if text[i-1] == '"' && text[i+len(k)] == '"' && string(text[i:i+len(k)]) == k {
			return true
		}
	}
	return false
}

// lastMember returns the value of obj's member name (the last one, as encoding/json takes it),
// nil when there is none. obj must be a valid JSON object whose keys are compared as written: a
// key with an escape is decoded first.
func lastMember(obj []byte, name string) []byte {
	var val []byte
	i := wire.SkipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return nil
	}
	for i = wire.SkipSpace(obj, i+1); i < len(obj) && obj[i] != '}'; {
		if obj[i] == ',' {
			i = wire.SkipSpace(obj, i+1)
			continue
		}
		if obj[i] != '"' {
			return nil
		}
		kEnd := wire.SkipString(obj, i)
		lit := obj[i:kEnd]
		i = wire.SkipSpace(obj, kEnd)
		if i >= len(obj) || obj[i] != ':' {
			return nil
		}
		i = wire.SkipSpace(obj, i+1)
		vEnd := wire.SkipValue(obj, i)
		if vEnd == i || vEnd > len(obj) {
			return nil
		}
		if len(lit) >= 2 && string(lit[1:len(lit)-1]) == name || bytes.IndexByte(lit, '\\') >= 0 && unquote(lit) == name {
			val = obj[i:vEnd]
		}
		i = wire.SkipSpace(obj, vEnd)
	}
	return val
}

// unquote decodes a JSON string literal; "" when it is not one.
func unquote(lit []byte) string {
	var s string
	if json.Unmarshal(lit, &s) != nil {
		return ""
	}
	return s
}

// appendMember appends an object's member "k":v, after a comma unless it is the first.
func appendMember[S string | []byte](b []byte, first bool, k S, v []byte) []byte {
	if !first {
		b = append(b, ',')
	}
	b = appendString(b, k)
	b = append(b, ':')
	return append(b, v...)
}

// appendString appends s as a JSON string: quotes, backslashes and control characters escaped,
// everything else as it is, copied a run at a time (as encoding/json does without HTML escaping).
func appendString[S string | []byte](b []byte, s S) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	run := 0 // s[run:i] needs no escape
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[run:i]...)
		if c < 0x20 {
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		} else {
			b = append(b, '\\', c)
		}
		run = i + 1
	}
	b = append(b, s[run:]...)
	return append(b, '"')
}

// claimValue turns an Effects value (json.RawMessage or a Go value) into JSON.
func claimValue(v any) json.RawMessage {
	switch v := v.(type) {
	case json.RawMessage:
		return v
	case []byte:
		return json.RawMessage(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// supabaseBodyUser parses a hook's body and its "user" member, as an Auth0 event's user.
func supabaseBodyUser(body []byte) (object, map[string]any, error) {
	o, err := parseObject(body)
	if err != nil {
		return o, nil, err
	}
	u, err := o.obj("user")
	if err != nil {
		return o, nil, err
	}
	user, err := supabaseUser(u)
	return o, user, err
}

// send-sms: {"user": {…}, "sms": {"otp"}} → send-phone-message.
func supabaseSMSEvent(body []byte) ([]byte, error) {
	o, user, err := supabaseBodyUser(body)
	if err != nil {
		return nil, err
	}
	sms, err := o.obj("sms")
	if err != nil {
		return nil, err
	}
	otp, err := sms.str("otp", true)
	if err != nil {
		return nil, err
	}
	phone, _ := user["phone_number"].(string)
	if phone == "" {
		return nil, &ShapeError{Field: "user.phone", Want: "the phone number to send to"}
	}
	return json.Marshal(map[string]any{"user": user, "message_options": map[string]any{
		"action": "second-factor-authentication", "message_type": "sms", "recipient": phone, "code": otp,
		"text": "Your code is " + otp,
	}})
}

// send-email: {"user": {…}, "email_data": {"token", "token_hash", "redirect_to",
// "email_action_type", "site_url", "token_new", "token_hash_new"}} → custom-email-provider.
func supabaseEmailEvent(body []byte) ([]byte, error) {
	o, user, err := supabaseBodyUser(body)
	if err != nil {
		return nil, err
	}
	data, err := o.obj("email_data")
	if err != nil {
		return nil, err
	}
	kind, err := data.str("email_action_type", true)
	if err != nil {
		return nil, err
	}
	to, _ := user["email"].(string)
	if to == "" {
		return nil, &ShapeError{Field: "user.email", Want: "the address to send to"}
	}
	return json.Marshal(map[string]any{"user": user, "notification": map[string]any{
		"message_type": supabaseEmailType(kind), "to": to, "email_data": o.raw("email_data"),
	}})
}

// supabaseEmailType maps Supabase's email_action_type to Auth0's notification message types.
func supabaseEmailType(kind string) string {
	switch kind {
	case "signup":
		return "verify_email"
	case "recovery":
		return "reset_email"
	case "invite":
		return "user_invitation"
	case "magiclink":
		return "verify_email_by_code"
	case "email_change", "email_change_new", "email_change_current":
		return "change_email"
	case "reauthentication":
		return "mfa_oob_code"
	}
	return kind
}

func supabaseSendAnswer(hook string) func([]byte, *runner.Result) (any, string, string) {
	return func(_ []byte, res *runner.Result) (any, string, string) {
		if res.Outcome == runner.OutcomeFailed {
			msg := failedAction(res)
			return supabaseError(500, msg), ReasonActionFailed, msg
		}
		if msg, bad := unsupported("supabase", hook, res, supabaseCan(hook)); bad {
			return supabaseError(500, msg), ReasonUnsupported, msg
		}
		if n := res.Effects.Notification; n != nil && n.Op == "retry" {
			return supabaseError(503, cmpOr(n.Reason, "the action asked to retry")), "", ""
		}
		return struct{}{}, "", ""
	}
}

// before-user-created: {"metadata": {"uuid", "time", "name", "ip_address"}, "user": {…}} →
// pre-user-registration.
func supabaseBeforeUserCreatedEvent(body []byte) ([]byte, error) {
	o, err := parseObject(body)
	if err != nil {
		return nil, err
	}
	md, err := o.obj("metadata")
	if err != nil {
		return nil, err
	}
	ip, err := md.str("ip_address", false)
	if err != nil {
		return nil, err
	}
	u, err := o.obj("user")
	if err != nil {
		return nil, err
	}
	// The user is not created yet, but Supabase has chosen its id.
	user, err := supabaseUser(u)
	if err != nil {
		return nil, err
	}
	ev := map[string]any{"user": user}
	if ip != "" {
		ev["request"] = map[string]any{"ip": ip}
	}
	return json.Marshal(ev)
}

func supabaseBeforeUserCreatedAnswer(_ []byte, res *runner.Result) (any, string, string) {
	if res.Outcome == runner.OutcomeFailed {
		msg := failedAction(res)
		return supabaseError(500, msg), ReasonActionFailed, msg
	}
	if msg, bad := unsupported("supabase", "before-user-created", res, supabaseCan("before-user-created")); bad {
		return supabaseError(500, msg), ReasonUnsupported, msg
	}
	if a := res.Effects.Access; a.Denied {
		return supabaseError(403, cmpOr(a.UserMessage, a.Reason)), "", ""
	}
	if v := res.Effects.Validation; v != nil {
		return supabaseError(400, v.Message), "", ""
	}
	return struct{}{}, "", ""
}

// password-verification-attempt: {"user_id", "valid"}; mfa-verification-attempt: {"factor_id",
// "factor_type", "user_id", "valid"} → post-credential-validation.
func supabaseVerificationEvent(kind string) func([]byte) ([]byte, error) {
	return func(body []byte) ([]byte, error) {
		o, err := parseObject(body)
		if err != nil {
			return nil, err
		}
		uid, err := o.str("user_id", true)
		if err != nil {
			return nil, err
		}
		valid, err := o.boolean("valid")
		if err != nil {
			return nil, err
		}
		attempt := map[string]any{"kind": kind, "valid": valid}
		method := "pwd"
		if kind == "mfa" {
			fid, err := o.str("factor_id", true)
			if err != nil {
				return nil, err
			}
			ftype, err := o.str("factor_type", false)
			if err != nil {
				return nil, err
			}
			attempt["factor_id"], attempt["factor_type"] = fid, ftype
			method = "mfa"
		}
		return json.Marshal(map[string]any{
			"user":           map[string]any{"user_id": uid},
			"authentication": map[string]any{"methods": []any{map[string]any{"name": method}}},
			"supabase":       map[string]any{"verification_attempt": attempt},
		})
	}
}

func supabaseDecisionAnswer(hook string) func([]byte, *runner.Result) (any, string, string) {
	return func(_ []byte, res *runner.Result) (any, string, string) {
		if msg, bad := unsupported("supabase", hook, res, supabaseCan(hook)); bad {
			return supabaseError(500, msg), ReasonUnsupported, msg
		}
		if a := res.Effects.Access; a.Denied {
			// post-credential-validation is fail-closed: a failed action denies too.
			reason := ""
			msg := a.Reason
			if a.Code == "action_failed" {
				reason, msg = ReasonActionFailed, "an action failed: "+failedAction(res)
			}
			out := map[string]any{"decision": "reject", "message": msg}
			if hook == "password-verification-attempt" {
				out["should_logout_user"] = false
			}
			return out, reason, msg
		}
		return map[string]any{"decision": "continue"}, "", ""
	}
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
