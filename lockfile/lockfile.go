// Package lockfile reads and writes actionsd.lock, the committed record that every replica and every
// reviewer agrees on: exact npm resolutions per action and module (written by `actionsd lock`) and the
// published module versions with their folder tree hashes (written by `actionsd publish`).
//
// It only encodes and decodes; resolving packages (npmvendor) and checking tags (gitstore) happen
// elsewhere. Sections this version does not know are kept as they are, so tools of different
// versions can share a lock.
package lockfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Name is the lock's file name at the repository root.
const Name = "actionsd.lock"

// FormatVersion is the lockfileVersion this package writes.
const FormatVersion = 1

// Lock is the whole file.
type Lock struct {
	// Owners are the npm resolutions of each action and module folder, keyed "actions/<name>" or
	// "modules/<name>" (the draft at the commit the lock belongs to).
	Owners map[string]*Owner
	// Packages are every resolved npm package, keyed "<name>@<version>".
	Packages map[string]*Package
	// Modules are the published-version records, by module name then version number.
	Modules map[string]map[int]*VersionRecord

	other map[string]json.RawMessage // sections this version does not know
}

// Owner is one action's or module's dependencies.
type Owner struct {
	// Dependencies are the declared names with the exact versions chosen.
	Dependencies map[string]string `json:"dependencies"`
	// Packages lists every package of the owner's tree ("<name>@<version>"), sorted.
	Packages []string `json:"packages"`
}

// Package is one resolved npm package.
type Package struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Integrity string `json:"integrity"` // SRI, sha512 where the registry gives it
	// Tarball is the tarball's path relative to the registry's base URL; never a host.
	Tarball string `json:"tarball"`
	// Dependencies are the package's own resolved dependencies: name -> exact version.
	Dependencies map[string]string `json:"dependencies,omitempty"`
	// OptionalDependencies are the optional ones that resolved: name -> exact version. Installing
	// goes on without one that fails.
	OptionalDependencies map[string]string `json:"optionalDependencies,omitempty"`
	// PeerDependencies are the declared peer ranges (npm 7+ installs them unless optional); the
	// version used is the owner's own when it satisfies, else one in the owner's package list.
	PeerDependencies map[string]string `json:"peerDependencies,omitempty"`
	OptionalPeers    []string          `json:"optionalPeers,omitempty"`
	// Bundled are the dependencies shipped inside the tarball (bundleDependencies).
	Bundled []string `json:"bundled,omitempty"`
	// OS and CPU are npm's platform allow-lists ("!" negates); empty means any.
	OS  []string `json:"os,omitempty"`
	CPU []string `json:"cpu,omitempty"`
	// Optional is set when the package is reached only through optional dependencies.
	Optional   bool   `json:"optional,omitempty"`
	Deprecated string `json:"deprecated,omitempty"`
}

// Key is the "<name>@<version>" key of a package.
func Key(name, version string) string { return name + "@" + version }

// VersionRecord is what one published module version is: the tree of the module's folder.
type VersionRecord struct {
	Tree   string `json:"tree"`             // git tree hash of modules/<name>
	Commit string `json:"commit,omitempty"` // the commit it was recorded from, for people
}

// New returns an empty lock.
func New() *Lock {
	return &Lock{Owners: map[string]*Owner{}, Packages: map[string]*Package{}, Modules: map[string]map[int]*VersionRecord{}}
}

var known = map[string]bool{"lockfileVersion": true, "owners": true, "packages": true, "modules": true}

// Parse decodes a lock. Errors name the file and what is wrong. The known sections are read by
// their exact names (a "Owners" section is one this version does not know, kept as it is), and
// no entry of them may be null: every owner, package and module version is an object.
func Parse(data []byte) (*Lock, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	if raw == nil {
		return nil, fmt.Errorf("%s: not a JSON object", Name)
	}
	section := func(key string, v any) error {
		if r, ok := raw[key]; ok {
			if err := json.Unmarshal(r, v); err != nil {
				return fmt.Errorf("%s: %s: %w", Name, key, err)
			}
		}
		return nil
	}
	var version int
	var owners map[string]*Owner
	var packages map[string]*Package
	var modules map[string]map[string]*VersionRecord
	for _, err := range []error{section("lockfileVersion", &version), section("owners", &owners),
		section("packages", &packages), section("modules", &modules)} {
		if err != nil {
			return nil, err
		}
	}
	if version > FormatVersion {
		return nil, fmt.Errorf("%s: lockfileVersion %d is newer than this actionsd understands (%d)", Name, version, FormatVersion)
	}
	l := New()
	for k, o := range owners {
		if o == nil {
			return nil, fmt.Errorf("%s: owners.%s: must be an object, not null", Name, k)
		}
		l.Owners[k] = o
	}
	for k, p := range packages {
		if p == nil {
			return nil, fmt.Errorf("%s: packages.%s: must be an object, not null", Name, k)
		}
		l.Packages[k] = p
	}
	for name, versions := range modules {
		m := make(map[int]*VersionRecord, len(versions))
		for k, rec := range versions {
			var n int
			if _, err := fmt.Sscanf(k, "%d", &n); err != nil || n < 1 || fmt.Sprint(n) != k {
				return nil, fmt.Errorf("%s: modules.%s: version %q is not a positive whole number", Name, name, k)
			}
			if rec == nil || rec.Tree == "" {
				return nil, fmt.Errorf("%s: modules.%s.%s: tree is required", Name, name, k)
			}
			m[n] = rec
		}
		l.Modules[name] = m
	}
	for k, v := range raw {
		if !known[k] {
			if l.other == nil {
				l.other = map[string]json.RawMessage{}
			}
			l.other[k] = v
		}
	}
	return l, nil
}

// Marshal encodes the lock deterministically (sorted keys, two-space indent, final newline), so the
// same content always gives the same bytes and diffs stay small.
func (l *Lock) Marshal() ([]byte, error) {
	out := map[string]any{"lockfileVersion": FormatVersion}
	for k, v := range l.other {
		out[k] = v
	}
	if len(l.Owners) > 0 {
		for _, o := range l.Owners {
			sort.Strings(o.Packages)
		}
		out["owners"] = l.Owners
	}
	if len(l.Packages) > 0 {
		out["packages"] = l.Packages
	}
	if len(l.Modules) > 0 {
		mods := make(map[string]map[string]*VersionRecord, len(l.Modules))
		for name, versions := range l.Modules {
			m := make(map[string]*VersionRecord, len(versions))
			for n, rec := range versions {
				m[fmt.Sprint(n)] = rec
			}
			mods[name] = m
		}
		out["modules"] = mods
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Record returns the record of module name version n, or nil.
func (l *Lock) Record(name string, n int) *VersionRecord {
	return l.Modules[name][n]
}

// SetRecord records module name version n.
func (l *Lock) SetRecord(name string, n int, rec *VersionRecord) {
	if l.Modules[name] == nil {
		l.Modules[name] = map[int]*VersionRecord{}
	}
	l.Modules[name][n] = rec
}
