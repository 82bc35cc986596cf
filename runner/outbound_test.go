package runner

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/runner/wire"
)

const outboundSecret = "s3cret-api-key"

// outboundServer answers /data with JSON and a cookie, /redirect with a redirect to /data, and
// /echo with the start of the body it got; every request must carry the credentials the action sends.
func outboundServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+outboundSecret {
			http.Error(w, "no credentials", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc"})
		switch r.URL.Path {
		case "/data":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"roles":["admin"],"n":`+r.URL.Query().Get("n")+`}`)
		case "/redirect":
			http.Redirect(w, r, "/data?n=9&key="+outboundSecret, http.StatusFound)
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.Write(b[:5]) // not the secret: a response holding one replays redacted
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// outboundActions fetch (GET, a redirect, a POST, a request to a dead port) and use node:http,
// in two actions, and set claims from what they got.
func outboundActions() *Spec {
	first := newAction("first", `const http = require('http');
exports.onExecutePostLogin = async (event, api) => {
  const auth = { Authorization: 'Bearer ' + event.secrets.KEY, Cookie: 'c=1', 'X-Custom': 'v', 'X-Key': event.secrets.KEY };
  const a = await (await fetch(event.url + '/data?n=1&key=' + event.secrets.KEY, { headers: auth })).json();
  const b = await (await fetch(event.url + '/data?n=1&key=' + event.secrets.KEY, { headers: auth })).json();
  const r = await fetch(event.url + '/redirect', { headers: auth });
  const c = await r.json();
  const e = await (await fetch(event.url + '/echo', { method: 'POST', headers: auth, body: 'token=' + event.secrets.KEY + '&x=1' })).text();
  let dead;
  try { await fetch('http://127.0.0.1:1/none'); } catch (err) { dead = String(err.cause || err.message); }
  const viaNode = await new Promise((resolve, reject) => {
    http.get(event.url + '/data?n=2', { headers: { Authorization: 'Bearer ' + event.secrets.KEY } }, (res) => {
      let s = ''; res.on('data', (d) => { s += d; }); res.on('end', () => resolve([res.statusCode, JSON.parse(s).n]));
    }).on('error', reject);
  });
  api.idToken.setCustomClaim('got', [a.roles, a.n, b.n, r.redirected, c.n, e.length, viaNode]);
};`)
	first.Secrets = map[string]string{"KEY": outboundSecret}
	second := newAction("second", `exports.onExecutePostLogin = async (event, api) => {
  const r = await fetch(event.url + '/data?n=3', { headers: { Authorization: 'Bearer ' + event.secrets.KEY } });
  api.accessToken.setCustomClaim('n', (await r.json()).n);
};`)
	second.Secrets = map[string]string{"KEY": outboundSecret}
	return newSpec(first, second)
}

func TestOutboundRecordAndReplay(t *testing.T) {
	srv := outboundServer(t)
	event := `{"url":"` + srv.URL + `"}`
	rec := mustBuild(t, outboundActions(), Options{HTTPClient: loopbackClient(t), RecordOutbound: true})
	res := mustExecute(t, rec, "post-login", event)
	wantSuccess(t, res)
	wantClaim := `[["admin"],1,1,true,9,5,[200,2]]`
	if got := toJSON(t, res.Effects.IDTokenClaims["got"]); got != wantClaim {
		t.Fatalf("claim = %s, want %s", got, wantClaim)
	}

	type brief struct{ action, method, url, err string }
	var got []brief
	for _, x := range res.Outbound {
		got = append(got, brief{x.Action, x.Method, x.URL, x.Error})
	}
	u := srv.URL
	want := []brief{
		{"first", "GET", u + "/data?n=1&key=[REDACTED]", ""},
		{"first", "GET", u + "/data?n=1&key=[REDACTED]", ""},
		{"first", "GET", u + "/redirect", ""},
		{"first", "GET", u + "/data?n=9&key=[REDACTED]", ""},
		{"first", "POST", u + "/echo", ""},
		{"first", "GET", "http://127.0.0.1:1/none", "dial tcp 127.0.0.1:1: egress to 127.0.0.1 refused: loopback address not in the egress allow-list"},
		{"first", "GET", u + "/data?n=2", ""},
		{"second", "GET", u + "/data?n=3", ""},
	}
	if toJSON(t, got) != toJSON(t, want) {
		t.Fatalf("exchanges:\n got %+v\nwant %+v", got, want)
	}
	x := res.Outbound[0]
	if x.Status != 200 || string(x.ResponseBody) != `{"roles":["admin"],"n":1}` || x.ResponseBodyTruncated ||
		x.ResponseHeaders["Content-Type"][0] != "application/json" || x.RequestHeaders["X-Custom"][0] != "v" ||
		x.RequestHeaders["X-Key"][0] != "[REDACTED]" || x.RequestHeaders["Authorization"] != nil || x.RequestHeaders["Cookie"] != nil ||
		x.ResponseHeaders["Set-Cookie"] != nil {
		t.Errorf("first exchange: %+v", x)
	}
	if x := res.Outbound[2]; x.Status != 302 || x.ResponseHeaders["Location"][0] != "/data?n=9&key=[REDACTED]" {
		t.Errorf("redirect exchange: %+v", x)
	}
	if x := res.Outbound[4]; string(x.RequestBody) != "token=[REDACTED]&x=1" || string(x.ResponseBody) != "token" {
		t.Errorf("POST exchange bodies not redacted: %q, %q", x.RequestBody, x.ResponseBody)
	}
	doc, err := res.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, never := range []string{outboundSecret, "Authorization", "Cookie", "session=abc", "c=1"} {
		if strings.Contains(string(doc), never) {
			t.Errorf("the result's JSON holds %q: %s", never, doc)
		}
	}
	if !strings.Contains(string(doc), `"outbound":[{"action":"first","method":"GET"`) {
		t.Errorf("the result's JSON has no outbound list: %s", doc)
	}

	// Replay with the server gone: the same commands, the dead port's error again.
	srv.Close()
	var decoded wire.Result
	if err := json.Unmarshal(doc, &decoded); err != nil {
		t.Fatal(err)
	}
	rp := mustBuild(t, outboundActions(), Options{Replay: true})
	again, err := rp.Execute(WithReplay(context.Background(), decoded.Outbound), "post-login", []byte(event))
	if err != nil {
		t.Fatal(err)
	}
	wantSuccess(t, again)
	if a, b := toJSON(t, again.Commands), toJSON(t, res.Commands); a != b {
		t.Errorf("replayed commands:\n got %s\nwant %s", a, b)
	}
	if again.Outbound != nil {
		t.Errorf("a replay records nothing, got %d exchanges", len(again.Outbound))
	}

	// A request that was not recorded fails, naming it.
	short := decoded.Outbound[:3]
	res3, err := rp.Execute(WithReplay(context.Background(), short), "post-login", []byte(event))
	if err != nil {
		t.Fatal(err)
	}
	wantErr := `replay: GET ` + u + `/data?n=9&key=[REDACTED] was not recorded`
	if e := res3.Actions[0].Error; res3.Outcome != OutcomeFailed || e == nil || !strings.Contains(e.Message, wantErr) {
		t.Errorf("got %s, want a failure with %q", toJSON(t, res3), wantErr)
	}
}

// TestReplayNeverDials answers a request to an allowed address where nothing listens with its
// recorded response, and a recorded error with that error; sockets are refused.
func TestReplayNeverDials(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	a := newAction("r", `exports.onExecutePostLogin = async (event, api) => {
  const r = await fetch(event.url + '/x', { method: 'PUT', body: 'b' });
  api.idToken.setCustomClaim('x', [r.status, r.headers.get('x-h'), await r.text()]);
  try { await fetch(event.url + '/y'); } catch (e) { api.idToken.setCustomClaim('y', String(e.cause && e.cause.message || e.message)); }
  const err = await new Promise((resolve) => require('net').connect(80, '127.0.0.1').on('error', (e) => resolve(e.message)));
  api.idToken.setCustomClaim('sock', err);
};`)
	g := mustBuild(t, newSpec(a), Options{HTTPClient: loopbackClient(t), Replay: true})
	ex := []wire.Exchange{
		{Action: "r", Method: "PUT", URL: dead + "/x", Status: 201, ResponseHeaders: map[string][]string{"X-H": {"h"}}, ResponseBody: []byte("recorded")},
		{Action: "r", Method: "GET", URL: dead + "/y", Error: "dial tcp: connection refused (recorded)"},
	}
	res, err := g.Execute(WithReplay(context.Background(), ex), "post-login", []byte(`{"url":"`+dead+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	wantSuccess(t, res)
	c := res.Effects.IDTokenClaims
	if got := toJSON(t, c["x"]); got != `[201,"h","recorded"]` {
		t.Errorf("x = %s", got)
	}
	if got := toJSON(t, c["y"]); !strings.Contains(got, "dial tcp: connection refused (recorded)") {
		t.Errorf("y = %s, want the recorded error", got)
	}
	if got := toJSON(t, c["sock"]); !strings.Contains(got, "sockets are not recorded and cannot be replayed") {
		t.Errorf("sock = %s, want the replay refusal", got)
	}
}

// TestOutboundBodyLimit cuts bodies at the limit and says so; recording off leaves Outbound nil.
func TestOutboundBodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(w, r.Body)
	}))
	defer srv.Close()
	a := newAction("big", `exports.onExecutePostLogin = async (event, api) => {
  const r = await fetch(event.url, { method: 'POST', body: 'x'.repeat(100) });
  api.idToken.setCustomClaim('len', (await r.text()).length);
};`)
	g := mustBuild(t, newSpec(a), Options{HTTPClient: loopbackClient(t), RecordOutbound: true, OutboundBodyLimit: 10})
	res := mustExecute(t, g, "post-login", `{"url":"`+srv.URL+`"}`)
	wantSuccess(t, res)
	if len(res.Outbound) != 1 {
		t.Fatalf("outbound = %+v", res.Outbound)
	}
	x := res.Outbound[0]
	if string(x.RequestBody) != "xxxxxxxxxx" || !x.RequestBodyTruncated || string(x.ResponseBody) != "xxxxxxxxxx" || !x.ResponseBodyTruncated {
		t.Errorf("exchange = %+v, want both bodies cut at 10 bytes", x)
	}
	off := mustBuild(t, newSpec(a), Options{HTTPClient: loopbackClient(t)})
	if res := mustExecute(t, off, "post-login", `{"url":"`+srv.URL+`"}`); res.Outbound != nil {
		t.Errorf("recording off: outbound = %+v", res.Outbound)
	}
}

