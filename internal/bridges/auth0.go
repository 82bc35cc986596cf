package bridges

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/trigger"
)

// The Auth0 bridge action's headers: the Unix time it signed at, and
// "v1=<hex HMAC-SHA256 of "<timestamp>.<body>">" with the secret both sides hold.
const (
	Auth0TimestampHeader = "X-Actionsd-Timestamp"
	Auth0SignatureHeader = "X-Actionsd-Signature"
)

// Auth0HMAC verifies the Auth0 bridge action's signature, allocating nothing per request.
type Auth0HMAC struct {
	pool sync.Pool // *auth0State
}

type auth0State struct {
	mac hash.Hash
	sum [sha256.Size]byte
	sig [sha256.Size]byte
	buf [32]byte
}

// NewAuth0HMAC takes the shared secret (at least 32 bytes).
func NewAuth0HMAC(secret string) (*Auth0HMAC, error) {
	if len(secret) < 32 {
		return nil, errorNoValue("the secret must be at least 32 bytes")
	}
	key := []byte(secret)
	v := &Auth0HMAC{}
	v.pool.New = func() any { return &auth0State{mac: hmac.New(sha256.New, key)} }
	return v, nil
}

// Precheck checks that both headers are there, the timestamp within Tolerance and the signature
// "v1=" and 64 hex digits.
func (v *Auth0HMAC) Precheck(h http.Header, now time.Time) (string, bool) {
	_, _, reason := v.headers(h, now)
	return reason, reason == ""
}

// headers reads both headers and checks what Precheck checks; reason is "" when they pass, and
// hexSig is the signature's hex digits.
func (v *Auth0HMAC) headers(h http.Header, now time.Time) (t int64, hexSig, reason string) {
	ts, sig := header(h, Auth0TimestampHeader), header(h, Auth0SignatureHeader)
	if ts == "" || sig == "" {
		return 0, "", ReasonMissing
	}
	if t, reason = parseTimestamp(ts, now); reason != "" {
		return 0, "", reason
	}
	hexSig, ok := strings.CutPrefix(sig, "v1=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return 0, "", ReasonBad
	}
	return t, hexSig, ""
}

// Verify checks the MAC of "<timestamp>.<body>".
func (v *Auth0HMAC) Verify(h http.Header, body []byte, now time.Time) ([32]byte, time.Time, string, bool) {
	t, hexSig, reason := v.headers(h, now)
	if reason != "" {
		return [32]byte{}, time.Time{}, reason, false
	}
	st := v.pool.Get().(*auth0State)
	defer v.pool.Put(st)
	if !decodeHex(st.sig[:], hexSig) {
		return [32]byte{}, time.Time{}, ReasonBad, false
	}
	st.mac.Reset()
	st.mac.Write(strconv.AppendInt(st.buf[:0], t, 10))
	st.mac.Write(dot)
	st.mac.Write(body)
	sum := st.mac.Sum(st.sum[:0])
	if !hmac.Equal(st.sig[:], sum) {
		return [32]byte{}, time.Time{}, ReasonBad, false
	}
	var key [32]byte
	copy(key[:], sum)
	return key, time.Unix(t, 0).Add(Tolerance + time.Second), "", true
}

// decodeHex decodes len(dst)*2 hex digits of s into dst.
func decodeHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, ok1 := fromHex(s[2*i])
		lo, ok2 := fromHex(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// auth0Hook runs trigger name with the event the bridge action sent as it is, and answers the
// execution's result document (as POST /v1/triggers/{trigger}/execute does): the bridge action
// applies its commands to the real api, in order. Auth0 can express every command, being Auth0.
//
// "continue-<trigger>" (continue-post-login) resumes the flow a redirect paused: the bridge
// action's onContinuePostLogin sends {"state": <result.redirect.state>, …the event}, and the answer
// is the whole flow's result document, as POST /v1/continue answers it.
func auth0Hook(name string) (Hook, bool) {
	trig, resume := strings.CutPrefix(name, ContinuePrefix)
	t, ok := trigger.Lookup(trig)
	if !ok || resume && t.Continue == "" {
		return Hook{}, false
	}
	return Hook{Trigger: trig, Resume: resume, AppendEvent: appendAuth0Event, AppendReply: auth0Answer, AnswerIsResult: true}, true
}

// ContinuePrefix makes an Auth0 bridge hook's name the resumption of its trigger's paused flow.
const ContinuePrefix = "continue-"

// appendAuth0Event is the body itself, the event as the bridge action sent it, unchecked: the
// route validates the event it runs once, as the execute route's entry does (runner.Event), and
// refuses a body that is no JSON object as "the event, a JSON object".
func appendAuth0Event(_, body []byte) ([]byte, error) { return body, nil }

// auth0Answer appends the execution's result document to dst, answered with HTTP 200.
func auth0Answer(dst, _ []byte, res *runner.Result) ([]byte, int, string, string) {
	b, err := res.AppendJSON(dst)
	if err != nil {
		return nil, http.StatusOK, ReasonExecutionError, "encoding the result: " + err.Error()
	}
	if res.Outcome == runner.OutcomeFailed {
		return b, http.StatusOK, ReasonActionFailed, failedAction(res)
	}
	return b, http.StatusOK, "", ""
}
