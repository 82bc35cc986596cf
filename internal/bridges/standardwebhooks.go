package bridges

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StandardWebhooks verifies a request signed as the Standard Webhooks specification says, as
// Supabase Auth signs its HTTP hooks: the headers webhook-id, webhook-timestamp (Unix seconds)
// and webhook-signature (space-separated "v1,<base64 HMAC-SHA256>"), the MAC being over
// "<id>.<timestamp>.<body>" with the secret's key.
//
// It computes what the reference library (github.com/standard-webhooks/standard-webhooks/
// libraries, go/webhook.go) computes, which the tests check, but allocates nothing per request:
// the library's Verify formats the whole message into a new string and the expected signature
// into new slices, on every request.
type StandardWebhooks struct {
	key  []byte
	pool sync.Pool // *swState
}

// swState is one verification's scratch space: the MAC and its output.
type swState struct {
	mac hash.Hash
	sum [sha256.Size]byte
	buf [32]byte // the timestamp's digits
	in  [44]byte // a signature's base64, copied
	sig [sha256.Size + 1]byte
}

// Canonical header keys, indexed directly so that no lookup allocates.
const (
	hdrID        = "Webhook-Id"
	hdrTimestamp = "Webhook-Timestamp"
	hdrSignature = "Webhook-Signature"
)

// maxWebhookID bounds webhook-id (the specification's ids are short: "msg_…" or a UUID).
const maxWebhookID = 256

// NewStandardWebhooks reads a "whsec_<base64>" secret, with Supabase's "v1," before it or not.
func NewStandardWebhooks(secret string) (*StandardWebhooks, error) {
	s := strings.TrimSpace(secret)
	s = strings.TrimPrefix(s, "v1,")
	s = strings.TrimPrefix(s, "whsec_")
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errorNoValue("the secret is not \"v1,whsec_<base64>\": its key is not base64")
	}
	if len(key) == 0 {
		return nil, errEmptySecret
	}
	v := &StandardWebhooks{key: key}
	v.pool.New = func() any { return &swState{mac: hmac.New(sha256.New, v.key)} }
	return v, nil
}

type errorNoValue string

func (e errorNoValue) Error() string { return string(e) }

func header(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Precheck checks that the three headers are there, the id short, the timestamp within
// Tolerance and some signature is a well-formed v1 one.
func (v *StandardWebhooks) Precheck(h http.Header, now time.Time) (string, bool) {
	_, _, _, reason := v.headers(h, now)
	return reason, reason == ""
}

// headers reads the three headers and checks what Precheck checks; reason is "" when they pass.
func (v *StandardWebhooks) headers(h http.Header, now time.Time) (id, sig string, t int64, reason string) {
	id, ts, sig := header(h, hdrID), header(h, hdrTimestamp), header(h, hdrSignature)
	if id == "" || ts == "" || sig == "" {
		return "", "", 0, ReasonMissing
	}
	if len(id) > maxWebhookID {
		return "", "", 0, ReasonBad
	}
	t, reason = parseTimestamp(ts, now)
	if reason != "" {
		return "", "", 0, reason
	}
	for rest := sig; rest != ""; {
		var one string
		one, rest, _ = strings.Cut(rest, " ")
		if b64, ok := strings.CutPrefix(one, "v1,"); ok && len(b64) == sigBase64Len {
			return id, sig, t, ""
		}
	}
	return "", "", 0, ReasonBad
}

// sigBase64Len is the length of a v1 signature, an HMAC-SHA256 in base64.
var sigBase64Len = base64.StdEncoding.EncodedLen(sha256.Size)

// Verify checks the MAC; one matching v1 signature among those listed suffices.
func (v *StandardWebhooks) Verify(h http.Header, body []byte, now time.Time) ([32]byte, time.Time, string, bool) {
	id, sig, t, reason := v.headers(h, now)
	if reason != "" {
		return [32]byte{}, time.Time{}, reason, false
	}
	st := v.pool.Get().(*swState)
	defer v.pool.Put(st)
	st.mac.Reset()
	writeString(st.mac, id, st.buf[:0])
	st.mac.Write(dot)
	st.mac.Write(strconv.AppendInt(st.buf[:0], t, 10))
	st.mac.Write(dot)
	st.mac.Write(body)
	sum := st.mac.Sum(st.sum[:0])
	for rest := sig; rest != ""; {
		var one string
		one, rest, _ = strings.Cut(rest, " ")
		b64, ok := strings.CutPrefix(one, "v1,")
		if !ok || len(b64) != sigBase64Len {
			continue
		}
		// Decoded in one call, from a copy (no []byte(b64) made): 44 characters make 32 bytes,
		// into a buffer of the 33 that Decode may write.
		n := copy(st.in[:], b64)
		if m, err := base64.StdEncoding.Decode(st.sig[:], st.in[:n]); err == nil && m == sha256.Size && hmac.Equal(st.sig[:m], sum) {
			var key [32]byte
			copy(key[:], sum)
			return key, time.Unix(t, 0).Add(Tolerance + time.Second), "", true
		}
	}
	return [32]byte{}, time.Time{}, ReasonBad, false
}

var dot = []byte{'.'}

// writeString writes s to w in pieces through buf, so that no []byte(s) is made.
func writeString(w hash.Hash, s string, buf []byte) {
	for s != "" {
		n := copy(buf[:cap(buf)], s)
		w.Write(buf[:n])
		s = s[n:]
	}
}
