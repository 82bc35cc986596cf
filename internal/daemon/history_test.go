package daemon

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/internal/api"
	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/history"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// historyCanary is the secret the leaky action writes into its logs, a claim and its error: it
// must never reach the history's database file.
const historyCanary = "hist-canary-9d41c7e2"

// leakyRepo is the quickstart with a second post-login action, leaky, that writes its secret
// everywhere it can and throws when the event asks it to.
func leakyRepo(t *testing.T) (*gitRepo, vaultsecrets.Source) {
	t.Helper()
	sink := newSink(t)
	secrets := vaultsecrets.NewStatic(map[vaultsecrets.Owner]vaultsecrets.Values{
		{Kind: vaultsecrets.KindModule, Name: "logger"}: {"SERVICE_URL": sink.URL + "/logs", "API_KEY": "history-api-key"},
		{Kind: vaultsecrets.KindAction, Name: "leaky"}:  {"CANARY": historyCanary},
	}, zaptest.NewLogger(t))
	repo := newGitRepo(t)
	repo.copyQuickstart()
	repo.write("actions/leaky/action.yaml", "trigger: post-login\nsecrets: [CANARY]\n")
	repo.write("actions/leaky/index.js", `exports.onExecutePostLogin = async (event, api) => {
  console.log('the secret is ' + event.secrets.CANARY);
  api.idToken.setCustomClaim('leak', event.secrets.CANARY);
  if (event.fail) throw new Error('failed with ' + event.secrets.CANARY);
};
`)
	repo.write("triggers.yaml", "post-login: [log-login, leaky]\n")
	repo.commit("quickstart and leaky")
	repo.git("tag", "modules/logger/v1")
	return repo, secrets
}

