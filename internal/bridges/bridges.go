// Package bridges puts the daemon in front of identity providers that cannot call
// /v1/triggers/{trigger}/execute themselves (docs/bridges.md). A Bridge verifies a provider's
// signed request, turns the provider's body into the event of the trigger its hook runs, and the
// execution's runner.Result into the answer the provider expects. It serves no HTTP itself:
// internal/api routes POST /v1/bridges/{bridge}/{hook} to it (POST /v1/bridges/{bridge} for a
// bridge whose provider names the hook in the body, as Zitadel does), and counts and logs what
// it says.
//
// A bridge is off until it has a secret; there is no unsigned mode.
package bridges

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/trigger"
)

// Tolerance is how far a request's signed timestamp may be from the daemon's clock, either way.
const Tolerance = 5 * time.Minute

// Reasons a request is refused or fails, as counted in metrics and shown in status.
const (
	ReasonDisabled       = "disabled"
	ReasonMissing        = "missing_signature"
	ReasonBad            = "bad_signature"
	ReasonStale          = "stale_signature"
	ReasonReplayed       = "replayed"
	ReasonUnknownHook    = "unknown_hook"
	ReasonBadShape       = "bad_shape"
	ReasonBadBody        = "bad_body" // too large, or not read in time
	ReasonNotReady       = "not_ready"
	ReasonUnsupported    = "unsupported_command"
	ReasonActionFailed   = "action_failed"
	ReasonExecutionError = "execution_error"
)

// Reasons lists every reason, for metrics to show each at zero.
var Reasons = []string{ReasonDisabled, ReasonMissing, ReasonBad, ReasonStale, ReasonReplayed, ReasonUnknownHook,
	ReasonBadShape, ReasonBadBody, ReasonNotReady, ReasonUnsupported, ReasonActionFailed, ReasonExecutionError}

// Verifier checks a provider's signature.
type Verifier interface {
	// Precheck checks what the headers alone can show (present, well-formed, within the
	// window), before any of the body is read.
	Precheck(h http.Header, now time.Time) (reason string, ok bool)
	// Verify checks the signature over body and returns the message's key for the replay check
	// (its MAC) and when the key may be forgotten; a zero forget means the scheme has no replay
	// window (a fixed token, as Kratos sends), and the check is skipped.
	Verify(h http.Header, body []byte, now time.Time) (key [32]byte, forget time.Time, reason string, ok bool)
}

// Hook is one provider hook: the trigger it runs, how its body becomes the event, and how the
// result becomes the provider's answer. Both are appended to buffers the caller pools, for the
// hooks that run on every sign-in; a hook whose event and answer are made anew (Supabase's hooks
// that run seldom) is made by encodedHook.
type Hook struct {
	Trigger string
	// Resume makes the hook resume a flow paused by a redirect (the runner's Continue, as
	// POST /v1/continue does) instead of executing Trigger: its event is the continue body,
	// {"state": …} and the members merged into the paused event.
	Resume bool
	// AppendEvent appends the trigger's event (JSON) made of the provider's body to dst; a
	// *ShapeError names the field at fault. It may return body itself when the body is the event
	// as it is, or a new slice; the route validates the event it runs as a JSON object, once
	// (runner.Event), so AppendEvent need not.
	AppendEvent func(dst, body []byte) ([]byte, error)
	// AppendReply appends the provider's answer (JSON, its error shape included) to dst, and
	// returns it with the HTTP status to send it with (a provider may read some answers from
	// their status: Kratos' errors, Zitadel's failures). A non-empty reason means the execution
	// failed (an action failed, or a command the provider cannot express: the answer then says
	// which, in the provider's error shape). A nil answer is one that could not be made; the
	// reason and message then say why.
	AppendReply func(dst, body []byte, res *runner.Result) (answer []byte, status int, reason, message string)
	// AnswerIsResult says that the answer is the result document itself (runner.Result's
	// AppendJSON, as POST /v1/triggers/{trigger}/execute answers it): the history records those
	// bytes instead of encoding the result a second time.
	AnswerIsResult bool
}

// Reply is an answer with its own HTTP status, for a provider that reads its errors from a
// non-2xx answer.
type Reply struct {
	Status int
	Body   any
}

// MakeEvent returns the event of body, appended to dst. The runner copies the event it
// executes, so dst may be reused once Execute returns.
func (h Hook) MakeEvent(dst, body []byte) ([]byte, error) { return h.AppendEvent(dst, body) }

