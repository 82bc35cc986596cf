package security

// Issue 14, replicas that converge: the peer routes are closed to anyone without the peer secret
// (else the API token), the peer secret opens nothing else, a peer signal carries no content the
// daemon would act on, and the bearer sent to peers never follows a redirect elsewhere. Every
// test runs the real binary.

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// peerRepo is a repository with one action, committed.
func peerRepo(t *testing.T) (*gitRepo, string) {
	r := newGitRepo(t)
	r.write("triggers.yaml", "post-login: [a]\n")
	r.write("actions/a/action.yaml", "trigger: post-login\n")
	r.write("actions/a/index.js", "exports.onExecutePostLogin = async () => {};\n")
	return r, r.commit("first")
}

// send sends method path with bearer (none when empty) and body, and returns the status.
func send(t *testing.T, d *daemon, method, path, bearer, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, d.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestPeerRoutesNeedTheSecret(t *testing.T) {
	repo, _ := peerRepo(t)
	// Without a peer secret, the API token opens the peer routes.
	d := startDaemon(t, repo.dir)
	for _, c := range []struct {
		method, path, bearer string
		want                 int
	}{
		{"POST", "/v1/peer/sync", "", 401},
		{"POST", "/v1/peer/sync", "not-the-token", 401},
		{"GET", "/v1/peer/status", "", 401},
		{"POST", "/v1/peer/sync", d.token, 202},
		{"GET", "/v1/peer/status", d.token, 200},
	} {
		if got := send(t, d, c.method, c.path, c.bearer, ""); got != c.want {
			t.Errorf("no peer secret: %s %s with %q: %d, want %d", c.method, c.path, c.bearer, got, c.want)
		}
	}

	// With one, the token does not open them, and the peer secret opens nothing but them.
	const peerSecret = "security-peer-secret"
	d = startDaemon(t, repo.dir, "--peer-secret", peerSecret)
	for _, c := range []struct {
		method, path, bearer string
		want                 int
	}{
		{"POST", "/v1/peer/sync", d.token, 401},
		{"GET", "/v1/peer/status", d.token, 401},
		{"POST", "/v1/peer/sync", peerSecret, 202},
		{"GET", "/v1/status", peerSecret, 401},
		{"GET", "/v1/status?peers=1", peerSecret, 401},
		{"POST", "/v1/sync", peerSecret, 401},
		{"POST", "/v1/triggers/post-login/execute", peerSecret, 401},
	} {
		if got := send(t, d, c.method, c.path, c.bearer, ""); got != c.want {
			t.Errorf("peer secret set: %s %s with %q: %d, want %d", c.method, c.path, c.bearer, got, c.want)
		}
	}
	if strings.Contains(d.logs.String(), peerSecret) {
		t.Error("the peer secret is in the log")
	}
}

// A signal that comes with a body naming another commit or repository is only a signal: the
// daemon fetches its own repository and serves its own HEAD.
func TestPeerSignalCarriesNoContent(t *testing.T) {
	repo, head := peerRepo(t)
	d := startDaemon(t, repo.dir, "--watch=false")
	other, otherHead := peerRepo(t)
	body := `{"repo":"` + other.dir + `","commit":"` + otherHead + `","ref":"refs/heads/main"}`
	if got := send(t, d, "POST", "/v1/peer/sync", d.token, body); got != http.StatusAccepted {
		t.Fatalf("POST /v1/peer/sync: %d", got)
	}
	time.Sleep(500 * time.Millisecond)
	st := d.status()
	applied, _ := st["applied"].(map[string]any)
	if applied["commit"] != head {
		t.Errorf("after a peer signal naming %s: applied %v, want the daemon's own HEAD %s", otherHead, applied, head)
	}
}

// A peer that answers with a redirect is a wrong peer: the daemon does not follow it, so its
// bearer token goes to the listed peer only.
func TestPeerRedirectNotFollowed(t *testing.T) {
	var leaked atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
	}))
	defer elsewhere.Close()
	var asked atomic.Int32
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirecting.Close()
	repo, _ := peerRepo(t)
	d := startDaemon(t, repo.dir, "--peer", redirecting.URL)
	if got := send(t, d, "POST", "/v1/sync", d.token, ""); got != http.StatusOK {
		t.Fatalf("POST /v1/sync: %d", got)
	}
	if got := send(t, d, "GET", "/v1/status?peers=1", d.token, ""); got != http.StatusOK {
		t.Fatalf("GET /v1/status?peers=1: %d", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for asked.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if asked.Load() < 2 {
		t.Fatalf("the peer was asked %d times, want the signal and the status read", asked.Load())
	}
	time.Sleep(200 * time.Millisecond)
	if n := leaked.Load(); n != 0 {
		t.Errorf("the redirect target got the bearer token %d times", n)
	}
	if !strings.Contains(d.logs.String(), "answered 307") {
		t.Errorf("no warning about the redirecting peer:\n%s", d.logs.String())
	}
}
