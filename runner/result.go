package runner

import (
	"encoding/json"
	"fmt"
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

// BuildError says why a generation could not be built: one entry per failing action or module,
// each with the repository-relative file and line at fault where known.
type BuildError struct {
	Problems []Problem
}

// Problem is one build failure.
type Problem struct {
	Object string // "actions/log-login" or "modules/logger@v2"
	Error
}

func (e *BuildError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].Object + ": " + e.Problems[0].Error.Error()
	}
	return fmt.Sprintf("%s: %s (and %d more)", e.Problems[0].Object, e.Problems[0].Error.Error(), len(e.Problems)-1)
}
