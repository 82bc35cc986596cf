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
)

// ZitadelSignatureHeader is the header Zitadel signs a target's request in, canonical form
// (Zitadel writes "ZITADEL-Signature").
const ZitadelSignatureHeader = "Zitadel-Signature"

// ZitadelSignature verifies a request signed as Zitadel signs the calls of an Actions v2 target
// (zitadel/zitadel, pkg/actions/signing.go, ComputeSignatureHeader): the header
// ZITADEL-Signature is "t=<Unix seconds>,v1=<hex HMAC-SHA256>[,v1=…]", the MAC being over
// "<t>.<body>" with the target's signing key as it is (its bytes, not decoded). Pairs are split
// at "," and each at "=" as Zitadel's parser does (a pair that is not "k=v" makes the header
// invalid; a key other than t and v1 is skipped); one matching v1 suffices. It allocates nothing
// per request: Zitadel's own ValidatePayload splits the header into new slices and decodes every
// signature into a new one.
type ZitadelSignature struct {
	pool sync.Pool // *zitadelState
}

type zitadelState struct {
	mac hash.Hash
	sum [sha256.Size]byte
	sig [sha256.Size]byte
	buf [32]byte
}

// NewZitadelSignature takes the target's signing key.
func NewZitadelSignature(key string) (*ZitadelSignature, error) {
	if strings.TrimSpace(key) == "" {
		return nil, errEmptySecret
	}
	k := []byte(key)
	v := &ZitadelSignature{}
	v.pool.New = func() any { return &zitadelState{mac: hmac.New(sha256.New, k)} }
	return v, nil
}

// parseZitadel reads the header's timestamp and reports whether some v1 signature has the
// length of a SHA-256 MAC in hex; reason is "" when the header is well-formed.
func parseZitadel(sig string) (ts string, reason string) {
	if sig == "" {
		return "", ReasonMissing
	}
	v1 := false
	for rest := sig; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, ",")
		k, val, ok := strings.Cut(pair, "=")
		if !ok || strings.IndexByte(val, '=') >= 0 {
			return "", ReasonBad
		}
		switch k {
		case "t":
			ts = val
		case "v1":
			if len(val) == 2*sha256.Size {
				v1 = true
			}
		}
	}
	if ts == "" || !v1 {
		return "", ReasonBad
	}
	return ts, ""
}

// Precheck checks that the header is there, well-formed, with a timestamp within Tolerance and
// a v1 signature of 64 hex digits.
func (v *ZitadelSignature) Precheck(h http.Header, now time.Time) (string, bool) {
	ts, reason := parseZitadel(header(h, ZitadelSignatureHeader))
	if reason != "" {
		return reason, false
	}
	if reason := checkTimestamp(ts, now); reason != "" {
		return reason, false
	}
	return "", true
}

// Verify checks the MAC of "<t>.<body>" against each v1 signature of the header.
func (v *ZitadelSignature) Verify(h http.Header, body []byte, now time.Time) ([32]byte, time.Time, string, bool) {
	sig := header(h, ZitadelSignatureHeader)
	ts, reason := parseZitadel(sig)
	if reason == "" {
		reason = checkTimestamp(ts, now)
	}
	if reason != "" {
		return [32]byte{}, time.Time{}, reason, false
	}
	t, _ := strconv.ParseInt(ts, 10, 64)
	st := v.pool.Get().(*zitadelState)
	defer v.pool.Put(st)
	st.mac.Reset()
	// The digits as Zitadel writes them (strconv.FormatInt of the parsed time), so that "+5" or
	// "05" in the header verifies only if Zitadel would have signed it so, which it does not.
	st.mac.Write(strconv.AppendInt(st.buf[:0], t, 10))
	st.mac.Write(dot)
	st.mac.Write(body)
	sum := st.mac.Sum(st.sum[:0])
	for rest := sig; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, ",")
		hexSig, ok := strings.CutPrefix(pair, "v1=")
		if !ok || !decodeHex(st.sig[:], hexSig) {
			continue
		}
		if hmac.Equal(st.sig[:], sum) {
			var key [32]byte
			copy(key[:], sum)
			return key, time.Unix(t, 0).Add(Tolerance + time.Second), "", true
		}
	}
	return [32]byte{}, time.Time{}, ReasonBad, false
}
