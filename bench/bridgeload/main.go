// Command bridgeload loads one of actionsd's routes with signed requests, for bench/bridges.sh:
// wrk cannot sign each request anew, and the bridges refuse a replayed one. Every request is made
// and signed before the clock starts (the Supabase hook's with its own webhook-id, the Auth0
// bridge's with its own event), then -c connections send them back to back for -d, or until they
// run out. It prints the number of requests answered 200 and the seconds they took.
//
//	bridgeload -route execute|supabase|auth0 -addr 127.0.0.1:8103 -token T -event bench/event.json \
//	  -supabase-secret FILE -auth0-secret FILE -c 32 -d 10s -n 200000
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
)

type request struct {
	path   string
	body   []byte
	header http.Header
}

func main() {
	route := flag.String("route", "execute", "execute, supabase or auth0")
	addr := flag.String("addr", "127.0.0.1:8103", "the daemon's address")
	token := flag.String("token", "", "the bearer token (execute)")
	eventFile := flag.String("event", "bench/event.json", "the post-login event (execute, auth0)")
	sbSecret := flag.String("supabase-secret", "", "file holding the Supabase hooks' secret (v1,whsec_…)")
	a0Secret := flag.String("auth0-secret", "", "file holding the Auth0 bridge's secret")
	conns := flag.Int("c", 32, "connections")
	dur := flag.Duration("d", 10*time.Second, "how long to load")
	n := flag.Int("n", 200000, "requests made beforehand (the most sent)")
	flag.Parse()

	event, err := os.ReadFile(*eventFile)
	if err != nil {
		log.Fatal(err)
	}
	event = bytes.TrimSpace(event)
	reqs := make([]request, *n)
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	run := strconv.FormatInt(now.UnixNano(), 36)
	switch *route {
	case "execute":
		h := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + *token}}
		for i := range reqs {
			reqs[i] = request{"/v1/triggers/post-login/execute", event, h}
		}
	case "supabase":
		key := secret(*sbSecret)
		key = strings.TrimPrefix(strings.TrimPrefix(key, "v1,"), "whsec_")
		mackey, err := base64.StdEncoding.DecodeString(key)
		if err != nil {
			log.Fatal("supabase secret: ", err)
		}
		body := []byte(`{"user_id":"auth0|123","authentication_method":"password","claims":{"aud":"authenticated","exp":1999999999,"iat":1700000000,"sub":"auth0|123","email":"ada@example.com","phone":"","role":"authenticated","aal":"aal1","session_id":"s1","is_anonymous":false,"app_metadata":{"plan":"gold"},"user_metadata":{}}}`)
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
			// Each login's event differs, in its transaction at least.
			body := append(append(bytes.Clone(event[:len(event)-1]), `,"transaction":{"id":"`+run+"_"+strconv.Itoa(i)+`"}`...), '}')
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(ts + "."))
			mac.Write(body)
			reqs[i] = request{"/v1/bridges/auth0/post-login", body, http.Header{
				"Content-Type":         {"application/json"},
				"X-Actionsd-Timestamp": {ts},
				"X-Actionsd-Signature": {"v1=" + hex.EncodeToString(mac.Sum(nil))},
			}}
		}
	default:
		log.Fatalf("unknown route %q", *route)
	}

	// Raw keep-alive connections writing each request's bytes, made beforehand, and reading the
	// answer's head and Content-Length body: a load generator far cheaper than net/http's client,
	// so that the daemon, not the generator, is the bottleneck.
	wire := make([][]byte, len(reqs))
	for i, r := range reqs {
		var b bytes.Buffer
		fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", r.path, *addr, len(r.body))
		for k, vs := range r.header {
			for _, v := range vs {
				fmt.Fprintf(&b, "%s: %s\r\n", k, v)
			}
		}
		b.WriteString("\r\n")
		b.Write(r.body)
		wire[i] = b.Bytes()
	}
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
				if status != 200 || !bytes.Contains(body, []byte("example.com")) && !bytes.Contains(body, []byte(`"claims"`)) {
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
