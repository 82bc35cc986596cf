package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/runner/wire"
)

// TestPIIMatchesReference: the walker with its policy compiled into rules writes, byte for byte,
// what the walker before it wrote (pii_ref_test.go), and fails where it failed, over varied events
// and policies: nested fields, escaped and dotted keys, missing fields, non-string values.
func TestPIIMatchesReference(t *testing.T) {
	events := []string{
		`{"user":{"user_id":"auth0|123","email":"ada@example.com","app_metadata":{"plan":"gold"}},"request":{"ip":"203.0.113.7","geoip":{"countryCode":"FR"}},"tenant":{"id":"t1"}}`,
		`{}`,
		` { "user" : { "email" : "a@b.c" , "phone_number" : null } , "request" : { } } `,
		`{"user":{"email":42,"phone_number":{"cc":"+33","n":"612"}},"request":{"ip":["203.0.113.7"]}}`,
		`{"user":"not an object","request":null}`,
		`{"us\u0065r":{"em\u0061il":"x@y.z"},"request":{"ip":"a\"b\\c\u00e9"}}`,
		`{"user.email":"dotted","user":{"email.x":1},"a.b":{"c":1,"c.d":2},"a":{"b.c":3,"b":{"c":4}}}`,
		`{"user":{"email":"one","email":"two"},"user":{"phone_number":true}}`,
		`{"":{"":1},"x":{"y":{"z":{"w":"deep","v":[1,{"w":2}]}}}}`,
		`{"request":{"ip":"1","query":{"login_hint":"h","other":"o"},"user_agent":"UA"},"user":{"name":"N","email":"E","phone_number":"P"}}`,
		`{"user":{"email":"é😀\n\t"}}`,
		`{"user":{"email":"x"}`,          // cut short
		`{"user":{"email" "x"}}`,         // no colon
		`{"user" : {"email":"x"} "a":1}`, // no comma
		`[1,2]`,
		``,
	}
	policies := []PII{
		{Hash: DefaultPIIHash},
		{},
		{Drop: []string{"request.user_agent", "user.name"}, Hash: DefaultPIIHash},
		{Drop: []string{"user.email"}, Hash: []string{"user.email", "user"}},
		{Drop: []string{"a.b.c"}, Hash: []string{"user.email", "x.y.z.w"}},
		{Hash: []string{"", ".", "x", "x.y", "request.query.login_hint", "user.email.x"}},
		{Drop: []string{"user", "request.ip"}},
		{Hash: []string{"user.email", "user.email", "request"}},
	}
	mac := newPIIMAC(bytes.Repeat([]byte{7}, 32))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		events = append(events, randomEvent(rng, 3))
	}
	var w piiWalker
	w.mac = mac
	var scratch, refScratch []byte
	n := 0
	for _, pii := range policies {
		for _, ev := range events {
			got, err := w.applyPII(&scratch, []byte(ev), pii)
			want, refErr := refApplyPII(&refScratch, []byte(ev), pii, mac)
			if (err == nil) != (refErr == nil) || (err != nil && err.Error() != refErr.Error()) {
				t.Fatalf("policy %+v, event %s: error %v, the reference's %v", pii, ev, err, refErr)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("policy %+v, event %s:\n got  %s\n want %s", pii, ev, got, want)
			}
			if err == nil && !bytes.Equal(got, []byte(ev)) {
				n++
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d events were rewritten: the cases do not exercise the policy", n)
	}
}

// randomEvent is a JSON object whose keys are often those of the policies above.
func randomEvent(rng *rand.Rand, depth int) string {
	keys := []string{"user", "email", "phone_number", "request", "ip", "a", "b", "c", "a.b", "b.c", "x", "y", "z", "w", "", "em\\u0061il", "user.email"}
	var b strings.Builder
	b.WriteByte('{')
	for i := range rng.IntN(5) {
		if i > 0 {
			b.WriteByte(',')
		}
		if rng.IntN(4) == 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, `"%s":`, keys[rng.IntN(len(keys))])
		switch k := rng.IntN(7); {
		case k < 3 && depth > 0:
			b.WriteString(randomEvent(rng, depth-1))
		case k == 3:
			b.WriteString(`"v\"` + fmt.Sprint(rng.IntN(100)) + `"`)
		case k == 4:
			b.WriteString(`[1,{"email":"e"},"s"]`)
		case k == 5:
			b.WriteString([]string{"null", "true", "-1.5e3", "0"}[rng.IntN(4)])
		default:
			q, _ := json.Marshal(fmt.Sprintf("s%d", rng.IntN(1000)))
			b.Write(q)
		}
	}
	b.WriteByte('}')
	return b.String()
}

// TestResultCut: the members a record takes from the Result are found where AppendJSON puts them
// after the Entry's fields, escaped or not, and with or without a revision.
func TestResultCut(t *testing.T) {
	for _, c := range []struct {
		id, trigger, revision string
		generation            int64
	}{
		{"0123456789abcdef0123456789abcdef", "post-login", "", 7},
		{"ex-1", "post-login", "canary", 0},
		{"ex-\"quoted\"", "tab\there", "", -12},
		{"é", "\u2028", "stable", 1 << 40},
		{"x", "y", "", math.MinInt64},
	} {
		res := &wire.Result{ExecutionID: c.id, Trigger: c.trigger, Commit: "abc", Generation: c.generation, Revision: c.revision, Outcome: "success"}
		// A nested "actions" member later in the text must not be taken for the Result's.
		res.Effects.AppMetadata = map[string]any{"x": map[string]any{"actions": 1}}
		b, err := res.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		e := &Entry{ID: c.id, Trigger: c.trigger, Commit: "abc", Generation: c.generation, Revision: c.revision, Outcome: "success", Result: b}
		if got, want := resultCut(e), bytes.Index(b, resultTail); got != want || want < 0 {
			t.Errorf("%+v: cut at %d, want %d in %s", c, got, want, b)
		}
	}
}
