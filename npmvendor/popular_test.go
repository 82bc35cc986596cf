package npmvendor

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
	// version is the version spec the row locks (npm's range syntax); "" is "latest".
	version string
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

// spec is the version spec row locks.
func (row popular) spec() string {
	if row.version == "" {
		return "latest"
	}
	return row.version
}

// owner is the row's owner: ownerOf its package, and its version spec for a pinned row ("^2" as
// "-v2", anything but letters, digits and dots as "-"), so that two majors of one package lock
// side by side.
func (row popular) owner() string {
	if row.version == "" {
		return ownerOf(row.name)
	}
	return ownerOf(row.name) + "-v" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' {
			return r
		}
		return '-'
	}, strings.TrimLeft(row.version, "^~=v"))
}

// title names row's subtest: its package, and its version spec when pinned.
func (row popular) title() string {
	if row.version == "" {
		return row.name
	}
	return row.name + "@" + row.version
}

// auth0GetUser is the auth0 SDK's documented Management API call for a user id with a "|" (as
// every database user's is), from its major's README: the stand-in answers only the exact path
// /api/v2/users/auth0%7C123. v4 answers an ApiResponse (the user in data), v2 and v3 the user.
// With clientCredentials the SDK first takes a token from /oauth/token.
func auth0GetUser(clientCredentials bool) string {
	auth := `token: "tok"`
	if clientCredentials {
		auth = `clientId: "cid", clientSecret: "csecret"`
	}
	return `const { ManagementClient } = require("auth0");
const m = new ManagementClient({ domain: SERVER.replace(/^https?:\/\//, ""), ` + auth + ` });
const u = await m.users.get({ id: "auth0|123" });
r = (u.data || u).email;`
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
		{name: "auth0", version: "^4", exports: `typeof pkg.ManagementClient === "function"`,
			use: auth0GetUser(true), want: "auth0|123@example.com"},
		{name: "node-fetch", version: "^2", exports: `typeof pkg === "function"`,
			use: `const fetch = require("node-fetch");
const res = await fetch(SERVER + "/post", { method: "POST", body: JSON.stringify({ x: 1 }), headers: { "Content-Type": "application/json" } });
r = res.status + ":" + (await res.json()).got.x;`, want: "200:1"},
		// node-fetch 3 is ESM only: CommonJS loads it by import() (its README's way) or, as Node
		// 22 allows, by require().
		{name: "node-fetch", version: "^3", exports: `typeof pkg.default === "function"`,
			use: `const { default: fetch } = await import("node-fetch");
const res = await fetch(SERVER + "/post", { method: "POST", body: JSON.stringify({ x: 1 }), headers: { "Content-Type": "application/json" } });
const required = require("node-fetch").default;
r = res.status + ":" + (await res.json()).got.x + ":" + (await (await required(SERVER + "/get")).json()).ok;`, want: "200:1:true"},
		{name: "form-data", exports: `typeof pkg === "function"`,
			use: `const FormData = require("form-data");
const form = new FormData();
form.append("name", "a|b");
form.append("file", Buffer.from("xyz"), { filename: "f.txt", contentType: "text/plain" });
r = await new Promise((resolve, reject) => form.submit(SERVER + "/multipart", (err, res) => {
  if (err) return reject(err);
  let body = ""; res.setEncoding("utf8");
  res.on("data", (c) => { body += c; }); res.on("end", () => resolve(res.statusCode + " " + body)); res.on("error", reject);
}));`, want: "200 name=a|b;file=f.txt:text/plain:xyz"},
		{name: "request", exports: `typeof pkg.post === "function"`,
			use: `const request = require("request");
r = await new Promise((resolve, reject) => request.post({ url: SERVER + "/multipart", formData: {
  name: "a|b", file: { value: Buffer.from("xyz"), options: { filename: "f.txt", contentType: "text/plain" } },
} }, (err, res, body) => err ? reject(err) : resolve(res.statusCode + " " + body)));`, want: "200 name=a|b;file=f.txt:text/plain:xyz"},
		// @sentry/node 7: the stand-in records the event of the envelope its DSN sends to, and
		// /sentry/seen/{project} gives the message it got.
		{name: "@sentry/node", version: "^7", exports: `typeof pkg.init === "function"`,
			use: `const Sentry = require("@sentry/node");
const u = new URL(SERVER);
Sentry.init({ dsn: u.protocol + "//pubkey@" + u.host + "/42" });
Sentry.captureMessage("hello from an action");
const flushed = await Sentry.flush(5000);
r = flushed + ":" + await (await fetch(SERVER + "/sentry/seen/42")).text();`, want: "true:hello from an action"},
		{name: "@aws-sdk/client-dynamodb", exports: `typeof pkg.GetItemCommand === "function"`,
			use: `const { DynamoDBClient, GetItemCommand } = require("@aws-sdk/client-dynamodb");
const client = new DynamoDBClient({ region: "us-east-1", endpoint: SERVER, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } });
const out = await client.send(new GetItemCommand({ TableName: "users", Key: { id: { S: "auth0|123" } } }));
r = out.Item.email.S;`, want: "auth0|123@example.com"},
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
		owners[row.owner()] = map[string]string{row.name: row.spec()}
	}
	ctx := context.Background()
	res, inst := popularLock(t, regs, owners)
	srv := smokeServer(t)
	for _, row := range rows {
		t.Run(row.title(), func(t *testing.T) {
			owner := row.owner()
			version := res.Pinned[owner][row.name]
			t.Logf("%s %s locks %s", row.name, row.spec(), version)
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
// only https): /get, /post (echoes JSON), /slack (Slack's "ok"), /multipart (echoes the fields
// of a multipart form), Auth0's POST /oauth/token and GET /api/v2/users/{id} (users u1 and
// auth0|123, the latter only at its exact path /api/v2/users/auth0%7C123), DynamoDB's GetItem (any path, by its
// X-Amz-Target) and Sentry's envelope and store endpoints, whose event's message
// /sentry/seen/{project} gives back. A request it does not expect is an error status naming what
// it got, so that the client in the row fails. Its Client trusts it and is the runner's HTTP
// client.
func smokeServer(t *testing.T) *httptest.Server {
	var mu sync.Mutex
	seen := map[string]string{} // Sentry project → the message of its last event
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") != "" {
			dynamoGetItem(w, r)
			return
		}
		if project, ok := sentryProject(r.URL.Path); ok {
			msg, err := sentryMessage(r)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			mu.Lock()
			seen[project] = msg
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":"0123456789abcdef0123456789abcdef"}`))
			return
		}
		if r.URL.Path == "/multipart" {
			multipartEcho(w, r)
			return
		}
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
		case strings.HasPrefix(r.URL.Path, "/sentry/seen/"):
			mu.Lock()
			msg := seen[strings.TrimPrefix(r.URL.Path, "/sentry/seen/")]
			mu.Unlock()
			w.Write([]byte(msg))
		case r.URL.Path == "/oauth/token":
			var form map[string]any
			if err := json.Unmarshal(body, &form); err != nil {
				v, _ := url.ParseQuery(string(body))
				form = map[string]any{}
				for k := range v {
					form[k] = v.Get(k)
				}
			}
			if r.Method != http.MethodPost || form["grant_type"] != "client_credentials" || form["client_id"] != "cid" {
				http.Error(w, fmt.Sprintf("oauth/token: want a POST of grant_type client_credentials for client cid, got %s %s", r.Method, body), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"access_token": "tok", "token_type": "Bearer", "expires_in": 86400, "scope": "read:users"})
		case strings.HasPrefix(r.URL.Path, "/api/v2/users/"):
			id := strings.TrimPrefix(r.URL.Path, "/api/v2/users/")
			path, _, _ := strings.Cut(r.RequestURI, "?")
			w.Header().Set("Content-Type", "application/json")
			if want := "/api/v2/users/" + url.PathEscape(id); path != want || id != "u1" && id != "auth0|123" || r.Header.Get("Authorization") != "Bearer tok" {
				w.WriteHeader(http.StatusNotFound)
				json.NewEncoder(w).Encode(map[string]any{"statusCode": 404, "error": "Not Found",
					"message": fmt.Sprintf("stand-in: want GET %s with Bearer tok, got %s %s with %q", want, r.Method, path, r.Header.Get("Authorization"))})
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"user_id": id, "email": id + "@example.com"})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// multipartEcho answers a multipart/form-data POST with its fields, in order, as
// "name=value" for a value and "name=filename:content type:content" for a file, joined by ";".
func multipartEcho(w http.ResponseWriter, r *http.Request) {
	mr, err := r.MultipartReader()
	if err != nil {
		http.Error(w, "multipart: "+err.Error(), http.StatusBadRequest)
		return
	}
	var fields []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			http.Error(w, "multipart: "+err.Error(), http.StatusBadRequest)
			return
		}
		data, _ := io.ReadAll(io.LimitReader(part, 1<<20))
		if part.FileName() != "" {
			fields = append(fields, part.FormName()+"="+part.FileName()+":"+part.Header.Get("Content-Type")+":"+string(data))
		} else {
			fields = append(fields, part.FormName()+"="+string(data))
		}
	}
	w.Write([]byte(strings.Join(fields, ";")))
}

