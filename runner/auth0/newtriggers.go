package auth0

import (
	"encoding/json"
	"fmt"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/actionsd/actionsd/runner/wire"
	"github.com/dop251/goja"
)

// The triggers Auth0 added since the first set, and the api parts they brought:
//
//	login-post-identifier,
//	signup-post-identifier        access.deny(reason); authentication.setConnectionByName(name)
//	password-hash-migration       access.deny(reason); authentication.setPasswordVerified()
//	post-credential-validation    access.deny(reason); groups.*; roles.* (fail-closed: see
//	                              trigger.Trigger.FailClosed)
//	custom-token-exchange         authentication.setOrganization(organization)/setActor(actor)
//	post-login, custom-token-exchange,
//	post-credential-validation    groups.getUserGroups()/hasGroupMembership(group);
//	                              roles.getUserEffectiveRoles()/
//	                              getUserEffectiveRolesInOrganization(organization)
//
// groups.* and roles.* are answered from the execute request's wire.DirectoryMember (SPEC §4,
// docs/api.md): actionsd has no Auth0 tenant to ask. They return promises, as Auth0's do, and
// reject with an error naming the missing field when the request did not bring the data: a
// missing list is never taken for an empty one.

func apiPostIdentifier(v *API, api *goja.Object) {
	group(v, api, "access", map[string]method{"deny": v.denyReason(api)})
	group(v, api, "authentication", map[string]method{
		"setConnectionByName": v.recorded(api, "authentication.setConnectionByName", func(call goja.FunctionCall) []any {
			const op = "authentication.setConnectionByName"
			name := v.stringArg(call, 0, op, "the connection name")
			if name == "" {
				panic(v.rt.NewTypeError("api.%s: the connection name must not be empty", op))
			}
			return []any{name}
		}),
	})
}

func apiPasswordHashMigration(v *API, api *goja.Object) {
	group(v, api, "access", map[string]method{"deny": v.denyReason(api)})
	group(v, api, "authentication", map[string]method{
		"setPasswordVerified": v.recorded(api, "authentication.setPasswordVerified", func(goja.FunctionCall) []any { return []any{} }),
	})
}

func apiPostCredentialValidation(v *API, api *goja.Object) {
	group(v, api, "access", map[string]method{"deny": v.denyReason(api)})
	apiDirectory(v, api)
}

// setOrganization is custom-token-exchange's api.authentication.setOrganization(organization):
// the organization (id or name) the issued tokens are for.
func (v *API) setOrganization(api *goja.Object) method {
	return v.recorded(api, "authentication.setOrganization", func(call goja.FunctionCall) []any {
		const op = "authentication.setOrganization"
		org := v.stringArg(call, 0, op, "the organization (id or name)")
		if org == "" {
			panic(v.rt.NewTypeError("api.%s: the organization must not be empty", op))
		}
		return []any{org}
	})
}

// maxActorDepth is how deep actor chains (act within act) may nest, as Auth0 allows.
const maxActorDepth = 5

// setActor is custom-token-exchange's api.authentication.setActor(actor): the party acting for
// the subject user, which becomes the tokens' act claim (RFC 8693 §4.1). actor is an object with
// a string sub; its own act, if any, is the actor before it, at most maxActorDepth deep.
func (v *API) setActor(api *goja.Object) method {
	return v.recorded(api, "authentication.setActor", func(call goja.FunctionCall) []any {
		const op = "authentication.setActor"
		o := v.optObjectArg(call, 0, op, "the actor")
		if o == nil {
			panic(v.rt.NewTypeError("api.%s: the actor must be an object like { sub: '…' }", op))
		}
		for depth, cur := 1, o; cur != nil; depth++ {
			if depth > maxActorDepth {
				panic(v.rt.NewTypeError("api.%s: actors nest at most %d deep (act within act)", op, maxActorDepth))
			}
			if s, ok := host.String(cur.Get("sub")); !ok || s == "" {
				panic(v.rt.NewTypeError("api.%s: each actor must have a non-empty string sub", op))
			}
			next := cur.Get("act")
			if next == nil || goja.IsUndefined(next) {
				break
			}
			n, ok := next.(*goja.Object)
			if !ok {
				panic(v.rt.NewTypeError("api.%s: actor.act must be an actor object", op))
			}
			cur = n
		}
		return []any{v.jsonValue(op, o)}
	})
}

// directory is the part of wire.DirectoryMember the api reads. A nil field is data the request
// did not bring.
type directory struct {
	UserGroups                 *[]json.RawMessage            `json:"user_groups"`
	UserEffectiveRoles         *[]json.RawMessage            `json:"user_effective_roles"`
	OrganizationEffectiveRoles map[string]*[]json.RawMessage `json:"organization_effective_roles"`
}

