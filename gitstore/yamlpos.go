package gitstore

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// yamlErrorAt is where a YAML document stops being valid, found by a second parser after
// yaml.v3 rejected it: yaml.v3 reports no column, and for parser errors the line it reports is
// the 0-based line of the enclosing construct (libyaml's context mark), which may lie before the
// fault or, for an unterminated quote, past the end of the file. goccy/go-yaml reports the line
// and column of the token at fault. Only the failure path pays for it.
type yamlErrorAt struct {
	line, col int    // 1-based; col counts characters, as diag.Pos does
	message   string // goccy's message, without position
	source    string // the text of the line
}

// locateYAMLError parses data with goccy/go-yaml and returns where it fails, or false when it
// accepts data (yaml.v3 then rejected it for a reason of its own, such as an unknown anchor) or
// names a place that is not in data.
func locateYAMLError(data []byte) (at yamlErrorAt, ok bool) {
	if len(data) > maxLocateSize || !shallowYAML(data) {
		return yamlErrorAt{}, false
	}
	defer func() {
		// A locator must not take the daemon down on input that already failed.
		if recover() != nil {
			ok = false
		}
	}()
	// Duplicate keys are for the manifest checks to report, as yaml.v3 lets them through.
	_, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	var e interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if err == nil || !errors.As(err, &e) || e.GetToken() == nil || e.GetToken().Position == nil {
		return yamlErrorAt{}, false
	}
	tk := e.GetToken()
	if msg := e.GetMessage(); (strings.HasPrefix(msg, "mapping value is not allowed") || msg == "unexpected key name") &&
		tk.Next != nil && tk.Next.Type == token.MappingValueType && tk.Next.Position != nil {
		// goccy blames the key before the ':' (which may start lines above, as a plain scalar
		// continued on the next line does); the fault is the ':', where yaml.v3 and libyaml put it.
		tk = tk.Next
	}
	pos := tk.Position
	lines := bytes.Split(data, []byte("\n"))
	if pos.Line < 1 || pos.Line > len(lines) || pos.Column < 1 {
		return yamlErrorAt{}, false
	}
	text := strings.TrimSuffix(string(lines[pos.Line-1]), "\r")
	if pos.Column > utf8.RuneCountInString(text)+1 {
		return yamlErrorAt{}, false
	}
	return yamlErrorAt{line: pos.Line, col: pos.Column, message: strings.ReplaceAll(e.GetMessage(), "\t", `\t`), source: text}, true
}

// clearerYAMLMessage returns goccy's message in place of yaml.v3's msg when yaml.v3's says less
// about the place the caret points at (the quote or bracket never closed, the character that
// cannot start a token) and goccy's names the same fault; else msg.
func clearerYAMLMessage(msg, goccy string) string {
	same, vague := map[string]string{
		"found unexpected end of stream":              "could not find end character",
		"found character that cannot start any token": "character",
		"did not find expected ',' or ']'":            "']'",
		"did not find expected ',' or '}'":            "'}'",
	}[msg]
	if vague && strings.Contains(goccy, same) {
		return goccy
	}
	return msg
}

// maxLocateSize bounds the manifests locateYAMLError hands to goccy/go-yaml, which allocates some
// 400 bytes per byte of input: a hostile manifest at the 1 MiB limit would cost the daemon
// hundreds of megabytes and a second to locate an error. Real manifests are a few hundred bytes;
// a larger one keeps yaml.v3's line.
const maxLocateSize = 64 << 10

// maxLocateDepth bounds the nesting locateYAMLError hands to goccy/go-yaml, whose parser takes
// time quadratic in the depth of nesting (100,000 '[' take a minute, where yaml.v3 stops at
// 10,000 levels within milliseconds). Manifests nest a few levels deep.
const maxLocateDepth = 100

// shallowYAML reports whether data nests at most maxLocateDepth levels, by an estimate that can
// only overcount: open flow brackets, plus the '-', '?' and ':' indicators on the current line.
func shallowYAML(data []byte) bool {
	flow, line := 0, 0
	for i, c := range data {
		switch c {
		case '\n':
			line = 0
		case '[', '{':
			flow++
		case ']', '}':
			flow = max(0, flow-1)
		case '-', '?', ':':
			if i+1 == len(data) || data[i+1] == ' ' || data[i+1] == '\t' || data[i+1] == '\n' || data[i+1] == '\r' {
				line++
			}
		}
		if flow+line > maxLocateDepth {
			return false
		}
	}
	return true
}
