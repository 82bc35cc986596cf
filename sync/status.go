package sync

import (
	"time"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/sync/rollout"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// Status is what the reconciler last did and what it serves. It never holds a secret value.
type Status struct {
	// Instance names the replica that reports this status (several may serve one repository).
	Instance string `json:"instance,omitempty"`
	// Conditions are Ready, Reconciling, Stalled and Degraded (see the Condition* constants).
	Conditions []Condition `json:"conditions"`
	Ready      bool        `json:"ready"` // a generation serves
	Generation int64       `json:"generation"`
	Applied    *Revision   `json:"applied"`   // the commit the serving generation was built from
	Attempted  *Revision   `json:"attempted"` // the last commit a reconcile tried
	// Errors are why the attempted commit is not serving; empty when it is.
	Errors   diag.List      `json:"errors"`
	Warnings diag.List      `json:"warnings"`
	Actions  []ObjectStatus `json:"actions"`
	Modules  []ObjectStatus `json:"modules"`
	Secrets  []SecretStatus `json:"secrets"`
	// Vault is the secrets backend's health as it is now (not as of the last attempt): its login
	// and each owner's path, version in use, read time and errors. Absent for file and in-memory
	// secrets. Never a value.
	Vault *VaultStatus `json:"vault,omitempty"`
	// Rollouts are the gradual rollouts of actions, in progress, complete or aborted.
	Rollouts []rollout.State `json:"rollouts,omitempty"`
	// Drift says that a rollback serves an earlier commit than the branch's head:
	// "drifted from git: rolled back to <commit>"; empty otherwise.
	Drift string `json:"drift,omitempty"`
}

// VaultStatus is the health of the Vault login and of every secret path the daemon uses.
type VaultStatus struct {
	Login   *vaultsecrets.AuthHealth   `json:"login,omitempty"`
	Secrets []vaultsecrets.OwnerHealth `json:"secrets"`
}

// Revision is a commit and when it was applied or attempted.
type Revision struct {
	Commit string    `json:"commit"`
	At     time.Time `json:"at"`
	Result string    `json:"result,omitempty"` // for attempts: "applied" or "failed"
	Step   string    `json:"step,omitempty"`   // for failed attempts: the step that failed
}

// ObjectStatus is one action or module version of the attempted commit.
type ObjectStatus struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`           // action: last commit of its folder; module: "v<N>"
	Trigger string   `json:"trigger,omitempty"` // actions only
	State   string   `json:"state"`             // "serving", "failed", "not built"
	Errors  []string `json:"errors,omitempty"`
	// For module versions: the tag, and the commit and folder tree recorded for it; Moved when the
	// tag points elsewhere now (or contradicts actionsd.lock), Deleted when it is gone, Unrecorded
	// when actionsd.lock has no record of it.
	Tag        string   `json:"tag,omitempty"`
	Commit     string   `json:"commit,omitempty"`
	Tree       string   `json:"tree,omitempty"`
	Moved      bool     `json:"moved,omitempty"`
	Deleted    bool     `json:"deleted,omitempty"`
	Unrecorded bool     `json:"unrecorded,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
	// Dependencies are the npm packages the action or module version (one an action pins)
	// declares, with the exact versions its actionsd.lock gives them (the declared spec where the
	// lock has none).
	Dependencies map[string]string `json:"dependencies,omitempty"`
	// Order is an action's place in its trigger's list in triggers.yaml (1 runs first); 0 when
	// the trigger does not list it.
	Order int `json:"order,omitempty"`
	// Pins are the module versions an action pins (module name -> "v<N>"), as action.yaml says.
	Pins map[string]string `json:"pins,omitempty"`
}

// SecretStatus is one secret path read for a module or an action: names and versions, never values.
type SecretStatus struct {
	Owner   string    `json:"owner"` // "modules/logger"
	Path    string    `json:"path"`
	Names   []string  `json:"names"`
	Version int       `json:"version"`
	ReadAt  time.Time `json:"read_at,omitzero"`
	// Error says why the owner fails, or why it is served degraded (its last good values, while
	// Vault fails): a degraded secret does not fail the commit.
	Error string `json:"error,omitempty"`
}

// Object states.
const (
	StateServing  = "serving"
	StateFailed   = "failed"
	StateNotBuilt = "not built"
)
