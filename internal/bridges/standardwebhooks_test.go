package bridges

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func signed(t testing.TB, id string, at time.Time, body []byte) http.Header {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign(id, at, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	h.Set("webhook-signature", sig)
	return h
}

// TestStandardWebhooksAgreesWithLibrary checks the daemon's verification against the reference
// library's Verify, on good and tampered requests alike.
func TestStandardWebhooksAgreesWithLibrary(t *testing.T) {
	v, err := NewStandardWebhooks("v1," + testSecret)
	if err != nil {
		t.Fatal(err)
	}
	lib, _ := standardwebhooks.NewWebhook(testSecret)
	now := time.Now()
	body := []byte(`{"user_id":"u1","claims":{"sub":"u1"}}`)
	long := strings.Repeat("i", 200)
	cases := map[string]func() (http.Header, []byte){
		"good":         func() (http.Header, []byte) { return signed(t, "msg_1", now, body), body },
		"long id":      func() (http.Header, []byte) { return signed(t, long, now, body), body },
		"empty body":   func() (http.Header, []byte) { return signed(t, "msg_1", now, nil), nil },
		"body changed": func() (http.Header, []byte) { return signed(t, "msg_1", now, body), append([]byte(" "), body...) },
		"id changed": func() (http.Header, []byte) {
			h := signed(t, "msg_1", now, body)
			h.Set("webhook-id", "msg_2")
			return h, body
		},
		"timestamp moved": func() (http.Header, []byte) {
			h := signed(t, "msg_1", now, body)
			h.Set("webhook-timestamp", strconv.FormatInt(now.Unix()+1, 10))
			return h, body
		},
		"stale":  func() (http.Header, []byte) { return signed(t, "msg_1", now.Add(-6*time.Minute), body), body },
		"future": func() (http.Header, []byte) { return signed(t, "msg_1", now.Add(6*time.Minute), body), body },
		"no signature": func() (http.Header, []byte) {
			h := signed(t, "msg_1", now, body)
			h.Del("webhook-signature")
			return h, body
		},
		"not a number": func() (http.Header, []byte) {
			h := signed(t, "msg_1", now, body)
			h.Set("webhook-timestamp", "soon")
			return h, body
		},
		"second of two": func() (http.Header, []byte) {
			h := signed(t, "msg_1", now, body)
			h.Set("webhook-signature", "v1,"+strings.Repeat("A", 43)+"= "+h.Get("webhook-signature"))
			return h, body
		},
		"v2 only": func() (http.Header, []byte) {
			h := signed(t, "msg_1", now, body)
			h.Set("webhook-signature", "v2,"+strings.TrimPrefix(h.Get("webhook-signature"), "v1,"))
			return h, body
		},
	}
	for name, mk := range cases {
		h, b := mk()
		_, _, reason, ok := v.Verify(h, b, now)
		libErr := lib.Verify(b, h)
		if ok != (libErr == nil) {
			t.Errorf("%s: ours %v (%s), the library's %v", name, ok, reason, libErr)
		}
		if name == "stale" && (reason != ReasonStale || !errors.Is(libErr, standardwebhooks.ErrMessageTooOld)) {
			t.Errorf("stale: %s, %v", reason, libErr)
		}
	}
}

// TestStandardWebhooksAllocatesNothing: verifying a request allocates nothing once the pooled
// MAC exists.
func TestStandardWebhooksAllocatesNothing(t *testing.T) {
	v, _ := NewStandardWebhooks(testSecret)
	now := time.Now()
	body := []byte(`{"user_id":"u1","claims":{"sub":"u1"}}`)
	h := signed(t, "msg_2a9ee1f3-0f0e-4d0f-a8f5-2e0d3a6f7b1c", now, body)
	if _, _, reason, ok := v.Verify(h, body, now); !ok {
		t.Fatal(reason)
	}
	if n := testing.AllocsPerRun(200, func() { v.Verify(h, body, now) }); n != 0 {
		t.Errorf("Verify allocates %v times per request", n)
	}
}

func TestNewStandardWebhooksNamesNoValue(t *testing.T) {
	_, err := NewStandardWebhooks("v1,whsec_not base64!")
	if err == nil || strings.Contains(err.Error(), "not base64!") {
		t.Errorf("err = %v", err)
	}
	if _, err := NewStandardWebhooks("whsec_"); err == nil {
		t.Error("an empty key is accepted")
	}
}

func BenchmarkStandardWebhooksVerify(b *testing.B) {
	v, _ := NewStandardWebhooks(testSecret)
	now := time.Now()
	body := []byte(`{"user_id":"u1","claims":{"sub":"u1"}}`)
	h := signed(b, "msg_1", now, body)
	b.ReportAllocs()
	for b.Loop() {
		v.Verify(h, body, now)
	}
}

func BenchmarkStandardWebhooksLibraryVerify(b *testing.B) {
	lib, _ := standardwebhooks.NewWebhook(testSecret)
	now := time.Now()
	body := []byte(`{"user_id":"u1","claims":{"sub":"u1"}}`)
	h := signed(b, "msg_1", now, body)
	b.ReportAllocs()
	for b.Loop() {
		lib.Verify(body, h)
	}
}
