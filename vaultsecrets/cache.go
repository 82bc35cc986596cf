package vaultsecrets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	gosync "sync"
	"time"

	"go.uber.org/zap"
)

// Owner states in OwnerHealth.
const (
	StateOK       = "ok"       // the values in use are the current version's
	StateDegraded = "degraded" // the last good values are served: Vault failed, or the current version is unusable
	StateFailed   = "failed"   // no good values were ever read
)

// CacheConfig configures a Cache.
type CacheConfig struct {
	Logger  *zap.Logger // zap.NewNop() when nil
	Metrics *Metrics    // nil: none
	// MinBackoff and MaxBackoff bound the delay before a failed read is asked for again
	// (DefaultMinBackoff, DefaultMaxBackoff when 0).
	MinBackoff, MaxBackoff time.Duration
}

// Cache is a Source that keeps the last good secrets of each owner and serves them when a fresh
// read fails: Vault unreachable or sealed, a 403, the path deleted, a declared key missing from a
// new version (ReadNames). Such an owner is degraded, with the reason, until a read succeeds
// again. A failed read is retried no sooner than a capped, jittered backoff: the Watcher asks for it
// (see TakeChanged) when its metadata poll finds the owner due. An owner that never had good values
// returns the error (or, for missing keys, the incomplete secret, for the caller to name the keys).
//
// It is safe for concurrent use and starts nothing. It keeps values in memory only.
type Cache struct {
	src     Source
	log     *zap.Logger
	metrics *Metrics
	backoff backoff

	mu      gosync.Mutex // guards entries
	entries map[Owner]*entry
}

var _ Source = (*Cache)(nil)

// entry is what the Cache knows of one owner.
type entry struct {
	path      string
	good      *Secret   // last good read: every name declared then was present
	observed  int       // version of the last successful data read, 0 when the path was found absent
	seen      bool      // observed is known (a read or a poll answered)
	latest    int       // the current version the last poll or read found; 0 when absent
	readErr   error     // the last read failed (or missed keys); nil once one succeeds
	pollErr   error     // the last metadata poll failed; nil once one succeeds
	since     time.Time // when the owner became degraded or failed
	failures  int       // consecutive failed reads
	retryAt   time.Time // when a failed read is due again
	requested int       // version a re-read was last asked for; -1: none pending
	askedAt   time.Time // when it was asked
}

// MissingKeysError says that the version read lacks names the owner declares.
type MissingKeysError struct {
	Path    string
	Version int
	Names   []string
}

func (e *MissingKeysError) Error() string {
	return fmt.Sprintf("secret %s version %d: missing keys %s", e.Path, e.Version, strings.Join(e.Names, ", "))
}

// NewCache returns a Cache over src.
func NewCache(src Source, cfg CacheConfig) *Cache {
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	return &Cache{
		src:     src,
		log:     cfg.Logger,
		metrics: cfg.Metrics,
		backoff: newBackoff(cfg.MinBackoff, cfg.MaxBackoff),
		entries: map[Owner]*entry{},
	}
}

// Read is ReadNames with no declared names.
func (c *Cache) Read(ctx context.Context, owner Owner) (*Secret, error) {
	return c.ReadNames(ctx, owner, nil)
}

// ReadNames reads owner's secrets from the source. When the read succeeds and has every name in
// names, the secret becomes the owner's last good one and is returned. Otherwise, if the owner has
// last good values that have every name, those are returned with Secret.Degraded saying why, and a
// nil error; if not, the source's error is returned (or, when only keys are missing, the fresh
// secret, so that the caller names the missing keys).
func (c *Cache) ReadNames(ctx context.Context, owner Owner, names []string) (*Secret, error) {
	sec, err := c.src.Read(ctx, owner)
	if err != nil && ctx.Err() != nil {
		return nil, err // the caller gave up: nothing learned about Vault
	}
	if unavailable(err) {
		err = fmt.Errorf("vault unavailable: %w", err)
	}
	now := time.Now()

	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(owner)
	e.requested = -1
	if sec != nil {
		e.path = sec.Path
	}
	var nf *NotFoundError
	if errors.As(err, &nf) {
		e.path = nf.Path
		e.observed, e.latest, e.seen = 0, 0, true
	}
	if err == nil {
		e.observed, e.latest, e.seen = sec.Version, sec.Version, true
		if _, missing := sec.Values.Pick(names); len(missing) > 0 {
			err = &MissingKeysError{Path: sec.Path, Version: sec.Version, Names: missing}
		}
	}
	if err == nil {
		if e.readErr != nil || e.pollErr != nil {
			c.log.Info("vault secret recovered", zap.Stringer("owner", owner), zap.String("path", sec.Path), zap.Int("version", sec.Version))
		}
		e.good, e.readErr, e.pollErr, e.failures, e.retryAt, e.since = sec, nil, nil, 0, time.Time{}, time.Time{}
		c.metrics.owner(owner, sec, false)
		return sec, nil
	}

	var mk *MissingKeysError
	if errors.As(err, &mk) {
		e.failures, e.retryAt = 0, time.Time{} // reading the same version again will not help
	} else {
		e.failures++
		e.retryAt = now.Add(c.backoff.delay(e.failures))
	}
	if e.readErr == nil && e.pollErr == nil {
		e.since = now
	}
	e.readErr = err
	c.metrics.owner(owner, nil, true)
	if e.good != nil {
		if _, missing := e.good.Values.Pick(names); len(missing) == 0 {
			stale := *e.good
			stale.Degraded = fmt.Sprintf("serving version %d read at %s: %v", e.good.Version, e.good.ReadAt.UTC().Format(time.RFC3339), err)
			c.log.Warn("vault secret degraded: serving the last good values", zap.Stringer("owner", owner),
				zap.Int("version", e.good.Version), zap.Error(err), zap.Time("next_retry", e.retryAt))
			return &stale, nil
		}
	}
	c.log.Warn("vault secret unavailable and no good values to serve", zap.Stringer("owner", owner), zap.Error(err))
	if mk != nil {
		return sec, nil
	}
	return nil, err
}

