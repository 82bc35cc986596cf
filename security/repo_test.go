package security

// Repository inputs (issue 11, items 12 and 14): limits on what a commit may make the daemon read,
// and a corrupt git mirror that the daemon moves aside and clones again by itself.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/runner"
)

// repoWriteAction writes action name, bound to post-login, that sets the claim <name> to value.
func repoWriteAction(r *gitRepo, name, value string) {
	r.t.Helper()
	r.write("actions/"+name+"/action.yaml", "trigger: post-login\n")
	r.write("actions/"+name+"/index.js", fmt.Sprintf("exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim(%q, %q); };\n", name, value))
}

// repoStart makes a repository whose post-login runs action "a" (claim a = "v1"), starts the
// daemon on it with args, and checks that it serves v1.
func repoStart(t *testing.T, args ...string) (*gitRepo, *daemon) {
	t.Helper()
	repo := newGitRepo(t)
	repo.write("triggers.yaml", "post-login: [a]\n")
	repoWriteAction(repo, "a", "v1")
	repo.commit("v1")
	d := startDaemon(t, repo.dir, args...)
	if got := repoClaim(d, "a"); got != "v1" {
		t.Fatalf("first generation: claim a = %q, want v1", got)
	}
	return repo, d
}

// repoClaim executes post-login and returns the ID token claim name.
func repoClaim(d *daemon, name string) string {
	d.t.Helper()
	code, body := d.do("POST", "/v1/triggers/post-login/execute", `{"user":{"user_id":"u1"}}`)
	if code != http.StatusOK {
		d.t.Fatalf("execute: %d %s", code, body)
	}
	var res runner.Result
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		d.t.Fatalf("execute: %v\n%s", err, body)
	}
	if res.Outcome != runner.OutcomeSuccess {
		d.t.Fatalf("execute: outcome %s: %s", res.Outcome, body)
	}
	v, _ := res.Effects.IDTokenClaims[name].(string)
	return v
}

// repoStatus is the part of GET /v1/status these tests read.
type repoStatus struct {
	Ready   bool `json:"ready"`
	Applied *struct {
		Commit string `json:"commit"`
	} `json:"applied"`
	Attempted *struct {
		Commit string `json:"commit"`
		Result string `json:"result"`
		Step   string `json:"step"`
	} `json:"attempted"`
	Errors []struct {
		Object  string `json:"object"`
		File    string `json:"file"`
		Message string `json:"message"`
	} `json:"errors"`
}

// repoSync asks for a sync and returns the status after it.
func repoSync(d *daemon) repoStatus {
	d.t.Helper()
	code, body := d.do("POST", "/v1/sync", "")
	if code != http.StatusOK {
		d.t.Fatalf("POST /v1/sync: %d %s", code, body)
	}
	var st repoStatus
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		d.t.Fatalf("POST /v1/sync: %v\n%s", err, body)
	}
	return st
}

// repoWantRefused checks that the sync after commit failed with an error on file whose message
// holds every one of want, and that the generation before it (claim a = v1) still serves.
func repoWantRefused(t *testing.T, d *daemon, commit, file string, want ...string) {
	t.Helper()
	repoCheckRefused(t, d, repoSync(d), commit, file, want...)
}

// repoCheckRefused is repoWantRefused on the status st of the sync.
func repoCheckRefused(t *testing.T, d *daemon, st repoStatus, commit, file string, want ...string) {
	t.Helper()
	if st.Attempted == nil || st.Attempted.Commit != commit || st.Attempted.Result != "failed" {
		t.Fatalf("attempted %+v, want commit %s failed", st.Attempted, commit)
	}
	if st.Applied == nil || st.Applied.Commit == commit || !st.Ready {
		t.Errorf("applied %+v (ready %v): the commit over the limit was applied, or nothing serves", st.Applied, st.Ready)
	}
	found := false
	for _, e := range st.Errors {
		if e.File != file {
			continue
		}
		found = true
		for _, w := range want {
			if !strings.Contains(e.Message, w) {
				t.Errorf("error on %s: %q does not say %q", file, e.Message, w)
			}
		}
	}
	if !found {
		t.Errorf("no error on %s; errors: %+v", file, st.Errors)
	}
	if got := repoClaim(d, "a"); got != "v1" {
		t.Errorf("after the refused commit: claim a = %q, want v1 (the previous generation)", got)
	}
}

