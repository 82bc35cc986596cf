package security

import (
	"encoding/json"
	"net/http"
	"testing"
)

// The triggers Auth0 added since run through the built daemon's execute route: a
// post-credential-validation action that throws denies the login (fail-closed), the next one on
// the same trigger is not reached, and api.roles answers from the request's actionsd_directory
// or rejects naming the field it lacks.
func TestTriggersNewThroughDaemon(t *testing.T) {
	repo := newGitRepo(t)
	repo.write("triggers.yaml", "post-credential-validation: [roles, risk]\nlogin-post-identifier: [route]\n")
	repo.write("actions/roles/action.yaml", "trigger: post-credential-validation\n")
	repo.write("actions/roles/index.js", `exports.onExecutePostCredentialValidation = async (event, api) => {
  const roles = await api.roles.getUserEffectiveRoles(); // rejects when the request has none: denied
  if (!roles.some(r => r.name === 'staff')) api.access.deny('staff only');
};
`)
	repo.write("actions/risk/action.yaml", "trigger: post-credential-validation\n")
	repo.write("actions/risk/index.js", `exports.onExecutePostCredentialValidation = async (event, api) => {
  if (event.user.risk === 'down') throw new Error('risk service down');
};
`)
	repo.write("actions/route/action.yaml", "trigger: login-post-identifier\n")
	repo.write("actions/route/index.js", `exports.onExecutePostIdentifier = async (event, api) => {
  api.authentication.setConnectionByName(event.transaction.identifier.split('@')[1] + '-sso');
};
`)
	repo.commit("new triggers")
	d := startDaemon(t, repo.dir)

	type result struct {
		Outcome string `json:"outcome"`
		Actions []struct {
			Name  string `json:"name"`
			Error *struct {
				Message string `json:"message"`
			} `json:"error"`
		} `json:"actions"`
		Commands []struct {
			Op   string `json:"op"`
			Args []any  `json:"args"`
		} `json:"commands"`
		Result struct {
			Access struct {
				Denied bool   `json:"denied"`
				Code   string `json:"code"`
				Action string `json:"action"`
				Reason string `json:"reason"`
			} `json:"access"`
		} `json:"result"`
	}
	run := func(trig, event string) result {
		t.Helper()
		code, body := d.do(http.MethodPost, "/v1/triggers/"+trig+"/execute", event)
		if code != http.StatusOK {
			t.Fatalf("execute %s: %d %s", trig, code, body)
		}
		var r result
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatalf("execute %s: %v: %s", trig, err, body)
		}
		return r
	}

	staff := `"actionsd_directory":{"user_effective_roles":[{"id":"rol_1","name":"staff"}]}`
	if r := run("post-credential-validation", `{"user":{"user_id":"auth0|1"},`+staff+`}`); r.Outcome != "success" || len(r.Actions) != 2 {
		t.Errorf("staff, risk up: outcome %s after %d actions, want success after 2", r.Outcome, len(r.Actions))
	}
	r := run("post-credential-validation", `{"user":{"user_id":"auth0|1","risk":"down"},`+staff+`}`)
	if r.Outcome != "denied" || !r.Result.Access.Denied || r.Result.Access.Code != "action_failed" || r.Result.Access.Action != "risk" {
		t.Errorf("risk down: outcome %s, access %+v; want denied by risk with code action_failed", r.Outcome, r.Result.Access)
	}
	if len(r.Actions) != 2 || r.Actions[1].Error == nil || r.Actions[1].Error.Message != "risk service down" {
		t.Errorf("risk down: actions %+v; want risk's error", r.Actions)
	}
	r = run("post-credential-validation", `{"user":{"user_id":"auth0|1"}}`)
	if r.Outcome != "denied" || r.Result.Access.Action != "roles" || len(r.Actions) != 1 {
		t.Fatalf("no directory: outcome %s, access %+v after %d actions; want denied by roles, risk not run", r.Outcome, r.Result.Access, len(r.Actions))
	}
	const want = `api.roles.getUserEffectiveRoles: the execute request has no "actionsd_directory" member: pass the user's groups and roles there (docs/api.md)`
	if e := r.Actions[0].Error; e == nil || e.Message != "Error: "+want && e.Message != want {
		t.Errorf("no directory: error %+v, want %q", e, want)
	}
	if len(r.Commands) != 1 || r.Commands[0].Op != "roles.getUserEffectiveRoles" {
		t.Errorf("no directory: commands %+v, want the roles look-up", r.Commands)
	}

	r = run("login-post-identifier", `{"transaction":{"identifier":"jane@acme.test"}}`)
	if r.Outcome != "success" || len(r.Commands) != 1 || r.Commands[0].Op != "authentication.setConnectionByName" || r.Commands[0].Args[0] != "acme.test-sso" {
		t.Errorf("login-post-identifier: outcome %s, commands %+v; want setConnectionByName(acme.test-sso)", r.Outcome, r.Commands)
	}
}
