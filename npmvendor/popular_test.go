package npmvendor

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/runner"
)

// publicRegistry returns the registry the npm CLI is set to (the public one unless configured
// otherwise), or skips with the reason.
func publicRegistry(t *testing.T) *Registries {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not installed: the registry of the packages people use comes from `npm config get registry`")
	}
	reg := npmCLIRegistry()
	if reg == "" {
		t.Skip("`npm config get registry` gave no registry")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, normalizeBase(reg)+"ms", nil)
	req.Header.Set("Accept", "application/vnd.npm.install-v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Skipf("the npm registry is not reachable (%v): the packages people use cannot be fetched", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Skipf("the npm registry answered %d: the packages people use cannot be fetched", resp.StatusCode)
	}
	return &Registries{Default: normalizeBase(reg), Scopes: map[string]string{}, auth: map[string]string{}, Source: "npm config get registry"}
}

// popular is one row of the packages people use in Actions: the package, what its bundle must
// export (a JS expression over pkg, checked in goja with stub built-ins when loadsWithoutBuiltins),
// and its documented basic use as action code that sets the claim "r" to want.
type popular struct {
	name string
	// loadsWithoutBuiltins: the package evaluates with a require that returns empty objects for
	// Node built-ins; the others use built-ins as they load (checked by the runner step).
	loadsWithoutBuiltins bool
	exports              string
	use                  string // body of an async function; sets r; SERVER is the loopback server's URL
	want                 string
	// runnerGap names what the runner still lacks for this row's basic use: a failure of the run
	// step is then a skip with that reason (the bundle checks above it still run).
	runnerGap string
}

