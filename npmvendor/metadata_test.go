package npmvendor

import (
	"reflect"
	"testing"
)

// TestDecodePackumentAsNpm: metadata npm accepts is read, each odd field as npm makes it
// (mime 2.6.0 and node-uuid carry "dependencies": []).
func TestDecodePackumentAsNpm(t *testing.T) {
	doc := `{"name": "odd", "dist-tags": {"latest": "1.0.0", "weird": 3}, "versions": {
	  "1.0.0": {"name": "odd", "version": "1.0.0", "dependencies": [], "devDependencies": "",
	    "optionalDependencies": "a@^1 b", "peerDependencies": ["c@2", "d"], "peerDependenciesMeta": [],
	    "bin": "./cli.js", "engines": ["node >= 0.4.0"], "deprecated": false, "os": "linux", "cpu": ["x64", 7],
	    "directories": [], "scripts": "nope", "dist": {"shasum": "0123456789abcdef0123456789abcdef01234567", "tarball": "http://r/odd/-/odd-1.0.0.tgz", "integrity": null}},
	  "1.0.1": {"name": "odd", "version": "1.0.1", "dependencies": {"e": "1", "f": {"version": "2"}}, "engines": {"node": ">=0.8", "npm": 3},
	    "peerDependenciesMeta": {"c": {"optional": true}, "d": "yes"}, "dist": {"integrity": 42}},
	  "0.0.1": "not an object"}}`
	p, err := decodePackument([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.DistTags; !reflect.DeepEqual(got, distTags{"latest": "1.0.0"}) {
		t.Errorf("dist-tags: %v", got)
	}
	if _, ok := p.Versions["0.0.1"]; ok || len(p.Versions) != 2 {
		t.Errorf("versions: %v, want 1.0.0 and 1.0.1 (a version that is not an object dropped)", p.Versions)
	}
	m := p.Versions["1.0.0"]
	checks := []struct {
		what      string
		got, want any
	}{
		{"dependencies []", m.Dependencies, depMap(nil)},
		{"optionalDependencies string", m.OptionalDependencies, depMap{"a": "^1", "b": "*"}},
		{"peerDependencies list", m.PeerDependencies, depMap{"c": "2", "d": "*"}},
		{"peerDependenciesMeta []", m.PeerDependenciesMeta, peerMeta(nil)},
		{"engines list", m.Engines, engines{}},
		{"deprecated false", m.deprecation(), ""},
		{"os string", m.OS, stringList{"linux"}},
		{"cpu mixed", m.CPU, stringList{"x64"}},
		{"integrity null", string(m.Dist.Integrity), ""},
		{"shasum", string(m.Dist.Shasum), "0123456789abcdef0123456789abcdef01234567"},
	}
	m1 := p.Versions["1.0.1"]
	checks = append(checks, []struct {
		what      string
		got, want any
	}{
		{"dependencies with an object value", m1.Dependencies, depMap{"e": "1"}},
		{"engines.node", m1.Engines.Node, ">=0.8"},
		{"peerDependenciesMeta", m1.PeerDependenciesMeta, peerMeta{"c": {Optional: true}}},
		{"integrity number", string(m1.Dist.Integrity), ""},
	}...)
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.what, c.got, c.want)
		}
	}
	if got, err := distIntegrity("", string(m.Dist.Shasum)); err != nil || got != "sha1-ASNFZ4mrze8BI0VniavN7wEjRWc=" {
		t.Errorf("shasum fallback: %q, %v", got, err)
	}
	if got, err := distIntegrity("md5-AAAA", string(m.Dist.Shasum)); err != nil || got[:5] != "sha1-" {
		t.Errorf("unsupported integrity with a shasum: %q, %v", got, err)
	}
	if _, err := distIntegrity("", ""); err == nil {
		t.Error("no integrity nor shasum: want an error")
	}
}

// TestWithPrologue: the missing-require prologue keeps a chunk's "use strict" first (so the chunk
// stays strict) and its line numbers.
func TestWithPrologue(t *testing.T) {
	for give, want := range map[string]string{
		"\"use strict\";\nvar a = 1;\n": "\"use strict\";P;\nvar a = 1;\n",
		"var a = 1;\n":                  "P;var a = 1;\n",
	} {
		if got := string(withPrologue([]byte(give), "P;")); got != want {
			t.Errorf("withPrologue(%q) = %q, want %q", give, got, want)
		}
	}
}
