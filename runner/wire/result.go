// Package wire is the execution's JSON: the event a request brings, validated once (Members)
// and turned into a JavaScript object member by member as the action reads it (NewEvent), and the
// Result document (SPEC §4) an execution returns, encoded without reflection (Result.AppendJSON).
// An execution allocates little for either: the Result carries the first backing arrays of its
// lists and scratch space for what the api writes into it.
//
// It runs no JavaScript of its own: the engine (package runner) fills a Result and the Auth0 api
// (runner/auth0) records its commands and effects into it.
package wire

import (
	"encoding/json"
	"fmt"
	"sync"
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
	ExecutionID string `json:"execution_id"`
	Trigger     string `json:"trigger"`
	Commit      string `json:"commit"`
	Generation  int64  `json:"generation"`
	// Revision is "canary" when an action of the execution ran its canary revision (a gradual
	// rollout), "stable" when the actions under rollout all ran their stable one; empty, and
	// left out, when none is under rollout.
	Revision string         `json:"revision,omitempty"`
	Outcome  string         `json:"outcome"`
	Actions  []ActionResult `json:"actions"`
	Commands []Command      `json:"commands"`
	Effects  Effects        `json:"result"`
	// Outbound lists the HTTP exchanges the actions made, in the order they were sent, when the
	// runner records them (runner.Options.RecordOutbound); nil otherwise.
	Outbound []Exchange `json:"outbound,omitempty"`

	// First backing arrays of Actions and Commands: a usual execution allocates neither.
	actionsBuf  [1]ActionResult
	commandsBuf [4]Command

	// Scratch space of the execution that fills the Result, so that a usual execution allocates
	// neither the Args of its commands nor the JSON of the values they carry. Whatever is carved
	// out of them is never written again, so it may outlive the execution.
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

// Begin readies r for an execution of n actions: Actions (up to one action) and Commands start
// in r's own backing arrays, so that a usual execution allocates neither.
func (r *Result) Begin(n int) {
	if n <= len(r.actionsBuf) {
		r.Actions = r.actionsBuf[:0]
	} else {
		r.Actions = make([]ActionResult, 0, n)
	}
	r.Commands = r.commandsBuf[:0]
	r.Outbound = nil
}

// AddCommand appends the command op that action made, with a copy of args carved out of r's
// scratch space (nil stays nil), and returns r's Effects for the caller to update.
func (r *Result) AddCommand(action, op string, args []any) *Effects {
	r.Commands = append(r.Commands, Command{Action: action, Op: op, Args: r.carveArgs(args)})
	return &r.Effects
}

// JSONScratch returns an empty buffer in r's scratch space to append one JSON value to;
// KeepJSON then claims what was appended.
func (r *Result) JSONScratch() []byte { return r.jsonBuf[r.jsonN:r.jsonN:len(r.jsonBuf)] }

// KeepJSON claims b, appended to a JSONScratch buffer, and returns it with no spare capacity: it
// is never written again. b may be any other slice too, returned as it is.
func (r *Result) KeepJSON(b []byte) []byte {
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

// Exchange is one HTTP request an action made (fetch, node:http, node:https), one per request
// sent (a redirect followed is a request of its own), and its response or error. It never holds
// the Authorization, Proxy-Authorization and Cookie request headers nor the Set-Cookie response
// header, and the generation's secret values are redacted from it as from logs. Raw node:net
// and node:tls sockets are not recorded.
type Exchange struct {
	Action         string              `json:"action"`
	Method         string              `json:"method"`
	URL            string              `json:"url"`
	RequestHeaders map[string][]string `json:"request_headers,omitempty"`
	// RequestBody is the body sent, cut at the recording's cap (RequestBodyTruncated then set).
	RequestBody          []byte `json:"request_body,omitempty"`
	RequestBodyTruncated bool   `json:"request_body_truncated,omitempty"`
	// Status is the response's status; 0 when the request failed (Error).
	Status          int                 `json:"status,omitempty"`
	ResponseHeaders map[string][]string `json:"response_headers,omitempty"`
	// ResponseBody is the body received, cut at the cap (ResponseBodyTruncated then set, as when
	// the code stopped reading it before its end).
	ResponseBody          []byte `json:"response_body,omitempty"`
	ResponseBodyTruncated bool   `json:"response_body_truncated,omitempty"`
	// Error is why the request failed (no response): refused by egress, connection refused, …
	Error string `json:"error,omitempty"`
}

// DirectoryMember is the top-level member of an execute request's event that carries the user's
// groups and roles for api.groups.* and api.roles.* (docs/api.md). The action's event does not
// show it: Auth0's events have no such member.
const DirectoryMember = "actionsd_directory"

// AccessCodeActionFailed is Access.Code when a fail-closed trigger (post-credential-validation)
// is denied because an action failed: the action's error is in its ActionResult.
const AccessCodeActionFailed = "action_failed"

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

// Release hands r's claim and metadata maps over for reuse by later executions. Call it only
// when nothing refers to r's maps any more (the HTTP API does, once it wrote r); results never
// released are collected as usual. r stays readable, with those maps empty; its Outbound list,
// not pooled, is left as it is.
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

// SetEffect sets (*m)[k] = v in one of the Effects maps, making the map (from those Release handed
// back) if it is nil.
func SetEffect(m *map[string]any, k string, v any) {
	if *m == nil {
		*m = newEffectMap()
	}
	(*m)[k] = v
}

// newEffectMap returns an empty map for one of the Effects maps.
func newEffectMap() map[string]any {
	if m, ok := effectMaps.Get().(map[string]any); ok {
		return m
	}
	return make(map[string]any, 2)
}
