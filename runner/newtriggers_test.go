package runner

import (
	"encoding/json"
	"strings"
	"testing"
)

// triggerAction returns an action on trig whose index.js is src.
func triggerAction(name, trig, src string) *ActionSpec {
	a := newAction(name, src)
	a.Trigger = trig
	return a
}

// TestNewTriggersExecute runs each trigger Auth0 added since through Build and Execute, with the
// api its handler gets and the commands it records.
func TestNewTriggersExecute(t *testing.T) {
	tests := []struct {
		trigger, src, event string
		outcome, ops, args  string
	}{
		{
			trigger: "login-post-identifier",
			src: `exports.onExecutePostIdentifier = async (event, api) => {
  if (event.transaction.identifier.endsWith('@example.com')) api.authentication.setConnectionByName('corp-sso');
};`,
			event:   `{"transaction":{"identifier":"jane@example.com"}}`,
			outcome: OutcomeSuccess, ops: "authentication.setConnectionByName", args: `[["corp-sso"]]`,
		},
		{
			trigger: "signup-post-identifier",
			src: `exports.onExecutePostIdentifier = async (event, api) => {
  api.access.deny('no signups from ' + event.transaction.identifier.split('@')[1]);
};`,
			event:   `{"transaction":{"identifier":"x@blocked.test"}}`,
			outcome: OutcomeDenied, ops: "access.deny", args: `[["no signups from blocked.test"]]`,
		},
		{
			trigger: "password-hash-migration",
			src: `const crypto = require('crypto');
exports.onExecutePasswordHashMigration = async (event, api) => {
  const h = crypto.createHash('sha256').update(event.password.plaintext).digest('hex');
  if (h === event.password.hash) api.authentication.setPasswordVerified();
  else api.access.deny('wrong password');
};`,
			// sha256("hunter2")
			event:   `{"password":{"plaintext":"hunter2","hash":"f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7"}}`,
			outcome: OutcomeSuccess, ops: "authentication.setPasswordVerified", args: `[[]]`,
		},
		{
			trigger: "post-credential-validation",
			src: `exports.onExecutePostCredentialValidation = async (event, api) => {
  if (event.user.blocked_for_risk) api.access.deny('risk');
};`,
			event:   `{"user":{"user_id":"auth0|1","blocked_for_risk":true}}`,
			outcome: OutcomeDenied, ops: "access.deny", args: `[["risk"]]`,
		},
		{
			trigger: "custom-token-exchange",
			src: `exports.onExecuteCustomTokenExchange = async (event, api) => {
  api.authentication.setUserById('auth0|1')
    .authentication.setOrganization('org_abc')
    .authentication.setActor({ sub: 'agent-7', act: { sub: 'svc-1' } });
};`,
			event:   `{"transaction":{"subject_token":"t","subject_token_type":"urn:x"}}`,
			outcome: OutcomeSuccess, ops: "authentication.setUserById,authentication.setOrganization,authentication.setActor",
			args: `[["auth0|1"],["org_abc"],[{"sub":"agent-7","act":{"sub":"svc-1"}}]]`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.trigger, func(t *testing.T) {
			g := mustBuild(t, newSpec(triggerAction("a", tc.trigger, tc.src)), Options{})
			res := mustExecute(t, g, tc.trigger, tc.event)
			if res.Outcome != tc.outcome {
				t.Fatalf("outcome = %s, want %s; result: %s", res.Outcome, tc.outcome, toJSON(t, res))
			}
			if got := strings.Join(ops(res.Commands), ","); got != tc.ops {
				t.Errorf("ops = %s, want %s", got, tc.ops)
			}
			var args []any
			for _, c := range res.Commands {
				args = append(args, c.Args)
			}
			if got := toJSON(t, args); got != tc.args {
				t.Errorf("args = %s, want %s", got, tc.args)
			}
		})
	}
}