// MakeAnswer appends the answer's JSON to dst, and returns it with the HTTP status to send it
// with (AppendReply).
func (h Hook) MakeAnswer(dst, body []byte, res *runner.Result) (answer []byte, status int, reason, msg string) {
	return h.AppendReply(dst, body, res)
}

// encodedHook is the Hook of a provider hook whose event is made anew and whose answer is a value
// (JSON-encodable; a Reply for a status other than 200): the answer is encoded as encoding/json
// does without HTML escaping, with a Reply's own status.
func encodedHook(trigger string, event func(body []byte) ([]byte, error), answer func(body []byte, res *runner.Result) (any, string, string)) Hook {
	return Hook{
		Trigger:     trigger,
		AppendEvent: func(_, body []byte) ([]byte, error) { return event(body) },
		AppendReply: func(dst, body []byte, res *runner.Result) ([]byte, int, string, string) {
			ans, reason, msg := answer(body, res)
			status := http.StatusOK
			if rp, ok := ans.(Reply); ok {
				status, ans = rp.Status, rp.Body
			}
			buf := bytes.NewBuffer(dst)
			enc := json.NewEncoder(buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(ans); err != nil {
				return nil, status, ReasonExecutionError, "encoding the answer: " + err.Error()
			}
			return bytes.TrimSuffix(buf.Bytes(), newline), status, reason, msg
		},
	}
}

var newline = []byte{'\n'}

// ShapeError is a body that is not the provider's shape.
type ShapeError struct {
	Field string // JSON path, e.g. "claims.sub"
	Want  string // e.g. "a string"
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("%s: want %s", e.Field, e.Want)
}

// Bridge is one provider's way in.
type Bridge struct {
	name     string
	param    string   // the route's wildcard: "hook", "trigger" or "flow"; "" when the body names the hook
	flag     string   // the serve flag that gives the secret, for the disabled answer
	token    bool     // the secret is a token the provider sends as it is, not a signing key
	verifier Verifier // nil: disabled
	hooks    map[string]Hook
	anyHook  func(name string) (Hook, bool) // when hooks is nil: the hooks are computed
	// bodyHook reads the hook's name from a verified body, when param is "" (a *ShapeError
	// when the body names none).
	bodyHook func(body []byte) (string, error)
	replay   replayCache
	// repeats, when not nil, answers a seen request with its first answer instead of refusing
	// it (Zitadel's messages carry no nonce: see Repeats).
	repeats *Repeats

	mu          sync.Mutex
	last        Status
	lastSuccess time.Time // kept apart from last: a pointer to it would be an allocation a request
}

// Name is the bridge's name, the route's second segment.
func (b *Bridge) Name() string { return b.name }

// Param is the name of the route's wildcard segment; "" when the route has none and the body
// names the hook (HookFromBody).
func (b *Bridge) Param() string { return b.param }

// Flag is the serve flag that gives the bridge its secret.
func (b *Bridge) Flag() string { return b.flag }

// Credential is what the provider's requests carry: "signature", or "token" (Kratos).
func (b *Bridge) Credential() string {
	if b.token {
		return "token"
	}
	return "signature"
}

// HookFromBody reads the hook's name from a verified body, for a bridge whose route has no hook
// segment (Param is ""); a *ShapeError names the field at fault.
func (b *Bridge) HookFromBody(body []byte) (string, error) {
	if b.bodyHook == nil {
		return "", &ShapeError{Field: "(body)", Want: "a hook name in the route"}
	}
	return b.bodyHook(body)
}

// Enabled reports whether the bridge has a secret.
func (b *Bridge) Enabled() bool { return b.verifier != nil }

// Verifier is the bridge's signature check; nil when disabled.
func (b *Bridge) Verifier() Verifier { return b.verifier }

// HookNames lists the name of every hook Hook finds, in order: the routes look each up once, not
// on every request.
func (b *Bridge) HookNames() []string {
	if b.anyHook == nil {
		return slicesSorted(b.hooks)
	}
	var out []string
	for _, t := range trigger.Names() {
		for _, name := range []string{t, ContinuePrefix + t} {
			if _, ok := b.anyHook(name); ok {
				out = append(out, name)
			}
		}
	}
	return out
}

// Hook returns the hook of that name.
func (b *Bridge) Hook(name string) (Hook, bool) {
	if b.anyHook != nil {
		return b.anyHook(name)
	}
	h, ok := b.hooks[name]
	return h, ok
}

// Seen records a verified message's key and reports whether it was seen before (a replay). A
// zero forget (no replay window) is never seen.
func (b *Bridge) Seen(key [32]byte, forget, now time.Time) bool {
	if forget.IsZero() {
		return false
	}
	return b.replay.seen(key, forget, now)
}

// Repeats reports whether the bridge answers a repeated signed request with the first one's
// answer (Begin) rather than refusing it as a replay (Seen).
func (b *Bridge) Repeats() bool { return b.repeats != nil }

// Begin is Seen for a bridge that answers repeats: First (the caller runs the request and calls
// Finish with its answer), Repeat (the returned Answer is the first request's: Wait for it), or
// Evicted (seen within the window, but its answer is no longer held: refuse it as a replay). A
// zero forget (no replay window) is always First, with a nil Answer that Finish ignores.
func (b *Bridge) Begin(key [32]byte, forget, now time.Time) (*Answer, Outcome) {
	if forget.IsZero() || b.repeats == nil {
		if b.Seen(key, forget, now) {
			return nil, Evicted
		}
		return nil, First
	}
	return b.repeats.begin(key, forget, now, func() bool { return b.replay.seen(key, forget, now) })
}

// Finish records the answer of a request Begin made First; a nil a is ignored.
func (b *Bridge) Finish(a *Answer, status int, body []byte) {
	if a != nil {
		b.repeats.Finish(a, status, body)
	}
}

// Status is what GET /v1/status shows of a bridge.
type Status struct {
	Name        string     `json:"name"`
	Enabled     bool       `json:"enabled"`
	LastSuccess *time.Time `json:"last_success"`
	LastError   *LastError `json:"last_error"`
}

// LastError is a bridge's last failed request. Its message never holds a secret or the body.
type LastError struct {
	At      time.Time `json:"at"`
	Hook    string    `json:"hook"`
	Reason  string    `json:"reason"`
	Message string    `json:"message"`
}

// Succeeded records a request answered as the provider expects.
func (b *Bridge) Succeeded(now time.Time) {
	b.mu.Lock()
	b.lastSuccess = now
	b.mu.Unlock()
}

// Failed records a refused or failed request.
func (b *Bridge) Failed(now time.Time, hook, reason, message string) {
	b.mu.Lock()
	b.last.LastError = &LastError{At: now, Hook: hook, Reason: reason, Message: message}
	b.mu.Unlock()
}

// Status returns the bridge's status.
func (b *Bridge) Status() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.last
	st.Name, st.Enabled = b.name, b.Enabled()
	if !b.lastSuccess.IsZero() {
		t := b.lastSuccess
		st.LastSuccess = &t
	}
	return st
}

