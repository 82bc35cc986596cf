package bridges

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
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

// TestReplayCache: a key is seen until it may be forgotten; a key that came again after its
// window is remembered anew; when a key's neighbourhood is full, the key that expires first is
// dropped and the others kept.
func TestReplayCache(t *testing.T) {
	var c replayCache
	now := time.Unix(1_700_000_000, 0)
	key := func(slot, i int) (k [32]byte) {
		binary.LittleEndian.PutUint64(k[:8], uint64(slot)) // the neighbourhood
		binary.LittleEndian.PutUint64(k[8:], uint64(i))
		return k
	}
	if c.seen(key(1, 1), now.Add(time.Minute), now) {
		t.Fatal("a new key is seen")
	}
	if !c.seen(key(1, 1), now.Add(time.Minute), now.Add(30*time.Second)) {
		t.Error("a replay within the window is not seen")
	}
	if c.seen(key(1, 1), now.Add(3*time.Minute), now.Add(2*time.Minute)) {
		t.Error("a key past its window is still seen")
	}
	if !c.seen(key(1, 1), now.Add(3*time.Minute), now.Add(2*time.Minute+time.Second)) {
		t.Error("the key that came again was forgotten")
	}
	// Fill key(1, 1)'s neighbourhood with keys that expire later: the next one drops key(1, 1),
	// which expires first, and keeps the rest.
	later := now.Add(2*time.Minute + time.Second)
	for i := 2; i <= replayProbe; i++ {
		if c.seen(key(1, i), later.Add(time.Hour), later) {
			t.Fatalf("key %d is seen before it came", i)
		}
	}
	c.seen(key(1, 100), later.Add(time.Hour), later)
	for _, i := range []int{2, replayProbe, 100} {
		if !c.seen(key(1, i), later.Add(time.Hour), later) {
			t.Errorf("key %d was dropped", i)
		}
	}
	// (Asking last: a key not seen is remembered, which drops another.)
	if c.seen(key(1, 1), now.Add(3*time.Minute), later) {
		t.Error("the key that expires first was not dropped from its full neighbourhood")
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

// BenchmarkReplayCacheFull: the replay check of a new key when the cache holds maxReplayKeys.
func BenchmarkReplayCacheFull(b *testing.B) {
	var c replayCache
	now := time.Now()
	var k [32]byte
	for i := range maxReplayKeys {
		binary.LittleEndian.PutUint64(k[:], uint64(i))
		c.seen(k, now.Add(time.Hour), now)
	}
	b.ReportAllocs()
	i := uint64(maxReplayKeys)
	for b.Loop() {
		i++
		binary.LittleEndian.PutUint64(k[:], i*0x9e3779b97f4a7c15)
		c.seen(k, now.Add(time.Hour), now)
	}
}
