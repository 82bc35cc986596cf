package auth0

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCacheLimits(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	c := NewCache()
	c.now = func() time.Time { return now }

	tests := []struct {
		name      string
		key, val  string
		ttl       time.Duration
		expiresAt time.Time
		wantCode  string
	}{
		{name: "ok", key: "k", val: "v"},
		{name: "empty key", key: "", val: "v", wantCode: CacheErrInvalidKey},
		{name: "64-byte key", key: strings.Repeat("k", 64), val: "v"},
		{name: "65-byte key", key: strings.Repeat("k", 65), val: "v", wantCode: CacheErrKeyTooLong},
		{name: "4 kB value", key: "big", val: strings.Repeat("v", 4096)},
		{name: "value over 4 kB", key: "bigger", val: strings.Repeat("v", 4097), wantCode: CacheErrValueTooLong},
		{name: "negative ttl", key: "n", val: "v", ttl: -time.Second, wantCode: CacheErrInvalidTTL},
		{name: "expiry in the past", key: "p", val: "v", expiresAt: now.Add(-time.Second), wantCode: CacheErrInvalidTTL},
	}
	for _, tt := range tests {
		err := c.Set("post-login", tt.key, tt.val, tt.ttl, tt.expiresAt)
		var ce *CacheError
		switch {
		case tt.wantCode == "" && err != nil:
			t.Errorf("%s: Set error = %v, want nil", tt.name, err)
		case tt.wantCode != "" && (!errors.As(err, &ce) || ce.Code != tt.wantCode):
			t.Errorf("%s: Set error = %v, want code %s", tt.name, err, tt.wantCode)
		}
	}
}

func TestCacheExpiryAndCapacity(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	c := NewCache()
	c.now = func() time.Time { return now }

	if err := c.Set("post-login", "default", "v", 0, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if e, _ := c.Get("post-login", "default"); !e.ExpiresAt.Equal(now.Add(CacheDefaultTTL)) {
		t.Errorf("default expiry = %v, want %v", e.ExpiresAt, now.Add(CacheDefaultTTL))
	}
	_ = c.Set("post-login", "capped", "v", 48*time.Hour, time.Time{})
	if e, _ := c.Get("post-login", "capped"); !e.ExpiresAt.Equal(now.Add(CacheMaxTTL)) {
		t.Errorf("capped expiry = %v, want %v", e.ExpiresAt, now.Add(CacheMaxTTL))
	}
	_ = c.Set("post-login", "earlier", "v", time.Hour, now.Add(time.Minute))
	if e, _ := c.Get("post-login", "earlier"); !e.ExpiresAt.Equal(now.Add(time.Minute)) {
		t.Errorf("earlier expiry = %v, want %v", e.ExpiresAt, now.Add(time.Minute))
	}

	// Fill the scope to 20 live entries; the 21st new key is refused, an update is not.
	for i := len("abc"); i < CacheMaxEntries; i++ {
		if err := c.Set("post-login", "k"+string(rune('a'+i)), "v", time.Second, time.Time{}); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	var ce *CacheError
	if err := c.Set("post-login", "one-too-many", "v", 0, time.Time{}); !errors.As(err, &ce) || ce.Code != CacheErrFull {
		t.Errorf("21st entry: error = %v, want %s", err, CacheErrFull)
	}
	if err := c.Set("post-login", "default", "v2", 0, time.Time{}); err != nil {
		t.Errorf("update of an existing key: %v", err)
	}
	if err := c.Set("credentials-exchange", "other-scope", "v", 0, time.Time{}); err != nil {
		t.Errorf("another trigger's scope: %v", err)
	}
	// Once the short-lived entries expire there is room again.
	now = now.Add(2 * time.Second)
	if err := c.Set("post-login", "one-too-many", "v", 0, time.Time{}); err != nil {
		t.Errorf("after expiry: %v", err)
	}
	if _, ok := c.Get("post-login", "kd"); ok {
		t.Errorf("expired entry still returned")
	}
	if !c.Delete("post-login", "default") || c.Delete("post-login", "default") {
		t.Errorf("Delete: want true then false")
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := NewCache()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				key := string(rune('a' + (i+j)%20))
				_ = c.Set("post-login", key, "v", 0, time.Time{})
				c.Get("post-login", key)
				c.Delete("post-login", key)
			}
		}()
	}
	wg.Wait()
}
