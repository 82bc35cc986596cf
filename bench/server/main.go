// Command server runs the Go servers that bench/run.sh loads beside actionsd serve:
//
//	server -mode floor -addr 127.0.0.1:8102
//	    the floor: a plain net/http handler that decodes the event and writes a fixed reply
//	server -mode sink -addr 127.0.0.1:8104
//	    the logging service the quickstart's logger module posts to
//
// Every mode runs with the garbage collector target that actionsd serve and dev set by default
// (-gc-percent, 400) unless GOGC or GOMEMLIMIT is set: the floor runs under the same runtime
// settings as actionsd, so that their ratio measures actionsd's own work.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"
)

func main() {
	mode := flag.String("mode", "floor", "floor or sink")
	addr := flag.String("addr", "127.0.0.1:8102", "listen address")
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
	default:
		log.Fatalf("unknown mode %q", *mode)
	}
	log.Printf("%s on %s (GOMAXPROCS %d, %s)", *mode, *addr, runtime.GOMAXPROCS(0), gc)
	log.Fatal(http.ListenAndServe(*addr, h))
}
