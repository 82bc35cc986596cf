package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/demo"
	"github.com/actionsd/actionsd/localrun"
	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/replay"
	"github.com/actionsd/actionsd/review"
	"github.com/actionsd/actionsd/runner"
)

// errReplayDiffers makes replay exit 1: the replay did not do what the record says.
var errReplayDiffers = errors.New("replay: the commands, outcome or error differ from the record")

func newReplayCmd() *cobra.Command {
	var (
		repo        repoFlags
		addr, token string
		workingTree bool
		commit      string
		secrets     string
		timeout     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "replay ID [--working-tree | --commit REF]",
		Short: "Run a recorded execution again locally, offline, and compare it with the record",
		Long: `replay reads the record of execution ID from a running daemon (GET /v1/executions/{id}),
builds the actions of its trigger from the working tree (the default, uncommitted edits included)
or from --commit REF with the real runner, and runs the recorded event on them. The code's HTTP
requests (fetch, node:http, node:https) get the responses recorded with the execution instead of
reaching the network; a request that was not recorded fails with "replay: GET https://… was not
recorded", and node:net and node:tls sockets are refused (they are not recorded).

It prints the replayed commands next to the recorded ones, as a diff, and the outcome and error of
both.

Secret values come from --secrets-file (as for invoke and test; by default secrets.local.yaml at
the root of the repository when there is one). Without one, each declared secret gets a
placeholder value, which is redacted as the daemon redacts the real ones, so that requests carrying
a secret in their URL still match their records.

The record's event is the one the daemon kept: fields its PII policy hashes (user.email, …) are
hashed in it.

Exit status: 0 when the replay does what the record says (same outcome, same commands, same error
message: a reproduced failure included), 1 when it differs, 2 on usage errors and when the record
cannot be read.`,
		Example: `  ACTIONSD_TOKEN=… actionsd replay 6f1c…e2 --addr http://127.0.0.1:8080
  actionsd replay 6f1c…e2 --commit HEAD~1`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if workingTree && commit != "" {
				return usageError(cmd, "--working-tree and --commit exclude each other")
			}
			if token == "" {
				token = os.Getenv("ACTIONSD_TOKEN")
			}
			rev := review.WorkingTree
			if commit != "" {
				rev = commit
			}
			return runReplay(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), repo, replayOptions{
				id: args[0], addr: addr, token: token, rev: rev, secretsFile: secrets, timeout: timeout})
		},
	}
	repo.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&addr, "addr", "http://"+config.DefaultAddr, "the daemon's base URL (or host:port)")
	fl.StringVar(&token, "token", "", "API bearer token (or ACTIONSD_TOKEN)")
	fl.BoolVar(&workingTree, "working-tree", false, "run the working tree, uncommitted edits included (the default)")
	fl.StringVar(&commit, "commit", "", "run this commit (or any git revision) instead of the working tree")
	fl.StringVar(&secrets, "secrets-file", "", "read secret values from this YAML file (local trials only; default secrets.local.yaml when the repository has one)")
	fl.DurationVar(&timeout, "timeout", 10*time.Second, "how long to wait for the daemon's answer")
	_ = cmd.MarkFlagFilename("secrets-file", "yaml", "yml")
	return usage(cmd)
}

type replayOptions struct {
	id, addr, token, rev, secretsFile string
	timeout                           time.Duration
}

func runReplay(ctx context.Context, out, errw io.Writer, flags repoFlags, o replayOptions) error {
	fctx, cancel := context.WithTimeout(ctx, o.timeout)
	rec, err := (&replay.Client{Addr: o.addr, Token: o.token}).Get(fctx, o.id)
	cancel()
	if err != nil {
		var se *replay.StatusError
		if errors.As(err, &se) && (strings.HasPrefix(se.Status, "401") || strings.HasPrefix(se.Status, "403")) {
			what := "requires its API token (%s): set ACTIONSD_TOKEN or pass --token"
			if o.token != "" {
				what = "refuses the token given (%s): check ACTIONSD_TOKEN or --token"
			}
			err = fmt.Errorf("the daemon at %s "+what, o.addr, se.Status)
		}
		return &exitError{Code: exitUsage, Err: fmt.Errorf("replay: read execution %s from %s: %w", o.id, o.addr, err)}
	}
	if o.secretsFile == "" {
		if p := filepath.Join(flags.dir, defaultSecretsFile); fileIsThere(p) {
			o.secretsFile = p
		}
	}
	r, err := flags.open()
	if err != nil {
		return &exitError{Code: exitUsage, Err: err}
	}
	st, err := r.Read(o.rev)
	if err != nil {
		return &exitError{Code: exitUsage, Err: fmt.Errorf("replay: read %s: %w", o.rev, err)}
	}
	w := &localrun.Workspace{State: st, Dependencies: npmvendor.NewWorkTreeInstaller(flags.dir), Placeholders: true}
	if o.secretsFile != "" {
		fmt.Fprintln(errw, localSecretsWarning)
		src, sink, err := demo.LocalSecrets(o.secretsFile, errw, zap.NewNop())
		if err != nil {
			return &exitError{Code: exitUsage, Err: err}
		}
		if sink != nil {
			sink.Close() // nothing is sent anywhere in a replay
		}
		w.Secrets = src
	}
	action := ""
	if rec.Source == "test" && len(rec.Actions) > 0 {
		action = rec.Actions[0].Name
	}
	spec, _, err := w.InvokeSpec(ctx, action, rec.Trigger)
	if err != nil {
		return fmt.Errorf("replay: %s: %w", o.rev, err)
	}
	for _, m := range w.Missing {
		fmt.Fprintf(errw, "actionsd: warning: secret %s has no value in %s\n", m, o.secretsFile)
	}
	gen, err := runner.Build(ctx, spec, replay.Options())
	if err != nil {
		return fmt.Errorf("replay: %s does not build: %w", o.rev, err)
	}
	defer gen.Close()
	res, err := replay.Run(ctx, gen, rec)
	if err != nil {
		return &exitError{Code: exitUsage, Err: fmt.Errorf("replay: %w", err)}
	}
	where := "the working tree"
	if o.rev != review.WorkingTree {
		where = o.rev
		if st.Commit != "" {
			where = fmt.Sprintf("%s (%.12s)", o.rev, st.Commit)
		}
	}
	fmt.Fprintf(out, "execution %s: %s, recorded %s at commit %.12s (generation %d), %d recorded responses\n",
		rec.ID, rec.Trigger, rec.Time.UTC().Format(time.RFC3339), rec.Commit, rec.Generation, len(rec.Outbound))
	fmt.Fprintf(out, "replayed on %s\n", where)
	c := replay.Compare(rec, res)
	c.Render(out)
	if !c.Same() {
		return errReplayDiffers
	}
	return nil
}
