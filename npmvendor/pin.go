package npmvendor

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// PinManifest rewrites, in the text of a module.yaml or action.yaml, the version of each
// `dependencies` entry that pinned names to that exact version (as Auth0 does when an Action is
// saved), changing only those values: comments, order, quoting of everything else and the rest of
// the file stay as written. It reports whether anything changed.
func PinManifest(data []byte, pinned map[string]string) ([]byte, bool, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, false, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return data, false, nil
	}
	root := doc.Content[0]
	var deps *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "dependencies" {
			deps = root.Content[i+1]
		}
	}
	if deps == nil || deps.Kind != yaml.MappingNode {
		return data, false, nil
	}
	lines := lineOffsets(data)
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	for i := 0; i+1 < len(deps.Content); i += 2 {
		k, v := deps.Content[i], deps.Content[i+1]
		want, ok := pinned[k.Value]
		if !ok || (v.Kind == yaml.ScalarNode && v.Value == want && v.Tag != "!!null") {
			continue
		}
		if v.Kind != yaml.ScalarNode {
			return nil, false, fmt.Errorf("dependencies.%s: not a version", k.Value)
		}
		if v.Tag == "!!null" && v.Value == "" {
			// `name:` with nothing after it: write the version after the colon.
			ko, err := offset(data, lines, k.Line, k.Column)
			if err != nil {
				return nil, false, err
			}
			colon := bytes.IndexByte(data[ko:], ':')
			if colon < 0 {
				return nil, false, fmt.Errorf("dependencies.%s: cannot find its colon", k.Value)
			}
			at := ko + colon + 1
			edits = append(edits, edit{at, at, " " + want})
			continue
		}
		vo, err := offset(data, lines, v.Line, v.Column)
		if err != nil {
			return nil, false, err
		}
		end, err := scalarEnd(data, vo, v)
		if err != nil {
			return nil, false, fmt.Errorf("dependencies.%s: %w", k.Value, err)
		}
		text := want
		if v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			text = string(data[vo]) + want + string(data[vo]) // keep the author's quotes
		}
		edits = append(edits, edit{vo, end, text})
	}
	if len(edits) == 0 {
		return data, false, nil
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	out := append([]byte(nil), data...)
	for _, e := range edits {
		out = append(out[:e.start], append([]byte(e.text), out[e.end:]...)...)
	}
	return out, true, nil
}

func lineOffsets(data []byte) []int {
	offs := []int{0}
	for i, b := range data {
		if b == '\n' {
			offs = append(offs, i+1)
		}
	}
	return offs
}

// offset turns yaml's 1-based line and column (in characters) into a byte offset.
func offset(data []byte, lines []int, line, col int) (int, error) {
	if line < 1 || line > len(lines) {
		return 0, errors.New("position out of range")
	}
	o := lines[line-1]
	for c := 1; c < col; c++ {
		if o >= len(data) || data[o] == '\n' {
			return 0, errors.New("position out of range")
		}
		_, size := utf8.DecodeRune(data[o:])
		o += size
	}
	return o, nil
}

// scalarEnd finds the end of the scalar written at data[start:].
func scalarEnd(data []byte, start int, v *yaml.Node) (int, error) {
	switch {
	case v.Style&yaml.DoubleQuotedStyle != 0:
		for i := start + 1; i < len(data); i++ {
			switch data[i] {
			case '\\':
				i++
			case '"':
				return i + 1, nil
			case '\n':
				return 0, errors.New("multi-line strings are not rewritten")
			}
		}
	case v.Style&yaml.SingleQuotedStyle != 0:
		for i := start + 1; i < len(data); i++ {
			if data[i] == '\'' {
				if i+1 < len(data) && data[i+1] == '\'' {
					i++
					continue
				}
				return i + 1, nil
			}
			if data[i] == '\n' {
				return 0, errors.New("multi-line strings are not rewritten")
			}
		}
	case v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return 0, errors.New("block scalars are not rewritten")
	default:
		if strings.HasPrefix(string(data[start:]), v.Value) {
			return start + len(v.Value), nil
		}
		return 0, errors.New("the value is not written on one line")
	}
	return 0, errors.New("unterminated string")
}
