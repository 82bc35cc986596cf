package daemon

import (
	"net/http"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/sync"
)

// TestRemoteOverHTTP drives a daemon that reads a bare repository over git's smart HTTP with basic
// auth, as pushed to by the git CLI, signalled by webhooks: bad signatures, ignored refs, a
// force-pushed branch, moved and deleted tags, a broken commit then a fixed one, and a remote that
// disappears and returns.
func TestRemoteOverHTTP(t *testing.T) {
	const secret = "hook-secret-1"
	repo := newRemoteRepo(t)
	repo.simpleRepo("A1", "M1")
	first := repo.commit("first")
	repo.git("tag", "modules/m/v1")
	repo.push()
	srv := newGitHTTP(t, repo.bare[:strings.LastIndex(repo.bare, "/")], "deploy", "s3cret")
	url := srv.URL + "/actions.git"

	d, _ := startDaemonWith(t, url, func(c *config.Config) {
		c.Git.Username, c.Git.Password = "deploy", "s3cret"
		c.Webhooks.Secret = secret
	})
	st := d.sync("")
	if st.Applied == nil || st.Applied.Commit != first || st.Condition(sync.ConditionReady).Status != "True" {
		t.Fatalf("first sync: got %+v, want %s applied and Ready", st, first)
	}
	if a, m, c := d.claims(); a != "A1" || m != "M1" || c != first {
		t.Fatalf("got %s %s on %s, want A1 M1 on %s", a, m, c, first)
	}
	if code, _ := d.do("GET", "/readyz", "", nil); code != http.StatusOK {
		t.Errorf("readyz: got %d, want 200", code)
	}

	// A webhook with a bad signature is refused and counted; nothing syncs.
	repo.setAction("A2")
	second := repo.commit("second")
	repo.push()
	if code, _ := d.hook("github", "wrong-secret", "refs/heads/main"); code != http.StatusUnauthorized {
		t.Errorf("bad github signature: got %d, want 401", code)
	}
	if code, _ := d.hook("gitlab", "wrong-secret", "refs/heads/main"); code != http.StatusUnauthorized {
		t.Errorf("bad gitlab token: got %d, want 401", code)
	}
	if got := d.metric(`actionsd_webhook_rejected_total{reason="bad_signature",receiver="github"}`); got != 1 {
		t.Errorf("rejected github webhooks: got %v, want 1", got)
	}
	// A push to another branch is ignored.
	if code, body := d.hook("github", secret, "refs/heads/feature"); code != http.StatusAccepted || !strings.Contains(body, "ignored") {
		t.Errorf("push to another branch: got %d %s, want 202 ignored", code, body)
	}
	if st := d.status(); st.Applied.Commit != first {
		t.Fatalf("after rejected and ignored webhooks: applied %s, want %s", st.Applied.Commit, first)
	}

	// A good webhook makes the push live.
	if code, body := d.hook("github", secret, "refs/heads/main"); code != http.StatusAccepted || !strings.Contains(body, "accepted") {
		t.Fatalf("github webhook: got %d %s, want 202 accepted", code, body)
	}
	waitFor(t, "the second commit to serve", func() bool { a, _, c := d.claims(); return a == "A2" && c == second })

	// Force-pushed branch: history rewritten; the generic receiver signals.
	repo.setAction("A3")
	repo.git("add", "-A")
	repo.git("commit", "-q", "--amend", "-m", "second, rewritten")
	rewritten := repo.git("rev-parse", "HEAD")
	repo.push()
	if code, _ := d.hook("generic", secret, "refs/heads/main"); code != http.StatusAccepted {
		t.Fatalf("generic webhook: got %d", code)
	}
	waitFor(t, "the force-pushed commit to serve", func() bool { a, _, c := d.claims(); return a == "A3" && c == rewritten })

	// Moved tag: v1 now points at other module content; v1 keeps its recorded content.
	repo.setModule("M-moved")
	moved := repo.commit("change m")
	repo.git("tag", "-f", "modules/m/v1")
	repo.push()
	if code, _ := d.hook("gitlab", secret, "refs/tags/modules/m/v1"); code != http.StatusAccepted {
		t.Fatalf("gitlab webhook: got %d", code)
	}
	waitFor(t, "the commit with the moved tag to serve", func() bool { _, _, c := d.claims(); return c == moved })
	if _, m, _ := d.claims(); m != "M1" {
		t.Errorf("after moving v1: module says %q, want the recorded M1", m)
	}
	st = d.status()
	if !hasProblem(st.Warnings, "tag modules/m/v1 moved") || st.Condition(sync.ConditionDegraded).Reason != "VersionTagMoved" {
		t.Errorf("after moving v1: warnings %v, degraded %+v; want the move reported", st.Warnings, st.Condition(sync.ConditionDegraded))
	}
	if len(st.Modules) != 1 || !st.Modules[0].Moved {
		t.Errorf("module status: got %+v, want v1 moved", st.Modules)
	}
	if got := d.metric(`actionsd_version_tag_moved_total{module="m"}`); got != 1 {
		t.Errorf("actionsd_version_tag_moved_total: got %v, want 1", got)
	}

	// Deleted tag: v1 keeps working.
	repo.git("tag", "-d", "modules/m/v1")
	repo.git("push", "-q", "origin", ":refs/tags/modules/m/v1")
	repo.setAction("A4")
	afterDelete := repo.commit("after delete")
	repo.push()
	st = d.sync("")
	if st.Applied == nil || st.Applied.Commit != afterDelete || !hasProblem(st.Warnings, "was deleted") {
		t.Fatalf("after deleting v1: got %+v %v, want %s applied with a deleted-tag warning", st.Applied, st.Warnings, afterDelete)
	}
	if a, m, _ := d.claims(); a != "A4" || m != "M1" {
		t.Errorf("after deleting v1: got %s %s, want A4 M1", a, m)
	}

	// A broken commit: the previous keeps serving, Stalled and Degraded say why; then fixed.
	repo.write("actions/greet/index.js", "exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('x', 1;\n};\n")
	broken := repo.commit("broken")
	repo.push()
	st = d.sync("")
	if st.Attempted.Commit != broken || st.Attempted.Result != "failed" || st.Applied.Commit != afterDelete {
		t.Fatalf("broken commit: got attempted %+v applied %+v", st.Attempted, st.Applied)
	}
	if c := st.Condition(sync.ConditionStalled); c.Status != "True" || !strings.Contains(c.Message, "build") {
		t.Errorf("broken commit: Stalled %+v, want True (build)", c)
	}
	if c := st.Condition(sync.ConditionReady); c.Status != "False" || c.Reason != "ReconcileFailed" {
		t.Errorf("broken commit: Ready %+v, want False ReconcileFailed", c)
	}
	if !hasProblem(st.Errors, "actions/greet/index.js:2") {
		t.Errorf("broken commit: errors %v, want actions/greet/index.js:2", st.Errors)
	}
	if _, _, c := d.claims(); c != afterDelete {
		t.Errorf("broken commit: executions ran on %s, want %s", c, afterDelete)
	}
	repo.setAction("A5")
	fixed := repo.commit("fixed")
	repo.push()
	st = d.sync("")
	if st.Applied.Commit != fixed || st.Condition(sync.ConditionStalled).Status != "False" || st.Condition(sync.ConditionReady).Status != "True" {
		t.Fatalf("fixed commit: got %+v", st)
	}

	// The remote disappears: the daemon keeps serving and says so; it comes back.
	srv.down.Store(true)
	st = d.sync("")
	if st.Attempted.Step != "fetch" || st.Applied.Commit != fixed || st.Condition(sync.ConditionDegraded).Reason != "FetchFailed" {
		t.Errorf("remote down: got attempted %+v, degraded %+v", st.Attempted, st.Condition(sync.ConditionDegraded))
	}
	if a, _, _ := d.claims(); a != "A5" {
		t.Errorf("remote down: got %s, want A5 still serving", a)
	}
	repo.setAction("A6")
	back := repo.commit("back")
	repo.push()
	srv.down.Store(false)
	st = d.sync("")
	if st.Applied.Commit != back || st.Condition(sync.ConditionDegraded).Status != "False" {
		t.Errorf("remote back: got applied %+v degraded %+v", st.Applied, st.Condition(sync.ConditionDegraded))
	}

	for _, name := range []string{
		`actionsd_sync_duration_seconds_count{result="applied"}`,
		`actionsd_generation_swaps_total`,
		`actionsd_applied_commit_info{branch="main",commit="` + back + `"}`,
		`actionsd_executions_total{outcome="success",trigger="post-login"}`,
		`actionsd_action_duration_seconds_count{action="greet",trigger="post-login"}`,
	} {
		if got := d.metric(name); got <= 0 {
			t.Errorf("metric %s: got %v, want > 0", name, got)
		}
	}
}

