package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/internal/bridges"
)

// zitadelBenchBody is a preaccesstoken context as Zitadel sends one; user.sequence is %d.
const zitadelBenchBody = `{"function":"function/preaccesstoken","userinfo":{"sub":"312909075212468632","email":"ada@example.com","email_verified":true},` +
	`"user":{"id":"312909075212468632","creation_date":"2025-03-26T15:52:23.917636Z","change_date":"2025-03-26T15:52:23.917636Z",` +
	`"resource_owner":"312909075211944344","sequence":SEQ,"state":1,"username":"ada@example.com","preferred_login_name":"ada@example.com",` +
	`"human":{"first_name":"Ada","last_name":"Lovelace","display_name":"Ada Lovelace","preferred_language":"en","email":"ada@example.com",` +
	`"is_email_verified":true,"password_changed":"0001-01-01T00:00:00Z","mfa_init_skipped":"0001-01-01T00:00:00Z"}},` +
	`"user_metadata":[{"creation_date":"2025-03-27T09:10:25.879677Z","change_date":"2025-03-27T09:10:25.879677Z","resource_owner":"312909075211944344","sequence":18,"key":"plan","value":"InBybyI="}],` +
	`"org":{"id":"312909075211944344","name":"ZITADEL","primary_domain":"example.com"},` +
	`"user_grants":[{"id":"g1","state":1,"userId":"312909075212468632","roles":["admin"],"projectId":"p1","projectName":"shop"}],` +
	`"application":{"client_id":"312909075212468633@shop"}}`

// zitadelBenchEvent is the event the bridge makes of zitadelBenchBody, less its "zitadel" member.
const zitadelBenchEvent = `{"user":{"user_id":"312909075212468632","username":"ada@example.com","email":"ada@example.com","email_verified":true,` +
	`"phone_verified":false,"name":"Ada Lovelace","given_name":"Ada","family_name":"Lovelace","created_at":"2025-03-26T15:52:23.917636Z",` +
	`"updated_at":"2025-03-26T15:52:23.917636Z","app_metadata":{"plan":"pro"},"user_metadata":{"plan":"pro"}},` +
	`"organization":{"id":"312909075211944344","name":"ZITADEL","display_name":"ZITADEL","metadata":{}},` +
	`"client":{"client_id":"312909075212468633@shop","name":"","metadata":{}},"authorization":{"roles":["admin"]},"authentication":{"methods":[]}}`

// BenchmarkZitadelVsExecute runs the same post-login action (claimsOnlyGeneration) through the
// plain execute route, with the event the bridge makes, and through the Zitadel bridge's
// preaccesstoken function (signature, replay check, the body mapped to the event, the result to
// Zitadel's answer), on the handler in process. Each bridge call is signed beforehand, its body
// different in user.sequence as the replay check requires: run it with -benchtime Nx, as the
// signing of a b.N the framework picks would be paid each round. Besides ns/op, each reports
// cpu-ns/op, the process's user and system CPU time per request (getrusage), which other
// processes on a shared machine do not inflate as they do the wall clock. execute-whole-event
// runs the execute route with the whole events the bridge makes of the same bodies, the context
// as Zitadel sent it included, each request its own: the bridge's own cost is zitadel's less
// that.
func BenchmarkZitadelVsExecute(b *testing.B) {
	g := claimsOnlyGeneration(b)
	brs, err := bridges.New(bridges.Config{Zitadel: zitadelKey})
	if err != nil {
		b.Fatal(err)
	}
	h := New(Config{Reconciler: serving{gen: g}, Bridges: brs, History: benchHistory(b)})
	b.Run("execute", func(b *testing.B) {
		event := []byte(zitadelBenchEvent)
		runtime.GC()
		b.ReportAllocs()
		b.ResetTimer()
		start := cpuTime()
		for range b.N {
			req := httptest.NewRequest("POST", "/v1/triggers/post-login/execute", bytes.NewReader(event))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
	// The same, with the whole event the bridge makes, its "zitadel" member (the context as
	// Zitadel sent it) included, one of its own for each request as the bridge gets them: what
	// the runtime's part of a bridge request costs.
	var zt *bridges.Bridge
	for _, br := range brs {
		if br.Name() == "zitadel" {
			zt = br
		}
	}
	hook, _ := zt.Hook("preaccesstoken")
	b.Run("execute-whole-event", func(b *testing.B) {
		events := make([][]byte, b.N)
		for i := range events {
			ev, err := hook.MakeEvent(nil, []byte(strings.Replace(zitadelBenchBody, "SEQ", strconv.Itoa(i), 1)))
			if err != nil {
				b.Fatal(err)
			}
			events[i] = ev
		}
		runtime.GC()
		b.ReportAllocs()
		b.ResetTimer()
		start := cpuTime()
		for i := range b.N {
			req := httptest.NewRequest("POST", "/v1/triggers/post-login/execute", bytes.NewReader(events[i]))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
	seq := 0 // bodies used by earlier rounds (the framework runs b.N = 1 first)
	b.Run("zitadel", func(b *testing.B) {
		bodies := make([]string, b.N)
		headers := make([]http.Header, b.N)
		now := time.Now()
		for i := range headers {
			seq++
			bodies[i] = strings.Replace(zitadelBenchBody, "SEQ", strconv.Itoa(seq), 1)
			hd := http.Header{}
			for k, v := range zitadelHeaders(now, bodies[i]) {
				hd.Set(k, v)
			}
			headers[i] = hd
		}
		runtime.GC()
		b.ReportAllocs()
		b.ResetTimer()
		start := cpuTime()
		for i := range b.N {
			req := httptest.NewRequest("POST", "/v1/bridges/zitadel", strings.NewReader(bodies[i]))
			req.Header = headers[i]
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte(`{"key":"plan","value":"pro"}`)) {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	})
}
