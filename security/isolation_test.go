package security

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/actionsd/actionsd/runner"
)

// isolationKey is the module secret the hostile actions below try to take.
const isolationKey = "mod-key-canary-8d1e5b27"

// secretForms are the spellings of s that redaction may miss: hex, base64 (both alphabets),
// URL-encoded, reversed.
func secretForms(s string) []string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return []string{s, hex.EncodeToString([]byte(s)), strings.ToUpper(hex.EncodeToString([]byte(s))),
		base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)),
		url.QueryEscape(s), string(r)}
}

// wantNoSecret fails the test if text holds any spelling of secret.
func wantNoSecret(t testing.TB, where, text, secret string) {
	t.Helper()
	for _, f := range secretForms(secret) {
		if strings.Contains(text, f) {
			t.Errorf("%s holds the module's secret (as %q):\n%s", where, f, text)
			return
		}
	}
}

// The module HMACs with its key; the action wraps crypto.createHmac at its top level, then calls
// the module there, and throws what its wrapper caught, hex-encoded, so that it reaches the build
// error (and from there the status and the log) past the redaction of the plain value.
const (
	signerModule = `const crypto = require('crypto');
exports.sign = (msg) => crypto.createHmac('sha256', actions.secrets.MOD_KEY).update(msg).digest('hex');
`
	hmacThief = `const crypto = require('crypto');
const orig = crypto.createHmac;
let caught = null;
try {
  crypto.createHmac = function (alg, key) { caught = String(key); return orig.call(this, alg, key); };
} catch (e) { /* frozen: the lockdown refused */ }
const signer = require('actions:signer');
signer.sign('warm-up');
if (caught !== null) throw new Error('caught ' + Buffer.from(caught).toString('hex'));
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('sig', signer.sign('x'));
};
`
	// The same, in strict code: the assignment to the frozen built-in throws.
	hmacThiefStrict = `'use strict';
` + hmacThief
)

// TestNoUserCodeBesideModuleSecretsUnlocked is issue 11's first hole: the first build after a
// start warmed actions in a runtime that was not locked down, so an action's top level could wrap
// a built-in, catch a module's key as the module used it, and throw it (hex-encoded) into the
// build error, the status and the log. Every build, the first included, and every later Test now
// run such code locked down: the wrapping fails, nothing of the key leaves.
func TestNoUserCodeBesideModuleSecretsUnlocked(t *testing.T) {
	for _, tc := range []struct{ name, src string }{{"sloppy", hmacThief}, {"strict", hmacThiefStrict}} {
		t.Run(tc.name, func(t *testing.T) {
			core, logs := observer.New(zapcore.DebugLevel)
			log := zap.New(core)
			mod := newModule("signer", signerModule, map[string]string{"MOD_KEY": isolationKey})
			spec := newSpec(newAction("thief", tc.src, mod))
			var seen []string
			// The first build (nothing serves), a second one replacing it, then an execution and a
			// Test of the same action unbound.
			g, err := runner.Build(context.Background(), spec, runner.Options{Logger: log})
			if err != nil {
				seen = append(seen, err.Error())
			} else {
				defer g.Close()
				res := execute(t, g, "post-login", `{}`)
				seen = append(seen, toJSON(t, res))
				next := newSpec(newAction("thief", tc.src+"\n// next\n", mod))
				next.Generation = 2
				g2, err := runner.Build(context.Background(), next, runner.Options{Logger: log, Previous: g})
				if err != nil {
					seen = append(seen, err.Error())
				} else {
					defer g2.Close()
				}
			}
			unbound := &runner.Spec{Commit: "c2", Generation: 3, Actions: map[string]*runner.ActionSpec{
				"thief": newAction("thief", tc.src, mod)}}
			if g3, err := runner.Build(context.Background(), unbound, runner.Options{Logger: log}); err != nil {
				seen = append(seen, err.Error())
			} else {
				defer g3.Close()
				res, err := g3.Test(context.Background(), "thief", []byte(`{}`))
				if err != nil {
					t.Fatal(err)
				}
				seen = append(seen, toJSON(t, res))
			}
			for _, e := range logs.All() {
				seen = append(seen, e.Message+" "+toJSON(t, e.ContextMap()))
			}
			wantNoSecret(t, "what the builds, the execution, the test and the log said", strings.Join(seen, "\n"), isolationKey)
		})
	}
}