// entry returns owner's entry, creating it. c.mu must be held.
func (c *Cache) entry(owner Owner) *entry {
	e := c.entries[owner]
	if e == nil {
		e = &entry{requested: -1}
		if p, ok := c.src.(interface{ Path(Owner) (string, error) }); ok {
			e.path, _ = p.Path(owner)
		}
		c.entries[owner] = e
	}
	return e
}

// observe records what a metadata poll found for owner: its current version, or err. It reports
// whether owner should be read again: the version is not the one last read, or a failed read is due
// for a retry. It asks once per version (again after MaxBackoff if no read followed).
func (c *Cache) observe(owner Owner, version int, err error) bool {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(owner)
	var nf *NotFoundError
	if errors.As(err, &nf) {
		// Authoritative: the path or its current version is gone. Keep serving what we have.
		err = nf
		if e.seen && e.observed == 0 && e.pollErr != nil {
			return false
		}
		e.observed, e.latest, e.seen = 0, 0, true
	}
	if err != nil {
		if e.readErr == nil && e.pollErr == nil {
			e.since = now
			c.log.Warn("vault secret degraded: metadata poll failed", zap.Stringer("owner", owner), zap.Error(err))
		}
		e.pollErr = err
		c.metrics.owner(owner, nil, true)
		return false
	}
	e.latest = version
	if e.pollErr != nil {
		e.pollErr = nil
		if e.readErr == nil {
			e.since = time.Time{}
			if e.good != nil && e.good.Version == version {
				c.log.Info("vault secret recovered", zap.Stringer("owner", owner), zap.Int("version", version))
				c.metrics.owner(owner, e.good, false)
			}
		}
	}
	var mk *MissingKeysError
	due := !e.seen || version != e.observed ||
		(e.readErr != nil && !errors.As(e.readErr, &mk) && !now.Before(e.retryAt))
	if !due {
		return false
	}
	if e.requested == version && now.Sub(e.askedAt) < c.backoff.max {
		return false
	}
	e.requested, e.askedAt = version, now
	return true
}

// Retain forgets every owner not in owners: their last good values, health and metrics.
func (c *Cache) Retain(owners []Owner) {
	keep := make(map[Owner]bool, len(owners))
	for _, o := range owners {
		keep[o] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for o := range c.entries {
		if !keep[o] {
			delete(c.entries, o)
			c.metrics.forget(o)
		}
	}
}

// OwnerHealth is the state of one owner's secrets: where, which version, when, and what failed.
// It never holds a value.
type OwnerHealth struct {
	Owner     string    `json:"owner"`                    // "modules/logger"
	Path      string    `json:"path"`                     // "secret/actionsd/modules/logger"
	State     string    `json:"state"`                    // StateOK, StateDegraded, StateFailed
	Version   int       `json:"version"`                  // the version in use; 0 when none
	ReadAt    time.Time `json:"read_at,omitzero"`         // when the version in use was read
	Latest    int       `json:"latest_version,omitempty"` // the current version Vault last reported
	Error     string    `json:"error,omitempty"`          // why the owner is degraded or failed
	Since     time.Time `json:"since,omitzero"`           // since when
	Failures  int       `json:"failures,omitempty"`       // consecutive failed reads
	NextRetry time.Time `json:"next_retry,omitzero"`      // when a failed read is due again
}

// Health returns the state of every owner the Cache knows, sorted by owner.
func (c *Cache) Health() []OwnerHealth {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]OwnerHealth, 0, len(c.entries))
	for o, e := range c.entries {
		h := OwnerHealth{Owner: o.String(), Path: e.path, Latest: e.latest, Failures: e.failures, State: StateOK}
		if e.good != nil {
			h.Version, h.ReadAt = e.good.Version, e.good.ReadAt
		}
		if err := errors.Join(e.readErr, e.pollErr); err != nil {
			h.Error = strings.ReplaceAll(err.Error(), "\n", "; ")
			h.Since = e.since
			h.NextRetry = e.retryAt
			h.State = StateDegraded
			if e.good == nil {
				h.State = StateFailed
			}
		} else if e.good == nil {
			continue // known from a poll only: nothing read yet
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Owner < out[j].Owner })
	return out
}

// Degraded lists the owners that are not StateOK, sorted.
func (c *Cache) Degraded() []string {
	var out []string
	for _, h := range c.Health() {
		if h.State != StateOK {
			out = append(out, h.Owner)
		}
	}
	return slices.Clip(out)
}