// TestExecutionHistory runs the real daemon over a real repository: executions show up in
// GET /v1/executions and /{id} with the filters and the cursor, the live tail gets a new one, and
// the database file holds no secret, PII value or bearer token.
func TestExecutionHistory(t *testing.T) {
	const token = "history-test-token-5531"
	repo, secrets := leakyRepo(t)
	cfg := testConfig(t, repo.dir)
	cfg.Token = token
	cfg.Egress.Allow = []string{"127.0.0.1"}
	d, err := newDaemon(cfg, secrets, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	td := runDaemon(t, d)
	st := td.sync(token)
	if st.Applied == nil {
		t.Fatalf("not applied: %+v", st.Errors)
	}

	// The live tail, opened first, of failures only, through the client `actionsd logs -f` uses.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tail := make(chan history.Record, 8)
	tailDone := make(chan error, 1)
	go func() {
		tailDone <- api.StreamExecutions(ctx, td.url, token, url.Values{"outcome": {"failed"}}, func(raw json.RawMessage) error {
			var r history.Record
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			tail <- r
			return nil
		}, nil)
	}()

	event := func(fail bool) []byte {
		return fmt.Appendf(nil, `{"user":{"user_id":"auth0|h1","email":"pii-canary@example.com","phone_number":"+15550123"},`+
			`"request":{"ip":"198.51.100.23"},"note":%q,"fail":%t}`, "the user pasted "+historyCanary, fail)
	}
	var ids []string
	for i := range 3 {
		res := td.execute(token, event(i == 1))
		ids = append(ids, res.ExecutionID)
	}

	// The failure arrives on the tail.
	select {
	case r := <-tail:
		if r.ID != ids[1] || r.Outcome != "failed" {
			t.Errorf("the tail got %s %s, want the failure %s", r.ID, r.Outcome, ids[1])
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the live tail got nothing")
	}

	list := func(query string) (recs []history.Record, next string) {
		t.Helper()
		code, body := td.do("GET", "/v1/executions"+query, token, nil)
		if code != 200 {
			t.Fatalf("GET /v1/executions%s: %d %s", query, code, body)
		}
		var page struct {
			Executions []history.Record `json:"executions"`
			Next       string           `json:"next"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		return page.Executions, page.Next
	}
	deadline := time.Now().Add(15 * time.Second)
	for recs, _ := list(""); len(recs) < 3; recs, _ = list("") {
		if time.Now().After(deadline) {
			t.Fatalf("GET /v1/executions lists %d executions, want 3", len(recs))
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Pages of one, newest first, through the cursor.
	var paged []string
	recs, next := list("?limit=1")
	for {
		for _, r := range recs {
			paged = append(paged, r.ID)
		}
		if next == "" {
			break
		}
		recs, next = list("?limit=1&cursor=" + next)
	}
	if want := []string{ids[2], ids[1], ids[0]}; fmt.Sprint(paged) != fmt.Sprint(want) {
		t.Errorf("paged: %v, want %v", paged, want)
	}
	if recs, _ := list("?outcome=failed&action=leaky&trigger=post-login&commit=" + st.Applied.Commit[:12]); len(recs) != 1 || recs[0].ID != ids[1] {
		t.Errorf("the failure by filter: %+v", recs)
	}
	if recs, _ := list("?action=nope"); len(recs) != 0 {
		t.Errorf("an action that never ran: %d records", len(recs))
	}

	code, body := td.do("GET", "/v1/executions/"+ids[1], token, nil)
	if code != 200 {
		t.Fatalf("GET /v1/executions/%s: %d %s", ids[1], code, body)
	}
	var rec history.Record
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Commit != st.Applied.Commit || rec.Source != "execute" || rec.Outcome != "failed" ||
		!strings.Contains(string(rec.Actions), "failed with [REDACTED]") || !strings.Contains(string(rec.Event), `"note":"the user pasted [REDACTED]"`) ||
		!strings.Contains(string(rec.Event), `"email":"hmac-sha256:`) || !strings.Contains(string(rec.Result), `"leak":"[REDACTED]"`) {
		t.Errorf("the failed execution's record: %s", body)
	}
	if code, _ := td.do("GET", "/v1/executions/"+ids[1], "", nil); code != 401 {
		t.Errorf("without the token: %d, want 401", code)
	}
	if strings.Contains(string(body), historyCanary) || strings.Contains(string(body), "pii-canary@example.com") {
		t.Errorf("the record holds the secret or the email: %s", body)
	}

	cancel()
	if err := <-tailDone; err != nil {
		t.Errorf("the live tail ended with %v", err)
	}

	// actionsd logs, as a user runs it.
	out := run(t, repo.dir, "", "logs", "--addr", td.url, "--token", token, "--outcome", "failed").want(t, 0, "logs --outcome failed").stdout
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "post-login") ||
		!strings.Contains(lines[0], "failed") || !strings.Contains(lines[0], "leaky: actions/leaky/index.js:4: failed with [REDACTED]") {
		t.Errorf("actionsd logs --outcome failed:\n%s", out)
	}
	out = run(t, repo.dir, "", "logs", "--addr", td.url, "--token", token, "--json").want(t, 0, "logs --json").stdout
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[2], `{"id":"`+ids[2]+`"`) {
		t.Errorf("actionsd logs --json:\n%s", out)
	}
	if r := run(t, repo.dir, "", "logs", "--addr", td.url); r.code != 1 || !strings.Contains(r.stderr, "requires its API token") {
		t.Errorf("actionsd logs without the token: exit %d\n%s", r.code, r.stderr)
	}

	// The database file, as it is on disk.
	data, err := os.ReadFile(filepath.Join(cfg.DataDir, "history", "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{historyCanary, "pii-canary@example.com", "+15550123", "198.51.100.23", token, "Bearer", "the user pasted"} {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("the history's database file holds %q", s)
		}
	}
	// The index holds a hexadecimal id as its 16 bytes.
	if packed, err := hex.DecodeString(ids[1]); err != nil || !bytes.Contains(data, packed) && !bytes.Contains(data, []byte(ids[1])) {
		t.Errorf("the database file does not hold the execution id %s in clear: the test reads the wrong file", ids[1])
	}
}

// TestHistoryFullDisk puts the history on a 1 MiB tmpfs and fills it: executions keep answering,
// and the writes that failed are counted in actionsd_history_write_errors_total.
func TestHistoryFullDisk(t *testing.T) {
	repo, secrets := leakyRepo(t)
	cfg := testConfig(t, repo.dir)
	cfg.Egress.Allow = []string{"127.0.0.1"}
	dir := filepath.Join(cfg.DataDir, "history")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("a full disk needs a small file system: mounting a tmpfs failed (not root?): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	d, err := newDaemon(cfg, secrets, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	td := runDaemon(t, d)
	if st := td.sync(""); st.Applied == nil {
		t.Fatalf("not applied: %+v", st.Errors)
	}
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	for {
		if _, err := filler.Write(buf); err != nil {
			break
		}
	}
	filler.Close()
	ev := []byte(`{"user":{"user_id":"u1"},"pad":"` + strings.Repeat("z", 30000) + `"}`)
	deadline := time.Now().Add(30 * time.Second)
	for n := 0; ; n++ {
		if res := td.execute("", ev); res.Outcome != "success" {
			t.Fatalf("execution %d on a full disk: %s", n, res.Outcome)
		}
		if metric(t, td, `actionsd_history_write_errors_total{kind="write"}`) > 0 && n >= 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %d executions, no failed history write was counted", n)
		}
	}
}

// metric reads one sample of GET /metrics, 0 when it is absent.
func metric(t *testing.T, td *testDaemon, name string) float64 {
	t.Helper()
	code, body := td.do("GET", "/metrics", "", nil)
	if code != 200 {
		t.Fatalf("GET /metrics: %d", code)
	}
	for line := range strings.SplitSeq(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			fmt.Sscan(v, &f)
			return f
		}
	}
	return 0
}

// TestHistoryStreamEndsOnShutdown: a live tail open when the daemon stops ends as the drain
// starts, instead of holding the shutdown until the grace runs out.
func TestHistoryStreamEndsOnShutdown(t *testing.T) {
	repo, secrets := leakyRepo(t)
	cfg := testConfig(t, repo.dir)
	cfg.ShutdownGrace = config.Duration(10 * time.Minute) // a held shutdown would wait 5 minutes
	d, err := newDaemon(cfg, secrets, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	td := &testDaemon{t: t, url: d.URL(), rec: d.rec}
	if st := td.sync(""); st.Applied == nil {
		t.Fatalf("not applied: %+v", st.Errors)
	}
	got := make(chan struct{}, 100)
	streamDone := make(chan error, 1)
	go func() {
		streamDone <- api.StreamExecutions(context.Background(), d.URL(), "", nil, func(json.RawMessage) error {
			got <- struct{}{}
			return nil
		}, nil)
	}()
	// The stream is open once an execution arrives on it: executions before it subscribed do not.
	for open := false; !open; {
		td.execute("", []byte(`{}`))
		select {
		case <-got:
			open = true
		case <-time.After(time.Second):
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("daemon: %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the daemon did not stop within 2 minutes with a live tail open")
	}
	if err := <-streamDone; err != io.EOF {
		t.Errorf("the stream ended with %v, want io.EOF (the daemon closed it)", err)
	}
}
