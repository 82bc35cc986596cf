package bridges

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func auth0Signed(secret string, at time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	h := http.Header{}
	h.Set(Auth0TimestampHeader, ts)
	h.Set(Auth0SignatureHeader, "v1="+hex.EncodeToString(mac.Sum(nil)))
	return h
}

func TestAuth0HMAC(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	v, err := NewAuth0HMAC(secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewAuth0HMAC("short"); err == nil {
		t.Error("a short secret is accepted")
	}
	now := time.Now()
	body := []byte(`{"user":{"user_id":"u1"}}`)
	h := auth0Signed(secret, now, body)
	if _, _, reason, ok := v.Verify(h, body, now); !ok {
		t.Fatalf("a good signature: %s", reason)
	}
	if _, _, reason, _ := v.Verify(h, append(body, ' '), now); reason != ReasonBad {
		t.Errorf("body changed: %q", reason)
	}
	if _, _, reason, _ := v.Verify(auth0Signed("another secret of 32 bytes or more", now, body), body, now); reason != ReasonBad {
		t.Errorf("another secret: %q", reason)
	}
	if _, _, reason, _ := v.Verify(h, body, now.Add(Tolerance+2*time.Second)); reason != ReasonStale {
		t.Errorf("stale: %q", reason)
	}
	if n := testing.AllocsPerRun(200, func() { v.Verify(h, body, now) }); n != 0 {
		t.Errorf("Verify allocates %v times per request", n)
	}
}

// TestReplayCache: a key is seen until it may be forgotten; past the bound the oldest is dropped
// and the rest kept; a key that came again outlives its first entry's expiry.
func TestReplayCache(t *testing.T) {
	var c replayCache
	now := time.Unix(1_700_000_000, 0)
	key := func(i int) (k [32]byte) {
		copy(k[:], strconv.Itoa(i))
		return k
	}
	if c.seen(key(1), now.Add(time.Minute), now) {
		t.Fatal("a new key is seen")
	}
	if !c.seen(key(1), now.Add(time.Minute), now.Add(30*time.Second)) {
		t.Error("a replay within the window is not seen")
	}
	if c.seen(key(1), now.Add(3*time.Minute), now.Add(2*time.Minute)) {
		t.Error("a key past its window is still seen")
	}
	// key(1) came again, to be forgotten at +3m: its first entry's expiry must not drop it.
	if !c.seen(key(1), now.Add(3*time.Minute), now.Add(2*time.Minute+time.Second)) {
		t.Error("the key that came again was forgotten with its first entry")
	}
	later := now.Add(2 * time.Minute)
	for i := 2; i < maxReplayKeys+10; i++ {
		c.seen(key(i), later.Add(time.Hour), later)
	}
	if n := len(c.keys); n > maxReplayKeys {
		t.Errorf("%d keys held, more than %d", n, maxReplayKeys)
	}
	if c.seen(key(1), now.Add(3*time.Minute), later) {
		t.Error("the oldest key was not dropped when the cache was full")
	}
	if !c.seen(key(maxReplayKeys+5), later.Add(time.Hour), later) {
		t.Error("a recent key was dropped")
	}
	if n := len(c.order) - c.head; n != len(c.keys) {
		t.Errorf("the queue holds %d keys, the map %d", n, len(c.keys))
	}
}

// BenchmarkAuth0Verify: the Auth0 bridge's signature check allocates nothing (the MAC is pooled).
func BenchmarkAuth0Verify(b *testing.B) {
	const secret = "0123456789abcdef0123456789abcdef"
	v, _ := NewAuth0HMAC(secret)
	now := time.Now()
	body := []byte(`{"user":{"user_id":"auth0|123","email":"ada@example.com"},"transaction":{"id":"t1"}}`)
	h := auth0Signed(secret, now, body)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, reason, ok := v.Verify(h, body, now); !ok {
			b.Fatal(reason)
		}
	}
}
