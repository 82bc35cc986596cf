// Package replay runs recorded executions again with the real runner: it reads execution records
// from a daemon (GET /v1/executions and /v1/executions/{id}, docs/api.md), runs a record's event
// on a generation built with runner.Options.Replay, so that the code's HTTP requests get the
// recorded responses and nothing reaches the network, and compares the outcome, the commands and
// the error with the record. `actionsd replay` and `validate --shadow` (package review) use it.
package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/wire"
)

// Record is the part of an execution record (docs/api.md) that a replay reads.
type Record struct {
	ID         string              `json:"id"`
	Time       time.Time           `json:"time"`
	Source     string              `json:"source"` // execute, test, continue or bridge:<bridge>/<hook>
	Trigger    string              `json:"trigger"`
	Commit     string              `json:"commit"`
	Generation int64               `json:"generation"`
	Outcome    string              `json:"outcome"`
	Event      json.RawMessage     `json:"event"`
	Actions    []wire.ActionResult `json:"actions"`
	Commands   []wire.Command      `json:"commands"`
	Outbound   []wire.Exchange     `json:"outbound"`
}

// Client reads records from a daemon's API.
type Client struct {
	Addr  string // the daemon's address: http://host:port, or host:port
	Token string // its API token; "" sends none
	HTTP  *http.Client
}

// StatusError is an answer other than 200 from the daemon.
type StatusError struct {
	URL    string
	Status string
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("GET %s: %s: %s", e.URL, e.Status, strings.TrimSpace(e.Body))
}

func (c *Client) get(ctx context.Context, path string, into any) error {
	addr := c.Addr
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	u := strings.TrimRight(addr, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return &StatusError{URL: u, Status: resp.Status, Body: string(body[:min(len(body), 512)])}
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("GET %s: the answer is not an execution record: %w", u, err)
	}
	return nil
}

