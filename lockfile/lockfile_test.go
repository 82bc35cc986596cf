package lockfile

import (
	"strings"
	"testing"
)

func TestRoundTripKeepsUnknownSections(t *testing.T) {
	in := `{
  "future": {"x": 1},
  "lockfileVersion": 1,
  "modules": {"logger": {"1": {"tree": "abc", "commit": "def"}}},
  "owners": {"modules/logger": {"dependencies": {"ms": "2.1.3"}, "packages": ["ms@2.1.3"]}},
  "packages": {"ms@2.1.3": {"name": "ms", "version": "2.1.3", "integrity": "sha512-x", "tarball": "ms/-/ms-2.1.3.tgz"}}
}
`
	l, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Record("logger", 1); got == nil || got.Tree != "abc" {
		t.Fatalf("record: got %+v, want tree abc", got)
	}
	l.SetRecord("logger", 2, &VersionRecord{Tree: "t2"})
	out, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if again.Record("logger", 2).Tree != "t2" || again.Packages["ms@2.1.3"].Tarball != "ms/-/ms-2.1.3.tgz" {
		t.Errorf("round trip lost data:\n%s", out)
	}
	if !strings.Contains(string(out), `"future": {`) {
		t.Errorf("unknown section dropped:\n%s", out)
	}
	out2, _ := again.Marshal()
	if string(out) != string(out2) {
		t.Errorf("marshal is not deterministic:\n%s\n---\n%s", out, out2)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, give, want string }{
		{"not json", `{`, "actionsd.lock: unexpected end of JSON input"},
		{"newer format", `{"lockfileVersion": 9}`, "lockfileVersion 9 is newer"},
		{"bad version key", `{"modules": {"logger": {"01": {"tree": "a"}}}}`, `modules.logger: version "01" is not a positive whole number`},
		{"missing tree", `{"modules": {"logger": {"1": {}}}}`, "modules.logger.1: tree is required"},
		{"null owner", `{"owners": {"actions/a": null}}`, "owners.actions/a: must be an object, not null"},
		{"null package", `{"packages": {"ms@2.1.3": null}}`, "packages.ms@2.1.3: must be an object, not null"},
		{"owners not an object", `{"owners": []}`, "actionsd.lock: owners: json: cannot unmarshal array"},
		{"not an object", `null`, "actionsd.lock: not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.give))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestParseReadsSectionsByExactName: a section whose name differs from a known one only in case
// is an unknown section, kept as it is, and not read as the known one: were it read, a stale
// "Owners" would come back over every relock.
func TestParseReadsSectionsByExactName(t *testing.T) {
	l, err := Parse([]byte(`{"Owners": {"actions/old": {"dependencies": {"ms": "1.0.0"}}}, "owners": {"actions/new": {}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.Owners["actions/old"]; ok || len(l.Owners) != 1 {
		t.Errorf("owners = %v, want only actions/new", l.Owners)
	}
	delete(l.Owners, "actions/new") // a relock that drops it
	out, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Owners) != 0 || !strings.Contains(string(out), `"Owners"`) {
		t.Errorf("after a relock: owners = %v, lock:\n%s", again.Owners, out)
	}
}
