package security

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/egress"
)

// The escape corpus: an action (testdata/escape/action.js) pins a module (victim.js) that does
// the ordinary things modules do with its secret, and before it calls the module it tries one
// escape route (routes.js) at its top level or in its handler. Whatever the route, the module's
// secret must not reach the action in any form, the module must still compute what it computes
// without the route, and the action's attempts to change shared things must fail with TypeErrors
// it can catch.

// escapeCanary is the victim's secret: 16 bytes (an AES-128 key), with characters that every
// encoding changes.
const escapeCanary = "escQ7vK2/m+Zr w9"

type escapeRoute struct {
	name   string
	code   string
	sloppy bool
}

var escapeHeader = regexp.MustCompile(`^//// (.+?)( \(sloppy\))?$`)

// escapeRoutes reads routes.js: each "//// name" line starts a route, whose code runs until the
// next one.
func escapeRoutes(t *testing.T) []escapeRoute {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "escape", "routes.js"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var routes []escapeRoute
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if m := escapeHeader.FindStringSubmatch(line); m != nil {
			routes = append(routes, escapeRoute{name: m[1], sloppy: m[2] != ""})
			continue
		}
		if len(routes) > 0 {
			routes[len(routes)-1].code += line + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(routes) < 30 {
		t.Fatalf("routes.js has %d routes: it did not parse", len(routes))
	}
	return routes
}

func escapeFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "escape", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// escapeRequest is one request a sink received.
type escapeRequest struct {
	Method, Path string
	Header       http.Header
	Body         string
}

func (r escapeRequest) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Method, r.Path)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(r.Header[k], ", "))
	}
	b.WriteString(r.Body)
	return b.String()
}

// escapeSink is a loopback server that keeps every request.
type escapeSink struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []escapeRequest
}

func newEscapeSink(t *testing.T) *escapeSink {
	s := &escapeSink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, escapeRequest{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(), Body: string(body)})
		s.mu.Unlock()
		io.WriteString(w, "ok")
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *escapeSink) take() []escapeRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.reqs
	s.reqs = nil
	return r
}

func (s *escapeSink) hostPort() string { return strings.TrimPrefix(s.srv.URL, "http://") }

// escapeForms are the spellings of secret that count as the secret reaching the action: as it
// is, hex, base64 and base64url (also inside a longer encoded string), URL- and form-encoded,
// reversed, its character codes joined, and a fragment of it.
func escapeForms(secret string) map[string]string {
	forms := map[string]string{
		"plain":              secret,
		"hex":                hex.EncodeToString([]byte(secret)),
		"HEX":                strings.ToUpper(hex.EncodeToString([]byte(secret))),
		"encodeURIComponent": strings.ReplaceAll(url.PathEscape(secret), "+", "%2B"),
		"form-encoded":       url.QueryEscape(secret),
		// goja_nodejs' URLSearchParams leaves "+" as it is (WHATWG encodes it as %2B).
		"form-encoded, + kept": strings.ReplaceAll(url.QueryEscape(secret), "%2B", "+"),
		"reversed":             reverse(secret),
		"char codes joined":    charCodes(secret, ","),
		"char codes (spaced)":  charCodes(secret, ", "),
		"char codes run-on":    charCodes(secret, ""),
		"fragment":             secret[3:8],
	}
	for name, enc := range map[string]*base64.Encoding{"base64": base64.RawStdEncoding, "base64url": base64.RawURLEncoding} {
		for offset := range 3 {
			e := enc.EncodeToString([]byte(strings.Repeat("\x00", offset) + secret))
			start := 0
			if offset > 0 {
				start = 4 // the first group mixes the prefix with the secret
			}
			forms[fmt.Sprintf("%s (offset %d)", name, offset)] = e[start : len(e)-4]
		}
	}
	return forms
}

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

func charCodes(s, sep string) string {
	parts := make([]string, len(s))
	for i := range len(s) {
		parts[i] = fmt.Sprint(s[i])
	}
	return strings.Join(parts, sep)
}

// escapeLeaks returns a line for every secret found in text, naming the forms it takes there
// and showing what surrounds the first one.
func escapeLeaks(where, text string, secrets map[string]string) []string {
	var out []string
	for _, secretName := range slices.Sorted(maps.Keys(secrets)) {
		var found []string
		first := -1
		for form, enc := range escapeForms(secrets[secretName]) {
			if i := strings.Index(text, enc); i >= 0 {
				found = append(found, form)
				if first < 0 || i < first {
					first = i
				}
			}
		}
		if len(found) > 0 {
			sort.Strings(found)
			lo, hi := max(0, first-160), min(len(text), first+60)
			out = append(out, fmt.Sprintf("the module's %s reached %s (%s): …%s…", secretName, where, strings.Join(found, ", "), text[lo:hi]))
		}
	}
	if i := strings.Index(text, "[REDACTED]"); i >= 0 {
		lo, hi := max(0, i-160), min(len(text), i+20)
		out = append(out, fmt.Sprintf("a secret was redacted from %s (so the action held it): …%s…", where, text[lo:hi]))
	}
	return out
}

