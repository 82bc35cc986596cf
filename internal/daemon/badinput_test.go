package daemon

import (
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// TestBadInputKeepsServing commits broken changes one at a time: each must leave the previous
// generation serving and be reported in status with its file and line.
func TestBadInputKeepsServing(t *testing.T) {
	sink := newSink(t)
	secrets := vaultsecrets.NewStatic(map[vaultsecrets.Owner]vaultsecrets.Values{
		{Kind: vaultsecrets.KindModule, Name: "logger"}:  {"SERVICE_URL": sink.URL + "/logs", "API_KEY": "bad-input-key"},
		{Kind: vaultsecrets.KindModule, Name: "bad-mod"}: {},
	}, zaptest.NewLogger(t))
	repo := newGitRepo(t)
	repo.copyQuickstart()
	good := repo.commit("quickstart")
	repo.git("tag", "modules/logger/v1")
	d := startDaemon(t, repo.dir, secrets, "")
	if st := d.sync(""); st.Applied == nil || st.Applied.Commit != good {
		t.Fatalf("first sync: got %+v, want %s applied", st, good)
	}

	const handler = "const logger = require('actions:logger');\nexports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('x', 1);\n};\n"
	tests := []struct {
		name   string
		change func()
		want   string // a problem must contain this file:line
	}{
		{
			name: "syntax error in an action",
			change: func() {
				repo.write("actions/log-login/index.js", "const logger = require('actions:logger');\nexports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('x', 1;\n};\n")
			},
			want: "actions/log-login/index.js:3",
		},
		{
			name: "module that throws at load",
			change: func() {
				repo.write("modules/bad-mod/module.yaml", "description: throws at load\n")
				repo.write("modules/bad-mod/index.js", "const ok = 1;\nthrow new Error('boom at load');\n")
				repo.commit("bad-mod")
				repo.git("tag", "modules/bad-mod/v1")
				repo.write("actions/log-login/action.yaml", "trigger: post-login\nmodules:\n  logger: 1\n  bad-mod: 1\n")
				repo.write("actions/log-login/index.js", "const bad = require('actions:bad-mod');\n"+handler)
			},
			want: "modules/bad-mod/index.js:2",
		},
		{
			name: "require of an undeclared package",
			change: func() {
				repo.write("actions/log-login/index.js", "const _ = require('lodash');\n"+handler)
			},
			want: "actions/log-login/index.js:1",
		},
		{
			name: "pin of an unpublished version",
			change: func() {
				repo.write("actions/log-login/action.yaml", "trigger: post-login\nmodules:\n  logger: 7\n")
			},
			want: "actions/log-login/action.yaml:3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.change()
			bad := repo.commit("break: " + tt.name)
			st := d.sync("")
			if st.Attempted == nil || st.Attempted.Commit != bad || st.Attempted.Result != "failed" {
				t.Fatalf("got attempted %+v, want %s failed", st.Attempted, bad)
			}
			if st.Applied == nil || st.Applied.Commit != good {
				t.Fatalf("got applied %+v, want %s still applied", st.Applied, good)
			}
			if !hasProblem(st.Errors, tt.want) {
				t.Fatalf("got errors %v, want one at %s", st.Errors, tt.want)
			}
			res := d.execute("", quickstartEvent(t))
			if res.Commit != good || res.Outcome != runner.OutcomeSuccess {
				t.Fatalf("execute after a broken commit: got %s %s, want success on %s", res.Outcome, res.Commit, good)
			}
			repo.git("reset", "-q", "--hard", good)
			if st := d.sync(""); st.Attempted == nil || st.Attempted.Commit != good || len(st.Errors) != 0 {
				t.Fatalf("after reverting: got %+v %v, want %s applied cleanly", st.Attempted, st.Errors, good)
			}
		})
	}
}

// TestAPIRejectsBadRequests checks the API's answers to requests it cannot serve.
func TestAPIRejectsBadRequests(t *testing.T) {
	sink := newSink(t)
	secrets := vaultsecrets.NewStatic(map[vaultsecrets.Owner]vaultsecrets.Values{
		{Kind: vaultsecrets.KindModule, Name: "logger"}: {"SERVICE_URL": sink.URL, "API_KEY": "k"},
	}, zaptest.NewLogger(t))
	repo := newGitRepo(t)
	repo.copyQuickstart()
	repo.commit("quickstart")
	repo.git("tag", "modules/logger/v1")
	d := startDaemon(t, repo.dir, secrets, "")
	d.sync("")

	tests := []struct {
		name, method, path string
		body               []byte
		wantCode           int
		wantMsg            string
	}{
		{"unknown trigger", "POST", "/v1/triggers/no-such-trigger/execute", []byte(`{}`), 404, "no-such-trigger"},
		{"event not JSON", "POST", "/v1/triggers/post-login/execute", []byte(`{"user":`), 400, "event"},
		{"event not an object", "POST", "/v1/triggers/post-login/execute", []byte(`[1,2]`), 400, "event"},
		{"body too large", "POST", "/v1/triggers/post-login/execute", []byte(`{"x":"` + strings.Repeat("a", 2<<20) + `"}`), 413, "limit"},
		{"unknown action", "POST", "/v1/actions/nope/test", []byte(`{}`), 404, "nope"},
		{"unknown route", "GET", "/v1/nothing", nil, 404, "/v1/nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := d.do(tt.method, tt.path, "", tt.body)
			if code != tt.wantCode || !strings.Contains(string(body), tt.wantMsg) {
				t.Errorf("got %d %s, want %d with %q", code, body, tt.wantCode, tt.wantMsg)
			}
		})
	}

	// The test route runs one action, bound or not, and returns the same document.
	code, body := d.do("POST", "/v1/actions/log-login/test", "", quickstartEvent(t))
	if code != 200 || !strings.Contains(string(body), `"outcome":"success"`) {
		t.Errorf("test route: got %d %s", code, body)
	}
}
