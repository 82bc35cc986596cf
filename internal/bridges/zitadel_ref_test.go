package bridges

// The Zitadel bridge as it was before its event and answer were written by scanning the body
// and appending: the body decoded into structs (refDecodeZitadelBody, which equals json.Unmarshal
// on it), the answer built as structs and encoded by encoding/json. The tests hold the bridge
// to it (TestZitadelMatchesReference, FuzzZitadelBody).

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
	"github.com/actionsd/actionsd/runner/wire"
)

// refZitadelUser is query.User as Zitadel encodes it (internal/query/user.go), the members the
// event uses.
type refZitadelUser struct {
	ID                 string           `json:"id"`
	CreationDate       string           `json:"creation_date"`
	ChangeDate         string           `json:"change_date"`
	Username           string           `json:"username"`
	PreferredLoginName string           `json:"preferred_login_name"`
	Human              *refZitadelHuman `json:"human"`
	Machine            *struct {
		Name string `json:"name"`
	} `json:"machine"`
}

type refZitadelHuman struct {
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

// refZitadelMetadataInBody is query.UserMetadata: Value is []byte in Zitadel, standard base64.
type refZitadelMetadataInBody struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// refZitadelBody is ContextInfo, the members the event uses; the whole body is the event's
// "zitadel" member as it came.
type refZitadelBody struct {
	UserInfo *struct {
		Picture string `json:"picture"`
	} `json:"userinfo"`
	User         *refZitadelUser            `json:"user"`
	UserMetadata []refZitadelMetadataInBody `json:"user_metadata"`
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

// refZitadelEvent turns a function's context into the post-login event (docs/bridges.md has the
// table).
func refZitadelEvent(body []byte) ([]byte, error) {
	var in refZitadelBody
	if err := refDecodeZitadelBody(body, &in); err != nil {
		return nil, err
	}
	u := in.User
	if u == nil {
		return nil, &ShapeError{Field: "user", Want: "an object"}
	}
	if u.ID == "" {
		return nil, &ShapeError{Field: "user.id", Want: "a non-empty string"}
	}
	md, err := refZitadelMetadata(in.UserMetadata)
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
			if !refContainsString(roles, r) {
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

func refContainsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// refZitadelMetadata decodes the user's metadata into one JSON object: each value is Zitadel's
// bytes, base64 in the body; a value that is JSON (as set_user_metadata writes them, and as
// Zitadel's own v1 actions' refSetMetadata did) is that value, any other UTF-8 a string, and bytes
// that are not UTF-8 stay the base64 string Zitadel sent.
func refZitadelMetadata(list []refZitadelMetadataInBody) (json.RawMessage, error) {
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

// refZitadelClaim and refZitadelMetadataEntry are Zitadel's AppendClaim and domain.Metadata (Value
// is []byte: standard base64 in JSON).
type refZitadelClaim struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

type refZitadelMetadataEntry struct {
	Key   string `json:"key"`
	Value []byte `json:"value"`
}

// refZitadelResponse is ContextInfoResponse less append_log_claims, which the bridge does not fill
// (a token is no place for an action's console; the logs stay in the daemon's).
type refZitadelResponse struct {
	SetUserMetadata []refZitadelMetadataEntry `json:"set_user_metadata,omitempty"`
	AppendClaims    []refZitadelClaim         `json:"append_claims,omitempty"`
}

// refZitadelForwardedError is Zitadel's ErrorBody (internal/execution/execution.go): a 200 answer
// that carries it is an error Zitadel forwards to the caller (403: permission denied, with the
// message), which interrupts the flow when the target has interruptOnError set.
type refZitadelForwardedError struct {
	ForwardedStatusCode   int    `json:"forwardedStatusCode"`
	ForwardedErrorMessage string `json:"forwardedErrorMessage"`
}

// refZitadelFailure is a failed execution: a non-2xx answer, which Zitadel takes as the target's
// failure (Errors.Execution.Failed; the body is not read), and which interrupts the flow when
// the target has interruptOnError set. The body says why, for whoever reads the daemon's answer.
func refZitadelFailure(reason, msg string) Reply {
	var b struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	b.Error.Code, b.Error.Message = reason, msg
	return Reply{Status: http.StatusInternalServerError, Body: b}
}

// refZitadelAnswer answers a function: the claims of claimOp (the ID token's for preuserinfo, the
// access token's for preaccesstoken) and every metadata write, in the order the actions made
// them; a deny is the forwarded 403.
func refZitadelAnswer(hook, claimOp string) func([]byte, *runner.Result) (any, string, string) {
	return func(_ []byte, res *runner.Result) (any, string, string) {
		if res.Outcome == runner.OutcomeFailed {
			msg := failedAction(res)
			return refZitadelFailure(ReasonActionFailed, msg), ReasonActionFailed, msg
		}
		if msg, bad := unsupported("zitadel", hook, res, func(op string) bool {
			return slices.Contains(zitadelExpressible, op)
		}); bad {
			return refZitadelFailure(ReasonUnsupported, msg), ReasonUnsupported, msg
		}
		if a := res.Effects.Access; a.Denied {
			return refZitadelForwardedError{ForwardedStatusCode: http.StatusForbidden, ForwardedErrorMessage: cmpOr(a.Reason, "access denied")}, "", ""
		}
		var out refZitadelResponse
		for _, c := range res.Commands {
			if len(c.Args) < 2 {
				continue
			}
			key, _ := c.Args[0].(string)
			val := claimValue(c.Args[1])
			switch c.Op {
			case claimOp:
				out.AppendClaims = refSetClaim(out.AppendClaims, key, val)
			case "user.setUserMetadata", "user.setAppMetadata":
				if string(val) == "null" {
					// Zitadel's set_user_metadata cannot remove a key: an empty value fails
					// there (domain.Metadata.IsValid) and lands in the log claim.
					msg := fmt.Sprintf("zitadel %s cannot express api.%s(%q, %s) (action %s): set_user_metadata cannot remove a key", hook, c.Op, key, val, c.Action)
					return refZitadelFailure(ReasonUnsupported, msg), ReasonUnsupported, msg
				}
				out.SetUserMetadata = refSetMetadata(out.SetUserMetadata, key, val)
			}
		}
		return out, "", ""
	}
}

// refSetClaim sets key in claims: a later value replaces an earlier one where it stood. The value
// is copied: the answer is written after the result is released.
func refSetClaim(claims []refZitadelClaim, key string, val json.RawMessage) []refZitadelClaim {
	val = append(json.RawMessage(nil), val...)
	for i := range claims {
		if claims[i].Key == key {
			claims[i].Value = val
			return claims
		}
	}
	return append(claims, refZitadelClaim{Key: key, Value: val})
}

func refSetMetadata(md []refZitadelMetadataEntry, key string, val json.RawMessage) []refZitadelMetadataEntry {
	v := append([]byte(nil), val...)
	for i := range md {
		if md[i].Key == key {
			md[i].Value = v
			return md
		}
	}
	return append(md, refZitadelMetadataEntry{Key: key, Value: v})
}

// refDecodeZitadelBody fills in from body as json.Unmarshal would, a member of the wrong type being
// a *ShapeError that names it, but reads only the members the event uses: it checks the body
// once (json.Valid) and then scans it (eachMember, refEachElement), where json.Unmarshal decoded
// every member of Zitadel's context by reflection, the largest part of the bridge's cost
// (BenchmarkZitadelVsExecute).
func refDecodeZitadelBody(body []byte, in *refZitadelBody) error {
	if !json.Valid(body) {
		return &ShapeError{Field: "(body)", Want: "a JSON object"}
	}
	var err error
	set := func(e error) {
		if err == nil {
			err = e
		}
	}
	ok := eachRawMember(body, func(key, v []byte) bool {
		switch string(key) {
		case "userinfo":
			in.UserInfo = nil
			set(refJSONObject(v, "userinfo", func(k []byte, v []byte) error {
				if in.UserInfo == nil {
					in.UserInfo = &struct {
						Picture string `json:"picture"`
					}{}
				}
				if string(k) == "picture" {
					return refJSONString(v, "userinfo.picture", &in.UserInfo.Picture)
				}
				return nil
			}))
		case "user":
			in.User = nil
			set(refJSONObject(v, "user", func(k []byte, v []byte) error {
				if in.User == nil {
					in.User = &refZitadelUser{}
				}
				return refDecodeZitadelUser(in.User, k, v)
			}))
		case "user_metadata":
			in.UserMetadata = in.UserMetadata[:0]
			set(refJSONArray(v, "user_metadata", func(i int, v []byte) error {
				field := "user_metadata[" + strconv.Itoa(i) + "]"
				var m refZitadelMetadataInBody
				err := refJSONObject(v, field, func(k []byte, v []byte) error {
					switch string(k) {
					case "key":
						return refJSONString(v, field+".key", &m.Key)
					case "value":
						return refJSONString(v, field+".value", &m.Value)
					}
					return nil
				})
				in.UserMetadata = append(in.UserMetadata, m)
				return err
			}))
		case "org":
			in.Org = nil
			set(refJSONObject(v, "org", func(k []byte, v []byte) error {
				if in.Org == nil {
					in.Org = &struct {
						ID            string `json:"id"`
						Name          string `json:"name"`
						PrimaryDomain string `json:"primary_domain"`
					}{}
				}
				switch string(k) {
				case "id":
					return refJSONString(v, "org.id", &in.Org.ID)
				case "name":
					return refJSONString(v, "org.name", &in.Org.Name)
				case "primary_domain":
					return refJSONString(v, "org.primary_domain", &in.Org.PrimaryDomain)
				}
				return nil
			}))
		case "user_grants":
			in.UserGrants = in.UserGrants[:0]
			set(refJSONArray(v, "user_grants", func(i int, v []byte) error {
				field := "user_grants[" + strconv.Itoa(i) + "]"
				var g struct {
					Roles []string `json:"roles"`
				}
				err := refJSONObject(v, field, func(k []byte, v []byte) error {
					if string(k) != "roles" {
						return nil
					}
					return refJSONArray(v, field+".roles", func(j int, v []byte) error {
						var r string
						err := refJSONString(v, field+".roles["+strconv.Itoa(j)+"]", &r)
						g.Roles = append(g.Roles, r)
						return err
					})
				})
				in.UserGrants = append(in.UserGrants, g)
				return err
			}))
		case "application":
			in.Application = nil
			set(refJSONObject(v, "application", func(k []byte, v []byte) error {
				if in.Application == nil {
					in.Application = &struct {
						ClientID string `json:"client_id"`
					}{}
				}
				if string(k) == "client_id" {
					return refJSONString(v, "application.client_id", &in.Application.ClientID)
				}
				return nil
			}))
		}
		return true
	})
	if !ok {
		return &ShapeError{Field: "(body)", Want: "a JSON object"}
	}
	return err
}

func refDecodeZitadelUser(u *refZitadelUser, k []byte, v []byte) error {
	switch string(k) {
	case "id":
		return refJSONString(v, "user.id", &u.ID)
	case "creation_date":
		return refJSONString(v, "user.creation_date", &u.CreationDate)
	case "change_date":
		return refJSONString(v, "user.change_date", &u.ChangeDate)
	case "username":
		return refJSONString(v, "user.username", &u.Username)
	case "preferred_login_name":
		return refJSONString(v, "user.preferred_login_name", &u.PreferredLoginName)
	case "machine":
		u.Machine = nil
		return refJSONObject(v, "user.machine", func(k []byte, v []byte) error {
			if u.Machine == nil {
				u.Machine = &struct {
					Name string `json:"name"`
				}{}
			}
			if string(k) == "name" {
				return refJSONString(v, "user.machine.name", &u.Machine.Name)
			}
			return nil
		})
	case "human":
		u.Human = nil
		return refJSONObject(v, "user.human", func(k []byte, v []byte) error {
			if u.Human == nil {
				u.Human = &refZitadelHuman{}
			}
			h := u.Human
			switch string(k) {
			case "first_name":
				return refJSONString(v, "user.human.first_name", &h.FirstName)
			case "last_name":
				return refJSONString(v, "user.human.last_name", &h.LastName)
			case "nick_name":
				return refJSONString(v, "user.human.nick_name", &h.NickName)
			case "display_name":
				return refJSONString(v, "user.human.display_name", &h.DisplayName)
			case "preferred_language":
				return refJSONString(v, "user.human.preferred_language", &h.PreferredLanguage)
			case "email":
				return refJSONString(v, "user.human.email", &h.Email)
			case "is_email_verified":
				return refJSONBool(v, "user.human.is_email_verified", &h.IsEmailVerified)
			case "phone":
				return refJSONString(v, "user.human.phone", &h.Phone)
			case "is_phone_verified":
				return refJSONBool(v, "user.human.is_phone_verified", &h.IsPhoneVerified)
			}
			return nil
		})
	}
	return nil
}

var refJSONNull = []byte("null")

// refJSONString decodes a string member (null leaves *dst as it is, as json.Unmarshal does).
func refJSONString(v []byte, field string, dst *string) error {
	switch {
	case bytes.Equal(v, refJSONNull):
		return nil
	case len(v) >= 2 && v[0] == '"' && bytes.IndexByte(v, '\\') < 0 && utf8.Valid(v):
		// (utf8.Valid added: the decoder took invalid UTF-8 as it came, where json.Unmarshal,
		// which it was to equal, and the scanning event replace it with U+FFFD.)
		*dst = string(v[1 : len(v)-1])
		return nil
	case len(v) >= 2 && v[0] == '"':
		if json.Unmarshal(v, dst) == nil {
			return nil
		}
	}
	return &ShapeError{Field: field, Want: "a string"}
}

func refJSONBool(v []byte, field string, dst *bool) error {
	switch string(v) {
	case "null":
	case "true":
		*dst = true
	case "false":
		*dst = false
	default:
		return &ShapeError{Field: field, Want: "a bool"}
	}
	return nil
}

// refJSONObject calls fn with each member of the object v (null: none); fn's first error stops it.
func refJSONObject(v []byte, field string, fn func(k []byte, v []byte) error) error {
	if bytes.Equal(v, refJSONNull) {
		return nil
	}
	if len(v) == 0 || v[0] != '{' {
		return &ShapeError{Field: field, Want: "an object"}
	}
	var err error
	eachRawMember(v, func(k, v []byte) bool {
		err = fn(k, v)
		return err == nil
	})
	return err
}

// refJSONArray calls fn with each element of the array v (null: none); fn's first error stops it.
func refJSONArray(v []byte, field string, fn func(i int, v []byte) error) error {
	if bytes.Equal(v, refJSONNull) {
		return nil
	}
	if len(v) == 0 || v[0] != '[' {
		return &ShapeError{Field: field, Want: "an array"}
	}
	var err error
	refEachElement(v, func(i int, v []byte) {
		if err == nil {
			err = fn(i, v)
		}
	})
	return err
}

// refEachElement calls fn with each element of arr, a valid JSON array, in order.
func refEachElement(arr []byte, fn func(i int, v []byte)) bool {
	i := wire.SkipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return false
	}
	i = wire.SkipSpace(arr, i+1)
	n := 0
	for i < len(arr) && arr[i] != ']' {
		if arr[i] == ',' {
			i = wire.SkipSpace(arr, i+1)
			continue
		}
		end := wire.SkipValue(arr, i)
		if end == i || end >= len(arr) {
			return false // no value, or the array does not close
		}
		fn(n, arr[i:end])
		n++
		i = wire.SkipSpace(arr, end)
	}
	return i < len(arr)
}
