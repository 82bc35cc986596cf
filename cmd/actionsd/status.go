package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/internal/api"
	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/peers"
	"github.com/actionsd/actionsd/sync"
)

func newStatusCmd() *cobra.Command {
	var (
		addr, token string
		asJSON      bool
		withPeers   bool
		timeout     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what a running daemon serves: conditions, commits, objects and errors",
		Long: `status calls GET /v1/status of a running daemon and prints it. It exits 0 when the daemon
is Ready (it serves the last commit it attempted), 1 otherwise.

The API token is --token or ACTIONSD_TOKEN. A daemon that is starting refuses connections until it
listens: status asks again until --timeout has passed.`,
		Example: `  ACTIONSD_TOKEN=… actionsd status --addr http://127.0.0.1:8080
  actionsd status --json | jq .conditions`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if token == "" {
				token = os.Getenv("ACTIONSD_TOKEN")
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			var (
				st  sync.Status
				ps  []peers.Status
				raw []byte
				err error
			)
			err = waitForDaemon(ctx, cmd.ErrOrStderr(), addr, timeout, func() error {
				var err error
				if withPeers {
					st, ps, raw, err = api.GetStatusWithPeers(ctx, addr, token)
				} else {
					st, raw, err = api.GetStatus(ctx, addr, token)
				}
				return err
			})
			if err != nil {
				return statusError(err, addr, token)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				_, err = out.Write(raw)
			} else {
				err = printStatus(out, st)
				if err == nil && withPeers {
					err = printPeers(out, ps)
				}
			}
			if err != nil {
				return err
			}
			if st.Condition(sync.ConditionReady).Status != "True" {
				return errNotReady
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&addr, "addr", "http://"+config.DefaultAddr, "the daemon's base URL (or host:port)")
	fl.StringVar(&token, "token", "", "API bearer token (or ACTIONSD_TOKEN)")
	fl.BoolVar(&asJSON, "json", false, "print the status document as JSON")
	fl.BoolVar(&withPeers, "peers", false, "also show the commit each peer replica (--peer, --peers-dns) serves, and which drift")
	fl.DurationVar(&timeout, "timeout", 10*time.Second, "how long to wait for the daemon, also while it starts and refuses connections")
	return cmd
}

var errNotReady = fmt.Errorf("not ready")

// statusRetry is how often status asks again a daemon that refuses connections (it is starting).
const statusRetry = 200 * time.Millisecond

// waitForDaemon calls get until it returns anything but a refused connection, or ctx ends: a
// daemon that is starting refuses connections until it listens. It says once on stderr that it
// waits.
func waitForDaemon(ctx context.Context, stderr io.Writer, addr string, timeout time.Duration, get func() error) error {
	said := false
	for {
		err := get()
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return err
		}
		if !said {
			fmt.Fprintf(stderr, "actionsd status: %s refuses connections; waiting up to %s (--timeout) for the daemon to start\n", addr, timeout)
			said = true
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("status: no daemon listens at %s after %s: %w", addr, timeout, err)
		case <-time.After(statusRetry):
		}
	}
}

// statusError turns the daemon's refusal of the token into what to do about it.
func statusError(err error, addr, token string) error {
	var se *api.StatusError
	if !errors.As(err, &se) || (se.Code != http.StatusUnauthorized && se.Code != http.StatusForbidden) {
		return err
	}
	if token == "" {
		return fmt.Errorf("status: the daemon at %s requires its API token (%s): set ACTIONSD_TOKEN or pass --token", addr, se.Status)
	}
	return fmt.Errorf("status: the daemon at %s refuses the token given (%s): check ACTIONSD_TOKEN or --token", addr, se.Status)
}

func printStatus(w io.Writer, st sync.Status) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	rev := func(r *sync.Revision) string {
		if r == nil {
			return "-"
		}
		s := r.Commit
		if s == "" {
			s = "(none)"
		}
		s += "  " + r.At.Local().Format(time.RFC3339)
		if r.Result != "" {
			s += "  " + r.Result
		}
		if r.Step != "" {
			s += " (" + r.Step + ")"
		}
		return s
	}
	if st.Instance != "" {
		fmt.Fprintf(tw, "Instance:\t%s\n", st.Instance)
	}
	fmt.Fprintf(tw, "Applied:\t%s\n", rev(st.Applied))
	fmt.Fprintf(tw, "Attempted:\t%s\n", rev(st.Attempted))
	fmt.Fprintf(tw, "Generation:\t%d\n", st.Generation)
	if st.Drift != "" {
		fmt.Fprintf(tw, "Drift:\t%s\n", st.Drift)
	}
	fmt.Fprintf(tw, "\n")
	fmt.Fprintf(tw, "CONDITION\tSTATUS\tREASON\tSINCE\tMESSAGE\n")
	for _, c := range st.Conditions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Type, c.Status, c.Reason, c.Since.Local().Format(time.RFC3339), c.Message)
	}
	if len(st.Errors) > 0 {
		fmt.Fprintf(tw, "\nERRORS\n")
		for _, p := range st.Errors {
			fmt.Fprintf(tw, "  %s\n", p.Error())
		}
	}
	if len(st.Warnings) > 0 {
		fmt.Fprintf(tw, "\nWARNINGS\n")
		for _, p := range st.Warnings {
			fmt.Fprintf(tw, "  %s\n", p.Error())
		}
	}
	if len(st.Actions) > 0 {
		fmt.Fprintf(tw, "\nACTION\tTRIGGER\tVERSION\tSTATE\n")
		for _, a := range st.Actions {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, a.Trigger, shortHash(a.Version), a.State)
			printDependencies(tw, a.Dependencies)
			for _, e := range a.Errors {
				fmt.Fprintf(tw, "  %s\n", e)
			}
		}
	}
	if len(st.Rollouts) > 0 {
		fmt.Fprintf(tw, "\nROLLOUT\tPHASE\tCANARY%%\tSTABLE\tCANARY\n")
		for _, ro := range st.Rollouts {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", ro.Action, ro.Phase, ro.Percent, shortHash(ro.StableVersion), shortHash(ro.CanaryVersion))
		}
	}
	if len(st.Modules) > 0 {
		fmt.Fprintf(tw, "\nMODULE\tVERSION\tCOMMIT\tSTATE\tNOTE\n")
		for _, m := range st.Modules {
			var notes []string
			for _, n := range []struct {
				on   bool
				text string
			}{{m.Moved && !m.Deleted, "tag moved"}, {m.Deleted, "tag deleted"}, {m.Unrecorded, "unrecorded"}} {
				if n.on {
					notes = append(notes, n.text)
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Name, m.Version, shortHash(m.Commit), m.State, strings.Join(notes, ", "))
			printDependencies(tw, m.Dependencies)
			for _, e := range m.Errors {
				fmt.Fprintf(tw, "  %s\n", e)
			}
		}
	}
	return tw.Flush()
}

