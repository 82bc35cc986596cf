package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync"
	"github.com/actionsd/actionsd/sync/rollout"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// rolloutAction writes actions/greet: it sets the claim rev to rev and, when failPct > 0, throws
// for the users whose number (user_id "u<N>") modulo 100 is below failPct.
func rolloutAction(r *gitRepo, rev string, failPct int, rolloutYAML string) {
	r.write("triggers.yaml", "post-login: [greet]\n")
	r.write("actions/greet/action.yaml", "trigger: post-login\n"+rolloutYAML)
	r.write("actions/greet/index.js", fmt.Sprintf(`exports.onExecutePostLogin = async (event, api) => {
  const n = parseInt(String(event.user.user_id).slice(1), 10);
  if (n %% 100 < %d) throw new Error('revision %s fails for user ' + n);
  api.idToken.setCustomClaim('rev', %q);
};
`, failPct, rev, rev))
}

// stoppable runs d until stop is called (or the test ends); stop waits until it has stopped.
func stoppable(t *testing.T, d *Daemon) (*testDaemon, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	}
	t.Cleanup(stop)
	return &testDaemon{t: t, url: d.URL(), rec: d.rec}, stop
}

// startAt starts a daemon over repo keeping its state in dataDir.
func startAt(t *testing.T, repo, dataDir string) (*testDaemon, func()) {
	t.Helper()
	cfg := testConfig(t, repo)
	cfg.DataDir = dataDir
	d, err := newDaemon(cfg, vaultsecrets.NewStatic(nil, zaptest.NewLogger(t)), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return stoppable(t, d)
}

// user executes post-login as user u<n> and returns the result.
func (d *testDaemon) user(n int) runner.Result {
	d.t.Helper()
	return d.execute("", []byte(fmt.Sprintf(`{"user":{"user_id":"u%d","email":"u%d@example.com"}}`, n, n)))
}

func revOf(res runner.Result) string {
	s, _ := res.Effects.IDTokenClaims["rev"].(string)
	return s
}

func (d *testDaemon) rollout(action string) (rollout.State, int) {
	d.t.Helper()
	code, body := d.do("GET", "/v1/rollouts/"+action, "", nil)
	var st rollout.State
	if code == http.StatusOK {
		if err := json.Unmarshal(body, &st); err != nil {
			d.t.Fatal(err)
		}
	}
	return st, code
}

func (d *testDaemon) syncTo(commit string) sync.Status {
	d.t.Helper()
	st := d.sync("")
	if st.Applied == nil || st.Applied.Commit != commit {
		d.t.Fatalf("sync: applied %+v, want %s; errors %v warnings %v", st.Applied, commit, st.Errors, st.Warnings)
	}
	return st
}

const slowRollout = "rollout:\n  steps: [20, 50, 100]\n  interval: 1h\n  abort: {error_rate_increase: 0.1, min_executions: 20}\n"

// TestRolloutAbortsBadCanary: a canary that throws for 30% of users is aborted by the daemon at
// its first step, and no execution on the stable revision fails, during or after the abort.
func TestRolloutAbortsBadCanary(t *testing.T) {
	repo := newRemoteRepo(t)
	rolloutAction(repo.gitRepo, "stable", 0, slowRollout)
	c1 := repo.commit("stable")
	repo.push()
	d, _ := startDaemonWith(t, repo.bare, nil)
	d.syncTo(c1)
	if _, code := d.rollout("greet"); code != http.StatusNotFound {
		t.Fatalf("first generation: GET /v1/rollouts/greet = %d, want 404: nothing to roll out from", code)
	}

	rolloutAction(repo.gitRepo, "canary", 30, slowRollout)
	c2 := repo.commit("canary that fails for 30% of users")
	repo.push()
	d.syncTo(c2)
	st, code := d.rollout("greet")
	if code != http.StatusOK || st.Phase != rollout.PhaseProgressing || st.Percent != 20 || st.StableCommit != c1 || st.CanaryCommit != c2 {
		t.Fatalf("after the canary's commit: %d %+v, want a rollout at 20%% from %s to %s", code, st, c1, c2)
	}

	var canaryRuns, canaryFails, stableRuns int
	for n := 0; n < 3000; n++ {
		res := d.user(n)
		wantRevision := map[string]string{"stable": runner.RevisionStable, "canary": runner.RevisionCanary, "": runner.RevisionCanary}[revOf(res)]
		if res.Revision != wantRevision {
			t.Fatalf("user %d ran %q but the result says revision %q", n, revOf(res), res.Revision)
		}
		switch revOf(res) {
		case "stable":
			stableRuns++
		case "canary":
			canaryRuns++
		default:
			if res.Outcome != runner.OutcomeFailed || !strings.Contains(res.Actions[0].Error.Message, "revision canary fails") {
				t.Fatalf("user %d: outcome %s, actions %+v: only the canary may fail", n, res.Outcome, res.Actions)
			}
			canaryRuns++
			canaryFails++
		}
		if n%50 == 49 {
			if st, _ := d.rollout("greet"); st.Phase == rollout.PhaseAborted {
				break
			}
		}
	}
	waitFor(t, "the abort", func() bool { st, _ := d.rollout("greet"); return st.Phase == rollout.PhaseAborted })
	st, _ = d.rollout("greet")
	if st.Step != 0 || st.Percent != 0 || !strings.Contains(st.Reason, "error rate") {
		t.Fatalf("aborted rollout: %+v, want aborted at its first step on the error rate", st)
	}
	t.Logf("aborted after %d canary executions (%d failed) and %d stable ones: %s", canaryRuns, canaryFails, stableRuns, st.Reason)

	// After the abort every user runs stable, and none fails.
	for n := 0; n < 300; n++ {
		if res := d.user(n); res.Outcome != runner.OutcomeSuccess || revOf(res) != "stable" {
			t.Fatalf("after the abort, user %d: outcome %s rev %q, want stable", n, res.Outcome, revOf(res))
		}
	}
	status := d.status()
	c := status.Condition(sync.ConditionRolloutAborted)
	if c.Status != "True" || !strings.Contains(c.Message, "error rate") {
		t.Errorf("status condition RolloutAborted: %+v", c)
	}
	if got := d.metric(`actionsd_rollout_aborts_total{action="greet"}`); got != 1 {
		t.Errorf("actionsd_rollout_aborts_total{action=\"greet\"} = %v, want 1", got)
	}
	if got := d.metric(`actionsd_rollout_canary_percent{action="greet"}`); got != 0 {
		t.Errorf("actionsd_rollout_canary_percent = %v, want 0", got)
	}
}

// TestRolloutPromotesGoodCanary: a canary as good as stable goes through every step to 100%, then
// serves every execution.
func TestRolloutPromotesGoodCanary(t *testing.T) {
	const fast = "rollout:\n  steps: [10, 50, 100]\n  interval: 300ms\n  abort: {error_rate_increase: 0.05, p99_increase: 50x, min_executions: 5}\n"
	repo := newRemoteRepo(t)
	rolloutAction(repo.gitRepo, "stable", 0, fast)
	c1 := repo.commit("stable")
	repo.push()
	d, _ := startDaemonWith(t, repo.bare, nil)
	d.syncTo(c1)
	rolloutAction(repo.gitRepo, "canary", 0, fast)
	c2 := repo.commit("good canary")
	repo.push()
	d.syncTo(c2)

	seen := map[int]bool{}
	n := 0
	waitFor(t, "the rollout to complete", func() bool {
		res := d.user(n)
		n++
		if res.Outcome != runner.OutcomeSuccess {
			t.Fatalf("user %d: %s %+v", n, res.Outcome, res.Actions)
		}
		st, _ := d.rollout("greet")
		seen[st.Percent] = true
		return st.Phase == rollout.PhaseCompleted
	})
	st, _ := d.rollout("greet")
	if st.Percent != 100 || st.Step != 2 {
		t.Fatalf("completed rollout: %+v", st)
	}
	if got := d.metric(`actionsd_rollout_promotions_total{action="greet"}`); got != 2 {
		t.Errorf("promotions: %v, want 2 (10 → 50 → 100)", got)
	}
	t.Logf("percent seen while polling: %v, over %d executions", seen, n)
	for i := range 200 {
		if res := d.user(i); revOf(res) != "canary" {
			t.Fatalf("after completion, user %d ran %q", i, revOf(res))
		}
	}
}

// TestRollbackServesEarlierCommit: rollback serves the previous applied commit at once, the status
// says it drifted from git, it survives a restart, and the next commit ends it.
func TestRollbackServesEarlierCommit(t *testing.T) {
	repo := newRemoteRepo(t)
	rolloutAction(repo.gitRepo, "one", 0, "")
	c1 := repo.commit("one")
	repo.push()
	data := t.TempDir()
	d, stop := startAt(t, repo.bare, data)
	d.syncTo(c1)
	rolloutAction(repo.gitRepo, "two", 0, "")
	c2 := repo.commit("two")
	repo.push()
	d.syncTo(c2)
	if got := revOf(d.user(1)); got != "two" {
		t.Fatalf("before the rollback: %q", got)
	}

	if code, body := d.do("POST", "/v1/rollback?to=0123456789abcdef0123456789abcdef01234567", "", nil); code != http.StatusBadRequest {
		t.Fatalf("a rollback to a commit the daemon does not have: %d %s, want 400", code, body)
	}
	if st := d.status(); st.Drift != "" || st.Applied.Commit != c2 {
		t.Fatalf("after a refused rollback: drift %q, applied %s", st.Drift, st.Applied.Commit)
	}
	out := run(t, repo.dir, "", "rollback", "--addr", d.url, "--json").want(t, 0, "rollback")
	var st sync.Status
	if err := json.Unmarshal([]byte(out.stdout), &st); err != nil {
		t.Fatalf("actionsd rollback --json: %v\n%s", err, out.stdout)
	}
	want := "drifted from git: rolled back to " + c1
	if st.Drift != want || st.Applied == nil || st.Applied.Commit != c1 {
		t.Fatalf("rollback answer: drift %q applied %+v, want %q and %s", st.Drift, st.Applied, want, c1)
	}
	if res := d.user(1); revOf(res) != "one" || res.Commit != c1 {
		t.Fatalf("right after the rollback: rev %q commit %s, want one at %s", revOf(res), res.Commit, c1)
	}
	if c := d.status().Condition(sync.ConditionDrifted); c.Status != "True" || !strings.Contains(c.Message, want) {
		t.Errorf("condition Drifted: %+v", c)
	}

	stop()
	d, _ = startAt(t, repo.bare, data)
	d.syncTo(c1)
	if st := d.status(); st.Drift != want {
		t.Fatalf("after a restart: drift %q, want %q", st.Drift, want)
	}
	if got := revOf(d.user(1)); got != "one" {
		t.Fatalf("after a restart: %q, want one", got)
	}

	rolloutAction(repo.gitRepo, "three", 0, "")
	c3 := repo.commit("three")
	repo.push()
	st = d.syncTo(c3)
	if st.Drift != "" || st.Condition(sync.ConditionDrifted).Type != "" {
		t.Errorf("after a new commit: drift %q, conditions %+v", st.Drift, st.Conditions)
	}
	if got := revOf(d.user(1)); got != "three" {
		t.Fatalf("after a new commit: %q, want three", got)
	}
}

// TestRolloutAbortPersists: an abort by hand survives a restart and a commit that leaves the
// action as it is, and ends at the next commit that changes it.
func TestRolloutAbortPersists(t *testing.T) {
	repo := newRemoteRepo(t)
	rolloutAction(repo.gitRepo, "stable", 0, slowRollout)
	c1 := repo.commit("stable")
	repo.push()
	data := t.TempDir()
	d, stop := startAt(t, repo.bare, data)
	d.syncTo(c1)
	rolloutAction(repo.gitRepo, "canary", 0, slowRollout)
	c2 := repo.commit("canary")
	repo.push()
	d.syncTo(c2)
	code, body := d.do("POST", "/v1/rollouts/greet/abort", "", nil)
	if code != http.StatusOK {
		t.Fatalf("abort: %d %s", code, body)
	}
	allStable := func(when string) {
		t.Helper()
		for n := range 100 {
			if res := d.user(n); res.Outcome != runner.OutcomeSuccess || revOf(res) != "stable" {
				t.Fatalf("%s, user %d: %s %q, want stable", when, n, res.Outcome, revOf(res))
			}
		}
	}
	allStable("after the abort")
	// As a user sees it, through the CLI.
	out := run(t, repo.dir, "", "rollout", "status", "greet", "--addr", d.url).want(t, 0, "rollout status greet")
	if !strings.Contains(out.stdout, "Aborted") || !strings.Contains(out.stdout, "greet: aborted by hand") {
		t.Errorf("actionsd rollout status greet:\n%s", out.stdout)
	}
	if out := run(t, repo.dir, "", "rollout", "promote", "greet", "--addr", d.url).want(t, 1, "rollout promote greet"); !strings.Contains(out.stderr, "409") {
		t.Errorf("promoting an aborted rollout: %s", out.stderr)
	}

	stop()
	d, _ = startAt(t, repo.bare, data)
	d.syncTo(c2)
	if st, _ := d.rollout("greet"); st.Phase != rollout.PhaseAborted {
		t.Fatalf("after a restart: %+v, want aborted", st)
	}
	if c := d.status().Condition(sync.ConditionRolloutAborted); c.Status != "True" {
		t.Errorf("after a restart, RolloutAborted: %+v", c)
	}
	allStable("after a restart")

	repo.write("README.md", "unrelated\n")
	c3 := repo.commit("a commit that leaves greet as it is")
	repo.push()
	d.syncTo(c3)
	if st, _ := d.rollout("greet"); st.Phase != rollout.PhaseAborted {
		t.Fatalf("after an unrelated commit: %+v, want still aborted", st)
	}
	allStable("after an unrelated commit")

	rolloutAction(repo.gitRepo, "canary-2", 0, slowRollout)
	c4 := repo.commit("a new canary")
	repo.push()
	d.syncTo(c4)
	st, _ := d.rollout("greet")
	if st.Phase != rollout.PhaseProgressing || st.CanaryCommit != c4 || st.StableCommit != c1 {
		t.Fatalf("after a commit that changes greet: %+v, want a new rollout from %s", st, c1)
	}
	if c := d.status().Condition(sync.ConditionRolloutAborted); c.Status == "True" {
		t.Errorf("after a new rollout, RolloutAborted: %+v", c)
	}
}

// TestRolloutPeers: two `actionsd serve` replicas that list each other: an abort made on one
// reaches the other's run of the same rollout, and so does a rollback.
func TestRolloutPeers(t *testing.T) {
	repo := newRemoteRepo(t)
	rolloutAction(repo.gitRepo, "stable", 0, slowRollout)
	c1 := repo.commit("stable")
	repo.push()
	pa, pb := freePort(t), freePort(t)
	a := startReplica(t, repo.bare, pa, "--peer", fmt.Sprintf("http://127.0.0.1:%d", pb))
	b := startReplica(t, repo.bare, pb, "--peer", fmt.Sprintf("http://127.0.0.1:%d", pa))
	waitFor(t, "both replicas to serve the first commit", func() bool { return a.commit() == c1 && b.commit() == c1 })

	rolloutAction(repo.gitRepo, "canary", 0, slowRollout)
	c2 := repo.commit("canary")
	repo.push()
	if code, out := a.do("POST", "/v1/sync", peerToken, nil, nil); code != http.StatusOK {
		t.Fatalf("sync: %d %s", code, out)
	}
	phase := func(r *replica) string {
		code, body := r.do("GET", "/v1/rollouts/greet", peerToken, nil, nil)
		if code != http.StatusOK {
			return ""
		}
		var st rollout.State
		_ = json.Unmarshal(body, &st)
		return st.Phase
	}
	waitFor(t, "both replicas to run the rollout", func() bool {
		return a.commit() == c2 && b.commit() == c2 && phase(a) == rollout.PhaseProgressing && phase(b) == rollout.PhaseProgressing
	})

	if code, out := a.do("POST", "/v1/rollouts/greet/abort", peerToken, nil, nil); code != http.StatusOK {
		t.Fatalf("abort on a: %d %s", code, out)
	}
	waitFor(t, "the abort to reach the other replica", func() bool { return phase(b) == rollout.PhaseAborted })

	if code, out := a.do("POST", "/v1/rollback", peerToken, nil, nil); code != http.StatusOK {
		t.Fatalf("rollback on a: %d %s", code, out)
	}
	want := "drifted from git: rolled back to " + c1
	waitFor(t, "the rollback to reach the other replica", func() bool {
		code, body := b.do("GET", "/v1/status", peerToken, nil, nil)
		var st sync.Status
		_ = json.Unmarshal(body, &st)
		return code == http.StatusOK && st.Drift == want && b.commit() == c1
	})
}
