package bridges

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
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
		zitadelPreUserinfo:    {Trigger: "post-login", Event: zitadelEvent, Answer: zitadelAnswer(zitadelPreUserinfo, "idToken.setCustomClaim")},
		zitadelPreAccessToken: {Trigger: "post-login", Event: zitadelEvent, Answer: zitadelAnswer(zitadelPreAccessToken, "accessToken.setCustomClaim")},
	}
}

// zitadelFunction reads the hook's name from the body's "function": Zitadel sends the
// execution's ID, "function/preuserinfo" in its docs' example and "function.preuserinfo" where
// internal/repository/execution joins type and name with a dot; both, and the bare name, are
// taken. It scans the top level only (eachMember) and decodes nothing else: the event's decoding
// checks the whole body after.
func zitadelFunction(body []byte) (string, error) {
	var raw []byte
	if !eachMember(body, func(key string, val []byte) {
		if key == "function" {
			raw = val
		}
	}) {
		return "", &ShapeError{Field: "(body)", Want: "a JSON object"}
	}
	var fn string
	switch {
	case raw == nil || string(raw) == "null":
	case len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0:
		fn = string(raw[1 : len(raw)-1])
	default:
		if json.Unmarshal(raw, &fn) != nil {
			return "", &ShapeError{Field: "function", Want: "a string"}
		}
	}
	if fn == "" {
		return "", &ShapeError{Field: "function", Want: "the function Zitadel runs (function/preuserinfo or function/preaccesstoken)"}
	}
	if rest, ok := strings.CutPrefix(fn, "function"); ok && rest != "" && (rest[0] == '/' || rest[0] == '.') {
		fn = rest[1:]
	}
	return fn, nil
}

// zitadelUser is query.User as Zitadel encodes it (internal/query/user.go), the members the
// event uses.
type zitadelUser struct {
	ID                 string        `json:"id"`
	CreationDate       string        `json:"creation_date"`
	ChangeDate         string        `json:"change_date"`
	Username           string        `json:"username"`
	PreferredLoginName string        `json:"preferred_login_name"`
	Human              *zitadelHuman `json:"human"`
	Machine            *struct {
		Name string `json:"name"`
	} `json:"machine"`
}

type zitadelHuman struct {
	FirstName         string `json:"first_name"`
	LastName          string `json:"last_name"`
	NickName          string `json:"nick_name"`
	DisplayName       string `json:"display_name"`
	PreferredLanguage string `json:"preferred_language"`
	Email             string `json:"email"`
	IsEmailVerified   bool   `json:"is_email_verified"`
	Phone             string `json:"phone"`
	IsPhoneVerified   bool   `json:"is_phone_verified"`
}

// zitadelMetadataInBody is query.UserMetadata: Value is []byte in Zitadel, standard base64.
type zitadelMetadataInBody struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// zitadelBody is ContextInfo, the members the event uses; the whole body is the event's
// "zitadel" member as it came.
type zitadelBody struct {
	UserInfo *struct {
		Picture string `json:"picture"`
	} `json:"userinfo"`
	User         *zitadelUser            `json:"user"`
	UserMetadata []zitadelMetadataInBody `json:"user_metadata"`
	Org          *struct {
		ID            string `json:"id"`
		Name          string `json:"name"`
		PrimaryDomain string `json:"primary_domain"`
	} `json:"org"`
	UserGrants []struct {
		Roles []string `json:"roles"`
	} `json:"user_grants"`
	Application *struct {
		ClientID string `json:"client_id"`
	} `json:"application"`
}

