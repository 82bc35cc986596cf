package kratos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// token is what Kratos' web hooks send in X-Actionsd-Token (their api_key auth).
const token = "kratos-peer-test-token-of-at-least-32-bytes"

// password passes Kratos' password policy (long, unlike the identifier; the HaveIBeenPwned check
// is off: the test reaches no outside host).
const password = "correct-Horse-battery-staple-9"

// The actions the daemon serves: a registration gate that denies one domain and sets metadata, a
// login lock that reads the metadata the gate set, and a notice after a password change.
var actions = map[string]string{
	"triggers.yaml": `pre-user-registration: [gate]
post-login: [lock]
post-change-password: [notice]
`,
	"actions/gate/action.yaml": "trigger: pre-user-registration\n",
	"actions/gate/index.js": `exports.onExecutePreUserRegistration = async (event, api) => {
  if (event.user.email.endsWith('@spam.test')) {
    return api.access.deny('spam_domain', 'Signups from this domain are not allowed.');
  }
  if (event.user.email.startsWith('temp')) return api.validation.error('invalid_email', 'Use your work address.');
  if (event.user.email.startsWith('throw')) throw new Error('directory unreachable');
  api.user.setUserMetadata('signup_agent', event.request.user_agent);
  api.user.setUserMetadata('flow', event.kratos.flow.type + '/' + event.connection.name);
  api.user.setAppMetadata('plan', 'trial');
};
`,
	"actions/lock/action.yaml": "trigger: post-login\n",
	"actions/lock/index.js": `exports.onExecutePostLogin = async (event, api) => {
  if (event.user.email.startsWith('locked')) {
    // Kratos keeps metadata_admin out of its hooks' context: the public metadata is readable.
    api.access.deny('account locked (agent ' + event.user.user_metadata.signup_agent + ', method ' + event.authentication.methods[0].name + ')');
  }
};
`,
	"actions/notice/action.yaml": "trigger: post-change-password\n",
	"actions/notice/index.js": `exports.onExecutePostChangePassword = async (event) => {
  console.log('password changed for', event.user.user_id);
};
`,
}

// peer is a running actionsd and Kratos, wired together.
type peer struct {
	daemon, public, admin string
	daemonLogs            *lockedBuffer
}

