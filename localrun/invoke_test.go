package localrun

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actionsd/actionsd/review"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/egress"
)

// TestInvoke runs the workspace's action through the real runner, alone and by its trigger,
// with fetch reaching a logging service on loopback only when the egress policy allows it.
func TestInvoke(t *testing.T) {
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	allowLoopback, err := egress.ParseAllow([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	event, _ := Event("post-login")

	tests := []struct {
		name          string
		action, trig  string
		egress        egress.Policy
		wantTrig      string
		wantBindings  string
		wantErr       string
		wantOutcome   string
		wantPosts     int64
		wantActionErr string
	}{
		{name: "an action alone", action: "log-login", egress: allowLoopback, wantTrig: "post-login", wantOutcome: "success", wantPosts: 1},
		{name: "a trigger", trig: "post-login", egress: allowLoopback, wantTrig: "post-login", wantBindings: "log-login", wantOutcome: "success", wantPosts: 1},
		{name: "fetch to loopback refused by default", action: "log-login", wantTrig: "post-login", wantOutcome: runner.OutcomeFailed, wantActionErr: "127.0.0.1"},
		{name: "no such action", action: "nosuch", wantErr: "nosuch"},
		{name: "a trigger nothing is bound to", trig: "pre-user-registration", wantErr: "no action is bound to pre-user-registration in triggers.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			posts.Store(0)
			w := workspace(t)
			w.Secrets = staticSecrets{"modules/logger": {"SERVICE_URL": srv.URL + "/v1"}}
			spec, trig, err := w.InvokeSpec(context.Background(), tt.action, tt.trig)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if trig != tt.wantTrig || spec.Commit != review.WorkingTree || strings.Join(spec.Bindings[trig], ",") != tt.wantBindings {
				t.Fatalf("trigger %q, commit %q, bindings %v", trig, spec.Commit, spec.Bindings)
			}
			res, err := Invoke(context.Background(), spec, InvokeOptions{Action: tt.action, Trigger: trig, Event: event, Egress: tt.egress})
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Outcome) != tt.wantOutcome || posts.Load() != tt.wantPosts {
				t.Errorf("outcome %q, %d posts, want %q, %d", res.Outcome, posts.Load(), tt.wantOutcome, tt.wantPosts)
			}
			if tt.wantActionErr != "" && (len(res.Actions) != 1 || res.Actions[0].Error == nil || !strings.Contains(res.Actions[0].Error.Error(), tt.wantActionErr)) {
				t.Errorf("actions %+v, want an error about %q", res.Actions, tt.wantActionErr)
			}
		})
	}
}
