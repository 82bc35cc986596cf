package daemon

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/vaulttest"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// vaultDaemon is a test daemon wired as `serve` wires Vault: login keeper, last-good cache and
// rotation watcher, with its log entries observed.
type vaultDaemon struct {
	*testDaemon
	d    *Daemon
	logs *observer.ObservedLogs
}

// startVaultDaemon runs a daemon over repo reading Vault at addr with the root token and a 1 s
// rotation poll; edit may change the configuration. extra, when set, also receives every log entry.
func startVaultDaemon(t testing.TB, repo, addr, token string, edit func(*config.Config), extra zapcore.Core) *vaultDaemon {
	t.Helper()
	cfg := testConfig(t, repo)
	cfg.Egress.Allow = []string{"127.0.0.1"}
	cfg.Vault = vaultsecrets.VaultConfig{Address: addr, Token: token, Mount: "secret", Prefix: "actionsd", PollInterval: time.Second, MaxRetries: -1, Timeout: 5 * time.Second}
	if edit != nil {
		edit(&cfg)
	}
	obsCore, logs := observer.New(zapcore.DebugLevel)
	log := zaptest.NewLogger(t, zaptest.Level(zapcore.InfoLevel), zaptest.WrapOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		cores := []zapcore.Core{c, obsCore}
		if extra != nil {
			cores = append(cores, extra)
		}
		return zapcore.NewTee(cores...)
	})))
	reg := NewRegistry()
	secrets, err := NewVaultSecrets(cfg.Vault, log, reg)
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(cfg, Options{Secrets: secrets, Registry: reg, Logger: log, StartHeap: DefaultStartHeap})
	if err != nil {
		t.Fatal(err)
	}
	return &vaultDaemon{testDaemon: runDaemon(t, d), d: d, logs: logs}
}

// builds returns the "generation built" log entries so far: generation number -> actions reused.
func (d *vaultDaemon) builds() map[int64][2]int64 {
	out := map[int64][2]int64{}
	for _, e := range d.logs.FilterMessage("generation built").All() {
		m := e.ContextMap()
		gen, _ := m["generation"].(int64)
		actions, _ := m["actions"].(int64)
		reused, _ := m["actions_reused"].(int64)
		out[gen] = [2]int64{actions, reused}
	}
	return out
}

// holdingSink records the X-API-Key of each request and, when armed, holds the next request to
// /hold until released.
type holdingSink struct {
	*httptest.Server
	mu      gosync.Mutex
	keys    []string
	armed   bool
	held    chan struct{} // closed when a request is being held
	release chan struct{}
}

func newHoldingSink(t testing.TB) *holdingSink {
	s := &holdingSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		s.mu.Lock()
		s.keys = append(s.keys, r.Header.Get("X-API-Key"))
		hold := s.armed && r.URL.Path == "/hold"
		var release chan struct{}
		if hold {
			s.armed = false
			close(s.held)
			release = s.release
		}
		s.mu.Unlock()
		if hold {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.Close)
	return s
}

// arm holds the next request to /hold; it returns a channel closed once one is held, and the
// function that releases it.
func (s *holdingSink) arm() (held <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed = true
	s.held = make(chan struct{})
	s.release = make(chan struct{})
	r := s.release
	return s.held, func() { close(r) }
}

func (s *holdingSink) lastKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) == 0 {
		return ""
	}
	return s.keys[len(s.keys)-1]
}