// Get reads the record of execution id.
func (c *Client) Get(ctx context.Context, id string) (*Record, error) {
	var r Record
	if err := c.get(ctx, "/v1/executions/"+url.PathEscape(id), &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// List reads the last n records of trigger, newest first, following the pages.
func (c *Client) List(ctx context.Context, trigger string, n int) ([]*Record, error) {
	var out []*Record
	cursor := ""
	for len(out) < n {
		q := url.Values{"trigger": {trigger}, "limit": {strconv.Itoa(min(n-len(out), 500))}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Executions []*Record `json:"executions"`
			Next       string    `json:"next"`
		}
		if err := c.get(ctx, "/v1/executions?"+q.Encode(), &page); err != nil {
			return nil, err
		}
		out = append(out, page.Executions...)
		if page.Next == "" || len(page.Executions) == 0 {
			break
		}
		cursor = page.Next
	}
	return out[:min(len(out), n)], nil
}

// ErrNotReplayable is a record that cannot be run again: a continue execution resumes a paused
// redirect whose state is not in the record.
var ErrNotReplayable = errors.New("not replayable")

// Options returns the runner options of a generation that replays: one warm runtime, and HTTP
// answered from the records.
func Options() runner.Options {
	return runner.Options{PoolSize: 1, Replay: true}
}

// Run runs rec's event on gen (built with Options) with rec's recorded responses: an execution
// of its trigger, or for a test record the action it tested.
func Run(ctx context.Context, gen *runner.Generation, rec *Record) (*runner.Result, error) {
	if strings.HasPrefix(rec.Source, "continue") {
		return nil, fmt.Errorf("execution %s: %w: a continue execution resumes a redirect whose state is not recorded", rec.ID, ErrNotReplayable)
	}
	if len(bytes.TrimSpace(rec.Event)) == 0 || string(bytes.TrimSpace(rec.Event)) == "null" {
		return nil, fmt.Errorf("execution %s: %w: the record has no event", rec.ID, ErrNotReplayable)
	}
	rctx := runner.WithReplay(ctx, rec.Outbound)
	if rec.Source == "test" && len(rec.Actions) > 0 {
		return gen.Test(rctx, rec.Actions[0].Name, rec.Event)
	}
	return gen.Execute(rctx, rec.Trigger, rec.Event)
}

// Comparison is a replayed execution next to its record.
type Comparison struct {
	Recorded Side `json:"recorded"`
	Replayed Side `json:"replayed"`
	// OutcomeChanged, CommandsChanged and ErrorChanged say what differs; none: the same.
	OutcomeChanged  bool `json:"outcome_changed"`
	CommandsChanged bool `json:"commands_changed"`
	ErrorChanged    bool `json:"error_changed"`
	// NotRecorded is set when the replayed code made a request the record does not have: the
	// replay then says nothing about the code, only that it asks for something else.
	NotRecorded string `json:"not_recorded,omitempty"`
}

// Side is one execution's outcome, commands (one line each) and error.
type Side struct {
	Outcome  string   `json:"outcome"`
	Commands []string `json:"commands"`
	Error    string   `json:"error,omitempty"` // "action: message" of the action that failed
}

// Same reports whether the replay did what the record says: same outcome, commands and error.
func (c *Comparison) Same() bool { return !c.OutcomeChanged && !c.CommandsChanged && !c.ErrorChanged }

// Compare puts res, the replay of rec, next to rec.
func Compare(rec *Record, res *runner.Result) *Comparison {
	c := &Comparison{
		Recorded: Side{Outcome: rec.Outcome, Commands: commandLines(rec.Commands), Error: failure(rec.Actions)},
		Replayed: Side{Outcome: res.Outcome, Commands: commandLines(res.Commands), Error: failure(res.Actions)},
	}
	c.OutcomeChanged = c.Recorded.Outcome != c.Replayed.Outcome
	c.CommandsChanged = strings.Join(c.Recorded.Commands, "\n") != strings.Join(c.Replayed.Commands, "\n")
	c.ErrorChanged = c.Recorded.Error != c.Replayed.Error
	if !c.Same() && strings.Contains(c.Replayed.Error, "replay: ") && strings.Contains(c.Replayed.Error, " was not recorded") {
		c.NotRecorded = c.Replayed.Error
	}
	return c
}

// failure is "action: message" of the first action with an error, "" when none failed.
func failure(actions []wire.ActionResult) string {
	for _, a := range actions {
		if a.Error != nil {
			return a.Name + ": " + a.Error.Message
		}
	}
	return ""
}

// commandLines renders each command as `action op(args)`, its arguments as canonical JSON (keys
// sorted, numbers as JSON writes them), so that a record read back and a fresh result compare.
func commandLines(cmds []wire.Command) []string {
	out := make([]string, 0, len(cmds))
	for _, c := range cmds {
		args := make([]string, len(c.Args))
		for i, a := range c.Args {
			args[i] = canonical(a)
		}
		out = append(out, fmt.Sprintf("%s %s(%s)", c.Action, c.Op, strings.Join(args, ", ")))
	}
	return out
}

func canonical(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	var x any
	if json.Unmarshal(b, &x) != nil {
		return string(b)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(x) != nil {
		return string(b)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// Diff is the commands of both sides as a line diff: "  " both, "- " recorded only, "+ "
// replayed only.
func (c *Comparison) Diff() []string {
	a, b := c.Recorded.Commands, c.Replayed.Commands
	// Longest common subsequence, from the end.
	l := make([][]int, len(a)+1)
	for i := range l {
		l[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, "  "+a[i])
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || l[i+1][j] >= l[i][j+1]):
			out = append(out, "- "+a[i])
			i++
		default:
			out = append(out, "+ "+b[j])
			j++
		}
	}
	return out
}

// Render writes the comparison for a terminal: outcome, error and the commands as a diff.
func (c *Comparison) Render(w io.Writer) {
	mark := func(changed bool) string {
		if changed {
			return "  (differs)"
		}
		return ""
	}
	fmt.Fprintf(w, "outcome:   recorded %s, replayed %s%s\n", c.Recorded.Outcome, c.Replayed.Outcome, mark(c.OutcomeChanged))
	if c.Recorded.Error != "" || c.Replayed.Error != "" {
		fmt.Fprintf(w, "error:     recorded %s\n           replayed %s%s\n", orNone(c.Recorded.Error), orNone(c.Replayed.Error), mark(c.ErrorChanged))
	}
	fmt.Fprintf(w, "commands:  %d recorded, %d replayed%s\n", len(c.Recorded.Commands), len(c.Replayed.Commands), mark(c.CommandsChanged))
	for _, l := range c.Diff() {
		fmt.Fprintf(w, "  %s\n", l)
	}
	if c.NotRecorded != "" {
		fmt.Fprintf(w, "note:      the code made a request the record does not have, so the replay cannot answer it\n")
	}
	if c.Same() {
		fmt.Fprintln(w, "same: the replay did what the record says")
	} else {
		fmt.Fprintln(w, "differs: the replay did not do what the record says")
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
