// Command bridgeload loads one of actionsd's routes with signed requests, for bench/bridges.sh:
// wrk cannot sign each request anew, and the bridges refuse a replay. Every request is made
// and signed before the clock starts (the Supabase hook's with its own webhook-id, the Auth0
// bridge's with its own event, Zitadel's with its own user grant id), then -c connections send them
// back to back for -d, or until they run out. It prints the number of requests answered 200 and the
// seconds they took.
//
// Routes: auth0 (post-login: bench/event.json with a transaction of its own), supabase
// (custom-access-token), zitadel (preaccesstoken), kratos (registration, which runs
// pre-user-registration: Kratos' login hook can only deny, so a claims action fails behind it),
// and each bridge's baseline, the execute route given the very event the bridge makes of its body,
// so that the two differ by the bridge's work only: execute (bench/event.json with a transaction,
// as the Auth0 bridge action sends it), execute-supabase, execute-zitadel and execute-kratos (the
// events made by the bridges' own mappings, in internal/bridges).
//
// With -pair ROUTE2 -pid PID it loads both routes in turns of -slice over the same connections
// for -d, reading the daemon's CPU time around each turn, and prints each route's requests and
// CPU seconds: "<ok> <cpu> <ok2> <cpu2> <bad>".
//
//	bridgeload -route ROUTE -addr 127.0.0.1:8103 -token T -event bench/event.json \
//	  -supabase-secret FILE -auth0-secret FILE -zitadel-secret FILE -kratos-secret FILE \
//	  -c 32 -d 10s -n 200000 [-pair ROUTE2 -pid PID -slice 1s]
package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/actionsd/actionsd/internal/bridges"
)

type request struct {
	path   string
	body   []byte
	header http.Header
}

