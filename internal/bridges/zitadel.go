package bridges

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/actionsd/actionsd/runner"
)

// Zitadel's Actions v2 function executions that customise tokens (docs/bridges.md): Zitadel
// posts a function's context to a target (zitadel/zitadel, internal/api/oidc/userinfo.go,
// ContextInfo) and reads back ContextInfoResponse: set_user_metadata, append_claims and
// append_log_claims. The route has no hook segment: the body's "function" names it.
const (
	zitadelPreUserinfo    = "preuserinfo"
	zitadelPreAccessToken = "preaccesstoken"
)

func zitadelHooks() map[string]Hook {
	return map[string]Hook{
		zitadelPreUserinfo:    {Trigger: "post-login", AppendEvent: appendZitadelEvent, AppendReply: appendZitadelAnswer(zitadelPreUserinfo, "idToken.setCustomClaim")},
		zitadelPreAccessToken: {Trigger: "post-login", AppendEvent: appendZitadelEvent, AppendReply: appendZitadelAnswer(zitadelPreAccessToken, "accessToken.setCustomClaim")},
	}
}

// zitadelFunction reads the hook's name from the body's "function": Zitadel sends the
// execution's ID, "function/preuserinfo" in its docs' example and "function.preuserinfo" where
// internal/repository/execution joins type and name with a dot; both, and the bare name, are
// taken. It scans the top level only (eachRawMember) and decodes nothing else: the event checks
// the whole body after. The two functions the bridge serves are named without an allocation.
func zitadelFunction(body []byte) (string, error) {
	var raw []byte
	if !eachRawMember(body, func(key, val []byte) bool {
		if string(key) == "function" {
			raw = val
		}
		return true
	}) {
		return "", &ShapeError{Field: "(body)", Want: "a JSON object"}
	}
	var fn []byte
	switch {
	case raw == nil || string(raw) == "null":
	case len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0:
		fn = raw[1 : len(raw)-1]
	default:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", &ShapeError{Field: "function", Want: "a string"}
		}
		fn = []byte(s)
	}
	if len(fn) == 0 {
		return "", &ShapeError{Field: "function", Want: "the function Zitadel runs (function/preuserinfo or function/preaccesstoken)"}
	}
	if rest, ok := bytes.CutPrefix(fn, []byte("function")); ok && len(rest) > 0 && (rest[0] == '/' || rest[0] == '.') {
		fn = rest[1:]
	}
	switch string(fn) {
	case zitadelPreUserinfo:
		return zitadelPreUserinfo, nil
	case zitadelPreAccessToken:
		return zitadelPreAccessToken, nil
	}
	return string(fn), nil
}

// zitadelContext is what the event uses of ContextInfo, as views of the body: query.User and
// query.UserMetadata as Zitadel encodes them (internal/query/user.go, user_metadata.go). Each
// object member read again (a key twice) starts over, as it did when the body was decoded into
// structs; a string member that is null leaves what was read, as json.Unmarshal does. An object
// is there (user, human, machine) when it has a member.
type zitadelContext struct {
	picture jstr

	user                                      bool
	id, created, changed, username, preferred jstr
	human, machine                            bool
	first, last, nick, display, email, phone  jstr
	emailVerified, phoneVerified              bool
	machineName                               jstr
	orgID, orgName, clientID                  jstr
	metadata, grants                          []byte // the arrays as sent; nil when absent or null
}

