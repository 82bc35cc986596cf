package runner

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"time"

	"github.com/actionsd/actionsd/runner/wire"
	"github.com/actionsd/actionsd/trigger"
)

// Redirects (api.redirect.sendUserTo, api.prompt.render) pause a flow: the execution ends with
// outcome "redirect" and Effects.Redirect.State, an opaque string the caller hands back to
// POST /v1/continue (Generation.Continue) when the user returns. The state carries everything
// needed to resume — the trigger, the action, the event, and the commands and effects so far — so
// any replica can resume it, and it is sealed with AES-256-GCM under a key derived from
// Options.StateKey: it can be neither forged nor read (the user's browser carries it to a third
// party). A state resumes at most once per daemon (a replay is refused; replicas do not share
// what they have seen, so a replay across replicas is stopped only by the expiry) and only
// before it expires (RedirectStateTTL). With no StateKey configured, the engine's random key
// seals them (one per process with the default engine): states then do not survive a restart;
// configure the key to let them.

// RedirectStateTTL is how long a redirect state can be resumed.
const RedirectStateTTL = time.Hour

// maxStateBytes bounds a sealed state: a larger one is refused.
const maxStateBytes = 64 << 10

// ErrBadState is a Continue whose state is not one this daemon sealed, has expired, or was used.
var ErrBadState = errors.New("the redirect state is invalid, expired or already used")

// stateSealer seals and opens redirect states; it is immutable.
type stateSealer struct {
	aead cipher.AEAD
}

func newStateSealer(key string) *stateSealer {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte("actionsd redirect state v1"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		panic(err) // a 32-byte key never fails
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &stateSealer{aead: aead}
}

// pausedFlow is what a redirect state seals.
type pausedFlow struct {
	Version  int             `json:"v"`
	ID       string          `json:"id"` // random: what the replay check remembers
	Exec     string          `json:"x"`  // the execution that paused
	Trigger  string          `json:"t"`
	Action   string          `json:"a"`
	Single   bool            `json:"s,omitempty"` // paused in Test: resume only this action
	Expires  int64           `json:"e"`           // unix seconds
	Event    json.RawMessage `json:"ev"`
	Commands []Command       `json:"c"`
	Effects  sealedEffects   `json:"r"`
}

// sealedEffects is Effects with its claim and metadata values kept as raw JSON (in Effects,
// those maps are nil, encoded as null).
type sealedEffects struct {
	Effects           Effects                    `json:"e"`
	IDTokenClaims     map[string]json.RawMessage `json:"id"`
	AccessTokenClaims map[string]json.RawMessage `json:"at"`
	AppMetadata       map[string]json.RawMessage `json:"am"`
	UserMetadata      map[string]json.RawMessage `json:"um"`
}

func rawMap(m map[string]any) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		if r, ok := v.(json.RawMessage); ok {
			out[k] = r
		} else if b, err := json.Marshal(v); err == nil {
			out[k] = b
		}
	}
	return out
}

func anyMap(m map[string]json.RawMessage) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *stateSealer) seal(p *pausedFlow) (string, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	var z bytes.Buffer
	zw, _ := flate.NewWriter(&z, flate.BestSpeed)
	zw.Write(plain)
	zw.Close()
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+z.Len()+s.aead.Overhead())
	_, _ = rand.Read(nonce)
	sealed := s.aead.Seal(nonce, nonce, z.Bytes(), nil)
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

func (s *stateSealer) open(state string) (*pausedFlow, error) {
	if len(state) > maxStateBytes {
		return nil, errors.New("too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(state)
	// Only the one spelling seal made: the decoder skips line breaks and ignores the padding bits
	// of the last character, which would let several strings open as one state.
	if err != nil || len(raw) < s.aead.NonceSize()+s.aead.Overhead() || base64.RawURLEncoding.EncodeToString(raw) != state {
		return nil, errors.New("malformed")
	}
	n := s.aead.NonceSize()
	z, err := s.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return nil, errors.New("not sealed by this daemon's key")
	}
	plain, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(z)), 16<<20))
	if err != nil {
		return nil, errors.New("corrupt")
	}
	var p pausedFlow
	if err := json.Unmarshal(plain, &p); err != nil || p.Version != 1 {
		return nil, errors.New("unknown format")
	}
	return &p, nil
}

