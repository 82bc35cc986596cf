package daemon

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/actionsd/actionsd/internal/clitest"
	"github.com/actionsd/actionsd/internal/peers"
	"github.com/actionsd/actionsd/sync"
)

// The replicas of these tests poll every 10 minutes and do not watch the repository: only the
// peer signal can explain a replica that serves a push within seconds.
const (
	peerToken     = "peer-test-token"
	peerHookKey   = "peer-test-webhook-secret"
	peerPoll      = "10m"
	peerConverged = 10 * time.Second // the generous bound: far below the poll interval
)

// replica is one `actionsd serve` process of a test.
type replica struct {
	t      testing.TB
	url    string
	port   int
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	mu     *gosync.Mutex // guards stderr
}

// freePort returns a loopback port that nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// lockedBuffer is a bytes.Buffer written by a process and read by the test.
type lockedBuffer struct {
	mu *gosync.Mutex
	b  *bytes.Buffer
}

func (l lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// startReplica runs `actionsd serve` on port over the bare repository remote, with args added,
// until the test ends (SIGTERM, then its exit is awaited).
func startReplica(t testing.TB, remote string, port int, args ...string) *replica {
	t.Helper()
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.yaml")
	if err := os.WriteFile(secrets, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := append([]string{"serve", "--repo", remote, "--data-dir", filepath.Join(dir, "data"),
		"--addr", "127.0.0.1:" + strconv.Itoa(port), "--token", peerToken, "--webhook-secret", peerHookKey,
		"--secrets-file", secrets, "--poll-interval", peerPoll, "--watch=false", "--instance", "replica-" + strconv.Itoa(port),
		"--log-level", "debug"}, args...)
	r := &replica{t: t, url: "http://127.0.0.1:" + strconv.Itoa(port), port: port, stderr: &bytes.Buffer{}, mu: &gosync.Mutex{}}
	r.cmd = exec.Command(actionsdBinary(t), full...)
	r.cmd.Dir = dir
	r.cmd.Env = clitest.Env(dir)
	r.cmd.Stdout = io.Discard
	r.cmd.Stderr = lockedBuffer{mu: r.mu, b: r.stderr}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.stop)
	return r
}

func (r *replica) stop() {
	if r.cmd.ProcessState != nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = r.cmd.Process.Kill()
		<-done
	}
}

func (r *replica) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stderr.String()
}

// client is the tests' HTTP client: kept-alive connections, so that polling costs no connects.
var peerClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}