func main() {
	route := flag.String("route", "execute", "auth0, supabase, zitadel, kratos, or a baseline: execute, execute-supabase, execute-zitadel, execute-kratos")
	addr := flag.String("addr", "127.0.0.1:8103", "the daemon's address")
	token := flag.String("token", "", "the bearer token (execute)")
	eventFile := flag.String("event", "bench/event.json", "the post-login event (execute, auth0)")
	sbSecret := flag.String("supabase-secret", "", "file holding the Supabase hooks' secret (v1,whsec_…)")
	a0Secret := flag.String("auth0-secret", "", "file holding the Auth0 bridge's secret")
	ztSecret := flag.String("zitadel-secret", "", "file holding the Zitadel target's signing key")
	krSecret := flag.String("kratos-secret", "", "file holding the token Kratos' web hook sends")
	conns := flag.Int("c", 32, "connections")
	dur := flag.Duration("d", 10*time.Second, "how long to load")
	n := flag.Int("n", 200000, "requests made beforehand (the most sent)")
	pair := flag.String("pair", "", "a second route: load -route and it in turns, -slice each, for -d, and print each one's CPU per request (-pid)")
	slice := flag.Duration("slice", time.Second, "with -pair, how long each turn lasts")
	pid := flag.Int("pid", 0, "with -pair, the daemon's process id, whose CPU time (/proc/<pid>/stat) each turn reads")
	flag.Parse()

	event, err := os.ReadFile(*eventFile)
	if err != nil {
		log.Fatal(err)
	}
	event = bytes.TrimSpace(event)
	// build makes route's requests, and what every answer of it holds.
	build := func(route string) ([]request, []byte) {
		reqs := make([]request, *n)
		now := time.Now()
		ts := strconv.FormatInt(now.Unix(), 10)
		run := strconv.FormatInt(now.UnixNano(), 36)
		// withTransaction is the event as the Auth0 bridge action sends it: each login's event differs,
		// in its transaction at least.
		withTransaction := func(i int) []byte {
			return append(append(bytes.Clone(event[:len(event)-1]), `,"transaction":{"id":"`+run+"_"+strconv.Itoa(i)+`"}`...), '}')
		}
		execute := func(trigger string, event func(i int) []byte) {
			h := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + *token}}
			for i := range reqs {
				reqs[i] = request{"/v1/triggers/" + trigger + "/execute", event(i), h}
			}
		}
		same := func(event []byte) func(int) []byte { return func(int) []byte { return event } }
		switch route {
		case "execute":
			execute("post-login", withTransaction)
		case "execute-supabase":
			execute("post-login", same(bridgeEvent("supabase", "custom-access-token", []byte(supabaseBody))))
		case "execute-zitadel":
			execute("post-login", same(bridgeEvent("zitadel", "preaccesstoken", []byte(strings.Replace(zitadelBody, "GRANT", run+"_0", 1)))))
		case "execute-kratos":
			execute("pre-user-registration", same(bridgeEvent("kratos", "registration", []byte(kratosBody))))
		case "supabase":
			key := secret(*sbSecret)
			key = strings.TrimPrefix(strings.TrimPrefix(key, "v1,"), "whsec_")
			mackey, err := base64.StdEncoding.DecodeString(key)
			if err != nil {
				log.Fatal("supabase secret: ", err)
			}
			body := []byte(supabaseBody)
			for i := range reqs {
				id := "msg_" + run + "_" + strconv.Itoa(i)
				mac := hmac.New(sha256.New, mackey)
				mac.Write([]byte(id + "." + ts + "."))
				mac.Write(body)
				reqs[i] = request{"/v1/bridges/supabase/custom-access-token", body, http.Header{
					"Content-Type":      {"application/json"},
					"Webhook-Id":        {id},
					"Webhook-Timestamp": {ts},
					"Webhook-Signature": {"v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))},
				}}
			}
		case "auth0":
			key := []byte(secret(*a0Secret))
			for i := range reqs {
				body := withTransaction(i)
				mac := hmac.New(sha256.New, key)
				mac.Write([]byte(ts + "."))
				mac.Write(body)
				reqs[i] = request{"/v1/bridges/auth0/post-login", body, http.Header{
					"Content-Type":         {"application/json"},
					"X-Actionsd-Timestamp": {ts},
					"X-Actionsd-Signature": {"v1=" + hex.EncodeToString(mac.Sum(nil))},
				}}
			}
		case "zitadel":
			key := []byte(secret(*ztSecret))
			for i := range reqs {
				// Zitadel's replay key is the MAC: each body differs, in a grant's id.
				body := []byte(strings.Replace(zitadelBody, "GRANT", run+"_"+strconv.Itoa(i), 1))
				mac := hmac.New(sha256.New, key)
				mac.Write([]byte(ts + "."))
				mac.Write(body)
				reqs[i] = request{"/v1/bridges/zitadel", body, http.Header{
					"Content-Type":      {"application/json"},
					"Zitadel-Signature": {"t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))},
				}}
			}
		case "kratos":
			// A token does not cover the body, and Kratos' bridge has no replay check: one body.
			h := http.Header{"Content-Type": {"application/json"}, "X-Actionsd-Token": {secret(*krSecret)}}
			for i := range reqs {
				reqs[i] = request{"/v1/bridges/kratos/registration", []byte(kratosBody), h}
			}
		default:
			log.Fatalf("unknown route %q", route)
		}
		// What every answer of the route holds: a claim, or the metadata of bench/actions/signup.
		want := []byte("example.com")
		switch route {
		case "supabase":
			want = []byte(`"claims"`)
		case "kratos", "execute-kratos":
			want = []byte(`"trial"`)
		}
		return reqs, want
	}
	reqs, want := build(*route)
	if *pair != "" {
		preqs, pwant := build(*pair)
		paired(*addr, *conns, *dur, *slice, *pid, [2][]request{reqs, preqs}, [2][]byte{want, pwant})
		return
	}

	// Raw keep-alive connections writing each request's bytes, made beforehand, and reading the
	// answer's head and Content-Length body: a load generator far cheaper than net/http's client,
	// so that the daemon, not the generator, is the bottleneck.
	wire := wireBytes(*addr, reqs)
	var next, ok, bad atomic.Int64
	next.Store(-1)
	deadline := time.Now().Add(*dur)
	start := time.Now()
	var wg sync.WaitGroup
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", *addr)
			if err != nil {
				log.Print(err)
				bad.Add(1)
				return
			}
			defer c.Close()
			br := bufio.NewReaderSize(c, 64<<10)
			body := make([]byte, 0, 64<<10)
			for time.Now().Before(deadline) {
				i := next.Add(1)
				if i >= int64(len(wire)) {
					return
				}
				if _, err := c.Write(wire[i]); err != nil {
					log.Print(err)
					bad.Add(1)
					return
				}
				status, n, err := readHead(br)
				if err == nil {
					body = body[:n]
					_, err = io.ReadFull(br, body)
				}
				if err != nil {
					log.Print(err)
					bad.Add(1)
					return
				}
				if status != 200 || !bytes.Contains(body, want) {
					if bad.Add(1) == 1 {
						log.Printf("%s: %d %s", reqs[i].path, status, body)
					}
					continue
				}
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	fmt.Printf("%d %.3f %d\n", ok.Load(), time.Since(start).Seconds(), bad.Load())
}

// readHead reads an answer's status line and headers, returning the status and Content-Length.
func readHead(br *bufio.Reader) (status, length int, err error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, 0, err
	}
	if len(line) < 12 {
		return 0, 0, fmt.Errorf("bad status line %q", line)
	}
	status, _ = strconv.Atoi(string(line[9:12]))
	length = -1
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return 0, 0, err
		}
		if len(line) <= 2 {
			break
		}
		if k, v, found := bytes.Cut(line, []byte(":")); found && strings.EqualFold(string(k), "Content-Length") {
			length, _ = strconv.Atoi(strings.TrimSpace(string(v)))
		}
	}
	if length < 0 {
		return 0, 0, fmt.Errorf("an answer without Content-Length")
	}
	return status, length, nil
}