// TestRemoteAuthFailure: wrong credentials fail the fetch, nothing serves, and status says why.
func TestRemoteAuthFailure(t *testing.T) {
	repo := newRemoteRepo(t)
	repo.simpleRepo("A1", "M1")
	repo.commit("first")
	repo.git("tag", "modules/m/v1")
	repo.push()
	srv := newGitHTTP(t, repo.bare[:strings.LastIndex(repo.bare, "/")], "deploy", "s3cret")
	for _, tt := range []struct {
		name, user, pass string
	}{
		{"wrong password", "deploy", "nope"},
		{"no credentials", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := startDaemonWith(t, srv.URL+"/actions.git", func(c *config.Config) {
				c.Git.Username, c.Git.Password = tt.user, tt.pass
			})
			st := d.sync("")
			if st.Applied != nil || st.Attempted == nil || st.Attempted.Step != "fetch" || !hasProblem(st.Errors, "authentication") {
				t.Fatalf("got %+v, want a failed fetch that names authentication", st)
			}
			if c := st.Condition(sync.ConditionReady); c.Status != "False" || c.Reason != "NotServing" {
				t.Errorf("Ready: got %+v", c)
			}
			if code, _ := d.do("GET", "/readyz", "", nil); code != http.StatusServiceUnavailable {
				t.Errorf("readyz: got %d, want 503", code)
			}
			if strings.Contains(strings.Join(problemsText(st.Errors), " "), "nope") {
				t.Errorf("status leaks the password: %v", st.Errors)
			}
		})
	}
}