// rotationRepo is the quickstart (logger v1 bound to post-login through log-login) plus a probe
// module and action that read the probe's secret before and after a fetch that the sink may hold,
// and return both reversed (so the runner's redaction does not hide them from the test).
func rotationRepo(t testing.TB) *gitRepo {
	repo := newGitRepo(t)
	repo.copyQuickstart()
	repo.write("modules/probe/module.yaml", "secrets: [SERVICE_URL, TOKEN]\n")
	repo.write("modules/probe/index.js", `const rev = (s) => String(s).split('').reverse().join('');
module.exports = {
  check: async () => {
    const before = actions.secrets.TOKEN;
    await fetch(actions.secrets.SERVICE_URL + '/hold', { method: 'POST', headers: { 'X-API-Key': before } });
    return { before: rev(before), after: rev(actions.secrets.TOKEN) };
  },
};
`)
	repo.write("actions/probe/action.yaml", "trigger: post-login\nmodules:\n  probe: 1\n")
	repo.write("actions/probe/index.js", `const probe = require('actions:probe');
exports.onExecutePostLogin = async (event, api) => {
  const r = await probe.check();
  api.idToken.setCustomClaim('before', r.before);
  api.idToken.setCustomClaim('after', r.after);
};
`)
	repo.commit("quickstart and probe")
	repo.git("tag", "modules/logger/v1")
	repo.git("tag", "modules/probe/v1")
	return repo
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// testAction runs one action through POST /v1/actions/{name}/test.
func (d *testDaemon) testAction(name string, event []byte) runner.Result {
	d.t.Helper()
	code, body := d.do("POST", "/v1/actions/"+name+"/test", "", event)
	if code != http.StatusOK {
		d.t.Fatalf("test %s: got %d %s", name, code, body)
	}
	var res runner.Result
	if err := json.Unmarshal(body, &res); err != nil {
		d.t.Fatalf("test %s: %v in %s", name, err, body)
	}
	return res
}

// TestSecretRotation rotates secrets in a real Vault under a running daemon: the next executions
// use the new value without a git change, only the affected action is rebuilt, and an execution in
// flight during the rotation finishes with the values it started with.
func TestSecretRotation(t *testing.T) {
	vault := vaulttest.Start(t)
	sink := newHoldingSink(t)
	vault.Put(t, "actionsd/modules/logger", map[string]any{"SERVICE_URL": sink.URL + "/logs", "API_KEY": "logger-key-1"})
	vault.Put(t, "actionsd/modules/probe", map[string]any{"SERVICE_URL": sink.URL, "TOKEN": "probe-token-1"})
	repo := rotationRepo(t)
	d := startVaultDaemon(t, repo.dir, vault.Addr, vault.RootToken, nil, nil)
	if st := d.sync(""); !st.Ready {
		t.Fatalf("first sync: %+v", st.Errors)
	}
	ev := quickstartEvent(t)
	if res := d.execute("", ev); res.Outcome != runner.OutcomeSuccess || sink.lastKey() != "logger-key-1" {
		t.Fatalf("before rotation: outcome %s, sink key %q", res.Outcome, sink.lastKey())
	}
	gen := d.rec.Current().Number()

	// Rotate the logger's key: the next executions send it, with no git change.
	vault.Put(t, "actionsd/modules/logger", map[string]any{"SERVICE_URL": sink.URL + "/logs", "API_KEY": "logger-key-2"})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res := d.execute("", ev)
		if res.Outcome != runner.OutcomeSuccess {
			t.Fatalf("during rotation: outcome %s: %+v", res.Outcome, res.Actions)
		}
		if sink.lastKey() == "logger-key-2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rotated key never reached an execution; status %+v", d.status().Secrets)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Only log-login (which pins logger) was rebuilt; probe was reused.
	newGen := d.rec.Current().Number()
	if newGen == gen {
		t.Fatalf("generation %d still serves after the rotation", gen)
	}
	if b, ok := d.builds()[newGen]; !ok || b != [2]int64{2, 1} {
		t.Errorf("generation %d: got [actions reused] %v, want [2 1] (only log-login rebuilt)", newGen, b)
	}
	st := d.status()
	var logger *vaultsecrets.OwnerHealth
	for i, h := range st.Vault.Secrets {
		if h.Owner == "modules/logger" {
			logger = &st.Vault.Secrets[i]
		}
	}
	if logger == nil || logger.Version != 2 || logger.State != vaultsecrets.StateOK || logger.Path != "secret/actionsd/modules/logger" {
		t.Errorf("status vault.secrets: got %+v, want modules/logger v2 ok", st.Vault.Secrets)
	}

	// An execution in flight during a rotation keeps its values; new ones see the new values.
	held, release := sink.arm()
	type outcome struct {
		res runner.Result
		err error
	}
	inflight := make(chan outcome, 1)
	go func() {
		code, body := d.do("POST", "/v1/actions/probe/test", "", ev)
		var o outcome
		if code != http.StatusOK {
			o.err = fmt.Errorf("status %d: %s", code, body)
		} else {
			o.err = json.Unmarshal(body, &o.res)
		}
		inflight <- o
	}()
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("the probe's fetch never reached the sink")
	}
	vault.Put(t, "actionsd/modules/probe", map[string]any{"SERVICE_URL": sink.URL, "TOKEN": "probe-token-2"})
	deadline = time.Now().Add(30 * time.Second)
	for {
		res := d.testAction("probe", ev)
		if res.Outcome != runner.OutcomeSuccess {
			t.Fatalf("probe during rotation: outcome %s: %+v", res.Outcome, res.Actions)
		}
		if res.Effects.IDTokenClaims["before"] == reverse("probe-token-2") {
			if res.Effects.IDTokenClaims["after"] != reverse("probe-token-2") {
				t.Errorf("a new execution mixed values: %v", res.Effects.IDTokenClaims)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the rotated probe token never reached an execution")
		}
		time.Sleep(20 * time.Millisecond)
	}
	release()
	o := <-inflight
	if o.err != nil || o.res.Outcome != runner.OutcomeSuccess {
		t.Fatalf("the execution in flight: %v, outcome %s: %+v", o.err, o.res.Outcome, o.res.Actions)
	}
	if c := o.res.Effects.IDTokenClaims; c["before"] != reverse("probe-token-1") || c["after"] != reverse("probe-token-1") {
		t.Errorf("the execution in flight: got before/after %v/%v, want the value it started with", reverse(fmt.Sprint(c["before"])), reverse(fmt.Sprint(c["after"])))
	}
}

