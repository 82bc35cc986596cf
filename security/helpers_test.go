package security

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/runner"
)

// files turns name/source pairs into runner.Source files.
func files(kv ...string) map[string][]byte {
	m := make(map[string][]byte, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = []byte(kv[i+1])
	}
	return m
}

// newAction returns a post-login action whose index.js is src, pinning the modules given.
func newAction(name, src string, modules ...*runner.ModuleSpec) *runner.ActionSpec {
	a := &runner.ActionSpec{
		Name:    name,
		Version: "c0ffee",
		Trigger: "post-login",
		Source:  runner.Source{Dir: "actions/" + name, Entry: "index.js", Files: files("index.js", src)},
		Modules: map[string]*runner.ModuleSpec{},
	}
	for _, m := range modules {
		a.Modules[m.Name] = m
	}
	return a
}

// newModule returns module name at version 1 whose index.js is src, with its secrets.
func newModule(name, src string, secrets map[string]string) *runner.ModuleSpec {
	return &runner.ModuleSpec{
		Name:    name,
		Version: 1,
		Source:  runner.Source{Dir: "modules/" + name, Entry: "index.js", Files: files("index.js", src)},
		Secrets: secrets,
	}
}

// newSpec binds the actions to their triggers in the order given.
func newSpec(actions ...*runner.ActionSpec) *runner.Spec {
	s := &runner.Spec{Commit: "abc123", Generation: 1, Actions: map[string]*runner.ActionSpec{}, Bindings: map[string][]string{}}
	for _, a := range actions {
		s.Actions[a.Name] = a
		s.Bindings[a.Trigger] = append(s.Bindings[a.Trigger], a.Name)
	}
	return s
}

// build builds spec with opts (a test logger unless one is given) and closes the generation with
// the test. It returns Build's error as it is.
func build(t testing.TB, spec *runner.Spec, opts runner.Options) (*runner.Generation, error) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = zaptest.NewLogger(t)
	}
	g, err := runner.Build(context.Background(), spec, opts)
	if err == nil {
		t.Cleanup(g.Close)
	}
	return g, err
}

func mustBuild(t testing.TB, spec *runner.Spec, opts runner.Options) *runner.Generation {
	t.Helper()
	g, err := build(t, spec, opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return g
}

// execute runs trig on g with event and fails the test on an error of the request itself.
func execute(t testing.TB, g *runner.Generation, trig, event string) *runner.Result {
	t.Helper()
	res, err := g.Execute(context.Background(), trig, []byte(event))
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	return res
}

func toJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// binary is actionsd, built once per test process (binaryOnce) into a folder removed by TestMain.
var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
	binaryDir  string
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
		binaryDir, binaryErr = os.MkdirTemp("", "actionsd-security-")
		if binaryErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "actionsd")
		out, err := exec.Command("go", "build", "-o", binaryPath, "../cmd/actionsd").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build actionsd: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// gitEnv is the environment of git and the binary: a fixed identity, no user or system
