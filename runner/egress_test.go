package runner

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/runner/web"
)

func TestFetchEgress(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/ok", http.StatusFound)
			return
		}
		w.Header().Set("X-Echo", r.Header.Get("X-In"))
		io.WriteString(w, "pong")
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))

	a := newAction("ping", `exports.onExecutePostLogin = async (event, api) => {
  const res = await fetch(event.url, { headers: new Headers({ 'X-In': 'hi' }) });
  api.idToken.setCustomClaim('got', [res.status, res.ok, res.statusText, res.headers.get('x-echo'), await res.text(), res.redirected]);
};`)
	tests := []struct {
		name      string
		allow     []string
		path      string
		wantClaim string
		wantError string
	}{
		{name: "loopback refused by default", wantError: "TypeError: fetch failed: Get \"" + srv.URL + "/\": dial tcp " + strings.TrimPrefix(srv.URL, "http://") + ": egress to 127.0.0.1 refused: loopback address not in the egress allow-list"},
		{name: "host entry", allow: []string{"127.0.0.1"}, wantClaim: `[200,true,"OK","hi","pong",false]`},
		{name: "host:port entry", allow: []string{"127.0.0.1:" + port}, wantClaim: `[200,true,"OK","hi","pong",false]`},
		{name: "other port refused", allow: []string{"127.0.0.1:1"}, wantError: "egress to 127.0.0.1 refused"},
		{name: "CIDR entry", allow: []string{"127.0.0.0/8"}, wantClaim: `[200,true,"OK","hi","pong",false]`},
		{name: "redirect followed", allow: []string{"127.0.0.1"}, path: "/redirect", wantClaim: `[200,true,"OK","hi","pong",true]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := egress.ParseAllow(tt.allow)
			if err != nil {
				t.Fatal(err)
			}
			client := egress.NewClient(p)
			defer client.CloseIdleConnections()
			g := mustBuild(t, newSpec(a), Options{HTTPClient: client})
			res := mustExecute(t, g, "post-login", `{"url":"`+srv.URL+tt.path+`"}`)
			if tt.wantError != "" {
				if e := res.Actions[0].Error; res.Outcome != OutcomeFailed || e == nil || !strings.Contains(e.Message, tt.wantError) {
					t.Fatalf("got %s, want failure containing %q", toJSON(t, res), tt.wantError)
				}
				return
			}
			wantSuccess(t, res)
			if got := toJSON(t, res.Effects.IDTokenClaims["got"]); got != tt.wantClaim {
				t.Errorf("claim = %s, want %s", got, tt.wantClaim)
			}
		})
	}
}

func TestFetchResponseSizeCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, web.MaxFetchResponseBody+1))
	}))
	defer srv.Close()
	a := newAction("big", `exports.onExecutePostLogin = async (event) => { await fetch(event.url); };`)
	g := mustBuild(t, newSpec(a), Options{HTTPClient: loopbackClient(t)})
	res := mustExecute(t, g, "post-login", `{"url":"`+srv.URL+`"}`)
	if e := res.Actions[0].Error; e == nil || !strings.Contains(e.Message, "exceeds 10485760 bytes") {
		t.Errorf("got %s, want a size error", toJSON(t, res))
	}
}
