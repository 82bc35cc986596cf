package gitstore

import (
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/diag"
)

// TestYAMLSyntaxErrorPosition checks that a YAML syntax error in any manifest names the line and
// column where the YAML stops being valid, with that line's text for the caret. Each expected
// position is the one libyaml (the C library yaml.v3 is a port of, through PyYAML's CSafeLoader)
// reports: its problem mark, or, where the problem mark is the end of the file (an unclosed
// bracket or quote), its context mark, the opening bracket or quote.
func TestYAMLSyntaxErrorPosition(t *testing.T) {
	parsers := map[string]func(string, []byte) diag.List{
		"triggers.yaml": func(f string, b []byte) diag.List { _, ps := ParseTriggers(f, b); return ps },
		"actions/a/action.yaml": func(f string, b []byte) diag.List {
			_, ps := ParseActionManifest(f, b)
			return ps
		},
		"modules/m/module.yaml": func(f string, b []byte) diag.List { _, ps := ParseModuleManifest(f, b); return ps },
	}
	tests := []struct {
		name, file, in string
		want, source   string
	}{
		// libyaml: problem 2:1 (end of stream), context 1:13 "while parsing a flow sequence".
		{"unclosed flow sequence", "triggers.yaml", "post-login: [log-login\n",
			"triggers.yaml:1:13: invalid YAML: sequence end token ']' not found", "post-login: [log-login"},
		// libyaml: problem 4:1 (end of stream), context 2:10.
		{"unclosed flow sequence, nested", "actions/a/action.yaml", "trigger: post-login\nsecrets: [A,\n  B\n",
			"actions/a/action.yaml:2:10: invalid YAML: sequence end token ']' not found", "secrets: [A,"},
		// libyaml: problem 2:1 (end of stream), context 1:15.
		{"unclosed flow mapping", "modules/m/module.yaml", "dependencies: {lodash: 4\n",
			"modules/m/module.yaml:1:15: invalid YAML: could not find flow mapping end token '}'", "dependencies: {lodash: 4"},
		// libyaml: problem 3:2 "did not find expected key".
		{"bad indentation, sequence", "triggers.yaml", "post-login:\n  - a\n - b\n",
			"triggers.yaml:3:2: invalid YAML: did not find expected key", " - b"},
		// libyaml: problem 4:2 "did not find expected key".
		{"bad indentation, mapping", "actions/a/action.yaml", "trigger: post-login\ndependencies:\n  a: 1\n b: 2\n",
			"actions/a/action.yaml:4:2: invalid YAML: did not find expected key", " b: 2"},
		// libyaml: problem 3:3 "did not find expected '-' indicator".
		{"mapping key in a sequence", "actions/a/action.yaml", "secrets:\n  - A\n  B: 1\n",
			"actions/a/action.yaml:3:3: invalid YAML: did not find expected '-' indicator", "  B: 1"},
		// libyaml: problem 2:1 "found character that cannot start any token".
		{"tab indentation", "triggers.yaml", "post-login:\n\t- a\n",
			`triggers.yaml:2:1: invalid YAML: found character '\t' that cannot start any token`, "\t- a"},
		// libyaml: problem 2:1 "found a tab character that violates indentation".
		{"tab before a key", "actions/a/action.yaml", "timeout: 5s\n\tsecrets: []\n",
			"actions/a/action.yaml:2:1: invalid YAML: found a tab character that violates indentation", "\tsecrets: []"},
		// libyaml: problem 3:1 (end of stream), context 1:10 "while scanning a quoted scalar".
		{"unterminated double quote", "actions/a/action.yaml", "trigger: \"post-login\ntimeout: 5s\n",
			"actions/a/action.yaml:1:10: invalid YAML: could not find end character of double-quoted text", `trigger: "post-login`},
		// libyaml: problem 2:1 (end of stream), context 1:14.
		{"unterminated single quote", "modules/m/module.yaml", "description: 'it''s\n",
			"modules/m/module.yaml:1:14: invalid YAML: could not find end character of single-quoted text", "description: 'it''s"},
		// libyaml: problem 1:14 "mapping values are not allowed in this context".
		{"mapping value not allowed", "actions/a/action.yaml", "trigger: post: login\n",
			"actions/a/action.yaml:1:14: invalid YAML: mapping values are not allowed in this context", "trigger: post: login"},
		// libyaml: problem 2:10; the plain scalar "post-login timeout" starts on line 1.
		{"mapping value on a continuation line", "actions/a/action.yaml", "trigger: post-login\n  timeout: 5s\n",
			"actions/a/action.yaml:2:10: invalid YAML: mapping values are not allowed in this context", "  timeout: 5s"},
		// libyaml: problem 2:8; the key "trigger post-login timeout" starts on line 1.
		{"multi-line key", "actions/a/action.yaml", "trigger post-login\ntimeout: 5s\n",
			"actions/a/action.yaml:2:8: invalid YAML: mapping values are not allowed in this context", "timeout: 5s"},
		// libyaml: problem 1:4 "found character that cannot start any token"; columns count characters.
		{"reserved character after multibyte text", "modules/m/module.yaml", "é: @x\n",
			"modules/m/module.yaml:1:4: invalid YAML: '@' is a reserved character", "é: @x"},
		// libyaml: problem 4:1 (end of stream), context 3:1; the duplicate key is not the syntax error.
		{"error after a duplicate key", "actions/a/action.yaml", "timeout: 5s\ntimeout: 6s\nsecrets\n",
			"actions/a/action.yaml:3:1: invalid YAML: could not find expected ':'", "secrets"},
		// libyaml: problem 4:1 (end of stream), context 3:3, in a second document.
		{"error in a second document", "triggers.yaml", "post-login: [a]\n---\n- [b\n",
			"triggers.yaml:3:3: invalid YAML: sequence end token ']' not found", "- [b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := parsers[tt.file](tt.file, []byte(tt.in))
			if len(ps) != 1 {
				t.Fatalf("problems = %q, want one", problems(ps))
			}
			if got := ps[0].Error(); got != tt.want {
				t.Errorf("problem = %q\nwant      %q", got, tt.want)
			}
			if ps[0].Source != tt.source {
				t.Errorf("source = %q, want %q", ps[0].Source, tt.source)
			}
		})
	}
}

