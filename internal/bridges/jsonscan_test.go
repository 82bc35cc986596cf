package bridges

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestEachMember compares eachMember with encoding/json's decoding into a map.
func TestEachMember(t *testing.T) {
	for _, obj := range []string{
		`{}`, ` { } `,
		`{"a":1}`, `{"a":1.5e3,"b":-2}`, `{ "a" : 1 , "b" : true , "c" : null }`,
		`{"s":"x\"}]{,y","t":"\\"}`, `{"o":{"p":[1,{"q":"}"}],"r":{}},"n":0}`,
		`{"arr":[],"e":"","k\"ey":"v","\u00e9":"é"}`,
		"{\n\t\"a\": [1, 2, 3],\n\t\"b\": {\"c\": false}\n}",
		`{"sub":"u1","amr":[{"method":"password","timestamp":1700000000}],"app_metadata":{"provider":"email","providers":["email"]},"is_anonymous":false}`,
	} {
		want := map[string]json.RawMessage{}
		if err := json.Unmarshal([]byte(obj), &want); err != nil {
			t.Fatalf("%s: %v", obj, err)
		}
		got := map[string]json.RawMessage{}
		if !eachMember([]byte(obj), func(k string, v []byte) { got[k] = append(json.RawMessage(nil), v...) }) {
			t.Errorf("%s: eachMember fails", obj)
			continue
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d members, want %d (%v)", obj, len(got), len(want), got)
		}
		for k, w := range want {
			var a, b bytes.Buffer
			_ = json.Compact(&a, w)
			if err := json.Compact(&b, got[k]); err != nil || a.String() != b.String() {
				t.Errorf("%s: member %q = %q, want %q", obj, k, got[k], w)
			}
		}
	}
	if eachMember([]byte(`[1]`), func(string, []byte) {}) {
		t.Error("an array is taken for an object")
	}
}
