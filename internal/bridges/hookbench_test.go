package bridges

import (
	"encoding/json"
	"syscall"
	"testing"

	"github.com/actionsd/actionsd/runner"
)

// zitadelBenchContext is a preaccesstoken context as Zitadel sends one.
const zitadelBenchContext = `{"function":"function/preaccesstoken","userinfo":{"sub":"312909075212468632","email":"ada@example.com","email_verified":true},` +
	`"user":{"id":"312909075212468632","creation_date":"2025-03-26T15:52:23.917636Z","change_date":"2025-03-26T15:52:23.917636Z",` +
	`"resource_owner":"312909075211944344","sequence":7,"state":1,"username":"ada@example.com","preferred_login_name":"ada@example.com",` +
	`"human":{"first_name":"Ada","last_name":"Lovelace","display_name":"Ada Lovelace","preferred_language":"en","email":"ada@example.com",` +
	`"is_email_verified":true,"password_changed":"0001-01-01T00:00:00Z","mfa_init_skipped":"0001-01-01T00:00:00Z"}},` +
	`"user_metadata":[{"creation_date":"2025-03-27T09:10:25.879677Z","change_date":"2025-03-27T09:10:25.879677Z","resource_owner":"312909075211944344","sequence":18,"key":"plan","value":"InBybyI="}],` +
	`"org":{"id":"312909075211944344","name":"ZITADEL","primary_domain":"example.com"},` +
	`"user_grants":[{"id":"g1","state":1,"userId":"312909075212468632","roles":["admin"],"projectId":"p1","projectName":"shop"}],` +
	`"application":{"client_id":"312909075212468633@shop"}}`

// kratosBenchBody is a registration's body as examples/kratos/body.jsonnet makes it.
const kratosBenchBody = `{"flow":{"id":"5f1c","type":"api","active":"password","request_url":"http://127.0.0.1:4433/self-service/registration/api"},` +
	`"identity":{"id":"00000000-0000-0000-0000-000000000000","schema_id":"default","state":"active","traits":{"email":"ada@example.com","name":{"first":"Ada","last":"Lovelace"}},` +
	`"metadata_public":{"keep":1},"verifiable_addresses":[{"value":"ada@example.com","verified":false,"via":"email"}]},` +
	`"request_headers":{"User-Agent":["Mozilla/5.0"],"True-Client-Ip":["203.0.113.9"],"Accept-Language":["en"]},` +
	`"request_method":"POST","request_url":"http://127.0.0.1:4433/self-service/registration?flow=5f1c"}`

// hookWork is what a bridge does of its own for one request, besides the signature: the hook
// named (a body-routed bridge), the event made, and the answer made, into reused buffers.
func hookWork(tb testing.TB, b *Bridge, hookName string, body []byte, res *runner.Result, eb, ab *[]byte) {
	if b.param == "" {
		name, err := b.HookFromBody(body)
		if err != nil {
			tb.Fatal(err)
		}
		hookName = name
	}
	h, _ := b.Hook(hookName)
	ev, err := h.MakeEvent((*eb)[:0], body)
	if err != nil {
		tb.Fatal(err)
	}
	*eb = ev
	ans, status, reason, _ := h.MakeAnswer((*ab)[:0], body, res)
	if status != 200 || reason != "" {
		tb.Fatalf("%d %s %s", status, reason, ans)
	}
	*ab = ans
}

func benchBridges(tb testing.TB) (zitadel, kratos *Bridge) {
	brs, err := New(Config{Zitadel: "zitadel-signing-key", Kratos: kratosTestToken})
	if err != nil {
		tb.Fatal(err)
	}
	for _, b := range brs {
		switch b.Name() {
		case "zitadel":
			zitadel = b
		case "kratos":
			kratos = b
		}
	}
	return zitadel, kratos
}

// The results the benchmarks' actions make: two claims (Zitadel), two metadata writes (Kratos).
func zitadelBenchResult() *runner.Result {
	return zitadelResult([4]string{"a", "accessToken.setCustomClaim", "plan", `"pro"`}, [4]string{"a", "idToken.setCustomClaim", "method", `"pwd"`},
		[4]string{"a", "user.setUserMetadata", "plan", `"pro"`})
}

func kratosBenchResult() *runner.Result {
	res := kratosResult("user.setUserMetadata", "user.setAppMetadata")
	res.Effects.UserMetadata = map[string]any{"signup_ip": json.RawMessage(`"203.0.113.9"`)}
	res.Effects.AppMetadata = map[string]any{"plan": json.RawMessage(`"trial"`)}
	return res
}

// TestHookWorkAllocations: a Zitadel function's and a Kratos registration's own work (the hook
// named, the event and the answer made) allocates nothing once its buffers have grown.
func TestHookWorkAllocations(t *testing.T) {
	zt, kr := benchBridges(t)
	var eb, ab []byte
	zres, kres := zitadelBenchResult(), kratosBenchResult()
	zbody, kbody := []byte(zitadelBenchContext), []byte(kratosBenchBody)
	if n := testing.AllocsPerRun(100, func() { hookWork(t, zt, "", zbody, zres, &eb, &ab) }); n != 0 {
		t.Errorf("zitadel: %v allocations a request", n)
	}
	if n := testing.AllocsPerRun(100, func() { hookWork(t, kr, "registration", kbody, kres, &eb, &ab) }); n != 0 {
		t.Errorf("kratos: %v allocations a request", n)
	}
}

// BenchmarkHookWork measures a bridge's own work per request (hookWork), without the signature
// and the execution: BenchmarkZitadelVsExecute and BenchmarkKratosVsExecute in internal/api
// measure the whole request against the execute route's. cpu-ns/op is the process's CPU time
// per request (getrusage), which a busy machine disturbs less than the wall clock.
func BenchmarkHookWork(b *testing.B) {
	zt, kr := benchBridges(b)
	for _, c := range []struct {
		name, hook string
		br         *Bridge
		body       string
		res        *runner.Result
	}{
		{"zitadel", "", zt, zitadelBenchContext, zitadelBenchResult()},
		{"kratos", "registration", kr, kratosBenchBody, kratosBenchResult()},
	} {
		b.Run(c.name, func(b *testing.B) {
			var eb, ab []byte
			body := []byte(c.body)
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			start := processCPU(b)
			for b.Loop() {
				hookWork(b, c.br, c.hook, body, c.res, &eb, &ab)
			}
			b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the CPU time this process has used, user and system, in nanoseconds.
func processCPU(tb testing.TB) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
