package lockfile

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzParse: whatever the bytes, Parse never panics, and a lock it accepts marshals, and what it
// marshals parses again to the same lock and marshals to the same bytes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"lockfileVersion": 1}`,
		`{
  "future": {"x": [1, 2, {"y": null}]},
  "lockfileVersion": 1,
  "modules": {"logger": {"1": {"tree": "abc", "commit": "def"}, "12": {"tree": "t12"}}},
  "owners": {"modules/logger": {"dependencies": {"ms": "2.1.3"}, "packages": ["zz@1.0.0", "ms@2.1.3"]}},
  "packages": {"ms@2.1.3": {"name": "ms", "version": "2.1.3", "integrity": "sha512-x", "tarball": "ms/-/ms-2.1.3.tgz",
    "dependencies": {"a": "1.0.0"}, "optionalDependencies": {"b": "2.0.0"}, "peerDependencies": {"c": "^3"},
    "optionalPeers": ["c"], "bundled": ["d"], "os": ["!win32"], "cpu": ["x64"], "optional": true, "deprecated": "old"}}
}`,
		`{"lockfileVersion": 9}`,
		`{"lockfileVersion": -1, "owners": null, "packages": null, "modules": null}`,
		`{"modules": {"logger": {"01": {"tree": "a"}}}}`,
		`{"modules": {"logger": {"1": {}}}}`,
		`{"modules": {"logger": {"1": null}}}`,
		`{"modules": {"logger": {"+1": {"tree": "a"}}}}`,
		`{"modules": {"logger": {"0": {"tree": "a"}}}}`,
		`{"modules": {"logger": {"99999999999999999999": {"tree": "a"}}}}`,
		`{"owners": {"actions/a": null}}`,
		`{"owners": {"actions/a": {"packages": null}}}`,
		`{"packages": {"x@1": null}}`,
		`{"OWNERS": {"actions/a": {"packages": ["b", "a"]}}, "owners": {"actions/b": {}}}`,
		`{"Modules": {"m": {"1": {"tree": "x"}}}, "modules": {"m": {"2": {"tree": "y"}}}}`,
		`{"lockfileVersion": 1, "lockfileVersion": 2}`,
		`{"a": 1, "a": 2}`,
		`{"x": "\ud800"}`,
		"{\"x\": \"\xff\"}",
		`{} trailing`,
		`[]`,
		`null`,
		`{"packages": {"x@1": {"name": 5}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l1, err := Parse(data)
		if err != nil {
			if l1 != nil {
				t.Errorf("Parse returned a lock and an error: %v", err)
			}
			return
		}
		out1, err := l1.Marshal()
		if err != nil {
			t.Fatalf("Parse accepted %q, but Marshal fails: %v", data, err)
		}
		l2, err := Parse(out1)
		if err != nil {
			t.Fatalf("Parse accepted %q, but not what Marshal made of it:\n%s\n%v", data, out1, err)
		}
		out2, err := l2.Marshal()
		if err != nil {
			t.Fatalf("Marshal of the re-parsed lock: %v", err)
		}
		if !bytes.Equal(out1, out2) {
			t.Errorf("Marshal is not stable for %q:\n%s\n---\n%s", data, out1, out2)
		}
		// Unknown sections are kept as raw JSON, which Marshal indents: compare them compacted; and
		// an empty list or map that Marshal omits comes back as nil.
		normalize(t, l1)
		normalize(t, l2)
		if !reflect.DeepEqual(l1, l2) {
			t.Errorf("Parse(Marshal(Parse(%q))) differs:\n%#v\n---\n%#v", data, l1, l2)
		}
	})
}

func normalize(t *testing.T, l *Lock) {
	for _, p := range l.Packages {
		for _, m := range []*map[string]string{&p.Dependencies, &p.OptionalDependencies, &p.PeerDependencies} {
			if len(*m) == 0 {
				*m = nil
			}
		}
		for _, s := range []*[]string{&p.OptionalPeers, &p.Bundled, &p.OS, &p.CPU} {
			if len(*s) == 0 {
				*s = nil
			}
		}
	}
	for k, v := range l.other {
		var b bytes.Buffer
		if err := json.Compact(&b, v); err != nil {
			t.Fatalf("unknown section %s is not JSON: %v", k, err)
		}
		l.other[k] = b.Bytes()
	}
}
