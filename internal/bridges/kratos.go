package bridges

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/actionsd/actionsd/runner"
)

// Ory Kratos' web_hook action (https://www.ory.sh/docs/kratos/hooks/configure-hooks, and
// selfservice/hook/web_hook.go of Kratos v1.3.1, which these follow). Kratos sends the body its
// Jsonnet template makes of the flow's context (examples/kratos/body.jsonnet), with the header its
// auth config names (type api_key, in header). What Kratos reads of the answer, when the hook has
// response.parse (or the older can_interrupt):
//   - 200 with {"identity": {...}}: each member given (traits, metadata_public, metadata_admin, …)
//     replaces the identity's, before it is stored (registration and settings only);
//   - 200 without "identity", or 204: nothing changes;
//   - 4xx (or 5xx, after retrying it) with {"messages": [{"instance_ptr", "messages": [{"id", "text", "type",
//     "context"}]}]}: the flow stops, and each message shows on the form field instance_ptr points
//     at ("#/" is the form itself).

// KratosTokenHeader carries the token Kratos' web hook sends: its auth config is
// {type: api_key, config: {name: X-Actionsd-Token, value: <token>, in: header}}.
const KratosTokenHeader = "X-Actionsd-Token"

// KratosToken checks the token Kratos sends in KratosTokenHeader. Kratos does not sign its web
// hooks: the token is the same on every request, so there is no timestamp and no replay window
// (a captured request can be sent again; the daemon must be reached over TLS).
type KratosToken struct {
	token string
}

// NewKratosToken takes the token Kratos' web hook config holds (at least 32 bytes).
func NewKratosToken(token string) (*KratosToken, error) {
	if len(token) < 32 {
		return nil, errorNoValue("the token must be at least 32 bytes")
	}
	return &KratosToken{token: token}, nil
}

// Precheck compares the header to the token, in time that depends on the token's length only.
func (v *KratosToken) Precheck(h http.Header, _ time.Time) (string, bool) {
	got := header(h, KratosTokenHeader)
	if got == "" {
		return ReasonMissing, false
	}
	if !equalConstantTime(got, v.token) {
		return ReasonBad, false
	}
	return "", true
}

// Verify is Precheck: the token does not cover the body. The zero key and time skip the replay
// check, which a token cannot have.
func (v *KratosToken) Verify(h http.Header, _ []byte, now time.Time) ([32]byte, time.Time, string, bool) {
	reason, ok := v.Precheck(h, now)
	return [32]byte{}, time.Time{}, reason, ok
}

// equalConstantTime reports whether got equals want, looking at every byte of want whatever got
// holds (crypto/subtle's ConstantTimeCompare, without converting got to a slice).
func equalConstantTime(got, want string) bool {
	var diff byte
	if len(got) != len(want) {
		diff = 1
	}
	for i := 0; i < len(want); i++ {
		var c byte
		if i < len(got) {
			c = got[i]
		}
		diff |= c ^ want[i]
	}
	return diff == 0
}

// The Kratos flows and the triggers they run (docs/bridges.md).
func kratosHooks() map[string]Hook {
	hook := func(trigger, flow string, answer func(dst, body []byte, res *runner.Result) ([]byte, int, string, string)) Hook {
		return Hook{Trigger: trigger, AppendEvent: appendKratosEvent(flow), AppendReply: answer}
	}
	return map[string]Hook{
		"registration": hook("pre-user-registration", "registration", appendKratosRegistrationAnswer),
		"login":        hook("post-login", "login", appendKratosAnswer("login", kratosExpressible["login"]...)),
		"settings":     hook("post-change-password", "settings", appendKratosAnswer("settings", kratosExpressible["settings"]...)),
	}
}

// kratosExpressible lists the commands each flow's answer can express (docs/bridges.md), for
// Expressible; a registration's metadata only while the identity is not stored yet.
var kratosExpressible = map[string][]string{
	"registration": {"access.deny", "validation.error", "user.setUserMetadata", "user.setAppMetadata"},
	"login":        {"access.deny"},
	"settings":     nil,
}

