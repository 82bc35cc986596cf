package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/internal/api"
	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/sync"
	"github.com/actionsd/actionsd/sync/rollout"
)

// daemonFlags are the flags of the commands that call a running daemon.
type daemonFlags struct {
	addr, token string
	asJSON      bool
	timeout     time.Duration
}

func (f *daemonFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "http://"+config.DefaultAddr, "the daemon's base URL (or host:port)")
	fl.StringVar(&f.token, "token", "", "API bearer token (or ACTIONSD_TOKEN)")
	fl.BoolVar(&f.asJSON, "json", false, "print the daemon's answer as JSON")
	fl.DurationVar(&f.timeout, "timeout", 2*time.Minute, "how long to wait for the daemon's answer")
}

// call sends method path to the daemon, decoding its answer into into; it prints the raw answer
// with --json and returns true then.
func (f *daemonFlags) call(cmd *cobra.Command, what, method, path string, into any) (bool, error) {
	if f.token == "" {
		f.token = os.Getenv("ACTIONSD_TOKEN")
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
	defer cancel()
	raw, err := api.Call(ctx, method, f.addr, path, f.token, into)
	if err != nil {
		var se *api.StatusError
		if errors.As(err, &se) {
			if se.Code == http.StatusUnauthorized {
				return false, fmt.Errorf("%s: the daemon at %s refuses the token (%s): set ACTIONSD_TOKEN or pass --token", what, f.addr, se.Status)
			}
			return false, fmt.Errorf("%s: %s: %s", what, se.Status, apiMessage(se.Body))
		}
		return false, fmt.Errorf("%s: %s: %w", what, f.addr, err)
	}
	if f.asJSON {
		_, err := cmd.OutOrStdout().Write(append(raw, '\n'))
		return true, err
	}
	return false, nil
}

// apiMessage is the message of an API error body, or the body.
func apiMessage(body string) string {
	if i := strings.Index(body, `"message":"`); i >= 0 {
		rest := body[i+len(`"message":"`):]
		if j := strings.Index(rest, `"`); j >= 0 {
			return strings.ReplaceAll(rest[:j], `\"`, `"`)
		}
	}
	return body
}

func newRolloutCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollout",
		Short: "Show, promote or abort the gradual rollout of an action on a running daemon",
		Long: `A commit that changes an action whose action.yaml has rollout: serves the new revision to a
share of executions at a time, and the previous one to the rest. These commands act on one daemon
(--addr): with replicas, see "gradual rollout with replicas" in docs/configuration.md.`,
	}
	var f daemonFlags
	status := &cobra.Command{
		Use:   "status [ACTION]",
		Short: "Show the rollouts (GET /v1/rollouts), or one (GET /v1/rollouts/ACTION)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var list []rollout.State
			if len(args) == 1 {
				var st rollout.State
				done, err := f.call(cmd, "rollout status", http.MethodGet, "/v1/rollouts/"+url.PathEscape(args[0]), &st)
				if done || err != nil {
					return err
				}
				list = []rollout.State{st}
			} else {
				var all struct {
					Rollouts []rollout.State `json:"rollouts"`
				}
				done, err := f.call(cmd, "rollout status", http.MethodGet, "/v1/rollouts", &all)
				if done || err != nil {
					return err
				}
				list = all.Rollouts
			}
			return printRollouts(cmd.OutOrStdout(), list)
		},
	}
	f.add(status)
	cmd.AddCommand(status)
	for _, verb := range []struct{ name, short string }{
		{"promote", "Move an action's rollout to its next step now (POST /v1/rollouts/ACTION/promote)"},
		{"abort", "Abort an action's rollout now: every execution goes to the stable revision until a new commit changes the action"},
	} {
		var vf daemonFlags
		c := &cobra.Command{
			Use:   verb.name + " ACTION",
			Short: verb.short,
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				var st rollout.State
				done, err := vf.call(cmd, "rollout "+verb.name, http.MethodPost, "/v1/rollouts/"+url.PathEscape(args[0])+"/"+verb.name, &st)
				if done || err != nil {
					return err
				}
				return printRollouts(cmd.OutOrStdout(), []rollout.State{st})
			},
		}
		vf.add(c)
		cmd.AddCommand(c)
	}
	return cmd
}

func newRollbackCmd() *cobra.Command {
	var (
		f  daemonFlags
		to string
	)
	cmd := &cobra.Command{
		Use:   "rollback",
		Short: "Serve an earlier applied commit at once, without a git change, until the next commit",
		Long: `rollback calls POST /v1/rollback of a running daemon: it serves --to (a commit, or a prefix of
one it applied), by default the commit applied before the one serving, at once. The daemon's status
then says "drifted from git: rolled back to <commit>" until a new commit on the deploy branch ends
the rollback. The rollback is kept in the daemon's data directory: it survives a restart.`,
		Example: `  actionsd rollback --addr http://127.0.0.1:8080
  actionsd rollback --to 3f2c9a1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := "/v1/rollback"
			if to != "" {
				path += "?to=" + url.QueryEscape(to)
			}
			var st sync.Status
			done, err := f.call(cmd, "rollback", http.MethodPost, path, &st)
			if done || err != nil {
				return err
			}
			return printStatus(cmd.OutOrStdout(), st)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&to, "to", "", "the commit to serve (default: the one applied before the commit serving)")
	return cmd
}

// printRollouts writes a table of rollouts with each revision's numbers, and the reason of each
// that ended or moved by hand.
func printRollouts(w io.Writer, list []rollout.State) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "ACTION\tPHASE\tCANARY%%\tSTEP\tSTABLE\tCANARY\tSTABLE RUNS/ERR%%/P99\tCANARY RUNS/ERR%%/P99\n")
	if len(list) == 0 {
		fmt.Fprintf(tw, "(no rollouts)\n")
	}
	nums := func(s *rollout.RevisionStats) string {
		if s == nil {
			return "-"
		}
		return fmt.Sprintf("%d/%.2f%%/%.2fms", s.Executions, 100*s.ErrorRate, s.P99MS)
	}
	for _, st := range list {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d/%d %v\t%s\t%s\t%s\t%s\n", st.Action, st.Phase, st.Percent, st.Step+1, len(st.Steps), st.Steps,
			shortHash(st.StableVersion), shortHash(st.CanaryVersion), nums(st.Stable), nums(st.Canary))
	}
	for _, st := range list {
		if st.Reason != "" {
			fmt.Fprintf(tw, "%s: %s\n", st.Action, st.Reason)
		}
	}
	return tw.Flush()
}