// scan reads the object body starts with into c, checking it, and returns its length; a member of
// the wrong type is a *ShapeError naming it, the first in the body's order (checkedScan).
func (c *zitadelContext) scan(body []byte) (int, error) {
	return scanObject(body, named("(body)"), func(k, v []byte) (int, error) {
		switch string(k) {
		case "userinfo":
			c.picture = jstr{}
			return scanObject(v, named("userinfo"), func(k, v []byte) (int, error) {
				if string(k) == "picture" {
					return scanString(v, named("userinfo.picture"), &c.picture)
				}
				return skip(v)
			})
		case "user":
			c.resetUser()
			return scanObject(v, named("user"), func(k, v []byte) (int, error) {
				c.user = true
				return c.scanUser(k, v)
			})
		case "user_metadata":
			c.metadata = nil
			n, err := scanArray(v, named("user_metadata"), func(i int, v []byte) (int, error) {
				return zitadelMetadataEntry(i, v, nil, nil)
			})
			if err == nil && v[0] == '[' {
				c.metadata = v[:n]
			}
			return n, err
		case "org":
			c.orgID, c.orgName = jstr{}, jstr{}
			var domain jstr
			return scanObject(v, named("org"), func(k, v []byte) (int, error) {
				switch string(k) {
				case "id":
					return scanString(v, named("org.id"), &c.orgID)
				case "name":
					return scanString(v, named("org.name"), &c.orgName)
				case "primary_domain":
					return scanString(v, named("org.primary_domain"), &domain)
				}
				return skip(v)
			})
		case "user_grants":
			c.grants = nil
			n, err := scanArray(v, named("user_grants"), func(i int, v []byte) (int, error) {
				return zitadelGrantRoles(i, v, nil)
			})
			if err == nil && v[0] == '[' {
				c.grants = v[:n]
			}
			return n, err
		case "application":
			c.clientID = jstr{}
			return scanObject(v, named("application"), func(k, v []byte) (int, error) {
				if string(k) == "client_id" {
					return scanString(v, named("application.client_id"), &c.clientID)
				}
				return skip(v)
			})
		}
		return skip(v)
	})
}

func (c *zitadelContext) resetUser() {
	c.user = false
	c.id, c.created, c.changed, c.username, c.preferred = jstr{}, jstr{}, jstr{}, jstr{}, jstr{}
	c.resetHuman()
	c.machine, c.machineName = false, jstr{}
}

func (c *zitadelContext) resetHuman() {
	c.human = false
	c.first, c.last, c.nick, c.display, c.email, c.phone = jstr{}, jstr{}, jstr{}, jstr{}, jstr{}, jstr{}
	c.emailVerified, c.phoneVerified = false, false
}

func (c *zitadelContext) scanUser(k, v []byte) (int, error) {
	switch string(k) {
	case "id":
		return scanString(v, named("user.id"), &c.id)
	case "creation_date":
		return scanString(v, named("user.creation_date"), &c.created)
	case "change_date":
		return scanString(v, named("user.change_date"), &c.changed)
	case "username":
		return scanString(v, named("user.username"), &c.username)
	case "preferred_login_name":
		return scanString(v, named("user.preferred_login_name"), &c.preferred)
	case "machine":
		c.machine, c.machineName = false, jstr{}
		return scanObject(v, named("user.machine"), func(k, v []byte) (int, error) {
			c.machine = true
			if string(k) == "name" {
				return scanString(v, named("user.machine.name"), &c.machineName)
			}
			return skip(v)
		})
	case "human":
		c.resetHuman()
		var language jstr
		return scanObject(v, named("user.human"), func(k, v []byte) (int, error) {
			c.human = true
			switch string(k) {
			case "first_name":
				return scanString(v, named("user.human.first_name"), &c.first)
			case "last_name":
				return scanString(v, named("user.human.last_name"), &c.last)
			case "nick_name":
				return scanString(v, named("user.human.nick_name"), &c.nick)
			case "display_name":
				return scanString(v, named("user.human.display_name"), &c.display)
			case "preferred_language":
				return scanString(v, named("user.human.preferred_language"), &language)
			case "email":
				return scanString(v, named("user.human.email"), &c.email)
			case "is_email_verified":
				return scanBool(v, named("user.human.is_email_verified"), &c.emailVerified)
			case "phone":
				return scanString(v, named("user.human.phone"), &c.phone)
			case "is_phone_verified":
				return scanBool(v, named("user.human.is_phone_verified"), &c.phoneVerified)
			}
			return skip(v)
		})
	}
	return skip(v)
}

// zitadelMetadataEntry reads user_metadata[i], query.UserMetadata, into key and value when they
// are not nil: its key and its value (a string, Zitadel's bytes in standard base64). null is an
// entry with neither.
func zitadelMetadataEntry(i int, v []byte, key, value *jstr) (int, error) {
	var k, val jstr
	if key == nil {
		key, value = &k, &val
	}
	return scanObject(v, indexed("user_metadata", i, ""), func(k, v []byte) (int, error) {
		switch string(k) {
		case "key":
			return scanString(v, indexed("user_metadata", i, "key"), key)
		case "value":
			return scanString(v, indexed("user_metadata", i, "value"), value)
		}
		return skip(v)
	})
}

