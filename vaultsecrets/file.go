package vaultsecrets

import (
	"context"
	"fmt"
	"maps"
	"os"
	"strings"
	"time"

	"go.uber.org/zap"
	"gopkg.in/yaml.v3"
)

// notForProduction is the warning the file and static sources log whenever they are used.
const notForProduction = "file secrets backend is for local trials only, not production"

// File reads secrets from a YAML file, for `actionsd dev`, local `invoke` and `serve --secrets-file`:
//
//	modules:
//	  logger: {SERVICE_URL: "https://logs.example.com", API_KEY: "..."}
//	actions:
//	  log-login: {WEBHOOK_TOKEN: "..."}
//
// Every value must be a YAML string. The file is read once, by NewFile. File is not for production:
// it keeps values on disk, and it logs a warning that says so whenever it is used. It is safe for
// concurrent use.
type File struct {
	path    string
	secrets map[Owner]Values // read-only after NewFile and Substitute
	log     *zap.Logger
}

var _ Source = (*File)(nil)

// NewFile reads the secrets file at path. Its errors name the file, the line and the field, never a
// value.
func NewFile(path string, log *zap.Logger) (*File, error) {
	if log == nil {
		log = zap.NewNop()
	}
	log.Warn(notForProduction, zap.String("file", path))
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secrets file: %w", err)
	}
	secrets, err := parseSecretsFile(b)
	if err != nil {
		return nil, fmt.Errorf("secrets file %s: %w", path, err)
	}
	return &File{path: path, secrets: secrets, log: log}, nil
}

// References reports whether a value of the file holds the placeholder ${name}.
func (f *File) References(name string) bool {
	for _, values := range f.secrets {
		for _, v := range values {
			if strings.Contains(v, "${"+name+"}") {
				return true
			}
		}
	}
	return false
}

// Substitute replaces the placeholder ${name} with value in every value of the file (for one, the
// URL of the log sink that a local trial starts). Call it before the file is used.
func (f *File) Substitute(name, value string) {
	for _, values := range f.secrets {
		for k, v := range values {
			values[k] = strings.ReplaceAll(v, "${"+name+"}", value)
		}
	}
}

// Read returns owner's secrets from the file, or a *NotFoundError when the file has none for owner.
func (f *File) Read(_ context.Context, owner Owner) (*Secret, error) {
	f.log.Warn(notForProduction, zap.String("file", f.path), zap.Stringer("owner", owner))
	if err := owner.validate(); err != nil {
		return nil, err
	}
	path := f.path + "#" + owner.String()
	values, ok := f.secrets[owner]
	if !ok {
		return nil, &NotFoundError{Path: path}
	}
	return &Secret{Path: path, ReadAt: time.Now(), Values: maps.Clone(values)}, nil
}

// parseSecretsFile reads the YAML document of a secrets file. An empty document has no secrets.
func parseSecretsFile(b []byte) (map[Owner]Values, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		// The YAML parser's messages give a line and a problem, not the text around it.
		return nil, err
	}
	secrets := make(map[Owner]Values)
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return secrets, nil
	}
	top := resolve(doc.Content[0])
	if top.Tag == "!!null" {
		return secrets, nil
	}
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: want a mapping with modules and actions, got %s", top.Line, nodeKind(top))
	}
	seenKind := map[string]bool{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, owners := top.Content[i], resolve(top.Content[i+1])
		kind := k.Value
		if kind != KindModule && kind != KindAction {
			return nil, fmt.Errorf("line %d: unknown field %q, want %s or %s", k.Line, kind, KindModule, KindAction)
		}
		if seenKind[kind] {
			return nil, fmt.Errorf("line %d: %s given twice", k.Line, kind)
		}
		seenKind[kind] = true
		if owners.Tag == "!!null" {
			continue
		}
		if owners.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: %s: want a mapping of names to secrets, got %s", owners.Line, kind, nodeKind(owners))
		}
		for j := 0; j+1 < len(owners.Content); j += 2 {
			n, keys := owners.Content[j], resolve(owners.Content[j+1])
			owner := Owner{Kind: kind, Name: n.Value}
			if err := owner.validate(); err != nil {
				return nil, fmt.Errorf("line %d: %w", n.Line, err)
			}
			if _, dup := secrets[owner]; dup {
				return nil, fmt.Errorf("line %d: %s given twice", n.Line, owner)
			}
			values, err := parseValues(owner, keys)
			if err != nil {
				return nil, err
			}
			secrets[owner] = values
		}
	}
	return secrets, nil
}

// parseValues reads the mapping of secret names to string values of one owner.
func parseValues(owner Owner, keys *yaml.Node) (Values, error) {
	values := make(Values)
	if keys.Tag == "!!null" {
		return values, nil
	}
	if keys.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: %s: want a mapping of secret names to values, got %s", keys.Line, owner, nodeKind(keys))
	}
	for i := 0; i+1 < len(keys.Content); i += 2 {
		k, v := keys.Content[i], resolve(keys.Content[i+1])
		field := owner.String() + "." + k.Value
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			return nil, fmt.Errorf("line %d: %s: a secret name must be a non-empty string", k.Line, owner)
		}
		if _, dup := values[k.Value]; dup {
			return nil, fmt.Errorf("line %d: %s given twice", k.Line, field)
		}
		// Never v.Value in an error: it is the secret.
		if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
			return nil, fmt.Errorf("line %d: %s: value is %s, want a string (quote it)", v.Line, field, nodeKind(v))
		}
		values[k.Value] = v.Value
	}
	return values, nil
}

// resolve follows a YAML alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// nodeKind names what n is, never its value.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "empty"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!str":
			return "a string"
		default:
			return "a " + n.Tag
		}
	default:
		return "not a value"
	}
}
