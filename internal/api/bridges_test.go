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

// BenchmarkBridgeVsExecute runs the same post-login action through the plain execute route and
// through the Supabase custom access token hook (signature, replay check, mapping of the body to
// the event and of the result to Supabase's claims), on the handler in process. Each bridge
// request is signed beforehand with its own webhook-id, as the replay check requires: run it
// with -benchtime Nx, as the signing of a b.N the framework picks would be paid each round.
func BenchmarkBridgeVsExecute(b *testing.B) {
	g := claimsOnlyGeneration(b)
	brs, err := bridges.New(bridges.Config{Supabase: supabaseSecret})
	if err != nil {
		b.Fatal(err)
	}
	h := New(Config{Reconciler: serving{gen: g}, Bridges: brs})
	b.Run("execute", func(b *testing.B) {
		event := []byte(`{"user":{"user_id":"u1","email":"ada@example.com","app_metadata":{"plan":"pro"},"user_metadata":{}},"authentication":{"methods":[{"name":"password"}]},"session":{"id":"s1"}}`)
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest("POST", "/v1/triggers/post-login/execute", bytes.NewReader(event))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
	b.Run("supabase", func(b *testing.B) {
		body := `{"user_id":"u1","authentication_method":"password","claims":{"aud":"authenticated","exp":1,"iat":0,"sub":"u1","email":"ada@example.com","phone":"","role":"authenticated","aal":"aal1","session_id":"s1","is_anonymous":false,"app_metadata":{"plan":"pro"},"user_metadata":{}}}`
		// Every request signed beforehand, its garbage collected before the clock starts.
		headers := make([]http.Header, b.N)
		now := time.Now()
		for i := range headers {
			hd := http.Header{}
			for k, v := range supabaseHeaders(b, "msg_"+strconv.Itoa(i)+"_"+strconv.FormatInt(now.UnixNano(), 36), now, body) {
				hd.Set(k, v)
			}
			headers[i] = hd
		}
		runtime.GC()
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			req := httptest.NewRequest("POST", "/v1/bridges/supabase/custom-access-token", strings.NewReader(body))
			req.Header = headers[i]
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte(`"plan":"pro"`)) {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
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