func TestKratosPeer(t *testing.T) {
	p := start(t)

	t.Run("registration lands the actions' metadata on the identity", func(t *testing.T) {
		status, out := p.register(t, "ada@example.com")
		if status != 200 {
			t.Fatalf("registration: %d %s", status, out)
		}
		var reg struct {
			Identity struct{ ID string } `json:"identity"`
		}
		if err := json.Unmarshal(out, &reg); err != nil || reg.Identity.ID == "" {
			t.Fatalf("registration answer: %v %s", err, out)
		}
		// Read back from the admin API: what Kratos stored.
		status, out = get(t, p.admin+"/admin/identities/"+reg.Identity.ID, nil)
		var id struct {
			Traits         map[string]any `json:"traits"`
			MetadataPublic map[string]any `json:"metadata_public"`
			MetadataAdmin  map[string]any `json:"metadata_admin"`
		}
		if err := json.Unmarshal(out, &id); status != 200 || err != nil {
			t.Fatalf("admin identity: %d %v %s", status, err, out)
		}
		if id.MetadataPublic["signup_agent"] != "actionsd-kratos-peer-test" || id.MetadataPublic["flow"] != "api/default" ||
			id.MetadataAdmin["plan"] != "trial" || id.Traits["email"] != "ada@example.com" {
			t.Errorf("the stored identity: %s", out)
		}
	})

	t.Run("a deny stops the registration with the action's message", func(t *testing.T) {
		status, out := p.register(t, "eve@spam.test")
		if status != 400 || !uiMessage(out, "Signups from this domain are not allowed.") {
			t.Errorf("registration: %d %s", status, out)
		}
		status, out = get(t, p.admin+"/admin/identities?credentials_identifier=eve@spam.test", nil)
		if status != 200 || strings.TrimSpace(string(out)) != "[]" {
			t.Errorf("the denied identity was stored: %d %s", status, out)
		}
	})

	t.Run("a validation error and a failed action stop the registration", func(t *testing.T) {
		status, out := p.register(t, "temp@example.com")
		if status != 400 || !uiMessage(out, "Use your work address.") {
			t.Errorf("validation error: %d %s", status, out)
		}
		// The daemon answers 500 with Kratos' messages: Kratos shows them as the form's errors.
		// The user sees which action failed, not its error.
		status, out = p.register(t, "throw@example.com")
		if status != 400 || !bytes.Contains(out, []byte(`"text":"action gate failed"`)) || bytes.Contains(out, []byte("directory unreachable")) {
			t.Errorf("a failed action: %d %s", status, out)
		}
		for _, email := range []string{"temp@example.com", "throw@example.com"} {
			if status, out := get(t, p.admin+"/admin/identities?credentials_identifier="+email, nil); status != 200 || strings.TrimSpace(string(out)) != "[]" {
				t.Errorf("%s was stored: %d %s", email, status, out)
			}
		}
	})

	t.Run("a deny stops the login, with the metadata set at registration in the event", func(t *testing.T) {
		if status, out := p.register(t, "locked@example.com"); status != 200 {
			t.Fatalf("registration: %d %s", status, out)
		}
		status, out := p.login(t, "locked@example.com")
		if status != 400 || !uiMessage(out, "account locked (agent actionsd-kratos-peer-test, method pwd)") {
			t.Errorf("login: %d %s", status, out)
		}
		status, out = p.login(t, "ada@example.com")
		if status != 200 || !bytes.Contains(out, []byte(`"session_token"`)) {
			t.Errorf("login: %d %s", status, out)
		}
	})

	t.Run("a password change runs post-change-password", func(t *testing.T) {
		status, out := p.login(t, "ada@example.com")
		var s struct {
			SessionToken string `json:"session_token"`
		}
		if err := json.Unmarshal(out, &s); status != 200 || err != nil || s.SessionToken == "" {
			t.Fatalf("login: %d %v %s", status, err, out)
		}
		hdr := map[string]string{"X-Session-Token": s.SessionToken}
		status, out = p.submit(t, "/self-service/settings/api", hdr, map[string]any{"method": "password", "password": password + "-new"})
		if status != 200 || !bytes.Contains(out, []byte(`"state":"success"`)) {
			t.Errorf("settings: %d %s", status, out)
		}
		// Kratos calls this hook (no response.parse) after it stored the new password.
		waitFor(t, "the daemon to answer the settings hook", func() bool {
			_, out := get(t, p.daemon+"/metrics", nil)
			return bytes.Contains(out, []byte(`actionsd_bridge_requests_total{bridge="kratos",hook="settings",result="answered"} 1`))
		})
	})

	t.Run("the daemon counted every hook", func(t *testing.T) {
		_, out := get(t, p.daemon+"/metrics", nil)
		for _, want := range []string{
			`actionsd_bridge_requests_total{bridge="kratos",hook="registration",result="answered"} 4`,
			`actionsd_bridge_requests_total{bridge="kratos",hook="registration",result="failed"} 1`,
			`actionsd_bridge_failures_total{bridge="kratos",reason="action_failed"} 1`,
			`actionsd_bridge_requests_total{bridge="kratos",hook="login",result="answered"} 3`,
			`actionsd_bridge_requests_total{bridge="kratos",hook="settings",result="answered"} 1`,
			`actionsd_bridge_failures_total{bridge="kratos",reason="bad_signature"} 0`,
		} {
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

// register runs Kratos' API registration flow for email, as a native app does: create the flow,
// then send the password method to its action URL.
func (p *peer) register(t *testing.T, email string) (int, []byte) {
	return p.submit(t, "/self-service/registration/api", nil,
		map[string]any{"method": "password", "password": password, "traits": map[string]any{"email": email}})
}

func (p *peer) login(t *testing.T, email string) (int, []byte) {
	return p.submit(t, "/self-service/login/api", nil, map[string]any{"method": "password", "identifier": email, "password": password})
}

// submit creates an API flow at path and posts body to its ui.action.
func (p *peer) submit(t *testing.T, path string, hdr map[string]string, body map[string]any) (int, []byte) {
	t.Helper()
	status, out := get(t, p.public+path, hdr)
	var flow struct {
		UI struct {
			Action string `json:"action"`
		} `json:"ui"`
	}
	if err := json.Unmarshal(out, &flow); status != 200 || err != nil || flow.UI.Action == "" {
		t.Fatalf("GET %s: %d %v %s", path, status, err, out)
	}
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", flow.UI.Action, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "actionsd-kratos-peer-test")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

// uiMessage reports whether the flow out shows text among its form's messages.
func uiMessage(out []byte, text string) bool {
	var flow struct {
		UI struct {
			Messages []struct {
				ID   int    `json:"id"`
				Text string `json:"text"`
				Type string `json:"type"`
			} `json:"messages"`
		} `json:"ui"`
	}
	if json.Unmarshal(out, &flow) != nil {
		return false
	}
	for _, m := range flow.UI.Messages {
		if m.Text == text && m.Type == "error" && m.ID == 4000001 {
			return true
		}
	}
	return false
}

func get(t *testing.T, url string, hdr map[string]string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// start builds actionsd, commits the actions to a git repository, and starts the daemon and
// Kratos, each stopped when the test ends.
func start(t *testing.T) *peer {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	kratosBin := kratosBinary(t, root)
	dir := t.TempDir()
	actionsd := filepath.Join(dir, "actionsd")
	run(t, root, "go", "build", "-o", actionsd, "./cmd/actionsd")

	repo := filepath.Join(dir, "repo")
	for name, content := range actions {
		write(t, filepath.Join(repo, name), content)
	}
	run(t, repo, "git", "init", "-q", "-b", "main")
	run(t, repo, "git", "add", "-A")
	run(t, repo, "git", "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "actions")

	write(t, filepath.Join(dir, "token"), token+"\n")
	write(t, filepath.Join(dir, "secrets.yaml"), "modules: {}\n")
	daemonAddr := freeAddr(t)
	logs := &lockedBuffer{}
	startProcess(t, "actionsd", logs, actionsd, "serve", "--repo", repo, "--branch", "main", "--data-dir", filepath.Join(dir, "data"),
		"--secrets-file", filepath.Join(dir, "secrets.yaml"), "--addr", daemonAddr, "--poll-interval", "0",
		"--bridge-kratos-token-file", filepath.Join(dir, "token"))
	p := &peer{daemon: "http://" + daemonAddr, daemonLogs: logs}
	waitFor(t, "actionsd ready", func() bool { return ready(p.daemon + "/readyz") })

	public, admin := freeAddr(t), freeAddr(t)
	p.public, p.admin = "http://"+public, "http://"+admin
	write(t, filepath.Join(dir, "identity.schema.json"), identitySchema)
	write(t, filepath.Join(dir, "kratos.yml"), kratosConfig(public, admin, p.daemon, dir, filepath.Join(root, "examples", "kratos", "body.jsonnet")))
	startProcess(t, "kratos", &lockedBuffer{}, kratosBin, "serve", "-c", filepath.Join(dir, "kratos.yml"), "--dev", "--watch-courier=false")
	waitFor(t, "kratos ready", func() bool { return ready(p.admin + "/health/ready") })
	return p
}

// kratosBinary is ACTIONSD_KRATOS_TEST_SERVER, else what scripts/kratos-test-server.sh builds (once,
// into a cache outside the repository).
func kratosBinary(t *testing.T, root string) string {
	if bin := os.Getenv("ACTIONSD_KRATOS_TEST_SERVER"); bin != "" {
		return bin
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "kratos-test-server.sh"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/kratos-test-server.sh: %v", err)
	}
	return strings.TrimSpace(string(out))
}

const identitySchema = `{
  "$id": "https://example.com/actionsd-kratos-peer.schema.json",
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Person",
  "type": "object",
  "properties": {
    "traits": {
      "type": "object",
      "properties": {
        "email": {
          "type": "string",
          "format": "email",
          "title": "E-Mail",
          "ory.sh/kratos": {"credentials": {"password": {"identifier": true}}}
        }
      },
      "required": ["email"],
      "additionalProperties": false
    }
  }
}
`

// kratosConfig is Kratos' configuration: SQLite in memory (Kratos migrates it at start), the
// password method, and the web hooks of examples/kratos/kratos.yml pointed at the daemon.
func kratosConfig(public, admin, daemon, dir, body string) string {
	hook := func(flow string, parse bool) string {
		return fmt.Sprintf(`
            - hook: web_hook
              config:
                url: %s/v1/bridges/kratos/%s
                method: POST
                body: file://%s
                response:
                  parse: %v
                auth:
                  type: api_key
                  config:
                    name: X-Actionsd-Token
                    value: %s
                    in: header`, daemon, flow, body, parse, token)
	}
	host := func(addr string) (string, string) {
		h, port, _ := net.SplitHostPort(addr)
		return h, port
	}
	ph, pp := host(public)
	ah, ap := host(admin)
	return fmt.Sprintf(`version: v1.3.1
dsn: memory
serve:
  public:
    base_url: http://%[1]s/
    host: %[2]s
    port: %[3]s
  admin:
    base_url: http://%[4]s/
    host: %[5]s
    port: %[6]s
log:
  level: info
  leak_sensitive_values: false
secrets:
  cookie: [actionsd-kratos-peer-cookie-secret]
  cipher: [actionsd-kratos-peer-cipher-32ch]
identity:
  default_schema_id: default
  schemas:
    - id: default
      url: file://%[7]s/identity.schema.json
courier:
  smtp:
    connection_uri: smtp://127.0.0.1:1/?disable_starttls=true
selfservice:
  default_browser_return_url: http://%[1]s/
  methods:
    password:
      enabled: true
      config:
        haveibeenpwned_enabled: false
  flows:
    registration:
      after:
        password:
          hooks:%[8]s
            - hook: session
    login:
      after:
        password:
          hooks:%[9]s
    settings:
      after:
        password:
          hooks:%[10]s
`, public, ph, pp, admin, ah, ap, dir, hook("registration", true), hook("login", true), hook("settings", false))
}

// startProcess starts name, its output in logs (and in the test's log when it fails), and stops
// it when the test ends.
func startProcess(t *testing.T, name string, logs *lockedBuffer, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s's output:\n%s", name, logs.String())
		}
	})
}

func ready(url string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func run(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer is a process's output, written by its pipes' goroutines and read by the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
