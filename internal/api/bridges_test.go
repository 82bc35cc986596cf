package api

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/actionsd/actionsd/internal/bridges"
	"github.com/actionsd/actionsd/runner"

	"github.com/prometheus/client_golang/prometheus"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// supabaseSecret is a Standard Webhooks secret as Supabase shows it.
const supabaseSecret = "v1,whsec_dGVzdC1zZWNyZXQtb2YtdGhlLXN1cGFiYXNlLWJyaWRnZQ=="

// auth0Secret is the Auth0 bridge action's secret.
const auth0Secret = "an-auth0-bridge-secret-32-bytes-long"

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
	h := New(Config{Reconciler: serving{gen: g}, Bridges: brs})
	event := `{"user":{"user_id":"u1","email":"ada@example.com","app_metadata":{"plan":"pro"},"user_metadata":{}},"authentication":{"methods":[{"name":"password"}]},"session":{"id":"s1"}}`
	// run serves the requests b.N times, the i-th with headers[i] when there are any.
	run := func(b *testing.B, path string, bodies []string, headers []http.Header, want string) {
		runtime.GC()
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := processCPU(b)
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
		b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
	}
	b.Run("execute", func(b *testing.B) {
		run(b, "/v1/triggers/post-login/execute", []string{event}, nil, `"plan"`)
	})
	b.Run("supabase", func(b *testing.B) {
		body := `{"user_id":"u1","authentication_method":"password","claims":{"aud":"authenticated","exp":1,"iat":0,"sub":"u1","email":"ada@example.com","phone":"","role":"authenticated","aal":"aal1","session_id":"s1","is_anonymous":false,"app_metadata":{"plan":"pro"},"user_metadata":{}}}`
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

// processCPU is the CPU time this process has used, user and system, in nanoseconds.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
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
