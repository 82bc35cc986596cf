package security

// Repository inputs (issue 11, items 12 and 14): limits on what a commit may make the daemon read,
// and a corrupt git mirror that the daemon moves aside and clones again by itself.

import (
	"encoding/json"
	"fmt"
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
	st := repoSync(d)
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
	repoWantRefused(t, d, commit, "actions/a/zeros.bin", "150 MiB, over the limit of 5 MiB", "--max-file-size")
	rssAfter, peakAfter := repoVmKiB(t, pid, "VmRSS"), repoVmKiB(t, pid, "VmHWM")
	t.Logf("RSS %d -> %d KiB, peak %d -> %d KiB", rssBefore, rssAfter, peakBefore, peakAfter)
	// Generous: a third of the file. Reading it at all (once, into one buffer) would pass this.
	if grew := peakAfter - max(peakBefore, rssBefore); grew > size/3/1024 {
		t.Errorf("the daemon's peak RSS grew by %d MiB while refusing a %d MiB file, want far less", grew>>10, size>>20)
	}
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

var _ = time.Second
