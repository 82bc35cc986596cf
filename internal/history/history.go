// Package history records executions (issue 16): every execution the API serves becomes a
// Record in an embedded bbolt database under the data dir, encrypted at rest with AES-GCM, with
// its event passed through a PII policy and the generation's secret redaction first. Retention is
// bounded by size and age; successes may be sampled, failures are always kept.
//
// Recording never blocks an execution: Enqueue puts an Entry on a bounded queue without waiting,
// and drops it (counted) when the queue is full; one writer goroutine (Run) builds, encrypts and
// writes records in batches, and counts the writes that fail (a full disk) while executions go on.
// Readers list records newest first with filters and a cursor (List), fetch one by id (Get), or
// follow new ones (Subscribe).
//
// It knows no runner and no HTTP: the API hands it bytes.
package history

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Defaults of Options.
const (
	DefaultMaxSize    = 1 << 30
	DefaultMaxAge     = 7 * 24 * time.Hour
	DefaultSampleRate = 1.0
	DefaultQueue      = 4096
	// DefaultBatchWait is how long the writer waits for more records before it writes a
	// transaction: a commit costs about half a millisecond of CPU whatever it holds (bbolt
	// fsyncs twice), so that under load fewer, larger batches cost less per record.
	DefaultBatchWait = 200 * time.Millisecond
	// maxBatch bounds the records written in one transaction; the writer writes as soon as a
	// batch of them waits.
	maxBatch = 1024
)

// DefaultPIIHash are the event fields hashed by default: the Auth0 event's, and the copies of the
// email and phone that the Supabase and Kratos bridges keep in their own members of the event
// (supabase.claims as Supabase sent them, kratos.identity.traits with the identity schema's
// usual names), which would otherwise be recorded in clear beside the hashed user.email.
var DefaultPIIHash = []string{"request.ip", "user.email", "user.phone_number",
	"supabase.claims.email", "supabase.claims.phone", "kratos.identity.traits.email", "kratos.identity.traits.phone", "kratos.identity.traits.phone_number"}

// Options configure a History.
type Options struct {
	// Dir holds the database (history.db) and, when Key is empty, the generated key file (key).
	Dir string
	// Key is the key material, at least 32 bytes: the AES-256-GCM key and the PII hash key are
	// derived from it. Empty: the key file in Dir, made (random, mode 0600) when missing.
	Key []byte
	// MaxSize bounds the bytes of the stored records (DefaultMaxSize when 0); the oldest go first.
	MaxSize int64
	// MaxAge bounds how long a record is kept (DefaultMaxAge when 0).
	MaxAge time.Duration
	// SampleRate is the share of executions without failure that are kept, from 0 to 1; failures
	// are always kept. Nil: DefaultSampleRate.
	SampleRate *float64
	// Queue is the capacity of the queue in front of the writer (DefaultQueue when 0).
	Queue int
	// BatchWait is how long the writer waits for more records after the first of a batch
	// (DefaultBatchWait when 0); it does not wait once maxBatch records are queued. Records
	// reach the readers and the live tail once written.
	BatchWait time.Duration
	// PII lists the event fields (dotted paths) dropped or hashed before a record is written.
	PII PII
	// Registerer receives the metrics; nil registers none.
	Registerer prometheus.Registerer
	Logger     *zap.Logger
}

// PII is the policy for personal data in the event: each field is a dotted path such as
// "user.email" ("request.query.login_hint"); a path that is absent is skipped.
type PII struct {
	Drop []string // removed from the event
	// Hash replaces each value by "hmac-sha256:<hex>", a keyed hash with the history key, so that
	// equal values stay equal across records (joinable) without being readable.
	Hash []string
}

