package daemon

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	gosync "sync"
	"testing"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/clitest"
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
func gitEnv(home string) []string { return clitest.Env(home) }

// run runs actionsd with args in dir.
func run(t *testing.T, dir string, stdin string, args ...string) cliResult {
	t.Helper()
	r := clitest.Run(t, actionsdBinary(t), dir, stdin, args...)
	return cliResult{code: r.Code, stdout: r.Stdout, stderr: r.Stderr}
}

func (r cliResult) want(t *testing.T, code int, args string) cliResult {
	t.Helper()
	if r.code != code {
		t.Fatalf("actionsd %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, code, r.stdout, r.stderr)
	}
	return r
}
