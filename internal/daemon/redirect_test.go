package daemon

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/runner"
)

// TestRedirectStateSurvivesRestart pauses a login with api.redirect.sendUserTo on one daemon and
// resumes it on another started with the same state key, as after a restart or on another replica;
// a daemon with another key refuses the state.
func TestRedirectStateSurvivesRestart(t *testing.T) {
	repo := newGitRepo(t)
	repo.write("triggers.yaml", "post-login: [consent]\n")
	repo.write("actions/consent/action.yaml", "trigger: post-login\n")
	repo.write("actions/consent/index.js", `exports.onExecutePostLogin = async (event, api) => {
  api.redirect.sendUserTo('https://consent.example.com/form');
};
exports.onContinuePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('consented', true);
};
`)
	repo.commit("consent")
	withKey := func(key string) func(*config.Config) {
		return func(c *config.Config) { c.StateKey = key }
	}
	const key = "0123456789abcdef0123456789abcdef-state-key"

	first, _ := startDaemonWith(t, repo.dir, withKey(key))
	first.sync("")
	res := first.execute("", []byte(`{"user":{"user_id":"u1"}}`))
	if res.Outcome != runner.OutcomeRedirect || res.Effects.Redirect == nil || res.Effects.Redirect.State == "" {
		t.Fatalf("execute: got %s %+v, want a redirect with a state", res.Outcome, res.Effects.Redirect)
	}
	body, _ := json.Marshal(map[string]string{"state": res.Effects.Redirect.State})

	second, _ := startDaemonWith(t, repo.dir, withKey(key))
	second.sync("")
	code, out := second.do("POST", "/v1/continue", "", body)
	if code != http.StatusOK || !strings.Contains(string(out), `"outcome":"success"`) || !strings.Contains(string(out), `"consented":true`) {
		t.Fatalf("continue on a daemon with the same key: got %d %s, want success with the claim", code, out)
	}

	other, _ := startDaemonWith(t, repo.dir, withKey(strings.Repeat("x", 40)))
	other.sync("")
	if code, out := other.do("POST", "/v1/continue", "", body); code != http.StatusBadRequest {
		t.Errorf("continue on a daemon with another key: got %d %s, want 400", code, out)
	}
}
