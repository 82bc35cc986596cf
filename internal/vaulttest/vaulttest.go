// Package vaulttest starts real Vault servers for tests: each Start runs the testing/vaultserver
// program (an in-process Vault core with KV v2 at secret/) as a child process and stops it when the
// test ends. It provides a root client and helpers to write, delete, seal and unseal; it does not
// build the program (scripts/vault-test-server.sh does) and is imported by tests only.
package vaulttest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// EnvServer names the environment variable holding the path of the built testing/vaultserver binary.
const EnvServer = "ACTIONSD_VAULT_TEST_SERVER"

// Mount is where the server mounts KV v2.
const Mount = "secret"

const (
	startTimeout = 2 * time.Minute // a loaded 2-core machine can take a while to start a core
	stopTimeout  = 10 * time.Second
)

// Server is one running Vault, stopped when the test that started it ends.
type Server struct {
	Addr       string   `json:"addr"`        // e.g. "http://127.0.0.1:41234"
	RootToken  string   `json:"root_token"`  // a root token
	UnsealKeys []string `json:"unseal_keys"` // base64, as sys/unseal takes them

	root *api.Client // for the helpers; closed when the test that started the server ends
}

// Start runs a new Vault server for t and waits until it serves. It skips t when EnvServer is unset,
// unless the environment variable CI is set, when it fails t instead so that CI never skips silently.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := os.Getenv(EnvServer)
	if bin == "" {
		msg := "no Vault test server: " + EnvServer + " is unset; `make test` builds and sets it"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	stderr := &syncBuffer{}
	line := &firstLine{done: make(chan struct{})}
	cmd := exec.Command(bin)
	cmd.Stdout = line
	cmd.Stderr = stderr
	// The server stops when its standard input closes, which also happens when this test process
	// dies without running its cleanups.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("vault test server %s: %v", bin, err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("vault test server %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	t.Cleanup(stop)

	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case <-line.done:
	case err := <-exited:
		exited <- err // let stop see it
		t.Fatalf("vault test server %s exited before serving: %v\n%s", bin, err, stderr)
	case <-timer.C:
		_ = cmd.Process.Kill()
		t.Fatalf("vault test server %s: no address after %s\n%s", bin, startTimeout, stderr)
	}

	var s Server
	if err := json.Unmarshal(line.bytes(), &s); err != nil {
		t.Fatalf("vault test server %s: read address line: %v", bin, err)
	}
	if s.Addr == "" || s.RootToken == "" {
		t.Fatalf("vault test server %s: address line lacks addr or root_token", bin)
	}
	s.root = s.Client(t)
	return &s
}

// Client returns a client of s authenticated with the root token. It ignores the VAULT_* environment
// variables that name a token or namespace, and does not retry, so a sealed server fails at once.
func (s *Server) Client(t testing.TB) *api.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{
		Transport: tr,
		// The Vault client follows Vault's redirects itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c, err := api.NewClient(&api.Config{Address: s.Addr, HttpClient: hc, Timeout: 30 * time.Second, MaxRetries: 0})
	if err != nil {
		t.Fatalf("vault client for %s: %v", s.Addr, err)
	}
	c.SetToken(s.RootToken)
	c.ClearNamespace()
	return c
}

// Put writes data as a new KV v2 version of path under the secret/ mount, e.g. "actionsd/modules/logger",
// and returns the version written.
func (s *Server) Put(t testing.TB, path string, data map[string]any) (version int) {
	t.Helper()
	sec, err := s.root.KVv2(Mount).Put(context.Background(), path, data)
	if err != nil {
		t.Fatalf("put %s/%s: %v", Mount, path, err)
	}
	return sec.VersionMetadata.Version
}

// Delete soft-deletes the latest version of path under the secret/ mount, as `vault kv delete` does:
// its metadata, and so its current_version, remain.
func (s *Server) Delete(t testing.TB, path string) {
	t.Helper()
	if err := s.root.KVv2(Mount).Delete(context.Background(), path); err != nil {
		t.Fatalf("delete %s/%s: %v", Mount, path, err)
	}
}

// DeleteMetadata removes path under the secret/ mount with every version and its metadata.
func (s *Server) DeleteMetadata(t testing.TB, path string) {
	t.Helper()
	if err := s.root.KVv2(Mount).DeleteMetadata(context.Background(), path); err != nil {
		t.Fatalf("delete metadata %s/%s: %v", Mount, path, err)
	}
}

// Seal seals the server: every request but sys/ status then fails with 503.
func (s *Server) Seal(t testing.TB) {
	t.Helper()
	if err := s.root.Sys().Seal(); err != nil {
		t.Fatalf("seal %s: %v", s.Addr, err)
	}
}

// Unseal unseals the server with its unseal keys.
func (s *Server) Unseal(t testing.TB) {
	t.Helper()
	sys := s.root.Sys()
	for _, k := range s.UnsealKeys {
		st, err := sys.Unseal(k)
		if err != nil {
			t.Fatalf("unseal %s: %v", s.Addr, err)
		}
		if !st.Sealed {
			return
		}
	}
	t.Fatalf("unseal %s: still sealed after %d keys", s.Addr, len(s.UnsealKeys))
}

// firstLine keeps what is written to it up to the first newline and closes done when it arrives;
// later writes are discarded.
type firstLine struct {
	mu   sync.Mutex // guards buf and seen
	buf  []byte
	seen bool
	done chan struct{}
}

func (l *firstLine) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen {
		return len(p), nil
	}
	if i := bytes.IndexByte(p, '\n'); i >= 0 {
		l.buf = append(l.buf, p[:i]...)
		l.seen = true
		close(l.done)
		return len(p), nil
	}
	l.buf = append(l.buf, p...)
	return len(p), nil
}

func (l *firstLine) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.buf)
}

// syncBuffer is a bytes.Buffer safe for the writer goroutine exec starts and a reader.
type syncBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns the last few kilobytes written, enough to explain a failure.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	const max = 8 << 10
	if len(s) > max {
		s = "…" + s[len(s)-max:]
	}
	return strings.TrimSpace(s)
}
