package deploy

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// deployBinary builds actionsd once for these tests (cgo off, as the image and release builds).
func deployBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "actionsd-deploy-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "actionsd")
		cmd := exec.Command("go", "build", "-o", binPath, "../cmd/actionsd")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build actionsd: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// unitSettings reads deploy/systemd/actionsd.service into key -> values (a key may repeat).
func unitSettings(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("systemd/actionsd.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("actionsd.service: %q is not KEY=VALUE", line)
		}
		out[k] = append(out[k], v)
	}
	return out
}

// TestSystemdUnit checks that the unit asks for what the issue names (notify with a watchdog, a
// dynamic user with a state directory, the sandbox, an environment file) and runs the binary's
// real flags, and verifies it with systemd-analyze where installed.
func TestSystemdUnit(t *testing.T) {
	s := unitSettings(t)
	has := func(key, want string) {
		t.Helper()
		for _, v := range s[key] {
			if v == want {
				return
			}
		}
		t.Errorf("%s=%s missing (have %q)", key, want, s[key])
	}
	has("Type", "notify")
	has("DynamicUser", "yes")
	has("StateDirectory", "actionsd")
	has("ProtectSystem", "strict")
	has("NoNewPrivileges", "yes")
	has("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6")
	has("SystemCallFilter", "@system-service")
	has("EnvironmentFile", "/etc/actionsd/actionsd.env")
	has("Environment", "ACTIONSD_DATA_DIR=/var/lib/actionsd")
	if len(s["WatchdogSec"]) != 1 {
		t.Errorf("WatchdogSec: %q", s["WatchdogSec"])
	}
	exec0 := strings.Fields(s["ExecStart"][0])
	if exec0[0] != "/usr/local/bin/actionsd" || exec0[1] != "serve" {
		t.Errorf("ExecStart %q: want /usr/local/bin/actionsd serve …", s["ExecStart"][0])
	}
	// The environment file's variables are the ones the binary reads.
	env, err := os.ReadFile("systemd/actionsd.env")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"ACTIONSD_ARGS=", "ACTIONSD_TOKEN=", "VAULT_ADDR="} {
		if !strings.Contains(string(env), "\n"+v) {
			t.Errorf("actionsd.env has no %s", v)
		}
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed: the unit's directives were checked, not verified by systemd")
	}
	verify := func(unit string) string {
		t.Helper()
		dir := t.TempDir()
		p := filepath.Join(dir, "actionsd.service")
		if err := os.WriteFile(p, []byte(unit), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(analyze, "verify", p).CombinedOutput()
		if err != nil {
			return fmt.Sprintf("%v: %s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	raw, err := os.ReadFile("systemd/actionsd.service")
	if err != nil {
		t.Fatal(err)
	}
	// verify wants ExecStart's program to exist: the real binary, built here.
	unit := strings.ReplaceAll(string(raw), "/usr/local/bin/actionsd", deployBinary(t))
	if out := verify(unit); out != "" {
		t.Errorf("systemd-analyze verify:\n%s", out)
	}
	// The check itself: a misspelt directive is reported (verify exits 0 on warnings, so the
	// test reads its output).
	if out := verify(strings.Replace(unit, "Type=notify", "Type=notfy", 1)); out == "" {
		t.Error("systemd-analyze verify reported nothing for Type=notfy")
	}
}

// notifyMsg is one datagram received on the notify socket.
type notifyMsg struct {
	state string
	at    time.Time
}

// notifySocket listens on a unixgram socket (a path, or an abstract name starting with @) and
// passes each datagram on.
func notifySocket(t *testing.T, name string) <-chan notifyMsg {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ch := make(chan notifyMsg, 1024)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				close(ch)
				return
			}
			ch <- notifyMsg{state: string(buf[:n]), at: time.Now()}
		}
	}()
	return ch
}

// notifyRepo is a local git repository of one action; broken makes its code fail to build.
func notifyRepo(t *testing.T, broken bool) (dir string, fix func()) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "repo")
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.invalid",
			"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.invalid", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code := func(broken bool) string {
		if broken {
			return "exports.onExecutePostLogin = async (event, api) => {\n" // unclosed: a syntax error
		}
		return "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('ok', true); };\n"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	git("init", "-q", "-b", "main")
	write("triggers.yaml", "post-login: [greet]\n")
	write("actions/greet/action.yaml", "trigger: post-login\n")
	write("actions/greet/index.js", code(broken))
	git("add", "-A")
	git("commit", "-q", "-m", "first")
	return dir, func() {
		write("actions/greet/index.js", code(false))
		git("commit", "-q", "-am", "fix")
	}
}

