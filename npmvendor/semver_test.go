package npmvendor

import (
	"errors"
	"testing"
)

// TestSatisfiesNodeSemver checks Satisfies against the behaviour node-semver documents for
// npm (no loose parsing, no includePrerelease): hyphen ranges, x-ranges, tilde and caret (with
// ^0.x), ||, build metadata, and prerelease rules.
func TestSatisfiesNodeSemver(t *testing.T) {
	tests := []struct {
		give, version string
		want          bool
	}{
		// hyphen ranges
		{"1.0.0 - 2.0.0", "1.2.3", true},
		{"1.0.0 - 2.0.0", "2.2.3", false},
		{"1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3", true},
		{"1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3-pre.2", true},
		{"1.2.3-pre+asdf - 2.4.3-pre+asdf", "2.4.3-alpha", true},
		{"1.2.3+asdf - 2.4.3+asdf", "1.2.3", true},
		{"1.2.3+asdf - 2.4.3+asdf", "1.2.3-pre.2", false},
		{"1.2.3+asdf - 2.4.3+asdf", "2.4.3-alpha", false},
		{"x - 1.0.0", "0.9.7", true},
		{"1.0.0 - x", "1.9.7", true},
		// primitives and empty
		{"1.0.0", "1.0.0", true},
		{"1.0.0", "1.0.1", false},
		{"", "1.0.0", true},
		{"*", "1.2.3", true},
		{">=*", "0.2.4", true},
		{">=1.0.0", "1.0.0", true},
		{">=1.0.0", "0.1.0", false},
		{">1.0.0", "1.0.1", true},
		{">1.0.0", "0.0.1", false},
		{"<=2.0.0", "1.9999.9999", true},
		{"<=2.0.0", "2.2.9", false},
		{"<2.0.0", "0.2.9", true},
		{"<2.0.0", "2.9999.9999", false},
		{">=  1.0.0", "1.0.1", true},
		{"<    2.0.0", "1.9999.9999", true},
		// ||
		{"0.1.20 || 1.2.4", "1.2.4", true},
		{"0.1.20 || 1.2.4", "1.2.3", false},
		{">=0.2.3 || <0.0.1", "0.0.0", true},
		{">=0.2.3 || <0.0.1", "0.2.2", false},
		{"||", "1.3.4", true},
		// x-ranges
		{"2.x.x", "2.1.3", true},
		{"2.x.x", "3.1.3", false},
		{"1.2.x || 2.x", "2.1.3", true},
		{"1.2.x || 2.x", "1.1.3", false},
		{"x", "1.2.3", true},
		{"2.*.*", "2.1.3", true},
		{"1.2.*", "1.3.3", false},
		{"2", "2.1.2", true},
		{"2", "1.1.2", false},
		{"2.3", "2.3.1", true},
		{"2.3", "2.4.1", false},
		{"=0.7.x", "0.7.2", true},
		{"=0.7.x", "0.8.2", false},
		{"<=0.7.x", "0.6.2", true},
		{">=0.7.x", "0.6.2", false},
		{"<0.7.x", "0.7.2", false},
		{"<=7.x", "7.9.9", true},
		// tilde
		{"~0.0.1", "0.0.2", true},
		{"~0.0.1", "0.1.0", false},
		{"~2.4", "2.4.5", true},
		{"~2.4", "2.5.0", false},
		{"~2.4", "2.3.9", false},
		{"~>3.2.1", "3.2.2", true},
		{"~>3.2.1", "3.3.2", false},
		{"~1", "1.2.3", true},
		{"~1", "0.2.3", false},
		{"~ 1.0.3", "1.0.12", true},
		{"~1.0", "1.1.0", false},
		{"~v0.5.4-pre", "0.5.5", true},
		{"~1.2.1 >=1.2.3", "1.2.3", true},
		{"~1.2.1 1.2.3 >=1.2.3", "1.2.3", true},
		// caret, including ^0.x
		{"^1.2.3", "1.8.1", true},
		{"^1.2.3", "1.2.2", false},
		{"^1.2.3", "2.0.0-alpha", false},
		{"^0.1.2", "0.1.2", true},
		{"^0.1.2", "0.2.0", false},
		{"^0.1", "0.1.2", true},
		{"^0.0.1", "0.0.1", true},
		{"^0.0.1", "0.0.2", false},
		{"^1.2", "1.4.2", true},
		{"^1.2", "1.1.9", false},
		{"^1.2 ^1", "1.4.2", true},
		{"^x", "1.2.3", true},
		{"^1.2.3+build", "1.3.0", true},
		{"^1.2.3+build", "2.0.0", false},
		// prereleases: only with a comparator on the same major.minor.patch
		{"^1.2.3-alpha", "1.2.3-pre", true},
		{"^1.2.0-alpha", "1.2.0-pre", true},
		{"^0.0.1-alpha", "0.0.1-beta", true},
		{"^0.0.1-alpha", "0.0.1", true},
		{"^0.1.1-alpha", "0.1.1-beta", true},
		{"^1.2.3", "1.2.3-pre", false},
		{"^1.2", "1.2.0-pre", false},
		{">1.2", "1.3.0-beta", false},
		{"<=1.2.3", "1.2.3-beta", false},
		{"=0.7.x", "0.7.0-asdf", false},
		{"~v0.5.4-beta", "0.5.4-alpha", false},
		{"<1.2.3", "1.2.3-beta", false},
		{"=1.2.3", "1.2.3-beta", false},
		{"^0.0.1", "0.0.2-alpha", false},
		{"^1.0.0", "2.0.0-rc1", false},
		{"*", "1.0.0-rc1", false},
		// invalid versions never satisfy
		{"*", "not a version", false},
		{">=2", "glorp", false},
	}
	for _, tt := range tests {
		if got := Satisfies(tt.version, tt.give); got != tt.want {
			t.Errorf("Satisfies(%q, %q) = %v, want %v", tt.version, tt.give, got, tt.want)
		}
	}
}

