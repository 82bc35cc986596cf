package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/peers"
	"github.com/actionsd/actionsd/sync"
	"github.com/actionsd/actionsd/sync/rollout"
)

// Rollouts is what the API needs of the rollout manager (*rollout.Manager).
type Rollouts interface {
	List() []rollout.State
	Get(action string) (rollout.State, bool)
	Promote(action string) (rollout.State, error)
	Abort(action string) (rollout.State, error)
	// FromPeer applies a change another replica made.
	FromPeer(e rollout.Event)
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
	default: // the manager tells the peers (rollout.Options.Notify)
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
	case errors.Is(err, sync.ErrRollbackFailed):
		writeError(w, http.StatusConflict, "rollback_failed", err.Error())
	case errors.Is(err, sync.ErrNoRollback):
		writeError(w, http.StatusNotFound, "not_found", err.Error())
	case err != nil:
		writeError(w, http.StatusGatewayTimeout, "sync_timeout", "the rollback's sync is still running: "+err.Error())
	default:
		if s.cfg.Peers != nil && st.Applied != nil {
			s.cfg.Peers.Tell(peers.RollbackPath + "?to=" + url.QueryEscape(st.Applied.Commit))
		}
		writeJSON(w, http.StatusOK, st)
	}
}

// peerRollout is POST /v1/peer/rollouts/{action}/{verb}?canary=…&step=…&reason=…: another replica
// aborted or promoted a rollout; this one does the same to its own run of it, if it has one.
func (s *server) peerRollout(w http.ResponseWriter, r *http.Request) {
	verb := r.PathValue("verb")
	if verb != rollout.VerbAbort && verb != rollout.VerbPromote {
		writeError(w, http.StatusNotFound, "not_found", "no peer rollout verb "+verb+" (abort or promote)")
		return
	}
	q := r.URL.Query()
	step, _ := strconv.Atoi(q.Get("step"))
	if s.cfg.Rollouts != nil {
		s.log.Info("rollout change from a peer", zap.String("action", r.PathValue("action")), zap.String("verb", verb),
			zap.String("peer", r.Header.Get(peers.SourceHeader)))
		s.cfg.Rollouts.FromPeer(rollout.Event{Action: r.PathValue("action"), Verb: verb, CanaryID: q.Get("canary"), Step: step, Reason: q.Get("reason")})
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
}

// peerRollback is POST /v1/peer/rollback?to=COMMIT: another replica rolled back to COMMIT (or
// ended its rollback, when COMMIT is the branch's head); this one does the same, without waiting
// in the request, and does not pass it on.
func (s *server) peerRollback(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if s.cfg.Rollback == nil || to == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "to: the commit to roll back to is required")
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.SyncTimeout)
		defer cancel()
		if _, err := s.cfg.Rollback.Rollback(ctx, to); err != nil {
			s.log.Warn("a peer's rollback failed here", zap.String("to", to), zap.Error(err))
		}
	}()
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
}

// TellRollout is the Notify of a rollout manager: it passes a change on to the peers.
func TellRollout(p Peers, e rollout.Event) {
	if p == nil {
		return
	}
	q := url.Values{"canary": {e.CanaryID}}
	if e.Verb == rollout.VerbPromote {
		q.Set("step", strconv.Itoa(e.Step))
	} else {
		q.Set("reason", e.Reason)
	}
	p.Tell(peers.RolloutPath + "/" + url.PathEscape(e.Action) + "/" + e.Verb + "?" + q.Encode())
}
