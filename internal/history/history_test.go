package history

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// entry is an execution of trigger with outcome, its action failing when outcome is "failed".
func entry(id, trigger, action, outcome string, start time.Time, event string) *Entry {
	errJSON := "null"
	if outcome == "failed" {
		errJSON = `{"message":"boom"}`
	}
	res := fmt.Sprintf(`{"execution_id":%q,"trigger":%q,"commit":"0123456789abcdef","generation":3,"outcome":%q,`+
		`"actions":[{"name":%q,"version":"1","duration_ms":0.5,"logs":["hello"],"error":%s}],"commands":[],"result":{"access":{"denied":false}}}`,
		id, trigger, outcome, action, errJSON)
	return &Entry{Source: "execute", Start: start, Duration: 1500 * time.Microsecond, Event: []byte(event), Result: []byte(res),
		ID: id, Trigger: trigger, Commit: "0123456789abcdef", Generation: 3, Outcome: outcome, Actions: []string{action}}
}

func open(t *testing.T, opts Options) *History {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	opts.Logger = zaptest.NewLogger(t)
	h, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// runUntil runs h's writer, and returns a stop that drains and closes it.
func runUntil(t *testing.T, h *History) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		<-done
		if err := h.Close(); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls until h holds n records.
func waitFor(t *testing.T, h *History, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.db.countNow() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the history holds %d records, want %d", h.db.countNow(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRecordsListGetFiltersCursor(t *testing.T) {
	h := open(t, Options{})
	runUntil(t, h)
	base := time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC)
	now := time.Now()
	if base.After(now) {
		base = now.Add(-time.Hour)
	}
	for i := range 10 {
		trig, act, out := "post-login", "claims", "success"
		if i%3 == 0 {
			out = "failed"
		}
		if i%2 == 0 {
			trig, act = "pre-user-registration", "guard"
		}
		h.Enqueue(entry(fmt.Sprintf("ex-%d", i), trig, act, out, base.Add(time.Duration(i)*time.Second), `{"user":{"user_id":"u1"}}`))
	}
	waitFor(t, h, 10)

	raw, err := h.Get("ex-4")
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.ID != "ex-4" || rec.Trigger != "pre-user-registration" || rec.Generation != 3 || rec.DurationMS != 1.5 ||
		!rec.Time.Equal(base.Add(4*time.Second)) || rec.Source != "execute" || !bytes.Contains(rec.Actions, []byte(`"hello"`)) {
		t.Errorf("record ex-4: got %s", raw)
	}
	if _, err := h.Get("nope"); err != ErrNotFound {
		t.Errorf("Get(nope): got %v, want ErrNotFound", err)
	}

	ids := func(f Filter, limit int) []string {
		t.Helper()
		var out []string
		cursor := ""
		for page := 0; ; page++ {
			recs, next, err := h.List(f, cursor, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				var rec Record
				_ = json.Unmarshal(r, &rec)
				out = append(out, rec.ID)
			}
			if next == "" {
				return out
			}
			if len(recs) != limit {
				t.Fatalf("page %d has %d records and a next cursor, want %d", page, len(recs), limit)
			}
			cursor = next
		}
	}
	for _, tt := range []struct {
		name  string
		give  Filter
		limit int
		want  string
	}{
		{"all newest first", Filter{}, 50, "ex-9 ex-8 ex-7 ex-6 ex-5 ex-4 ex-3 ex-2 ex-1 ex-0"},
		{"all in pages of 3", Filter{}, 3, "ex-9 ex-8 ex-7 ex-6 ex-5 ex-4 ex-3 ex-2 ex-1 ex-0"},
		{"pages of 5, last page full", Filter{}, 5, "ex-9 ex-8 ex-7 ex-6 ex-5 ex-4 ex-3 ex-2 ex-1 ex-0"},
		{"failed", Filter{Outcome: "failed"}, 2, "ex-9 ex-6 ex-3 ex-0"},
		{"trigger", Filter{Trigger: "post-login"}, 50, "ex-9 ex-7 ex-5 ex-3 ex-1"},
		{"action", Filter{Action: "guard"}, 2, "ex-8 ex-6 ex-4 ex-2 ex-0"},
		{"commit prefix", Filter{Commit: "0123456"}, 50, "ex-9 ex-8 ex-7 ex-6 ex-5 ex-4 ex-3 ex-2 ex-1 ex-0"},
		{"other commit", Filter{Commit: "fedcba9"}, 50, ""},
		{"since until", Filter{Since: base.Add(2 * time.Second), Until: base.Add(5 * time.Second)}, 2, "ex-5 ex-4 ex-3 ex-2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(ids(tt.give, tt.limit), " "); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if _, _, err := h.List(Filter{}, "!!", 5); err != ErrBadCursor {
		t.Errorf("a bad cursor: got %v, want ErrBadCursor", err)
	}
}

// TestAtRest: the database file holds neither a secret (redacted) nor a PII value (hashed) nor
// any of the event's or logs' other text (encrypted), while the filterable fields are readable.
func TestAtRest(t *testing.T) {
	dir := t.TempDir()
	h := open(t, Options{Dir: dir, PII: PII{Hash: DefaultPIIHash, Drop: []string{"request.user_agent"}}})
	stop := runUntil(t, h)
	const canary = "sk_live_CANARY_5f3a9c"
	e := entry("ex-1", "post-login", "claims", "success", time.Now(),
		`{"user":{"email":"alice@example.com","phone_number":"+15550100"},"request":{"ip":"192.0.2.7","user_agent":"UA-TEXT-77"},"secrets_leak":"`+canary+`","note":"EVENT-NOTE-TEXT"}`)
	e.Redact = RedactFunc(func(s string) string { return strings.ReplaceAll(s, canary, "[REDACTED]") })
	e.Outbound = []byte(`[{"action":"claims","method":"GET","url":"https://api.example.com/?key=` + canary + `","status":200}]`)
	h.Enqueue(e)
	e2 := entry("ex-2", "post-login", "claims", "success", time.Now(), `{"user":{"email":"alice@example.com"}}`)
	h.Enqueue(e2)
	waitFor(t, h, 2)
	raw, _ := h.Get("ex-1")
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		User struct {
			Email string `json:"email"`
		} `json:"user"`
		Request map[string]any `json:"request"`
		Leak    string         `json:"secrets_leak"`
	}
	if err := json.Unmarshal(rec.Event, &ev); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(rec.Outbound, []byte(`"url":"https://api.example.com/?key=[REDACTED]"`)) {
		t.Errorf("the recorded outbound requests: %s", rec.Outbound)
	}
	if !strings.HasPrefix(ev.User.Email, "hmac-sha256:") || ev.Leak != "[REDACTED]" || ev.Request["user_agent"] != nil || ev.Request["ip"] == "192.0.2.7" {
		t.Errorf("the recorded event: got %s", rec.Event)
	}
	raw2, _ := h.Get("ex-2")
	var rec2 Record
	_ = json.Unmarshal(raw2, &rec2)
	if !bytes.Contains(rec2.Event, []byte(ev.User.Email)) {
		t.Errorf("the same email hashes differently: %s and %s", rec.Event, rec2.Event)
	}
	stop()
	data, err := os.ReadFile(filepath.Join(dir, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{canary, "alice@example.com", "+15550100", "192.0.2.7", "UA-TEXT-77", "EVENT-NOTE-TEXT", "hello"} {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("the database file holds %q", s)
		}
	}
	if !bytes.Contains(data, []byte("post-login")) {
		t.Error("the database file does not hold the trigger in clear: the test reads the wrong file")
	}
	// The key file was made with mode 0600, and another key does not read the records.
	if fi, err := os.Stat(filepath.Join(dir, "key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the key file: %v, %v", fi, err)
	}
	h2 := open(t, Options{Dir: dir, Key: bytes.Repeat([]byte("k"), 32)})
	defer h2.Close()
	if _, err := h2.Get("ex-1"); err != ErrNotFound {
		t.Errorf("another key: got %v, want a new database without the record", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "history.db.*.other-key")); len(m) != 1 {
		t.Errorf("the database of the other key was not kept aside: %v", m)
	}
}

func TestRetention(t *testing.T) {
	t.Run("age", func(t *testing.T) {
		h := open(t, Options{MaxAge: time.Hour})
		runUntil(t, h)
		now := time.Now()
		h.Enqueue(entry("old", "post-login", "a", "success", now.Add(-2*time.Hour), `{}`))
		h.Enqueue(entry("new", "post-login", "a", "success", now, `{}`))
		waitFor(t, h, 2)
		h.expire(time.Now()) // what Run does once a minute; the writer is idle by now
		if _, err := h.Get("old"); err != ErrNotFound {
			t.Errorf("the record over max_age: got %v, want deleted", err)
		}
		if _, err := h.Get("new"); err != nil {
			t.Errorf("the new record: %v", err)
		}
	})
	t.Run("size", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		// Batches of a few records: retention deletes whole segments, which would be over the
		// limit at once with the default wait's batch of all 100.
		h := open(t, Options{MaxSize: 20 << 10, Registerer: reg, BatchWait: time.Millisecond})
		runUntil(t, h)
		for i := range 100 {
			// Random padding: records are stored compressed, and a repeated one would take no room.
			pad := make([]byte, 500)
			_, _ = rand.Read(pad)
			h.Enqueue(entry(fmt.Sprintf("ex-%03d", i), "post-login", "a", "success", time.Now(), `{"pad":"`+hex.EncodeToString(pad)+`"}`))
			time.Sleep(time.Millisecond) // the queue (1024) holds them all; this only spreads the batches
		}
		deadline := time.Now().Add(10 * time.Second)
		for testutil.ToFloat64(h.metrics.written) < 100 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := h.db.sizeNow(); got > 20<<10 {
			t.Errorf("the records take %d bytes, over max_size %d", got, 20<<10)
		}
		if _, err := h.Get("ex-099"); err != nil {
			t.Errorf("the newest record: %v", err)
		}
		if _, err := h.Get("ex-000"); err != ErrNotFound {
			t.Errorf("the oldest record: got %v, want deleted", err)
		}
		if n := testutil.ToFloat64(h.metrics.deleted.WithLabelValues("size")); n < 50 {
			t.Errorf("deleted for size: %v", n)
		}
	})
}

func TestQueueFullDrops(t *testing.T) {
	h := open(t, Options{Queue: 4})
	// No writer runs: the queue fills.
	for i := range 10 {
		h.Enqueue(entry(fmt.Sprintf("ex-%d", i), "post-login", "a", "success", time.Now(), `{}`))
	}
	if got := testutil.ToFloat64(h.metrics.dropped.WithLabelValues(droppedQueueFull)); got != 6 {
		t.Errorf("dropped for a full queue: got %v, want 6", got)
	}
	runUntil(t, h)
	waitFor(t, h, 4)
}

func TestSampling(t *testing.T) {
	h := open(t, Options{SampleRate: ptr(0.0)})
	defer h.Close()
	if h.Keep(false) {
		t.Error("a success was kept at sample rate 0")
	}
	if !h.Keep(true) {
		t.Error("a failure was left out at sample rate 0")
	}
	h2 := open(t, Options{SampleRate: ptr(0.5)})
	defer h2.Close()
	kept := 0
	for range 10000 {
		if h2.Keep(false) {
			kept++
		}
	}
	if kept < 4000 || kept > 6000 {
		t.Errorf("kept %d of 10000 at 0.5", kept)
	}
}

// TestFullDisk writes the database on a 1 MiB tmpfs until it is full: writes fail and are
// counted, Enqueue keeps returning at once, and records fit again once retention frees space.
func TestFullDisk(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("a full disk needs a small file system: mounting a tmpfs failed (not root?): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	reg := prometheus.NewRegistry()
	h := open(t, Options{Dir: dir, Registerer: reg, MaxSize: 64 << 20})
	runUntil(t, h)
	// Fill the file system beside the database, leaving it little room.
	filler, _ := os.Create(filepath.Join(dir, "filler"))
	buf := make([]byte, 64<<10)
	for {
		if _, err := filler.Write(buf); err != nil {
			break
		}
	}
	filler.Close()
	pad := strings.Repeat("y", 20000)
	for i := range 40 {
		start := time.Now()
		h.Enqueue(entry(fmt.Sprintf("ex-%d", i), "post-login", "a", "success", time.Now(), `{"pad":"`+pad+`"}`))
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Enqueue took %s on a full disk", d)
		}
		time.Sleep(2 * time.Millisecond)
	}
	deadline := time.Now().Add(10 * time.Second)
	for testutil.ToFloat64(h.metrics.writeErrors.WithLabelValues("write")) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if testutil.ToFloat64(h.metrics.writeErrors.WithLabelValues("write")) == 0 {
		t.Fatalf("no write failed on a full file system (%v records written)", testutil.ToFloat64(h.metrics.written))
	}
	// Space again: the next record is written.
	os.Remove(filepath.Join(dir, "filler"))
	h.Enqueue(entry("after", "post-login", "a", "success", time.Now(), `{}`))
	deadline = time.Now().Add(10 * time.Second)
	for {
		if _, err := h.Get("after"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no record was written once the disk had space again")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSubscribe(t *testing.T) {
	h := open(t, Options{})
	runUntil(t, h)
	sub := h.Subscribe(Filter{Outcome: "failed"})
	defer sub.Cancel()
	h.Enqueue(entry("ok", "post-login", "a", "success", time.Now(), `{}`))
	h.Enqueue(entry("bad", "post-login", "a", "failed", time.Now(), `{}`))
	select {
	case b := <-sub.C:
		if !bytes.Contains(b, []byte(`"id":"bad"`)) {
			t.Errorf("the live tail got %s, want the failed execution", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no record on the live tail")
	}
}

func ptr[T any](v T) *T { return &v }

// TestOutOfOrderAndRewrittenKeys: a batch whose executions started out of order, one that started
// before the previous batch's last, and the same execution written twice are all stored once,
// listed newest first, and counted once (put looks up only the keys not above the last one).
func TestOutOfOrderAndRewrittenKeys(t *testing.T) {
	h := open(t, Options{})
	defer h.Close()
	base := time.Now().Add(-time.Minute).Truncate(time.Second)
	mk := func(i int) *Entry {
		return entry(fmt.Sprintf("ex-%d", i), "post-login", "claims", "success", base.Add(time.Duration(i)*time.Second), `{}`)
	}
	h.write([]*Entry{mk(3), mk(1), mk(2)})
	h.write([]*Entry{mk(5), mk(0)})
	h.write([]*Entry{mk(2)}) // again
	if n := h.db.countNow(); n != 5 {
		t.Fatalf("%d records counted, want 5", n)
	}
	size := h.db.sizeNow()
	h.write([]*Entry{mk(5), mk(1)})
	if n, s := h.db.countNow(), h.db.sizeNow(); n != 5 || s != size {
		t.Fatalf("rewriting two records: %d records, %d bytes; want 5, %d", n, s, size)
	}
	recs, _, err := h.List(Filter{}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, raw := range recs {
		var r Record
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, " "); got != "ex-5 ex-3 ex-2 ex-1 ex-0" {
		t.Fatalf("listed %s, want ex-5 ex-3 ex-2 ex-1 ex-0", got)
	}
}

// TestSubscriberBodiesOutliveLaterBatches: the writer reuses its buffers from one batch to the
// next only when no subscriber was given a body from them, so that a body a slow subscriber reads
// after later batches were written is still the record it was sent.
func TestSubscriberBodiesOutliveLaterBatches(t *testing.T) {
	h := open(t, Options{})
	defer h.Close()
	sub := h.Subscribe(Filter{Trigger: "post-login"})
	defer sub.Cancel()
	now := time.Now()
	h.write([]*Entry{entry("ex-a", "post-login", "claims", "success", now, `{"n":1}`)})
	for i := range 3 { // batches no subscriber matches, then one it does
		h.write([]*Entry{entry(fmt.Sprintf("ex-other-%d", i), "pre-user-registration", "guard", "success", now, `{"n":2}`)})
	}
	h.write([]*Entry{entry("ex-b", "post-login", "claims", "success", now, `{"n":3}`)})
	h.write([]*Entry{entry("ex-c", "pre-user-registration", "guard", "success", now, `{"n":4}`)})
	for _, want := range []string{"ex-a", "ex-b"} {
		var r Record
		if err := json.Unmarshal(<-sub.C, &r); err != nil {
			t.Fatal(err)
		}
		if r.ID != want || r.Trigger != "post-login" {
			t.Fatalf("the subscriber read %s (%s), want %s", r.ID, r.Trigger, want)
		}
	}
}

// TestFullBatchWakesWriter: the writer waits up to BatchWait for more records, but writes as soon
// as a whole batch is queued.
func TestFullBatchWakesWriter(t *testing.T) {
	h := open(t, Options{BatchWait: time.Hour, Queue: 2 * maxBatch})
	runUntil(t, h)
	h.Enqueue(entry("first", "post-login", "a", "success", time.Now(), `{}`))
	time.Sleep(50 * time.Millisecond) // the writer took it, and waits for more
	for i := range maxBatch {
		h.Enqueue(entry(fmt.Sprintf("ex-%d", i), "post-login", "a", "success", time.Now(), `{}`))
	}
	waitFor(t, h, maxBatch) // within waitFor's 10 s, not the hour
}

// TestQueueBeyondABatch: entries queued before the writer runs, more than a batch of them, are
// all written, the ones beyond the first batch without another execution to wake the writer.
func TestQueueBeyondABatch(t *testing.T) {
	h := open(t, Options{BatchWait: time.Millisecond, Queue: 3 * maxBatch})
	n := 2*maxBatch + 5
	for i := range n {
		h.Enqueue(entry(fmt.Sprintf("ex-%d", i), "post-login", "a", "success", time.Now(), `{}`))
	}
	if q := h.Stats().Queued; q != n {
		t.Fatalf("%d queued, want %d", q, n)
	}
	runUntil(t, h)
	waitFor(t, h, int64(n))
	if q := h.Stats().Queued; q != 0 {
		t.Errorf("%d still queued", q)
	}
}
