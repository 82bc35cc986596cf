package runner

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/actionsd/actionsd/diag"
)

// Outcomes of an execution.
const (
	OutcomeSuccess  = "success"
	OutcomeDenied   = "denied"
	OutcomeRedirect = "redirect"
	OutcomeFailed   = "failed"
)

// Result is the document an execution returns (SPEC §4). It is safe to encode as JSON: secret
// values of the generation are redacted from logs and error messages before they are stored here.
type Result struct {
	ExecutionID string         `json:"execution_id"`
	Trigger     string         `json:"trigger"`
	Commit      string         `json:"commit"`
	Generation  int64          `json:"generation"`
	Outcome     string         `json:"outcome"`
	Actions     []ActionResult `json:"actions"`
	Commands    []Command      `json:"commands"`
	Effects     Effects        `json:"result"`

	// First backing arrays of Actions and Commands: a usual execution allocates neither.
	actionsBuf  [1]ActionResult
	commandsBuf [4]Command

	// Scratch space of the execution that fills the Result, so that a usual execution allocates
	// neither its state, nor the Args of its commands, nor the JSON of the values they carry.
	// Whatever is carved out of them is never written again, so it may outlive the execution.
	ex      execution
	args    [8]any
	argsN   int
	jsonBuf [256]byte
	jsonN   int
}

// carveArgs returns a copy of args in the Result's scratch space (or a new slice when it is
// full); nil stays nil.
func (r *Result) carveArgs(args []any) []any {
	n := len(args)
	if n == 0 {
		if args == nil {
			return nil
		}
		return []any{}
	}
	if r.argsN+n > len(r.args) {
		return append([]any(nil), args...)
	}
	out := r.args[r.argsN : r.argsN+n : r.argsN+n]
	r.argsN += n
	copy(out, args)
	return out
}

// jsonScratch returns an empty buffer to append one JSON value to; keepJSON then claims what
// was appended.
func (r *Result) jsonScratch() []byte { return r.jsonBuf[r.jsonN:r.jsonN:len(r.jsonBuf)] }

// keepJSON claims b, appended to a jsonScratch buffer, and returns it with no spare capacity.
func (r *Result) keepJSON(b []byte) []byte {
	if len(b) > 0 && len(b) <= len(r.jsonBuf)-r.jsonN && &b[0] == &r.jsonBuf[r.jsonN] {
		r.jsonN += len(b)
	}
	return b[:len(b):len(b)]
}

// ActionResult reports one action's part in an execution.
type ActionResult struct {
	Name       string   `json:"name"`
	Version    string   `json:"version"`
	DurationMS float64  `json:"duration_ms"`
	Logs       []string `json:"logs"`
	Error      *Error   `json:"error"`
}

// Error is a JavaScript error, a time-out or an interruption, with where it happened when known.
type Error struct {
	Message string `json:"message"`
	File    string `json:"file,omitempty"` // repository-relative
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
}

func (e *Error) Error() string {
	if e.File == "" {
		return e.Message
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Message)
}

// Command is one api call an action made, in the order made.
type Command struct {
	Action string `json:"action"`
	Op     string `json:"op"` // e.g. "idToken.setCustomClaim"
	Args   []any  `json:"args"`
}

// Effects is the accumulated effect of the commands: what the caller should apply. The values of
// the claim and metadata maps are json.RawMessage: the JSON.stringify of what the action passed.
type Effects struct {
	IDTokenClaims     map[string]any `json:"id_token_claims"`
	AccessTokenClaims map[string]any `json:"access_token_claims"`
	AppMetadata       map[string]any `json:"app_metadata"`
	UserMetadata      map[string]any `json:"user_metadata"`
	Access            Access         `json:"access"`
	// Redirect is set when the outcome is "redirect": where to send the user, and the state that
	// POST /v1/continue takes back.
	Redirect    *Redirect    `json:"redirect"`
	Multifactor *Multifactor `json:"multifactor"` // null unless multifactor.enable was called
	// ScopesAdded and ScopesRemoved are the accessToken.addScope/removeScope requests, in order,
	// each scope in at most one of them (the last request wins).
	ScopesAdded   []string `json:"access_token_scopes_added,omitempty"`
	ScopesRemoved []string `json:"access_token_scopes_removed,omitempty"`
	// TargetScopes is event.transaction.target_scopes after the api.transaction.*TargetScope(s)
	// calls (credentials-exchange and post-login); nil when none was made. Later actions of the
	// execution see it in their event.
	TargetScopes *[]string `json:"transaction_target_scopes,omitempty"`
	// Validation is the api.validation.error(code, message) that stopped the flow, if any.
	Validation *ValidationError `json:"validation,omitempty"`
	// Notification is custom-email/phone-provider's notification.drop/retry request, if any.
	Notification *Notification `json:"notification,omitempty"`
	// ResultURL is password-reset-post-challenge's transaction.setResultUrl.
	ResultURL string `json:"result_url,omitempty"`
}