// printPeers writes what each peer serves: a table of peers, their applied commit and drift, or
// why that is not known.
func printPeers(w io.Writer, ps []peers.Status) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\nPEER\tINSTANCE\tAPPLIED\tGENERATION\tDRIFT\n")
	if len(ps) == 0 {
		fmt.Fprintf(tw, "(no peers)\n")
	}
	for _, p := range ps {
		if p.Replica == nil {
			fmt.Fprintf(tw, "%s\t-\t-\t-\terror: %s\n", p.Peer, p.Error)
			continue
		}
		applied, drift := "-", "no"
		if p.Applied != nil {
			applied = shortHash(p.Applied.Commit)
		}
		if p.Drift != nil && *p.Drift {
			drift = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", p.Peer, p.Instance, applied, p.Generation, drift)
	}
	return tw.Flush()
}

// printDependencies writes an object's npm packages on one line: "  npm: axios@1.7.9, zod@3.24.1".
func printDependencies(w io.Writer, deps map[string]string) {
	if len(deps) == 0 {
		return
	}
	var parts []string
	for _, pkg := range slices.Sorted(maps.Keys(deps)) {
		parts = append(parts, pkg+"@"+deps[pkg])
	}
	fmt.Fprintf(w, "  npm: %s\n", strings.Join(parts, ", "))
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