// TestNoSecretFromWarmUpThroughTheBinary drives the same attack through actionsd itself: serve's
// first start (its status and its log), invoke and test with the secret in a secrets file.
func TestNoSecretFromWarmUpThroughTheBinary(t *testing.T) {
	bin := actionsdBinary(t)
	repo := newGitRepo(t)
	repo.write("triggers.yaml", "post-login: [thief]\n")
	repo.write("modules/signer/module.yaml", "description: signs\nsecrets: [MOD_KEY]\n")
	repo.write("modules/signer/index.js", signerModule)
	repo.commit("signer")
	repo.git("tag", "modules/signer/v1")
	repo.write("actions/thief/action.yaml", "trigger: post-login\nmodules:\n  signer: 1\n")
	repo.write("actions/thief/index.js", hmacThief)
	repo.commit("thief")
	secrets := filepath.Join(t.TempDir(), "secrets.yaml")
	if err := os.WriteFile(secrets, []byte("modules:\n  signer: {MOD_KEY: \""+isolationKey+"\"}\nactions:\n  thief: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	d := startDaemonNoWait(t, repo.dir, "--secrets-file", secrets)
	// Applied (the action loaded locked down, the wrapping silently refused in sloppy code) or
	// failed: either way, nothing of the key anywhere.
	d.waitAttempted(60 * time.Second)
	_, status := d.do("GET", "/v1/status", "")
	_, result := d.do("POST", "/v1/triggers/post-login/execute", `{}`)
	d.stop()
	wantNoSecret(t, "serve's status, execution and log", status+"\n"+result+"\n"+d.logs.String(), isolationKey)

	for _, args := range [][]string{
		{"invoke", "thief", "--secrets-file", secrets},
		{"test", "--secrets-file", secrets},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Dir = repo.dir
		cmd.Env = gitEnv(repo.dir)
		out, _ := cmd.CombinedOutput()
		wantNoSecret(t, "actionsd "+strings.Join(args, " "), string(out), isolationKey)
	}
}

// TestPrototypesOfWhatRunnerFunctionsReturn is issue 11's reproducer of the second hole: the
// action replaces a method on the prototype of an object a runner function returns, then calls
// a module that uses such an object with its secret. Each replacement must fail, and the module
// must work, whatever the action does.
func TestPrototypesOfWhatRunnerFunctionsReturn(t *testing.T) {
	const module = `const crypto = require('crypto');
exports.run = () => {
  const S = actions.secrets.CLIENT_SECRET;
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_secret: S });
  const pairs = [];
  for (const [k, v] of form) pairs.push(k + '=' + v.length);
  const t = setTimeout(() => {}, 1e6); t.unref(); clearTimeout(t);
  const c = crypto.createCipheriv('aes-128-cbc', Buffer.alloc(16, 1), Buffer.alloc(16, 2));
  const enc = Buffer.concat([c.update(S), c.final()]).length;
  const k = crypto.createSecretKey(Buffer.from(S));
  return [pairs.join('&'), enc, k.export().length].join(' ');
};`
	for _, tc := range []struct{ name, poison string }{
		{"URLSearchParams iterator next", `const p = Object.getPrototypeOf(new URLSearchParams('a=1').entries());
const next = p.next; p.next = function () { const r = next.call(this); steal(r.value); return r; };`},
		{"Timeout unref", `const p = Object.getPrototypeOf(setTimeout(() => {}, 1e6)); p.unref = function () { steal(this); return this; };`},
		{"Cipheriv update", `const p = Object.getPrototypeOf(require('crypto').createCipheriv('aes-128-cbc', Buffer.alloc(16), Buffer.alloc(16)));
const u = p.update; p.update = function (d, ...r) { steal(String(d)); return u.call(this, d, ...r); };`},
		{"SecretKeyObject export", `const p = Object.getPrototypeOf(require('crypto').createSecretKey(Buffer.alloc(4)));
p.export = function () { steal(String(Object.getPrototypeOf(p).export.call(this))); return Buffer.alloc(0); };`},
		{"Timeout prototype by setPrototypeOf", `Object.setPrototypeOf(Object.getPrototypeOf(setTimeout(() => {}, 1e6)), new Proxy({}, { get(t, k, r) { steal(String(k)); } }));`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mod := newModule("victim", module, map[string]string{"CLIENT_SECRET": isolationKey})
			a := newAction("thief", `const victim = require('actions:victim');
const stolen = [];
const steal = (v) => { stolen.push(JSON.stringify(v)); };
let refused = null;
try {
  'use strict';
  (() => { 'use strict'; `+tc.poison+` })();
} catch (e) { refused = String(e.message); }
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('out', victim.run());
  api.idToken.setCustomClaim('stolen', stolen.join('|'));
  api.idToken.setCustomClaim('refused', refused);
};`, mod)
			g := mustBuild(t, newSpec(a), runner.Options{})
			res := execute(t, g, "post-login", `{}`)
			all := toJSON(t, res)
			wantNoSecret(t, "the result", all, isolationKey)
			if res.Outcome != runner.OutcomeSuccess {
				t.Fatalf("outcome %s: %s", res.Outcome, all)
			}
			if got := string(res.Effects.IDTokenClaims["out"].(json.RawMessage)); got != `"grant_type=18&client_secret=23 32 23"` {
				t.Errorf("the module gave %s, want its own result", got)
			}
			if got := string(res.Effects.IDTokenClaims["refused"].(json.RawMessage)); !strings.Contains(got, "read only") && !strings.Contains(got, "not extensible") && !strings.Contains(got, "frozen") {
				t.Errorf("the replacement was not refused clearly: refused = %s", got)
			}
		})
	}
}

// TestGlobalObjectPrototypeFixed: the global object stays extensible in a locked-down runtime
// (packages add globals), but its prototype cannot change: a Proxy put behind globalThis would
// receive every lookup of a global name nobody defined that a module's code makes, and could
// answer with a function of the action's that the module then hands its secret.
func TestGlobalObjectPrototypeFixed(t *testing.T) {
	mod := newModule("victim", `exports.run = () => {
  const S = actions.secrets.KEY;
  return typeof someLibHook === 'function' ? someLibHook(S) : 'no hook';
};`, map[string]string{"KEY": isolationKey})
	a := newAction("thief", `const victim = require('actions:victim');
const stolen = [];
let refused = null;
try {
  Object.setPrototypeOf(globalThis, new Proxy(Object.getPrototypeOf(globalThis), {
    get(t, k, r) { return k === 'someLibHook' ? (s) => { stolen.push(s); return 'hooked'; } : Reflect.get(t, k, r); },
    has(t, k) { return k === 'someLibHook' || Reflect.has(t, k); },
  }));
} catch (e) { refused = e instanceof TypeError; }
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('r', { out: victim.run(), stolen: stolen.join(), refused });
};`, mod)
	g := mustBuild(t, newSpec(a), runner.Options{})
	res := execute(t, g, "post-login", `{}`)
	wantNoSecret(t, "the result", toJSON(t, res), isolationKey)
	if got := toJSON(t, res.Effects.IDTokenClaims); got != `{"r":{"out":"no hook","stolen":"","refused":true}}` {
		t.Errorf("claims = %s, want the prototype change refused and the module unaffected", got)
	}
}
