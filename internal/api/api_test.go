package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync"
)

// serving is a Reconciler with one fixed generation.
type serving struct{ gen *runner.Generation }

func (s serving) Current() *runner.Generation               { return s.gen }
func (s serving) Status() sync.Status                       { return sync.Status{} }
func (s serving) Sync(context.Context) (sync.Status, error) { return sync.Status{}, nil }
func (s serving) Notify()                                   {}

func claimsGeneration(t testing.TB) *runner.Generation {
	t.Helper()
	src := `exports.onExecutePostLogin = async (event, api) => {
  const roles = event.authorization?.roles ?? [];
  console.log('<roles>', roles.join('&'));
  api.idToken.setCustomClaim('https://example.com/roles', roles);
  api.accessToken.setCustomClaim('https://example.com/admin', roles.includes('admin'));
  api.user.setAppMetadata('seen', { at: 1.5, tags: ['a b'] });
};`
	return claimsAction(t, 3, src)
}

// claimsAction builds a generation (commit c0ffee) with one action, claims, bound to post-login.
func claimsAction(t testing.TB, generation int64, src string) *runner.Generation {
	t.Helper()
	spec := &runner.Spec{Commit: "c0ffee", Generation: generation,
		Actions: map[string]*runner.ActionSpec{"claims": {Name: "claims", Version: "v1", Trigger: "post-login",
			Source: runner.Source{Dir: "actions/claims", Entry: "index.js", Files: map[string][]byte{"index.js": []byte(src)}}}},
		Bindings: map[string][]string{"post-login": {"claims"}}}
	g, err := runner.Build(context.Background(), spec, runner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return g
}

// TestExecuteResponse checks the execute route's document and headers over several requests, so
// that the body buffers and released result maps the route reuses would show if they leaked from
// one request into the next. (runner's TestResultJSON compares the encoding with encoding/json's.)
func TestExecuteResponse(t *testing.T) {
	g := claimsGeneration(t)
	reg := prometheus.NewRegistry()
	h := New(Config{Reconciler: serving{gen: g}, Registerer: reg})
	events := []string{
		`{"authorization":{"roles":["admin","dev"]},"user":{"email":"a@example.com"}}`,
		`{"authorization":{"roles":["viewer"]}}`,
		`{}`,
		`{"authorization":{"roles":["a","b","c","d","e","f","g","h","i"]},"padding":"` + strings.Repeat("x", 5000) + `"}`,
	}
	for i, ev := range events {
		req := httptest.NewRequest(http.MethodPost, "/v1/triggers/post-login/execute", strings.NewReader(ev))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("event %d: status %d: %s", i, rec.Code, rec.Body)
		}
		if got := rec.Header().Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type = %q", got)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("X-Content-Type-Options = %q", got)
		}
		body := rec.Body.Bytes()
		if !bytes.HasSuffix(body, []byte("}\n")) {
			t.Errorf("event %d: body does not end with a newline: %q", i, body)
		}
		// The same document through encoding/json: decode, then compare with the expected claims.
		var doc struct {
			ExecutionID string         `json:"execution_id"`
			Outcome     string         `json:"outcome"`
			Commit      string         `json:"commit"`
			Generation  int64          `json:"generation"`
			Result      runner.Effects `json:"result"`
			Commands    []runner.Command
			Actions     []runner.ActionResult
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("event %d: %v: %s", i, err, body)
		}
		want := `[]`
		if ev != "{}" {
			var e struct {
				Authorization struct{ Roles []string } `json:"authorization"`
			}
			_ = json.Unmarshal([]byte(ev), &e)
			b, _ := json.Marshal(e.Authorization.Roles)
			want = string(b)
		}
		gotRoles, _ := json.Marshal(doc.Result.IDTokenClaims["https://example.com/roles"])
		if doc.Outcome != runner.OutcomeSuccess || doc.Commit != "c0ffee" || doc.Generation != 3 || len(doc.ExecutionID) != 32 ||
			string(gotRoles) != want || len(doc.Commands) != 3 || len(doc.Result.AppMetadata) != 1 || len(doc.Result.UserMetadata) != 0 {
			t.Errorf("event %d: got %s", i, body)
		}
		if !strings.Contains(string(body), `"logs":["<roles> `) {
			t.Errorf("event %d: HTML characters escaped or log missing: %s", i, body)
		}
	}
}

func TestExecuteMetrics(t *testing.T) {
	g := claimsGeneration(t)
	reg := prometheus.NewRegistry()
	h := New(Config{Reconciler: serving{gen: g}, Registerer: reg})
	for range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/triggers/post-login/execute", strings.NewReader(`{}`)))
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			v := m.GetCounter().GetValue()
			if h := m.GetHistogram(); h != nil {
				v = float64(h.GetSampleCount())
			}
			got[mf.GetName()+"{"+strings.Join(labels, ",")+"}"] = strconv.FormatFloat(v, 'g', -1, 64)
		}
	}
	want := map[string]string{
		"actionsd_executions_total{outcome=success,trigger=post-login}":                      "3",
		"actionsd_execution_duration_seconds{outcome=success,trigger=post-login}":            "3",
		"actionsd_action_executions_total{action=claims,outcome=success,trigger=post-login}": "3",
		"actionsd_action_duration_seconds{action=claims,trigger=post-login}":                 "3",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %s", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok && strings.HasPrefix(k, "actionsd_") && !strings.HasPrefix(k, "actionsd_webhook") && !strings.HasPrefix(k, "actionsd_http_") && !strings.HasPrefix(k, "actionsd_peer_") {
			t.Errorf("unexpected series %s = %s", k, got[k])
		}
	}
}

