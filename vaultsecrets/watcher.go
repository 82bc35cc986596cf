package vaultsecrets

import (
	"context"
	"errors"
	"fmt"
	"sort"
	gosync "sync"
	"time"

	"go.uber.org/zap"
)

// Versioner reads the current KV v2 version of an owner's secret without reading its data.
// Implemented by *Vault. Version must return when ctx ends; a path that does not exist gives a
// *NotFoundError.
type Versioner interface {
	Version(ctx context.Context, owner Owner) (int, error)
}

// WatcherConfig configures a Watcher.
type WatcherConfig struct {
	// Source reads the versions: a *Vault. Required.
	Source Versioner
	// Cache, when set, is what the versions are compared with: an owner changed when Vault's current
	// version is not the one the Cache last read, or when the Cache has a failed read due for a
	// retry. Poll failures are reported to it, so its Health shows them. Without a Cache, an owner
	// changed when its version differs from the one the previous poll saw (the first poll of an
	// owner only sets its baseline).
	Cache *Cache
	// Interval between polls; DefaultPollInterval when 0.
	Interval time.Duration
	// MaxBackoff caps how long an owner whose poll fails is left alone (the interval doubles at each
	// failure, with jitter); DefaultMaxBackoff when 0 (never less than Interval).
	MaxBackoff time.Duration
	Logger     *zap.Logger // zap.NewNop() when nil
	Metrics    *Metrics    // nil: none
}

// Watcher finds secret rotations by polling KV v2 metadata: at each interval it reads the
// current_version of every watched owner's path, one request per path (never a value), and reports
// the owners whose secrets should be read again. Reports are signals, not data: a send on Changes (a
// channel of capacity 1, so a burst collapses into one wake-up), after which TakeChanged returns
// the owners changed since the last call. When Vault does not answer (unreachable, sealed), the
// rest of the round is skipped and every owner backs off, so an outage costs one failed request per
// round, not one per path.
//
// New starts nothing; Run polls until its context ends. SetOwners, Changes and TakeChanged are safe
// to call from any goroutine.
type Watcher struct {
	src      Versioner
	cache    *Cache
	interval time.Duration
	backoff  backoff
	log      *zap.Logger
	metrics  *Metrics
	signal   chan struct{} // capacity 1: owners changed since the last TakeChanged

	mu      gosync.Mutex // guards owners and changed
	owners  map[Owner]*watchState
	changed map[Owner]struct{}
}

// watchState is what the Watcher keeps of one owner.
type watchState struct {
	version  int  // the version the last successful poll saw; 0 when absent
	known    bool // version is set
	failures int  // consecutive failed polls
	next     time.Time
}

// NewWatcher returns a Watcher that watches no owner yet.
func NewWatcher(cfg WatcherConfig) (*Watcher, error) {
	if cfg.Source == nil {
		return nil, errors.New("vault watcher: no source")
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	interval := orDuration(cfg.Interval, DefaultPollInterval)
	maxBackoff := orDuration(cfg.MaxBackoff, DefaultMaxBackoff)
	return &Watcher{
		src:      cfg.Source,
		cache:    cfg.Cache,
		interval: interval,
		backoff:  newBackoff(interval, max(maxBackoff, interval)),
		log:      cfg.Logger,
		metrics:  cfg.Metrics,
		signal:   make(chan struct{}, 1),
		owners:   map[Owner]*watchState{},
		changed:  map[Owner]struct{}{},
	}, nil
}

// Interval is how often the Watcher polls.
func (w *Watcher) Interval() time.Duration { return w.interval }

// SetOwners replaces the watched owners with owners: call it after each reconcile with every owner
// whose secrets the serving generation uses. Owners kept keep their state; new ones are polled at
// the next round; invalid ones are ignored.
func (w *Watcher) SetOwners(owners []Owner) {
	w.mu.Lock()
	defer w.mu.Unlock()
	next := make(map[Owner]*watchState, len(owners))
	for _, o := range owners {
		if o.validate() != nil {
			continue
		}
		if st := w.owners[o]; st != nil {
			next[o] = st
		} else {
			next[o] = &watchState{}
		}
	}
	w.owners = next
	for o := range w.changed {
		if next[o] == nil {
			delete(w.changed, o)
		}
	}
	w.metrics.watched(len(next))
}

// Changes receives a value when owners changed since the last TakeChanged. Capacity 1: several
// changes before the receiver wakes give one value.
func (w *Watcher) Changes() <-chan struct{} { return w.signal }

// TakeChanged returns, sorted, the owners changed since the last call, and forgets them.
func (w *Watcher) TakeChanged() []Owner {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Owner, 0, len(w.changed))
	for o := range w.changed {
		out = append(out, o)
	}
	clear(w.changed)
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Run polls every interval, starting at once, until ctx ends; it then returns nil.
func (w *Watcher) Run(ctx context.Context) error {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		w.round(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// round polls every owner that is due, once.
func (w *Watcher) round(ctx context.Context) {
	start := time.Now()
	w.mu.Lock()
	due := make([]Owner, 0, len(w.owners))
	for o, st := range w.owners {
		if !start.Before(st.next) {
			due = append(due, o)
		}
	}
	w.mu.Unlock()
	if len(due) == 0 {
		return
	}
	sort.Slice(due, func(i, j int) bool { return due[i].String() < due[j].String() })

	var down error // Vault did not answer: the rest of the round fails with it
	changed := false
	for _, o := range due {
		var version int
		var err error
		if down != nil {
			err = down
		} else {
			version, err = w.src.Version(ctx, o)
			if ctx.Err() != nil {
				return
			}
			if unavailable(err) {
				err = fmt.Errorf("vault unavailable: %w", err)
				down = err
			}
		}
		reread := false
		if w.cache != nil {
			reread = w.cache.observe(o, version, err)
		}

		var nf *NotFoundError
		now := time.Now()
		w.mu.Lock()
		st := w.owners[o]
		if st == nil { // no longer watched
			w.mu.Unlock()
			continue
		}
		switch {
		case err == nil || errors.As(err, &nf):
			if st.known && version != st.version {
				if version != 0 {
					w.metrics.rotation()
				}
				w.log.Info("vault secret version changed", zap.Stringer("owner", o), zap.Int("from", st.version), zap.Int("to", version))
				if w.cache == nil {
					reread = true
				}
			}
			st.version, st.known = version, true
			st.failures, st.next = 0, time.Time{}
		default:
			st.failures++
			st.next = now.Add(w.backoff.delay(st.failures))
			if st.failures == 1 {
				w.log.Warn("vault metadata poll failed", zap.Stringer("owner", o), zap.Error(err))
			}
		}
		if reread {
			w.changed[o] = struct{}{}
			changed = true
		}
		w.mu.Unlock()
	}
	w.metrics.poll(start)
	if changed {
		select {
		case w.signal <- struct{}{}:
		default:
		}
	}
}