// Entry is one execution as the API hands it over, copied out of the request and the Result
// before either is released: the writer builds the record from it without decoding the Result.
type Entry struct {
	Source   string // "execute", "test", "continue", "bridge:<bridge>/<hook>"
	Start    time.Time
	Duration time.Duration
	Revision string // "stable" or "canary" during a rollout; empty otherwise
	// The Result's execution_id, trigger, commit, generation and outcome, and the names of the
	// actions that ran.
	ID, Trigger, Commit, Outcome string
	Generation                   int64
	Actions                      []string
	// Event is the request's event (JSON object); nil for none (a continue without a body).
	Event []byte
	// Result is the Result's JSON as runner.Result.AppendJSON writes it: the record takes its
	// members from "actions" on (actions, commands, result, and outbound when it writes them).
	Result []byte
	// Outbound is the JSON array of the outbound requests when Result does not carry them
	// ("outbound" in the record); nil: none, or in Result.
	Outbound []byte
	// Redact replaces the generation's secret values in a string; nil: none. The runner redacted
	// the Result's logs and errors already; this applies to the event and the rest too. (An
	// interface, not a func: the generation itself, without a method value allocated per
	// execution.)
	Redact Redactor

	// The storage of SetEvent and SetResult, kept with the Entry in entryPool.
	eventBuf, resultBuf []byte
}

// Redactor replaces secret values in a string, returning its argument when there is none.
type Redactor interface{ Redact(string) string }

// RedactFunc is a func as a Redactor.
type RedactFunc func(string) string

// Redact calls f.
func (f RedactFunc) Redact(s string) string { return f(s) }

// entryPool keeps Entries and their buffers from one execution to the next: the execution's copy
// of its event and Result allocates nothing once the pool is warm.
var entryPool = gosync.Pool{New: func() any { return new(Entry) }}

// maxPooledEntry bounds the buffers an Entry keeps in the pool.
const maxPooledEntry = 64 << 10

// NewEntry returns an empty Entry, from a pool that the writer returns it to once recorded.
func NewEntry() *Entry { return entryPool.Get().(*Entry) }

// SetEvent sets Event to a copy of event (nil stays nil).
func (e *Entry) SetEvent(event []byte) {
	if event == nil {
		e.Event = nil
		return
	}
	e.eventBuf = append(e.eventBuf[:0], event...)
	e.Event = e.eventBuf
}

// SetResult sets Result to a copy of result.
func (e *Entry) SetResult(result []byte) {
	e.resultBuf = append(e.resultBuf[:0], result...)
	e.Result = e.resultBuf
}

// release returns e to the pool: nothing refers to it any more.
func (h *History) release(e *Entry) {
	if cap(e.eventBuf) > maxPooledEntry || cap(e.resultBuf) > maxPooledEntry {
		return
	}
	*e = Entry{eventBuf: e.eventBuf[:0], resultBuf: e.resultBuf[:0], Actions: e.Actions[:0]}
	entryPool.Put(e)
}

// History is the execution history: the database, the queue and its writer.
type History struct {
	opts Options
	rate float64 // Options.SampleRate, default applied
	log  *zap.Logger
	db   *store
	// queue holds the entries for the writer, up to Options.Queue, under mu: a slice rather than
	// a channel, so that an execution enqueues with a mutex's fast path and the writer takes a
	// batch at once. ready wakes the writer when the queue was empty, and full out of its batch
	// wait when a whole batch is queued.
	mu          gosync.Mutex
	queue       []*Entry
	ready, full chan struct{}
	metrics     *metrics
	keys        keys
	build       builder // the writer's
	// arena is the writer's buffer of a batch's bodies, kept for the next batch when no
	// subscriber holds any of them.
	arena []byte
	// recs and names are the writer's buffers of a batch's records and their action names.
	recs    []built
	names   []string
	subs    subscribers
	closed  atomic.Bool
	runOnce gosync.Once
	// warned is when the writer last warned of failed writes, lost how many records failed since;
	// the writer alone uses them.
	warned time.Time
	lost   int
}

// warnEvery spaces the warnings of failed writes.
const warnEvery = time.Minute

