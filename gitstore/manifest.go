package gitstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/trigger"
)

// MaxActionTimeout is the longest timeout an action.yaml may ask for: the trigger budget.
const MaxActionTimeout = 20 * time.Second

// maxSecretName is the longest secret name Auth0 accepts.
const maxSecretName = 128

var (
	objectNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	secretNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// npmNameRE accepts what npm accepts for new packages: lowercase, URL-safe, optionally scoped.
	npmNameRE     = regexp.MustCompile(`^(@[a-z0-9~-][a-z0-9._~-]*/)?[a-z0-9~-][a-z0-9._~-]*$`)
	yamlLineErrRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// ValidName reports whether name is a valid action or module name: [a-z0-9][a-z0-9-]{0,63}.
func ValidName(name string) bool { return objectNameRE.MatchString(name) }

// ValidSecretName reports whether name is a valid secret name: an identifier of at most 128
// characters.
func ValidSecretName(name string) bool {
	return len(name) <= maxSecretName && secretNameRE.MatchString(name)
}

// ParseActionManifest parses the action.yaml at file (a repository-relative path, used in
// problems) into an Action holding the manifest's fields: Trigger, TriggerPos, Modules, Secrets,
// Dependencies, Timeout and Rollout. It returns every problem found, each naming file, line:col and field;
// the Action is never nil and holds whatever could be read. A blank dependency version is "latest".
func ParseActionManifest(file string, data []byte) (*Action, diag.List) {
	p := &manifestParser{file: file}
	a := &Action{}
	root := p.document(data)
	if root == nil {
		if !p.failed {
			p.add(diag.Pos{File: file}, "trigger", "required field is missing")
		}
		return a, p.problems
	}
	var sawTrigger bool
	p.fields(root, "", []string{"trigger", "modules", "secrets", "dependencies", "timeout", "rollout"},
		func(key string, k, v *yaml.Node) {
			switch key {
			case "trigger":
				sawTrigger = true
				a.TriggerPos = p.pos(v)
				name, ok := p.str(v, key, "a trigger name")
				if !ok {
					return
				}
				if _, ok := trigger.Lookup(name); !ok {
					p.add(p.pos(v), key, fmt.Sprintf("unknown trigger %q (known: %s)", name,
						strings.Join(trigger.Names(), ", ")))
					return
				}
				a.Trigger = name
			case "modules":
				a.Modules = p.modulePins(v, key)
			case "secrets":
				a.Secrets = p.secrets(v, key)
			case "dependencies":
				a.Dependencies = p.dependencies(v, key)
			case "timeout":
				a.Timeout = p.timeout(v, key)
			case "rollout":
				a.Rollout = p.rollout(v, key)
			}
		})
	if !sawTrigger {
		p.add(p.pos(root), "trigger", "required field is missing")
	}
	return a, p.problems
}

// ParseModuleManifest parses the module.yaml at file into a Module holding Description, Secrets
// and Dependencies. Every field is optional; problems are as for ParseActionManifest.
func ParseModuleManifest(file string, data []byte) (*Module, diag.List) {
	p := &manifestParser{file: file}
	m := &Module{}
	root := p.document(data)
	if root == nil {
		return m, p.problems
	}
	p.fields(root, "", []string{"description", "secrets", "dependencies"},
		func(key string, k, v *yaml.Node) {
			switch key {
			case "description":
				if isNull(v) {
					return
				}
				if s, ok := p.str(v, key, "a string"); ok {
					m.Description = s
				}
			case "secrets":
				m.Secrets = p.secrets(v, key)
			case "dependencies":
				m.Dependencies = p.dependencies(v, key)
			}
		})
	return m, p.problems
}

// ParseTriggers parses triggers.yaml at file: a mapping of trigger name to a list of action
// names in execution order. It checks trigger names, action names and duplicates; whether the
// actions exist and declare the trigger is for the caller to check (positions are in Bindings).
func ParseTriggers(file string, data []byte) (*Triggers, diag.List) {
	p := &manifestParser{file: file}
	t := &Triggers{Bindings: map[string][]Binding{}}
	root := p.document(data)
	if root == nil {
		return t, p.problems
	}
	p.mapping(root, "", func(key string, k, v *yaml.Node) {
		if _, ok := trigger.Lookup(key); !ok {
			p.add(p.pos(k), key, fmt.Sprintf("unknown trigger (known: %s)", strings.Join(trigger.Names(), ", ")))
			return
		}
		bindings := []Binding{}
		if isNull(v) {
			t.Bindings[key] = bindings
			return
		}
		if v.Kind != yaml.SequenceNode {
			p.add(p.pos(v), key, "must be a list of action names, got "+describe(v))
			return
		}
		seen := map[string]*yaml.Node{}
		for i, item := range v.Content {
			item = deref(item)
			field := fmt.Sprintf("%s[%d]", key, i)
			name, ok := p.name(item, field, "action")
			if !ok {
				continue
			}
			if first, dup := seen[name]; dup {
				p.add(p.pos(item), field, fmt.Sprintf("duplicate action %q (first at %d:%d)", name, first.Line, first.Column))
				continue
			}
			seen[name] = item
			bindings = append(bindings, Binding{Action: name, Pos: p.pos(item)})
		}
		t.Bindings[key] = bindings
	})
	return t, p.problems
}

// manifestParser collects the problems of one YAML file.
type manifestParser struct {
	file     string
	problems diag.List
	failed   bool // the document could not be read at all
}

func (p *manifestParser) add(pos diag.Pos, field, msg string) {
	pos.File = p.file
	p.problems = append(p.problems, problem(pos, field, msg))
}

func (p *manifestParser) pos(n *yaml.Node) diag.Pos {
	return diag.Pos{File: p.file, Line: n.Line, Col: n.Column}
}

// document decodes data and returns its root mapping, or nil when the file is empty or unusable
// (with a problem recorded in the latter case).
func (p *manifestParser) document(data []byte) (root *yaml.Node) {
	defer func() {
		// yaml.v3 has panicked on hostile input before; a manifest must never take the daemon down.
		if r := recover(); r != nil {
			p.failed = true
			p.add(diag.Pos{}, "", fmt.Sprintf("invalid YAML: %v", r))
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		p.failed = true
		p.syntaxError(err, data)
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.failed = true
		p.syntaxError(err, data)
		return nil
	default:
		p.failed = true
		p.add(p.pos(&next), "", "more than one YAML document")
		return nil
	}
	n := &doc
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.failed = true
		p.add(p.pos(n), "", "must be a mapping, got "+describe(n))
		return nil
	}
	return n
}

// syntaxError records yaml.v3's syntax error err on data, at the line and column where data stops
// being valid YAML with that line's text when locateYAMLError finds them, else at yaml.v3's line.
func (p *manifestParser) syntaxError(err error, data []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var pos diag.Pos
	if m := yamlLineErrRE.FindStringSubmatch(err.Error()); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	at, ok := locateYAMLError(data)
	if !ok {
		p.add(pos, "", "invalid YAML: "+msg)
		return
	}
	msg = clearerYAMLMessage(msg, at.message)
	pos.File = p.file
	pos.Line, pos.Col = at.line, at.col
	d := problem(pos, "", "invalid YAML: "+msg)
	d.Source = at.source
	p.problems = append(p.problems, d)
}

// mapping calls fn for each key of the mapping n, reporting non-string and duplicate keys.
// prefix is the field path of n ("" for the root).
func (p *manifestParser) mapping(n *yaml.Node, prefix string, fn func(key string, k, v *yaml.Node)) {
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!null" {
			p.add(p.pos(k), prefix, "keys must be strings, got "+describe(k))
			continue
		}
		field := k.Value
		if prefix != "" {
			field = prefix + "." + k.Value
		}
		if k.ShortTag() == "!!merge" {
			p.add(p.pos(k), field, "merge keys are not supported")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.add(p.pos(k), field, fmt.Sprintf("duplicate key (first at %d:%d)", first.Line, first.Column))
			continue
		}
		seen[k.Value] = k
		fn(k.Value, k, v)
	}
}

