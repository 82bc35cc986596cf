// Package vaultsecrets reads the secret values of modules and actions by name: from HashiCorp Vault's
// KV v2 engine in production, and from a file or memory for local trials.
//
// Vault logs in with a token, AppRole or Kubernetes auth and keeps its token alive (Run). Cache
// wraps any Source and serves the last good values when Vault fails, reporting the owner degraded.
// Watcher finds rotations by polling KV v2 metadata (current_version) and signals which owners
// changed; it never reads a value. Metrics exports all three to Prometheus. The package does not
// decide what to rebuild: the reconciler (package sync) does, from the Watcher's signal.
// CheckNames and NameChecker compare declared names with a Source for `actionsd secrets check`
// and `validate --check-vault`, reporting names only.
//
// Values are held in memory only. The Values type redacts itself when printed, logged or encoded, so a
// value reaches nothing but the runner that hands it to JavaScript.
package vaultsecrets

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"
)

// Owner is whose secrets are read: a module or an action.
type Owner struct {
	Kind string // KindModule or KindAction
	Name string
}

// The kinds of owner; each is also the path segment under the prefix.
const (
	KindModule = "modules"
	KindAction = "actions"
)

func (o Owner) String() string { return o.Kind + "/" + o.Name }

// validate reports whether o can name a path: a known kind and a name that is one path segment.
func (o Owner) validate() error {
	if o.Kind != KindModule && o.Kind != KindAction {
		return fmt.Errorf("owner %s: kind %q is neither %q nor %q", o, o.Kind, KindModule, KindAction)
	}
	if o.Name == "" || o.Name == "." || o.Name == ".." || strings.ContainsAny(o.Name, "/\\") {
		return fmt.Errorf("owner %s: name %q is not one path segment", o, o.Name)
	}
	return nil
}

// Secret is what a Source read for one owner.
type Secret struct {
	Path    string    // where it was read, e.g. "secret/actionsd/modules/logger" (never a value)
	Version int       // the KV v2 version read; 0 for sources without versions
	ReadAt  time.Time // when it was read
	Values  Values    // every key the source holds for the owner
	// Degraded is empty for a fresh read. A Cache sets it when it serves these last good values
	// because a fresh read failed: it says which version is served and why (never a value).
	Degraded string
}

// Source reads secrets by owner. Read returns an error that names the path (and never a value) when
// the owner's secrets cannot be read; a path that does not exist returns a *NotFoundError.
type Source interface {
	Read(ctx context.Context, owner Owner) (*Secret, error)
}

// NotFoundError says that no secret exists at Path.
type NotFoundError struct{ Path string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("no secret at %s", e.Path) }

// Values are secret values by name. They print, log and encode as their names only.
type Values map[string]string

const redacted = "[REDACTED]"

// String lists the names, never the values.
func (v Values) String() string {
	names := make(map[string]string, len(v))
	for k := range v {
		names[k] = redacted
	}
	return fmt.Sprint(names)
}

// GoString is String, so %#v redacts too.
func (v Values) GoString() string { return v.String() }

// MarshalJSON encodes each name with a redacted value.
func (v Values) MarshalJSON() ([]byte, error) {
	names := make(map[string]string, len(v))
	for k := range v {
		names[k] = redacted
	}
	return json.Marshal(names)
}

// MarshalLogObject makes zap log the names only.
func (v Values) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for k := range v {
		enc.AddString(k, redacted)
	}
	return nil
}

// Pick returns the values of names, and the names that are missing. The map it returns is a copy.
func (v Values) Pick(names []string) (picked map[string]string, missing []string) {
	picked = make(map[string]string, len(names))
	for _, n := range names {
		val, ok := v[n]
		if !ok {
			missing = append(missing, n)
			continue
		}
		picked[n] = val
	}
	return picked, missing
}
