package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/internal/bridges"
	"github.com/actionsd/actionsd/internal/history"
	"github.com/actionsd/actionsd/runner"

	"github.com/prometheus/client_golang/prometheus"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// supabaseSecret is a Standard Webhooks secret as Supabase shows it.
const supabaseSecret = "v1,whsec_dGVzdC1zZWNyZXQtb2YtdGhlLXN1cGFiYXNlLWJyaWRnZQ=="

// auth0Secret is the Auth0 bridge action's secret.
const auth0Secret = "an-auth0-bridge-secret-32-bytes-long"

// zitadelKey is a Zitadel Actions v2 target's signing key.
const zitadelKey = "zitadel-target-signing-key-for-tests"

// zitadelHeaders signs body as Zitadel signs a target's call (pkg/actions/signing.go,
// ComputeSignatureHeader): "t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
func zitadelHeaders(at time.Time, body string) map[string]string {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(zitadelKey))
	mac.Write([]byte(ts + "." + body))
	return map[string]string{"ZITADEL-Signature": "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))}
}

// kratosToken is the token Kratos' web hooks send.
const kratosToken = "a-kratos-web-hook-token-32-bytes-long"

// kratosReg is a registration's body as examples/kratos/body.jsonnet makes it.
const kratosReg = `{"flow":{"id":"f1","type":"api","active":"password"},"identity":{"id":"00000000-0000-0000-0000-000000000000","schema_id":"default","traits":{"email":"a@example.com"},"metadata_public":null}}`

// kratosHeaders carries the token as Kratos' api_key auth does.
func kratosHeaders(token string) map[string]string {
	return map[string]string{bridges.KratosTokenHeader: token}
}

// auth0Headers signs body as the Auth0 bridge action does.
func auth0Headers(at time.Time, body string) map[string]string {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(auth0Secret))
	mac.Write([]byte(ts + "." + body))
	return map[string]string{"X-Actionsd-Timestamp": ts, "X-Actionsd-Signature": "v1=" + hex.EncodeToString(mac.Sum(nil))}
}

// supabaseHeaders signs body with the reference Standard Webhooks library, as Supabase does.
func supabaseHeaders(t testing.TB, id string, at time.Time, body string) map[string]string {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(supabaseSecret[len("v1,"):])
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign(id, at, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"webhook-id": id, "webhook-timestamp": strconv.FormatInt(at.Unix(), 10), "webhook-signature": sig}
}

// claimsOnlyGeneration serves a post-login action that sets two claims, as the Supabase custom
// access token hook would use it.
func claimsOnlyGeneration(t testing.TB) *runner.Generation {
	t.Helper()
	src := `exports.onExecutePostLogin = async (event, api) => {
  api.accessToken.setCustomClaim('plan', event.user.app_metadata.plan ?? 'free');
  api.idToken.setCustomClaim('method', 'pwd');
};`
	return claimsAction(t, 1, src)
}

