package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/actionsd/actionsd/sync"
	"github.com/actionsd/actionsd/sync/rollout"
)

// Rollouts is what the API needs of the rollout manager (*rollout.Manager).
type Rollouts interface {
	List() []rollout.State
	Get(action string) (rollout.State, bool)
	Promote(action string) (rollout.State, error)
	Abort(action string) (rollout.State, error)
}

// Rollbacker serves an earlier commit instead of the branch's head (*sync.Reconciler).
type Rollbacker interface {
	Rollback(ctx context.Context, to string) (sync.Status, error)
}

// rolloutList is GET /v1/rollouts.
func (s *server) rolloutList(w http.ResponseWriter, r *http.Request) {
	list := []rollout.State{}
	if s.cfg.Rollouts != nil {
		list = append(list, s.cfg.Rollouts.List()...)
	}
	writeJSON(w, http.StatusOK, map[string]any{"rollouts": list})
}

// rolloutGet is GET /v1/rollouts/{action}.
func (s *server) rolloutGet(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	if s.cfg.Rollouts != nil {
		if st, ok := s.cfg.Rollouts.Get(action); ok {
			writeJSON(w, http.StatusOK, st)
			return
		}
	}
	writeError(w, http.StatusNotFound, "no_rollout", "action "+action+": no rollout (only a commit that changes an action with rollout: in its action.yaml starts one)")
}

// rolloutPromote is POST /v1/rollouts/{action}/promote.
func (s *server) rolloutPromote(w http.ResponseWriter, r *http.Request) {
	s.rolloutAct(w, r, func(rs Rollouts, action string) (rollout.State, error) { return rs.Promote(action) })
}

// rolloutAbort is POST /v1/rollouts/{action}/abort.
func (s *server) rolloutAbort(w http.ResponseWriter, r *http.Request) {
	s.rolloutAct(w, r, func(rs Rollouts, action string) (rollout.State, error) { return rs.Abort(action) })
}

func (s *server) rolloutAct(w http.ResponseWriter, r *http.Request, act func(Rollouts, string) (rollout.State, error)) {
	action := r.PathValue("action")
	if s.cfg.Rollouts == nil {
		writeError(w, http.StatusNotFound, "no_rollout", "action "+action+": this daemon runs no rollouts")
		return
	}
	st, err := act(s.cfg.Rollouts, action)
	switch {
	case errors.Is(err, rollout.ErrNoRollout):
		writeError(w, http.StatusNotFound, "no_rollout", err.Error())
	case errors.Is(err, rollout.ErrNotActive):
		writeError(w, http.StatusConflict, "rollout_not_active", err.Error())
	case err != nil:
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
	default:
		s.signalPeers() // they read the rollout state from this replica's peer status (see peers)
		writeJSON(w, http.StatusOK, st)
	}
}

// rollback is POST /v1/rollback[?to=COMMIT].
func (s *server) rollback(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Rollback == nil {
		writeError(w, http.StatusNotFound, "not_found", "this daemon keeps no rollback state")
		return
	}
	s.extendWrite(w, s.cfg.SyncTimeout)
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.SyncTimeout)
	defer cancel()
	st, err := s.cfg.Rollback.Rollback(ctx, r.URL.Query().Get("to"))
	switch {
	case errors.Is(err, sync.ErrNothingToRollTo):
		writeError(w, http.StatusConflict, "nothing_to_roll_back_to", err.Error())
	case errors.Is(err, sync.ErrRollbackNotKnown):
		writeError(w, http.StatusBadRequest, "bad_request", "to: "+err.Error())
	case errors.Is(err, sync.ErrNoRollback):
		writeError(w, http.StatusNotFound, "not_found", err.Error())
	case err != nil:
		writeError(w, http.StatusGatewayTimeout, "sync_timeout", "the rollback's sync is still running: "+err.Error())
	default:
		writeJSON(w, http.StatusOK, st)
	}
}
