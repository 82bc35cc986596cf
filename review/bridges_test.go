package review

import (
	"fmt"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/gitstore"
)

// TestAPICalls: the calls are found where they are written, in comments and strings they are not.
func TestAPICalls(t *testing.T) {
	src := "exports.onExecutePostLogin = async (event, api) => {\n" +
		"  // api.user.setAppMetadata('commented', 1);\n" +
		"  /* api.multifactor.enable('any')\n     api.redirect.sendUserTo('x') */\n" +
		"  const s = 'api.user.setUserMetadata(1)' + \"api.access.deny('x')\" + `api.prompt.render(${1})`;\n" +
		"  api.idToken.setCustomClaim('a', 1); api.user\n    .setAppMetadata('plan', 'gold');\n" +
		"  const é = 1; api?.multifactor?.enable('any');\n" +
		"  other.api.user.setAppMetadata('not the handler api', 1);\n" +
		"  const ref = api.redirect.sendUserTo; myapi.user.setUserMetadata(1);\n" +
		"  api.cache.set('k', 'v');\n" +
		"};\n"
	var got []string
	for _, c := range apiCalls([]byte(src)) {
		got = append(got, fmt.Sprintf("%d:%d %s", c.line, c.col, c.op))
	}
	want := "6:3 idToken.setCustomClaim 6:39 user.setAppMetadata 8:16 multifactor.enable 11:3 cache.set"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

// TestBridgeWarnings: an action bound to a trigger a bridge serves is warned of each command the
// bridge's hook cannot express, at the call, once for each bridge, naming it and its hooks; its
// tests are not read, and an action bound to a trigger no bridge serves is not warned of.
func TestBridgeWarnings(t *testing.T) {
	s := &State{Snap: &gitstore.Snapshot{
		Triggers: &gitstore.Triggers{Bindings: map[string][]gitstore.Binding{
			"post-login":                 {{Action: "claims"}},
			"post-credential-validation": {{Action: "lockout"}},
			"post-user-registration":     {{Action: "notify"}},
		}},
		Actions: map[string]*gitstore.Action{
			"claims": {Name: "claims", Dir: "actions/claims", Files: map[string][]byte{
				"index.js":       []byte("exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('a', 1);\n  api.user.setAppMetadata('b', 2);\n  api.redirect.sendUserTo('https://example.com');\n};\n"),
				"claims.test.js": []byte("api.multifactor.enable('any');\n"),
			}},
			"lockout": {Name: "lockout", Dir: "actions/lockout", Files: map[string][]byte{
				"index.js": []byte("exports.onExecutePostCredentialValidation = async (event, api) => { api.access.deny('x'); api.user.setAppMetadata('tries', 0); };\n"),
			}},
			"notify": {Name: "notify", Dir: "actions/notify", Files: map[string][]byte{
				"index.js": []byte("exports.onExecutePostUserRegistration = async (event, api) => { api.user.setAppMetadata('x', 1); };\n"),
			}},
		},
	}}
	var got []string
	for _, d := range bridgeWarnings(s) {
		got = append(got, d.Pos.String()+": "+d.Message)
	}
	want := []string{
		"actions/claims/index.js:3:3: api.user.setAppMetadata: the supabase bridge cannot express it on post-login (hook custom-access-token); behind that bridge the execution fails (docs/bridges.md)",
		"actions/claims/index.js:4:3: api.redirect.sendUserTo: the supabase bridge cannot express it on post-login (hook custom-access-token); behind that bridge the execution fails (docs/bridges.md)",
		"actions/claims/index.js:4:3: api.redirect.sendUserTo: the zitadel bridge cannot express it on post-login (hook preaccesstoken, preuserinfo); behind that bridge the execution fails (docs/bridges.md)",
		"actions/lockout/index.js:1:91: api.user.setAppMetadata: the supabase bridge cannot express it on post-credential-validation (hook mfa-verification-attempt, password-verification-attempt); behind that bridge the execution fails (docs/bridges.md)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