// dynamoGetItem is DynamoDB's GetItem of the item {id: "auth0|123"} of table "users", for a
// request signed with SigV4 by the access key AKIDEXAMPLE; anything else is DynamoDB's
// ValidationException naming what it got.
func dynamoGetItem(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	var got struct {
		TableName string
		Key       map[string]map[string]string
	}
	err := json.Unmarshal(body, &got)
	if err != nil || r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "DynamoDB_20120810.GetItem" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.0") ||
		!strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") ||
		!strings.Contains(r.Header.Get("Authorization"), "/us-east-1/dynamodb/aws4_request") ||
		got.TableName != "users" || len(got.Key) != 1 || got.Key["id"]["S"] != "auth0|123" {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazon.coral.validate#ValidationException",
			"message": fmt.Sprintf("stand-in: want a signed GetItem of users/auth0|123, got %s %s target %q type %q auth %q body %s",
				r.Method, r.URL.Path, r.Header.Get("X-Amz-Target"), r.Header.Get("Content-Type"), r.Header.Get("Authorization"), body)})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"Item": map[string]any{
		"id": map[string]string{"S": "auth0|123"}, "email": map[string]string{"S": "auth0|123@example.com"}}})
}

// sentryProject is the project of a Sentry ingest path (/api/{project}/envelope/ or /store/).
func sentryProject(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		return "", false
	}
	project, kind, _ := strings.Cut(rest, "/")
	if kind != "envelope/" && kind != "store/" || project == "v2" {
		return "", false
	}
	return project, true
}