// kratosContext is what the event uses of the body examples/kratos/body.jsonnet sends (the parts
// of Kratos' template context, ctx, under ctx's own names), as views of the body. It is read as
// json.Unmarshal read it into structs: keys matched exactly, else regardless of case (Go
// canonicalises the request headers' names in Kratos); an object member given twice is merged
// into (flow, identity, session: null makes them absent again); an array given twice is the last;
// a string member that is null leaves what was read.
type kratosContext struct {
	flow                                  bool // ctx.flow is an object
	flowID, flowType, flowActive, flowURL jstr

	identity                              bool
	id, schemaID, state, created, updated jstr
	traits, public, admin                 []byte // as sent: nil when absent
	addresses                             []byte // verifiable_addresses, an array or nil

	session        bool
	sessionID, aal jstr
	methods        []byte // authentication_methods, an array or nil

	ip, agent, language []byte // the request headers' lists, arrays or nil
	method, url         jstr
}

// The members of each object, as encoding/json matches them to the fields' names.
var (
	kratosTopNames      = []string{"flow", "identity", "session", "request_headers", "request_method", "request_url"}
	kratosFlowNames     = []string{"id", "type", "active", "request_url"}
	kratosIdentityNames = []string{"id", "schema_id", "state", "traits", "metadata_public", "metadata_admin", "verifiable_addresses", "created_at", "updated_at"}
	kratosAddressNames  = []string{"value", "verified", "via"}
	kratosSessionNames  = []string{"id", "authenticator_assurance_level", "authentication_methods"}
	kratosMethodNames   = []string{"method", "completed_at"}
	kratosHeaderNames   = []string{"True-Client-Ip", "User-Agent", "Accept-Language"}
	kratosTraitNames    = []string{"email", "phone", "phone_number", "username", "name"}
	kratosNameNames     = []string{"First", "Last"}
)

