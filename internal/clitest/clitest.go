// Package clitest drives the git CLI and the actionsd binary in tests, as a user does: a working
// repository written and committed with git, and a run of a command with its exit code and output.
// The command tests (cmd/actionsd) and the daemon's tests (internal/daemon) share it.
package clitest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Repo is a working repository in a temporary folder, on branch main, driven with the git CLI.
type Repo struct {
	T   testing.TB
	Dir string
}

// NewRepo makes an empty repository; the test fails when the git CLI is missing.
func NewRepo(t testing.TB) *Repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("the git CLI is required: %v", err)
	}
	r := &Repo{T: t, Dir: t.TempDir()}
	r.Git("init", "-q", "-b", "main")
	return r
}

// Git runs git in the repository, as a fixed author and with no system or user configuration,
// and returns its output, trimmed; a failure fails the test.
func (r *Repo) Git(args ...string) string {
	r.T.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.invalid",
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+r.Dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.T.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Write writes content to path (relative to the repository), making its folders.
func (r *Repo) Write(path, content string) {
	r.T.Helper()
	full := filepath.Join(r.Dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.T.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		r.T.Fatal(err)
	}
}

// Read returns the content of path (relative to the repository).
func (r *Repo) Read(path string) string {
	r.T.Helper()
	b, err := os.ReadFile(filepath.Join(r.Dir, path))
	if err != nil {
		r.T.Fatal(err)
	}
	return string(b)
}

// Commit commits every change and returns the new HEAD.
func (r *Repo) Commit(msg string) string {
	r.T.Helper()
	r.Git("add", "-A")
	r.Git("commit", "-q", "-m", msg)
	return r.Git("rev-parse", "HEAD")
}

// Env is the environment of a command run with home as HOME: a fixed git author, no system or
// global git configuration, and no Vault address from the machine.
func Env(home string) []string {
	return append(os.Environ(),
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.invalid",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+home, "VAULT_ADDR=")
}

// Result is what a command run gave.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Run runs binary with args in dir (Env(dir)), stdin as its input; a command that could not
// start fails the test, and an exit status is the Result's Code.
func Run(t testing.TB, binary, dir, stdin string, args ...string) Result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = Env(dir)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := Result{Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.Code = ee.ExitCode()
	case err != nil:
		t.Fatalf("actionsd %s: %v", strings.Join(args, " "), err)
	}
	return res
}
