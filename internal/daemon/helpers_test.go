package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// newDaemon wires a test daemon as `serve` and `dev` do, with a plain secrets source and the
// default start heap.
func newDaemon(cfg config.Config, secrets vaultsecrets.Source, log *zap.Logger) (*Daemon, error) {
	return New(cfg, Options{Secrets: Secrets{Source: secrets}, Logger: log, StartHeap: DefaultStartHeap})
}

// The actionsd binary, built once for the tests that run a CLI command beside a daemon (`lock`,
// `vendor`, `validate`, `secrets check`).
var (
	binaryOnce gosync.Once
	binaryDir  string
	cliBinary  string
	binaryErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// actionsdBinary returns the path of the actionsd binary built from this checkout.
func actionsdBinary(t testing.TB) string {
	t.Helper()
	binaryOnce.Do(func() {
		binaryDir, binaryErr = os.MkdirTemp("", "actionsd-daemon-")
		if binaryErr != nil {
			return
		}
		cliBinary = filepath.Join(binaryDir, "actionsd")
		if out, err := exec.Command("go", "build", "-o", cliBinary, "../../cmd/actionsd").CombinedOutput(); err != nil {
			binaryErr = fmt.Errorf("go build actionsd: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return cliBinary
}

// cliResult is one run of the binary.
type cliResult struct {
	code           int
	stdout, stderr string
}

// gitEnv is the environment of the binary and of git in these tests: a fixed identity and no
// user or system configuration.
func gitEnv(home string) []string {
	return append(os.Environ(),
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.invalid",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+home, "VAULT_ADDR=")
}

// run runs actionsd with args in dir.
func run(t *testing.T, dir string, stdin string, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(actionsdBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(dir)
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
		t.Fatalf("actionsd %s: %v", strings.Join(args, " "), err)
	}
	return res
}

func (r cliResult) want(t *testing.T, code int, args string) cliResult {
	t.Helper()
	if r.code != code {
		t.Fatalf("actionsd %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, code, r.stdout, r.stderr)
	}
	return r
}