// repoValidate runs actionsd validate on the repository with args and returns its JSON report's
// error messages as "pos: message", and its exit status.
func repoValidate(t *testing.T, repo *gitRepo, args ...string) ([]string, int) {
	t.Helper()
	cmd := exec.Command(actionsdBinary(t), append([]string{"validate", "-C", repo.dir, "--no-run", "--no-install", "--format", "json"}, args...)...)
	cmd.Env = gitEnv(repo.dir)
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("validate: %v", err)
	}
	var report struct {
		Errors []struct {
			Pos     string `json:"pos"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("validate: %v\n%s", err, out)
	}
	var msgs []string
	for _, e := range report.Errors {
		msgs = append(msgs, e.Pos+": "+e.Message)
	}
	return msgs, code
}

// repoWantValidate checks that validate (with args) exits 1 with an error at pos holding want.
func repoWantValidate(t *testing.T, repo *gitRepo, pos, want string, args ...string) {
	t.Helper()
	msgs, code := repoValidate(t, repo, args...)
	if code != 1 {
		t.Errorf("validate: exit %d, want 1; errors %q", code, msgs)
	}
	for _, m := range msgs {
		if strings.HasPrefix(m, pos+": ") && strings.Contains(m, want) {
			return
		}
	}
	t.Errorf("validate: no error at %s saying %q; got %q", pos, want, msgs)
}

// A file over --max-file-size fails the commit with an error naming the file, its size, the
// limit and the setting; the previous generation keeps serving; validate says the same.
func TestRepoFileOverLimit(t *testing.T) {
	repo, d := repoStart(t, "--max-file-size", "4KiB")
	repoWriteAction(repo, "a", "v2")
	repo.write("actions/a/data.js", strings.Repeat("x", 8<<10))
	commit := repo.commit("a large file")
	repoWantRefused(t, d, commit, "actions/a/data.js", "8 KiB", "over the limit of 4 KiB", "--max-file-size", "repo_limits.max_file_size")
	repoWantValidate(t, repo, "actions/a/data.js", "8 KiB, over the limit of 4 KiB", "--max-file-size", "4KiB")
	if msgs, code := repoValidate(t, repo); code != 0 {
		t.Errorf("validate with the default limit: exit %d, errors %q; want it valid", code, msgs)
	}
}

// repoVmKiB reads a field (VmRSS, VmHWM) of /proc/<pid>/status, in KiB.
func repoVmKiB(t *testing.T, pid int, field string) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("%s: %q", field, line)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// A 150 MiB file of zeros (a few hundred KiB in git) with the default limit is refused without
// being read: the daemon's peak memory does not grow by anything like its size.
func TestRepoLargeCompressibleFile(t *testing.T) {
	const size = 150 << 20
	repo, d := repoStart(t)
	repoWriteAction(repo, "a", "v2")
	f, err := os.Create(filepath.Join(repo.dir, "actions/a/zeros.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	commit := repo.commit("150 MiB of zeros")
	pid := d.cmd.Process.Pid
	rssBefore, peakBefore := repoVmKiB(t, pid, "VmRSS"), repoVmKiB(t, pid, "VmHWM")
	st := repoSync(d)
	rssAfter, peakAfter := repoVmKiB(t, pid, "VmRSS"), repoVmKiB(t, pid, "VmHWM")
	t.Logf("RSS %d -> %d KiB, peak %d -> %d KiB", rssBefore, rssAfter, peakBefore, peakAfter)
	// Generous: a third of the file. Reading it at all (once, into one buffer) would fail this.
	if grew := peakAfter - max(peakBefore, rssBefore); grew > size/3/1024 {
		t.Errorf("the daemon's peak RSS grew by %d MiB while refusing a %d MiB file, want far less", grew>>10, size>>20)
	}
	repoCheckRefused(t, d, st, commit, "actions/a/zeros.bin", "150 MiB, over the limit of 5 MiB", "--max-file-size")
}

// An action's files together over --max-folder-size, and a module's, fail the commit.
func TestRepoFolderOverLimit(t *testing.T) {
	repo, d := repoStart(t, "--max-folder-size", "8KiB")
	repoWriteAction(repo, "a", "v2")
	repo.write("actions/a/one.js", strings.Repeat("1", 5<<10))
	repo.write("actions/a/two.js", strings.Repeat("2", 5<<10))
	commit := repo.commit("an action over its folder limit")
	repoWantRefused(t, d, commit, "actions/a", "10", "over the limit of 8 KiB", "--max-folder-size")
	repoWantValidate(t, repo, "actions/a", "over the limit of 8 KiB", "--max-folder-size", "8KiB")

	repo.git("rm", "-q", "actions/a/one.js", "actions/a/two.js")
	repo.write("modules/m/module.yaml", "description: m\n")
	repo.write("modules/m/index.js", "module.exports = {};\n")
	repo.write("modules/m/blob.js", strings.Repeat("3", 9<<10))
	commit = repo.commit("a module over its folder limit")
	repoWantRefused(t, d, commit, "modules/m", "9", "over the limit of 8 KiB", "--max-folder-size")
	repoWantValidate(t, repo, "modules/m", "over the limit of 8 KiB", "--max-folder-size", "8KiB")
}

// More actions (or modules) than the limit fail the commit, and none of them is read.
func TestRepoTooManyObjects(t *testing.T) {
	repo, d := repoStart(t, "--max-actions", "2", "--max-modules", "1")
	repoWriteAction(repo, "b", "b")
	repoWriteAction(repo, "c", "c")
	commit := repo.commit("three actions")
	repoWantRefused(t, d, commit, "actions", "3 actions, over the limit of 2", "--max-actions")
	repoWantValidate(t, repo, "actions", "3 actions, over the limit of 2", "--max-actions", "2")

	repo.git("rm", "-q", "-r", "actions/c")
	for _, m := range []string{"m1", "m2"} {
		repo.write("modules/"+m+"/module.yaml", "description: m\n")
		repo.write("modules/"+m+"/index.js", "module.exports = {};\n")
	}
	commit = repo.commit("two modules")
	repoWantRefused(t, d, commit, "modules", "2 modules, over the limit of 1", "--max-modules")
	repoWantValidate(t, repo, "modules", "2 modules, over the limit of 1", "--max-modules", "1")
}

// repoFlipPacks damages every pack of the daemon's git mirror under dataDir in place (every 7th
// byte between the header and the trailer), as a failing disk would.
func repoFlipPacks(t *testing.T, dataDir string) {
	t.Helper()
	packs, err := filepath.Glob(filepath.Join(dataDir, "git", "objects", "pack", "*.pack"))
	if err != nil || len(packs) == 0 {
		t.Fatalf("no pack in the mirror under %s: %v", dataDir, err)
	}
	for _, p := range packs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := 12; i < len(b)-20; i += 7 {
			b[i] ^= 0x55
		}
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(p, os.O_WRONLY, 0) // the same file: the daemon may hold it open
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt(b, 0); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

// repoExample is a file outside actions/ that the daemon never reads, until a commit gives an
// action the same content: its blob is then read from the mirror's old (damaged) pack, not from
// a cache.
const repoExample = "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('b', 'b'); };\n"

// repoRemote makes a working repository with action a (v1) and docs/example.js, and a bare clone
// that the daemon reads as file://, the way it reads a remote: through a mirror under its data dir.
func repoRemote(t *testing.T) (work *gitRepo, url string) {
	t.Helper()
	work = newGitRepo(t)
	work.write("triggers.yaml", "post-login: [a]\n")
	repoWriteAction(work, "a", "v1")
	work.write("docs/example.js", repoExample)
	work.commit("v1")
	bare := filepath.Join(t.TempDir(), "actions.git")
	work.git("clone", "-q", "--bare", work.dir, bare)
	work.git("remote", "add", "origin", bare)
	return work, "file://" + bare
}

// repoCommitV2 commits and pushes action a at v2 and action b, whose index.js is docs/example.js.
func repoCommitV2(work *gitRepo) string {
	work.t.Helper()
	work.write("triggers.yaml", "post-login: [a, b]\n")
	repoWriteAction(work, "a", "v2")
	work.write("actions/b/action.yaml", "trigger: post-login\n")
	work.write("actions/b/index.js", repoExample)
	c := work.commit("v2")
	work.git("push", "-q", "origin", "main")
	return c
}

// repoCorruptDirs lists the corrupt mirrors kept under dataDir.
func repoCorruptDirs(t *testing.T, dataDir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dataDir, "git.corrupt-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// repoMetric returns the line of /metrics that starts with prefix.
func repoMetric(t *testing.T, d *daemon, prefix string) string {
	t.Helper()
	resp, err := http.Get(d.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

// A serving daemon whose mirror's packs are damaged finds it at the next sync that reads them,
// moves the mirror aside, clones again and serves the new commit, in the same sync; executions
// go on meanwhile.
func TestRepoCorruptMirrorWhileServing(t *testing.T) {
	work, url := repoRemote(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	d := startDaemon(t, url, "--data-dir", dataDir)
	if got := repoClaim(d, "a"); got != "v1" {
		t.Fatalf("claim a = %q, want v1", got)
	}
	repoFlipPacks(t, dataDir)
	head := repoCommitV2(work)

	// Executions while the sync runs: every one answers, from v1 or v2.
	stop := make(chan struct{})
	failures := make(chan string, 100)
	done := make(chan int)
	go func() {
		n := 0
		defer func() { done <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			req, _ := http.NewRequest("POST", d.url+"/v1/triggers/post-login/execute", strings.NewReader(`{"user":{"user_id":"u1"}}`))
			req.Header.Set("Authorization", "Bearer "+d.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				failures <- err.Error()
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var res runner.Result
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &res) != nil || res.Outcome != runner.OutcomeSuccess {
				select {
				case failures <- fmt.Sprintf("%d %s", resp.StatusCode, body):
				default:
				}
			}
			n++
		}
	}()
	st := repoSync(d)
	close(stop)
	executed := <-done
	close(failures)
	for f := range failures {
		t.Errorf("an execution during the sync failed: %s", f)
	}
	t.Logf("%d executions during the sync", executed)

	if st.Applied == nil || st.Applied.Commit != head || len(st.Errors) > 0 {
		t.Fatalf("after the sync: applied %+v, errors %+v; want %s applied", st.Applied, st.Errors, head)
	}
	if a, b := repoClaim(d, "a"), repoClaim(d, "b"); a != "v2" || b != "b" {
		t.Errorf("claims a = %q, b = %q; want v2 and b", a, b)
	}
	moved := repoCorruptDirs(t, dataDir)
	if len(moved) != 1 {
		t.Errorf("corrupt mirrors kept: %q, want one", moved)
	}
	logs := d.logs.String()
	if !strings.Contains(logs, "the git mirror is corrupt") || len(moved) == 1 && !strings.Contains(logs, moved[0]) {
		t.Errorf("the log does not say the mirror was corrupt and where it went:\n%s", logs)
	}
	if got := repoMetric(t, d, `actionsd_git_mirror_corruptions_total{step="snapshot"}`); !strings.HasSuffix(got, " 1") {
		t.Errorf("metric: got %q, want a count of 1", got)
	}
}

// A daemon restarted on a corrupt mirror, with nothing serving, recovers at start; while it
// cannot (the repository is away), its log never claims a generation serves.
func TestRepoCorruptMirrorAtStart(t *testing.T) {
	work, url := repoRemote(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	d := startDaemon(t, url, "--data-dir", dataDir)
	if got := repoClaim(d, "a"); got != "v1" {
		t.Fatalf("claim a = %q, want v1", got)
	}
	d.stop()
	repoFlipPacks(t, dataDir)
	head := repoCommitV2(work)

	// First with the repository away: nothing can serve, and the log must say so.
	bare := strings.TrimPrefix(url, "file://")
	if err := os.Rename(bare, bare+".away"); err != nil {
		t.Fatal(err)
	}
	d = startDaemonNoWait(t, url, "--data-dir", dataDir)
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(d.logs.String(), "reconcile failed") {
		if time.Now().After(deadline) || d.exited() {
			t.Fatalf("no failed reconcile logged:\n%s", d.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if logs := d.logs.String(); strings.Contains(logs, "previous generation keeps serving") || !strings.Contains(logs, "no generation serves") {
		t.Errorf("nothing serves, but the log says otherwise:\n%s", logs)
	}
	if err := os.Rename(bare+".away", bare); err != nil {
		t.Fatal(err)
	}
	st := repoSync(d)
	if !st.Ready || st.Applied == nil || st.Applied.Commit != head {
		t.Fatalf("after the repository is back: ready %v, applied %+v, errors %+v; want %s", st.Ready, st.Applied, st.Errors, head)
	}
	if a, b := repoClaim(d, "a"), repoClaim(d, "b"); a != "v2" || b != "b" {
		t.Errorf("claims a = %q, b = %q; want v2 and b", a, b)
	}
	if moved := repoCorruptDirs(t, dataDir); len(moved) != 1 {
		t.Errorf("corrupt mirrors kept: %q, want one", moved)
	}
	if logs := d.logs.String(); strings.Contains(logs, "previous generation keeps serving") {
		t.Errorf("the log claims a previous generation served:\n%s", logs)
	}

	// And restarted again on a corrupt mirror with the repository there: ready at start.
	d.stop()
	repoFlipPacks(t, dataDir)
	d = startDaemon(t, url, "--data-dir", dataDir)
	if a := repoClaim(d, "a"); a != "v2" {
		t.Errorf("after a restart on a corrupt mirror: claim a = %q, want v2", a)
	}
	if moved := repoCorruptDirs(t, dataDir); len(moved) != 2 {
		t.Errorf("corrupt mirrors kept: %q, want two (the default)", moved)
	}
	if logs := d.logs.String(); strings.Contains(logs, "previous generation keeps serving") {
		t.Errorf("the log claims a previous generation served:\n%s", logs)
	}
}
