package auth0

import (
	"sync"
	"time"
)

// api.cache limits, as Auth0 documents them.
const (
	CacheMaxEntries  = 20               // per trigger
	CacheMaxKeyBytes = 64               // per key
	CacheMaxValue    = 4096             // bytes per value
	CacheMaxTotal    = 8192             // bytes of keys and values per trigger
	CacheDefaultTTL  = 15 * time.Minute // when set gives neither ttl nor expires_at
	CacheMaxTTL      = 24 * time.Hour
)

// Cache error codes, returned to JavaScript as {type: 'error', code}.
const (
	CacheErrInvalidKey   = "invalid_key"    // empty key
	CacheErrKeyTooLong   = "key_too_long"   // over CacheMaxKeyBytes
	CacheErrInvalidValue = "invalid_value"  // not a string
	CacheErrValueTooLong = "value_too_long" // over CacheMaxValue
	CacheErrInvalidTTL   = "invalid_ttl"    // ttl or expires_at not a positive number
	CacheErrFull         = "cache_full"     // CacheMaxEntries live entries, or CacheMaxTotal bytes
	CacheErrNotFound     = "not_found"      // delete of a key that holds nothing
)

// Cache is the store behind api.cache: string values scoped per trigger, with Auth0's limits. It is
// best effort (entries may vanish early, as in Auth0) and safe for concurrent use. Share one Cache
// across generations (Options.Cache) so that entries survive a swap.
type Cache struct {
	now func() time.Time // tests replace it

	mu       sync.Mutex                       // guards triggers and spent
	triggers map[string]map[string]CacheEntry // trigger -> key -> entry
	// spent remembers the redirect states resumed already, until they expire: a Cache is the
	// state that a daemon shares across its generations.
	spent map[string]time.Time
}

// CacheEntry is one cached value.
type CacheEntry struct {
	Value     string
	ExpiresAt time.Time
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{now: time.Now, triggers: make(map[string]map[string]CacheEntry), spent: make(map[string]time.Time)}
}

// CacheError is a refused Set; Code is one of the CacheErr constants.
type CacheError struct {
	Code string
}

func (e *CacheError) Error() string { return "cache: " + e.Code }

// Get returns the live entry at key in trigger's scope.
func (c *Cache) Get(trigger, key string) (CacheEntry, bool) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.triggers[trigger][key]
	if !ok {
		return CacheEntry{}, false
	}
	if !now.Before(e.ExpiresAt) {
		delete(c.triggers[trigger], key)
		return CacheEntry{}, false
	}
	return e, true
}

// Set stores value at key in trigger's scope. The entry expires after ttl (CacheDefaultTTL when 0)
// or at expiresAt when that is not zero and earlier; lifetimes are capped at CacheMaxTTL.
func (c *Cache) Set(trigger, key, value string, ttl time.Duration, expiresAt time.Time) error {
	switch {
	case key == "":
		return &CacheError{Code: CacheErrInvalidKey}
	case len(key) > CacheMaxKeyBytes:
		return &CacheError{Code: CacheErrKeyTooLong}
	case len(value) > CacheMaxValue:
		return &CacheError{Code: CacheErrValueTooLong}
	case ttl < 0:
		return &CacheError{Code: CacheErrInvalidTTL}
	}
	now := c.now()
	if ttl == 0 {
		ttl = CacheDefaultTTL
	}
	ttl = min(ttl, CacheMaxTTL)
	exp := now.Add(ttl)
	if !expiresAt.IsZero() && expiresAt.Before(exp) {
		exp = expiresAt
	}
	if !now.Before(exp) {
		return &CacheError{Code: CacheErrInvalidTTL}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.triggers[trigger]
	if m == nil {
		m = make(map[string]CacheEntry)
		c.triggers[trigger] = m
	}
	old, exists := m[key]
	total := 0
	for k, e := range m {
		if !now.Before(e.ExpiresAt) {
			delete(m, k)
			continue
		}
		total += len(k) + len(e.Value)
	}
	if exists && now.Before(old.ExpiresAt) {
		total -= len(key) + len(old.Value)
	}
	if _, live := m[key]; !live && len(m) >= CacheMaxEntries || total+len(key)+len(value) > CacheMaxTotal {
		return &CacheError{Code: CacheErrFull}
	}
	m[key] = CacheEntry{Value: value, ExpiresAt: exp}
	return nil
}

// Spend records that the redirect state id was resumed and reports whether it was the first time.
func (c *Cache) Spend(id string, expires time.Time) bool {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spent == nil {
		c.spent = make(map[string]time.Time)
	}
	if _, ok := c.spent[id]; ok {
		return false
	}
	if len(c.spent) >= 1024 {
		for k, e := range c.spent {
			if !now.Before(e) {
				delete(c.spent, k)
			}
		}
	}
	c.spent[id] = expires
	return true
}

// Delete removes key from trigger's scope and reports whether a live entry was there.
func (c *Cache) Delete(trigger, key string) bool {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.triggers[trigger][key]
	if ok {
		delete(c.triggers[trigger], key)
	}
	return ok && now.Before(e.ExpiresAt)
}
