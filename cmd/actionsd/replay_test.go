package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/review"
)

// planAction asks a plan service for the user's plan, sets it as a claim, and for "pro" users a
// tier claim; it throws when the service fails.
const planAction = `exports.onExecutePostLogin = async (event, api) => {
  const r = await fetch(event.api + '/plan?user=' + encodeURIComponent(event.user.user_id), { headers: { Authorization: 'Bearer plan-token' } });
  if (!r.ok) throw new Error('the plan service answered ' + r.status);
  const { plan } = await r.json();
  api.idToken.setCustomClaim('https://example.com/plan', plan);
  if (plan === 'pro') api.accessToken.setCustomClaim('https://example.com/tier', 'gold');
};
`

// replayFixture is a real daemon over a real repository whose post-login action fetches a plan
// service on loopback, with five recorded executions: u1 and u3 pro, u2 and u4 free, u5 failed
// (the service answers 500). The plan service is stopped when it returns: whatever runs after
// can only get the recorded responses.
type replayFixture struct {
	repo  *gitRepo
	d     *testDaemon
	ids   map[string]string // user id -> execution id
	token string
}

func newReplayFixture(t *testing.T) *replayFixture {
	t.Helper()
	plans := map[string]string{"u1": "pro", "u2": "free", "u3": "pro", "u4": "free"}
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plan, ok := plans[r.URL.Query().Get("user")]
		if !ok || r.Header.Get("Authorization") != "Bearer plan-token" {
			http.Error(w, "no plan", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"plan":%q}`, plan)
	}))
	defer svc.Close()

	const token = "replay-test-token"
	repo := newGitRepo(t)
	repo.write("triggers.yaml", "post-login: [plan]\n")
	repo.write("actions/plan/action.yaml", "trigger: post-login\n")
	repo.write("actions/plan/index.js", planAction)
	repo.commit("plan action")
	d := startDaemonWith(t, repo.dir, func(c *config.Config) { c.Token = token; c.Egress.Allow = []string{"127.0.0.1"} })
	if st := d.sync(token); st.Applied == nil {
		t.Fatalf("not applied: %+v", st.Errors)
	}
	f := &replayFixture{repo: repo, d: d, ids: map[string]string{}, token: token}
	for _, u := range []string{"u1", "u2", "u3", "u4", "u5"} {
		ev := fmt.Sprintf(`{"api":%q,"user":{"user_id":%q,"email":"%s@example.com"}}`, svc.URL, u, u)
		var res struct {
			ID      string `json:"execution_id"`
			Outcome string `json:"outcome"`
		}
		body := f.do(t, "POST", "/v1/triggers/post-login/execute", []byte(ev))
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(body, []byte(`"outbound"`)) {
			t.Fatalf("the execute response carries the recorded exchanges, which are the history's: %s", body)
		}
		if want := map[bool]string{true: "failed", false: "success"}[u == "u5"]; res.Outcome != want {
			t.Fatalf("%s: outcome %s, want %s: %s", u, res.Outcome, want, body)
		}
		f.ids[u] = res.ID
	}
	// The history writes on its own goroutine: wait until the five are listed.
	deadline := time.Now().Add(15 * time.Second)
	for {
		var page struct {
			Executions []json.RawMessage `json:"executions"`
		}
		_ = json.Unmarshal(f.do(t, "GET", "/v1/executions?trigger=post-login", nil), &page)
		if len(page.Executions) == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the history lists %d executions, want 5", len(page.Executions))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return f
}

func (f *replayFixture) do(t *testing.T, method, path string, body []byte) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, f.d.url+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+f.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return b
}

// run runs actionsd with args and returns its output and exit status.
func (f *replayFixture) run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	code := 0
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.Code
		}
		fmt.Fprintf(&out, "error: %v\n", err)
	}
	return out.String(), code
}

func (f *replayFixture) replay(t *testing.T, user string, extra ...string) (string, int) {
	t.Helper()
	return f.run(t, append([]string{"replay", f.ids[user], "--addr", f.d.url, "--token", f.token, "-C", f.repo.dir}, extra...)...)
}

// TestReplayCommand: a recorded execution replays offline with the same commands, a recorded
// failure reproduces, and a change to the claim in the working tree shows as a diff with exit 1.
func TestReplayCommand(t *testing.T) {
	t.Setenv("ACTIONSD_TOKEN", "") // the token is --token's, or none
	f := newReplayFixture(t)

	out, code := f.replay(t, "u1")
	if code != 0 || !strings.Contains(out, "same: the replay did what the record says") || !strings.Contains(out, ", 1 recorded responses\n") ||
		!strings.Contains(out, `plan accessToken.setCustomClaim("https://example.com/tier", "gold")`) {
		t.Fatalf("replay u1: exit %d, want 0 and the same commands:\n%s", code, out)
	}
	t.Logf("replay of a success:\n%s", out)
	out, code = f.replay(t, "u5")
	if code != 0 || !strings.Contains(out, "recorded plan: the plan service answered 500\n           replayed plan: the plan service answered 500\n") || !strings.Contains(out, "outcome:   recorded failed, replayed failed\n") {
		t.Fatalf("replay u5: exit %d, want 0 and the recorded failure again:\n%s", code, out)
	}
	t.Logf("replay of a failure:\n%s", out)

	// The working tree changes the tier claim: pro users differ, free users do not.
	f.repo.write("actions/plan/index.js", strings.Replace(planAction, "'gold'", "'platinum'", 1))
	out, code = f.replay(t, "u1")
	if code != 1 || !strings.Contains(out, `  - plan accessToken.setCustomClaim("https://example.com/tier", "gold")`) ||
		!strings.Contains(out, `  + plan accessToken.setCustomClaim("https://example.com/tier", "platinum")`) ||
		!strings.Contains(out, `    plan idToken.setCustomClaim("https://example.com/plan", "pro")`) {
		t.Fatalf("replay u1 on the changed working tree: exit %d, want 1 and the diff:\n%s", code, out)
	}
	t.Logf("replay on a changed working tree:\n%s", out)
	if out, code := f.replay(t, "u2", "--working-tree"); code != 0 {
		t.Errorf("replay u2 (free: no tier claim) on the changed working tree: exit %d, want 0:\n%s", code, out)
	}
	if out, code := f.replay(t, "u1", "--commit", "HEAD"); code != 0 || !strings.Contains(out, "replayed on HEAD (") {
		t.Errorf("replay u1 --commit HEAD: exit %d, want 0:\n%s", code, out)
	}
	// A request the record does not have fails, naming it.
	f.repo.write("actions/plan/index.js", strings.Replace(planAction, "'/plan?user='", "'/plans?user='", 1))
	out, code = f.replay(t, "u1")
	if code != 1 || !strings.Contains(out, "replay: GET http://127.0.0.1:") || !strings.Contains(out, "/plans?user=u1 was not recorded") {
		t.Errorf("replay of a request not recorded: exit %d, want 1 and the request named:\n%s", code, out)
	}

	if out, code := f.run(t, "replay", "no-such-execution", "--addr", f.d.url, "--token", f.token, "-C", f.repo.dir); code != 2 || !strings.Contains(out, "404") {
		t.Errorf("replay of an unknown execution: exit %d, want 2 and the 404:\n%s", code, out)
	}
	if out, code := f.run(t, "replay", f.ids["u1"], "--addr", f.d.url, "-C", f.repo.dir); code != 2 || !strings.Contains(out, "requires its API token (401 Unauthorized): set ACTIONSD_TOKEN or pass --token") {
		t.Errorf("replay without the token: exit %d, want 2 and what to do:\n%s", code, out)
	}
	if out, code := f.run(t, "replay", f.ids["u1"], "--working-tree", "--commit", "HEAD", "-C", f.repo.dir); code != 2 {
		t.Errorf("--working-tree with --commit: exit %d, want 2:\n%s", code, out)
	}
}

// TestValidateShadow: a pull request changing a claim for pro users reports exactly the recorded
// pro executions as changed commands, and the others as the same.
func TestValidateShadow(t *testing.T) {
	f := newReplayFixture(t)
	f.repo.git("checkout", "-q", "-b", "feature")
	f.repo.write("actions/plan/index.js", strings.Replace(planAction, "'gold'", "'platinum'", 1))
	f.repo.commit("pro users are platinum")

	out, code := f.run(t, "validate", "-C", f.repo.dir, "--base", "main", "--head", "HEAD", "--format", "json",
		"--shadow", f.d.url, "--token", f.token, "--no-install")
	if code != 0 {
		t.Fatalf("validate --shadow: exit %d\n%s", code, out)
	}
	var rep review.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Shadow == nil || rep.Shadow.Error != "" || len(rep.Shadow.Triggers) != 1 {
		t.Fatalf("shadow = %+v", rep.Shadow)
	}
	st := rep.Shadow.Triggers[0]
	if st.Trigger != "post-login" || st.Executions != 5 || st.Same != 3 || st.CommandsChanged != 2 || st.OutcomeChanged != 0 || st.NotReplayed != 0 {
		t.Errorf("counts: %+v", st)
	}
	var changed []string
	for _, e := range st.CommandsExamples {
		changed = append(changed, e.ID)
		if !strings.Contains(e.Recorded, `"gold"`) || !strings.Contains(e.Replayed, `"platinum"`) {
			t.Errorf("example %s: %q → %q", e.ID, e.Recorded, e.Replayed)
		}
	}
	slices.Sort(changed)
	want := []string{f.ids["u1"], f.ids["u3"]}
	slices.Sort(want)
	if !slices.Equal(changed, want) {
		t.Errorf("changed executions %v, want the pro ones %v", changed, want)
	}

	md, code := f.run(t, "validate", "-C", f.repo.dir, "--base", "main", "--head", "HEAD", "--format", "markdown",
		"--shadow", f.d.url, "--token", f.token, "--last", "3", "--no-install")
	if code != 0 || !strings.Contains(md, "#### Shadow run on recorded executions") || !strings.Contains(md, "| `post-login` | `plan` | 3 |") {
		t.Errorf("validate --shadow --last 3 --format markdown: exit %d\n%s", code, md)
	}
	t.Logf("markdown:\n%s", md)
}