// TestYAMLSyntaxErrorWithoutColumn checks the fallback: where the locating parser accepts what
// yaml.v3 rejects, the problem keeps yaml.v3's message and line, without a column or source.
func TestYAMLSyntaxErrorWithoutColumn(t *testing.T) {
	_, ps := ParseModuleManifest("modules/m/module.yaml", []byte("description: x\nsecrets:\n  - }\n"))
	if len(ps) != 1 || ps[0].Error() != "modules/m/module.yaml:2: invalid YAML: did not find expected node content" || ps[0].Source != "" {
		t.Fatalf("problems = %q (source %q)", problems(ps), ps)
	}
}

// TestYAMLSyntaxErrorLocatingIsBounded checks that input the locating parser would take long
// over (it is quadratic in nesting depth: 100,000 '[' took a minute) or that is large keeps
// yaml.v3's answer instead, at once.
func TestYAMLSyntaxErrorLocatingIsBounded(t *testing.T) {
	for name, in := range map[string]string{
		"deep flow":  strings.Repeat("[", 100000),
		"deep block": "a: " + strings.Repeat("- ", 9000) + "[",
		"large":      strings.Repeat("a: [b, c]\n", 10000) + "[",
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, ps := ParseTriggers("triggers.yaml", []byte(in))
			if len(ps) != 1 || ps[0].Col != 0 || ps[0].Source != "" || !strings.Contains(ps[0].Message, "invalid YAML") {
				t.Errorf("problems = %q, want yaml.v3's, without a column", problems(ps))
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	if _, ok := locateYAMLError([]byte(strings.Repeat("[", maxLocateDepth) + "a")); !ok {
		t.Errorf("locateYAMLError refused %d levels", maxLocateDepth)
	}
}
