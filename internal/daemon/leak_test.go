package daemon

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/vaulttest"
)

// lockedWriter is a bytes.Buffer safe for zap's writers and the test.
type lockedWriter struct {
	mu  gosync.Mutex
	buf bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *lockedWriter) Sync() error { return nil }

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func canaryValue(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// TestNeverLeak writes canary secret values to Vault for a module and an action, exercises what
// could carry them out (executions that log them and errors holding them, a module that throws
// them, a failing fetch to a URL made of them, a rotation, status, metrics, the API's listings,
// `secrets check`, `validate`, logging at debug level), then searches every log line, HTTP
// response, metric, error string and file under the data dir: the canaries appear nowhere.
func TestNeverLeak(t *testing.T) {
	vault := vaulttest.Start(t)
	canaries := []string{canaryValue("canary-module-"), canaryValue("canary-action-"), canaryValue("canary-rotated-")}
	vault.Put(t, "actionsd/modules/leaky", map[string]any{"KEY": canaries[0]})
	vault.Put(t, "actionsd/actions/leaky", map[string]any{"KEY": canaries[1]})

	repo := newGitRepo(t)
	repo.write("triggers.yaml", "post-login:\n  - leaky\n")
	repo.write("modules/leaky/module.yaml", "secrets: [KEY]\n")
	repo.write("modules/leaky/index.js", `module.exports = {
  boom: () => { throw new Error('module failed with ' + actions.secrets.KEY); },
  log: () => {
    console.log('module key', actions.secrets.KEY, { key: actions.secrets.KEY });
    console.error(new Error('module error ' + actions.secrets.KEY));
  },
  fetchFail: async () => {
    const k = actions.secrets.KEY;
    await fetch('http://127.0.0.1:1/' + k + '?k=' + k, { headers: { 'X-K': k } });
  },
};
`)
	repo.write("actions/leaky/action.yaml", "trigger: post-login\nsecrets: [KEY]\nmodules:\n  leaky: 1\n")
	repo.write("actions/leaky/index.js", `const m = require('actions:leaky');
exports.onExecutePostLogin = async (event, api) => {
  console.log('action key', event.secrets.KEY);
  console.error('action error', { key: event.secrets.KEY }, [event.secrets.KEY]);
  m.log();
  try { await m.fetchFail(); } catch (e) { console.error('fetch failed', e, e && e.message); }
  try { m.boom(); } catch (e) { console.error(e); console.log(String(e.stack)); }
  if (event.user.user_id === 'deny') api.access.deny('denied ' + event.secrets.KEY);
  if (event.user.user_id === 'throw') m.boom();
  if (event.user.user_id === 'fetch') await m.fetchFail();
  if (event.user.user_id === 'reject') throw new Error('action failed ' + event.secrets.KEY);
};
`)
	repo.commit("leaky")
	repo.git("tag", "modules/leaky/v1")

	debugLog := &lockedWriter{}
	debugCore := zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), debugLog, zapcore.DebugLevel)
	var dataDir string
	d := startVaultDaemon(t, repo.dir, vault.Addr, vault.RootToken, func(c *config.Config) { dataDir = c.DataDir }, debugCore)

	var bodies []string
	call := func(method, path string, body []byte) {
		_, out := d.do(method, path, "", body)
		bodies = append(bodies, method+" "+path+": "+string(out))
	}
	if st := d.sync(""); !st.Ready {
		t.Fatalf("first sync: %v", problemsText(st.Errors))
	}
	for _, user := range []string{"u1", "deny", "throw", "fetch", "reject"} {
		ev := []byte(`{"user":{"user_id":"` + user + `"},"request":{"ip":"127.0.0.1"}}`)
		call("POST", "/v1/triggers/post-login/execute", ev)
		call("POST", "/v1/actions/leaky/test", ev)
	}
	// A rotation: the new value reaches executions, and goes nowhere else either.
	vault.Put(t, "actionsd/modules/leaky", map[string]any{"KEY": canaries[2]})
	waitForLong(t, "the rotation", func() bool {
		for _, s := range d.status().Secrets {
			if s.Owner == "modules/leaky" && s.Version == 2 {
				return true
			}
		}
		return false
	})
	call("POST", "/v1/triggers/post-login/execute", []byte(`{"user":{"user_id":"throw"}}`))
	for _, p := range []string{"/v1/status", "/metrics", "/v1/actions", "/v1/actions/leaky", "/v1/modules", "/v1/modules/leaky/versions", "/healthz", "/readyz"} {
		call("GET", p, nil)
	}
	call("POST", "/v1/sync", nil)
	call("POST", "/v1/triggers/nope/execute", []byte(`{}`))

	// secrets check and validate, as the built binary, with Vault configured.
	vaultEnv := append(gitEnv(repo.dir), "VAULT_ADDR="+vault.Addr, "VAULT_TOKEN="+vault.RootToken)
	for _, args := range [][]string{
		{"secrets", "check", "-C", repo.dir, "--json"},
		{"secrets", "check", "-C", repo.dir},
		{"validate", "-C", repo.dir, "--check-vault", "-o", "json"},
	} {
		cmd := exec.Command(actionsdBinary(t), args...)
		cmd.Env = vaultEnv
		out, err := cmd.CombinedOutput()
		if args[0] == "secrets" && (err != nil || !strings.Contains(string(out), "KEY")) {
			t.Errorf("actionsd %s: %v, want both owners' KEY found in Vault:\n%s", strings.Join(args, " "), err, out)
		}
		bodies = append(bodies, strings.Join(args[:2], " ")+": "+string(out))
	}

	// Every observed log entry, encoded with its fields.
	var logs strings.Builder
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	for _, e := range d.logs.All() {
		b, err := enc.EncodeEntry(e.Entry, e.Context)
		if err == nil {
			logs.Write(b.Bytes())
			b.Free()
		}
	}
	st := d.status()
	stJSON, _ := json.Marshal(st)
	haystacks := map[string]string{
		"debug log":     debugLog.String(),
		"observed logs": logs.String(),
		"status":        string(stJSON),
	}
	for i, b := range bodies {
		haystacks["response "+strings.SplitN(b, ":", 2)[0]+" #"+string(rune('a'+i%26))] = b
	}
	_ = filepath.WalkDir(dataDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil {
			haystacks["file "+p] = string(data)
		}
		return nil
	})
	if len(debugLog.String()) == 0 || !strings.Contains(debugLog.String(), `"level":"debug"`) {
		t.Error("the debug log caught no debug entry: the test would prove nothing")
	}
	if !strings.Contains(logs.String(), "[REDACTED]") && !strings.Contains(strings.Join(bodies, "\n"), "[REDACTED]") {
		t.Error("nothing was redacted anywhere: the JavaScript did not log its secrets, so the test would prove nothing")
	}
	for where, text := range haystacks {
		for _, c := range canaries {
			if i := strings.Index(text, c); i >= 0 {
				lo, hi := max(0, i-200), min(len(text), i+len(c)+100)
				t.Errorf("canary %s leaked into %s: …%s…", c[:len("canary-module-")], where, strings.ReplaceAll(text[lo:hi], c, "<CANARY>"))
			}
		}
	}
}
