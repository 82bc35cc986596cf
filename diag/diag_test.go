package diag

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestDiagnosticError(t *testing.T) {
	tests := []struct {
		name string
		give Diagnostic
		want string
	}{
		{"message only", Diagnostic{Message: "no action spec"}, "no action spec"},
		{"file", Diagnostic{Pos: Pos{File: "triggers.yaml"}, Message: "bad"}, "triggers.yaml: bad"},
		{"line", Diagnostic{Pos: Pos{File: "a.js", Line: 3}, Message: "bad"}, "a.js:3: bad"},
		{"line and col, field", Diagnostic{Pos: Pos{File: "a.yaml", Line: 3, Col: 5}, Field: "timeout", Message: "bad"}, "a.yaml:3:5: timeout: bad"},
		{"ref", Diagnostic{Pos: Pos{Ref: "modules/m/v1", File: "modules/m/module.yaml", Line: 1}, Message: "bad"}, "modules/m/v1:modules/m/module.yaml:1: bad"},
		{"field without file", Diagnostic{Field: "x", Message: "bad"}, "x: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.give.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDiagnosticJSON(t *testing.T) {
	d := At("actions/a", Pos{File: "actions/a/action.yaml", Line: 2, Col: 1}, "trigger", "unknown trigger %q", "x").Warn()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"object":"actions/a","file":"actions/a/action.yaml","line":2,"col":1,"field":"trigger","message":"unknown trigger \"x\""}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

func TestList(t *testing.T) {
	l := List{{Message: "a"}, Diagnostic{Message: "b"}.Warn(), {Message: "c"}}
	if got := l.Error(); got != "a (and 2 more)" {
		t.Errorf("Error() = %q", got)
	}
	if got := fmt.Sprint(len(l.Errors()), len(l.Warnings())); got != "2 1" {
		t.Errorf("errors, warnings = %s, want 2 1", got)
	}
	got, ok := As(fmt.Errorf("build: %w", l))
	if !ok || len(got) != 3 {
		t.Errorf("As(wrapped list) = %v, %t", got, ok)
	}
	got, ok = As(fmt.Errorf("x: %w", Diagnostic{Message: "one"}))
	if !ok || len(got) != 1 || got[0].Message != "one" {
		t.Errorf("As(wrapped diagnostic) = %v, %t", got, ok)
	}
	if _, ok := As(fmt.Errorf("plain")); ok {
		t.Errorf("As(plain error) found diagnostics")
	}
}