// Open opens (or creates) the database in opts.Dir. It starts nothing: Run writes.
func Open(opts Options) (*History, error) {
	if opts.Dir == "" {
		return nil, errors.New("history: no directory")
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultMaxSize
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultMaxAge
	}
	rate := DefaultSampleRate
	if opts.SampleRate != nil {
		rate = *opts.SampleRate
	}
	if rate < 0 || rate > 1 {
		return nil, fmt.Errorf("history: sample rate %g: want a share from 0 to 1", rate)
	}
	if opts.Queue <= 0 {
		opts.Queue = DefaultQueue
	}
	if opts.BatchWait <= 0 {
		opts.BatchWait = DefaultBatchWait
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	material := opts.Key
	if len(material) == 0 {
		var err error
		if material, err = keyFile(filepath.Join(opts.Dir, "key"), opts.Logger); err != nil {
			return nil, err
		}
	}
	if len(material) < 32 {
		return nil, fmt.Errorf("history: the key is %d bytes: want at least 32", len(material))
	}
	ks, err := deriveKeys(material)
	if err != nil {
		return nil, err
	}
	m := newMetrics(opts.Registerer)
	db, err := openStore(filepath.Join(opts.Dir, "history.db"), ks, opts.Logger)
	if err != nil {
		return nil, err
	}
	m.size.Set(float64(db.size))
	return &History{build: newBuilder(opts.PII, newPIIMAC(ks.pii)), opts: opts, rate: rate, log: opts.Logger, db: db, queue: make([]*Entry, 0, min(opts.Queue, maxBatch)), ready: make(chan struct{}, 1), full: make(chan struct{}, 1), metrics: m, keys: ks}, nil
}

// Path is the database file's path.
func (h *History) Path() string { return h.db.path }

// Keep tells whether an execution with this outcome is kept: failures always (outcome "failed",
// or any action's error: failed is true), the others at the sample rate. The caller asks before it
// copies anything; an execution left out is counted.
func (h *History) Keep(failed bool) bool {
	if failed || h.rate >= 1 {
		return true
	}
	if h.rate > 0 && rand.Float64() < h.rate {
		return true
	}
	h.metrics.dropped.WithLabelValues(droppedSampled).Inc()
	return false
}

// Enqueue hands e to the writer without waiting: when the queue is full (or the history closed),
// e is dropped and counted.
func (h *History) Enqueue(e *Entry) {
	if h.closed.Load() {
		h.metrics.dropped.WithLabelValues(droppedClosed).Inc()
		return
	}
	h.mu.Lock()
	if len(h.queue) >= h.opts.Queue {
		h.mu.Unlock()
		h.metrics.dropped.WithLabelValues(droppedQueueFull).Inc()
		h.release(e)
		return
	}
	h.queue = append(h.queue, e)
	n := len(h.queue)
	h.mu.Unlock()
	switch {
	case n == 1:
		signal(h.ready)
	case n >= maxBatch:
		signal(h.full)
	}
}

// signal wakes the receiver of c, a channel of capacity 1, unless it is already woken.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Run writes what is queued until ctx ends, then what is still queued, and returns. It also
// applies the age limit once a minute. Run runs once.
func (h *History) Run(ctx context.Context) {
	h.runOnce.Do(func() { h.run(ctx) })
}

func (h *History) run(ctx context.Context) {
	h.expire(time.Now())
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	batch := make([]*Entry, 0, maxBatch)
	for {
		select {
		case <-ctx.Done():
			h.closed.Store(true)
			for {
				batch = h.drain(batch[:0])
				if len(batch) == 0 {
					return
				}
				h.write(batch)
			}
		case <-tick.C:
			h.expire(time.Now())
		case <-h.ready:
			if batch = h.drain(batch[:0]); len(batch) == 0 {
				continue
			}
			h.write(h.collect(ctx, batch))
			if h.queued() > 0 { // more than a batch was queued: no Enqueue signals the rest
				signal(h.ready)
			}
		}
	}
}

// collect appends what the queue holds, and when that is less than a batch, what came within
// BatchWait, or until a whole batch is queued: under load one transaction writes many records,
// and alone a record waits BatchWait at most. It sleeps rather than receives meanwhile, so that
// the executions that enqueue do not wake the writer one by one.
func (h *History) collect(ctx context.Context, batch []*Entry) []*Entry {
	if batch = h.drain(batch); len(batch) == maxBatch {
		return batch
	}
	t := time.NewTimer(h.opts.BatchWait)
	select {
	case <-t.C:
	case <-h.full:
		t.Stop()
	case <-ctx.Done():
		t.Stop()
	}
	return h.drain(batch)
}

// drain appends what the queue holds, up to maxBatch, without waiting.
func (h *History) drain(batch []*Entry) []*Entry {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := min(len(h.queue), maxBatch-len(batch))
	batch = append(batch, h.queue[:n]...)
	left := copy(h.queue, h.queue[n:])
	clear(h.queue[left:])
	h.queue = h.queue[:left]
	return batch
}

// queued is the number of entries queued.
func (h *History) queued() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.queue)
}