// fields is mapping for an object with a fixed set of fields; others are unknown fields.
func (p *manifestParser) fields(n *yaml.Node, prefix string, known []string, fn func(key string, k, v *yaml.Node)) {
	p.mapping(n, prefix, func(key string, k, v *yaml.Node) {
		for _, f := range known {
			if f == key {
				fn(key, k, v)
				return
			}
		}
		field := key
		if prefix != "" {
			field = prefix + "." + key
		}
		p.add(p.pos(k), field, "unknown field (known fields: "+strings.Join(known, ", ")+")")
	})
}

// str returns the string value of n, or reports that field must be what.
func (p *manifestParser) str(n *yaml.Node, field, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		p.add(p.pos(n), field, "must be "+what+", got "+describe(n))
		return "", false
	}
	return n.Value, true
}

// name returns the action or module name written at n.
func (p *manifestParser) name(n *yaml.Node, field, kind string) (string, bool) {
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!str" && n.ShortTag() != "!!int") {
		p.add(p.pos(n), field, "must be "+kind+" name, got "+describe(n))
		return "", false
	}
	if !ValidName(n.Value) {
		p.add(p.pos(n), field, fmt.Sprintf("bad %s name %q: must match [a-z0-9][a-z0-9-]{0,63}", kind, n.Value))
		return "", false
	}
	return n.Value, true
}