// BenchmarkOutboundRecording is one execution of an action that fetches a loopback server, with
// outbound recording off and on, in one process: the cost of recording an exchange.
func BenchmarkOutboundRecording(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"roles":["admin","dev"],"plan":"pro"}`)
	}))
	defer srv.Close()
	a := newAction("f", `exports.onExecutePostLogin = async (event, api) => {
  const r = await fetch(event.url, { headers: { Authorization: 'Bearer x' } });
  api.idToken.setCustomClaim('roles', (await r.json()).roles);
};`)
	event := []byte(`{"url":"` + srv.URL + `/roles"}`)
	for _, rec := range []bool{false, true} {
		name := map[bool]string{false: "off", true: "on"}[rec]
		b.Run(name, func(b *testing.B) {
			g := mustBuild(b, newSpec(a), Options{HTTPClient: loopbackClient(b), RecordOutbound: rec})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				res, err := g.Execute(ctx, "post-login", event)
				if err != nil || res.Outcome != OutcomeSuccess || len(res.Outbound) != map[bool]int{false: 0, true: 1}[rec] {
					b.Fatalf("%v %+v", err, res)
				}
			}
		})
	}
}

// BenchmarkClaimsOnlyRecording is BenchmarkExecuteClaimsOnly with outbound recording off and on,
// in one process: an execution that sends no request records nothing and allocates nothing for it.
func BenchmarkClaimsOnlyRecording(b *testing.B) {
	event := []byte(benchEvent)
	for _, rec := range []bool{false, true} {
		b.Run(map[bool]string{false: "off", true: "on"}[rec], func(b *testing.B) {
			g := mustBuild(b, newSpec(newAction("claims", claimsOnlyAction)), Options{RecordOutbound: rec})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.Execute(ctx, "post-login", event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