// BenchmarkBridgeVsExecute runs the same post-login action through the plain execute route, the
// Supabase custom access token hook (signature, replay check, mapping of the body to the event
// and of the result to Supabase's claims) and the Auth0 bridge route, on the handler in process.
// Each bridge request is signed beforehand (its own webhook-id, or its own event), as the replay
// check requires: run it with -benchtime Nx, as the signing of a b.N the framework picks would be
// paid each round. Besides ns/op it reports cpu-ns/op, the process's CPU time (user and system,
// the garbage collector's included) per request, which a busy machine disturbs less than the
// wall clock: compare the sub-benchmarks' ratios.
func BenchmarkBridgeVsExecute(b *testing.B) {
	g := claimsOnlyGeneration(b)
	brs, err := bridges.New(bridges.Config{Supabase: supabaseSecret, Auth0: auth0Secret})
	if err != nil {
		b.Fatal(err)
	}
	h := New(Config{Reconciler: serving{gen: g}, Bridges: brs, History: benchHistory(b)})
	event := `{"user":{"user_id":"u1","email":"ada@example.com","app_metadata":{"plan":"pro"},"user_metadata":{}},"authentication":{"methods":[{"name":"password"}]},"session":{"id":"s1"}}`
	// run serves the requests b.N times, the i-th with headers[i] when there are any.
	run := func(b *testing.B, path string, bodies []string, headers []http.Header, want string) {
		runtime.GC()
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := cpuTime()
		for i := range b.N {
			req := httptest.NewRequest("POST", path, strings.NewReader(bodies[i%len(bodies)]))
			if headers != nil {
				req.Header = headers[i]
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte(want)) {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	}
	b.Run("execute", func(b *testing.B) {
		run(b, "/v1/triggers/post-login/execute", []string{event}, nil, `"plan"`)
	})
	supabaseBody := `{"user_id":"u1","authentication_method":"password","claims":{"aud":"authenticated","exp":1,"iat":0,"sub":"u1","email":"ada@example.com","phone":"","role":"authenticated","aal":"aal1","session_id":"s1","is_anonymous":false,"app_metadata":{"plan":"pro"},"user_metadata":{}}}`
	// execute-supabase is the Supabase hook's baseline: the execute route given the very event
	// the hook makes of its body, so that the two differ by the bridge's work only.
	b.Run("execute-supabase", func(b *testing.B) {
		var hook bridges.Hook
		for _, br := range brs {
			if br.Name() == "supabase" {
				hook, _ = br.Hook("custom-access-token")
			}
		}
		ev, err := hook.MakeEvent(nil, []byte(supabaseBody))
		if err != nil {
			b.Fatal(err)
		}
		run(b, "/v1/triggers/post-login/execute", []string{string(ev)}, nil, `"plan"`)
	})
	b.Run("supabase", func(b *testing.B) {
		body := supabaseBody
		headers := make([]http.Header, b.N)
		now := time.Now()
		for i := range headers {
			hd := http.Header{}
			for k, v := range supabaseHeaders(b, "msg_"+strconv.Itoa(i)+"_"+strconv.FormatInt(now.UnixNano(), 36), now, body) {
				hd.Set(k, v)
			}
			headers[i] = hd
		}
		run(b, "/v1/bridges/supabase/custom-access-token", []string{body}, headers, `"plan":"pro"`)
	})
	b.Run("auth0", func(b *testing.B) {
		// The bridge action sends the event; each differs (as two logins' transactions do).
		bodies, headers := make([]string, b.N), make([]http.Header, b.N)
		now := time.Now()
		for i := range bodies {
			bodies[i] = event[:len(event)-1] + `,"transaction":{"id":"t` + strconv.Itoa(i) + "_" + strconv.FormatInt(now.UnixNano(), 36) + `"}}`
			hd := http.Header{}
			for k, v := range auth0Headers(now, bodies[i]) {
				hd.Set(k, v)
			}
			headers[i] = hd
		}
		run(b, "/v1/bridges/auth0/post-login", bodies, headers, `"plan"`)
	})
}

// TestBridgeRefusesBeforeReading: a request without a well-formed signature is refused before
// its body is read, and a signed one over the body cap is refused (413) and counted.
func TestBridgeRefusesBeforeReading(t *testing.T) {
	brs, err := bridges.New(bridges.Config{Supabase: supabaseSecret})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	srv := httptest.NewServer(New(Config{Reconciler: serving{gen: claimsOnlyGeneration(t)}, MaxBody: 64, Bridges: brs, Registerer: reg}))
	defer srv.Close()
	post := func(body string, hdr map[string]string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/bridges/supabase/send-sms", strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	big := `{"padding":"` + strings.Repeat("x", 100) + `"}`
	if code := post(big, nil); code != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", code)
	}
	if code := post(big, supabaseHeaders(t, "msg_big", time.Now(), big)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d", code)
	}
	if got := bridgeFailures(t, reg, "bad_body"); got != 1 {
		t.Errorf("bad_body failures = %v", got)
	}
}

// bridgeFailures reads actionsd_bridge_failures_total{bridge="supabase",reason}.
func bridgeFailures(t *testing.T, reg *prometheus.Registry, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "actionsd_bridge_failures_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["bridge"] == "supabase" && labels["reason"] == reason {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no series for %s", reason)
	return 0
}

// BenchmarkKratosVsExecute runs the same pre-user-registration action (two metadata writes)
// through the plain execute route, with the event the Kratos bridge makes, and through the Kratos
// registration hook (token check, mapping of the template's body to the event, and the metadata
// merged into the identity's for Kratos), on the handler in process.
func BenchmarkKratosVsExecute(b *testing.B) {
	src := `exports.onExecutePreUserRegistration = async (event, api) => {
  api.user.setUserMetadata('signup_ip', event.request.ip);
  api.user.setAppMetadata('plan', 'trial');
};`
	spec := &runner.Spec{Commit: "c0ffee", Generation: 1,
		Actions: map[string]*runner.ActionSpec{"gate": {Name: "gate", Version: "v1", Trigger: "pre-user-registration",
			Source: runner.Source{Dir: "actions/gate", Entry: "index.js", Files: map[string][]byte{"index.js": []byte(src)}}}},
		Bindings: map[string][]string{"pre-user-registration": {"gate"}}}
	g, err := runner.Build(context.Background(), spec, runner.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(g.Close)
	brs, err := bridges.New(bridges.Config{Kratos: kratosToken})
	if err != nil {
		b.Fatal(err)
	}
	h := New(Config{Reconciler: serving{gen: g}, Bridges: brs, History: benchHistory(b)})
	body := []byte(`{"flow":{"id":"5f1c","type":"api","active":"password","request_url":"http://127.0.0.1:4433/self-service/registration/api"},` +
		`"identity":{"id":"00000000-0000-0000-0000-000000000000","schema_id":"default","state":"active","traits":{"email":"ada@example.com","name":{"first":"Ada","last":"Lovelace"}},` +
		`"metadata_public":{"keep":1},"verifiable_addresses":[{"value":"ada@example.com","verified":false,"via":"email"}]},` +
		`"request_headers":{"User-Agent":["Mozilla/5.0"],"True-Client-Ip":["203.0.113.9"],"Accept-Language":["en"]},` +
		`"request_method":"POST","request_url":"http://127.0.0.1:4433/self-service/registration?flow=5f1c"}`)
	// The execute route gets the very event the bridge makes of the body: what differs is the
	// bridge's own work.
	var kratosBridge *bridges.Bridge
	for _, br := range brs {
		if br.Name() == "kratos" {
			kratosBridge = br
		}
	}
	hook, _ := kratosBridge.Hook("registration")
	event, err := hook.MakeEvent(nil, body)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("execute", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			req := httptest.NewRequest("POST", "/v1/triggers/pre-user-registration/execute", bytes.NewReader(event))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
	b.Run("kratos", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			req := httptest.NewRequest("POST", "/v1/bridges/kratos/registration", bytes.NewReader(body))
			req.Header[bridges.KratosTokenHeader] = []string{kratosToken}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte(`"plan":"trial"`)) {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
}

// reportCPU reports the process's CPU time (user and system, every thread, the collector's
// included) per iteration as cpu-ns/op: on a machine shared with other work the wall clock of
// ns/op also counts the time the benchmark waited for a CPU. Call it before the loop and the
// function it returns after.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
}

// TestBridgeRoutesAndHistory: the bridges' routes are served the same whether the router takes
// them past the ServeMux (a clean path) or the ServeMux routes them (an escaped one), paths that
// are no bridge route are the ServeMux's 404, and each bridge request's history record holds the
// result document, as an execute request's does.
func TestBridgeRoutesAndHistory(t *testing.T) {
	hist := newHistory(t, history.Options{PII: history.PII{Hash: history.DefaultPIIHash}})
	brs, err := bridges.New(bridges.Config{Supabase: supabaseSecret, Auth0: auth0Secret, Zitadel: zitadelKey})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(Config{Reconciler: serving{gen: claimsOnlyGeneration(t)}, Bridges: brs, History: hist}))
	defer srv.Close()
	post := func(path, body string, hdr map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(raw)
	}
	event := `{"user":{"user_id":"u1","app_metadata":{"plan":"pro"}},"transaction":{"id":"t1"}}`
	code, executed := post("/v1/triggers/post-login/execute", event, nil)
	if code != 200 {
		t.Fatalf("execute: %d %s", code, executed)
	}
	code, answered := post("/v1/bridges/auth0/post-login", event, auth0Headers(time.Now(), event))
	if code != 200 || !strings.Contains(answered, `"pro"`) {
		t.Fatalf("auth0: %d %s", code, answered)
	}
	other := `{"user":{"user_id":"u1","app_metadata":{"plan":"pro"}},"transaction":{"id":"t2"}}`
	if code, out := post("/v1/bridges/auth0/post%2Dlogin", other, auth0Headers(time.Now(), other)); code != 200 || !strings.Contains(out, `"pro"`) {
		t.Errorf("auth0 through the ServeMux (escaped path): %d %s", code, out)
	}
	for _, path := range []string{"/v1/bridges/zitadel/preuserinfo", "/v1/bridges/auth0/post-login/x", "/v1/bridges/auth0/", "/v1/bridges/nope/post-login"} {
		if code, out := post(path, event, auth0Headers(time.Now(), event)); code != 404 && code != 301 && code != 307 {
			t.Errorf("%s: %d %s, want the ServeMux's answer", path, code, out)
		}
	}
	sbBody := `{"user_id":"u1","authentication_method":"password","claims":{"aud":"authenticated","exp":1,"iat":0,"sub":"u1","email":"ada@example.com","phone":"","role":"authenticated","aal":"aal1","session_id":"s1","is_anonymous":false,"app_metadata":{"plan":"pro"},"user_metadata":{}}}`
	if code, out := post("/v1/bridges/supabase/custom-access-token", sbBody, supabaseHeaders(t, "msg_h1", time.Now(), sbBody)); code != 200 || !strings.Contains(out, `"plan":"pro"`) {
		t.Fatalf("supabase: %d %s", code, out)
	}

	// What the history keeps of the result document: its commands, and the rest.
	commands := func(rec history.Record) string { return string(rec.Commands) + " " + string(rec.Result) }
	want := commands(waitRecords(t, hist, history.Filter{Source: "execute"}, 1)[0])
	if !strings.Contains(want, "plan") {
		t.Fatalf("the execute record's commands: %s", want)
	}
	recs := waitRecords(t, hist, history.Filter{Source: "bridge:auth0/post-login"}, 2)
	for _, rec := range recs {
		if got := commands(rec); got != want {
			t.Errorf("auth0 record %s: commands %s, want %s", rec.ID, got, want)
		}
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(answered), &doc); err != nil || doc["execution_id"] == nil {
		t.Fatalf("the auth0 answer is not the result document: %v %s", err, answered)
	}
	rec := waitRecords(t, hist, history.Filter{Source: "bridge:supabase/custom-access-token"}, 1)[0]
	if got := commands(rec); got != want {
		t.Errorf("supabase record: commands %s, want %s", got, want)
	}
	// The default PII policy hashes the email wherever the bridge's event holds it: in user.email
	// and in supabase.claims, the claims as Supabase sent them.
	if ev := string(rec.Event); strings.Contains(ev, "ada@example.com") || strings.Count(ev, `"hmac-sha256:`) < 2 {
		t.Errorf("supabase record's event keeps the email in clear or unhashed: %s", ev)
	}
}

// benchHistory is the execution history the bridge benchmarks' handler records into when
// ACTIONSD_BENCH_HISTORY=1 (as `actionsd serve` does by default, with the default PII policy),
// else nil: the history's part of a request differs between the execute route and a bridge's.
func benchHistory(b *testing.B) *history.History {
	if os.Getenv("ACTIONSD_BENCH_HISTORY") != "1" {
		return nil
	}
	return newHistory(b, history.Options{PII: history.PII{Hash: history.DefaultPIIHash}})
}