// fieldIndex is which of names k is, as encoding/json matches a key to a struct's fields: the
// exact name, else one equal regardless of case (bytes.EqualFold); -1 for none.
func fieldIndex(k []byte, names []string) int {
	for i, n := range names {
		if string(k) == n {
			return i
		}
	}
	ascii := true
	for _, c := range k {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	for i, n := range names {
		if ascii && len(k) != len(n) {
			continue // an ASCII key folds to a name of its own length only
		}
		if bytes.EqualFold(k, []byte(n)) {
			return i
		}
	}
	return -1
}

// kratosObject scans the object v starts with (null: nothing) as scanObject does, calling fn
// with the index in names of each member it knows.
func kratosObject(v []byte, field fieldName, names []string, fn func(i int, v []byte) (int, error)) (int, error) {
	return scanObject(v, field, func(k, v []byte) (int, error) {
		if i := fieldIndex(k, names); i >= 0 {
			return fn(i, v)
		}
		return skip(v)
	})
}

// kratosList checks the list of objects v starts with (verifiable_addresses,
// authentication_methods), and returns it (nil for null) and its length. Its elements' members
// are checked by each, called with the element's member index in names.
func kratosList(v []byte, field fieldName, names []string, each func(i int, v []byte) (int, error)) ([]byte, int, error) {
	switch v[0] {
	case 'n':
		n, err := null(v)
		return nil, n, err
	case '[':
	default:
		return nil, 0, &ShapeError{Field: field.String(), Want: "an array"}
	}
	n, err := scanArray(v, field, func(_ int, v []byte) (int, error) {
		return kratosObject(v, field, names, each)
	})
	return v[:n], n, err
}

// kratosStrings checks the list of strings v starts with (a request header's values), and
// returns it (nil for null) and its length.
func kratosStrings(v []byte, field fieldName) ([]byte, int, error) {
	switch v[0] {
	case 'n':
		n, err := null(v)
		return nil, n, err
	case '[':
	default:
		return nil, 0, &ShapeError{Field: field.String(), Want: "an array of strings"}
	}
	var s jstr
	n, err := scanArray(v, field, func(_ int, v []byte) (int, error) { return scanString(v, field, &s) })
	return v[:n], n, err
}

// firstString is the first element of a list of strings ("" when none, or null).
func firstString(list []byte) jstr {
	var s jstr
	if list != nil {
		eachElement(list, func(_ int, v []byte) bool {
			if v[0] == '"' {
				s = decodeJSONString(v)
			}
			return false
		})
	}
	return s
}

// scan reads the object body starts with into c, checking it, and returns its length; a member of
// the wrong type is a *ShapeError naming it (its path, without array indexes, as encoding/json
// names it), the first in the body's order (checkedScan).
func (c *kratosContext) scan(body []byte) (int, error) {
	return kratosObject(body, named("(body)"), kratosTopNames, func(i int, v []byte) (int, error) {
		switch i {
		case 0:
			if v[0] == 'n' {
				c.flow, c.flowID, c.flowType, c.flowActive, c.flowURL = false, jstr{}, jstr{}, jstr{}, jstr{}
				return null(v)
			}
			c.flow = v[0] == '{'
			return kratosObject(v, named("flow"), kratosFlowNames, func(i int, v []byte) (int, error) {
				return scanString(v, sub("flow", kratosFlowNames[i]), [...]*jstr{&c.flowID, &c.flowType, &c.flowActive, &c.flowURL}[i])
			})
		case 1:
			if v[0] == 'n' {
				c.resetIdentity()
				return null(v)
			}
			c.identity = v[0] == '{'
			return kratosObject(v, named("identity"), kratosIdentityNames, c.scanIdentity)
		case 2:
			if v[0] == 'n' {
				c.session, c.sessionID, c.aal, c.methods = false, jstr{}, jstr{}, nil
				return null(v)
			}
			c.session = v[0] == '{'
			return kratosObject(v, named("session"), kratosSessionNames, func(i int, v []byte) (int, error) {
				switch i {
				case 0:
					return scanString(v, named("session.id"), &c.sessionID)
				case 1:
					return scanString(v, named("session.authenticator_assurance_level"), &c.aal)
				}
				var s jstr
				list, n, err := kratosList(v, named("session.authentication_methods"), kratosMethodNames, func(i int, v []byte) (int, error) {
					return scanString(v, sub("session.authentication_methods", kratosMethodNames[i]), &s)
				})
				c.methods = list
				return n, err
			})
		case 3:
			return kratosObject(v, named("request_headers"), kratosHeaderNames, func(i int, v []byte) (int, error) {
				list, n, err := kratosStrings(v, sub("request_headers", kratosHeaderNames[i]))
				*[...]*[]byte{&c.ip, &c.agent, &c.language}[i] = list
				return n, err
			})
		case 4:
			return scanString(v, named("request_method"), &c.method)
		default:
			return scanString(v, named("request_url"), &c.url)
		}
	})
}

func (c *kratosContext) resetIdentity() {
	c.identity = false
	c.id, c.schemaID, c.state, c.created, c.updated = jstr{}, jstr{}, jstr{}, jstr{}, jstr{}
	c.traits, c.public, c.admin, c.addresses = nil, nil, nil, nil
}

// nilUUID is the id of an identity Kratos has not stored yet (a registration's identity before
// it is persisted, which is when a hook with response.parse runs).
const nilUUID = "00000000-0000-0000-0000-000000000000"

func (c *kratosContext) scanIdentity(i int, v []byte) (int, error) {
	name := kratosIdentityNames[i]
	switch name {
	case "traits", "metadata_public", "metadata_admin":
		n, err := skip(v)
		*[...]*[]byte{&c.traits, &c.public, &c.admin}[i-3] = v[:n]
		return n, err
	case "verifiable_addresses":
		var s jstr
		var verified bool
		list, n, err := kratosList(v, named("identity.verifiable_addresses"), kratosAddressNames, func(i int, v []byte) (int, error) {
			if i == 1 {
				return scanBool(v, named("identity.verifiable_addresses.verified"), &verified)
			}
			return scanString(v, sub("identity.verifiable_addresses", kratosAddressNames[i]), &s)
		})
		c.addresses = list
		return n, err
	}
	return scanString(v, sub("identity", name), [...]*jstr{&c.id, &c.schemaID, &c.state, 7: &c.created, 8: &c.updated}[i])
}

// kratosTraits are the traits of Kratos' usual identity schemas that have a place in Auth0's
// user; name is a string, or {"first", "last"} (Kratos' quickstart schema).
type kratosTraits struct {
	email, phone, phoneNumber, username jstr
	name                                []byte
}

func (t *kratosTraits) scan(traits []byte) error {
	_, err := kratosObject(traits, named("identity.traits"), kratosTraitNames, func(i int, v []byte) (int, error) {
		if i == 4 {
			n, err := skip(v)
			t.name = v[:n]
			return n, err
		}
		return scanString(v, sub("identity.traits", kratosTraitNames[i]), [...]*jstr{&t.email, &t.phone, &t.phoneNumber, &t.username}[i])
	})
	return err
}

// kratosPersonName reads traits.name: a string is the name; {"first", "last"} (json.Unmarshal
// into struct{First, Last string} succeeding, and one of them given) the given and family names.
func kratosPersonName(raw []byte) (name, given, family jstr, split bool) {
	switch {
	case len(raw) == 0:
		return
	case raw[0] == '"':
		return decodeJSONString(raw), jstr{}, jstr{}, false
	case raw[0] != '{':
		return // null, or json.Unmarshal fails: no name
	}
	bad := false
	_, _ = kratosObject(raw, named(""), kratosNameNames, func(i int, v []byte) (int, error) {
		n, err := scanString(v, named(""), [...]*jstr{&given, &family}[i])
		if err != nil { // json.Unmarshal goes on, and fails
			bad = true
			return skip(v)
		}
		return n, nil
	})
	if bad || len(given.s)+len(family.s) == 0 {
		return jstr{}, jstr{}, jstr{}, false
	}
	return jstr{}, given, family, true
}

// appendKratosEvent appends the trigger's event of a flow's body to dst: the body checked and the
// members the event uses found in one pass (kratosContext, checkedScan), and the event written by
// appending the members' bytes.
func appendKratosEvent(flow string) func(dst, body []byte) ([]byte, error) {
	return func(dst, body []byte) ([]byte, error) {
		if !isObject(body) {
			return nil, &ShapeError{Field: "(body)", Want: "a JSON object (examples/kratos/body.jsonnet)"}
		}
		var c kratosContext
		if err := checkedScan(body, c.scan); err == errNotJSON {
			return nil, &ShapeError{Field: "(body)", Want: "a JSON object"}
		} else if err != nil {
			return nil, err
		}
		if !c.flow {
			return nil, &ShapeError{Field: "flow", Want: "an object (ctx.flow)"}
		}
		if len(c.flowID.s) == 0 {
			return nil, &ShapeError{Field: "flow.id", Want: "a non-empty string"}
		}
		if !c.identity {
			// Only a registration hook that runs before the form is sent ("before") has no identity.
			if flow != "registration" {
				return nil, &ShapeError{Field: "identity", Want: "an object (ctx.identity: the " + flow + " hook runs after)"}
			}
		} else {
			if len(c.id.s) == 0 {
				return nil, &ShapeError{Field: "identity.id", Want: "a non-empty string"}
			}
			for i, m := range [...]*[]byte{&c.traits, &c.public, &c.admin} {
				if len(*m) == 0 || string(*m) == "null" {
					*m = emptyObject
				} else if (*m)[0] != '{' {
					return nil, &ShapeError{Field: "identity." + kratosIdentityNames[3+i], Want: "an object"}
				}
			}
		}
		return c.appendEvent(dst, flow)
	}
}

// appendKey appends a member's key and colon, after a comma unless the member is the object's
// first; key is one of the event's names, which need no escape.
func appendKey(b []byte, key string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// appendEvent writes the event (docs/bridges.md, "How the event is filled"): its members in the
// order, and omitted when empty, as the struct kratosEventDoc was encoded before.
func (c *kratosContext) appendEvent(b []byte, flow string) ([]byte, error) {
	str := func(b []byte, key string, v jstr, omitEmpty bool) []byte {
		if omitEmpty && len(v.s) == 0 {
			return b
		}
		return appendJstr(appendKey(b, key), v)
	}
	raw := func(b []byte, key string, v []byte) []byte {
		return append(appendKey(b, key), v...)
	}
	b = append(b, `{"user":{`...)
	if c.identity {
		var tr kratosTraits
		if err := tr.scan(c.traits); err != nil {
			return nil, err
		}
		if string(c.id.s) != nilUUID {
			b = str(b, "user_id", c.id, true)
		}
		if len(tr.email.s) > 0 {
			b = str(b, "email", tr.email, true)
			verified := -1
			if c.addresses != nil {
				eachElement(c.addresses, func(_ int, v []byte) bool {
					var value, via jstr
					var ok bool
					_, _ = kratosObject(v, named(""), kratosAddressNames, func(i int, v []byte) (int, error) {
						if i == 1 {
							return scanBool(v, named(""), &ok)
						}
						return scanString(v, named(""), [...]*jstr{&value, nil, &via}[i])
					})
					if string(via.s) == "email" && bytes.EqualFold(value.s, tr.email.s) {
						verified = 0
						if ok {
							verified = 1
						}
					}
					return true
				})
			}
			if verified >= 0 {
				b = append(b, `,"email_verified":`...)
				b = strconv.AppendBool(b, verified == 1)
			}
		}
		b = str(b, "phone_number", tr.phoneNumber.orElse(tr.phone), true)
		b = str(b, "username", tr.username, true)
		name, given, family, split := kratosPersonName(tr.name)
		if split {
			b = appendTrimmedName(b, given, family)
		} else {
			b = str(b, "name", name, true)
		}
		b = str(b, "given_name", given, true)
		b = str(b, "family_name", family, true)
		b = raw(b, "user_metadata", c.public)
		b = raw(b, "app_metadata", c.admin)
		if !bytes.HasPrefix(c.created.s, []byte("0001-")) {
			b = str(b, "created_at", c.created, true)
		}
		if !bytes.HasPrefix(c.updated.s, []byte("0001-")) {
			b = str(b, "updated_at", c.updated, true)
		}
		b = append(b, '}')
		b = append(b, `,"connection":{`...)
		b = str(b, "name", c.schemaID, false)
		b = str(b, "strategy", c.flowActive.orElse(strategyKratos), false)
		b = append(b, '}')
	} else {
		b = append(b, `"user_metadata":{},"app_metadata":{}}`...)
	}
	b = append(b, `,"request":{`...)
	b = str(b, "ip", firstString(c.ip), true)
	b = str(b, "user_agent", firstString(c.agent), true)
	b = str(b, "language", firstString(c.language), true)
	b = str(b, "method", c.method, true)
	b = str(b, "hostname", kratosHostname(c.url.orElse(c.flowURL)), true)
	b = append(b, '}')
	switch {
	case c.session:
		b = append(b, `,"authentication":{"methods":`...)
		n := 0
		if c.methods != nil {
			eachElement(c.methods, func(_ int, v []byte) bool {
				var method, at jstr
				_, _ = kratosObject(v, named(""), kratosMethodNames, func(i int, v []byte) (int, error) {
					return scanString(v, named(""), [...]*jstr{&method, &at}[i])
				})
				if n == 0 {
					b = append(b, '[')
				} else {
					b = append(b, ',')
				}
				n++
				b = append(b, '{')
				b = str(b, "name", kratosMethodOf(method), false)
				b = str(b, "timestamp", at, true)
				b = append(b, '}')
				return true
			})
		}
		if n == 0 {
			b = append(b, "null"...)
		} else {
			b = append(b, ']')
		}
		b = append(b, '}')
		if len(c.sessionID.s) > 0 {
			b = append(b, `,"session":{`...)
			b = str(b, "id", c.sessionID, false)
			b = append(b, '}')
		}
	case flow == "login" && len(c.flowActive.s) > 0:
		b = append(b, `,"authentication":{"methods":[{`...)
		b = str(b, "name", kratosMethodOf(c.flowActive), false)
		b = append(b, "}]}"...)
	}
	b = append(b, `,"kratos":{"flow":{"name":`...)
	b = appendString(b, flow)
	b = str(b, "id", c.flowID, false)
	b = str(b, "type", c.flowType, false)
	b = str(b, "active", c.flowActive, false)
	b = append(b, '}')
	if c.identity {
		b = append(b, `,"identity":{`...)
		b = str(b, "id", c.id, false)
		b = str(b, "schema_id", c.schemaID, false)
		b = str(b, "state", c.state, false)
		b = raw(b, "traits", c.traits)
		b = append(b, '}')
	}
	if c.session {
		b = append(b, `,"session":{`...)
		b = str(b, "id", c.sessionID, false)
		b = str(b, "authenticator_assurance_level", c.aal, false)
		b = append(b, '}')
	}
	return append(b, "}}"...), nil
}

// appendTrimmedName appends the user's name, given and family names joined by a space, white
// space trimmed (as strings.TrimSpace), and its given_name and family_name.
func appendTrimmedName(b []byte, given, family jstr) []byte {
	var buf [128]byte
	full := append(append(append(buf[:0], given.s...), ' '), family.s...)
	full = bytes.TrimSpace(full)
	if len(full) == 0 {
		return b
	}
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, `"name":`...)
	return appendJstr(b, jstr{s: full, plain: given.plain && family.plain})
}

// kratosHostname is the host of an absolute URL, without the port; "" when it has none (or it
// is no URL), as url.Parse and Hostname find it. An http or https URL whose host is letters,
// digits, dots and dashes, and whose rest has nothing url.Parse would look at twice (a '%',
// '#', white space, a control or non-ASCII byte), is read without it.
func kratosHostname(raw jstr) jstr {
	if len(raw.s) == 0 {
		return jstr{}
	}
	if h, ok := simpleURLHost(raw.s); ok {
		return jstr{s: h, plain: true, set: true}
	}
	u, err := url.Parse(string(raw.s))
	if err != nil {
		return jstr{}
	}
	return jstr{s: []byte(u.Hostname()), set: true}
}

func simpleURLHost(s []byte) ([]byte, bool) {
	var rest []byte
	switch {
	case bytes.HasPrefix(s, []byte("https://")):
		rest = s[len("https://"):]
	case bytes.HasPrefix(s, []byte("http://")):
		rest = s[len("http://"):]
	default:
		return nil, false
	}
	i := 0
	for i < len(rest) {
		c := rest[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			break
		}
		i++
	}
	if i == 0 {
		return nil, false
	}
	j := i
	if j < len(rest) && rest[j] == ':' {
		for j++; j < len(rest) && '0' <= rest[j] && rest[j] <= '9'; j++ {
		}
	}
	if j < len(rest) && rest[j] != '/' && rest[j] != '?' {
		return nil, false
	}
	for _, c := range rest[j:] {
		if c <= ' ' || c >= 0x7f || c == '%' || c == '#' {
			return nil, false
		}
	}
	return rest[:i], true
}

// kratosMethodOf maps Kratos' credential types to the names of Auth0's
// event.authentication.methods.
func kratosMethodOf(m jstr) jstr {
	var s []byte
	switch string(m.s) {
	case "password":
		s = methodPwd
	case "oidc", "saml":
		s = methodFederated
	case "code", "link":
		s = methodEmail
	case "totp", "webauthn", "lookup_secret":
		s = methodMFA
	default:
		return m // passkey, and what the bridge does not know, as it is
	}
	return jstr{s: s, plain: true, set: true}
}

var (
	methodPwd       = []byte("pwd")
	methodFederated = []byte("federated")
	methodEmail     = []byte("email")
	methodMFA       = []byte("mfa")
	strategyKratos  = jstr{s: []byte("kratos"), plain: true, set: true}
)

// Kratos' message ids (text/id.go): a validation error of the form, and a system error.
const (
	kratosErrorValidationGeneric = 4000001
	kratosErrorSystemGeneric     = 5000001
)

// appendKratosMessages appends the answer that stops a flow: Kratos shows each message on the
// form ("#/"). The context holds reason, and code when it is not "" (members sorted, as
// encoding/json wrote the map it was).
func appendKratosMessages(b []byte, id int, text, code, reason string) []byte {
	b = append(b, `{"messages":[{"instance_ptr":"#/","messages":[{"context":{`...)
	if code != "" {
		b = append(b, `"code":`...)
		b = appendString(b, code)
		b = append(b, ',')
	}
	b = append(b, `"reason":`...)
	b = appendString(b, reason)
	b = append(b, `},"id":`...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, `,"text":`...)
	b = appendString(b, text)
	return append(b, `,"type":"error"}]}]}`...)
}

// appendKratosFailed appends the answer to a failed execution: a 422 that stops the flow,
// naming the action that failed (its error stays in the daemon's log and status) or the command
// Kratos cannot express. Not a 5xx: Kratos' HTTP client retries a hook that answers 5xx (three
// attempts, the actions running again each time) and then shows a generic error instead of the
// messages. A reason of "" means the execution did not fail.
func appendKratosFailed(b []byte, res *runner.Result, flow string, allowed func(string) bool, when string) ([]byte, string, string) {
	if res.Outcome == runner.OutcomeFailed {
		msg := failedAction(res)
		name, _, _ := strings.Cut(msg, ": ")
		return appendKratosMessages(b, kratosErrorSystemGeneric, "action "+name+" failed", "", ReasonActionFailed), ReasonActionFailed, msg
	}
	if msg, bad := unsupported("kratos", flow+when, res, allowed); bad {
		return appendKratosMessages(b, kratosErrorSystemGeneric, msg, "", ReasonUnsupported), ReasonUnsupported, msg
	}
	return nil, "", ""
}

// appendKratosDenied appends the answer to access.deny or validation.error, and its status: 403
// or 400 with the message the user should see (pre-user-registration's userMessage, else the
// reason). validation.error denies too; a later access.deny replaces its deny, and then wins.
func appendKratosDenied(b []byte, res *runner.Result) ([]byte, int, bool) {
	a := res.Effects.Access
	if !a.Denied {
		return nil, 0, false
	}
	if v := res.Effects.Validation; v != nil && a.Code == v.Code && a.Reason == v.Message && a.UserMessage == "" {
		return appendKratosMessages(b, kratosErrorValidationGeneric, v.Message, v.Code, v.Message), http.StatusBadRequest, true
	}
	text := cmpOr(a.UserMessage, a.Reason)
	return appendKratosMessages(b, kratosErrorValidationGeneric, text, "", text), http.StatusForbidden, true
}

// appendKratosAnswer answers the login and settings hooks: Kratos stores no change to the
// identity a login hook answers, and post-change-password changes nothing; allowed lists what is
// expressible.
func appendKratosAnswer(flow string, allowed ...string) func(dst, body []byte, res *runner.Result) ([]byte, int, string, string) {
	ok := func(op string) bool { return slices.Contains(allowed, op) }
	return func(dst, _ []byte, res *runner.Result) ([]byte, int, string, string) {
		if b, reason, msg := appendKratosFailed(dst, res, flow, ok, ""); reason != "" {
			return b, http.StatusUnprocessableEntity, reason, msg
		}
		if b, status, denied := appendKratosDenied(dst, res); denied {
			return b, status, "", ""
		}
		return append(dst, "{}"...), http.StatusOK, "", ""
	}
}

// appendKratosRegistrationAnswer answers the registration hook (pre-user-registration): a deny
// or validation error stops it, and the metadata the actions set is merged into the identity's,
// for Kratos to store with it. Before the form is sent (no identity) and after the identity is
// stored (response.parse off: Kratos calls the hook then, and reads nothing of its answer),
// metadata cannot land.
func appendKratosRegistrationAnswer(dst, body []byte, res *runner.Result) ([]byte, int, string, string) {
	id, ok := kratosAnswerIdentity(body)
	if !ok { // the event has checked the body: this is not reached
		const msg = "the body is not a JSON object"
		return appendKratosMessages(dst, kratosErrorSystemGeneric, msg, "", ReasonBadShape), http.StatusUnprocessableEntity, ReasonBadShape, msg
	}
	when := ""
	switch {
	case !id.present:
		when = " before the identity exists (a before hook)"
	case string(id.id) != nilUUID:
		when = " after the identity is stored (the hook lacks response.parse)"
	}
	allowed := func(op string) bool {
		switch op {
		case "access.deny", "validation.error":
			return true
		case "user.setUserMetadata", "user.setAppMetadata":
			return when == ""
		}
		return false
	}
	if b, reason, msg := appendKratosFailed(dst, res, "registration", allowed, when); reason != "" {
		return b, http.StatusUnprocessableEntity, reason, msg
	}
	if b, status, denied := appendKratosDenied(dst, res); denied {
		return b, status, "", ""
	}
	if len(res.Effects.UserMetadata) == 0 && len(res.Effects.AppMetadata) == 0 {
		return append(dst, "{}"...), http.StatusOK, "", ""
	}
	b := append(dst, `{"identity":{`...)
	if len(res.Effects.UserMetadata) > 0 {
		b = append(b, `"metadata_public":`...)
		b = appendMerged(b, id.public, res.Effects.UserMetadata)
	}
	if len(res.Effects.AppMetadata) > 0 {
		if len(res.Effects.UserMetadata) > 0 {
			b = append(b, ',')
		}
		b = append(b, `"metadata_admin":`...)
		b = appendMerged(b, id.admin, res.Effects.AppMetadata)
	}
	return append(b, "}}"...), http.StatusOK, "", ""
}

// kratosIdentityRef is what the registration answer needs of the body's identity.
type kratosIdentityRef struct {
	present       bool
	id            []byte
	public, admin []byte
}

// kratosAnswerIdentity scans the body (which the hook's event has checked) for the identity's id
// and metadata, decoding nothing else. Keys are matched as the event matched them (exactly, else
// regardless of case), so that the answer sees the identity the actions saw.
func kratosAnswerIdentity(body []byte) (kratosIdentityRef, bool) {
	var ref kratosIdentityRef
	ok := eachRawMember(body, func(key, val []byte) bool {
		if fieldIndex(key, kratosTopNames) != 1 || !isObject(val) {
			return true
		}
		ref.present = true
		eachRawMember(val, func(key, val []byte) bool {
			switch fieldIndex(key, kratosIdentityNames) {
			case 0:
				if val[0] == '"' {
					ref.id = decodeJSONString(val).s
				}
			case 4:
				ref.public = val
			case 5:
				ref.admin = val
			}
			return true
		})
		return true
	})
	return ref, ok
}

// appendMerged appends the identity's metadata (current: an object, null or nothing) with the
// actions' setUserMetadata/setAppMetadata applied (null removes the key), as one object: Kratos
// replaces the whole member with what the answer holds. The identity's keys keep their order;
// the actions' new keys follow, sorted.
func appendMerged(b []byte, current []byte, set map[string]any) []byte {
	b = append(b, '{')
	n := 0
	// key starts a member: the comma before it.
	key := func() {
		if n > 0 {
			b = append(b, ',')
		}
		n++
	}
	seen := 0
	if isObject(current) {
		eachRawMember(current, func(k, v []byte) bool {
			nv, ok := set[string(k)]
			if !ok {
				key()
				b = append(appendString(b, k), ':')
				b = append(b, v...)
				return true
			}
			seen++
			if raw := claimValue(nv); string(raw) != "null" {
				key()
				b = append(appendString(b, k), ':')
				b = append(b, raw...)
			}
			return true
		})
	}
	if seen < len(set) {
		var keyBuf [8]string
		keys := keyBuf[:0]
		for k := range set {
			if !hasMember(current, k) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			if raw := claimValue(set[k]); string(raw) != "null" {
				key()
				b = append(appendString(b, k), ':')
				b = append(b, raw...)
			}
		}
	}
	return append(b, '}')
}

// hasMember reports whether obj, a JSON object (or not one: false), has the key k.
func hasMember(obj []byte, k string) bool {
	found := false
	if isObject(obj) {
		eachRawMember(obj, func(key, _ []byte) bool {
			found = string(key) == k
			return !found
		})
	}
	return found
}
