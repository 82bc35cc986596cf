package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"

	"github.com/actionsd/actionsd/internal/clitest"
	"github.com/actionsd/actionsd/lockfile"
)

// cliBinary is actionsd built once for the CLI tests.
var cliBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "actionsd-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cliBinary = filepath.Join(dir, "actionsd")
	if out, err := exec.Command("go", "build", "-o", cliBinary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build actionsd: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
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
	r := clitest.Run(t, cliBinary, dir, stdin, args...)
	return cliResult{code: r.Code, stdout: r.Stdout, stderr: r.Stderr}
}

func (r cliResult) want(t *testing.T, code int, args string) cliResult {
	t.Helper()
	if r.code != code {
		t.Fatalf("actionsd %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, code, r.stdout, r.stderr)
	}
	return r
}

// gitIn runs the git CLI in dir.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func cliWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// initRepo runs actionsd init in a new folder and returns it.
func initRepo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	run(t, filepath.Dir(dir), "", "init", dir).want(t, 0, "init")
	return dir
}

func TestCLIInitValidateTestInvoke(t *testing.T) {
	dir := initRepo(t)
	for _, f := range []string{".gitignore", "jsconfig.json", ".actionsd/action.schema.json", ".actionsd/actionsd.d.ts",
		".github/workflows/actionsd.yml", ".gitlab-ci.yml", ".githooks/pre-commit", "actions/log-login/log-login.test.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init did not write %s: %v", f, err)
		}
	}
	if got := gitIn(t, dir, "tag", "-l"); got != "modules/logger/v1" {
		t.Errorf("init: tags %q, want modules/logger/v1", got)
	}
	action, _ := os.ReadFile(filepath.Join(dir, "actions/log-login/action.yaml"))
	if !strings.HasPrefix(string(action), "# yaml-language-server: $schema=../../.actionsd/action.schema.json\n") {
		t.Errorf("action.yaml does not reference its schema:\n%s", action)
	}
	// init refuses an existing repository.
	run(t, dir, "", "init", ".").want(t, 1, "init .")

	res := run(t, dir, "", "validate", "--format", "json").want(t, 0, "validate")
	var report struct {
		Valid bool `json:"valid"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &report); err != nil || !report.Valid {
		t.Errorf("validate --format json: %v %s", err, res.stdout)
	}
	res = run(t, dir, "", "test", "--format", "tap").want(t, 0, "test")
	if !strings.Contains(res.stdout, "1..4\n# pass 4") {
		t.Errorf("test --format tap: got\n%s", res.stdout)
	}

	// invoke from the working tree, with secrets from a file, posting to a local sink.
	var got struct {
		gosync.Mutex
		key  string
		body map[string]any
	}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		got.Lock()
		defer got.Unlock()
		got.key = r.Header.Get("X-API-Key")
		_ = json.Unmarshal(data, &got.body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer sink.Close()
	secrets := filepath.Join(t.TempDir(), "secrets.yaml")
	cliWrite(t, secrets, fmt.Sprintf("modules:\n  logger:\n    SERVICE_URL: %q\n    API_KEY: \"k-123\"\n", sink.URL+"/logs"))
	event := `{"user":{"user_id":"u1"},"authorization":{"roles":["admin"]}}`
	res = run(t, dir, event, "invoke", "log-login", "--event", "-", "--secrets-file", secrets, "--egress-allow", "127.0.0.1").want(t, 0, "invoke")
	var result struct {
		Outcome string `json:"outcome"`
		Effects struct {
			Claims map[string]any `json:"id_token_claims"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &result); err != nil || result.Outcome != "success" {
		t.Fatalf("invoke: %v\n%s", err, res.stdout)
	}
	got.Lock()
	if fmt.Sprint(result.Effects.Claims["https://example.com/roles"]) != "[admin]" || got.key != "k-123" || got.body["code"] != "login" {
		t.Errorf("invoke: claims %v, sink key %q body %v", result.Effects.Claims, got.key, got.body)
	}
	got.Unlock()
	if !strings.Contains(res.stderr, "not production") || strings.Contains(res.stdout+res.stderr, "k-123") {
		t.Errorf("invoke: stderr %q must warn about the secrets file and never show a value", res.stderr)
	}
	// The whole trigger, with the sample event.
	run(t, dir, "", "invoke", "--trigger", "post-login", "--secrets-file", secrets, "--egress-allow", "127.0.0.1").want(t, 0, "invoke --trigger")

	// versions lists v1 and who pins it.
	res = run(t, dir, "", "versions", "logger", "--json").want(t, 0, "versions")
	var versions struct {
		Versions []struct {
			Version  int      `json:"version"`
			Status   string   `json:"status"`
			PinnedBy []string `json:"pinned_by"`
		} `json:"versions"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &versions); err != nil || len(versions.Versions) != 1 ||
		versions.Versions[0].Status != "published" || fmt.Sprint(versions.Versions[0].PinnedBy) != "[log-login]" {
		t.Errorf("versions --json: %v\n%s", err, res.stdout)
	}
}

func TestCLIValidateErrorsAndUsage(t *testing.T) {
	dir := initRepo(t)
	gitIn(t, dir, "switch", "-q", "-c", "feature")
	cliWrite(t, filepath.Join(dir, "actions/log-login/index.js"), "exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('x', 1;\n};\n")
	cliWrite(t, filepath.Join(dir, "actions/log-login/action.yaml"), "trigger: post-login\nmodules:\n  logger: 2\n")
	// The working tree differs from HEAD: it is what validate reviews by default.
	res := run(t, dir, "", "validate", "--format", "markdown").want(t, 1, "validate")
	for _, want := range []string{
		"### ❌ actionsd validate: 2 errors",
		"- `actions/log-login/action.yaml:3:11` `modules.logger`: module logger v2 is not published (published: v1)",
		"- `actions/log-login/index.js:2:36` SyntaxError: Expected \")\" but found \";\"",
		"| `log-login` | changed | post-login |",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("validate --format markdown: no %q in\n%s", want, res.stdout)
		}
	}
	run(t, dir, "", "validate", "--format", "yaml").want(t, 2, "validate --format yaml")
	run(t, dir, "", "validate", "--no-such-flag").want(t, 2, "validate --no-such-flag")
	run(t, dir, "", "validate", "extra").want(t, 2, "validate extra")
	run(t, dir, "", "versions").want(t, 2, "versions")
	if res := run(t, dir, "", "test", "--egress-allow", "bad entry").want(t, 2, "test --egress-allow 'bad entry'"); !strings.Contains(res.stderr, `--egress-allow: egress allow entry "bad entry"`) {
		t.Errorf("test --egress-allow 'bad entry': %s", res.stderr)
	}

	// test fails with the failure's position.
	cliWrite(t, filepath.Join(dir, "actions/log-login/index.js"), "exports.onExecutePostLogin = async (event, api) => {};\n")
	cliWrite(t, filepath.Join(dir, "actions/log-login/action.yaml"), "trigger: post-login\n")
	res = run(t, dir, "", "test", "actions/log-login").want(t, 1, "test")
	if !strings.Contains(res.stdout, "FAIL actions/log-login/log-login.test.js › puts the roles into the ID token") ||
		!strings.Contains(res.stdout, "actions/log-login/log-login.test.js:7:27: AssertionError: expected: api.idToken.setCustomClaim(") {
		t.Errorf("test: got\n%s", res.stdout)
	}
}

func TestCLIPublish(t *testing.T) {
	dir := initRepo(t)
	remote := filepath.Join(t.TempDir(), "remote.git")
	gitIn(t, filepath.Dir(remote), "init", "-q", "--bare", remote)
	gitIn(t, dir, "remote", "add", "origin", remote)
	gitIn(t, dir, "push", "-q", "origin", "main", "--tags")

	// No change: logger is v1 already.
	res := run(t, dir, "", "publish", "logger").want(t, 1, "publish (no change)")
	if !strings.Contains(res.stderr, "no change") {
		t.Errorf("publish without a change: stderr %q", res.stderr)
	}

	// On a branch: record v2, for review.
	gitIn(t, dir, "switch", "-q", "-c", "logger-v2")
	index := filepath.Join(dir, "modules/logger/index.js")
	src, _ := os.ReadFile(index)
	cliWrite(t, index, strings.Replace(string(src), "body: JSON.stringify({ code, message })", "body: JSON.stringify({ code, message, v: 2 })", 1))
	run(t, dir, "", "publish", "logger").want(t, 1, "publish (dirty)")
	gitIn(t, dir, "commit", "-q", "-am", "logger: send v")
	res = run(t, dir, "", "publish", "logger").want(t, 0, "publish on a branch")
	if !strings.Contains(res.stdout, "recorded logger v2") {
		t.Errorf("publish on a branch: %s", res.stdout)
	}
	lock := cliReadLock(t, dir)
	if rec := lock.Record("logger", 2); rec == nil || rec.Tree != gitIn(t, dir, "rev-parse", "HEAD:modules/logger") {
		t.Fatalf("publish on a branch: record %+v", rec)
	}
	if tags := gitIn(t, dir, "tag", "-l"); tags != "modules/logger/v1" {
		t.Errorf("publish on a branch tagged: %q", tags)
	}
	run(t, dir, "", "publish", "logger").want(t, 1, "publish twice")

	// The review says what the merge will publish.
	res = run(t, dir, "", "validate").want(t, 0, "validate")
	if !strings.Contains(res.stdout, "draft is v2, recorded in actionsd.lock; `actionsd publish logger` on main tags it after merge") {
		t.Errorf("validate after recording: %s", res.stdout)
	}

	// After the merge, on main: tag at HEAD, and push.
	gitIn(t, dir, "switch", "-q", "main")
	gitIn(t, dir, "merge", "-q", "--ff-only", "logger-v2")
	res = run(t, dir, "", "publish", "logger", "--push").want(t, 0, "publish on main")
	if !strings.Contains(res.stdout, "tagged modules/logger/v2 at") {
		t.Errorf("publish on main: %s", res.stdout)
	}
	if got := gitIn(t, dir, "cat-file", "-t", "modules/logger/v2"); got != "tag" {
		t.Errorf("modules/logger/v2 is a %s, want an annotated tag", got)
	}
	if got := gitIn(t, remote, "tag", "-l"); got != "modules/logger/v1\nmodules/logger/v2" {
		t.Errorf("remote tags: %q", got)
	}
	run(t, dir, "", "publish", "logger").want(t, 1, "publish on main again")

	// On main with no record yet: record and tag in one go.
	src, _ = os.ReadFile(index)
	cliWrite(t, index, strings.Replace(string(src), "v: 2", "v: 3", 1))
	gitIn(t, dir, "commit", "-q", "-am", "logger: v3 directly on main")
	res = run(t, dir, "", "publish", "logger").want(t, 0, "publish on main without a record")
	if !strings.Contains(res.stdout, "recorded logger v3") || !strings.Contains(res.stdout, "tagged modules/logger/v3") {
		t.Errorf("publish on main without a record: %s", res.stdout)
	}
	if gitIn(t, dir, "rev-parse", "modules/logger/v3^{commit}") != gitIn(t, dir, "rev-parse", "HEAD") {
		t.Errorf("v3 is not tagged at the recording commit")
	}
	res = run(t, dir, "", "versions", "logger").want(t, 0, "versions")
	for _, want := range []string{"v1  ", "v2  ", "v3  ", "published", "logger v3", "draft    same as v3"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("versions: no %q in\n%s", want, res.stdout)
		}
	}
}

func TestCLIHelpAndCompletion(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []string{"validate", "publish", "versions", "invoke", "test", "init", "schema"} {
		res := run(t, dir, "", c, "--help").want(t, 0, c+" --help")
		if !strings.Contains(res.stdout, "Examples:") || !strings.Contains(res.stdout, "actionsd "+c) {
			t.Errorf("%s --help has no example:\n%s", c, res.stdout)
		}
	}
	res := run(t, dir, "", "completion", "bash").want(t, 0, "completion bash")
	if !strings.Contains(res.stdout, "__start_actionsd") {
		t.Errorf("completion bash: %.200s", res.stdout)
	}
	res = run(t, dir, "", "__complete", "invoke", "--trigger", "").want(t, 0, "__complete")
	if !strings.Contains(res.stdout, "post-login\n") {
		t.Errorf("completion of --trigger: %s", res.stdout)
	}
	res = run(t, dir, "", "schema", "action").want(t, 0, "schema action")
	if !json.Valid([]byte(res.stdout)) || !strings.Contains(res.stdout, `"post-login"`) {
		t.Errorf("schema action: %.200s", res.stdout)
	}
	run(t, dir, "", "schema", "nope").want(t, 2, "schema nope")
}

func cliReadLock(t *testing.T, dir string) *lockfile.Lock {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, lockfile.Name))
	if err != nil {
		t.Fatal(err)
	}
	l, err := lockfile.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestServeNeedsATokenBeyondLoopback: serve refuses to open the API without a token on an address
// other hosts can reach, and says which setting fixes it.
func TestServeNeedsATokenBeyondLoopback(t *testing.T) {
	t.Setenv("ACTIONSD_TOKEN", "")
	dir := t.TempDir()
	res := run(t, dir, "", "serve", "--repo", dir, "--data-dir", filepath.Join(dir, "data"), "--secrets-file", filepath.Join(dir, "secrets.yaml"), "--addr", "0.0.0.0:0")
	if res.code == 0 || !strings.Contains(res.stderr, "needs a token") || !strings.Contains(res.stderr, "ACTIONSD_TOKEN") {
		t.Errorf("serve on 0.0.0.0 without a token: exit %d, stderr %q; want a refusal naming ACTIONSD_TOKEN", res.code, res.stderr)
	}
}
