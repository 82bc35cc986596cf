// Package gitstore reads an actions repository out of git: it clones and fetches the repository into
// the daemon's data dir, reads the deploy branch's HEAD and every published module version
// (tags modules/<name>/v<N>) into a Snapshot, parses the manifests with errors that name file, line
// and field, and keeps the record that makes published versions immutable.
//
// Store mirrors the repository (Open, Fetch) and reads Snapshots of it; RefsKey and Head let a
// caller skip a snapshot when nothing moved, and ReadFile reads a commit's other files (vendored
// npm tarballs, .npmrc). Local reads a repository on this machine in place for the CLI: its
// revisions, its tags, and the module versions the daemon would publish from it, by the same
// policy as a Store's snapshots. ReadTree reads the same content from any fs.FS (a TreeFS over a
// commit, or os.DirFS over a working tree), and ParseActionManifest, ParseModuleManifest and
// ParseTriggers parse one file each. Problems in the content are diag.Diagnostics.
//
// It is the only package that reads git. It does not validate references between objects
// (prepare does), resolve npm packages or read secrets.
package gitstore

import (
	"strings"
	"time"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/lockfile"
)

// Snapshot is one reading of the repository: what a reconcile deploys.
type Snapshot struct {
	Commit   string               // the deploy branch's HEAD
	Branch   string               // the deploy branch's name
	Refs     string               // Store.RefsKey of the refs this snapshot was read from
	Triggers *Triggers            // triggers.yaml; nil when the file is missing
	Actions  map[string]*Action   // actions/<name>/ at HEAD, by name
	Drafts   map[string]*Module   // modules/<name>/ at HEAD (the drafts), by name
	Modules  map[string]*Versions // published module versions, by module name
	// Lock is actionsd.lock at HEAD, nil when the commit has none (a lock that does not parse is
	// in Errors). Its modules section is the authoritative record of published versions.
	Lock *lockfile.Lock
	// Errors are problems in the files themselves (syntax, unknown fields, bad names, missing entry
	// files). A snapshot with errors must not deploy.
	Errors diag.List
	// Warnings do not stop a deploy: a tag that moved or contradicts its record, a tag that is
	// pending (its commit is not reachable from the deploy branch), a tag that is not a version.
	Warnings diag.List
	// MovedTags are the warnings (of Warnings) about version tags that moved since they were
	// recorded or contradict their record in actionsd.lock.
	MovedTags diag.List
}

// Triggers is triggers.yaml: trigger -> action names in execution order.
type Triggers struct {
	Bindings map[string][]Binding
}

// Binding is one entry of a trigger's list, with where it was written.
type Binding struct {
	Action string
	Pos    diag.Pos
}

// Action is actions/<name>/ at the deploy branch's HEAD.
type Action struct {
	Name         string
	Dir          string // "actions/<name>"
	Version      string // the last commit that changed Dir
	Tree         string // the tree hash of Dir
	Trigger      string
	TriggerPos   diag.Pos
	Modules      map[string]ModulePin // module name -> pinned version
	Secrets      []string
	Dependencies map[string]string // npm name -> version or range, as written
	Timeout      time.Duration     // 0 when not set
	Rollout      *Rollout          // nil when action.yaml has no rollout: a change serves at once
	Entry        string            // "index.js"
	Files        map[string][]byte // every file below Dir, by path relative to Dir
}

// ModulePin is one `modules:` entry of action.yaml.
type ModulePin struct {
	Version int
	Pos     diag.Pos // where the pin is written, for "module version not published" errors
}

// Module is the content of one module folder: a published version or the draft.
type Module struct {
	Name         string
	Dir          string // "modules/<name>"
	Tree         string // the tree hash of Dir
	Description  string
	Secrets      []string
	Dependencies map[string]string
	Entry        string
	Files        map[string][]byte
}

// Versions are the published versions of one module.
type Versions struct {
	Name     string
	Versions map[int]*Version
}

// Version is one published module version: the content its record says, and where it came from.
type Version struct {
	Number int
	Tag    string    // "modules/<name>/v<N>"
	Commit string    // the commit the tag pointed to when the version was recorded
	Tree   string    // the recorded tree hash of the module folder
	Seen   time.Time // when this daemon first recorded it
	Moved  bool      // the tag now points at other content (or was deleted); the record still serves
	// Deleted is set when the tag no longer exists; Moved is set too.
	Deleted bool
	// Unrecorded is set when actionsd.lock at HEAD has no record of this version: it was taken
	// as its tag was first seen by this daemon (see Seen).
	Unrecorded bool
	Module     *Module
	// Lock is actionsd.lock at Commit (for the version's npm entries); nil when that commit has
	// none or it does not parse (then a warning says so).
	Lock *lockfile.Lock
}

// ObjectOf names the object a repository file belongs to: "actions/x", "modules/y" or the file.
func ObjectOf(file string) string {
	parts := strings.SplitN(file, "/", 3)
	if len(parts) >= 2 && (parts[0] == "actions" || parts[0] == "modules") {
		return parts[0] + "/" + parts[1]
	}
	return file
}

// problem is an error about the repository's content at pos, of the object pos's file belongs to.
func problem(pos diag.Pos, field, msg string) diag.Diagnostic {
	return diag.Diagnostic{Object: ObjectOf(pos.File), Pos: pos, Field: field, Message: msg}
}

// warning is a warning about the repository's content at pos, as problem.
func warning(pos diag.Pos, msg string) diag.Diagnostic {
	return problem(pos, "", msg).Warn()
}

func ptr[T any](v T) *T { return &v }
