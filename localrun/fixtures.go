package localrun

import (
	"encoding/json"
	"io/fs"

	"github.com/actionsd/actionsd/examples"
	"github.com/actionsd/actionsd/trigger"
)

// Fixtures returns a sample event per trigger, by trigger name: post-login is the quickstart's
// sample event; the others carry the fields every trigger shares (tenant, request, user, client).
// They are what `actionsd invoke` runs without --event and what tests get from events.<trigger>().
func Fixtures() map[string]any {
	common := func() map[string]any {
		return map[string]any{
			"tenant":  map[string]any{"id": "example"},
			"request": map[string]any{"ip": "203.0.113.24", "hostname": "login.example.com", "language": "en", "user_agent": "actionsd-test"},
			"client":  map[string]any{"client_id": "s6BhdRkqt3x7Yc2FqZ", "name": "Example Web App", "metadata": map[string]any{}},
			"user": map[string]any{"user_id": "auth0|5f7c8ec7c33c6c004bbafe82", "email": "jane@example.com", "email_verified": true,
				"name": "Jane Doe", "app_metadata": map[string]any{}, "user_metadata": map[string]any{}},
			"secrets": map[string]any{},
		}
	}
	out := map[string]any{}
	for _, t := range trigger.All {
		ev := common()
		switch t.Name {
		case "post-login":
			var pl map[string]any
			if data, err := fs.ReadFile(examples.FS, "events/post-login.json"); err == nil && json.Unmarshal(data, &pl) == nil {
				ev = pl
			}
		case "credentials-exchange":
			delete(ev, "user")
			ev["accessToken"] = map[string]any{"customClaims": map[string]any{}, "scope": []any{"read:data"}}
			ev["resource_server"] = map[string]any{"identifier": "https://api.example.com"}
			ev["transaction"] = map[string]any{"requested_scopes": []any{"read:data"}}
		case "pre-user-registration", "post-user-registration":
			ev["connection"] = map[string]any{"id": "con_Kx9Tq2Lm4Np7Rs1V", "name": "Username-Password-Authentication", "strategy": "auth0"}
		case "post-change-password":
			ev["connection"] = map[string]any{"id": "con_Kx9Tq2Lm4Np7Rs1V", "name": "Username-Password-Authentication", "strategy": "auth0"}
		case "send-phone-message", "custom-phone-provider":
			ev["message_options"] = map[string]any{"recipient": "+15555550123", "text": "Your code is 123456", "action": "enrollment", "message_type": "sms", "code": "123456"}
		case "custom-email-provider":
			ev["notification"] = map[string]any{"to": "jane@example.com", "from": "noreply@example.com", "subject": "Verify your email", "html": "<p>Hi</p>", "text": "Hi", "message_type": "verify_email"}
		case "password-reset-post-challenge":
			ev["transaction"] = map[string]any{"id": "txn_01HZX4K3M7R2Q8"}
		case "custom-token-exchange":
			ev["transaction"] = map[string]any{"subject_token_type": "urn:example:external-token", "subject_token": "external-token"}
		case "login-post-identifier", "signup-post-identifier":
			delete(ev, "user") // the user is not known yet: only what they typed
			ev["transaction"] = map[string]any{"identifier": "jane@example.com", "locale": "en"}
		case "password-hash-migration":
			ev["connection"] = map[string]any{"id": "con_Kx9Tq2Lm4Np7Rs1V", "name": "Username-Password-Authentication", "strategy": "auth0"}
			ev["password"] = map[string]any{"plaintext": "correct horse", "hash": "legacy-hash", "algorithm": "legacy"}
		case "post-credential-validation":
			ev["connection"] = map[string]any{"id": "con_Kx9Tq2Lm4Np7Rs1V", "name": "Username-Password-Authentication", "strategy": "auth0"}
		case "event-stream":
			ev["message"] = map[string]any{"type": "user.created", "data": map[string]any{}}
		}
		out[t.Name] = ev
	}
	return out
}

// Event returns the fixture event of trig as JSON.
func Event(trig string) ([]byte, bool) {
	ev, ok := Fixtures()[trig]
	if !ok {
		return nil, false
	}
	data, err := json.MarshalIndent(ev, "", "  ")
	return data, err == nil
}