func popularPackages(t *testing.T) []popular {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	priv := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(key))})
	pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&key.PublicKey))})
	privJS, pubJS := strconv.Quote(string(priv)), strconv.Quote(string(pub))
	return []popular{
		{name: "lodash", loadsWithoutBuiltins: true, exports: `typeof pkg.chunk === "function"`,
			use: `const _ = require("lodash"); r = _.chunk([1, 2, 3, 4], 2).length + ":" + _.get({a: {b: 7}}, "a.b");`, want: "2:7"},
		{name: "uuid", loadsWithoutBuiltins: true, exports: `typeof pkg.v4 === "function"`,
			use: `const { v4, validate } = require("uuid"); r = String(validate(v4()));`, want: "true"},
		{name: "ms", loadsWithoutBuiltins: true, exports: `pkg("2 days") === 172800000`,
			use: `const ms = require("ms"); r = ms("2 days") + ":" + ms(60000);`, want: "172800000:1m"},
		{name: "dayjs", loadsWithoutBuiltins: true, exports: `typeof pkg === "function" && pkg(0).valueOf() === 0`,
			use: `const dayjs = require("dayjs"); r = dayjs("2024-01-15T00:00:00Z").add(1, "day").toISOString();`, want: "2024-01-16T00:00:00.000Z"},
		{name: "date-fns", loadsWithoutBuiltins: true, exports: `typeof pkg.addDays === "function" && typeof pkg.format === "function"`,
			use: `const { addDays } = require("date-fns"); r = String(addDays(new Date(Date.UTC(2024, 0, 15)), 1).getTime());`, want: "1705363200000"},
		// qs: object-inspect's Node build (as Node loads it) requires util as it loads.
		{name: "qs", exports: `pkg.stringify({a: {b: "c"}}) === "a%5Bb%5D=c"`,
			use: `const qs = require("qs"); r = qs.stringify({a: {b: "c"}}) + "|" + qs.parse("a[b]=c").a.b;`, want: "a%5Bb%5D=c|c"},
		{name: "validator", loadsWithoutBuiltins: true, exports: `pkg.isEmail("a@example.com") === true`,
			use: `const v = require("validator"); r = String(v.isEmail("a@example.com")) + String(v.isEmail("nope"));`, want: "truefalse"},
		{name: "semver", loadsWithoutBuiltins: true, exports: `pkg.satisfies("1.2.3", "^1.0.0") === true`,
			use: `const semver = require("semver"); r = String(semver.satisfies("1.2.3", "^1.0.0")) + semver.inc("1.2.3", "minor");`, want: "true1.3.0"},
		{name: "nanoid", exports: `typeof pkg.nanoid === "function"`,
			use: `const { nanoid } = require("nanoid"); r = String(nanoid().length);`, want: "21"},
		{name: "jsonwebtoken", exports: `typeof pkg.sign === "function" && typeof pkg.verify === "function"`,
			use: `const jwt = require("jsonwebtoken");
const hs = jwt.verify(jwt.sign({ sub: "u1" }, "secret", { algorithm: "HS256" }), "secret");
const rs = jwt.verify(jwt.sign({ sub: "u2" }, ` + privJS + `, { algorithm: "RS256" }), ` + pubJS + `);
r = hs.sub + rs.sub;`, want: "u1u2"},
		{name: "jose", exports: `typeof pkg.SignJWT === "function" && typeof pkg.jwtVerify === "function"`,
			use: `const { SignJWT, jwtVerify } = require("jose");
const key = new TextEncoder().encode("0123456789abcdef0123456789abcdef");
const token = await new SignJWT({ sub: "u1" }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().sign(key);
r = (await jwtVerify(token, key)).payload.sub;`, want: "u1"},
		{name: "axios", loadsWithoutBuiltins: true, exports: `typeof (pkg.default || pkg).get === "function"`,
			use: `const axios = require("axios");
const got = await axios.get(SERVER + "/get");
const posted = await axios.post(SERVER + "/post", { x: 1 });
r = got.data.ok + ":" + posted.data.got.x;`, want: "true:1"},
		{name: "node-fetch", exports: `typeof (pkg.default || pkg) === "function"`,
			use: `const m = require("node-fetch"); const fetch = m.default || m;
const res = await fetch(SERVER + "/get"); r = String((await res.json()).ok);`, want: "true"},
		{name: "zod", loadsWithoutBuiltins: true, exports: `typeof pkg.z.object === "function"`,
			use: `const { z } = require("zod"); const s = z.object({ name: z.string() });
r = String(s.safeParse({ name: "a" }).success) + String(s.safeParse({ name: 1 }).success);`, want: "truefalse"},
		{name: "@slack/webhook", exports: `typeof pkg.IncomingWebhook === "function"`,
			use: `const { IncomingWebhook } = require("@slack/webhook");
const res = await new IncomingWebhook(SERVER + "/slack").send({ text: "hi" }); r = res.text;`, want: "ok"},
		{name: "auth0", exports: `typeof pkg.ManagementClient === "function"`,
			use: `const { ManagementClient } = require("auth0");
const m = new ManagementClient({ domain: SERVER.replace(/^https?:\/\//, ""), token: "tok" });
const u = await m.users.get("u1");
r = (u.data || u).email;`, want: "u1@example.com"},
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestPopularPackages resolves, installs and bundles each of the packages people use in Actions
// against the real registry, checks that the bundle loads in goja and exports what it should, and
// runs its documented basic use in an action through the runner.
func TestPopularPackages(t *testing.T) {
	regs := publicRegistry(t)
	rows := popularPackages(t)
	owners := map[string]map[string]string{}
	for _, row := range rows {
		owners[ownerOf(row.name)] = map[string]string{row.name: "latest"}
	}
	ctx := context.Background()
	res, err := (&Resolver{Registries: regs, Logger: zaptest.NewLogger(t)}).Lock(ctx, owners, nil)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := NewInstaller(InstallerOptions{Dir: filepath.Join(t.TempDir(), "npm"), Registries: regs, Logger: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := smokeServer(t)
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			owner := ownerOf(row.name)
			version := res.Pinned[owner][row.name]
			b, err := inst.Install(ctx, res.Lock, owner)
			if err != nil {
				t.Fatalf("%s@%s: %v", row.name, version, err)
			}
			for name, code := range b.Chunks {
				if _, err := goja.Compile(name, "(function (exports, require, module) {"+string(code)+"\n})", false); err != nil {
					t.Fatalf("%s@%s: bundle chunk %s does not compile in goja: %v", row.name, version, name, err)
				}
			}
			if row.loadsWithoutBuiltins {
				vm, exports := loadBundle(t, b)
				vm.Set("pkg", loadPackage(t, vm, exports, row.name))
				ok, err := vm.RunString(row.exports)
				if err != nil || !ok.ToBoolean() {
					t.Errorf("%s@%s: %s: got %v, %v", row.name, version, row.exports, ok, err)
				}
			}
			runSmoke(t, res.Lock, owner, row, version, b, srv)
		})
	}
}

