package bridges

// The Kratos bridge's event and answers as they were before they were written by scanning the
// body and appending: the body decoded into structs by encoding/json, the answers built as maps
// and encoded by it. The tests hold the bridge to it (TestKratosMatchesReference,
// FuzzKratosBody, TestKratosAnswersMatchReference).

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/actionsd/actionsd/runner"
)

// refKratosBody is what examples/kratos/body.jsonnet sends: the parts of Kratos' template context
// (ctx) the event needs, under ctx's own names.
type refKratosBody struct {
	Flow *struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		Active     string `json:"active"`
		RequestURL string `json:"request_url"`
	} `json:"flow"`
	Identity *refKratosIdentity `json:"identity"`
	Session  *refKratosSession  `json:"session"`
	// RequestHeaders are the headers of Kratos' allow list; the event uses these three (matched
	// as encoding/json matches keys, regardless of case, as Go canonicalises them in Kratos).
	RequestHeaders struct {
		TrueClientIP   []string `json:"True-Client-Ip"`
		UserAgent      []string `json:"User-Agent"`
		AcceptLanguage []string `json:"Accept-Language"`
	} `json:"request_headers"`
	RequestMethod string `json:"request_method"`
	RequestURL    string `json:"request_url"`
}

type refKratosIdentity struct {
	ID                  string          `json:"id"`
	SchemaID            string          `json:"schema_id"`
	State               string          `json:"state"`
	Traits              json.RawMessage `json:"traits"`
	MetadataPublic      json.RawMessage `json:"metadata_public"`
	MetadataAdmin       json.RawMessage `json:"metadata_admin"`
	VerifiableAddresses []struct {
		Value    string `json:"value"`
		Verified bool   `json:"verified"`
		Via      string `json:"via"`
	} `json:"verifiable_addresses"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

type refKratosSession struct {
	ID                          string `json:"id"`
	AuthenticatorAssuranceLevel string `json:"authenticator_assurance_level"`
	AuthenticationMethods       []struct {
		Method      string `json:"method"`
		CompletedAt string `json:"completed_at"`
	} `json:"authentication_methods"`
}

// refKratosTraits are the traits of Kratos' usual identity schemas that have a place in Auth0's user.
type refKratosTraits struct {
	Email       string          `json:"email"`
	Phone       string          `json:"phone"`
	PhoneNumber string          `json:"phone_number"`
	Username    string          `json:"username"`
	Name        json.RawMessage `json:"name"` // a string, or {"first", "last"} (Kratos' quickstart schema)
}

func refParseKratosBody(flow string, body []byte) (*refKratosBody, error) {
	var in refKratosBody
	if !isObject(body) {
		return nil, &ShapeError{Field: "(body)", Want: "a JSON object (examples/kratos/body.jsonnet)"}
	}
	if err := decodeShape(body, "", &in); err != nil {
		return nil, err
	}
	if in.Flow == nil {
		return nil, &ShapeError{Field: "flow", Want: "an object (ctx.flow)"}
	}
	if in.Flow.ID == "" {
		return nil, &ShapeError{Field: "flow.id", Want: "a non-empty string"}
	}
	if in.Identity == nil {
		// Only a registration hook that runs before the form is sent ("before") has no identity.
		if flow != "registration" {
			return nil, &ShapeError{Field: "identity", Want: "an object (ctx.identity: the " + flow + " hook runs after)"}
		}
		return &in, nil
	}
	id := in.Identity
	if id.ID == "" {
		return nil, &ShapeError{Field: "identity.id", Want: "a non-empty string"}
	}
	for _, m := range [...]struct {
		name string
		v    *json.RawMessage
	}{{"identity.traits", &id.Traits}, {"identity.metadata_public", &id.MetadataPublic}, {"identity.metadata_admin", &id.MetadataAdmin}} {
		if len(*m.v) == 0 || string(*m.v) == "null" {
			*m.v = emptyObject
		} else if !isObject(*m.v) {
			return nil, &ShapeError{Field: m.name, Want: "an object"}
		}
	}
	return &in, nil
}

// refKratosEventDoc is the event a Kratos hook runs its trigger with. It is encoded from structs,
// not maps, as the hook runs on every registration and login.
type refKratosEventDoc struct {
	User struct {
		UserID        string          `json:"user_id,omitempty"`
		Email         string          `json:"email,omitempty"`
		EmailVerified *bool           `json:"email_verified,omitempty"`
		PhoneNumber   string          `json:"phone_number,omitempty"`
		Username      string          `json:"username,omitempty"`
		Name          string          `json:"name,omitempty"`
		GivenName     string          `json:"given_name,omitempty"`
		FamilyName    string          `json:"family_name,omitempty"`
		UserMetadata  json.RawMessage `json:"user_metadata"`
		AppMetadata   json.RawMessage `json:"app_metadata"`
		CreatedAt     string          `json:"created_at,omitempty"`
		UpdatedAt     string          `json:"updated_at,omitempty"`
	} `json:"user"`
	Connection *struct {
		Name     string `json:"name"`
		Strategy string `json:"strategy"`
	} `json:"connection,omitempty"`
	Request struct {
		IP        string `json:"ip,omitempty"`
		UserAgent string `json:"user_agent,omitempty"`
		Language  string `json:"language,omitempty"`
		Method    string `json:"method,omitempty"`
		Hostname  string `json:"hostname,omitempty"`
	} `json:"request"`
	Authentication *struct {
		Methods []refKratosEventMethod `json:"methods"`
	} `json:"authentication,omitempty"`
	Session *struct {
		ID string `json:"id"`
	} `json:"session,omitempty"`
	Kratos struct {
		Flow struct {
			Name   string `json:"name"`
			ID     string `json:"id"`
			Type   string `json:"type"`
			Active string `json:"active"`
		} `json:"flow"`
		Identity *struct {
			ID       string          `json:"id"`
			SchemaID string          `json:"schema_id"`
			State    string          `json:"state"`
			Traits   json.RawMessage `json:"traits"`
		} `json:"identity,omitempty"`
		Session *struct {
			ID  string `json:"id"`
			AAL string `json:"authenticator_assurance_level"`
		} `json:"session,omitempty"`
	} `json:"kratos"`
}

type refKratosEventMethod struct {
	Name      string `json:"name"`
	Timestamp string `json:"timestamp,omitempty"`
}

// refKratosEvent maps the template's body to the trigger's event (docs/bridges.md, "How the event is
// filled").
func refKratosEvent(flow string) func([]byte) ([]byte, error) {
	return func(body []byte) ([]byte, error) {
		in, err := refParseKratosBody(flow, body)
		if err != nil {
			return nil, err
		}
		var ev refKratosEventDoc
		k := &ev.Kratos
		k.Flow.Name, k.Flow.ID, k.Flow.Type, k.Flow.Active = flow, in.Flow.ID, in.Flow.Type, in.Flow.Active
		u := &ev.User
		u.UserMetadata, u.AppMetadata = emptyObject, emptyObject
		if id := in.Identity; id != nil {
			var tr refKratosTraits
			if err := decodeShape(id.Traits, "identity.traits.", &tr); err != nil {
				return nil, err
			}
			if id.ID != nilUUID {
				u.UserID = id.ID
			}
			if tr.Email != "" {
				u.Email = tr.Email
				for i := range id.VerifiableAddresses {
					if a := &id.VerifiableAddresses[i]; a.Via == "email" && strings.EqualFold(a.Value, tr.Email) {
						u.EmailVerified = &a.Verified
					}
				}
			}
			u.PhoneNumber, u.Username = cmpOr(tr.PhoneNumber, tr.Phone), tr.Username
			var name struct{ First, Last string }
			if len(tr.Name) > 0 && tr.Name[0] == '"' {
				_ = json.Unmarshal(tr.Name, &u.Name)
			} else if json.Unmarshal(tr.Name, &name) == nil && name.First+name.Last != "" {
				u.GivenName, u.FamilyName = name.First, name.Last
				u.Name = strings.TrimSpace(name.First + " " + name.Last)
			}
			u.UserMetadata, u.AppMetadata = id.MetadataPublic, id.MetadataAdmin
			if !strings.HasPrefix(id.CreatedAt, "0001-") {
				u.CreatedAt = id.CreatedAt
			}
			if !strings.HasPrefix(id.UpdatedAt, "0001-") {
				u.UpdatedAt = id.UpdatedAt
			}
			k.Identity = &struct {
				ID       string          `json:"id"`
				SchemaID string          `json:"schema_id"`
				State    string          `json:"state"`
				Traits   json.RawMessage `json:"traits"`
			}{id.ID, id.SchemaID, id.State, id.Traits}
			ev.Connection = &struct {
				Name     string `json:"name"`
				Strategy string `json:"strategy"`
			}{id.SchemaID, cmpOr(in.Flow.Active, "kratos")}
		}
		r := &ev.Request
		h := &in.RequestHeaders
		r.IP, r.UserAgent, r.Language, r.Method = refFirst(h.TrueClientIP), refFirst(h.UserAgent), refFirst(h.AcceptLanguage), in.RequestMethod
		r.Hostname = refHostname(cmpOr(in.RequestURL, in.Flow.RequestURL))
		var methods []refKratosEventMethod
		if s := in.Session; s != nil {
			for _, m := range s.AuthenticationMethods {
				methods = append(methods, refKratosEventMethod{Name: refKratosMethod(m.Method), Timestamp: m.CompletedAt})
			}
			if s.ID != "" {
				ev.Session = &struct {
					ID string `json:"id"`
				}{s.ID}
			}
			k.Session = &struct {
				ID  string `json:"id"`
				AAL string `json:"authenticator_assurance_level"`
			}{s.ID, s.AuthenticatorAssuranceLevel}
		} else if flow == "login" && in.Flow.Active != "" {
			methods = []refKratosEventMethod{{Name: refKratosMethod(in.Flow.Active)}}
		}
		if in.Session != nil || methods != nil {
			ev.Authentication = &struct {
				Methods []refKratosEventMethod `json:"methods"`
			}{methods}
		}
		return ev.appendJSON(make([]byte, 0, len(body)+256)), nil
	}
}

// appendJSON encodes ev as encoding/json would (the same members, in order, omitted when empty
// where the struct says omitempty), by hand: the reflection of json.Marshal was a sixth of a
// registration's CPU. Raw members are valid JSON already (encoding/json decoded them).
func (ev *refKratosEventDoc) appendJSON(b []byte) []byte {
	str := func(b []byte, sep byte, key, v string, omitEmpty bool) []byte {
		if omitEmpty && v == "" {
			return b
		}
		if sep != 0 && b[len(b)-1] != '{' {
			b = append(b, sep)
		}
		b = appendString(b, key)
		b = append(b, ':')
		return appendString(b, v)
	}
	raw := func(b []byte, key string, v []byte) []byte {
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = appendString(b, key)
		b = append(b, ':')
		return append(b, v...)
	}
	u := &ev.User
	b = append(b, `{"user":{`...)
	b = str(b, ',', "user_id", u.UserID, true)
	b = str(b, ',', "email", u.Email, true)
	if u.EmailVerified != nil {
		b = raw(b, "email_verified", strconv.AppendBool(nil, *u.EmailVerified))
	}
	b = str(b, ',', "phone_number", u.PhoneNumber, true)
	b = str(b, ',', "username", u.Username, true)
	b = str(b, ',', "name", u.Name, true)
	b = str(b, ',', "given_name", u.GivenName, true)
	b = str(b, ',', "family_name", u.FamilyName, true)
	b = raw(b, "user_metadata", u.UserMetadata)
	b = raw(b, "app_metadata", u.AppMetadata)
	b = str(b, ',', "created_at", u.CreatedAt, true)
	b = str(b, ',', "updated_at", u.UpdatedAt, true)
	b = append(b, '}')
	if c := ev.Connection; c != nil {
		b = append(b, `,"connection":{`...)
		b = str(b, ',', "name", c.Name, false)
		b = str(b, ',', "strategy", c.Strategy, false)
		b = append(b, '}')
	}
	r := &ev.Request
	b = append(b, `,"request":{`...)
	b = str(b, ',', "ip", r.IP, true)
	b = str(b, ',', "user_agent", r.UserAgent, true)
	b = str(b, ',', "language", r.Language, true)
	b = str(b, ',', "method", r.Method, true)
	b = str(b, ',', "hostname", r.Hostname, true)
	b = append(b, '}')
	if a := ev.Authentication; a != nil {
		b = append(b, `,"authentication":{"methods":`...)
		if a.Methods == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, m := range a.Methods {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, '{')
				b = str(b, ',', "name", m.Name, false)
				b = str(b, ',', "timestamp", m.Timestamp, true)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	if s := ev.Session; s != nil {
		b = append(b, `,"session":{`...)
		b = str(b, ',', "id", s.ID, false)
		b = append(b, '}')
	}
	k := &ev.Kratos
	b = append(b, `,"kratos":{"flow":{`...)
	b = str(b, ',', "name", k.Flow.Name, false)
	b = str(b, ',', "id", k.Flow.ID, false)
	b = str(b, ',', "type", k.Flow.Type, false)
	b = str(b, ',', "active", k.Flow.Active, false)
	b = append(b, '}')
	if id := k.Identity; id != nil {
		b = append(b, `,"identity":{`...)
		b = str(b, ',', "id", id.ID, false)
		b = str(b, ',', "schema_id", id.SchemaID, false)
		b = str(b, ',', "state", id.State, false)
		b = raw(b, "traits", id.Traits)
		b = append(b, '}')
	}
	if s := k.Session; s != nil {
		b = append(b, `,"session":{`...)
		b = str(b, ',', "id", s.ID, false)
		b = str(b, ',', "authenticator_assurance_level", s.AAL, false)
		b = append(b, '}')
	}
	return append(b, "}}"...)
}

func refFirst(v []string) string {
	if len(v) > 0 {
		return v[0]
	}
	return ""
}

// refHostname is the host of an absolute URL, without the port; "" when it has none.
func refHostname(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// refKratosMethod maps Kratos' credential types to the names of Auth0's
// event.authentication.methods.
func refKratosMethod(m string) string {
	switch m {
	case "password":
		return "pwd"
	case "oidc", "saml":
		return "federated"
	case "passkey":
		return "passkey"
	case "code", "link":
		return "email"
	case "totp", "webauthn", "lookup_secret":
		return "mfa"
	}
	return m
}

// refKratosMessages is the answer that stops a flow: Kratos shows each message on the form ("#/").
func refKratosMessages(status, id int, text string, ctx map[string]any) Reply {
	return Reply{Status: status, Body: map[string]any{"messages": []any{map[string]any{
		"instance_ptr": "#/",
		"messages":     []any{map[string]any{"id": id, "text": text, "type": "error", "context": ctx}},
	}}}}
}

// refKratosFailed is the answer to a failed execution: a 422 that stops the flow, naming the action
// that failed (its error stays in the daemon's log and status) or the command Kratos cannot
// express. Not a 5xx: Kratos' HTTP client retries a hook that answers 5xx (three attempts, the
// actions running again each time) and then shows a generic error instead of the messages.
func refKratosFailed(res *runner.Result, flow string, allowed func(string) bool, when string) (any, string, string) {
	if res.Outcome == runner.OutcomeFailed {
		msg := failedAction(res)
		name, _, _ := strings.Cut(msg, ": ")
		return refKratosMessages(http.StatusUnprocessableEntity, kratosErrorSystemGeneric, "action "+name+" failed",
			map[string]any{"reason": "action_failed"}), ReasonActionFailed, msg
	}
	if msg, bad := unsupported("kratos", flow+when, res, allowed); bad {
		return refKratosMessages(http.StatusUnprocessableEntity, kratosErrorSystemGeneric, msg,
			map[string]any{"reason": ReasonUnsupported}), ReasonUnsupported, msg
	}
	return nil, "", ""
}

// refKratosDenied is the answer to access.deny or validation.error: 403 or 400 with the message the
// user should see (pre-user-registration's userMessage, else the reason).
// validation.error denies too; a later access.deny replaces its deny, and then wins.
func refKratosDenied(res *runner.Result) (Reply, bool) {
	a := res.Effects.Access
	if !a.Denied {
		return Reply{}, false
	}
	if v := res.Effects.Validation; v != nil && a.Code == v.Code && a.Reason == v.Message && a.UserMessage == "" {
		return refKratosMessages(http.StatusBadRequest, kratosErrorValidationGeneric, v.Message,
			map[string]any{"reason": v.Message, "code": v.Code}), true
	}
	text := cmpOr(a.UserMessage, a.Reason)
	return refKratosMessages(http.StatusForbidden, kratosErrorValidationGeneric, text, map[string]any{"reason": text}), true
}

// refKratosAnswer answers the login and settings hooks: Kratos stores no change to the identity a
// login hook answers, and post-change-password changes nothing; allowed lists what is expressible.
func refKratosAnswer(flow string, allowed ...string) func([]byte, *runner.Result) (any, string, string) {
	ok := func(op string) bool {
		for _, a := range allowed {
			if op == a {
				return true
			}
		}
		return false
	}
	return func(_ []byte, res *runner.Result) (any, string, string) {
		if answer, reason, msg := refKratosFailed(res, flow, ok, ""); reason != "" {
			return answer, reason, msg
		}
		if r, denied := refKratosDenied(res); denied {
			return r, "", ""
		}
		return struct{}{}, "", ""
	}
}

// refKratosRegistrationAnswer answers the registration hook (pre-user-registration): a deny or
// validation error stops it, and the metadata the actions set is merged into the identity's, for
// Kratos to store with it. Before the form is sent (no identity) and after the identity is stored
// (response.parse off: Kratos calls the hook then, and reads nothing of its answer), metadata
// cannot land.
func refKratosRegistrationAnswer(body []byte, res *runner.Result) (any, string, string) {
	id, ok := refKratosAnswerIdentity(body)
	if !ok { // Event has checked the body: this is not reached
		const msg = "the body is not a JSON object"
		return refKratosMessages(http.StatusUnprocessableEntity, kratosErrorSystemGeneric, msg, map[string]any{"reason": ReasonBadShape}), ReasonBadShape, msg
	}
	when := ""
	switch {
	case !id.present:
		when = " before the identity exists (a before hook)"
	case id.id != nilUUID:
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
	if answer, reason, msg := refKratosFailed(res, "registration", allowed, when); reason != "" {
		return answer, reason, msg
	}
	if r, denied := refKratosDenied(res); denied {
		return r, "", ""
	}
	if len(res.Effects.UserMetadata) == 0 && len(res.Effects.AppMetadata) == 0 {
		return struct{}{}, "", ""
	}
	b := append(make([]byte, 0, len(id.public)+len(id.admin)+128), `{"identity":{`...)
	if len(res.Effects.UserMetadata) > 0 {
		b = append(b, `"metadata_public":`...)
		b = refAppendMerged(b, id.public, res.Effects.UserMetadata)
	}
	if len(res.Effects.AppMetadata) > 0 {
		if len(res.Effects.UserMetadata) > 0 {
			b = append(b, ',')
		}
		b = append(b, `"metadata_admin":`...)
		b = refAppendMerged(b, id.admin, res.Effects.AppMetadata)
	}
	return RawJSON(append(b, "}}"...)), "", ""
}

// refKratosIdentityRef is what the registration answer needs of the body's identity.
type refKratosIdentityRef struct {
	present       bool
	id            string
	public, admin []byte
}

// refKratosAnswerIdentity scans the body (which the hook's Event has checked) for the identity's id
// and metadata, decoding nothing else.
func refKratosAnswerIdentity(body []byte) (refKratosIdentityRef, bool) {
	var ref refKratosIdentityRef
	ok := eachMember(body, func(key string, val []byte) {
		if key != "identity" || !isObject(val) {
			return
		}
		ref.present = true
		eachMember(val, func(key string, val []byte) {
			switch key {
			case "id":
				_ = json.Unmarshal(val, &ref.id)
			case "metadata_public":
				ref.public = val
			case "metadata_admin":
				ref.admin = val
			}
		})
	})
	return ref, ok
}

// refAppendMerged appends the identity's metadata (current: an object, null or nothing) with the
// actions' setUserMetadata/setAppMetadata applied (null removes the key), as one object: Kratos
// replaces the whole member with what the answer holds. The identity's keys keep their order;
// the actions' new keys follow, sorted.
func refAppendMerged(b []byte, current []byte, set map[string]any) []byte {
	b = append(b, '{')
	n := 0
	member := func(k string, v []byte) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendString(b, k)
		b = append(b, ':')
		b = append(b, v...)
	}
	seen := 0
	if isObject(current) {
		eachMember(current, func(k string, v []byte) {
			nv, ok := set[k]
			if !ok {
				member(k, v)
				return
			}
			seen++
			if raw := claimValue(nv); string(raw) != "null" {
				member(k, raw)
			}
		})
	}
	if seen < len(set) {
		keys := make([]string, 0, len(set))
		for k := range set {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if refHasMember(current, k) {
				continue
			}
			if raw := claimValue(set[k]); string(raw) != "null" {
				member(k, raw)
			}
		}
	}
	return append(b, '}')
}

// refHasMember reports whether obj, a JSON object (or not one: false), has the key k.
func refHasMember(obj []byte, k string) bool {
	found := false
	if isObject(obj) {
		eachMember(obj, func(key string, _ []byte) { found = found || key == k })
	}
	return found
}