// TestNewTriggersArgumentChecks: the new methods throw a TypeError on bad arguments, as Auth0's do.
func TestNewTriggersArgumentChecks(t *testing.T) {
	tests := []struct{ trigger, handler, call, want string }{
		{"login-post-identifier", "onExecutePostIdentifier", `api.authentication.setConnectionByName(42)`, "the connection name must be a string"},
		{"custom-token-exchange", "onExecuteCustomTokenExchange", `api.authentication.setOrganization('')`, "must not be empty"},
		{"custom-token-exchange", "onExecuteCustomTokenExchange", `api.authentication.setActor('agent')`, "the actor must be an object"},
		{"custom-token-exchange", "onExecuteCustomTokenExchange", `api.authentication.setActor({ name: 'no sub' })`, "non-empty string sub"},
		{"custom-token-exchange", "onExecuteCustomTokenExchange",
			`api.authentication.setActor({sub:'1',act:{sub:'2',act:{sub:'3',act:{sub:'4',act:{sub:'5',act:{sub:'6'}}}}}})`, "at most 5 deep"},
	}
	for _, tc := range tests {
		t.Run(tc.call, func(t *testing.T) {
			src := `exports.` + tc.handler + ` = async (event, api) => {
  try { ` + tc.call + `; } catch (e) { console.log(e.name + ': ' + e.message); }
};`
			g := mustBuild(t, newSpec(triggerAction("a", tc.trigger, src)), Options{})
			res := mustExecute(t, g, tc.trigger, `{}`)
			wantSuccess(t, res)
			if logs := res.Actions[0].Logs; len(logs) != 1 || !strings.HasPrefix(logs[0], "TypeError: ") || !strings.Contains(logs[0], tc.want) {
				t.Errorf("logs = %q, want one TypeError containing %q", logs, tc.want)
			}
			if len(res.Commands) != 0 {
				t.Errorf("commands = %s, want none", toJSON(t, res.Commands))
			}
		})
	}
}

// TestPostCredentialValidationFailsClosed: an error, a rejection or a time-out in any action of
// post-credential-validation denies the transaction (and later actions do not run); the same
// error in another trigger fails it.
func TestPostCredentialValidationFailsClosed(t *testing.T) {
	throws := `exports.onExecutePostCredentialValidation = async (event, api) => { throw new Error('risk service down'); };`
	rejects := `exports.onExecutePostCredentialValidation = (event, api) => Promise.reject(new TypeError('bad'));`
	after := triggerAction("after", "post-credential-validation", `exports.onExecutePostCredentialValidation = async (event, api) => { console.log('ran'); };`)
	for name, src := range map[string]string{"throws": throws, "rejects": rejects} {
		t.Run(name, func(t *testing.T) {
			g := mustBuild(t, newSpec(triggerAction("first", "post-credential-validation", src), after), Options{})
			res := mustExecute(t, g, "post-credential-validation", `{"user":{"user_id":"auth0|1"}}`)
			if res.Outcome != OutcomeDenied {
				t.Fatalf("outcome = %s, want denied; result: %s", res.Outcome, toJSON(t, res))
			}
			if got, want := toJSON(t, res.Effects.Access), `{"denied":true,"reason":"the action failed","code":"action_failed","action":"first"}`; got != want {
				t.Errorf("access = %s, want %s", got, want)
			}
			if len(res.Actions) != 1 || res.Actions[0].Error == nil {
				t.Errorf("actions = %s, want the first alone, with its error", toJSON(t, res.Actions))
			}
		})
	}
	t.Run("other triggers fail", func(t *testing.T) {
		src := strings.ReplaceAll(throws, "onExecutePostCredentialValidation", "onExecutePostIdentifier")
		g := mustBuild(t, newSpec(triggerAction("first", "login-post-identifier", src)), Options{})
		res := mustExecute(t, g, "login-post-identifier", `{}`)
		if res.Outcome != OutcomeFailed || res.Effects.Access.Denied {
			t.Errorf("outcome = %s, access = %s; want failed, not denied", res.Outcome, toJSON(t, res.Effects.Access))
		}
	})
}