func (r *replica) do(method, path, bearer string, header map[string]string, body []byte) (int, []byte) {
	r.t.Helper()
	req, err := http.NewRequest(method, r.url+path, bytes.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := peerClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// commit is the commit the replica serves ("" before it serves).
func (r *replica) commit() string {
	code, body := r.do("GET", "/readyz", "", nil, nil)
	if code != http.StatusOK {
		return ""
	}
	var ready struct{ Commit string }
	_ = json.Unmarshal(body, &ready)
	return ready.Commit
}

// hook sends a generic webhook for a push to main, and returns when it is answered.
func (r *replica) hook() {
	r.t.Helper()
	body := []byte(`{"ref":"refs/heads/main"}`)
	mac := hmac.New(sha256.New, []byte(peerHookKey))
	mac.Write(body)
	code, out := r.do("POST", "/hooks/generic", "", map[string]string{"X-Signature": "sha256=" + hex.EncodeToString(mac.Sum(nil))}, body)
	if code != http.StatusAccepted {
		r.t.Fatalf("webhook to %s: %d %s", r.url, code, out)
	}
}

// metric is the value of the sample "name{labels}" of the replica's /metrics, or -1.
func (r *replica) metric(sample string) float64 {
	r.t.Helper()
	code, body := r.do("GET", "/metrics", "", nil, nil)
	if code != http.StatusOK {
		r.t.Fatalf("GET /metrics: %d", code)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return -1
}

// peerRemote is a bare repository with a one-action commit pushed to it.
type peerRemote struct {
	*remoteRepo
	n int
}

func newPeerRemote(t testing.TB) *peerRemote {
	r := &peerRemote{remoteRepo: newRemoteRepo(t)}
	r.write("triggers.yaml", "post-login: [greet]\n")
	r.write("actions/greet/action.yaml", "trigger: post-login\n")
	r.next()
	return r
}

// next commits and pushes a new version of the action, and returns its commit.
func (r *peerRemote) next() string {
	r.n++
	r.write("actions/greet/index.js", fmt.Sprintf("exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('n', %d); };\n", r.n))
	c := r.commit(fmt.Sprintf("version %d", r.n))
	r.push()
	return c
}

// waitServing waits until every replica serves commit, polling each one's /readyz; it returns how
// long that took from since.
func waitServing(t testing.TB, rs []*replica, commit string, since time.Time) time.Duration {
	t.Helper()
	var wg gosync.WaitGroup
	last := make([]time.Time, len(rs))
	failed := make([]bool, len(rs))
	for i, r := range rs {
		wg.Go(func() {
			deadline := since.Add(peerConverged)
			for r.commit() != commit {
				if time.Now().After(deadline) {
					failed[i] = true
					return
				}
				time.Sleep(time.Millisecond)
			}
			last[i] = time.Now()
		})
	}
	wg.Wait()
	for i, f := range failed {
		if f {
			t.Fatalf("replica %s does not serve %s %s after the webhook (it serves %q)\nits log:\n%s", rs[i].url, commit, peerConverged, rs[i].commit(), rs[i].log())
		}
	}
	return slices.MaxFunc(last, func(a, b time.Time) int { return a.Compare(b) }).Sub(since)
}

// cluster starts n replicas over remote, each listing every replica (itself included, as a
// StatefulSet's configuration would) and extra as --peer, and waits until all serve head.
func cluster(t testing.TB, remote *peerRemote, n int, head string, extra ...string) []*replica {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ports[i] = freePort(t)
	}
	var peerArgs []string
	for _, p := range ports {
		peerArgs = append(peerArgs, "--peer", "http://127.0.0.1:"+strconv.Itoa(p))
	}
	for _, e := range extra {
		peerArgs = append(peerArgs, "--peer", e)
	}
	rs := make([]*replica, n)
	for i, p := range ports {
		rs[i] = startReplica(t, remote.bare, p, peerArgs...)
	}
	waitServing(t, rs, head, time.Now())
	return rs
}

// convergence pushes rounds commits, sends each one's webhook to one replica in turn, and
// returns how long each took from the webhook's answer until every replica served it.
func convergence(t testing.TB, remote *peerRemote, rs []*replica, rounds int) (times, hookTimes []time.Duration) {
	t.Helper()
	for i := range rounds {
		c := remote.next()
		start := time.Now()
		rs[i%len(rs)].hook()
		answered := time.Now()
		hookTimes = append(hookTimes, answered.Sub(start))
		times = append(times, waitServing(t, rs, c, answered))
	}
	return times, hookTimes
}

// percentile is the p-th percentile (0–100) of ds, nearest rank.
func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(i, 0)]
}

