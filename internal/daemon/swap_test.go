package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// TestZeroDowntimeSwaps: under 8 concurrent clients, 100 syncs that each change the action and the
// module version it pins: no execution fails, none mixes the action of one commit with the
// module of another, and each reports the commit it ran on.
func TestZeroDowntimeSwaps(t *testing.T) {
	if testing.Short() {
		t.Skip("100 syncs under load")
	}
	const clients, syncs = 8, 100
	repo := newGitRepo(t)
	repo.simpleRepo("V1", "V1")
	valueOf := map[string]string{repo.commit("v1"): "V1"} // commit -> the value both must report
	repo.git("tag", "modules/m/v1")
	d, _ := startDaemonWith(t, repo.dir, nil)
	if st := d.sync(""); st.Applied == nil {
		t.Fatalf("first sync: %+v", st.Errors)
	}

	type seen struct{ commit, action, module string }
	var (
		mu       gosync.Mutex
		results  []seen
		failures []string
		stop     atomic.Bool
		wg       gosync.WaitGroup
	)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				time.Sleep(time.Millisecond) // constant load, leaving CPU for the syncs
				resp, err := client.Post(d.url+"/v1/triggers/post-login/execute", "application/json", bytes.NewReader([]byte(`{"user":{"user_id":"u"}}`)))
				if err != nil {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var res runner.Result
				if err := json.Unmarshal(body, &res); resp.StatusCode != http.StatusOK || err != nil || res.Outcome != runner.OutcomeSuccess {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%d %s", resp.StatusCode, body))
					mu.Unlock()
					continue
				}
				a, _ := res.Effects.IDTokenClaims["action"].(string)
				m, _ := res.Effects.IDTokenClaims["module"].(string)
				mu.Lock()
				results = append(results, seen{res.Commit, a, m})
				mu.Unlock()
			}
		}()
	}

	for i := 2; i <= syncs+1; i++ {
		v := fmt.Sprintf("V%d", i)
		repo.setModule(v)
		repo.setAction(v)
		repo.write("actions/greet/action.yaml", fmt.Sprintf("trigger: post-login\nmodules:\n  m: %d\n", i))
		c := repo.commit(v)
		repo.git("tag", fmt.Sprintf("modules/m/v%d", i))
		valueOf[c] = v
		if st := d.sync(""); st.Applied == nil || st.Applied.Commit != c {
			t.Fatalf("sync %d: got %+v %v", i, st.Applied, st.Errors)
		}
	}
	stop.Store(true)
	wg.Wait()

	if len(failures) > 0 {
		t.Fatalf("%d failed executions, first: %s", len(failures), failures[0])
	}
	commits := map[string]bool{}
	for _, r := range results {
		want, ok := valueOf[r.commit]
		if !ok || r.action != want || r.module != want {
			t.Fatalf("execution on %q: action %s module %s, want both %q", r.commit, r.action, r.module, want)
		}
		commits[r.commit] = true
	}
	t.Logf("%d executions over %d syncs saw %d distinct commits, none failed or mixed", len(results), syncs, len(commits))
}

// TestGracefulShutdown: on cancel (SIGTERM), readyz turns 503 and still answers while an
// execution is in flight (the listener stays open: a load balancer sees 503, not a refused
// connection), the execution finishes, and run returns nil.
func TestGracefulShutdown(t *testing.T) {
	repo := newGitRepo(t)
	repo.simpleRepo("A1", "M1")
	repo.write("actions/greet/index.js", `exports.onExecutePostLogin = async (event, api) => {
  await new Promise((resolve) => setTimeout(resolve, 800));
  api.idToken.setCustomClaim('action', 'slow');
};
`)
	repo.write("actions/greet/action.yaml", "trigger: post-login\n")
	repo.commit("slow")
	cfg := config.Default()
	cfg.Repo, cfg.DataDir, cfg.Addr, cfg.PollInterval = repo.dir, t.TempDir(), "127.0.0.1:0", -1
	d, err := newDaemon(cfg, vaultsecrets.NewStatic(nil, zaptest.NewLogger(t)), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	if _, err := d.rec.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	inFlight := make(chan string, 1)
	go func() {
		resp, err := http.Post(d.URL()+"/v1/triggers/post-login/execute", "application/json", strings.NewReader(`{}`))
		if err != nil {
			inFlight <- err.Error()
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		inFlight <- fmt.Sprintf("%d %s", resp.StatusCode, body)
	}()
	time.Sleep(100 * time.Millisecond) // let the request start; its handler takes 800 ms
	cancel()
	for !d.draining.Load() {
		time.Sleep(5 * time.Millisecond)
	}
	resp, err := http.Get(d.URL() + "/readyz")
	if err != nil {
		t.Errorf("/readyz while draining: %v, want 503", err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("/readyz while draining: %d, want 503", resp.StatusCode)
		}
	}
	got := <-inFlight
	if !strings.HasPrefix(got, "200 ") || !strings.Contains(got, `"slow"`) {
		t.Errorf("in-flight execution: got %s, want 200 with the slow claim", got)
	}
	if err := <-done; err != nil {
		t.Errorf("run: got %v, want nil", err)
	}
	if !d.draining.Load() {
		t.Errorf("the daemon did not report draining")
	}
}