// escapeStolen returns, for every value the route's hooks captured (steal) that holds a secret,
// the hook's label and the forms: how the secret crossed.
func escapeStolen(stolen json.RawMessage, secrets map[string]string) []string {
	var entries map[string]json.RawMessage
	if json.Unmarshal(stolen, &entries) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for k, raw := range entries {
		if strings.HasPrefix(k, "#") || k == "length" {
			continue
		}
		var entry map[string]json.RawMessage
		if json.Unmarshal(raw, &entry) != nil {
			continue
		}
		var label string
		_ = json.Unmarshal(entry["0"], &label)
		for _, l := range escapeLeaks("the action", string(entry["1"]), secrets) {
			if _, rest, ok := strings.Cut(l, " reached the action ("); ok && !strings.HasPrefix(l, "a secret") {
				line := fmt.Sprintf("hook %q got the module's %s", label, strings.TrimPrefix(l[:strings.Index(l, " reached")], "the module's ")) +
					" (" + rest[:strings.Index(rest, ")")] + ")"
				if !seen[line] {
					seen[line] = true
					out = append(out, line)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// escapeReport is what the action reports (its claim "report").
type escapeReport struct {
	Stolen json.RawMessage `json:"stolen"`
	Errors []struct {
		Label, Name, Message string
	} `json:"errors"`
	ErrorCount   int      `json:"errorCount"`
	Changed      []string `json:"changed"`
	ChangedCount int      `json:"changedCount"`
	Result       *struct {
		Ops    int      `json:"ops"`
		Failed []string `json:"failed"`
		Sent   int      `json:"sent"`
		HMAC   string   `json:"hmac"`
		Subtle string   `json:"subtle"`
		Digest string   `json:"digest"`
	} `json:"result"`
	RunError *string `json:"runError"`
}

// escapeRun is one execution of a route: what the action reported, what the module sent to its
// sink, and what each sink and the result hold.
type escapeRun struct {
	res       *runner.Result
	resJSON   string
	report    escapeReport
	moduleOut map[string]string // the victim's /module/out body
	moduleReq []escapeRequest   // the victim's requests but /module/out
	actionReq []escapeRequest   // what reached the action's sink
}

// escapeEnv is the sinks and the client every route shares.
type escapeEnv struct {
	sinkA, sinkB *escapeSink // the module's, the action's
	client       *http.Client
	action       string
	victim       string
}

func newEscapeEnv(t *testing.T) *escapeEnv {
	e := &escapeEnv{sinkA: newEscapeSink(t), sinkB: newEscapeSink(t)}
	p, err := egress.ParseAllow([]string{e.sinkA.hostPort(), e.sinkB.hostPort()})
	if err != nil {
		t.Fatal(err)
	}
	e.client = egress.NewClient(p)
	e.action = strings.ReplaceAll(escapeFile(t, "action.js"), "__SINK_B__", e.sinkB.srv.URL)
	e.victim = escapeFile(t, "victim.js")
	return e
}

// secrets are the victim's secrets: both must stay in the module.
func (e *escapeEnv) secrets() map[string]string {
	return map[string]string{"KEY": escapeCanary, "SINK": e.sinkA.srv.URL}
}

// routeFunc is a route's code as the function action.js runs.
func routeFunc(r escapeRoute) string {
	if r.code == "" {
		return "async function () {}"
	}
	mode := "'use strict';\n"
	if r.sloppy {
		mode = ""
	}
	return "async function () {\n" + mode + r.code + "}"
}

// build builds the action with route at where ("top" or "handler").
func (e *escapeEnv) build(t *testing.T, r escapeRoute, where string) *runner.Generation {
	t.Helper()
	top, handler := routeFunc(escapeRoute{}), routeFunc(escapeRoute{})
	if where == "top" {
		top = routeFunc(r)
	} else {
		handler = routeFunc(r)
	}
	src := strings.Replace(strings.Replace(e.action, "__ROUTE_TOP__", top, 1), "__ROUTE_HANDLER__", handler, 1)
	mod := newModule("victim", e.victim, e.secrets())
	a := newAction("hostile", src, mod)
	g, err := build(t, newSpec(a), runner.Options{HTTPClient: e.client})
	if err != nil {
		for _, l := range escapeLeaks("the build error", err.Error(), e.secrets()) {
			t.Errorf("LEAK: %s", l)
		}
		hint := ""
		if where == "top" {
			hint = " (the first build loads the action's top level on a runtime that is not locked down, where the route's changes go through and can break the module's load)"
		}
		t.Fatalf("the build failed: %v%s", err, hint)
	}
	return g
}

func (e *escapeEnv) run(t *testing.T, g *runner.Generation) escapeRun {
	t.Helper()
	res := execute(t, g, "post-login", `{"user":{"user_id":"auth0|escape"}}`)
	r := escapeRun{res: res, resJSON: toJSON(t, res)}
	for _, req := range e.sinkA.take() {
		if req.Path == "/module/out" {
			if err := json.Unmarshal([]byte(req.Body), &r.moduleOut); err != nil {
				t.Errorf("the module's results: %v\n%s", err, req.Body)
			}
		} else {
			r.moduleReq = append(r.moduleReq, req)
		}
	}
	r.actionReq = e.sinkB.take()
	if raw, ok := res.Effects.IDTokenClaims["report"].(json.RawMessage); ok {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Errorf("claim report = %s: %v", raw, err)
		} else if err := json.Unmarshal([]byte(s), &r.report); err != nil {
			t.Errorf("the action's report: %v\n%s", err, s)
		}
	}
	return r
}

// leaks lists every way a secret of the module reached the action in run: the hooks that got it
// (from the action's report), then where it showed (the result: claims, logs, errors; and what
// the action's own sink received).
func (e *escapeEnv) leaks(run escapeRun) []string {
	out := escapeStolen(run.report.Stolen, e.secrets())
	out = append(out, escapeLeaks("the result (claims, logs, errors)", run.resJSON, e.secrets())...)
	for _, req := range run.actionReq {
		out = append(out, escapeLeaks("the action's sink", req.String(), e.secrets())...)
	}
	return out
}

func hmacSHA256(key, msg string) []byte {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// escapeExpected are results of the victim's operations computed here, to check that the
// baseline (no route) is right before every route is held to it.
func escapeExpected(t *testing.T) map[string]string {
	s := escapeCanary
	b64 := base64.StdEncoding.EncodeToString([]byte(s))
	h := sha256.Sum256([]byte(s))
	gcmBlock, _ := aes.NewCipher([]byte(s))
	gcm, _ := cipher.NewGCM(gcmBlock)
	sealed := gcm.Seal(nil, []byte(strings.Repeat("\x01", 12)), []byte(s), nil)
	padded := []byte(s + strings.Repeat("\x10", 16)) // PKCS#7 of a whole block
	cbcOut := make([]byte, len(padded))
	cipher.NewCBCEncrypter(gcmBlock, []byte(strings.Repeat("\x02", 16))).CryptBlocks(cbcOut, padded)
	return map[string]string{
		"hmac":          hex.EncodeToString(hmacSHA256(s, "msg")),
		"hmacKeyObject": hex.EncodeToString(hmacSHA256(s, "msg")),
		"subtle":        hex.EncodeToString(hmacSHA256(s, "msg")),
		"subtleGlobal":  base64.StdEncoding.EncodeToString(hmacSHA256(s, s)) + "|true",
		"hash":          base64.StdEncoding.EncodeToString(h[:]),
		"cipher":        hex.EncodeToString(sealed) + "|true|16",
		"cipherCBC":     hex.EncodeToString(cbcOut) + "|true",
		"json":          `{"client_secret":"` + s + `","n":1}`,
		"template":      "Bearer " + s,
		"form":          "grant_type=client_credentials&client_secret=" + url.QueryEscape(s),
		"buffer":        b64 + "|" + hex.EncodeToString([]byte(s)) + "|" + base64.RawURLEncoding.EncodeToString([]byte(s)) + "|" + s,
		"btoa":          b64 + "|" + s,
		"fetch":         "200:ok",
		"emitter":       s + "|" + s + s + "^" + s + "|1",
		"timers":        s + "|" + s + "|" + s + "|object,true,true,true,true,true|object,true,true|" + s + "|" + s,
		"props":         strings.TrimSuffix(strings.Repeat(s+",", 10), ","),
		"args":          "p:" + s + "|2|u1|p/" + s + "|L" + s + `|{"e":1,"k":"` + s + `"}|r|p:` + s,
		"exportsCall":   "16|16",
	}
}

// TestEscapeCorpus runs every route of routes.js at the action's top level and in its handler,
// twice each (the second execution may run on the runtime the first one left), and checks that
// no secret of the module reaches the action, that the module computes what it computes without
// the route, and that the action's attempts to change shared things fail with TypeErrors.
func TestEscapeCorpus(t *testing.T) {
	env := newEscapeEnv(t)

	// The baseline: no route. Every route is held to what the module computes there.
	g := env.build(t, escapeRoute{name: "baseline"}, "handler")
	base := env.run(t, g)
	if l := env.leaks(base); len(l) > 0 {
		t.Fatalf("the baseline leaks, so the harness is wrong: %s", strings.Join(l, "\n"))
	}
	if base.res.Outcome != runner.OutcomeSuccess || base.report.Result == nil || base.report.RunError != nil || base.moduleOut == nil {
		t.Fatalf("the baseline failed: %s", base.resJSON)
	}
	if len(base.actionReq) != 1 {
		t.Fatalf("the action's report reached its sink %d times, want 1: the sink check would prove nothing", len(base.actionReq))
	}
	if len(base.moduleOut) < 60 {
		t.Fatalf("the victim ran %d operations: it proves little", len(base.moduleOut))
	}
	// And the baseline is right: its operations work, and give what Node gives.
	t.Run("baseline", func(t *testing.T) {
		if len(base.report.Result.Failed) > 0 || base.report.Result.Sent != 200 {
			t.Errorf("the baseline's operations failed: %v (sent %d)", base.report.Result.Failed, base.report.Result.Sent)
		}
		for op, want := range escapeExpected(t) {
			if got := base.moduleOut[op]; got != want {
				t.Errorf("baseline op %s = %q, want %q", op, got, want)
			}
		}
	})

	for _, r := range escapeRoutes(t) {
		for _, where := range []string{"top", "handler"} {
			t.Run(r.name+"/"+where, func(t *testing.T) {
				g := env.build(t, r, where)
				var first string
				for i := range 2 {
					run := env.run(t, g)
					if i == 0 {
						t.Logf("%d attempts refused, %d went through: %s", run.report.ErrorCount, run.report.ChangedCount, strings.Join(run.report.Changed, "; "))
					}
					// The second run is told apart only where it differs: what a poisoned runtime adds.
					var b strings.Builder
					escapeCheck(&b, env, i, base, run)
					if i == 0 || b.String() != first {
						if b.Len() > 0 {
							t.Errorf("run %d:\n%s", i, b.String())
						}
					}
					if i == 0 {
						first = b.String()
					}
				}
			})
		}
	}
}

// escapeCheck compares one execution of a route with the baseline and writes what is wrong to w.
func escapeCheck(w *strings.Builder, env *escapeEnv, i int, base, run escapeRun) {
	for _, l := range env.leaks(run) {
		fmt.Fprintf(w, "LEAK: %s\n", l)
	}
	if run.res.Outcome != runner.OutcomeSuccess {
		fmt.Fprintf(w, "outcome %s: %s\n", run.res.Outcome, run.resJSON)
		return
	}
	rep := run.report
	if rep.RunError != nil {
		fmt.Fprintf(w, "the module threw: %s\n", *rep.RunError)
	}
	if rep.Result == nil {
		fmt.Fprintf(w, "the module returned nothing: %s\n", run.resJSON)
	} else if len(rep.Result.Failed) > 0 || rep.Result.Ops != base.report.Result.Ops || rep.Result.HMAC != base.report.Result.HMAC ||
		rep.Result.Subtle != base.report.Result.Subtle {
		fmt.Fprintf(w, "the module returned %+v, want %+v\n", *rep.Result, *base.report.Result)
	}
	var wrong []string
	for op, want := range base.moduleOut {
		if got, ok := run.moduleOut[op]; !ok || got != want {
			wrong = append(wrong, fmt.Sprintf("%s = %q, want %q", op, got, want))
		}
	}
	sort.Strings(wrong)
	if len(wrong) > 0 {
		fmt.Fprintf(w, "the module's results differ from the baseline's:\n\t%s\n", strings.Join(wrong, "\n\t"))
	}
	if got, want := escapeRequests(run.moduleReq), escapeRequests(base.moduleReq); got != want {
		fmt.Fprintf(w, "the module's own requests differ from the baseline's:\n%s\n--- want\n%s\n", got, want)
	}
	if len(run.actionReq) != 1 {
		fmt.Fprintf(w, "the action's report reached its sink %d times, want 1\n", len(run.actionReq))
	}
	var odd []string
	for _, e := range rep.Errors {
		if e.Name != "TypeError" {
			odd = append(odd, fmt.Sprintf("%s: %s: %s", e.Label, e.Name, e.Message))
		}
	}
	if len(odd) > 0 {
		fmt.Fprintf(w, "attempts failed with something else than a TypeError:\n\t%s\n", strings.Join(odd, "\n\t"))
	}
}

// escapeRequests is the module's requests in a comparable form: method, path, its key header and
// body (the rest varies with the runtime: content length, connection reuse).
func escapeRequests(reqs []escapeRequest) string {
	var out []string
	for _, r := range reqs {
		out = append(out, fmt.Sprintf("%s %s x-key=%q authorization=%q body=%q", r.Method, r.Path, r.Header.Get("X-Key"), r.Header.Get("Authorization"), r.Body))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