func TestPickVersion(t *testing.T) {
	p := &packument{
		Name:     "p",
		DistTags: map[string]string{"latest": "1.2.0", "next": "2.0.0-rc.1"},
		Versions: map[string]*manifest{
			"0.9.0": {}, "1.0.0": {}, "1.2.0": {}, "1.3.0": {}, "1.4.0": {Deprecated: []byte(`"broken"`)},
			"2.0.0-rc.1": {}, "0.0.3": {}, "0.0.4": {Deprecated: []byte(`false`)},
		},
	}
	tests := []struct {
		name, give, want string
		wantErr          bool
	}{
		{name: "latest tag", give: "latest", want: "1.2.0"},
		{name: "blank is latest", give: "", want: "1.2.0"},
		{name: "other tag", give: "next", want: "2.0.0-rc.1"},
		{name: "exact", give: "1.0.0", want: "1.0.0"},
		{name: "exact with =", give: "=1.3.0", want: "1.3.0"},
		{name: "latest satisfies the range", give: "^1.0.0", want: "1.2.0"},
		{name: "latest outside the range", give: "~1.3.0", want: "1.3.0"},
		{name: "deprecated ranks last", give: ">=1.3.0 <2", want: "1.3.0"},
		{name: "only deprecated", give: "1.4.x", want: "1.4.0"},
		{name: "deprecated false is not deprecated", give: "^0.0.3 || 0.0.4", want: "0.0.4"},
		{name: "prerelease not picked by star", give: "*", want: "1.2.0"},
		{name: "missing version", give: "9.9.9", wantErr: true},
		{name: "unsatisfiable", give: "^3", wantErr: true},
		{name: "unknown tag", give: "beta", wantErr: true},
		{name: "garbage range", give: ">=>=1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pickVersion(p, tt.give, "")
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %s, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := pickVersion(p, "9.9.9", ""); !errors.Is(err, errNoVersion) {
		t.Errorf("missing version: got %v, want errNoVersion", err)
	}
}

func FuzzSatisfies(f *testing.F) {
	for _, s := range []string{"^1.2.3", "1.0.0 - 2.x", ">=1 <2 || 3", "~0.0.1-alpha"} {
		f.Add(s, "1.2.3")
	}
	f.Fuzz(func(t *testing.T, rng, version string) {
		_ = Satisfies(version, rng)
		_ = exactVersion(rng)
	})
}

// TestPickVersionEngines: a range or "latest" resolves to the newest version whose engines.node
// admits the emulated Node, as npm-pick-manifest does; an exact version or another tag is what
// it names whatever its engines say.
func TestPickVersionEngines(t *testing.T) {
	eng := func(node string) *manifest { return &manifest{Engines: engines{Node: node}} }
	p := &packument{
		Name:     "p",
		DistTags: map[string]string{"latest": "3.0.0", "beta": "3.1.0-beta.1"},
		Versions: map[string]*manifest{
			"1.0.0": eng(""), "1.5.0": eng(">=14"), "2.0.0": eng(">=18 <23"),
			"2.1.0": {Engines: engines{Node: ">=18"}, Deprecated: []byte(`"use 3"`)},
			"3.0.0": eng(">=24"), "3.1.0-beta.1": eng(">=24"), "4.0.0-rc.1": eng(""),
			"5.0.0": eng("not a range"),
		},
	}
	p.Versions["5.0.0"].Deprecated = []byte(`"x"`) // not latest, and ranked last anyway
	tests := []struct{ node, give, want string }{
		{"22.0.0", "latest", "2.0.0"},
		{"22.9999.9999", "latest", "2.0.0"},
		{"22.0.0", "", "2.0.0"},
		{"22.0.0", "^3", "3.0.0"}, // nothing in range admits Node 22: the highest, as npm
		{"22.0.0", "*", "2.0.0"},
		{"22.0.0", ">=1.5", "2.0.0"},
		{"24.1.0", "latest", "3.0.0"},
		{"24.1.0", "^2", "2.1.0"}, // 2.0.0 excludes 24; deprecated 2.1.0 admits it
		{"16.0.0", "latest", "1.5.0"},
		{"22.0.0", "3.0.0", "3.0.0"},
		{"22.0.0", "beta", "3.1.0-beta.1"},
		{"", "latest", "3.0.0"}, // engines not read
	}
	for _, tt := range tests {
		got, err := pickVersion(p, tt.give, tt.node)
		if err != nil || got != tt.want {
			t.Errorf("node %s, %q: got %s, %v; want %s", tt.node, tt.give, got, err, tt.want)
		}
	}
}

func TestParseNodeVersion(t *testing.T) {
	for give, want := range map[string]string{"": "22.9999.9999", "22": "22.9999.9999", "v20.11": "20.11.9999", "22.12.1": "22.12.1"} {
		if got, err := ParseNodeVersion(give); err != nil || got != want {
			t.Errorf("ParseNodeVersion(%q) = %q, %v; want %q", give, got, err, want)
		}
	}
	for _, bad := range []string{"x", "22.", "1.2.3.4", "22.x", "-1"} {
		if _, err := ParseNodeVersion(bad); err == nil {
			t.Errorf("ParseNodeVersion(%q): want an error", bad)
		}
	}
}
