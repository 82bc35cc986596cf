package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/internal/history"
)

// newHistory opens a history in a temporary directory and runs its writer until the test ends.
func newHistory(t testing.TB, opts history.Options) *history.History {
	t.Helper()
	opts.Dir = t.TempDir()
	h, err := history.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = h.Close()
	})
	return h
}

// waitRecords polls until h lists n records matching f, and returns them.
func waitRecords(t *testing.T, h *history.History, f history.Filter, n int) []history.Record {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		raw, _, err := h.List(f, "", 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) >= n {
			out := make([]history.Record, len(raw))
			for i, r := range raw {
				if err := json.Unmarshal(r, &out[i]); err != nil {
					t.Fatal(err)
				}
			}
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("the history lists %d records, want %d", len(raw), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestExecutionsAPI executes over a real server and reads the records back through the routes:
// one per execution with the Result's id, the filters, the cursor, a live tail, and 404s.
func TestExecutionsAPI(t *testing.T) {
	h := newHistory(t, history.Options{PII: history.PII{Hash: history.DefaultPIIHash}, Logger: zaptest.NewLogger(t)})
	srv := NewServer(Config{Reconciler: serving{gen: claimsGeneration(t)}, Token: "tok", History: h})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	do := func(method, path, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer tok")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}

	// The live tail, opened before the executions.
	req, _ := http.NewRequest("GET", base+"/v1/executions/stream?action=claims", nil)
	req.Header.Set("Authorization", "Bearer tok")
	streamCtx, stopStream := context.WithCancel(context.Background())
	defer stopStream()
	sres, err := http.DefaultClient.Do(req.WithContext(streamCtx))
	if err != nil {
		t.Fatal(err)
	}
	defer sres.Body.Close()
	if ct := sres.Header.Get("Content-Type"); sres.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("the stream: %d %s", sres.StatusCode, ct)
	}
	events := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(sres.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				events <- d
			}
		}
		close(events)
	}()

	var ids []string
	for _, ev := range []string{`{"authorization":{"roles":["admin"]},"user":{"email":"ada@example.com"}}`, `{}`, `{"authorization":{"roles":["x"]}}`} {
		code, body := do("POST", "/v1/triggers/post-login/execute", ev)
		if code != 200 {
			t.Fatalf("execute: %d %s", code, body)
		}
		var res struct {
			ID string `json:"execution_id"`
		}
		_ = json.Unmarshal(body, &res)
		ids = append(ids, res.ID)
	}
	if code, body := do("POST", "/v1/actions/claims/test", `{}`); code != 200 {
		t.Fatalf("test: %d %s", code, body)
	}
	waitRecords(t, h, history.Filter{}, 4)

	code, body := do("GET", "/v1/executions/"+ids[0], "")
	if code != 200 {
		t.Fatalf("GET /v1/executions/%s: %d %s", ids[0], code, body)
	}
	var rec history.Record
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.ID != ids[0] || rec.Trigger != "post-login" || rec.Source != "execute" || rec.Commit != "c0ffee" || rec.Generation != 3 ||
		rec.Outcome != "success" || !strings.Contains(string(rec.Actions), "<roles> admin") ||
		!strings.Contains(string(rec.Commands), "idToken.setCustomClaim") || !strings.Contains(string(rec.Event), `"email":"hmac-sha256:`) {
		t.Errorf("the record: %s", body)
	}

	list := func(query string) ([]string, string) {
		t.Helper()
		code, body := do("GET", "/v1/executions"+query, "")
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
		var got []string
		for _, r := range page.Executions {
			got = append(got, r.Source+":"+r.ID)
		}
		return got, page.Next
	}
	all, next := list("")
	if len(all) != 4 || next != "" || !strings.HasPrefix(all[0], "test:") || all[3] != "execute:"+ids[0] {
		t.Errorf("all: %v next %q", all, next)
	}
	first, next := list("?limit=2")
	if len(first) != 2 || next == "" {
		t.Fatalf("page 1: %v next %q", first, next)
	}
	second, next2 := list("?limit=2&cursor=" + next)
	if len(second) != 2 || next2 != "" || second[1] != "execute:"+ids[0] || second[0] == first[1] {
		t.Errorf("page 2: %v next %q (page 1 %v)", second, next2, first)
	}
	if got, _ := list("?outcome=failed"); len(got) != 0 {
		t.Errorf("failed: %v", got)
	}
	if got, _ := list("?trigger=post-login&action=claims&commit=c0ffee&since=" + rec.Time.Format(time.RFC3339Nano) + "&until=" + rec.Time.Format(time.RFC3339Nano)); len(got) != 1 || got[0] != "execute:"+ids[0] {
		t.Errorf("the first execution by time: %v", got)
	}
	for _, bad := range []string{"?outcome=nope", "?since=yesterday", "?limit=501", "?limit=0", "?cursor=%21%21"} {
		if code, body := do("GET", "/v1/executions"+bad, ""); code != 400 {
			t.Errorf("GET /v1/executions%s: %d %s, want 400", bad, code, body)
		}
	}
	if code, _ := do("GET", "/v1/executions/nope", ""); code != 404 {
		t.Errorf("an unknown id: %d, want 404", code)
	}

	// The live tail saw the four executions, in order.
	for i := range 4 {
		select {
		case d, ok := <-events:
			if !ok {
				t.Fatal("the stream ended")
			}
			var r history.Record
			if err := json.Unmarshal([]byte(d), &r); err != nil {
				t.Fatalf("event %d: %v: %s", i, err, d)
			}
			if i < 3 && r.ID != ids[i] {
				t.Errorf("event %d: %s, want %s", i, r.ID, ids[i])
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("event %d did not arrive", i)
		}
	}
	// The status has the history's numbers.
	code, body = do("GET", "/v1/status", "")
	var st struct {
		History *history.Stats `json:"history"`
	}
	if err := json.Unmarshal(body, &st); code != 200 || err != nil || st.History == nil || st.History.Records != 4 || st.History.SizeBytes <= 0 {
		t.Errorf("GET /v1/status: %d %s", code, body)
	}

	// Without the token, nothing.
	res, err := http.Get(base + "/v1/executions")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("without a token: %d", res.StatusCode)
	}
}

// TestExecutionsSampling: at sample rate 0 a success is left out and a failure kept.
func TestExecutionsSampling(t *testing.T) {
	h := newHistory(t, history.Options{SampleRate: ptr(0.0)})
	g := claimsAction(t, 1, `exports.onExecutePostLogin = async (event) => { if (event.fail) throw new Error('boom'); };`)
	srv := New(Config{Reconciler: serving{gen: g}, History: h})
	for _, ev := range []string{`{}`, `{"fail":true}`, `{}`} {
		req, _ := http.NewRequest("POST", "/v1/triggers/post-login/execute", strings.NewReader(ev))
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != 200 {
			t.Fatalf("execute: %d", w.Code)
		}
	}
	// The last execution is a success: once the failure before it is written, a wrongly kept
	// success would be too (one writer, in order) — unless it is still queued, which a later
	// failure flushes.
	req, _ := http.NewRequest("POST", "/v1/triggers/post-login/execute", strings.NewReader(`{"fail":true}`))
	srv.ServeHTTP(httptest.NewRecorder(), req)
	recs := waitRecords(t, h, history.Filter{}, 2)
	if len(recs) != 2 || recs[0].Outcome != "failed" || recs[1].Outcome != "failed" {
		t.Errorf("records: %+v", recs)
	}
}

func ptr[T any](v T) *T { return &v }
