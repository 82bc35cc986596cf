package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/examples"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// devPoll is how often dev polls its local demo repository, so an edit there is live quickly.
const devPoll = 2 * time.Second

func newDevCmd() *cobra.Command {
	var addr, dataDir, token string
	var hf httpFlags
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run a self-contained demo: the quickstart repository, in-memory secrets and a log sink",
		Long: `dev creates a git repository from the quickstart example (the logger module, published as
v1, and the log-login action bound to post-login), starts a log sink that prints what it receives,
keeps the secrets in memory (dev mode only: not for production) and serves the API.`,
		Example: `  actionsd dev
  curl -s -X POST localhost:8080/v1/triggers/post-login/execute -d @examples/events/post-login.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			limits := config.Default().HTTP
			hf.apply(cmd.Flags(), &limits)
			if err := limits.Check(); err != nil {
				return err
			}
			return runDev(cmd.Context(), cmd.OutOrStdout(), addr, dataDir, token, limits)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", config.DefaultAddr, "HTTP listen address")
	cmd.Flags().StringVar(&dataDir, "data-dir", "", "keep the demo repository and state here (default: a temporary folder, removed at exit)")
	cmd.Flags().StringVar(&token, "token", "", "require this bearer token on the API (default: none in dev)")
	hf.register(cmd.Flags())
	return cmd
}

func runDev(ctx context.Context, out io.Writer, addr, dataDir, token string, limits config.HTTP) error {
	if err := (&config.Config{Addr: addr, Token: token}).CheckAuth(); err != nil {
		return fmt.Errorf("dev: --addr %s is reachable from other hosts: pass --token, or listen on 127.0.0.1", addr)
	}
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "actionsd-dev-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	}
	log, err := newLogger(config.Log{Level: "info", Format: "console"})
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()

	repoDir := filepath.Join(dataDir, "repo")
	created, err := ensureDemoRepo(repoDir)
	if err != nil {
		return fmt.Errorf("demo repository: %w", err)
	}

	apiKey := randomHex(16)
	sink, err := startSink(out, apiKey)
	if err != nil {
		return err
	}
	defer sink.Close()

	secrets := vaultsecrets.NewStatic(map[vaultsecrets.Owner]vaultsecrets.Values{
		{Kind: vaultsecrets.KindModule, Name: "logger"}: {"SERVICE_URL": sink.URL + "/logs", "API_KEY": apiKey},
	}, log)

	cfg := config.Default()
	cfg.Repo = repoDir
	cfg.DataDir = filepath.Join(dataDir, "state")
	cfg.Addr = addr
	cfg.Token = token
	cfg.HTTP = limits
	cfg.PollInterval = config.Duration(devPoll)
	cfg.Egress.Allow = []string{"127.0.0.0/8", "::1/128", "localhost"}
	d, err := newDaemon(cfg, secrets, log)
	if err != nil {
		return err
	}

	go func() {
		st, err := d.rec.Sync(ctx)
		if err != nil {
			return
		}
		eventPath := filepath.Join("examples", "events", "post-login.json")
		if _, err := os.Stat(eventPath); err != nil {
			eventPath = filepath.Join(dataDir, "post-login.json")
			data, _ := fs.ReadFile(examples.FS, "events/post-login.json")
			_ = os.WriteFile(eventPath, data, 0o644)
		}
		auth := ""
		if token != "" {
			auth = ` -H "Authorization: Bearer $ACTIONSD_TOKEN"`
		}
		what := "reusing"
		if created {
			what = "created"
		}
		fmt.Fprintf(out, "\nactionsd dev: %s the demo repository %s (modules/logger/v1 published)\n", what, repoDir)
		fmt.Fprintf(out, "  secrets: in memory, dev mode only (not for production); log sink: %s\n", sink.URL)
		if len(st.Errors) > 0 {
			fmt.Fprintf(out, "  the repository does not build: %s (see GET %s/v1/status)\n", st.Errors[0].Error(), d.URL())
		}
		fmt.Fprintf(out, "  edit and commit in the repository: it is polled every %s\n\ntry:\n  curl -s -X POST %s/v1/triggers/post-login/execute%s -d @%s\n\n",
			devPoll, d.URL(), auth, eventPath)
	}()
	return d.run(ctx)
}

// ensureDemoRepo creates the quickstart repository at dir unless one is there: one commit on main and
// the tag modules/logger/v1.
func ensureDemoRepo(dir string) (created bool, err error) {
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

// sink is the demo's log service: it prints one line per request and never the API key itself.
type sink struct {
	URL    string
	server *http.Server
}

func startSink(out io.Writer, apiKey string) (*sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("log sink: %w", err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		key := "missing"
		switch got := r.Header.Get("X-API-Key"); {
		case got == apiKey:
			key = "matched"
		case got != "":
			key = "mismatched"
		}
		fmt.Fprintf(out, "sink: %s %s body=%s x-api-key=%s\n", r.Method, r.URL.Path, body, key)
		w.WriteHeader(http.StatusNoContent)
	})
	s := &sink{URL: "http://" + ln.Addr().String(), server: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}
	go func() { _ = s.server.Serve(ln) }()
	return s, nil
}

func (s *sink) Close() { _ = s.server.Close() }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
