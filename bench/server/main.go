// Command server runs the HTTP servers that bench/run.sh loads:
//
//	server -mode floor -addr 127.0.0.1:8102
//	    the floor: a plain net/http handler that decodes the event and writes a fixed reply
//	server -mode actionsd -addr 127.0.0.1:8103 -action bench/actions/claims -modules bench/modules
//	    actionsd's HTTP API (internal/api, served by api.NewServer as actionsd serve serves it)
//	    serving POST /v1/triggers/post-login/execute with a generation built from the action's
//	    folder (runner.Build), loopback egress allowed
//	server -mode sink -addr 127.0.0.1:8104
//	    the logging service the quickstart's logger module posts to
//
// Every mode runs with the garbage collector target that actionsd serve and dev set by default
// (-gc-percent, 400) unless GOGC or GOMEMLIMIT is set: the floor runs under the same runtime
// settings as actionsd, so that their ratio measures actionsd's own work.
//
// Module secrets come from BENCH_MODULE_SECRETS ({"logger": {"SERVICE_URL": …}}), as the Node
// peer takes them.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/api"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/egress"
)

func main() {
	mode := flag.String("mode", "floor", "floor, actionsd or sink")
	addr := flag.String("addr", "127.0.0.1:8102", "listen address")
	actionDir := flag.String("action", "", "actionsd: the action's folder")
	modulesDir := flag.String("modules", "bench/modules", "actionsd: folder of the modules it requires")
	gcPercent := flag.Int("gc-percent", 400, "garbage collector target, as actionsd serve and dev set it (cmd/actionsd/main.go): applied unless GOGC or GOMEMLIMIT is set")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the first -profile-time here")
	profileTime := flag.Duration("profile-time", 10*time.Second, "how long -cpuprofile profiles")
	flag.Parse()
	gc := "GOGC/GOMEMLIMIT from the environment"
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(*gcPercent)
		gc = fmt.Sprintf("gc-percent %d", *gcPercent)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		time.AfterFunc(*profileTime, func() { pprof.StopCPUProfile(); f.Close() })
	}

	var h http.Handler
	switch *mode {
	case "floor":
		reply := []byte(`{"outcome":"success","result":{"id_token_claims":{"https://example.com/roles":["admin","dev"]}}}` + "\n")
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var ev map[string]any
			if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(reply)
		})
	case "sink":
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"id":"42"}`)
		})
	case "actionsd":
		gen, err := build(*actionDir, *modulesDir)
		if err != nil {
			log.Fatal(err)
		}
		// As actionsd serve serves it: api.NewServer, with its default limits.
		srv := api.NewServer(api.Config{Reconciler: serving{gen: gen}, Logger: zap.NewNop()})
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("%s on %s (GOMAXPROCS %d, %s)", *mode, *addr, runtime.GOMAXPROCS(0), gc)
		log.Fatal(srv.Serve(ln))
	default:
		log.Fatalf("unknown mode %q", *mode)
	}
	log.Printf("%s on %s (GOMAXPROCS %d, %s)", *mode, *addr, runtime.GOMAXPROCS(0), gc)
	log.Fatal(http.ListenAndServe(*addr, h))
}

// serving is the API's Reconciler: one fixed generation. Methods other than Current are not
// used by the execute route (the embedded nil interface panics if one is called).
type serving struct {
	api.Reconciler
	gen *runner.Generation
}

func (s serving) Current() *runner.Generation { return s.gen }

func build(actionDir, modulesDir string) (*runner.Generation, error) {
	src, err := os.ReadFile(filepath.Join(actionDir, "index.js"))
	if err != nil {
		return nil, err
	}
	var secrets map[string]map[string]string
	if s := os.Getenv("BENCH_MODULE_SECRETS"); s != "" {
		if err := json.Unmarshal([]byte(s), &secrets); err != nil {
			return nil, err
		}
	}
	name := filepath.Base(actionDir)
	as := &runner.ActionSpec{
		Name: name, Version: "bench", Trigger: "post-login",
		Source:  runner.Source{Dir: "actions/" + name, Entry: "index.js", Files: map[string][]byte{"index.js": src}},
		Modules: map[string]*runner.ModuleSpec{},
	}
	for m, sec := range secrets {
		msrc, err := os.ReadFile(filepath.Join(modulesDir, m, "index.js"))
		if err != nil {
			return nil, err
		}
		as.Modules[m] = &runner.ModuleSpec{Name: m, Version: 1, Secrets: sec,
			Source: runner.Source{Dir: "modules/" + m, Entry: "index.js", Files: map[string][]byte{"index.js": msrc}}}
	}
	allow, err := egress.ParseAllow([]string{"127.0.0.1"})
	if err != nil {
		return nil, err
	}
	spec := &runner.Spec{Commit: "bench", Generation: 1,
		Actions:  map[string]*runner.ActionSpec{name: as},
		Bindings: map[string][]string{"post-login": {name}}}
	return runner.Build(context.Background(), spec, runner.Options{HTTPClient: egress.NewClient(allow)})
}
