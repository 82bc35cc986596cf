package wire

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/actionsd/actionsd/runner/host/hosttest"
)

// An event goes in as JSON and comes out of JSON.stringify as the same document (plus its
// secrets), each member built only when read; what the api records goes out in the Result's JSON
// as encoding/json would read it back.
func TestEventAndResultRoundTrip(t *testing.T) {
	vm := hosttest.New(t)
	var buf [testMembers]MemberSpan
	members, ok := ObjectMembers([]byte(sampleEvent), buf[:0])
	if !ok || len(members) != 5 {
		t.Fatalf("ObjectMembers = %d members, %t", len(members), ok)
	}
	secrets := vm.Runtime().NewObject()
	secrets.Set("K", "v")
	vm.In.MustFreeze(secrets)
	ev, err := NewEvent(vm.Runtime(), sampleEvent, members, secrets)
	if err != nil {
		t.Fatal(err)
	}
	vm.Set("event", ev)
	got := vm.Run(`event.user.app_metadata.plan = 'platinum';
delete event.tenant;
event.added = [1, 'x'];
JSON.stringify(event)`).String()
	var want, have map[string]any
	_ = json.Unmarshal([]byte(sampleEvent), &want)
	want["user"].(map[string]any)["app_metadata"].(map[string]any)["plan"] = "platinum"
	delete(want, "tenant")
	want["secrets"] = map[string]any{"K": "v"}
	want["added"] = []any{1.0, "x"}
	if err := json.Unmarshal([]byte(got), &have); err != nil || !reflect.DeepEqual(have, want) {
		t.Errorf("JSON.stringify(event) = %s (%v)", got, err)
	}

	r := &Result{ExecutionID: "e1", Trigger: "post-login", Outcome: OutcomeSuccess}
	r.Begin(1)
	r.Actions = append(r.Actions, ActionResult{Name: "a", Logs: []string{"line <1>"}})
	claim := append(r.JSONScratch(), `["admin","dev"]`...)
	eff := r.AddCommand("a", "idToken.setCustomClaim", []any{"roles", json.RawMessage(r.KeepJSON(claim))})
	SetEffect(&eff.IDTokenClaims, "roles", json.RawMessage(claim))
	r.AddCommand("a", "access.deny", []any{"no"}).Access = Access{Denied: true, Reason: "no", Action: "a"}
	out, err := r.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Actions  []ActionResult `json:"actions"`
		Commands []Command      `json:"commands"`
		Effects  struct {
			IDTokenClaims map[string][]string `json:"id_token_claims"`
			Access        Access              `json:"access"`
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if back.Actions[0].Logs[0] != "line <1>" || len(back.Commands) != 2 || back.Commands[1].Op != "access.deny" ||
		!reflect.DeepEqual(back.Effects.IDTokenClaims["roles"], []string{"admin", "dev"}) || !back.Effects.Access.Denied {
		t.Errorf("the Result did not survive its JSON: %s", out)
	}
	checkResultJSON(t, r)
}
