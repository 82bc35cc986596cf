package schema

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/trigger"
)

// TestTriggersMatchCatalogue keeps the schemas' trigger lists equal to the trigger catalogue.
func TestTriggersMatchCatalogue(t *testing.T) {
	var action struct {
		Properties struct {
			Trigger struct {
				Enum []string `json:"enum"`
			} `json:"trigger"`
		} `json:"properties"`
	}
	data, err := Read("action")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	if got, want := action.Properties.Trigger.Enum, trigger.Names(); !slices.Equal(got, want) {
		t.Errorf("action.schema.json trigger enum: got %v, want %v", got, want)
	}
	var triggers struct {
		Properties map[string]any `json:"properties"`
	}
	data, _ = Read("triggers")
	if err := json.Unmarshal(data, &triggers); err != nil {
		t.Fatal(err)
	}
	for _, name := range trigger.Names() {
		if _, ok := triggers.Properties[name]; !ok {
			t.Errorf("triggers.schema.json: no property %s", name)
		}
	}
	types, _ := Read("types")
	for _, tr := range trigger.All {
		if !contains(types, tr.Handler) {
			t.Errorf("actionsd.d.ts: no handler %s", tr.Handler)
		}
	}
	for _, name := range []string{"module", "action", "triggers"} {
		data, _ := Read(name)
		if !json.Valid(data) {
			t.Errorf("%s: not valid JSON", name)
		}
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }
