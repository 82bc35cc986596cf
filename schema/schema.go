// Package schema holds the editor support actionsd ships: a JSON Schema for each of the three
// YAML files of an actions repository (module.yaml, action.yaml, triggers.yaml) and TypeScript
// declarations of the event and api each trigger hands its handler (and of the globals of
// `actionsd test`). `actionsd schema` prints or writes them; `actionsd init` writes them into a
// new repository and points the generated files at them.
//
// It only carries files; validation itself is gitstore's and sync's.
package schema

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

//go:embed files
var files embed.FS

// Dir is where generated repositories keep these files, relative to the repository root.
const Dir = ".actionsd"

// Names of the files, by the short name `actionsd schema` takes.
var byName = map[string]string{
	"module":   "module.schema.json",
	"action":   "action.schema.json",
	"triggers": "triggers.schema.json",
	"types":    "actionsd.d.ts",
}

// Names lists the short names: action, module, triggers, types.
func Names() []string {
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// File returns the file name of a short name ("action" -> "action.schema.json").
func File(name string) (string, bool) {
	f, ok := byName[name]
	return f, ok
}

// Read returns the content of a short name's file.
func Read(name string) ([]byte, error) {
	f, ok := byName[name]
	if !ok {
		return nil, fmt.Errorf("no schema %q (known: action, module, triggers, types)", name)
	}
	return files.ReadFile("files/" + f)
}

// Write writes every file into dir, creating it; it returns the paths written.
func Write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []string
	for _, name := range Names() {
		data, err := Read(name)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, byName[name])
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ModelineFor is the comment that points the YAML language server at a schema, for a YAML file
// at depth folders below the repository root ("actions/x/action.yaml" is at depth 2).
func ModelineFor(name string, depth int) string {
	rel := ""
	for range depth {
		rel += "../"
	}
	return fmt.Sprintf("# yaml-language-server: $schema=%s%s/%s\n", rel, Dir, byName[name])
}