// Continue resumes a flow that a redirect paused: state is Effects.Redirect.State of that
// execution, and body a JSON object whose members other than "state" are merged into the paused
// execution's event as a JSON merge patch (RFC 7396), so that a caller can pass what the user
// brought back, e.g. {"state": "…", "request": {"query": {"session_token": "…"}}}. It runs the
// trigger's continue handler (onContinuePostLogin, onContinuePostChallenge) of the action that
// redirected, then the actions bound after it in this generation, and returns the §4 document of
// the whole flow: the commands and effects from before the redirect come first. A state that is
// forged, expired or already used is a *RequestError wrapping ErrBadState.
func (g *Generation) Continue(ctx context.Context, state string, body []byte) (*Result, error) {
	if len(body) == 0 {
		body = []byte("{}")
	}
	if !wire.IsObject(body) {
		return nil, badEvent(body)
	}
	var overrides map[string]json.RawMessage
	if err := json.Unmarshal(body, &overrides); err != nil {
		return nil, &RequestError{Kind: ErrBadEvent}
	}
	if state == "" {
		if err := json.Unmarshal(overrides["state"], &state); err != nil || state == "" {
			return nil, &RequestError{Kind: ErrBadState, Name: "no state given"}
		}
	}
	delete(overrides, "state")

	p, err := g.sealer.open(state)
	if err != nil {
		return nil, &RequestError{Kind: ErrBadState, Name: err.Error()}
	}
	exp := time.Unix(p.Expires, 0)
	if !time.Now().Before(exp) {
		return nil, &RequestError{Kind: ErrBadState, Name: "expired"}
	}
	t, ok := trigger.Lookup(p.Trigger)
	if !ok || t.Continue == "" {
		return nil, &RequestError{Kind: ErrBadState, Name: "unknown trigger"}
	}
	if !g.env.cache.Spend(p.ID, exp) {
		return nil, &RequestError{Kind: ErrBadState, Name: "already used"}
	}

	event := mergePatch(p.Event, overrides)
	var actions []*action
	var missing string
	if p.Single {
		if a := g.actions[p.Action]; a != nil && a.trig.Name == t.Name {
			actions = []*action{a}
		} else {
			missing = fmt.Sprintf("action %s no longer exists for trigger %s", p.Action, t.Name)
		}
	} else {
		bound := g.bindings[t.Name]
		i := slices.IndexFunc(bound, func(a *action) bool { return a.name == p.Action })
		if i < 0 {
			missing = fmt.Sprintf("action %s is no longer bound to trigger %s", p.Action, t.Name)
		} else {
			actions = bound[i:]
		}
	}
	prior := &Result{Commands: p.Commands, Effects: p.Effects.Effects}
	prior.Effects.IDTokenClaims = anyMap(p.Effects.IDTokenClaims)
	prior.Effects.AccessTokenClaims = anyMap(p.Effects.AccessTokenClaims)
	prior.Effects.AppMetadata = anyMap(p.Effects.AppMetadata)
	prior.Effects.UserMetadata = anyMap(p.Effects.UserMetadata)
	prior.Effects.Redirect = nil
	if prior.Commands == nil {
		prior.Commands = []Command{}
	}
	fl := &flow{resume: state, single: p.Single, prior: prior}
	if missing != "" {
		res, _ := g.newResult(t, 1, fl, nil)
		res.Outcome = OutcomeFailed
		res.Actions = append(res.Actions, ActionResult{Name: p.Action, Logs: []string{}, Error: &Error{Message: missing}})
		return res, nil
	}
	return g.execute(ctx, t, actions, event, nil, fl), nil
}

// mergePatch applies patch to the JSON object doc as RFC 7396 describes.
func mergePatch(doc json.RawMessage, patch map[string]json.RawMessage) []byte {
	var base map[string]json.RawMessage
	if err := json.Unmarshal(doc, &base); err != nil || base == nil {
		base = map[string]json.RawMessage{}
	}
	for k, pv := range patch {
		if bytes.Equal(bytes.TrimSpace(pv), []byte("null")) {
			delete(base, k)
			continue
		}
		var sub map[string]json.RawMessage
		if json.Unmarshal(pv, &sub) == nil && sub != nil {
			if cur, ok := base[k]; ok {
				var cm map[string]json.RawMessage
				if json.Unmarshal(cur, &cm) == nil && cm != nil {
					base[k] = mergePatch(cur, sub)
					continue
				}
			}
			base[k] = mergePatch(nil, sub) // drops nulls inside
			continue
		}
		base[k] = pv
	}
	out, _ := json.Marshal(base)
	return out
}

// pause seals the state of an execution that an action (the i-th of actions) redirected.
func (g *Generation) pause(t trigger.Trigger, a *action, ex *execution, single bool) {
	res := ex.res
	p := &pausedFlow{
		Version:  1,
		ID:       newStateID(),
		Exec:     res.ExecutionID,
		Trigger:  t.Name,
		Action:   a.name,
		Single:   single,
		Expires:  time.Now().Add(RedirectStateTTL).Unix(),
		Event:    json.RawMessage(ex.event),
		Commands: res.Commands,
	}
	p.Effects.Effects = res.Effects
	p.Effects.Effects.Redirect = nil
	p.Effects.Effects.IDTokenClaims, p.Effects.Effects.AccessTokenClaims = nil, nil
	p.Effects.Effects.AppMetadata, p.Effects.Effects.UserMetadata = nil, nil
	p.Effects.IDTokenClaims = rawMap(res.Effects.IDTokenClaims)
	p.Effects.AccessTokenClaims = rawMap(res.Effects.AccessTokenClaims)
	p.Effects.AppMetadata = rawMap(res.Effects.AppMetadata)
	p.Effects.UserMetadata = rawMap(res.Effects.UserMetadata)
	state, err := g.sealer.seal(p)
	if err != nil {
		res.Outcome = OutcomeFailed
		res.Actions[len(res.Actions)-1].Error = &Error{Message: "cannot seal the redirect state: " + err.Error()}
		return
	}
	r := res.Effects.Redirect
	r.State = state
	if r.URL != "" {
		u, err := url.Parse(r.URL)
		if err == nil {
			q := u.Query()
			q.Set("state", state)
			u.RawQuery = q.Encode()
			r.URL = u.String()
		}
	}
}