// TestVaultOutage cuts the network between the daemon and Vault: the daemon keeps serving the last
// values, reports Degraded with the reason, and recovers by itself when Vault is back.
func TestVaultOutage(t *testing.T) {
	vault := vaulttest.Start(t)
	proxy := vault.Proxy(t)
	sink := newHoldingSink(t)
	vault.Put(t, "actionsd/modules/logger", map[string]any{"SERVICE_URL": sink.URL + "/logs", "API_KEY": "outage-key-1"})
	vault.Put(t, "actionsd/modules/probe", map[string]any{"SERVICE_URL": sink.URL, "TOKEN": "probe-token-1"})
	repo := rotationRepo(t)
	d := startVaultDaemon(t, repo.dir, proxy.Addr, vault.RootToken, nil, nil)
	if st := d.sync(""); !st.Ready {
		t.Fatalf("first sync: %+v", st.Errors)
	}
	ev := quickstartEvent(t)

	proxy.Cut()
	waitForLong(t, "status Degraded while Vault is cut off", func() bool {
		c := d.status().Condition("Degraded")
		return c.Status == "True" && c.Reason == "SecretsDegraded" && strings.Contains(c.Message, "modules/")
	})
	st := d.status()
	if !st.Ready {
		t.Errorf("not ready during the outage: %+v", st.Conditions)
	}
	// A forced sync reads Vault again: it fails to, and serves the last good values.
	st = d.sync("")
	if st.Attempted == nil || st.Attempted.Result != "applied" {
		t.Errorf("sync during the outage: got %+v (%v), want applied with the last good values", st.Attempted, st.Errors)
	}
	degraded := false
	for _, s := range st.Secrets {
		if s.Owner == "modules/logger" && strings.Contains(s.Error, "serving version 1") {
			degraded = true
		}
	}
	if !degraded {
		t.Errorf("sync during the outage: secrets %+v, want modules/logger served degraded", st.Secrets)
	}
	if res := d.execute("", ev); res.Outcome != runner.OutcomeSuccess || sink.lastKey() != "outage-key-1" {
		t.Errorf("execute during the outage: outcome %s, key %q", res.Outcome, sink.lastKey())
	}

	proxy.Restore()
	waitForLong(t, "recovery once Vault is back", func() bool {
		st := d.status()
		if st.Condition("Degraded").Status != "False" {
			return false
		}
		for _, h := range st.Vault.Secrets {
			if h.State != vaultsecrets.StateOK {
				return false
			}
		}
		return true
	})
	// And a rotation after the outage is picked up.
	vault.Put(t, "actionsd/modules/logger", map[string]any{"SERVICE_URL": sink.URL + "/logs", "API_KEY": "outage-key-2"})
	waitForLong(t, "the rotation after the outage", func() bool {
		d.execute("", ev)
		return sink.lastKey() == "outage-key-2"
	})
}

// waitForLong polls cond every 50 ms until it holds or 60 s pass (Vault retries back off).
func waitForLong(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