func problemsText(ps diag.List) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Error())
	}
	return out
}

// TestReplicasConverge: two daemons on one remote serve the same commit and each says what it serves.
func TestReplicasConverge(t *testing.T) {
	const secret = "s"
	repo := newRemoteRepo(t)
	repo.simpleRepo("A1", "M1")
	repo.commit("first")
	repo.git("tag", "modules/m/v1")
	repo.push()
	srv := newGitHTTP(t, repo.bare[:strings.LastIndex(repo.bare, "/")], "u", "p")
	var replicas []*testDaemon
	for _, name := range []string{"replica-a", "replica-b"} {
		d, _ := startDaemonWith(t, srv.URL+"/actions.git", func(c *config.Config) {
			c.Git.Username, c.Git.Password, c.Webhooks.Secret, c.Instance = "u", "p", secret, name
		})
		replicas = append(replicas, d)
	}
	repo.setAction("A2")
	want := repo.commit("second")
	repo.push()
	for _, d := range replicas {
		d.hook("github", secret, "refs/heads/main")
	}
	for i, d := range replicas {
		// Not claims() until then: it fails the test on the 503 of a replica still starting.
		waitFor(t, "replica to serve the second commit", func() bool { g := d.rec.Current(); return g != nil && g.Commit() == want })
		if _, _, c := d.claims(); c != want {
			t.Errorf("replica %d executes on %s, want %s", i, c, want)
		}
		st := d.status()
		if st.Applied.Commit != want || st.Instance != []string{"replica-a", "replica-b"}[i] {
			t.Errorf("replica %d: got instance %q applied %+v", i, st.Instance, st.Applied)
		}
		code, body := d.do("GET", "/readyz", "", nil)
		if code != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("replica %d readyz: got %d %s", i, code, body)
		}
	}
}

// TestLocalWatch: a commit or a tag in a watched local repository goes live without a sync call.
func TestLocalWatch(t *testing.T) {
	repo := newGitRepo(t)
	repo.simpleRepo("A1", "M1")
	repo.commit("first")
	repo.git("tag", "modules/m/v1")
	d, _ := startDaemonWith(t, repo.dir, func(c *config.Config) { c.Watch = nil })
	waitFor(t, "the first commit to serve", func() bool { return d.rec.Current() != nil })

	repo.setAction("A2")
	second := repo.commit("second")
	waitFor(t, "the commit to go live", func() bool { a, _, c := d.claims(); return a == "A2" && c == second })

	// Publish v2 of m and pin it: a tag under a new folder of refs/tags is seen too.
	repo.setModule("M2")
	repo.commit("m v2")
	repo.git("tag", "modules/m/v2")
	repo.write("actions/greet/action.yaml", "trigger: post-login\nmodules:\n  m: 2\n")
	third := repo.commit("pin m v2")
	waitFor(t, "m v2 to go live", func() bool { _, m, c := d.claims(); return m == "M2" && c == third })
}