// Config holds each bridge's secret; an empty one leaves the bridge off.
type Config struct {
	Supabase string // "v1,whsec_<base64>" (as Supabase shows it) or "whsec_<base64>"
	Auth0    string // the secret the Auth0 bridge action holds (at least 32 bytes)
	Zitadel  string // the signing key Zitadel returned when the target was created
	Kratos   string // the token Kratos' web hooks send in X-Actionsd-Token (at least 32 bytes)
}

// New builds every bridge the daemon knows, each enabled when cfg gives it a secret. A secret that
// cannot be read is an error naming the bridge (never the value).
func New(cfg Config) ([]*Bridge, error) {
	sb := &Bridge{name: "supabase", param: "hook", flag: "--bridge-supabase-secret-file", hooks: supabaseHooks()}
	if cfg.Supabase != "" {
		v, err := NewStandardWebhooks(cfg.Supabase)
		if err != nil {
			return nil, fmt.Errorf("bridge supabase: secret: %w", err)
		}
		sb.verifier = v
	}
	a0 := &Bridge{name: "auth0", param: "trigger", flag: "--bridge-auth0-secret-file", anyHook: auth0Hook}
	if cfg.Auth0 != "" {
		v, err := NewAuth0HMAC(cfg.Auth0)
		if err != nil {
			return nil, fmt.Errorf("bridge auth0: secret: %w", err)
		}
		a0.verifier = v
	}
	zt := &Bridge{name: "zitadel", flag: "--bridge-zitadel-signing-key-file", hooks: zitadelHooks(), bodyHook: zitadelFunction,
		repeats: NewRepeats(maxRepeatAnswers, maxRepeatBytes)}
	if cfg.Zitadel != "" {
		v, err := NewZitadelSignature(cfg.Zitadel)
		if err != nil {
			return nil, fmt.Errorf("bridge zitadel: signing key: %w", err)
		}
		zt.verifier = v
	}
	kr := &Bridge{name: "kratos", param: "flow", flag: "--bridge-kratos-token-file", token: true, hooks: kratosHooks()}
	if cfg.Kratos != "" {
		v, err := NewKratosToken(cfg.Kratos)
		if err != nil {
			return nil, fmt.Errorf("bridge kratos: token: %w", err)
		}
		kr.verifier = v
	}
	return []*Bridge{a0, sb, zt, kr}, nil
}

