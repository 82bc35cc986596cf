package api

import (
	"github.com/actionsd/actionsd/internal/bridges"
	"github.com/actionsd/actionsd/internal/history"

	"context"
	"crypto/subtle"
	"net/http"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/peers"
	"github.com/actionsd/actionsd/sync"
)

// The peer routes: another replica passes on a sync signal (POST /v1/peer/sync) or reads what
// this one serves (GET /v1/peer/status). They are authenticated with the peer secret, else the
// API token, and a signal received this way is never passed on again: a webhook reaches every
// replica in one hop, and no signal loops.

// peerAuth checks the peer secret (or the API token) as authorized checks the token.
func (s *server) peerAuth(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.peerBearer != nil && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), s.peerBearer) != 1 {
			refuse(w, r, closedUnauthorized)
			if r.URL.Path == peers.SyncPath {
				s.metrics.peerSignals.WithLabelValues("refused").Inc()
			}
			s.log.Warn("peer request refused: no valid peer secret or token", zap.String("path", r.URL.Path), zap.String("remote", r.RemoteAddr))
			w.Header().Set("WWW-Authenticate", `Bearer realm="actionsd-peers"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "a valid bearer token (the peer secret, else the API token) is required")
			return
		}
		authenticated(r)
		h(w, r)
	})
}

// peerSync is POST /v1/peer/sync: a peer received a webhook or a sync; this replica fetches
// from git itself, as on its own webhook, and does not pass the signal on.
func (s *server) peerSync(w http.ResponseWriter, r *http.Request) {
	s.metrics.peerSignals.WithLabelValues("accepted").Inc()
	s.log.Debug("sync signal from a peer", zap.String("peer", r.Header.Get(peers.SourceHeader)), zap.String("remote", r.RemoteAddr))
	s.cfg.Reconciler.Notify()
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
}

// peerStatus is GET /v1/peer/status: this replica's name and what it serves.
func (s *server) peerStatus(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, replica(s.cfg.Reconciler.Status()))
}

func replica(st sync.Status) peers.Replica {
	rev := func(r *sync.Revision) *peers.Revision {
		if r == nil {
			return nil
		}
		return &peers.Revision{Commit: r.Commit, At: r.At, Result: r.Result}
	}
	return peers.Replica{Instance: st.Instance, Ready: st.Ready, Generation: st.Generation, Applied: rev(st.Applied), Attempted: rev(st.Attempted)}
}

// signalPeers passes a sync signal on to the peers, without waiting.
func (s *server) signalPeers() {
	if s.cfg.Peers != nil {
		s.cfg.Peers.Signal()
	}
}

// statusWithPeers is GET /v1/status?peers=1: the status and every peer's.
type statusWithPeers struct {
	sync.Status
	Bridges []bridges.Status `json:"bridges"`
	History *history.Stats   `json:"history,omitempty"`
	Peers   []peers.Status   `json:"peers"`
}

// peerStatuses reads the peers' statuses and marks those whose applied commit differs from st's.
func (s *server) peerStatuses(ctx context.Context, st sync.Status) []peers.Status {
	if s.cfg.Peers == nil {
		return []peers.Status{}
	}
	own := ""
	if st.Applied != nil {
		own = st.Applied.Commit
	}
	ps := s.cfg.Peers.Statuses(ctx)
	for i := range ps {
		if r := ps[i].Replica; r != nil {
			theirs := ""
			if r.Applied != nil {
				theirs = r.Applied.Commit
			}
			drift := theirs != own
			ps[i].Drift = &drift
		}
	}
	return ps
}