// directory reads the execute request's directory data for op; a request without it, or with
// it malformed, is an error naming the member.
func (v *API) directory(op string) (*directory, error) {
	r := v.current(op)
	var req struct {
		Dir json.RawMessage `json:"actionsd_directory"`
	}
	_ = json.Unmarshal([]byte(r.Request), &req) // the engine validated the request's JSON
	if len(req.Dir) == 0 || string(req.Dir) == "null" {
		return nil, fmt.Errorf("api.%s: the execute request has no %q member: pass the user's groups and roles there (docs/api.md)", op, wire.DirectoryMember)
	}
	var d directory
	if err := json.Unmarshal(req.Dir, &d); err != nil {
		return nil, fmt.Errorf("api.%s: the execute request's %q member is malformed: %v", op, wire.DirectoryMember, err)
	}
	return &d, nil
}

// missingField is the error of a directory list the request did not bring.
func missingField(op, field string) error {
	return fmt.Errorf("api.%s: the execute request has no %s.%s: pass it to answer this call (an empty list is [])", op, wire.DirectoryMember, field)
}

// directoryCall returns an api method that records op with the arguments args gives, and returns
// a promise of what answer finds in the request's directory data (a JSON value), or rejected
// with its error.
func (v *API) directoryCall(op string, args func(call goja.FunctionCall) []any, answer func(d *directory, args []any) (any, error)) method {
	return func(call goja.FunctionCall) goja.Value {
		a := args(call)
		v.record(op, a...)
		p, resolve, reject := v.rt.NewPromise()
		var val any
		d, err := v.directory(op)
		if err == nil {
			val, err = answer(d, a)
		}
		if err != nil {
			_ = reject(v.in.NewError(err.Error()))
			return v.rt.ToValue(p)
		}
		switch x := val.(type) {
		case bool:
			_ = resolve(x)
		case []json.RawMessage:
			b, _ := json.Marshal(x)
			parsed, perr := v.in.JSONParse(goja.Undefined(), v.rt.ToValue(string(b)))
			if perr != nil {
				_ = reject(v.in.NewError("api." + op + ": " + host.ErrorText(perr)))
				break
			}
			_ = resolve(parsed)
		}
		return v.rt.ToValue(p)
	}
}

// groupMatches says whether a group of user_groups is the one asked for: by id or by name, or
// the group itself when it is a plain string.
func groupMatches(raw json.RawMessage, want string) bool {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s == want
	}
	var g struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if json.Unmarshal(raw, &g) != nil {
		return false
	}
	return (g.ID != "" && g.ID == want) || (g.Name != "" && g.Name == want)
}

// apiDirectory adds api.groups and api.roles.
func apiDirectory(v *API, api *goja.Object) {
	noArgs := func(goja.FunctionCall) []any { return []any{} }
	oneString := func(op, what string) func(goja.FunctionCall) []any {
		return func(call goja.FunctionCall) []any {
			s := v.stringArg(call, 0, op, what)
			if s == "" {
				panic(v.rt.NewTypeError("api.%s: %s must not be empty", op, what))
			}
			return []any{s}
		}
	}
	group(v, api, "groups", map[string]method{
		"getUserGroups": v.directoryCall("groups.getUserGroups", noArgs, func(d *directory, _ []any) (any, error) {
			if d.UserGroups == nil {
				return nil, missingField("groups.getUserGroups", "user_groups")
			}
			return *d.UserGroups, nil
		}),
		"hasGroupMembership": v.directoryCall("groups.hasGroupMembership", oneString("groups.hasGroupMembership", "the group (id or name)"), func(d *directory, a []any) (any, error) {
			if d.UserGroups == nil {
				return nil, missingField("groups.hasGroupMembership", "user_groups")
			}
			want := a[0].(string)
			for _, g := range *d.UserGroups {
				if groupMatches(g, want) {
					return true, nil
				}
			}
			return false, nil
		}),
	})
	group(v, api, "roles", map[string]method{
		"getUserEffectiveRoles": v.directoryCall("roles.getUserEffectiveRoles", noArgs, func(d *directory, _ []any) (any, error) {
			if d.UserEffectiveRoles == nil {
				return nil, missingField("roles.getUserEffectiveRoles", "user_effective_roles")
			}
			return *d.UserEffectiveRoles, nil
		}),
		"getUserEffectiveRolesInOrganization": v.directoryCall("roles.getUserEffectiveRolesInOrganization",
			oneString("roles.getUserEffectiveRolesInOrganization", "the organization id"), func(d *directory, a []any) (any, error) {
				const op = "roles.getUserEffectiveRolesInOrganization"
				org := a[0].(string)
				roles, ok := d.OrganizationEffectiveRoles[org]
				if !ok || roles == nil {
					return nil, missingField(op, fmt.Sprintf("organization_effective_roles[%q]", org))
				}
				return *roles, nil
			}),
	})
}
