package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/internal/tty"
	"github.com/actionsd/actionsd/localrun"
	"github.com/actionsd/actionsd/runner/egress"
)

var testFormats = []string{"text", "tap", "json"}

func newTestCmd() *cobra.Command {
	var (
		repo            repoFlags
		format, secrets string
		draft           bool
		timeout         time.Duration
		egressAllow     []string
	)
	cmd := &cobra.Command{
		Use:   "test [PATH...]",
		Short: "Run the *.test.js files beside actions and modules inside the real runner",
		Long: `test runs every *.test.js file of actions/ and modules/ (or those under PATH) from the working
tree, inside the same runner that serves actions, with a small test API as globals:

  test(name, fn), describe(name, fn), test.skip, beforeEach, afterEach
  expect(value).toBe / toEqual / toMatchObject / toContain / toContainEqual / toMatch /
    toHaveLength / toBeTruthy / toBeFalsy / toBeNull / toBeUndefined / toBeDefined /
    toBeGreaterThan / toBeLessThan / toThrow, .not, and await expect(promise).resolves / .rejects
  events.postLogin(overrides) (one per trigger, also events['post-login']): fixture events
  mockApi(): a recording api; api.calls lists {op, args}; expect(api).toHaveCalled(op, ...args)
  await mockFetch('POST https://logs.example.com/*', {status: 204, json: {...}}): a fetch stub
    for action and module code alike; await fetchCalls() lists the requests. A fetch that no
    stub matches fails: tests never reach the network, unless --egress-allow names its host
    (host, host:port, IP or CIDR, as serve's egress.allow): then it goes out through the same
    egress client fetch uses when serving (e.g. to a local daemon, as the Auth0 bridge's test does).

An action's test requires its code with require('./index.js'); modules resolve to the versions
the action pins (--draft: the drafts). A module's test requires require('./index.js') and sees
its own actions.secrets. Secret values come from --secrets-file, else each declared secret is
"test-<NAME>", or "https://<name>.test.invalid" when its name says it is a URL, URI or ENDPOINT.

Exit status: 0 when every test passes, 1 when one fails, 2 on usage errors.`,
		Example: `  actionsd test
  actionsd test actions/log-login --format tap
  actionsd test --draft --secrets-file secrets.local.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := oneOf(cmd, "format", format, testFormats...); err != nil {
				return err
			}
			pass, err := egress.ParseAllow(egressAllow)
			if err != nil {
				return usageError(cmd, "--egress-allow: %v", err)
			}
			w, _, closeSink, err := localWorkspace(cmd.ErrOrStderr(), repo, draft, secrets)
			if err != nil {
				return err
			}
			defer closeSink()
			w.Placeholders = secrets == ""
			var filters []string
			for _, a := range args {
				filters = append(filters, repoRelative(repo.dir, a))
			}
			files := w.Discover(filters...)
			if len(files) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "actionsd test: no *.test.js files found")
				return nil
			}
			out := cmd.OutOrStdout()
			if format == "text" && colorOn(out) {
				lines := tty.NewLines(out, testColours)
				defer lines.Close()
				out = lines
			}
			return runTests(cmd.Context(), out, w, files, format, timeout, pass)
		},
	}
	repo.add(cmd)
	cmd.Flags().StringVarP(&format, "format", "o", "text", "output format: text, tap or json")
	cmd.Flags().BoolVar(&draft, "draft", false, "resolve the actions' module pins to the module drafts")
	cmd.Flags().StringVar(&secrets, "secrets-file", "", "read secret values from this YAML file (local trials only)")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "the time each test may take (at most 20s)")
	cmd.Flags().StringSliceVar(&egressAllow, "egress-allow", nil, "let a fetch no stub matches reach this host, host:port, IP or CIDR (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("format", formatCompletion(testFormats...))
	return usage(cmd)
}

// repoRelative turns a PATH argument into a repository-relative path: it is taken relative to
// the current directory when that exists inside the repository, else relative to its root.
func repoRelative(dir, p string) string {
	root, err := filepath.Abs(dir)
	if err != nil {
		return p
	}
	if abs, err := filepath.Abs(p); err == nil {
		if rel, err := filepath.Rel(root, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(p)
}

func runTests(ctx context.Context, out io.Writer, w *localrun.Workspace, files []localrun.TestFile, format string, timeout time.Duration, allow egress.Policy) error {
	var all []localrun.TestResult
	n := 0
	each := func(r localrun.TestResult) {
		n++
		switch format {
		case "tap":
			if n == 1 {
				fmt.Fprintln(out, "TAP version 13")
			}
			desc := r.File + " › " + r.Name
			switch r.Status {
			case "pass":
				fmt.Fprintf(out, "ok %d - %s\n", n, desc)
			case "skip":
				fmt.Fprintf(out, "ok %d - %s # SKIP\n", n, desc)
			default:
				fmt.Fprintf(out, "not ok %d - %s\n  ---\n  message: %s\n", n, desc, yamlString(r.Error))
				if r.Pos != "" {
					fmt.Fprintf(out, "  at: %s\n", r.Pos)
				}
				fmt.Fprintln(out, "  ...")
			}
		case "text":
			switch r.Status {
			case "pass":
				fmt.Fprintf(out, "PASS %s › %s (%.1f ms)\n", r.File, r.Name, r.Duration)
			case "skip":
				fmt.Fprintf(out, "SKIP %s › %s\n", r.File, r.Name)
			default:
				fmt.Fprintf(out, "FAIL %s › %s\n", r.File, r.Name)
				pos := r.Pos
				if pos != "" {
					pos += ": "
				}
				fmt.Fprintf(out, "     %s%s\n", pos, r.Error)
				for _, l := range r.Logs {
					fmt.Fprintf(out, "     log: %s\n", l)
				}
			}
		}
	}
	for _, f := range files {
		all = append(all, w.RunTests(ctx, f, localrun.TestOptions{Timeout: timeout, Each: each, PassThrough: allow})...)
	}
	var pass, fail, skip int
	for _, r := range all {
		switch r.Status {
		case "pass":
			pass++
		case "skip":
			skip++
		default:
			fail++
		}
	}
	switch format {
	case "tap":
		fmt.Fprintf(out, "1..%d\n# pass %d\n# fail %d\n# skip %d\n", len(all), pass, fail, skip)
	case "json":
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if all == nil {
			all = []localrun.TestResult{}
		}
		if err := enc.Encode(map[string]any{"passed": pass, "failed": fail, "skipped": skip, "tests": all}); err != nil {
			return err
		}
	default:
		fmt.Fprintf(out, "\n%d passed, %d failed, %d skipped\n", pass, fail, skip)
	}
	if fail > 0 {
		return fmt.Errorf("test: %d of %d %s failed", fail, len(all), plural(len(all), "test"))
	}
	return nil
}

func yamlString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// testColours colours test's text output on a terminal: PASS green, FAIL red, SKIP yellow.
func testColours(line string) string {
	switch {
	case strings.HasPrefix(line, "PASS "):
		return tty.Green
	case strings.HasPrefix(line, "FAIL "):
		return tty.Red
	case strings.HasPrefix(line, "SKIP "):
		return tty.Yellow
	}
	return ""
}
