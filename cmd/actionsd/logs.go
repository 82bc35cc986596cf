package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/internal/api"
	"github.com/actionsd/actionsd/internal/config"
)

// logsRecord is what `actionsd logs` prints of a record (GET /v1/executions/{id}).
type logsRecord struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	Source     string    `json:"source"`
	Trigger    string    `json:"trigger"`
	Commit     string    `json:"commit"`
	Outcome    string    `json:"outcome"`
	DurationMS float64   `json:"duration_ms"`
	Actions    []struct {
		Name  string `json:"name"`
		Error *struct {
			Message string `json:"message"`
			File    string `json:"file"`
			Line    int    `json:"line"`
		} `json:"error"`
	} `json:"actions"`
}

func newLogsCmd() *cobra.Command {
	var (
		addr, token                      string
		follow, asJSON                   bool
		action, outcome, trigger, commit string
		since                            string
		limit                            int
	)
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "Show the executions a running daemon recorded, and follow new ones",
		Long: `logs reads a daemon's execution history (GET /v1/executions) and prints one line per
execution, oldest first: its start time, trigger, outcome, duration, the actions that ran, and the
first action error. --limit sets how many of the newest it prints (default 20). With -f it then
follows the live tail (GET /v1/executions/stream) until interrupted. --json prints each record
whole, one JSON document per line.

The API token is --token or ACTIONSD_TOKEN, as for status.`,
		Example: `  actionsd logs --outcome failed
  actionsd logs -f --action log-login
  actionsd logs --since 1h --json | jq .event`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if token == "" {
				token = os.Getenv("ACTIONSD_TOKEN")
			}
			if outcome != "" && !slices.Contains([]string{"success", "denied", "redirect", "failed"}, outcome) {
				return usageError(cmd, "--outcome %q: want success, denied, redirect or failed", outcome)
			}
			if limit < 1 || limit > 500 {
				return usageError(cmd, "--limit %d: want 1 to 500", limit)
			}
			q := url.Values{}
			for k, v := range map[string]string{"action": action, "outcome": outcome, "trigger": trigger, "commit": commit} {
				if v != "" {
					q.Set(k, v)
				}
			}
			if since != "" {
				t, err := parseSince(since, time.Now())
				if err != nil {
					return usageError(cmd, "--since %q: %v", since, err)
				}
				q.Set("since", t.UTC().Format(time.RFC3339Nano))
			}
			out := cmd.OutOrStdout()
			print := func(raw json.RawMessage) error {
				if asJSON {
					_, err := fmt.Fprintf(out, "%s\n", raw)
					return err
				}
				var rec logsRecord
				if err := json.Unmarshal(raw, &rec); err != nil {
					return fmt.Errorf("logs: the daemon sent a record that does not read: %w", err)
				}
				_, err := fmt.Fprintln(out, logsLine(rec))
				return err
			}
			ctx := cmd.Context()
			lq := url.Values{}
			for k, v := range q {
				lq[k] = v
			}
			lq.Set("limit", strconv.Itoa(limit))
			page, err := api.GetExecutions(ctx, addr, token, lq)
			if err != nil {
				return logsError(err, addr, token)
			}
			for _, raw := range slices.Backward(page.Executions) {
				if err := print(raw); err != nil {
					return err
				}
			}
			if !follow {
				return nil
			}
			err = api.StreamExecutions(ctx, addr, token, q, print, func(n int) {
				fmt.Fprintf(cmd.ErrOrStderr(), "actionsd logs: fell behind the daemon: %d executions skipped\n", n)
			})
			if errors.Is(err, io.EOF) {
				return errors.New("logs: the daemon closed the stream (it is stopping)")
			}
			if err != nil {
				return logsError(err, addr, token)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&addr, "addr", "http://"+config.DefaultAddr, "the daemon's base URL (or host:port)")
	fl.StringVar(&token, "token", "", "API bearer token (or ACTIONSD_TOKEN)")
	fl.BoolVarP(&follow, "follow", "f", false, "then follow new executions as they are recorded")
	fl.StringVar(&action, "action", "", "only executions in which this action ran")
	fl.StringVar(&outcome, "outcome", "", "only this outcome: success, denied, redirect or failed")
	fl.StringVar(&trigger, "trigger", "", "only this trigger (post-login, …)")
	fl.StringVar(&commit, "commit", "", "only executions on this commit (7 or more characters of it)")
	fl.StringVar(&since, "since", "", "only executions since this time: RFC 3339, or a duration ago such as 1h")
	fl.IntVar(&limit, "limit", 20, "how many of the newest recorded executions to print first (1 to 500)")
	fl.BoolVar(&asJSON, "json", false, "print each record whole, one JSON document per line")
	return cmd
}

// parseSince reads --since: an RFC 3339 time, or a duration before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errors.New("want an RFC 3339 time (2026-12-07T19:30:00Z) or a duration (90m)")
	}
	return t, nil
}

// logsLine is one execution on one line: time, trigger, outcome, duration, actions, first error.
func logsLine(r logsRecord) string {
	names := make([]string, 0, len(r.Actions))
	firstErr := ""
	for _, a := range r.Actions {
		names = append(names, a.Name)
		if a.Error != nil && firstErr == "" {
			firstErr = a.Name + ": " + a.Error.Message
			if a.Error.File != "" {
				firstErr = fmt.Sprintf("%s: %s:%d: %s", a.Name, a.Error.File, a.Error.Line, a.Error.Message)
			}
		}
	}
	actions := strings.Join(names, ",")
	if actions == "" {
		actions = "-"
	}
	trig := r.Trigger
	if r.Source != "execute" {
		trig += " (" + r.Source + ")"
	}
	line := fmt.Sprintf("%s  %-22s  %-8s  %8s  %s", r.Time.Local().Format("2006-01-02T15:04:05.000Z07:00"), trig, r.Outcome,
		strconv.FormatFloat(r.DurationMS, 'f', 2, 64)+"ms", actions)
	if firstErr != "" {
		line += "  " + strings.ReplaceAll(firstErr, "\n", " ")
	}
	return line
}

// logsError turns the daemon's answers into what to do about them.
func logsError(err error, addr, token string) error {
	var se *api.StatusError
	if !errors.As(err, &se) {
		return fmt.Errorf("logs: %w", err)
	}
	switch {
	case se.Code == http.StatusUnauthorized && token == "":
		return fmt.Errorf("logs: the daemon at %s requires its API token (%s): set ACTIONSD_TOKEN or pass --token", addr, se.Status)
	case se.Code == http.StatusUnauthorized:
		return fmt.Errorf("logs: the daemon at %s refuses the token given (%s): check ACTIONSD_TOKEN or --token", addr, se.Status)
	case se.Code == http.StatusNotFound && strings.Contains(se.Body, "history_disabled"):
		return fmt.Errorf("logs: the daemon at %s records no executions: its history is off (history.enabled, --history)", addr)
	}
	return fmt.Errorf("logs: the daemon at %s answered %s: %s", addr, se.Status, se.Body)
}