func TestExecuteBadRequests(t *testing.T) {
	g := claimsGeneration(t)
	h := New(Config{Reconciler: serving{gen: g}, MaxBody: 64})
	tests := []struct {
		name     string
		give     string
		wantCode int
		wantErr  string
		wantMsg  string // in the message: the parse error and where
	}{
		{"not an object", `[1]`, 400, "bad_event", "it is a JSON array"},
		{"invalid JSON", `{"a":}`, 400, "bad_event", "invalid JSON at line 1, column 6 (byte 6): invalid character '}' looking for beginning of value"},
		{"invalid JSON, second line", "{\"a\": 1,\n \"b\" 2}", 400, "bad_event", "line 2, column 6 (byte 15)"},
		{"too large", `{"a":"` + strings.Repeat("x", 100) + `"}`, 413, "body_too_large", ""},
		{"empty", "", 400, "bad_event", "empty"},
		{"blank", "  \n\t", 400, "bad_event", "empty"},
		{"empty object", "{}", 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/triggers/post-login/execute", strings.NewReader(tt.give)))
			body, _ := io.ReadAll(rec.Body)
			if rec.Code != tt.wantCode || tt.wantErr != "" && !strings.Contains(string(body), `"code":"`+tt.wantErr+`"`) ||
				!strings.Contains(string(body), tt.wantMsg) {
				t.Errorf("got %d %s, want %d %s %q", rec.Code, body, tt.wantCode, tt.wantErr, tt.wantMsg)
			}
		})
	}
}

// TestExecuteRouting checks that the execute route's direct dispatch (router) answers as the
// ServeMux alone does: the token is required, only POST is routed, and paths the ServeMux would
// clean, unescape or not match are left to it.
func TestExecuteRouting(t *testing.T) {
	g := claimsGeneration(t)
	rt := New(Config{Reconciler: serving{gen: g}, Token: "s3cret"}).(*router)
	tests := []struct {
		method, path, token string
		want                int
	}{
		{"POST", "/v1/triggers/post-login/execute", "s3cret", http.StatusOK},
		{"POST", "/v1/triggers/post-login/execute", "", http.StatusUnauthorized},
		{"POST", "/v1/triggers/post-login/execute", "wrong", http.StatusUnauthorized},
		{"POST", "/v1/triggers/post%2Dlogin/execute", "s3cret", http.StatusOK},
		{"POST", "/v1/triggers/nope/execute", "s3cret", http.StatusNotFound},
		{"POST", "/v1/triggers/a/b/execute", "s3cret", http.StatusNotFound},
		{"POST", "/v1/triggers//execute", "s3cret", http.StatusTemporaryRedirect},
		{"POST", "/v1/triggers/../execute", "s3cret", http.StatusTemporaryRedirect},
		{"POST", "/v1/triggers/./execute", "s3cret", http.StatusTemporaryRedirect},
		{"GET", "/v1/triggers/post-login/execute", "s3cret", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		for name, h := range map[string]http.Handler{"router": rt, "ServeMux": rt.mux} {
			req := httptest.NewRequest(tt.method, "http://actionsd"+tt.path, strings.NewReader(`{"authorization":{"roles":["admin"]}}`))
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("%s: %s %s (token %q): status %d, want %d: %s", name, tt.method, tt.path, tt.token, rec.Code, tt.want, rec.Body)
			}
			if tt.want == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%s: %s %s: 401 without WWW-Authenticate", name, tt.method, tt.path)
			}
			if tt.want == http.StatusOK && !strings.Contains(rec.Body.String(), `"https://example.com/admin":true`) {
				t.Errorf("%s: %s %s: %s", name, tt.method, tt.path, rec.Body)
			}
		}
	}
}

// TestMethodNotAllowed: a route's path with another method is 405 with Allow, not 404.
func TestMethodNotAllowed(t *testing.T) {
	h := New(Config{Reconciler: serving{gen: claimsGeneration(t)}})
	for _, tt := range []struct{ method, path, allow string }{
		{http.MethodGet, "/v1/triggers/post-login/execute", "POST"},
		{http.MethodDelete, "/v1/status", "GET, HEAD"},
		{http.MethodPut, "/v1/actions/claims", "GET, HEAD"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != tt.allow || !strings.Contains(rec.Body.String(), `"code":"method_not_allowed"`) {
			t.Errorf("%s %s: %d Allow %q %s, want 405 Allow %q", tt.method, tt.path, rec.Code, rec.Header().Get("Allow"), rec.Body, tt.allow)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/nothing/here", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET /v1/nothing/here: %d, want 404", rec.Code)
	}
}