// Three `actionsd serve` processes on loopback watch one bare repository and list each other
// (each also lists itself, which it leaves out). A push and a webhook to one of them make all
// three serve the new commit at once, not at their next poll; the replicas that got the signal
// from a peer do not pass it on. Then with a peer that hangs and a wrong --peer URL in every
// list: the three still converge as fast, and the webhook's answer is not delayed.
func TestPeersConverge(t *testing.T) {
	if testing.Short() {
		t.Skip("starts six actionsd processes")
	}
	remote := newPeerRemote(t)
	head := remote.git("rev-parse", "HEAD")
	rs := cluster(t, remote, 3, head)

	// One webhook to replica 0: it signals the two others (not itself), and they signal no one.
	c := remote.next()
	rs[0].hook()
	waitServing(t, rs, c, time.Now())
	time.Sleep(200 * time.Millisecond) // a loop, were there one, would show by now
	for i, r := range rs {
		sent, received := r.metric(`actionsd_peer_signals_total{result="ok"}`), r.metric(`actionsd_peer_signals_received_total{result="accepted"}`)
		wantSent, wantReceived := 0.0, 1.0
		if i == 0 {
			wantSent, wantReceived = 2, 0
		}
		if sent != wantSent || received != wantReceived {
			t.Errorf("replica %d: signals sent %v (want %v), received %v (want %v)", i, sent, wantSent, received, wantReceived)
		}
		if got := r.metric("actionsd_peers"); got != 2 {
			t.Errorf("replica %d: actionsd_peers = %v, want 2 (itself left out)", i, got)
		}
	}

	const rounds = 20
	times, hooks := convergence(t, remote, rs, rounds)
	t.Logf("3 replicas, %d pushes: live everywhere after the webhook's answer p50 %s, p95 %s, max %s; webhook answered p50 %s",
		rounds, percentile(times, 50), percentile(times, 95), slices.Max(times), percentile(hooks, 50))
	for _, r := range rs {
		r.stop()
	}

	// A peer that accepts connections and never answers, and a wrong URL, in every list.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	down := "http://" + hang.Addr().String()
	head = remote.git("rev-parse", "HEAD")
	rs = cluster(t, remote, 3, head, down, "http//wrong")
	downTimes, downHooks := convergence(t, remote, rs, rounds)
	t.Logf("with a peer that hangs (timeout %s): p50 %s, p95 %s, max %s; webhook answered p50 %s",
		peers.DefaultTimeout, percentile(downTimes, 50), percentile(downTimes, 95), slices.Max(downTimes), percentile(downHooks, 50))
	if p50 := percentile(downTimes, 50); p50 >= peers.DefaultTimeout {
		t.Errorf("with a peer down, p50 %s: the hanging peer's timeout (%s) delays the others", p50, peers.DefaultTimeout)
	}
	if p50 := percentile(downHooks, 50); p50 >= peers.DefaultTimeout {
		t.Errorf("with a peer down, the webhook answers after %s (p50): it waits for the hanging peer", p50)
	}
	waitFor(t, "the hanging peer's timeouts", func() bool { return rs[0].metric(`actionsd_peer_signals_total{result="unreachable"}`) > 0 })
	for i, r := range rs {
		if got := r.metric("actionsd_peer_invalid_urls"); got != 1 {
			t.Errorf("replica %d: actionsd_peer_invalid_urls = %v, want 1", i, got)
		}
		log := r.log()
		if !strings.Contains(log, "peer left out: its URL is wrong") || !strings.Contains(log, "http//wrong") {
			t.Errorf("replica %d: no warning about the wrong --peer URL in its log:\n%s", i, log)
		}
	}
	if log := rs[0].log(); !strings.Contains(log, "peer signal failed") || !strings.Contains(log, down) {
		t.Errorf("replica 0: no warning about the hanging peer:\n%s", log)
	}
}