// zitadelGrantRoles reads user_grants[i]'s roles, calling role (when not nil) with each (a null
// role is "", as it was when decoded).
func zitadelGrantRoles(i int, v []byte, role func(r jstr)) (int, error) {
	return scanObject(v, indexed("user_grants", i, ""), func(k, v []byte) (int, error) {
		if string(k) != "roles" {
			return skip(v)
		}
		return scanArray(v, indexed("user_grants", i, "roles"), func(j int, v []byte) (int, error) {
			var r jstr
			n, err := scanString(v, fieldName{base: "user_grants", i: i, member: "roles", j: j}, &r)
			if err == nil && role != nil {
				role(r)
			}
			return n, err
		})
	})
}

// appendZitadelEvent appends the post-login event of a function's context to dst. The hook runs
// on every token Zitadel issues: the body is checked and the members the event uses found in one
// pass (zitadelContext, checkedScan), and the event written by appending their bytes, the body
// itself as the event's "zitadel" member.
func appendZitadelEvent(dst, body []byte) ([]byte, error) {
	var c zitadelContext
	if err := checkedScan(body, c.scan); err == errNotJSON {
		return nil, &ShapeError{Field: "(body)", Want: "a JSON object"}
	} else if err != nil {
		return nil, err
	}
	if !c.user {
		return nil, &ShapeError{Field: "user", Want: "an object"}
	}
	if len(c.id.s) == 0 {
		return nil, &ShapeError{Field: "user.id", Want: "a non-empty string"}
	}
	b := dst
	str := func(name string, v jstr, always bool) {
		if len(v.s) == 0 && !always {
			return
		}
		b = append(b, ',', '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		b = appendJstr(b, v)
	}
	boolean := func(name string, v bool) {
		b = append(b, ',', '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		b = strconv.AppendBool(b, v)
	}
	b = append(b, `{"user":{"user_id":`...)
	b = appendJstr(b, c.id)
	str("username", c.preferred.orElse(c.username), false)
	var email, phone, name, given, family, nick jstr
	var emailVerified, phoneVerified bool
	if c.human {
		email, emailVerified, phone, phoneVerified = c.email, c.emailVerified, c.phone, c.phoneVerified
		name, given, family, nick = c.display, c.first, c.last, c.nick
	} else if c.machine {
		name = c.machineName
	}
	str("email", email, false)
	boolean("email_verified", emailVerified)
	str("phone_number", phone, false)
	boolean("phone_verified", phoneVerified)
	str("name", name, false)
	str("given_name", given, false)
	str("family_name", family, false)
	str("nickname", nick, false)
	str("picture", c.picture, false)
	str("created_at", c.created, false)
	str("updated_at", c.changed, false)
	b = append(b, `,"app_metadata":`...)
	mdStart := len(b)
	b, err := appendZitadelMetadata(b, c.metadata)
	if err != nil {
		return nil, err
	}
	mdEnd := len(b)
	b = append(b, `,"user_metadata":`...)
	b = append(b, b[mdStart:mdEnd]...)
	b = append(b, '}')
	if len(c.orgID.s) > 0 {
		b = append(b, `,"organization":{"id":`...)
		b = appendJstr(b, c.orgID)
		str("name", c.orgName, true)
		str("display_name", c.orgName, true)
		b = append(b, `,"metadata":{}}`...)
	}
	if len(c.clientID.s) > 0 {
		b = append(b, `,"client":{"client_id":`...)
		b = appendJstr(b, c.clientID)
		b = append(b, `,"name":"","metadata":{}}`...)
	}
	b = append(b, `,"authorization":{"roles":[`...)
	b = appendZitadelRoles(b, c.grants)
	b = append(b, `]},"authentication":{"methods":[]},"zitadel":`...)
	b = append(b, body...)
	return append(b, '}'), nil
}

// appendZitadelRoles appends the roles of every grant, each once, in the order first given,
// separated by commas. A role is compared by its encoding, which is one for one with its value.
func appendZitadelRoles(b []byte, grants []byte) []byte {
	if grants == nil {
		return b
	}
	var spanBuf [16][2]int
	spans := spanBuf[:0] // each role written, as b[s[0]:s[1]]
	_, _ = scanArray(grants, named("user_grants"), func(i int, v []byte) (int, error) {
		return zitadelGrantRoles(i, v, func(r jstr) {
			at := len(b)
			if len(spans) > 0 {
				b = append(b, ',')
			}
			s := len(b)
			b = appendJstr(b, r)
			for _, o := range spans {
				if bytes.Equal(b[o[0]:o[1]], b[s:]) {
					b = b[:at]
					return
				}
			}
			spans = append(spans, [2]int{s, len(b)})
		})
	})
	return b
}

// appendZitadelMetadata appends the user's metadata as one JSON object: each value is Zitadel's
// bytes, base64 in the body; a value that is JSON (as set_user_metadata writes them, and as
// Zitadel's own v1 actions' setMetadata did) is that value, any other UTF-8 a string, and bytes
// that are not UTF-8 stay the base64 string Zitadel sent. list is the user_metadata array, its
// entries' types checked already.
func appendZitadelMetadata(b []byte, list []byte) ([]byte, error) {
	if list == nil {
		return append(b, "{}"...), nil
	}
	b = append(b, '{')
	count := 0
	var scratch [256]byte
	_, err := scanArray(list, named("user_metadata"), func(i int, v []byte) (int, error) {
		var key, value jstr
		n, _ := zitadelMetadataEntry(i, v, &key, &value)
		if len(key.s) == 0 {
			return 0, &ShapeError{Field: indexed("user_metadata", i, "key").String(), Want: "a non-empty string"}
		}
		raw := scratch[:0]
		if m := base64.StdEncoding.DecodedLen(len(value.s)); m > len(scratch) {
			raw = make([]byte, 0, m)
		}
		m, derr := base64.StdEncoding.Decode(raw[:cap(raw)], value.s)
		if derr != nil {
			return 0, &ShapeError{Field: indexed("user_metadata", i, "value").String(), Want: "base64"}
		}
		raw = raw[:m]
		if count > 0 {
			b = append(b, ',')
		}
		count++
		b = appendJstr(b, key)
		b = append(b, ':')
		switch {
		case validJSON(raw):
			b = append(b, raw...)
		case utf8.Valid(raw):
			b = appendString(b, raw)
		default:
			b = appendJstr(b, value)
		}
		return n, nil
	})
	if err != nil {
		return nil, err
	}
	// A key twice (Zitadel's metadata keys are unique per user; a hand-made body may repeat one)
	// is still valid JSON: the last wins when an action reads it.
	return append(b, '}'), nil
}

// zitadelFailure appends the answer of a failed execution: a non-2xx answer, which Zitadel takes
// as the target's failure (Errors.Execution.Failed; the body is not read), and which interrupts
// the flow when the target has interruptOnError set. The body says why, for whoever reads the
// daemon's answer.
func appendZitadelFailure(b []byte, reason, msg string) ([]byte, int, string, string) {
	b = append(b, `{"error":{"code":`...)
	b = appendString(b, reason)
	b = append(b, `,"message":`...)
	b = appendString(b, msg)
	return append(b, "}}"...), http.StatusInternalServerError, reason, msg
}

// zitadelExpressible lists the commands both functions' answers can express (docs/bridges.md);
// the claims of the other token are left out, not failed.
var zitadelExpressible = []string{"idToken.setCustomClaim", "accessToken.setCustomClaim", "user.setUserMetadata", "user.setAppMetadata", "access.deny"}

// appendZitadelAnswer answers a function with ContextInfoResponse (less append_log_claims, which
// the bridge does not fill: a token is no place for an action's console; the logs stay in the
// daemon's): the claims of claimOp (the ID token's for preuserinfo, the access token's for
// preaccesstoken) as append_claims, and every metadata write as set_user_metadata (Zitadel's
// AppendClaim and domain.Metadata, whose Value is []byte: standard base64), each key once, where
// it was first set, with its last value. A deny is Zitadel's ErrorBody
// (internal/execution/execution.go): a 200 answer that carries it is an error Zitadel forwards
// to the caller (403: permission denied, with the message), which interrupts the flow when the
// target has interruptOnError set.
func appendZitadelAnswer(hook, claimOp string) func([]byte, []byte, *runner.Result) ([]byte, int, string, string) {
	claim := func(op string) bool { return op == claimOp }
	return func(dst, _ []byte, res *runner.Result) ([]byte, int, string, string) {
		if res.Outcome == runner.OutcomeFailed {
			return appendZitadelFailure(dst, ReasonActionFailed, failedAction(res))
		}
		if msg, bad := unsupported("zitadel", hook, res, func(op string) bool {
			return slices.Contains(zitadelExpressible, op)
		}); bad {
			return appendZitadelFailure(dst, ReasonUnsupported, msg)
		}
		if a := res.Effects.Access; a.Denied {
			b := append(dst, `{"forwardedStatusCode":403,"forwardedErrorMessage":`...)
			b = appendString(b, cmpOr(a.Reason, "access denied"))
			return append(b, '}'), http.StatusOK, "", ""
		}
		for _, c := range res.Commands {
			if len(c.Args) < 2 || !zitadelMetadataOp(c.Op) {
				continue
			}
			if val := claimValue(c.Args[1]); string(val) == "null" {
				// Zitadel's set_user_metadata cannot remove a key: an empty value fails there
				// (domain.Metadata.IsValid) and lands in the log claim.
				key, _ := c.Args[0].(string)
				msg := fmt.Sprintf("zitadel %s cannot express api.%s(%q, %s) (action %s): set_user_metadata cannot remove a key", hook, c.Op, key, val, c.Action)
				return appendZitadelFailure(dst, ReasonUnsupported, msg)
			}
		}
		b := append(dst, '{')
		b, some := appendZitadelList(b, false, res.Commands, "set_user_metadata", zitadelMetadataOp, true)
		b, _ = appendZitadelList(b, some, res.Commands, "append_claims", claim, false)
		return append(b, '}'), http.StatusOK, "", ""
	}
}

func zitadelMetadataOp(op string) bool {
	return op == "user.setUserMetadata" || op == "user.setAppMetadata"
}

// appendZitadelList appends the member name, a list of the {"key", "value"} entries of the
// commands whose op is in, preceded by a comma when comma is set; nothing when there are none. A
// key set again keeps the place where it was first set, with its last value; a metadata value is
// base64.
func appendZitadelList(b []byte, comma bool, cmds []runner.Command, name string, in func(op string) bool, base64Value bool) ([]byte, bool) {
	n := 0
	for i := range cmds {
		c := &cmds[i]
		if len(c.Args) < 2 || !in(c.Op) {
			continue
		}
		key := argKey(c)
		if zitadelKeyIndex(cmds[:i], key, in) >= 0 {
			continue // set before: written there
		}
		last := c
		for j := i + 1; j < len(cmds); j++ {
			if d := &cmds[j]; len(d.Args) >= 2 && in(d.Op) && argKey(d) == key {
				last = d
			}
		}
		switch {
		case n > 0:
			b = append(b, ',')
		case comma:
			b = append(b, ',')
			fallthrough
		default:
			b = append(b, '"')
			b = append(b, name...)
			b = append(b, `":[`...)
		}
		n++
		b = append(b, `{"key":`...)
		b = appendString(b, key)
		b = append(b, `,"value":`...)
		val := claimValue(last.Args[1])
		if base64Value {
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, val)
			b = append(b, '"')
		} else {
			b = append(b, val...)
		}
		b = append(b, '}')
	}
	if n > 0 {
		b = append(b, ']')
	}
	return b, comma || n > 0
}

func argKey(c *runner.Command) string {
	key, _ := c.Args[0].(string)
	return key
}

// zitadelKeyIndex returns the index of the first command of cmds whose op is in and whose key is
// key, or -1.
func zitadelKeyIndex(cmds []runner.Command, key string, in func(op string) bool) int {
	for i := range cmds {
		if c := &cmds[i]; len(c.Args) >= 2 && in(c.Op) && argKey(c) == key {
			return i
		}
	}
	return -1
}
