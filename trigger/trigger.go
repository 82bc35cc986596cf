// Package trigger is the catalogue of Auth0 triggers that actionsd runs: their names and the handler
// each calls. It holds no behaviour; the runner gives each trigger its api.
package trigger

// Trigger is one supported trigger.
type Trigger struct {
	Name     string // as written in action.yaml and triggers.yaml
	Handler  string // the exported function that runs the trigger
	Continue string // the handler that resumes after a redirect, if the trigger has one
	// FailClosed is true for a trigger whose flow must not go on when an action fails: an error,
	// a time-out or an interruption in any action denies the transaction (outcome "denied")
	// rather than failing it.
	FailClosed bool
}

// All lists every supported trigger, in SPEC §4 order.
var All = []Trigger{
	{Name: "post-login", Handler: "onExecutePostLogin", Continue: "onContinuePostLogin"},
	{Name: "credentials-exchange", Handler: "onExecuteCredentialsExchange"},
	{Name: "pre-user-registration", Handler: "onExecutePreUserRegistration"},
	{Name: "post-user-registration", Handler: "onExecutePostUserRegistration"},
	{Name: "post-change-password", Handler: "onExecutePostChangePassword"},
	{Name: "send-phone-message", Handler: "onExecuteSendPhoneMessage"},
	{Name: "password-reset-post-challenge", Handler: "onExecutePostChallenge", Continue: "onContinuePostChallenge"},
	{Name: "custom-email-provider", Handler: "onExecuteCustomEmailProvider"},
	{Name: "custom-phone-provider", Handler: "onExecuteCustomPhoneProvider"},
	{Name: "custom-token-exchange", Handler: "onExecuteCustomTokenExchange"},
	{Name: "event-stream", Handler: "onExecuteEventStream"},
	// The triggers Auth0 added since (its Management API lists the first three as action trigger
	// types). Both post-identifier triggers call the handler Auth0's post-identifier template
	// exports.
	{Name: "login-post-identifier", Handler: "onExecutePostIdentifier"},
	{Name: "signup-post-identifier", Handler: "onExecutePostIdentifier"},
	{Name: "password-hash-migration", Handler: "onExecutePasswordHashMigration"},
	{Name: "post-credential-validation", Handler: "onExecutePostCredentialValidation", FailClosed: true},
}

var byName = func() map[string]Trigger {
	m := make(map[string]Trigger, len(All))
	for _, t := range All {
		m[t.Name] = t
	}
	return m
}()

// Lookup returns the trigger with that name.
func Lookup(name string) (Trigger, bool) {
	t, ok := byName[name]
	return t, ok
}

// Names returns the supported trigger names in SPEC order.
func Names() []string {
	names := make([]string, len(All))
	for i, t := range All {
		names[i] = t.Name
	}
	return names
}
