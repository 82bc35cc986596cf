package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/internal/clitest"
)

// The first hour of a user who installed actionsd (on PATH, so that the pre-commit hook init
// installs runs it), following the README that init writes.

// onPath runs the binary as the user does: from dir, with the binary's folder first on PATH. A
// command still running after a minute is killed (and fails the caller's exit-status check).
func onPath(t *testing.T, dir, stdin string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := args[0]
	if name == "actionsd" {
		name = cliBinary
	}
	cmd := exec.CommandContext(ctx, name, args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(clitest.Env(dir), "PATH="+filepath.Dir(cliBinary)+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := cliResult{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return res
}

func TestFirstHourInitInvokeCommitServe(t *testing.T) {
	parent := t.TempDir()
	// init with actionsd on PATH: its pre-commit hook must not refuse init's own first commit.
	onPath(t, parent, "", "actionsd", "init", "my-actions").want(t, 0, "init my-actions")
	dir := filepath.Join(parent, "my-actions")
	if got := gitIn(t, dir, "config", "core.hooksPath"); got != ".githooks" {
		t.Fatalf("the pre-commit hook is not installed: core.hooksPath %q", got)
	}
	if status := gitIn(t, dir, "status", "--porcelain"); status != "" {
		t.Errorf("init left files out of its commit (secrets.local.yaml and the data folder are git-ignored):\n%s", status)
	}

	// invoke with no flags: secrets.local.yaml, whose SERVICE_URL is the log sink invoke starts.
	res := onPath(t, dir, "", "actionsd", "invoke", "log-login").want(t, 0, "invoke log-login")
	var result struct {
		Outcome string `json:"outcome"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &result); err != nil || result.Outcome != "success" {
		t.Fatalf("invoke log-login: %v\n%s", err, res.stdout)
	}
	if !strings.Contains(res.stderr, `sink: POST /logs body={"code":"login"`) || strings.Contains(res.stdout+res.stderr, "local-trial-key") {
		t.Errorf("invoke log-login: the sink must print the logger's request, never the key; stderr:\n%s", res.stderr)
	}
	onPath(t, dir, "", "actionsd", "invoke", "log-login", "--event", "events/post-login.json").want(t, 0, "invoke --event events/post-login.json")
	onPath(t, dir, "", "actionsd", "test").want(t, 0, "test")

	// Later commits go through the hook: a good one passes, a broken one is refused.
	index := filepath.Join(dir, "actions/log-login/index.js")
	code, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	cliWrite(t, index, "// logs each login\n"+string(code))
	onPath(t, dir, "", "git", "commit", "-q", "-am", "comment").want(t, 0, "git commit (good)")
	cliWrite(t, index, "exports.onExecutePostLogin = async (event, api) => {\n  const x = {;\n};\n")
	res = onPath(t, dir, "", "git", "commit", "-q", "-am", "broken")
	if res.code == 0 || !strings.Contains(res.stderr, "pre-commit: actionsd validate found errors") {
		t.Errorf("the hook let a syntax error through: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	gitIn(t, dir, "checkout", "--", ".")

	// serve as the README says, then the README's curl.
	addr := freeAddr(t)
	logs := serveAsREADME(t, dir, addr)
	event, err := os.ReadFile(filepath.Join(dir, "events/post-login.json"))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/triggers/post-login/execute", bytes.NewReader(event))
		req.Header.Set("Authorization", "Bearer dev-token")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			var got struct {
				Outcome string `json:"outcome"`
			}
			derr := json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && derr == nil && got.Outcome == "success" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer the README's curl with success (last: %v); logs:\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status := gitIn(t, dir, "status", "--porcelain"); status != "" {
		t.Errorf("serve's data folder shows in git status:\n%s", status)
	}
}

// serveAsREADME starts `actionsd serve` in the repository init wrote at dir, as its README says,
// on addr, until the test ends; its log is in the buffer returned.
func serveAsREADME(t *testing.T, dir, addr string) *bytes.Buffer {
	t.Helper()
	serve := exec.Command(cliBinary, "serve", "--repo", ".", "--data-dir", ".actionsd/data", "--secrets-file", "secrets.local.yaml",
		"--token", "dev-token", "--addr", addr, "--poll-interval", "0")
	serve.Dir, serve.Env = dir, clitest.Env(dir)
	var logs bytes.Buffer
	serve.Stdout, serve.Stderr = &logs, &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = serve.Process.Kill(); _ = serve.Wait() })
	return &logs
}

func TestFirstHourValidateBeforeTheFirstCommit(t *testing.T) {
	dir := t.TempDir()
	gitIn(t, dir, "init", "-q", "-b", "main")
	cliWrite(t, filepath.Join(dir, "triggers.yaml"), "post-login: [hello]\n")
	cliWrite(t, filepath.Join(dir, "actions/hello/action.yaml"), "trigger: post-login\n")
	cliWrite(t, filepath.Join(dir, "actions/hello/index.js"), "exports.onExecutePostLogin = async (event, api) => {};\n")
	for _, args := range [][]string{{"validate", "--base", "HEAD", "--head", "working-tree"}, {"validate"}} {
		res := run(t, dir, "", args...).want(t, 0, strings.Join(args, " "))
		for _, want := range []string{"empty-tree → working-tree: valid", "added    hello (post-login)"} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("%s: no %q in\n%s", strings.Join(args, " "), want, res.stdout)
			}
		}
	}
}

func TestFirstHourServeMissingRepo(t *testing.T) {
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.yaml")
	cliWrite(t, secrets, "modules: {}\n")
	missing := filepath.Join(dir, "no", "such", "path")
	res := onPath(t, dir, "", "actionsd", "serve", "--repo", missing, "--data-dir", filepath.Join(dir, "data"), "--secrets-file", secrets, "--addr", "127.0.0.1:0")
	if res.code != 1 || !strings.Contains(res.stderr, "no such folder") || strings.Contains(res.stderr, "keeps serving") {
		t.Errorf("serve --repo %s: exit %d, want 1 at once with \"no such folder\"\n%s", missing, res.code, res.stderr)
	}
}

func TestFirstHourUsageErrorsAndColour(t *testing.T) {
	dir := initRepo(t)
	for _, args := range [][]string{{"nope"}, {"serve", "--nope"}, {"validate", "--bogus"}, {"secrets", "check", "--nope"},
		{"serve", "--log-format", "xml"}, {"--color", "purple", "version"}} {
		res := run(t, dir, "", args...)
		if res.code != 2 || !strings.Contains(res.stderr, "--help'.") {
			t.Errorf("actionsd %s: exit %d, want 2 with \"See … --help\"\n%s", strings.Join(args, " "), res.code, res.stderr)
		}
	}

	// Not a terminal: no colour, unless --color always (NO_COLOR is for auto).
	if res := run(t, dir, "", "test"); strings.Contains(res.stdout, "\x1b[") {
		t.Errorf("test to a pipe is coloured:\n%q", res.stdout)
	}
	res := onPath(t, dir, "", "actionsd", "test", "--color", "always").want(t, 0, "test --color always")
	if !strings.Contains(res.stdout, "\x1b[32mPASS ") {
		t.Errorf("test --color always: no green PASS in\n%q", res.stdout)
	}
	res = onPath(t, dir, "", "actionsd", "validate", "--color", "always").want(t, 0, "validate --color always")
	if !strings.HasPrefix(res.stdout, "\x1b[32mactionsd validate: ") {
		t.Errorf("validate --color always: the verdict is not green:\n%q", res.stdout)
	}

	// The console log to a file: no colour codes.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, c := range []struct {
		color string
		want  bool
	}{{"auto", false}, {"always", true}} {
		serve := exec.CommandContext(ctx, cliBinary, "serve", "--repo", ".", "--data-dir", t.TempDir(), "--secrets-file", "secrets.local.yaml",
			"--addr", "127.0.0.1:0", "--poll-interval", "0", "--log-format", "console", "--color", c.color)
		serve.Dir, serve.Env = dir, clitest.Env(dir)
		logs, err := serve.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := serve.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(logs).ReadString('\n')
		_ = serve.Process.Kill()
		_ = serve.Wait()
		if err != nil || strings.Contains(line, "\x1b[") != c.want {
			t.Errorf("serve --log-format console --color %s: first log line %q (%v), colour codes want %v", c.color, line, err, c.want)
		}
	}
}
