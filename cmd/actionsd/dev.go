package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/daemon"
	"github.com/actionsd/actionsd/internal/demo"
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
	log, err := daemon.NewLogger(config.Log{Level: "info", Format: "console", Color: colorOn(os.Stderr)})
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()

	repoDir := filepath.Join(dataDir, "repo")
	created, err := demo.EnsureRepo(repoDir)
	if err != nil {
		return fmt.Errorf("demo repository: %w", err)
	}

	apiKey := demo.NewAPIKey()
	sink, err := demo.StartSink(out, apiKey)
	if err != nil {
		return err
	}
	defer sink.Close()

	secrets := demo.Secrets(sink, apiKey, log)

	cfg := config.Default()
	cfg.Repo = repoDir
	cfg.DataDir = filepath.Join(dataDir, "state")
	cfg.Addr = addr
	cfg.Token = token
	cfg.HTTP = limits
	cfg.PollInterval = config.Duration(devPoll)
	cfg.Egress.Allow = []string{"127.0.0.0/8", "::1/128", "localhost"}
	d, err := daemon.New(cfg, daemon.Options{Secrets: daemon.Secrets{Source: secrets}, Logger: log, StartHeap: startHeap})
	if err != nil {
		return err
	}

	go func() {
		st, err := d.Reconciler().Sync(ctx)
		if err != nil {
			return
		}
		eventPath := demo.EventFile(dataDir)
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
	return d.Run(ctx)
}