// sentryMessage is the message of the event a Sentry SDK sends: the body of a store request, or
// the item of type "event" of an envelope (one JSON header line, then header and payload lines
// per item), with the SDK's public key in its auth header or the envelope's DSN.
func sentryMessage(r *http.Request) (string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return "", fmt.Errorf("sentry: %w", err)
		}
		if body, err = io.ReadAll(io.LimitReader(zr, 1<<20)); err != nil {
			return "", fmt.Errorf("sentry: %w", err)
		}
	}
	type event struct {
		Message  any `json:"message"`
		Logentry struct {
			Message string `json:"message"`
		} `json:"logentry"`
	}
	text := func(e event) string {
		if m, ok := e.Message.(string); ok {
			return m
		}
		if m, ok := e.Message.(map[string]any); ok {
			if f, ok := m["formatted"].(string); ok {
				return f
			}
		}
		return e.Logentry.Message
	}
	if !strings.Contains(r.Header.Get("X-Sentry-Auth")+r.URL.RawQuery+string(body), "pubkey") {
		return "", errors.New("sentry: no sentry_key pubkey in the auth header, the query or the envelope")
	}
	if strings.HasSuffix(r.URL.Path, "/store/") {
		var e event
		if err := json.Unmarshal(body, &e); err != nil {
			return "", fmt.Errorf("sentry store: %w", err)
		}
		return text(e), nil
	}
	lines := strings.Split(string(body), "\n")
	for i := 1; i+1 < len(lines); i += 2 {
		var h struct {
			Type string `json:"type"`
		}
		if json.Unmarshal([]byte(lines[i]), &h) == nil && h.Type == "event" {
			var e event
			if err := json.Unmarshal([]byte(lines[i+1]), &e); err != nil {
				return "", fmt.Errorf("sentry envelope event: %w", err)
			}
			return text(e), nil
		}
	}
	return "", fmt.Errorf("sentry envelope without an event item: %.200s", body)
}

// errNoBundles is the runner's answer while it cannot load bundles.
var errNoBundles = errors.New("runner does not load bundles yet")

// runSmoke runs row's documented use as a post-login action with the bundle, through the runner.
func runSmoke(t *testing.T, lock *lockfile.Lock, owner string, row popular, version string, b *jsdeps.Bundle, srv *httptest.Server) {
	t.Helper()
	code := "const SERVER = " + strconv.Quote(srv.URL) + ";\n" +
		"exports.onExecutePostLogin = async (event, api) => {\n let r;\n" + row.use + "\n api.idToken.setCustomClaim(\"r\", r);\n};\n"
	// As the daemon prepares an action's files (prepare.Transformer): import() and module syntax
	// are lowered to what goja runs.
	src, err := Transform("index.js", []byte(code))
	if err != nil {
		t.Fatalf("%s@%s: transform: %v", row.name, version, err)
	}
	spec := &runner.Spec{Commit: "smoke", Generation: 1, Actions: map[string]*runner.ActionSpec{"smoke": {
		Name: "smoke", Version: "smoke", Trigger: "post-login",
		Source: runner.Source{Dir: owner, Entry: "index.js", Files: map[string][]byte{"index.js": src},
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

// popularLock locks owners' dependencies against regs, as lock does, and returns an installer
// over a cache of the test's own.
func popularLock(t *testing.T, regs *Registries, owners map[string]map[string]string) (*Result, *Installer) {
	t.Helper()
	res, err := (&Resolver{Registries: regs, Logger: zaptest.NewLogger(t)}).Lock(context.Background(), owners, nil)
	if err != nil {
		t.Fatalf("lock: %v", err)
	}
	inst, err := NewInstaller(InstallerOptions{Dir: filepath.Join(t.TempDir(), "npm"), Registries: regs, Logger: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	return res, inst
}
