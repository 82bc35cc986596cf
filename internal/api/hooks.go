package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"go.uber.org/zap"
)

// DefaultMaxHookBody caps webhook bodies (GitHub sends at most 25 MB; push payloads are far
// smaller, and a body that does not fit cannot be verified, so it is refused).
const DefaultMaxHookBody = 5 << 20

// hookReceivers verify the sender and, when the payload names the pushed ref, skip refs that
// cannot change what is deployed. A verified delivery is only ever a signal to sync: nothing in
// the payload is trusted for content, and the repository URL in it is not matched (the daemon
// serves one repository).
//
// What can be checked from the headers is checked before the body is read (precheck): a
// receiver that signs the body reads it only when a well-formed signature came with it, and
// GitLab's token is verified before. verify is the whole check; a delivery it accepts passes
// precheck.
type hookReceiver struct {
	name     string
	precheck func(r *http.Request, secret []byte) (reason string, ok bool)
	verify   func(r *http.Request, body []byte, secret []byte) (reason string, ok bool)
}

var receivers = []hookReceiver{
	{"github", hmacHeaderPresent("X-Hub-Signature-256"), verifyHMACHeader("X-Hub-Signature-256")},
	{"gitlab", verifyGitLabToken, func(r *http.Request, _, secret []byte) (string, bool) { return verifyGitLabToken(r, secret) }},
	{"generic", hmacHeaderPresent("X-Signature"), verifyHMACHeader("X-Signature")},
}

// hmacSignature reads a "sha256=<hex>" signature from header.
func hmacSignature(r *http.Request, header string) ([]byte, string, bool) {
	got := r.Header.Get(header)
	if got == "" {
		return nil, "missing_signature", false
	}
	hexSig, ok := strings.CutPrefix(got, "sha256=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return nil, "bad_signature", false
	}
	sig, err := hex.DecodeString(hexSig)
	if err != nil {
		return nil, "bad_signature", false
	}
	return sig, "", true
}

// hmacHeaderPresent checks that header holds a well-formed HMAC-SHA256 signature.
func hmacHeaderPresent(header string) func(*http.Request, []byte) (string, bool) {
	return func(r *http.Request, _ []byte) (string, bool) {
		_, reason, ok := hmacSignature(r, header)
		return reason, ok
	}
}

// verifyHMACHeader checks a "sha256=<hex>" HMAC-SHA256 of the body in header, in constant time.
func verifyHMACHeader(header string) func(*http.Request, []byte, []byte) (string, bool) {
	return func(r *http.Request, body, secret []byte) (string, bool) {
		sig, reason, ok := hmacSignature(r, header)
		if !ok {
			return reason, false
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write(body)
		if !hmac.Equal(sig, mac.Sum(nil)) {
			return "bad_signature", false
		}
		return "", true
	}
}

// verifyGitLabToken checks X-Gitlab-Token against the secret, in constant time.
func verifyGitLabToken(r *http.Request, secret []byte) (string, bool) {
	got := r.Header.Get("X-Gitlab-Token")
	if got == "" {
		return "missing_signature", false
	}
	if subtle.ConstantTimeCompare([]byte(got), secret) != 1 {
		return "bad_signature", false
	}
	return "", true
}

func (s *server) hook(recv hookReceiver) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// Every refusal closes the connection, unread body and all.
		reject := func(status int, reason, msg, closed string) {
			refuse(w, r, closed)
			s.metrics.hooksRejected.WithLabelValues(recv.name, reason).Inc()
			s.log.Warn("webhook rejected", zap.String("receiver", recv.name), zap.String("reason", reason), zap.String("remote", r.RemoteAddr))
			writeError(w, status, reason, msg)
		}
		if s.cfg.WebhookSecret == "" {
			reject(http.StatusNotFound, "disabled", "webhooks are disabled: no webhook secret is configured", closedUnauthorized)
			return
		}
		secret := []byte(s.cfg.WebhookSecret)
		if reason, ok := recv.precheck(r, secret); !ok {
			reject(http.StatusUnauthorized, reason, "the webhook signature or token does not verify", closedUnauthorized)
			return
		}
		tooLarge := fmt.Sprintf("webhook body exceeds the limit of %d bytes", s.cfg.MaxHookBody)
		if r.ContentLength > s.cfg.MaxHookBody {
			reject(http.StatusRequestEntityTooLarge, "too_large", tooLarge, closedBodyTooLarge)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxHookBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				reject(http.StatusRequestEntityTooLarge, "too_large", tooLarge, closedBodyTooLarge)
				return
			}
			s.bodyReadFailed(w, r, err)
			return
		}
		if reason, ok := recv.verify(r, body, secret); !ok {
			reject(http.StatusUnauthorized, reason, "the webhook signature or token does not verify", closedUnauthorized)
			return
		}
		authenticated(r)
		if recv.name == "github" && r.Header.Get("X-GitHub-Event") == "ping" {
			s.metrics.hooks.WithLabelValues(recv.name, "ignored").Inc()
			writeJSON(w, http.StatusOK, map[string]string{"status": "pong"})
			return
		}
		if ref := pushedRef(body); ref != "" && !s.refMatters(ref) {
			s.metrics.hooks.WithLabelValues(recv.name, "ignored").Inc()
			writeJSON(w, http.StatusAccepted, map[string]string{"status": "ignored", "ref": ref,
				"reason": "only the deploy branch and module version tags (refs/tags/modules/…) can change what is deployed"})
			return
		}
		s.metrics.hooks.WithLabelValues(recv.name, "accepted").Inc()
		s.cfg.Reconciler.Notify()
		s.signalPeers()
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
	}
}

// pushedRef reads the full ref name a payload names, or "" when it names none (then every
// delivery signals a sync). GitHub's create and delete events name the ref short, with ref_type.
func pushedRef(body []byte) string {
	var p struct {
		Ref     string `json:"ref"`
		RefType string `json:"ref_type"`
	}
	if json.Unmarshal(body, &p) != nil || p.Ref == "" {
		return ""
	}
	switch {
	case strings.HasPrefix(p.Ref, "refs/"):
		return p.Ref
	case p.RefType == "tag":
		return "refs/tags/" + p.Ref
	case p.RefType == "branch":
		return "refs/heads/" + p.Ref
	}
	return ""
}

// refMatters reports whether a push to ref can change what is deployed.
func (s *server) refMatters(ref string) bool {
	if strings.HasPrefix(ref, "refs/tags/modules/") {
		return true
	}
	if strings.HasPrefix(ref, "refs/heads/") {
		return s.cfg.Branch == "" || ref == "refs/heads/"+s.cfg.Branch
	}
	return false
}