// configuration, and no Vault.
func gitEnv(home string) []string {
	return append(os.Environ(),
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.invalid",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+home, "VAULT_ADDR=", "VAULT_TOKEN=")
}

// gitRepo is a working repository on branch main, driven with the git CLI.
type gitRepo struct {
	t   testing.TB
	dir string
}

func newGitRepo(t testing.TB) *gitRepo {
	t.Helper()
	r := &gitRepo{t: t, dir: filepath.Join(t.TempDir(), "repo")}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = gitEnv(r.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *gitRepo) write(name, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// commit commits everything and returns the commit's hash.
func (r *gitRepo) commit(msg string) string {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// daemon is `actionsd serve` running as a separate process.
type daemon struct {
	t       testing.TB
	url     string // http://127.0.0.1:PORT
	token   string
	dataDir string
	cmd     *exec.Cmd
	logs    *syncBuffer
	done    chan struct{}
}

// syncBuffer is a bytes.Buffer that the process and the test write and read at once.
type syncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startDaemon runs actionsd serve on repo (a local path) with a token, an empty secrets file
// unless args name one, polling off, and extra args; it returns once /readyz answers 200, or
// fails the test after 60 s. The process is stopped (SIGTERM, then killed) with the test.
func startDaemon(t testing.TB, repo string, args ...string) *daemon {
	t.Helper()
	d := startDaemonNoWait(t, repo, args...)
	d.waitReady(60 * time.Second)
	return d
}

// startDaemonNoWait is startDaemon without waiting for readiness.
func startDaemonNoWait(t testing.TB, repo string, args ...string) *daemon {
	t.Helper()
	bin := actionsdBinary(t)
	home := t.TempDir()
	d := &daemon{t: t, token: "security-test-token", dataDir: filepath.Join(home, "data"), logs: &syncBuffer{}, done: make(chan struct{})}
	port := freePort(t)
	d.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	full := []string{"serve", "--repo", repo, "--data-dir", d.dataDir, "--addr", fmt.Sprintf("127.0.0.1:%d", port),
		"--poll-interval", "0", "--log-format", "json"}
	hasSecrets := false
	for _, a := range args {
		if a == "--secrets-file" || strings.HasPrefix(a, "--secrets-file=") {
			hasSecrets = true
		}
	}
	if !hasSecrets {
		secrets := filepath.Join(home, "secrets.yaml")
		if err := os.WriteFile(secrets, []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		full = append(full, "--secrets-file", secrets)
	}
	full = append(full, args...)
	d.cmd = exec.Command(bin, full...)
	d.cmd.Env = append(gitEnv(home), "ACTIONSD_TOKEN="+d.token)
	d.cmd.Stdout, d.cmd.Stderr = d.logs, d.logs
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = d.cmd.Wait(); close(d.done) }()
	t.Cleanup(d.stop)
	return d
}

// stop ends the daemon: SIGTERM, then a kill after 10 s.
func (d *daemon) stop() {
	select {
	case <-d.done:
		return
	default:
	}
	_ = d.cmd.Process.Signal(os.Interrupt)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

// exited says whether the process has ended.
func (d *daemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// waitReady waits until /readyz answers 200.
func (d *daemon) waitReady(timeout time.Duration) {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if d.exited() {
			d.t.Fatalf("actionsd serve exited before it was ready; its output:\n%s", d.logs.String())
		}
		resp, err := http.Get(d.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.t.Fatalf("actionsd serve was not ready after %s; its output:\n%s", timeout, d.logs.String())
}

// do sends an authenticated request and returns the status and body.
func (d *daemon) do(method, path, body string) (int, string) {
	d.t.Helper()
	req, err := http.NewRequest(method, d.url+path, strings.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// status returns GET /v1/status decoded.
func (d *daemon) status() map[string]any {
	d.t.Helper()
	code, body := d.do("GET", "/v1/status", "")
	if code != http.StatusOK {
		d.t.Fatalf("GET /v1/status: %d %s", code, body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		d.t.Fatalf("GET /v1/status: %v\n%s", err, body)
	}
	return m
}

// waitAttempted waits until the status shows a reconcile attempt (applied or failed), and
// returns the status then.
func (d *daemon) waitAttempted(timeout time.Duration) map[string]any {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if d.exited() {
			d.t.Fatalf("actionsd serve exited; its output:\n%s", d.logs.String())
		}
		req, _ := http.NewRequest("GET", d.url+"/v1/status", nil)
		req.Header.Set("Authorization", "Bearer "+d.token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			var m map[string]any
			err := json.NewDecoder(resp.Body).Decode(&m)
			resp.Body.Close()
			if err == nil && m["attempted"] != nil {
				return m
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.t.Fatalf("actionsd serve attempted nothing in %s; its output:\n%s", timeout, d.logs.String())
	return nil
}
