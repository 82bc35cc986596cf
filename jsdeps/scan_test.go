package jsdeps

import (
	"fmt"
	"slices"
	"testing"
)

func TestRequires(t *testing.T) {
	src := `const a = require('a');
/* require('b') */ x.require('c'); requireX('d');
const e = require ( "e" ) ; ` + "`require('f')`; require(`g`);" + ` require('h' + i);
`
	got := Requires([]byte(src))
	want := []Require{{"a", 1, 11}, {"e", 3, 11}, {"g", 3, 45}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Requires = %v, want %v", got, want)
	}
}

func TestPackageSubpaths(t *testing.T) {
	files := map[string][]byte{
		"index.js": []byte(`const get = require('lodash/get'); const _ = require('lodash');
// require('lodash/commented')
const x = require("@acme/pkg/sub/x"); require('other/y'); require('./lodash/local'); require('node:crypto'); require('lodash/');`),
		"lib/more.cjs": []byte("require(`lodash/get`); require('lodash/set');"),
		"data.json":    []byte(`{"a": "require('lodash/json')"}`),
	}
	got := PackageSubpaths(files, map[string]string{"lodash": "4.17.21", "@acme/pkg": "1.0.0"})
	want := []string{"@acme/pkg/sub/x", "lodash/get", "lodash/set"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPackageName(t *testing.T) {
	tests := []struct{ give, want string }{
		{"lodash", "lodash"},
		{"lodash/get", "lodash"},
		{"lodash/fp/get", "lodash"},
		{"@scope/pkg", "@scope/pkg"},
		{"@scope/pkg/sub/x", "@scope/pkg"},
		{"@scope", "@scope"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := PackageName(tt.give); got != tt.want {
			t.Errorf("PackageName(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestIsJS(t *testing.T) {
	for name, want := range map[string]bool{"index.js": true, "lib/a.cjs": true, "data.json": false, "a.mjs": false, "a.ts": false} {
		if got := IsJS(name); got != want {
			t.Errorf("IsJS(%q) = %t, want %t", name, got, want)
		}
	}
}