func (p *manifestParser) secrets(n *yaml.Node, field string) []string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.add(p.pos(n), field, "must be a list of secret names, got "+describe(n))
		return nil
	}
	var names []string
	seen := map[string]*yaml.Node{}
	for i, item := range n.Content {
		item = deref(item)
		f := fmt.Sprintf("%s[%d]", field, i)
		name, ok := p.str(item, f, "a secret name")
		if !ok {
			continue
		}
		if !ValidSecretName(name) {
			p.add(p.pos(item), f, fmt.Sprintf("bad secret name %q: must be an identifier ([A-Za-z_][A-Za-z0-9_]*) of at most %d characters", name, maxSecretName))
			continue
		}
		if first, dup := seen[name]; dup {
			p.add(p.pos(item), f, fmt.Sprintf("duplicate secret %q (first at %d:%d)", name, first.Line, first.Column))
			continue
		}
		seen[name] = item
		names = append(names, name)
	}
	return names
}

func (p *manifestParser) dependencies(n *yaml.Node, field string) map[string]string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.add(p.pos(n), field, "must be a mapping of npm package name to version, got "+describe(n))
		return nil
	}
	deps := map[string]string{}
	p.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := field + "." + key
		if len(key) > 214 || !npmNameRE.MatchString(key) {
			p.add(p.pos(k), f, fmt.Sprintf("bad npm package name %q", key))
			return
		}
		switch {
		case isNull(v):
			deps[key] = "latest"
		case v.Kind == yaml.ScalarNode && v.ShortTag() != "!!bool":
			if strings.TrimSpace(v.Value) == "" {
				deps[key] = "latest"
			} else {
				deps[key] = v.Value
			}
		default:
			p.add(p.pos(v), f, "must be a version or range, got "+describe(v))
		}
	})
	return deps
}

func (p *manifestParser) modulePins(n *yaml.Node, field string) map[string]ModulePin {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.add(p.pos(n), field, "must be a mapping of module name to version, got "+describe(n))
		return nil
	}
	pins := map[string]ModulePin{}
	p.mapping(n, field, func(key string, k, v *yaml.Node) {
		f := field + "." + key
		if !ValidName(key) {
			p.add(p.pos(k), f, fmt.Sprintf("bad module name %q: must match [a-z0-9][a-z0-9-]{0,63}", key))
			return
		}
		var version int
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&version) != nil || version < 1 {
			p.add(p.pos(v), f, "must be a published version number (1, 2, …), got "+describe(v))
			return
		}
		pins[key] = ModulePin{Version: version, Pos: p.pos(v)}
	})
	return pins
}

func (p *manifestParser) timeout(n *yaml.Node, field string) time.Duration {
	if isNull(n) {
		return 0
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		p.add(p.pos(n), field, `must be a duration like "5s", got `+describe(n))
		return 0
	}
	d, err := time.ParseDuration(n.Value)
	switch {
	case err != nil:
		p.add(p.pos(n), field, fmt.Sprintf(`bad duration %q: must be like "5s" or "1500ms"`, n.Value))
	case d <= 0:
		p.add(p.pos(n), field, fmt.Sprintf("must be greater than 0, got %s", n.Value))
	case d > MaxActionTimeout:
		p.add(p.pos(n), field, fmt.Sprintf("must be at most %s (the trigger budget), got %s", MaxActionTimeout, n.Value))
	default:
		return d
	}
	return 0
}

// deref follows an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names what n is, for "got ..." messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!bool":
			return "boolean " + v
		case "!!int", "!!float":
			return "number " + v
		case "!!str":
			return "string " + strconv.Quote(v)
		}
		return fmt.Sprintf("%s %q", n.ShortTag(), v)
	}
	return "nothing"
}

// KeyPos returns the 1-based line and column of the deepest key of the path keys (e.g.
// "dependencies", "axios") found in a YAML mapping document: the position of "dependencies" when
// "axios" is not under it; 0, 0 when the first key is missing or the document does not parse.
func KeyPos(data []byte, keys ...string) (line, col int) {
	var doc yaml.Node
	if len(data) == 0 || yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return 0, 0
	}
	n := doc.Content[0]
	for _, k := range keys {
		if n.Kind != yaml.MappingNode {
			return line, col
		}
		var found *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				line, col = n.Content[i].Line, n.Content[i].Column
				found = n.Content[i+1]
				break
			}
		}
		if found == nil {
			return line, col
		}
		n = found
	}
	return line, col
}