func ownerOf(pkg string) string {
	return "actions/" + strings.NewReplacer("@", "", "/", "-").Replace(pkg)
}

// smokeServer is the loopback stand-in the HTTP clients talk to, over TLS (Auth0's SDK speaks
// only https): /get, /post (echoes JSON), /slack (Slack's "ok") and Auth0's GET
// /api/v2/users/{id}. Its Client trusts it and is the runner's HTTP client.
func smokeServer(t *testing.T) *httptest.Server {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		switch {
		case r.URL.Path == "/get":
			json.NewEncoder(w).Encode(map[string]any{"ok": true})
		case r.URL.Path == "/post":
			var got any
			json.Unmarshal(body, &got)
			json.NewEncoder(w).Encode(map[string]any{"got": got})
		case r.URL.Path == "/slack":
			w.Write([]byte("ok"))
		case strings.HasPrefix(r.URL.Path, "/api/v2/users/"):
			id := strings.TrimPrefix(r.URL.Path, "/api/v2/users/")
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"user_id": id, "email": id + "@example.com"})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// errNoBundles is the runner's answer while it cannot load bundles.
var errNoBundles = errors.New("runner does not load bundles yet")

// runSmoke runs row's documented use as a post-login action with the bundle, through the runner.
func runSmoke(t *testing.T, lock *lockfile.Lock, owner string, row popular, version string, b *jsdeps.Bundle, srv *httptest.Server) {
	t.Helper()
	code := "const SERVER = " + strconv.Quote(srv.URL) + ";\n" +
		"exports.onExecutePostLogin = async (event, api) => {\n let r;\n" + row.use + "\n api.idToken.setCustomClaim(\"r\", r);\n};\n"
	spec := &runner.Spec{Commit: "smoke", Generation: 1, Actions: map[string]*runner.ActionSpec{"smoke": {
		Name: "smoke", Version: "smoke", Trigger: "post-login",
		Source: runner.Source{Dir: owner, Entry: "index.js", Files: map[string][]byte{"index.js": []byte(code)},
			Dependencies: lock.Owners[owner].Dependencies, Bundle: b},
	}}, Bindings: map[string][]string{}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	gen, err := runner.Build(ctx, spec, runner.Options{Logger: zaptest.NewLogger(t), HTTPClient: srv.Client()})
	if err != nil {
		if strings.Contains(err.Error(), "bundles are not built yet") {
			t.Skip(errNoBundles.Error())
		}
		t.Fatalf("%s@%s: runner.Build: %v", row.name, version, err)
	}
	defer gen.Close()
	result, err := gen.Test(ctx, "smoke", []byte(`{"user": {"user_id": "u1"}}`))
	if err != nil {
		t.Fatalf("%s@%s: %v", row.name, version, err)
	}
	if len(result.Actions) == 1 && result.Actions[0].Error != nil {
		if strings.Contains(result.Actions[0].Error.Message, "bundles are not built yet") {
			t.Skip(errNoBundles.Error())
		}
		if row.runnerGap != "" {
			t.Skipf("%s@%s: runner gap: %s: %v", row.name, version, row.runnerGap, result.Actions[0].Error)
		}
		t.Fatalf("%s@%s: %v (logs %v)", row.name, version, result.Actions[0].Error, result.Actions[0].Logs)
	}
	var got any
	for _, c := range result.Commands {
		var args []any
		if data, err := json.Marshal(c.Args); err == nil && json.Unmarshal(data, &args) == nil &&
			c.Op == "idToken.setCustomClaim" && len(args) == 2 && args[0] == "r" {
			got = args[1]
		}
	}
	switch {
	case got != row.want && row.runnerGap != "":
		t.Skipf("%s@%s: runner gap: %s: basic use gave %v, want %q", row.name, version, row.runnerGap, got, row.want)
	case got != row.want:
		t.Errorf("%s@%s: basic use gave %v, want %q", row.name, version, got, row.want)
	case row.runnerGap != "":
		t.Logf("%s@%s: the basic use passes now: remove its runnerGap", row.name, version)
	}
}
