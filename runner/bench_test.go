package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

const benchEvent = `{"user":{"user_id":"auth0|123","email":"ada@example.com","app_metadata":{"plan":"gold"}},` +
	`"authorization":{"roles":["admin","dev"]},"client":{"client_id":"abc","name":"web"},` +
	`"request":{"ip":"203.0.113.7","geoip":{"countryCode":"FR"}},"tenant":{"id":"t1"}}`

const claimsOnlyAction = `exports.onExecutePostLogin = async (event, api) => {
  const roles = event.authorization?.roles ?? [];
  api.idToken.setCustomClaim('https://example.com/roles', roles);
  api.accessToken.setCustomClaim('https://example.com/admin', roles.includes('admin'));
};`

// BenchmarkBaselineJSONDecode is what a plain Go handler does with the same event: decode it into
// a map and encode a fixed reply. Quote the runner's benchmarks as ratios to it.
func BenchmarkBaselineJSONDecode(b *testing.B) {
	reply := map[string]any{"outcome": "success", "id_token_claims": map[string]any{"https://example.com/roles": []string{"admin", "dev"}}}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		var ev map[string]any
		if err := json.Unmarshal([]byte(benchEvent), &ev); err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		if err := json.NewEncoder(&buf).Encode(reply); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExecuteClaimsOnly(b *testing.B) {
	g := mustBuild(b, newSpec(newAction("claims", claimsOnlyAction)), Options{})
	ctx := context.Background()
	event := []byte(benchEvent)
	res, err := g.Execute(ctx, "post-login", event)
	if err != nil || res.Outcome != OutcomeSuccess || len(res.Effects.IDTokenClaims) != 1 {
		b.Fatalf("warm-up: %v %s", err, toJSON(b, res))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Execute(ctx, "post-login", event); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExecuteClaimsOnlyLogged is BenchmarkExecuteClaimsOnly with the daemon's production
// logger (JSON, sampled: 100 entries a second per message, then one in 100) writing to a discarded
// sink: the cost of the info-level execution log, against BenchmarkExecuteClaimsOnly's no-op logger.
func BenchmarkExecuteClaimsOnlyLogged(b *testing.B) {
	zc := zap.NewProductionConfig()
	log := zap.New(zapcore.NewSamplerWithOptions(zapcore.NewCore(zapcore.NewJSONEncoder(zc.EncoderConfig), zapcore.AddSync(io.Discard), zc.Level),
		time.Second, zc.Sampling.Initial, zc.Sampling.Thereafter))
	g := mustBuild(b, newSpec(newAction("claims", claimsOnlyAction)), Options{Logger: log})
	ctx := context.Background()
	event := []byte(benchEvent)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Execute(ctx, "post-login", event); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExecuteClaimsOnlyReleased is BenchmarkExecuteClaimsOnly as the HTTP API runs it: each
// result is released (Result.Release) once used, so that the next executions reuse its maps.
func BenchmarkExecuteClaimsOnlyReleased(b *testing.B) {
	g := mustBuild(b, newSpec(newAction("claims", claimsOnlyAction)), Options{})
	ctx := context.Background()
	event := []byte(benchEvent)
	b.ReportAllocs()
	for b.Loop() {
		res, err := g.Execute(ctx, "post-login", event)
		if err != nil {
			b.Fatal(err)
		}
		res.Release()
	}
}

func BenchmarkExecuteQuickstart(b *testing.B) {
	const key = "k-0123456789"
	sink := newLogSink(b, key)
	sink.got, sink.keys = nil, nil
	g := mustBuild(b, quickstartSpec(sink.srv.URL, key), Options{HTTPClient: loopbackClient(b)})
	ctx := context.Background()
	event := []byte(benchEvent)
	res, err := g.Execute(ctx, "post-login", event)
	if err != nil || res.Outcome != OutcomeSuccess {
		b.Fatalf("warm-up: %v %s", err, toJSON(b, res))
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := g.Execute(ctx, "post-login", event)
		if err != nil || res.Outcome != OutcomeSuccess {
			b.Fatalf("%v %s", err, toJSON(b, res))
		}
	}
	b.StopTimer()
	sink.mu.Lock()
	sink.got, sink.keys = nil, nil
	sink.mu.Unlock()
}

// BenchmarkExecuteClaimsOnlyLatency reports the p50 and p99 of single executions (the mean of
// BenchmarkExecuteClaimsOnly hides the tail).
func BenchmarkExecuteClaimsOnlyLatency(b *testing.B) {
	g := mustBuild(b, newSpec(newAction("claims", claimsOnlyAction)), Options{})
	ctx := context.Background()
	event := []byte(benchEvent)
	lat := make([]time.Duration, 0, 1<<16)
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := g.Execute(ctx, "post-login", event); err != nil {
			b.Fatal(err)
		}
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(start))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

// BenchmarkComputeHeavy transforms and sorts 2,000 objects, the bench/ script's third action.
func BenchmarkComputeHeavy(b *testing.B) {
	g := mustBuild(b, newSpec(newAction("compute", computeHeavyAction)), Options{})
	ctx := context.Background()
	event := []byte(benchEvent)
	res, err := g.Execute(ctx, "post-login", event)
	if err != nil || res.Outcome != OutcomeSuccess {
		b.Fatalf("warm-up: %v %s", err, toJSON(b, res))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Execute(ctx, "post-login", event); err != nil {
			b.Fatal(err)
		}
	}
}

const computeHeavyAction = `exports.onExecutePostLogin = async (event, api) => {
  const items = [];
  for (let i = 0; i < 2000; i++) {
    items.push({ id: i, name: 'user' + ((i * 7919) % 2000), score: (i * 104729) % 1000, tags: ['a', 'b', String(i % 10)] });
  }
  const out = items
    .map((it) => ({ ...it, key: it.name.toUpperCase() + ':' + it.score, weight: it.tags.length * it.score }))
    .filter((it) => it.weight % 3 !== 0)
    .sort((a, b) => b.weight - a.weight || a.key.localeCompare(b.key));
  api.idToken.setCustomClaim('https://example.com/top', out.slice(0, 3).map((it) => it.id));
};`

// BenchmarkRuntimeMemory reports the heap one warm runtime of the claims-only action holds.
func BenchmarkRuntimeMemory(b *testing.B) {
	const n = 100
	g := mustBuild(b, newSpec(newAction("claims", claimsOnlyAction)), Options{PoolSize: n})
	a := g.actions["claims"]
	ctx := context.Background()
	for b.Loop() {
		a.drain()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		vms := make([]*vm, n)
		for i := range vms {
			v, err := a.newVM(ctx)
			if err != nil {
				b.Fatal(err)
			}
			vms[i] = v
		}
		// Each runtime serves one execution, as warm runtimes have.
		for _, v := range vms {
			a.pool <- v
		}
		for range n {
			if _, err := g.Execute(ctx, "post-login", []byte(benchEvent)); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n/1024, "KiB/runtime")
		runtime.KeepAlive(vms)
	}
}

// bigSpec is a deploy of nActions actions pinning nModules modules (three each), every file a
// realistic few kB.
func bigSpec(nActions, nModules int, salt string) *Spec {
	spec := &Spec{Commit: "big", Generation: 1, Actions: map[string]*ActionSpec{}, Bindings: map[string][]string{}}
	modules := make([]*ModuleSpec, nModules)
	for i := range modules {
		src := fmt.Sprintf(`// module %d
const cache = new Map();
function normalise(s) { return String(s).trim().toLowerCase(); }
exports.tag = (event) => {
  const k = normalise(event.user && event.user.email);
  if (!cache.has(k)) cache.set(k, k.split('@')[1] || 'none');
  return 'm%d:' + cache.get(k) + ':' + actions.secrets.TOKEN.length;
};
exports.sendLog = async (code, message) => ({ code, message, at: Date.now() });
`, i, i) + strings.Repeat(`// padding to a realistic module size
`, 40)
		modules[i] = &ModuleSpec{Name: fmt.Sprintf("mod-%d", i), Version: 1,
			Source:  Source{Dir: fmt.Sprintf("modules/mod-%d", i), Entry: "index.js", Files: files("index.js", src)},
			Secrets: map[string]string{"TOKEN": fmt.Sprintf("token-%d-secret", i)}}
	}
	for i := range nActions {
		name := fmt.Sprintf("action-%03d", i)
		var reqs strings.Builder
		mods := map[string]*ModuleSpec{}
		for j := range 3 {
			m := modules[(i+j*7)%nModules]
			mods[m.Name] = m
			fmt.Fprintf(&reqs, `const m%d = require('actions:%s');
`, j, m.Name)
		}
		src := reqs.String() + fmt.Sprintf(`// %s %s
exports.onExecutePostLogin = async (event, api) => {
  const roles = (event.authorization && event.authorization.roles) || [];
  api.idToken.setCustomClaim('https://example.com/%d', [m0.tag(event), m1.tag(event), m2.tag(event), roles.length]);
};
`, name, salt, i) + strings.Repeat(`// padding to a realistic action size
`, 40)
		a := &ActionSpec{Name: name, Version: "v1", Trigger: "post-login", Modules: mods,
			Source:  Source{Dir: "actions/" + name, Entry: "index.js", Files: files("index.js", src)},
			Secrets: map[string]string{"KEY": "action-secret-" + name}}
		spec.Actions[name] = a
		spec.Bindings["post-login"] = append(spec.Bindings["post-login"], name)
	}
	spec.Bindings["post-login"] = spec.Bindings["post-login"][:20] // Auth0 binds at most 20
	return spec
}

// BenchmarkBuild200Actions50Modules is a cold build (nothing cached) of 200 actions and 50
// modules, each action warming one runtime; it reports the process' RSS after the build.
func BenchmarkBuild200Actions50Modules(b *testing.B) {
	spec := bigSpec(200, 50, "")
	for b.Loop() {
		g, err := Build(context.Background(), spec, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(rssBytes())/(1<<20), "RSS-MiB")
		g.Close()
		b.StartTimer()
	}
}

// BenchmarkUnboundActions reports the heap each action that no trigger binds adds to a
// generation (a claims-only action of its own, as an unused action in a large repository is),
// and how long a build of 1,000 of them beside 20 bound ones takes.
func BenchmarkUnboundActions(b *testing.B) {
	const n = 1000
	spec := func(unbound int) *Spec {
		s := bigSpec(20, 50, "")
		for i := range unbound {
			a := newAction(fmt.Sprintf("unbound-%04d", i), claimsOnlyAction+fmt.Sprintf(`
// %d
`, i))
			s.Actions[a.Name] = a
		}
		return s
	}
	heap := func(s *Spec) uint64 {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		g, err := Build(context.Background(), s, Options{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		g.Close()
		return after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc)
	}
	base, big := spec(0), spec(n)
	for b.Loop() {
		b.StopTimer()
		h0 := heap(base)
		b.StartTimer()
		h1 := heap(big)
		b.ReportMetric(float64(int64(h1)-int64(h0))/n/1024, "KiB/unbound-action")
	}
}

// BenchmarkIncrementalBuild500 rebuilds a deploy of 500 actions after one action changed, with
// the previous generation (Options.Previous) and the shared program cache, as sync does.
func BenchmarkIncrementalBuild500(b *testing.B) {
	programs := NewProgramCache()
	opts := Options{Programs: programs}
	prev, err := Build(context.Background(), bigSpec(500, 50, ""), opts)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		spec := bigSpec(500, 50, "")
		a := spec.Actions["action-007"]
		a.Source.Files["index.js"] = append(a.Source.Files["index.js"], fmt.Sprintf(`
// change %d
`, i)...)
		opts.Previous = prev
		g, err := Build(context.Background(), spec, opts)
		if err != nil {
			b.Fatal(err)
		}
		prev.Close()
		prev = g
	}
	prev.Close()
}

// rssBytes is the process' resident set, from /proc (0 where there is none).
func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// BenchmarkEncodeResult is what the HTTP API spends encoding a claims-only result
// (Result.AppendJSON into a reused buffer, as internal/api does).
func BenchmarkEncodeResult(b *testing.B) {
	g := mustBuild(b, newSpec(newAction("claims", claimsOnlyAction)), Options{})
	res, _ := g.Execute(context.Background(), "post-login", []byte(benchEvent))
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = res.AppendJSON(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// plainResult is Result without its MarshalJSON: what encoding/json writes by reflection.
type plainResult Result

// BenchmarkEncodeResultReflect is the same with encoding/json's reflection (the encoding before
// AppendJSON), for comparison.
func BenchmarkEncodeResultReflect(b *testing.B) {
	g := mustBuild(b, newSpec(newAction("claims", claimsOnlyAction)), Options{})
	res, _ := g.Execute(context.Background(), "post-login", []byte(benchEvent))
	b.ReportAllocs()
	for b.Loop() {
		enc := json.NewEncoder(io.Discard)
		enc.SetEscapeHTML(false)
		_ = enc.Encode((*plainResult)(res))
	}
}
