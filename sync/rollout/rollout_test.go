package rollout

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/actionsd/actionsd/gitstore"
)

// TestStickyRouting routes 10,000 user ids at each step: the canary's share stays within ±2 points
// of the step's percent, a user never changes revision within a step, and a user on the canary
// stays there at the next steps.
func TestStickyRouting(t *testing.T) {
	const users = 10000
	r := newRoute("enrich", "canary-id-1", "user.user_id", 0)
	event := func(i int) []byte {
		return []byte(fmt.Sprintf(`{"request": {"ip": "1.2.3.4"}, "user": {"email": "u%d@example.com", "user_id": "auth0|%08d", "app_metadata": {}}}`, i, i))
	}
	wasCanary := make([]bool, users)
	for _, pct := range []int{1, 10, 25, 50, 90, 100} {
		r.percent.Store(int32(pct))
		n := 0
		for i := range users {
			first := r.canary(event(i))
			for range 3 {
				if r.canary(event(i)) != first {
					t.Fatalf("step %d%%: user %d changed revision within the step", pct, i)
				}
			}
			if wasCanary[i] && !first {
				t.Errorf("step %d%%: user %d left the canary as its share grew", pct, i)
			}
			wasCanary[i] = first
			if first {
				n++
			}
		}
		share := 100 * float64(n) / users
		if share < float64(pct)-2 || share > float64(pct)+2 {
			t.Errorf("step %d%%: %.2f%% of users on the canary, want within ±2", pct, share)
		}
	}
	// Another canary revision reshuffles users, so that one unlucky group is not every canary's.
	other := newRoute("enrich", "canary-id-2", "user.user_id", 10)
	same := 0
	for i := range users {
		id := fmt.Appendf(nil, "auth0|%08d", i)
		if r.bucket(id) == other.bucket(id) {
			same++
		}
	}
	if same > users/20 {
		t.Errorf("%d of %d users fall in the same bucket for two canary revisions", same, users)
	}
}

func TestLookup(t *testing.T) {
	ev := []byte(` {"a": [1, {"user_id": "x"}], "user" : {"name": "q\"}", "user_id": "auth0|1", "n": 12.5, "o": {}, "z": null}}`)
	for _, tt := range []struct {
		path string
		want string
		ok   bool
	}{
		{"user.user_id", "auth0|1", true},
		{"user.n", "12.5", true},
		{"user.o", "", false},
		{"user.z", "", false},
		{"user.missing", "", false},
		{"a.user_id", "", false},
		{"user.name", `q\"}`, true},
	} {
		b, ok := Lookup(ev, splitPath(tt.path))
		got := string(b)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Lookup(%s) = %q, %v; want %q, %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}

func splitPath(p string) []string { return newRoute("a", "b", p, 0).key }

// TestAbortPersists aborts a rollout on its numbers and reopens the state file: the abort, with
// its reason, is still there.
func TestAbortPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rollouts.json")
	m, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &gitstore.Rollout{Steps: []int{10, 100}, Interval: time.Hour, Key: "user.user_id",
		Abort: gitstore.RolloutAbort{ErrorRateIncrease: 0.05, MinExecutions: 20}}
	st := New("enrich", cfg, "c1", "v1", "c2", "v2", "id2", time.Now())
	m.Apply(map[string]*State{"enrich": st}, map[string]bool{"enrich": true})
	for i := range 100 {
		m.Observe("enrich", false, false, time.Millisecond)
		m.Observe("enrich", true, i%3 == 0, time.Millisecond)
	}
	m.Check()
	got, _ := m.Get("enrich")
	if got.Phase != PhaseAborted || got.Percent != 0 {
		t.Fatalf("after 33%% canary errors: %+v, want aborted", got)
	}
	if m.Canary("enrich", []byte(`{"user": {"user_id": "x"}}`)) {
		t.Error("an aborted rollout routed to the canary")
	}
	m2, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	again := m2.Peek("enrich")
	if again == nil || again.Phase != PhaseAborted || again.Reason != got.Reason {
		t.Fatalf("reopened: %+v, want the abort %q", again, got.Reason)
	}
}

// TestPromotesToCompletion promotes a rollout whose canary is as good as stable through each step.
func TestPromotesToCompletion(t *testing.T) {
	m, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	m.now = func() time.Time { return now }
	cfg := &gitstore.Rollout{Steps: []int{5, 50, 100}, Interval: time.Minute, Key: "user.user_id",
		Abort: gitstore.RolloutAbort{ErrorRateIncrease: 0.01, P99Increase: 2, MinExecutions: 10}}
	m.Apply(map[string]*State{"a": New("a", cfg, "c1", "v1", "c2", "v2", "id", now)}, map[string]bool{"a": true})
	var seen []int
	for range 3 {
		for range 50 {
			m.Observe("a", false, false, time.Millisecond)
			m.Observe("a", true, false, time.Millisecond)
		}
		now = now.Add(time.Minute)
		m.Check()
		st, _ := m.Get("a")
		seen = append(seen, st.Percent)
	}
	if fmt.Sprint(seen) != "[50 100 100]" {
		t.Errorf("percent after each interval: %v, want [50 100 100]", seen)
	}
	if st, _ := m.Get("a"); st.Phase != PhaseCompleted {
		t.Errorf("phase %s, want Completed", st.Phase)
	}
}