// BenchmarkPeerConvergence is TestPeersConverge's measurement on its own: b.N pushes, each
// signalled to one of three replicas; it reports the p50 and p95 time from the webhook's answer
// until all three serve the push. `go test -run '^$' -bench PeerConvergence -benchtime 20x ./internal/daemon/`.
func BenchmarkPeerConvergence(b *testing.B) {
	remote := newPeerRemote(b)
	rs := cluster(b, remote, 3, remote.git("rev-parse", "HEAD"))
	b.ResetTimer()
	times, _ := convergence(b, remote, rs, b.N)
	b.StopTimer()
	b.ReportMetric(float64(percentile(times, 50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(times, 95).Microseconds())/1000, "p95-ms")
	b.ReportMetric(0, "ns/op")
}

// The peer routes take the peer secret, not the API token, when one is set; a replica whose
// secret differs is refused, counts it and warns, and its peer does not sync on its signal.
func TestPeerSecret(t *testing.T) {
	remote := newPeerRemote(t)
	head := remote.git("rev-parse", "HEAD")
	pa, pb := freePort(t), freePort(t)
	a := startReplica(t, remote.bare, pa, "--peer", "http://127.0.0.1:"+strconv.Itoa(pb), "--peer-secret", "wrong-secret")
	b := startReplica(t, remote.bare, pb, "--peer-secret", "right-secret")
	waitServing(t, []*replica{a, b}, head, time.Now())

	for _, c := range []struct {
		bearer string
		want   int
	}{{"", 401}, {peerToken, 401}, {"wrong-secret", 401}, {"right-secret", 202}} {
		if code, body := b.do("POST", peers.SyncPath, c.bearer, nil, nil); code != c.want {
			t.Errorf("POST %s with bearer %q: %d %s, want %d", peers.SyncPath, c.bearer, code, body, c.want)
		}
	}
	if code, _ := b.do("GET", peers.StatusPath, peerToken, nil, nil); code != 401 {
		t.Errorf("GET %s with the API token: %d, want 401", peers.StatusPath, code)
	}
	if got := b.metric(`actionsd_peer_signals_received_total{result="refused"}`); got != 3 {
		t.Errorf("refusals counted: %v, want 3", got)
	}

	c := remote.next()
	a.hook()
	waitServing(t, []*replica{a}, c, time.Now())
	waitFor(t, "the refused signal", func() bool { return a.metric(`actionsd_peer_signals_total{result="refused"}`) == 1 })
	if got := b.commit(); got != head {
		t.Errorf("replica b serves %s after a signal with the wrong secret, want %s", got, head)
	}
	if log := a.log(); !strings.Contains(log, "the peer secret (or API token) differs") {
		t.Errorf("no warning about the refused signal in a's log:\n%s", log)
	}
	if strings.Contains(a.log()+b.log(), "right-secret") || strings.Contains(a.log()+b.log(), "wrong-secret") {
		t.Error("a peer secret is in a log")
	}
}

// GET /v1/status?peers=1 lists what each peer serves: a peer behind (here, one that watches
// another remote, which the push did not reach) shows drift with its own applied commit, and one
// that does not answer shows an error of its own.
func TestPeerStatusDrift(t *testing.T) {
	remote := newPeerRemote(t)
	head := remote.git("rev-parse", "HEAD")
	behind := t.TempDir() + "/behind.git"
	if out, err := exec.Command("git", "clone", "-q", "--bare", remote.bare, behind).CombinedOutput(); err != nil {
		t.Fatalf("git clone --bare: %v\n%s", err, out)
	}
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	pa, pb := freePort(t), freePort(t)
	a := startReplica(t, remote.bare, pa, "--peer", "http://127.0.0.1:"+strconv.Itoa(pb), "--peer", "http://"+hang.Addr().String(), "--peer-timeout", "300ms")
	b := startReplica(t, behind, pb)
	waitServing(t, []*replica{a, b}, head, time.Now())

	c := remote.next()
	a.hook()
	waitServing(t, []*replica{a}, c, time.Now())
	waitFor(t, "b's answer to the signal", func() bool { return a.metric(`actionsd_peer_signals_total{result="ok"}`) == 1 })

	start := time.Now()
	code, body := a.do("GET", "/v1/status?peers=1", peerToken, nil, nil)
	if code != http.StatusOK {
		t.Fatalf("GET /v1/status?peers=1: %d %s", code, body)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("GET /v1/status?peers=1 took %s with a peer timeout of 300ms", d)
	}
	var st struct {
		sync.Status
		Peers []peers.Status `json:"peers"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Applied == nil || st.Applied.Commit != c {
		t.Errorf("a's own applied commit: %+v, want %s", st.Applied, c)
	}
	byPeer := map[string]peers.Status{}
	for _, p := range st.Peers {
		byPeer[p.Peer] = p
	}
	pbs := byPeer[b.url]
	if pbs.Replica == nil || pbs.Applied == nil || pbs.Applied.Commit != head || pbs.Drift == nil || !*pbs.Drift ||
		pbs.Instance != "replica-"+strconv.Itoa(pb) {
		t.Errorf("peer b in a's status: %s\nwant its applied commit %s and drift", body, head)
	}
	if h := byPeer["http://"+hang.Addr().String()]; h.Replica != nil || !strings.Contains(h.Error, "no answer within 300ms") {
		t.Errorf("the hanging peer in a's status: %+v, want a timeout error", h)
	}
	if len(st.Peers) != 2 {
		t.Errorf("peers %s, want 2", body)
	}

	// actionsd status --peers shows the same: b behind, with drift; the hanging peer's error.
	res := run(t, t.TempDir(), "", "status", "--peers", "--addr", a.url, "--token", peerToken)
	res.want(t, 0, "status --peers")
	for _, want := range []string{
		regexp.QuoteMeta(b.url) + `\s+replica-` + strconv.Itoa(pb) + `\s+` + head[:12] + `\s+\d+\s+yes\n`,
		regexp.QuoteMeta("http://"+hang.Addr().String()) + `\s.*error: no answer within 300ms`,
	} {
		if !regexp.MustCompile(want).MatchString(res.stdout) {
			t.Errorf("actionsd status --peers: no line matching %s in\n%s", want, res.stdout)
		}
	}

	// Without ?peers=1, the status is as it was: no peers member.
	_, plain := a.do("GET", "/v1/status", peerToken, nil, nil)
	if bytes.Contains(plain, []byte(`"peers"`)) {
		t.Errorf("GET /v1/status without ?peers=1 lists peers: %s", plain)
	}
}

// --peers-dns lists the addresses of a name (here localhost, from the system's resolver) on
// --peers-port: a webhook to a reaches b. A replica that resolves the name on its own port finds
// only itself, and leaves it out.
func TestPeersDNS(t *testing.T) {
	remote := newPeerRemote(t)
	head := remote.git("rev-parse", "HEAD")
	pa, pb := freePort(t), freePort(t)
	a := startReplica(t, remote.bare, pa, "--peers-dns", "localhost", "--peers-port", strconv.Itoa(pb))
	b := startReplica(t, remote.bare, pb, "--peers-dns", "localhost")
	waitServing(t, []*replica{a, b}, head, time.Now())
	if got := a.metric("actionsd_peers"); got < 1 {
		t.Errorf("a: actionsd_peers = %v, want localhost's addresses on b's port", got)
	}
	if got := b.metric("actionsd_peers"); got != 0 {
		t.Errorf("b: actionsd_peers = %v, want 0: localhost on its own port is itself\n%s", got, b.log())
	}
	c := remote.next()
	start := time.Now()
	a.hook()
	t.Logf("live on both %s after the webhook", waitServing(t, []*replica{a, b}, c, start))
}

// serve --check-config reports a wrong --peer URL and --peers-dns name as errors; serve itself
// warns and serves (TestPeersConverge).
func TestCheckConfigPeers(t *testing.T) {
	dir := t.TempDir()
	secrets := writeFile(t, dir, "secrets.yaml", "{}\n")
	res := run(t, dir, "", "serve", "--check-config", "--repo", dir, "--data-dir", filepath.Join(dir, "data"), "--secrets-file", secrets,
		"--peer", "http://10.0.0.7:8080", "--peer", "10.0.0.8:8080", "--peer", "http://user:pw-in-url@host:1", "--peers-dns", "bad name")
	res.want(t, 1, "serve --check-config")
	for _, want := range []string{`peer "10.0.0.8:8080": want an http:// or https:// URL`, "credentials do not belong in the URL", `peers.dns "bad name"`, "3 problem(s)"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("serve --check-config: no %q in\n%s", want, res.stderr)
		}
	}
	if strings.Contains(res.stderr, "pw-in-url") {
		t.Errorf("serve --check-config shows the password of a URL:\n%s", res.stderr)
	}
	run(t, dir, "", "serve", "--check-config", "--repo", dir, "--data-dir", filepath.Join(dir, "data"), "--secrets-file", secrets,
		"--peer", "http://10.0.0.7:8080", "--peers-dns", "actionsd-peers.default.svc.cluster.local").want(t, 0, "serve --check-config")
}