func secret(file string) string {
	b, err := os.ReadFile(file)
	if err != nil {
		log.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// zitadelBody is a preaccesstoken context as Zitadel sends one (internal/api's
// BenchmarkZitadelVsExecute); GRANT is the grant's id, different in each request.
const zitadelBody = `{"function":"function/preaccesstoken","userinfo":{"sub":"312909075212468632","email":"ada@example.com","email_verified":true},` +
	`"user":{"id":"312909075212468632","creation_date":"2025-03-26T15:52:23.917636Z","change_date":"2025-03-26T15:52:23.917636Z",` +
	`"resource_owner":"312909075211944344","sequence":2,"state":1,"username":"ada@example.com","preferred_login_name":"ada@example.com",` +
	`"human":{"first_name":"Ada","last_name":"Lovelace","display_name":"Ada Lovelace","preferred_language":"en","email":"ada@example.com",` +
	`"is_email_verified":true,"password_changed":"0001-01-01T00:00:00Z","mfa_init_skipped":"0001-01-01T00:00:00Z"}},` +
	`"user_metadata":[{"creation_date":"2025-03-27T09:10:25.879677Z","change_date":"2025-03-27T09:10:25.879677Z","resource_owner":"312909075211944344","sequence":18,"key":"plan","value":"InBybyI="}],` +
	`"org":{"id":"312909075211944344","name":"ZITADEL","primary_domain":"example.com"},` +
	`"user_grants":[{"id":"GRANT","state":1,"userId":"312909075212468632","roles":["admin","dev"],"projectId":"p1","projectName":"shop"}],` +
	`"application":{"client_id":"312909075212468633@shop"}}`

// kratosBody is a registration as examples/kratos/body.jsonnet makes it, before the identity is
// stored (internal/api's BenchmarkKratosVsExecute).
const kratosBody = `{"flow":{"id":"5f1c","type":"api","active":"password","request_url":"http://127.0.0.1:4433/self-service/registration/api"},` +
	`"identity":{"id":"00000000-0000-0000-0000-000000000000","schema_id":"default","state":"active","traits":{"email":"ada@example.com","name":{"first":"Ada","last":"Lovelace"}},` +
	`"metadata_public":{"keep":1},"verifiable_addresses":[{"value":"ada@example.com","verified":false,"via":"email"}]},` +
	`"request_headers":{"User-Agent":["Mozilla/5.0"],"True-Client-Ip":["203.0.113.9"],"Accept-Language":["en"]},` +
	`"request_method":"POST","request_url":"http://127.0.0.1:4433/self-service/registration?flow=5f1c"}`

// bridgeEvent is the event the bridge's hook makes of body, by the bridge's own mapping.
func bridgeEvent(bridge, hook string, body []byte) []byte {
	brs, err := bridges.New(bridges.Config{})
	if err != nil {
		log.Fatal(err)
	}
	for _, br := range brs {
		if br.Name() != bridge {
			continue
		}
		h, ok := br.Hook(hook)
		if !ok {
			log.Fatalf("the %s bridge has no hook %s", bridge, hook)
		}
		event, err := h.MakeEvent(nil, body)
		if err != nil {
			log.Fatalf("%s %s event: %v", bridge, hook, err)
		}
		return bytes.Clone(event)
	}
	log.Fatalf("no %s bridge", bridge)
	return nil
}

// supabaseBody is a custom access token hook's payload as Supabase sends it.
const supabaseBody = `{"user_id":"auth0|123","authentication_method":"password","claims":{"aud":"authenticated","exp":1999999999,"iat":1700000000,"sub":"auth0|123","email":"ada@example.com","phone":"","role":"authenticated","aal":"aal1","session_id":"s1","is_anonymous":false,"app_metadata":{"plan":"gold"},"user_metadata":{}}}`

// wireBytes is each request as it goes on the connection.
func wireBytes(addr string, reqs []request) [][]byte {
	wire := make([][]byte, len(reqs))
	for i, r := range reqs {
		var b bytes.Buffer
		fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", r.path, addr, len(r.body))
		for k, vs := range r.header {
			for _, v := range vs {
				fmt.Fprintf(&b, "%s: %s\r\n", k, v)
			}
		}
		b.WriteString("\r\n")
		b.Write(r.body)
		wire[i] = b.Bytes()
	}
	return wire
}

// paired loads two routes in turns of slice each over the same connections, for dur, reading the
// daemon's CPU time before and after each turn: on a machine shared with other work, two routes
// loaded seconds apart see different neighbours, and turns this short see the same ones. It prints
// for each route the requests answered and the CPU seconds of its turns, then the bad answers:
// "<ok0> <cpu0> <ok1> <cpu1> <bad>".
func paired(addr string, conns int, dur, slice time.Duration, pid int, reqs [2][]request, want [2][]byte) {
	if pid == 0 {
		log.Fatal("-pair needs -pid")
	}
	wire := [2][][]byte{wireBytes(addr, reqs[0]), wireBytes(addr, reqs[1])}
	type conn struct {
		c    net.Conn
		br   *bufio.Reader
		body []byte
	}
	cs := make([]*conn, conns)
	for i := range cs {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			log.Fatal(err)
		}
		defer c.Close()
		cs[i] = &conn{c, bufio.NewReaderSize(c, 64<<10), make([]byte, 0, 64<<10)}
	}
	var next [2]atomic.Int64
	next[0].Store(-1)
	next[1].Store(-1)
	var ok [2]atomic.Int64
	var bad atomic.Int64
	var cpu [2]float64
	end := time.Now().Add(dur)
	for turn := 0; time.Now().Before(end); turn++ {
		k := turn % 2
		t0 := cpuSeconds(pid)
		deadline := time.Now().Add(slice)
		var wg sync.WaitGroup
		for _, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					i := next[k].Add(1)
					if i >= int64(len(wire[k])) {
						return
					}
					if _, err := c.c.Write(wire[k][i]); err != nil {
						log.Fatal(err)
					}
					status, n, err := readHead(c.br)
					if err == nil {
						c.body = c.body[:n]
						_, err = io.ReadFull(c.br, c.body)
					}
					if err != nil {
						log.Fatal(err)
					}
					if status != 200 || !bytes.Contains(c.body, want[k]) {
						if bad.Add(1) == 1 {
							log.Printf("%s: %d %s", reqs[k][i].path, status, c.body)
						}
						continue
					}
					ok[k].Add(1)
				}
			}()
		}
		wg.Wait()
		cpu[k] += cpuSeconds(pid) - t0
	}
	fmt.Printf("%d %.3f %d %.3f %d\n", ok[0].Load(), cpu[0], ok[1].Load(), cpu[1], bad.Load())
}

// cpuSeconds is the process's user and system CPU time from /proc/<pid>/stat, in the kernel's
// USER_HZ ticks of 1/100 s.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		log.Fatal(err)
	}
	// The fields after the command's closing parenthesis: state is the first, utime the 12th.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100
}
