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
