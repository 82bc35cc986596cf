package sync

import "time"

// Status is what the reconciler last did and what it serves. It never holds a secret value.
type Status struct {
	Ready      bool      `json:"ready"` // a generation serves
	Generation int64     `json:"generation"`
	Applied    *Revision `json:"applied"`   // the commit the serving generation was built from
	Attempted  *Revision `json:"attempted"` // the last commit a reconcile tried
	// Errors are why the attempted commit is not serving; empty when it is.
	Errors   []Problem      `json:"errors"`
	Warnings []Problem      `json:"warnings"`
	Actions  []ObjectStatus `json:"actions"`
	Modules  []ObjectStatus `json:"modules"`
	Secrets  []SecretStatus `json:"secrets"`
}

// Revision is a commit and when it was applied or attempted.
type Revision struct {
	Commit string    `json:"commit"`
	At     time.Time `json:"at"`
	Result string    `json:"result,omitempty"` // for attempts: "applied" or "failed"
}

// ObjectStatus is one action or module version of the attempted commit.
type ObjectStatus struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`           // action: last commit of its folder; module: "v<N>"
	Trigger string   `json:"trigger,omitempty"` // actions only
	State   string   `json:"state"`             // "serving", "failed", "not built"
	Errors  []string `json:"errors,omitempty"`
}

// SecretStatus is one secret path read for a module or an action: names and versions, never values.
type SecretStatus struct {
	Owner   string    `json:"owner"` // "modules/logger"
	Path    string    `json:"path"`
	Names   []string  `json:"names"`
	Version int       `json:"version"`
	ReadAt  time.Time `json:"read_at,omitzero"`
	Error   string    `json:"error,omitempty"`
}

// Object states.
const (
	StateServing  = "serving"
	StateFailed   = "failed"
	StateNotBuilt = "not built"
)
