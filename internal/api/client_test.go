package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/sync"
)

// statusOnly is a Reconciler whose status is st.
type statusOnly struct {
	serving
	st sync.Status
}

func (s statusOnly) Status() sync.Status { return s.st }

// TestGetStatus asks the API served on loopback for its status, as `actionsd status` does.
func TestGetStatus(t *testing.T) {
	want := sync.Status{Instance: "replica-1", Generation: 3, Conditions: []sync.Condition{{Type: sync.ConditionReady, Status: "True"}}}
	_, addr := startServer(t, Config{Reconciler: statusOnly{st: want}, Token: "s3cret"})
	tests := []struct {
		name, addr, token string
		wantErr           string
	}{
		{name: "host:port", addr: addr, token: "s3cret"},
		{name: "a base URL with a slash", addr: "http://" + addr + "/", token: "s3cret"},
		{name: "no token", addr: addr, wantErr: "status: 401 Unauthorized: {"},
		{name: "nothing listening", addr: "127.0.0.1:1", token: "s3cret", wantErr: "status: Get \"http://127.0.0.1:1/v1/status\": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, raw, err := GetStatus(context.Background(), tt.addr, tt.token)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one starting %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Instance != want.Instance || st.Generation != want.Generation || st.Condition(sync.ConditionReady).Status != "True" {
				t.Errorf("got %+v, want %+v", st, want)
			}
			var again sync.Status
			if err := json.Unmarshal(raw, &again); err != nil || again.Instance != want.Instance {
				t.Errorf("raw document %s: %v", raw, err)
			}
		})
	}
}
