package helmtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// actionsdBin is the actionsd actionsdBin built from this repository for the tests.
var actionsdBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "actionsd-helm-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	actionsdBin = filepath.Join(dir, "actionsd")
	cmd := exec.Command("go", "build", "-o", actionsdBin, "./cmd/actionsd")
	cmd.Dir = RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build actionsd: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// serveFlags are the flags of the binary's `serve`, from its --help.
func serveFlags(t *testing.T) map[string]bool {
	t.Helper()
	out, err := exec.Command(actionsdBin, "serve", "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("actionsd serve --help: %v\n%s", err, out)
	}
	flags := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(?:-\w, )?--([a-z0-9-]+)`).FindAllStringSubmatch(string(out), -1) {
		flags[m[1]] = true
	}
	if !flags["config"] || !flags["check-config"] {
		t.Fatalf("serve --help lists no --config or --check-config: parsed %v from\n%s", flags, out)
	}
	return flags
}

// imageEnv is the environment the Dockerfile's final stage sets (its ENV lines).
func imageEnv(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(line, "ENV ")
		if !ok {
			continue
		}
		for _, kv := range strings.Fields(rest) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = v
			}
		}
	}
	if env["ACTIONSD_ADDR"] == "" {
		t.Fatalf("the Dockerfile sets no ACTIONSD_ADDR: parsed %v", env)
	}
	return env
}

// run runs the binary with args and env (only env: nothing of the test's own) and returns its
// stdout, stderr and exit code.
func run(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(actionsdBin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run actionsd %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), code
}
