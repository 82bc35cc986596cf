// Package demo holds the parts of `actionsd dev` that are not the daemon: the quickstart
// repository it serves and the log sink the quickstart's logger module posts to.
package demo

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/examples"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// EnsureRepo creates the quickstart repository at dir unless one is there: one commit on main and
// the tag modules/logger/v1.
func EnsureRepo(dir string) (created bool, err error) {
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		return false, nil
	}
	src, err := fs.Sub(examples.FS, "quickstart")
	if err != nil {
		return false, err
	}
	if err := os.CopyFS(dir, src); err != nil {
		return false, err
	}
	if _, err := gitstore.InitLocal(dir, "main", "actionsd dev", "dev@actionsd.invalid",
		"quickstart: the logger module and the log-login action", gitstore.VersionTag("logger", 1)); err != nil {
		return false, err
	}
	return true, nil
}

// Sink is the demo's log service: it prints one line per request and never the API key itself.
type Sink struct {
	// URL is the sink's base URL; the logger module posts to URL + "/logs".
	URL    string
	server *http.Server
}

// StartSink starts the log sink on a loopback port; it prints to out, and says of each request
// whether its X-API-Key matched apiKey ("" : only whether it has one).
func StartSink(out io.Writer, apiKey string) (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("log sink: %w", err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		key := "missing"
		switch got := r.Header.Get("X-API-Key"); {
		case got != "" && apiKey == "":
			key = "present" // a local trial's sink: the key is the user's, not one it knows
		case got == apiKey:
			key = "matched"
		case got != "":
			key = "mismatched"
		}
		fmt.Fprintf(out, "sink: %s %s body=%s x-api-key=%s\n", r.Method, r.URL.Path, body, key)
		w.WriteHeader(http.StatusNoContent)
	})
	s := &Sink{URL: "http://" + ln.Addr().String(), server: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}
	go func() { _ = s.server.Serve(ln) }()
	return s, nil
}

// Addr is the sink's host:port, for an egress allow list.
func (s *Sink) Addr() string { return strings.TrimPrefix(s.URL, "http://") }

// SinkVariable is the placeholder for the log sink's URL in a local secrets file, as in
// SERVICE_URL: "${ACTIONSD_SINK}/logs": invoke, test and serve start the sink when a value uses it,
// so that the repository init writes runs at once, with nothing to set up.
const SinkVariable = "ACTIONSD_SINK"

// LocalSecrets reads a local trial's secrets file. When a value uses ${ACTIONSD_SINK}, it starts a
// log sink that prints to out, puts the sink's URL in its place and returns the sink, which the
// caller closes and lets egress reach; otherwise the sink is nil.
func LocalSecrets(path string, out io.Writer, log *zap.Logger) (*vaultsecrets.File, *Sink, error) {
	f, err := vaultsecrets.NewFile(path, log)
	if err != nil || !f.References(SinkVariable) {
		return f, nil, err
	}
	sink, err := StartSink(out, "")
	if err != nil {
		return nil, nil, err
	}
	f.Substitute(SinkVariable, sink.URL)
	return f, sink, nil
}

// Close stops the sink.
func (s *Sink) Close() { _ = s.server.Close() }

// NewAPIKey returns a random API key for the logger module and the sink: 16 bytes, in hex.
func NewAPIKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Secrets are the demo's secrets, in memory: the logger module's SERVICE_URL (the sink's /logs)
// and API_KEY.
func Secrets(sink *Sink, apiKey string, log *zap.Logger) vaultsecrets.Source {
	return vaultsecrets.NewStatic(map[vaultsecrets.Owner]vaultsecrets.Values{
		{Kind: vaultsecrets.KindModule, Name: "logger"}: {"SERVICE_URL": sink.URL + "/logs", "API_KEY": apiKey},
	}, log)
}

// EventFile is the path of a post-login event for the command dev prints: the repository's
// examples/events/post-login.json when dev runs in a checkout, else a copy written in dataDir.
func EventFile(dataDir string) string {
	path := filepath.Join("examples", "events", "post-login.json")
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join(dataDir, "post-login.json")
		data, _ := fs.ReadFile(examples.FS, "events/post-login.json")
		_ = os.WriteFile(path, data, 0o644)
	}
	return path
}