// zitadelEvent turns a function's context into the post-login event (docs/bridges.md has the
// table).
func zitadelEvent(body []byte) ([]byte, error) {
	var in zitadelBody
	if err := decodeZitadelBody(body, &in); err != nil {
		return nil, err
	}
	u := in.User
	if u == nil {
		return nil, &ShapeError{Field: "user", Want: "an object"}
	}
	if u.ID == "" {
		return nil, &ShapeError{Field: "user.id", Want: "a non-empty string"}
	}
	md, err := zitadelMetadata(in.UserMetadata)
	if err != nil {
		return nil, err
	}
	// The event is written by hand, not by reflection: the hook runs on every token, and
	// json.Marshal would scan the body again to compact the "zitadel" member.
	b := make([]byte, 0, len(body)+len(md)*2+512)
	str := func(name, v string, always bool) {
		if v == "" && !always {
			return
		}
		b = append(b, ',', '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		b = appendString(b, v)
	}
	boolean := func(name string, v bool) {
		b = append(b, ',', '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		b = strconv.AppendBool(b, v)
	}
	b = append(b, `{"user":{"user_id":`...)
	b = appendString(b, u.ID)
	str("username", cmpOr(u.PreferredLoginName, u.Username), false)
	var email, phone, name, given, family, nick string
	var emailVerified, phoneVerified bool
	if h := u.Human; h != nil {
		email, emailVerified, phone, phoneVerified = h.Email, h.IsEmailVerified, h.Phone, h.IsPhoneVerified
		name, given, family, nick = h.DisplayName, h.FirstName, h.LastName, h.NickName
	} else if m := u.Machine; m != nil {
		name = m.Name
	}
	str("email", email, false)
	boolean("email_verified", emailVerified)
	str("phone_number", phone, false)
	boolean("phone_verified", phoneVerified)
	str("name", name, false)
	str("given_name", given, false)
	str("family_name", family, false)
	str("nickname", nick, false)
	if in.UserInfo != nil {
		str("picture", in.UserInfo.Picture, false)
	}
	str("created_at", u.CreationDate, false)
	str("updated_at", u.ChangeDate, false)
	b = append(b, `,"app_metadata":`...)
	b = append(b, md...)
	b = append(b, `,"user_metadata":`...)
	b = append(b, md...)
	b = append(b, '}')
	if o := in.Org; o != nil && o.ID != "" {
		b = append(b, `,"organization":{"id":`...)
		b = appendString(b, o.ID)
		str("name", o.Name, true)
		str("display_name", o.Name, true)
		b = append(b, `,"metadata":{}}`...)
	}
	if a := in.Application; a != nil && a.ClientID != "" {
		b = append(b, `,"client":{"client_id":`...)
		b = appendString(b, a.ClientID)
		b = append(b, `,"name":"","metadata":{}}`...)
	}
	b = append(b, `,"authorization":{"roles":[`...)
	var roles []string
	for _, g := range in.UserGrants {
		for _, r := range g.Roles {
			if !containsString(roles, r) {
				if len(roles) > 0 {
					b = append(b, ',')
				}
				roles = append(roles, r)
				b = appendString(b, r)
			}
		}
	}
	b = append(b, `]},"authentication":{"methods":[]},"zitadel":`...)
	b = append(b, body...)
	return append(b, '}'), nil
}

func containsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// zitadelMetadata decodes the user's metadata into one JSON object: each value is Zitadel's
// bytes, base64 in the body; a value that is JSON (as set_user_metadata writes them, and as
// Zitadel's own v1 actions' setMetadata did) is that value, any other UTF-8 a string, and bytes
// that are not UTF-8 stay the base64 string Zitadel sent.
func zitadelMetadata(list []zitadelMetadataInBody) (json.RawMessage, error) {
	if len(list) == 0 {
		return emptyObject, nil
	}
	b := append(make([]byte, 0, 64*len(list)), '{')
	for i, m := range list {
		field := "user_metadata[" + strconv.Itoa(i) + "]"
		if m.Key == "" {
			return nil, &ShapeError{Field: field + ".key", Want: "a non-empty string"}
		}
		raw, err := base64.StdEncoding.DecodeString(m.Value)
		if err != nil {
			return nil, &ShapeError{Field: field + ".value", Want: "base64"}
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, m.Key)
		b = append(b, ':')
		switch {
		case json.Valid(raw):
			b = append(b, raw...)
		case utf8.Valid(raw):
			b = appendString(b, string(raw))
		default:
			b = appendString(b, m.Value)
		}
	}
	b = append(b, '}')
	// A key twice (Zitadel's metadata keys are unique per user; a hand-made body may repeat one)
	// is still valid JSON: the last wins when an action reads it.
	return b, nil
}

// zitadelClaim and zitadelMetadataEntry are Zitadel's AppendClaim and domain.Metadata (Value
// is []byte: standard base64 in JSON).
type zitadelClaim struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

type zitadelMetadataEntry struct {
	Key   string `json:"key"`
	Value []byte `json:"value"`
}

// zitadelResponse is ContextInfoResponse less append_log_claims, which the bridge does not fill
// (a token is no place for an action's console; the logs stay in the daemon's).
type zitadelResponse struct {
	SetUserMetadata []zitadelMetadataEntry `json:"set_user_metadata,omitempty"`
	AppendClaims    []zitadelClaim         `json:"append_claims,omitempty"`
}

// zitadelForwardedError is Zitadel's ErrorBody (internal/execution/execution.go): a 200 answer
// that carries it is an error Zitadel forwards to the caller (403: permission denied, with the
// message), which interrupts the flow when the target has interruptOnError set.
type zitadelForwardedError struct {
	ForwardedStatusCode   int    `json:"forwardedStatusCode"`
	ForwardedErrorMessage string `json:"forwardedErrorMessage"`
}

// zitadelFailure is a failed execution: a non-2xx answer, which Zitadel takes as the target's
// failure (Errors.Execution.Failed; the body is not read), and which interrupts the flow when
// the target has interruptOnError set. The body says why, for whoever reads the daemon's answer.
func zitadelFailure(reason, msg string) Reply {
	var b struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	b.Error.Code, b.Error.Message = reason, msg
	return Reply{Status: http.StatusInternalServerError, Body: b}
}

// zitadelExpressible lists the commands both functions' answers can express (docs/bridges.md);
// the claims of the other token are left out, not failed.
var zitadelExpressible = []string{"idToken.setCustomClaim", "accessToken.setCustomClaim", "user.setUserMetadata", "user.setAppMetadata", "access.deny"}

// zitadelAnswer answers a function: the claims of claimOp (the ID token's for preuserinfo, the
// access token's for preaccesstoken) and every metadata write, in the order the actions made
// them; a deny is the forwarded 403.
func zitadelAnswer(hook, claimOp string) func([]byte, *runner.Result) (any, string, string) {
	return func(_ []byte, res *runner.Result) (any, string, string) {
		if res.Outcome == runner.OutcomeFailed {
			msg := failedAction(res)
			return zitadelFailure(ReasonActionFailed, msg), ReasonActionFailed, msg
		}
		if msg, bad := unsupported("zitadel", hook, res, func(op string) bool {
			return slices.Contains(zitadelExpressible, op)
		}); bad {
			return zitadelFailure(ReasonUnsupported, msg), ReasonUnsupported, msg
		}
		if a := res.Effects.Access; a.Denied {
			return zitadelForwardedError{ForwardedStatusCode: http.StatusForbidden, ForwardedErrorMessage: cmpOr(a.Reason, "access denied")}, "", ""
		}
		var out zitadelResponse
		for _, c := range res.Commands {
			if len(c.Args) < 2 {
				continue
			}
			key, _ := c.Args[0].(string)
			val := claimValue(c.Args[1])
			switch c.Op {
			case claimOp:
				out.AppendClaims = setClaim(out.AppendClaims, key, val)
			case "user.setUserMetadata", "user.setAppMetadata":
				if string(val) == "null" {
					// Zitadel's set_user_metadata cannot remove a key: an empty value fails
					// there (domain.Metadata.IsValid) and lands in the log claim.
					msg := fmt.Sprintf("zitadel %s cannot express api.%s(%q, %s) (action %s): set_user_metadata cannot remove a key", hook, c.Op, key, val, c.Action)
					return zitadelFailure(ReasonUnsupported, msg), ReasonUnsupported, msg
				}
				out.SetUserMetadata = setMetadata(out.SetUserMetadata, key, val)
			}
		}
		return out, "", ""
	}
}

// setClaim sets key in claims: a later value replaces an earlier one where it stood. The value
// is copied: the answer is written after the result is released.
func setClaim(claims []zitadelClaim, key string, val json.RawMessage) []zitadelClaim {
	val = append(json.RawMessage(nil), val...)
	for i := range claims {
		if claims[i].Key == key {
			claims[i].Value = val
			return claims
		}
	}
	return append(claims, zitadelClaim{Key: key, Value: val})
}

func setMetadata(md []zitadelMetadataEntry, key string, val json.RawMessage) []zitadelMetadataEntry {
	v := append([]byte(nil), val...)
	for i := range md {
		if md[i].Key == key {
			md[i].Value = v
			return md
		}
	}
	return append(md, zitadelMetadataEntry{Key: key, Value: v})
}