// notifyDaemon runs `actionsd serve` on repo with env added, and returns its base URL and
// process; it is stopped with the test.
func notifyDaemon(t *testing.T, repo string, env ...string) (string, *exec.Cmd, func() string) {
	t.Helper()
	home := t.TempDir()
	secrets := filepath.Join(home, "secrets.yaml")
	if err := os.WriteFile(secrets, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(deployBinary(t), "serve", "--repo", repo, "--data-dir", filepath.Join(home, "data"), "--addr", addr,
		"--secrets-file", secrets, "--poll-interval", "0", "--watch=false", "--log-format", "json")
	cmd.Env = append(append(os.Environ(), "HOME="+home, "VAULT_ADDR=", "VAULT_TOKEN=", "ACTIONSD_TOKEN=",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID="), env...)
	logs := &strings.Builder{}
	var mu sync.Mutex
	cmd.Stdout, cmd.Stderr = lockedWriter{&mu, logs}, lockedWriter{&mu, logs}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			mu.Lock()
			t.Logf("daemon log:\n%s", logs.String())
			mu.Unlock()
		}
	})
	return "http://" + addr, cmd, func() string {
		mu.Lock()
		defer mu.Unlock()
		return logs.String()
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func readyz(url string) int {
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitFor returns the first message starting with prefix, failing the test after timeout; it
// returns the messages it read before.
func waitFor(t *testing.T, ch <-chan notifyMsg, prefix string, timeout time.Duration) (notifyMsg, []notifyMsg) {
	t.Helper()
	var seen []notifyMsg
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				t.Fatalf("notify socket closed before %s", prefix)
			}
			if strings.HasPrefix(m.state, prefix) {
				return m, seen
			}
			seen = append(seen, m)
		case <-deadline:
			t.Fatalf("no %s within %s; got %v", prefix, timeout, seen)
		}
	}
}

// TestNotifyReadyAfterFirstGeneration runs the real binary with NOTIFY_SOCKET (a socket path)
// and WATCHDOG_USEC on a repository whose first commit fails to build: the first reconcile ends
// but no generation serves, so no READY=1 comes while WATCHDOG=1 pings do, every half interval;
// once a fixed commit is swapped in (SIGHUP asks for the sync), READY=1 arrives and /readyz
// already answers 200; SIGTERM sends STOPPING=1.
func TestNotifyReadyAfterFirstGeneration(t *testing.T) {
	sockDir, err := os.MkdirTemp("", "sdn") // short: a socket path has at most 107 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	sock := filepath.Join(sockDir, "notify")
	ch := notifySocket(t, sock)
	repo, fix := notifyRepo(t, true)
	const watchdog = 400 * time.Millisecond
	url, cmd, logs := notifyDaemon(t, repo, "NOTIFY_SOCKET="+sock, "WATCHDOG_USEC="+strconv.FormatInt(watchdog.Microseconds(), 10))

	// The first reconcile fails: wait until the daemon has logged it, then for a few pings.
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(logs(), "reconcile failed") {
		if time.Now().After(deadline) {
			t.Fatal("no failed reconcile logged within 60 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var pings []time.Time
	collect := time.After(2 * time.Second)
collecting:
	for {
		select {
		case m := <-ch:
			switch {
			case m.state == "WATCHDOG=1":
				pings = append(pings, m.at)
			case strings.HasPrefix(m.state, "READY=1"):
				t.Fatalf("READY=1 while no generation serves (readyz %d)", readyz(url))
			default:
				t.Errorf("unexpected notify message %q", m.state)
			}
		case <-collect:
			break collecting
		}
	}
	if code := readyz(url); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz %d with a broken first commit, want 503 (did the commit build?)", code)
	}
	// Half of 400 ms: about 10 pings in 2 s; at least 4 leaves room for a slow machine, and
	// no two pings closer than a quarter of the interval.
	if len(pings) < 4 {
		t.Errorf("%d WATCHDOG=1 in 2 s with WATCHDOG_USEC of %s, want a ping every %s", len(pings), watchdog, watchdog/2)
	}
	for i := 1; i < len(pings); i++ {
		if d := pings[i].Sub(pings[i-1]); d < watchdog/4 {
			t.Errorf("pings %s apart, want about %s", d, watchdog/2)
		}
	}

	fix()
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	m, _ := waitFor(t, ch, "READY=1", 60*time.Second)
	if code := readyz(url); code != http.StatusOK {
		t.Errorf("READY=1 sent but readyz answers %d", code)
	}
	if !strings.Contains(m.state, "\nSTATUS=serving generation ") {
		t.Errorf("READY message %q has no STATUS line", m.state)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, "STOPPING=1", 30*time.Second)
}

// TestNotifyAbstractSocket: an abstract socket name (@…) works, READY=1 comes once the first
// commit serves, and without WATCHDOG_USEC no WATCHDOG=1 is sent.
func TestNotifyAbstractSocket(t *testing.T) {
	name := fmt.Sprintf("@actionsd-deploy-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	ch := notifySocket(t, name)
	repo, _ := notifyRepo(t, false)
	url, cmd, _ := notifyDaemon(t, repo, "NOTIFY_SOCKET="+name)
	_, before := waitFor(t, ch, "READY=1", 60*time.Second)
	if code := readyz(url); code != http.StatusOK {
		t.Errorf("READY=1 sent but readyz answers %d", code)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_, between := waitFor(t, ch, "STOPPING=1", 30*time.Second)
	for _, m := range append(before, between...) {
		t.Errorf("unexpected notify message %q (no watchdog was asked for)", m.state)
	}
}