// TestDirectoryAPI: api.groups.* and api.roles.* answer from the request's actionsd_directory,
// record their commands, and reject with an error naming the field when it is missing.
func TestDirectoryAPI(t *testing.T) {
	src := `exports.onExecutePostLogin = async (event, api) => {
  const out = {};
  for (const [name, f] of Object.entries({
    groups: () => api.groups.getUserGroups(),
    admin: () => api.groups.hasGroupMembership('admins'),
    byId: () => api.groups.hasGroupMembership('grp_2'),
    nope: () => api.groups.hasGroupMembership('nope'),
    roles: () => api.roles.getUserEffectiveRoles(),
    orgRoles: () => api.roles.getUserEffectiveRolesInOrganization('org_1'),
  })) {
    try { out[name] = await f(); } catch (e) { out[name] = 'error: ' + e.message; }
  }
  out.eventSeesDirectory = 'actionsd_directory' in event;
  api.idToken.setCustomClaim('out', out);
};`
	g := mustBuild(t, newSpec(newAction("dir", src)), Options{})

	t.Run("present", func(t *testing.T) {
		res := mustExecute(t, g, "post-login", `{"user":{"user_id":"auth0|1"},"actionsd_directory":{
  "user_groups":[{"id":"grp_1","name":"admins"},{"id":"grp_2","name":"staff"}],
  "user_effective_roles":[{"id":"rol_1","name":"editor"}],
  "organization_effective_roles":{"org_1":[{"id":"rol_2","name":"billing"}]}}}`)
		wantSuccess(t, res)
		got := string(res.Effects.IDTokenClaims["out"].(json.RawMessage))
		want := `{"groups":[{"id":"grp_1","name":"admins"},{"id":"grp_2","name":"staff"}],"admin":true,"byId":true,"nope":false,` +
			`"roles":[{"id":"rol_1","name":"editor"}],"orgRoles":[{"id":"rol_2","name":"billing"}],"eventSeesDirectory":false}`
		if got != want {
			t.Errorf("out = %s\nwant  %s", got, want)
		}
		if got, want := strings.Join(ops(res.Commands), ","), "groups.getUserGroups,groups.hasGroupMembership,groups.hasGroupMembership,groups.hasGroupMembership,roles.getUserEffectiveRoles,roles.getUserEffectiveRolesInOrganization,idToken.setCustomClaim"; got != want {
			t.Errorf("ops = %s, want %s", got, want)
		}
		if got, want := toJSON(t, res.Commands[1].Args), `["admins"]`; got != want {
			t.Errorf("hasGroupMembership args = %s, want %s", got, want)
		}
	})

	t.Run("empty lists are answers", func(t *testing.T) {
		res := mustExecute(t, g, "post-login", `{"actionsd_directory":{"user_groups":[],"user_effective_roles":[],"organization_effective_roles":{"org_1":[]}}}`)
		wantSuccess(t, res)
		got := string(res.Effects.IDTokenClaims["out"].(json.RawMessage))
		want := `{"groups":[],"admin":false,"byId":false,"nope":false,"roles":[],"orgRoles":[],"eventSeesDirectory":false}`
		if got != want {
			t.Errorf("out = %s\nwant  %s", got, want)
		}
	})

	t.Run("missing", func(t *testing.T) {
		res := mustExecute(t, g, "post-login", `{"actionsd_directory":{"user_groups":[]}}`)
		wantSuccess(t, res)
		got := string(res.Effects.IDTokenClaims["out"].(json.RawMessage))
		for _, want := range []string{
			`"groups":[]`,
			`"roles":"error: api.roles.getUserEffectiveRoles: the execute request has no actionsd_directory.user_effective_roles`,
			`"orgRoles":"error: api.roles.getUserEffectiveRolesInOrganization: the execute request has no actionsd_directory.organization_effective_roles[\"org_1\"]`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("out = %s\nwant it to contain %s", got, want)
			}
		}
		res = mustExecute(t, g, "post-login", `{}`)
		wantSuccess(t, res)
		got = string(res.Effects.IDTokenClaims["out"].(json.RawMessage))
		if want := `"groups":"error: api.groups.getUserGroups: the execute request has no \"actionsd_directory\" member`; !strings.Contains(got, want) {
			t.Errorf("out = %s\nwant it to contain %s", got, want)
		}
	})
}