// Redirect is an api.redirect.sendUserTo or api.prompt.render request: the flow is paused until
// POST /v1/continue brings State back.
type Redirect struct {
	URL    string          `json:"url,omitempty"`     // with the query and state parameters added
	State  string          `json:"state"`             // opaque, sealed by the daemon
	FormID string          `json:"form_id,omitempty"` // prompt.render
	Form   json.RawMessage `json:"form,omitempty"`    // prompt.render's options
}

// ValidationError is api.validation.error's argument.
type ValidationError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Action  string `json:"action"`
}

// Notification is api.notification.drop or retry.
type Notification struct {
	Op     string `json:"op"` // "drop" or "retry"
	Reason string `json:"reason,omitempty"`
	Action string `json:"action"`
}

// Access says whether an action denied the transaction, and why.
type Access struct {
	Denied bool   `json:"denied"`
	Reason string `json:"reason,omitempty"`
	Code   string `json:"code,omitempty"`
	Action string `json:"action,omitempty"`
	// UserMessage is what pre-user-registration's access.deny(reason, userMessage) shows the user.
	UserMessage string `json:"user_message,omitempty"`
}

// Multifactor is the last multifactor.enable request.
type Multifactor struct {
	Provider string         `json:"provider"`
	Options  map[string]any `json:"options,omitempty"`
}

// BuildError says why a generation could not be built: one diagnostic per failing action or
// module, each with the repository-relative file and line at fault where known. It unwraps to
// its Problems, so that diag.As finds them.
type BuildError struct {
	Problems diag.List
}

func (e *BuildError) Error() string {
	if len(e.Problems) == 1 {
		return problemText(e.Problems[0])
	}
	return fmt.Sprintf("%s (and %d more)", problemText(e.Problems[0]), len(e.Problems)-1)
}

// Unwrap returns the problems.
func (e *BuildError) Unwrap() error { return e.Problems }

// problemText is how a build problem reads in BuildError's message: the object, then the file,
// line and column as Error.Error writes them.
func problemText(d diag.Diagnostic) string {
	e := Error{Message: d.Message, File: d.File, Line: d.Line, Col: d.Col}
	return d.Object + ": " + e.Error()
}

// problemAt is the build problem e of object.
func problemAt(object string, e Error) diag.Diagnostic {
	return diag.Diagnostic{Object: object, Pos: diag.Pos{File: e.File, Line: e.Line, Col: e.Col}, Message: e.Message}
}

// Release hands r's claim and metadata maps over for reuse by later executions. Call it only
// when nothing refers to r's maps any more (the HTTP API does, once it wrote r); results never
// released are collected as usual. r stays readable, with those maps empty.
func (r *Result) Release() {
	for _, m := range [...]*map[string]any{&r.Effects.IDTokenClaims, &r.Effects.AccessTokenClaims,
		&r.Effects.AppMetadata, &r.Effects.UserMetadata} {
		if *m != nil && len(*m) <= maxPooledEffects {
			clear(*m)
			effectMaps.Put(*m)
		}
		*m = nil
	}
}

// effectMaps are released Effects maps, empty.
var effectMaps sync.Pool

// maxPooledEffects bounds the maps Release keeps: a map keeps the size it grew to.
const maxPooledEffects = 32

// newEffectMap returns an empty map for one of the Effects maps.
func newEffectMap() map[string]any {
	if m, ok := effectMaps.Get().(map[string]any); ok {
		return m
	}
	return make(map[string]any, 2)
}