// replayCache remembers the MACs of verified messages until their timestamps leave the window.
// It is a fixed table of buckets of replayProbe slots, a key's bucket chosen by its first bytes
// (the key is a MAC: its bytes are uniform): a slot whose key may be forgotten is free again, so
// nothing is ever deleted, and every request costs one look at one bucket, however many keys are
// held. When every slot of a key's bucket holds a key still in its window, the one that expires
// first is dropped (a message that old is refused as stale anyway once its window passes).
//
// Every request looks at a table too large for the processor's caches, so what it reads there
// is what it costs: a bucket's tags (a few bytes of each key, with when it may be forgotten) are
// two cache lines, a key is read only when its tag matches, and a bucket's tags and keys are
// together, in one page of memory.
type replayCache struct {
	mu      sync.Mutex
	buckets []replayBucket // replaySlots/replayProbe of them, made on first use
}

type replayBucket struct {
	tags [replayProbe]replayTag
	keys [replayProbe][32]byte
}

type replayTag struct {
	tag    uint32 // the key's bytes 8 to 12
	forget uint32 // when the key may be forgotten, Unix seconds (rounded up); 0: empty
}

const (
	// maxReplayKeys is how many keys the cache is sized for: the table has twice as many slots
	// (5 MiB), so that a bucket is seldom full.
	maxReplayKeys = 1 << 16
	replaySlots   = 2 * maxReplayKeys
	replayProbe   = 16 // slots in a bucket: their tags are 128 bytes
)

func (c *replayCache) seen(key [32]byte, forget, now time.Time) bool {
	f := forget.Unix()
	if forget.Nanosecond() > 0 {
		f++
	}
	f = min(max(f, 1), math.MaxUint32)
	n := now.Unix()
	tag := binary.LittleEndian.Uint32(key[8:12])
	i := binary.LittleEndian.Uint64(key[:8]) & (replaySlots/replayProbe - 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buckets == nil {
		c.buckets = make([]replayBucket, replaySlots/replayProbe)
	}
	b := &c.buckets[i]
	free, oldest := -1, -1
	for i := range b.tags {
		t := &b.tags[i]
		if int64(t.forget) <= n {
			if free < 0 {
				free = i
			}
			continue
		}
		if t.tag == tag && b.keys[i] == key {
			return true
		}
		if oldest < 0 || t.forget < b.tags[oldest].forget {
			oldest = i
		}
	}
	if free < 0 {
		free = oldest
	}
	b.tags[free] = replayTag{tag: tag, forget: uint32(f)}
	b.keys[free] = key
	return false
}

// unsupported builds a message naming the command an action made that the provider cannot express.
func unsupported(provider, hook string, res *runner.Result, allowed func(op string) bool) (string, bool) {
	var bad []string
	for _, c := range res.Commands {
		if strings.HasPrefix(c.Op, "cache.") || allowed(c.Op) {
			continue
		}
		bad = append(bad, fmt.Sprintf("api.%s (action %s)", c.Op, c.Action))
	}
	if len(bad) == 0 {
		return "", false
	}
	return fmt.Sprintf("%s %s cannot express %s", provider, hook, strings.Join(bad, ", ")), true
}

// failedAction returns the first action error of res, as "action: message".
func failedAction(res *runner.Result) string {
	for _, a := range res.Actions {
		if a.Error != nil {
			return a.Name + ": " + a.Error.Error()
		}
	}
	return "the execution failed"
}

var errEmptySecret = errors.New("the secret is empty")

// checkTimestamp checks a signature's timestamp header (Unix seconds) against now: ReasonBad when
// it is no number, ReasonStale when it is more than Tolerance away either way, else "".
func checkTimestamp(ts string, now time.Time) string {
	_, reason := parseTimestamp(ts, now)
	return reason
}

// parseTimestamp is checkTimestamp returning the timestamp too.
func parseTimestamp(ts string, now time.Time) (int64, string) {
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return 0, ReasonBad
	}
	if d := now.Unix() - t; d > int64(Tolerance/time.Second) || -d > int64(Tolerance/time.Second) {
		return 0, ReasonStale
	}
	return t, ""
}
