package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/actionsd/actionsd/sync"
)

// The read-only object routes of SPEC §5. They answer from the reconciler's status of the last
// attempted commit, so they show what is serving and what failed to, with the same errors.

// moduleVersions is one module with its published versions.
type moduleVersions struct {
	Name     string              `json:"name"`
	Versions []sync.ObjectStatus `json:"versions"`
}

// actions is GET /v1/actions.
func (s *server) actions(w http.ResponseWriter, _ *http.Request) {
	st := s.cfg.Reconciler.Status()
	list := st.Actions
	if list == nil {
		list = []sync.ObjectStatus{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"commit": commitOf(st), "actions": list})
}

// action is GET /v1/actions/{name}.
func (s *server) action(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	for _, a := range s.cfg.Reconciler.Status().Actions {
		if a.Name == name {
			writeJSON(w, http.StatusOK, a)
			return
		}
	}
	writeError(w, http.StatusNotFound, "unknown_action", "no action "+strconv.Quote(name)+" in the attempted commit")
}

// modules is GET /v1/modules: every module with a published version, and its versions.
func (s *server) modules(w http.ResponseWriter, _ *http.Request) {
	st := s.cfg.Reconciler.Status()
	writeJSON(w, http.StatusOK, map[string]any{"commit": commitOf(st), "modules": groupModules(st.Modules)})
}

// moduleVersionsRoute is GET /v1/modules/{name}/versions.
func (s *server) moduleVersionsRoute(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	for _, m := range groupModules(s.cfg.Reconciler.Status().Modules) {
		if m.Name == name {
			writeJSON(w, http.StatusOK, m)
			return
		}
	}
	writeError(w, http.StatusNotFound, "unknown_module", "no published version of module "+strconv.Quote(name))
}

// groupModules groups module version statuses (sorted by name, then version) by module, with the
// versions in numeric order.
func groupModules(list []sync.ObjectStatus) []moduleVersions {
	out := []moduleVersions{}
	for _, v := range list {
		if n := len(out); n == 0 || out[n-1].Name != v.Name {
			out = append(out, moduleVersions{Name: v.Name})
		}
		last := &out[len(out)-1]
		last.Versions = append(last.Versions, v)
	}
	for i := range out {
		vs := out[i].Versions
		for a := 1; a < len(vs); a++ {
			for b := a; b > 0 && versionNumber(vs[b].Version) < versionNumber(vs[b-1].Version); b-- {
				vs[b], vs[b-1] = vs[b-1], vs[b]
			}
		}
	}
	return out
}

func versionNumber(v string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(v, "v"))
	return n
}

func commitOf(st sync.Status) string {
	if st.Applied != nil {
		return st.Applied.Commit
	}
	return ""
}