// write builds the batch's records and writes them in one transaction, then applies the limits
// and passes the records to the subscribers.
func (h *History) write(batch []*Entry) {
	// The batch's records and their action names, in buffers kept from one batch to the next:
	// nothing refers to a batch's once it is written (the subscribers get the bodies only).
	recs := h.recs[:0]
	defer func() { clear(recs); h.recs = recs[:0] }()
	n, names := 0, 0
	for _, e := range batch {
		n += 256 + len(e.Event) + len(e.Result) + len(e.Outbound)
		names += len(e.Actions)
	}
	h.build.names = slices.Grow(h.names[:0], names)
	defer func() { clear(h.build.names); h.names = h.build.names[:0] }()
	// Every body of the batch in one buffer: the last batch's, unless a subscriber was given
	// bodies from it.
	arena := h.arena[:0]
	h.arena = nil
	if cap(arena) < n {
		arena = make([]byte, 0, n)
	}
	for _, e := range batch {
		var b built
		var err error
		b, arena, err = h.build.build(arena, e)
		h.release(e)
		if err != nil {
			h.metrics.writeErrors.WithLabelValues("bad_entry").Inc()
			h.log.Warn("history: an execution could not be recorded", zap.Error(err))
			continue
		}
		recs = append(recs, b)
	}
	if len(recs) == 0 {
		return
	}
	if err := h.db.put(recs); err != nil {
		h.metrics.writeErrors.WithLabelValues("write").Add(float64(len(recs)))
		h.lost += len(recs)
		if now := time.Now(); now.Sub(h.warned) >= warnEvery { // a full disk fails every write: warn once a minute
			h.log.Warn("history: writing records failed; executions go on unrecorded (actionsd_history_write_errors_total)",
				zap.Int("records_lost", h.lost), zap.Error(err))
			h.warned, h.lost = now, 0
		}
		return
	}
	h.limitSize()
	h.metrics.size.Set(float64(h.db.sizeNow()))
	h.metrics.written.Add(float64(len(recs)))
	shared := false
	for i := range recs {
		shared = h.subs.publish(&recs[i]) || shared
	}
	if !shared && cap(arena) <= maxKeptArena {
		h.arena = arena[:0]
	}
}

// expire deletes the records older than MaxAge.
func (h *History) expire(now time.Time) {
	n, err := h.db.deleteBefore(now.Add(-h.opts.MaxAge))
	if err != nil {
		h.metrics.writeErrors.WithLabelValues("retention").Inc()
		h.log.Warn("history: deleting old records failed", zap.Error(err))
	}
	if n > 0 {
		h.metrics.deleted.WithLabelValues("age").Add(float64(n))
		h.metrics.size.Set(float64(h.db.sizeNow()))
	}
}

// limitSize deletes the oldest records while the stored records exceed MaxSize.
func (h *History) limitSize() {
	n, err := h.db.shrinkTo(h.opts.MaxSize)
	if err != nil {
		h.metrics.writeErrors.WithLabelValues("retention").Inc()
		h.log.Warn("history: deleting records over the size limit failed", zap.Error(err))
	}
	if n > 0 {
		h.metrics.deleted.WithLabelValues("size").Add(float64(n))
	}
}

// Close closes the database; call it after Run has returned.
func (h *History) Close() error {
	h.closed.Store(true)
	h.subs.closeAll()
	return h.db.close()
}

// Stats are the history's numbers for the status.
type Stats struct {
	Records    int64   `json:"records"`
	SizeBytes  int64   `json:"size_bytes"`
	MaxSize    int64   `json:"max_size_bytes"`
	MaxAge     string  `json:"max_age"`
	SampleRate float64 `json:"sample_rate"`
	Queued     int     `json:"queued"`
}

// Stats returns the history's numbers.
func (h *History) Stats() Stats {
	return Stats{Records: h.db.countNow(), SizeBytes: h.db.sizeNow(), MaxSize: h.opts.MaxSize, MaxAge: h.opts.MaxAge.String(),
		SampleRate: h.rate, Queued: h.queued()}
}
