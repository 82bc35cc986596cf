package runner

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestExecuteEvent: an event Parse validated runs as Execute runs the same bytes (small, and with
// more members than Execute keeps the spans of), and what Parse refuses is what Execute refuses.
func TestExecuteEvent(t *testing.T) {
	g := mustBuild(t, newSpec(newAction("claims", claimsOnlyAction)), Options{})
	ctx := context.Background()
	var many strings.Builder
	many.WriteString(`{"authorization":{"roles":["admin"]}`)
	for i := range maxEventMembers + 4 {
		many.WriteString(`,"m` + strconv.Itoa(i) + `":1`)
	}
	many.WriteString("}")
	for _, event := range []string{benchEvent, `{}`, many.String()} {
		want, err := g.Execute(ctx, "post-login", []byte(event))
		if err != nil {
			t.Fatal(err)
		}
		var ev Event
		if !ev.Parse([]byte(event)) || string(ev.Bytes()) != event {
			t.Fatalf("Parse refused %s", event)
		}
		got, err := g.ExecuteEvent(ctx, "post-login", &ev)
		if err != nil {
			t.Fatal(err)
		}
		if w, g := toJSON(t, want.Effects), toJSON(t, got.Effects); w != g || got.Outcome != want.Outcome {
			t.Errorf("%.40s: ExecuteEvent %s %s, Execute %s %s", event, got.Outcome, g, want.Outcome, w)
		}
	}
	for _, bad := range []string{``, `[]`, `{"a":}`, `{"a":1} {}`, `"x"`} {
		var ev Event
		if ev.Parse([]byte(bad)) {
			t.Errorf("Parse took %q", bad)
		}
		if _, err := g.Execute(ctx, "post-login", []byte(bad)); err == nil {
			t.Errorf("Execute took %q", bad)
		}
		var re *RequestError
		if _, err := g.ExecuteEvent(ctx, "post-login", &ev); !errors.As(err, &re) || re.Kind != ErrBadEvent {
			t.Errorf("ExecuteEvent of the refused %q: %v", bad, err)
		}
	}
	var ev Event
	ev.Parse([]byte(benchEvent))
	if _, err := g.ExecuteEvent(ctx, "nope", &ev); err == nil {
		t.Error("ExecuteEvent ran an unknown trigger")
	}
}
