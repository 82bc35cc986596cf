package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/internal/bridges"
	"github.com/actionsd/actionsd/internal/history"
	"github.com/actionsd/actionsd/internal/peers"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync"
	"github.com/actionsd/actionsd/sync/rollout"
)

// openapiRecon serves one generation and a status with an action and a module version.
type openapiRecon struct{ gen *runner.Generation }

func (o openapiRecon) Current() *runner.Generation { return o.gen }
func (o openapiRecon) Status() sync.Status {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return sync.Status{
		Conditions: []sync.Condition{{Type: "Ready", Status: "True", Reason: "Applied", Since: at}},
		Ready:      true, Generation: 3,
		Applied:   &sync.Revision{Commit: "c0ffee", At: at},
		Attempted: &sync.Revision{Commit: "c0ffee", At: at, Result: "applied"},
		Errors:    diag.List{}, Warnings: diag.List{},
		Actions: []sync.ObjectStatus{{Name: "claims", Version: "v1", Trigger: "post-login", State: "serving"}},
		Modules: []sync.ObjectStatus{{Name: "logger", Version: "v1", State: "serving", Tag: "modules/logger/v1"}},
		Secrets: []sync.SecretStatus{},
	}
}
func (o openapiRecon) Sync(context.Context) (sync.Status, error) { return o.Status(), nil }
func (o openapiRecon) Notify()                                   {}

// openapiRollback rolls back to any commit but "nope".
type openapiRollback struct{}

func (openapiRollback) Rollback(_ context.Context, to string) (sync.Status, error) {
	if to == "nope" {
		return sync.Status{}, fmt.Errorf("%q: %w", to, sync.ErrRollbackNotKnown)
	}
	st := openapiRecon{}.Status()
	st.Drift = "drifted from git: rolled back to c0ffee"
	return st, nil
}

// TestOpenAPIDocument sends real requests over loopback to every route of the API and validates
// each request and response against the document served at GET /v1/openapi.json (kin-openapi's
// openapi3filter, undocumented statuses included); it fails when the router has a route the
// document lacks, or a route no request here reaches.
func TestOpenAPIDocument(t *testing.T) {
	const token, secret, peerSecret = "tok", "hooksecret", "peersecret"
	// A peer that answers, and the peers of the daemon under test: it, one that nobody listens
	// on, and a wrong URL; GET /v1/status?peers=1 lists each.
	peerSrv := httptest.NewServer(New(Config{Reconciler: openapiRecon{gen: claimsGeneration(t)}, Token: token, PeerSecret: peerSecret}))
	defer peerSrv.Close()
	ps, _ := peers.New(peers.Config{URLs: []string{peerSrv.URL, "http://127.0.0.1:1", "ftp://wrong"}, Secret: peerSecret, Timeout: 2 * time.Second})
	defer ps.Close()
	reg := prometheus.NewRegistry()
	brs, err := bridges.New(bridges.Config{Supabase: supabaseSecret, Auth0: auth0Secret, Zitadel: zitadelKey, Kratos: kratosToken})
	if err != nil {
		t.Fatal(err)
	}
	hist := newHistory(t, history.Options{})
	ro, err := rollout.Open(rollout.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ro.Apply(map[string]*rollout.State{"claims": rollout.New("claims", &gitstore.Rollout{Steps: []int{10, 50, 100}, Interval: time.Hour,
		Key: "user.user_id", Abort: gitstore.RolloutAbort{ErrorRateIncrease: 0.02, P99Increase: 2, MinExecutions: 100}},
		"c1", "v1", "c2", "v2", "id2", time.Now())}, map[string]bool{"claims": true})
	rt := newRouter(Config{Reconciler: openapiRecon{gen: claimsGeneration(t)}, Token: token, WebhookSecret: secret,
		Branch: "main", Registerer: reg, Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), Peers: ps, PeerSecret: peerSecret,
		Bridges: brs, Rollouts: ro, Rollback: openapiRollback{}, History: hist})
	srv := httptest.NewServer(rt)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/openapi.json: %d %s", res.StatusCode, raw)
	}
	ctx := context.Background()
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("loading the served document: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("the document is not valid: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}

	// Every route of the router is in the document.
	for _, p := range rt.patterns {
		method, path, _ := strings.Cut(p, " ")
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(method) == nil {
			t.Errorf("the router has %q, the document does not", p)
		}
	}

	// And every route of the document is one of the router's.
	registered := map[string]bool{}
	for _, p := range rt.patterns {
		registered[p] = true
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !registered[method+" "+path] {
				t.Errorf("the document has %s %s, the router does not", method, path)
			}
		}
	}

	docRouter, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(body string) string {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(body))
		return "sha256=" + hex.EncodeToString(m.Sum(nil))
	}
	bearer := map[string]string{"Authorization": "Bearer " + token}
	peerBearer := map[string]string{"Authorization": "Bearer " + peerSecret, "X-Actionsd-Peer": "replica-2"}
	cat := `{"user_id":"u1","claims":{"sub":"u1","role":"authenticated"},"authentication_method":"password"}`
	zfn := func(fn string) string {
		return `{"function":"` + fn + `","userinfo":{"sub":"312909075212468632"},"user":{"id":"312909075212468632","human":{"email":"a@example.com"}},` +
			`"user_grants":[{"projectId":"p1","roles":["admin"]}]}`
	}
	push := `{"ref":"refs/heads/main"}`
	other := `{"ref":"refs/heads/feature"}`
	cases := []openapiCase{
		{"GET", "/healthz", "", nil, 200},
		{"GET", "/readyz", "", nil, 200},
		{"GET", "/metrics", "", nil, 200},
		{"GET", "/v1/openapi.json", "", nil, 200},
		{"POST", "/v1/triggers/post-login/execute", `{"authorization":{"roles":["admin"]}}`, bearer, 200},
		{"POST", "/v1/triggers/post-login/execute", `{}`, nil, 401},
		{"POST", "/v1/triggers/post-login/execute", ``, bearer, 400},
		{"POST", "/v1/triggers/nope/execute", `{}`, bearer, 404},
		{"POST", "/v1/actions/claims/test", `{}`, bearer, 200},
		{"POST", "/v1/actions/nope/test", `{}`, bearer, 404},
		{"POST", "/v1/continue", `{"state":"forged"}`, bearer, 400},
		{"GET", "/v1/status", "", bearer, 200},
		{"GET", "/v1/status", "", nil, 401},
		{"GET", "/v1/status?peers=1", "", bearer, 200},
		{"GET", "/v1/status?peers=0", "", bearer, 200},
		{"POST", "/v1/peer/sync", "", peerBearer, 202},
		{"POST", "/v1/peer/sync", "", bearer, 401}, // with a peer secret, the API token does not open the peer routes
		{"GET", "/v1/peer/status", "", peerBearer, 200},
		{"GET", "/v1/peer/status", "", nil, 401},
		{"POST", "/v1/sync", "", bearer, 200},
		{"GET", "/v1/actions", "", bearer, 200},
		{"GET", "/v1/actions/claims", "", bearer, 200},
		{"GET", "/v1/actions/nope", "", bearer, 404},
		{"GET", "/v1/modules", "", bearer, 200},
		{"GET", "/v1/modules/logger/versions", "", bearer, 200},
		{"GET", "/v1/modules/nope/versions", "", bearer, 404},
		{"GET", "/v1/metrics/summary", "", bearer, 200},
		{"GET", "/v1/rollouts", "", bearer, 200},
		{"GET", "/v1/rollouts/claims", "", bearer, 200},
		{"GET", "/v1/rollouts/nope", "", bearer, 404},
		{"POST", "/v1/rollouts/claims/promote", "", bearer, 200},
		{"POST", "/v1/rollouts/claims/abort", "", bearer, 200},
		{"POST", "/v1/rollouts/claims/promote", "", bearer, 409},
		{"POST", "/v1/rollouts/nope/abort", "", bearer, 404},
		{"POST", "/v1/rollback", "", bearer, 200},
		{"POST", "/v1/rollback?to=nope", "", bearer, 400},
		{"POST", "/v1/rollback", "", nil, 401},
		{"POST", "/v1/peer/rollouts/claims/abort?canary=other&reason=x", "", peerBearer, 202},
		{"POST", "/v1/peer/rollouts/claims/promote?canary=id2&step=1", "", peerBearer, 202},
		{"POST", "/v1/peer/rollouts/claims/pause?canary=id2", "", peerBearer, 404},
		{"POST", "/v1/peer/rollouts/claims/abort?canary=id2", "", bearer, 401},
		{"POST", "/v1/peer/rollback?to=c0ffee", "", peerBearer, 202},
		{"POST", "/v1/peer/rollback", "", peerBearer, 400},
		{"POST", "/hooks/github", push, map[string]string{"X-Hub-Signature-256": sign(push), "X-GitHub-Event": "push"}, 202},
		{"POST", "/hooks/github", `{}`, map[string]string{"X-Hub-Signature-256": sign(`{}`), "X-GitHub-Event": "ping"}, 200},
		{"POST", "/hooks/github", push, map[string]string{"X-Hub-Signature-256": sign("x")}, 401},
		{"POST", "/hooks/gitlab", push, map[string]string{"X-Gitlab-Token": secret}, 202},
		{"POST", "/hooks/generic", other, map[string]string{"X-Signature": sign(other)}, 202},
		{"POST", "/v1/bridges/supabase/custom-access-token", cat, supabaseHeaders(t, "msg_1", time.Now(), cat), 200},
		{"POST", "/v1/bridges/supabase/custom-access-token", `{"claims":{}}`, supabaseHeaders(t, "msg_2", time.Now(), `{"claims":{}}`), 400},
		{"POST", "/v1/bridges/supabase/custom-access-token", cat, supabaseHeaders(t, "msg_1", time.Now().Add(-time.Hour), cat), 401},
		{"POST", "/v1/bridges/supabase/nope", cat, supabaseHeaders(t, "msg_3", time.Now(), cat), 404},
		{"POST", "/v1/bridges/auth0/post-login", `{"authorization":{"roles":["admin"]}}`, auth0Headers(time.Now(), `{"authorization":{"roles":["admin"]}}`), 200},
		{"POST", "/v1/bridges/auth0/post-login", `[]`, auth0Headers(time.Now(), `[]`), 400},
		{"POST", "/v1/bridges/auth0/post-login", `{}`, auth0Headers(time.Now().Add(-10*time.Minute), `{}`), 401},
		{"POST", "/v1/bridges/auth0/nope", `{}`, auth0Headers(time.Now(), `{}`), 404},
		{"POST", "/v1/bridges/zitadel", zfn("function/preuserinfo"), zitadelHeaders(time.Now(), zfn("function/preuserinfo")), 200},
		{"POST", "/v1/bridges/zitadel", zfn("function/preaccesstoken"), zitadelHeaders(time.Now(), zfn("function/preaccesstoken")), 200},
		{"POST", "/v1/bridges/zitadel", `{"user":{}}`, zitadelHeaders(time.Now(), `{"user":{}}`), 400},
		{"POST", "/v1/bridges/zitadel", zfn("function/preuserinfo"), zitadelHeaders(time.Now().Add(-time.Hour), zfn("function/preuserinfo")), 401},
		{"POST", "/v1/bridges/zitadel", zfn("function/presamlresponse"), zitadelHeaders(time.Now(), zfn("function/presamlresponse")), 404},
		{"POST", "/v1/bridges/kratos/registration", kratosReg, kratosHeaders(kratosToken), 200},
		{"POST", "/v1/bridges/kratos/login", kratosReg, kratosHeaders(kratosToken), 422}, // the claims action: Kratos cannot express claims
		{"POST", "/v1/bridges/kratos/registration", `{"flow":{}}`, kratosHeaders(kratosToken), 400},
		{"POST", "/v1/bridges/kratos/registration", kratosReg, kratosHeaders(kratosToken + "x"), 401},
		{"POST", "/v1/bridges/kratos/verification", kratosReg, kratosHeaders(kratosToken), 404},
	}
	reached := openapiRoundTrips(t, srv.URL, docRouter, cases)

	// The execution history, once the executions above are written (the live tail's 200 is an
	// endless stream: a bad filter reaches its route here, and internal/api's TestExecutionsAPI
	// reads it).
	recs := waitRecords(t, hist, history.Filter{Source: "bridge:auth0/post-login"}, 1)
	for p := range openapiRoundTrips(t, srv.URL, docRouter, []openapiCase{
		{"GET", "/v1/executions", "", bearer, 200},
		{"GET", "/v1/executions?trigger=post-login&outcome=success&limit=2", "", bearer, 200},
		{"GET", "/v1/executions?outcome=nope", "", bearer, 400},
		{"GET", "/v1/executions", "", nil, 401},
		{"GET", "/v1/executions/" + recs[0].ID, "", bearer, 200},
		{"GET", "/v1/executions/nope", "", bearer, 404},
		{"GET", "/v1/executions/stream?since=yesterday", "", bearer, 400},
		{"GET", "/v1/executions/stream", "", nil, 401},
	}) {
		reached[p] = true
	}

	// Errors the first daemon cannot give: no generation serves yet, webhooks disabled (no
	// secret), a body over the cap.
	coldBridges, _ := bridges.New(bridges.Config{})
	cold := httptest.NewServer(New(Config{Reconciler: serving{}, Token: token, MaxBody: 64, Bridges: coldBridges}))
	defer cold.Close()
	big := `{"padding":"` + strings.Repeat("x", 100) + `"}`
	for p := range openapiRoundTrips(t, cold.URL, docRouter, []openapiCase{
		{"GET", "/readyz", "", nil, 503},
		{"POST", "/v1/triggers/post-login/execute", `{}`, bearer, 503},
		{"POST", "/v1/triggers/post-login/execute", big, bearer, 413},
		{"POST", "/hooks/gitlab", push, map[string]string{"X-Gitlab-Token": secret}, 404},
		{"POST", "/v1/bridges/supabase/send-sms", `{}`, nil, 404}, // disabled: no secret
		{"POST", "/v1/bridges/auth0/post-login", `{}`, auth0Headers(time.Now(), `{}`), 404},
		{"POST", "/v1/bridges/zitadel", `{}`, zitadelHeaders(time.Now(), `{}`), 404},
		{"POST", "/v1/bridges/kratos/login", `{}`, kratosHeaders(kratosToken), 404},
		{"GET", "/v1/executions", "", bearer, 404}, // no history
		{"GET", "/v1/executions/stream", "", bearer, 404},
	}) {
		reached[p] = true
	}

	for _, p := range rt.patterns {
		if !reached[p] {
			t.Errorf("no request of this test reached %q", p)
		}
	}
}

// openapiCase is a request and the status it must get.
type openapiCase struct {
	method, path, body string
	header             map[string]string
	want               int
}

// openapiRoundTrips sends each case to base, checks its status, and validates the request (when
// it succeeds) and the response against the document; it returns the document's routes reached,
// as "METHOD /path/{param}".
func openapiRoundTrips(t *testing.T, base string, docRouter routers.Router, cases []openapiCase) map[string]bool {
	t.Helper()
	ctx := context.Background()
	reached := map[string]bool{}
	for _, c := range cases {
		name := c.method + " " + c.path
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		req, err := http.NewRequest(c.method, base+c.path, body)
		if err != nil {
			t.Fatal(err)
		}
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d: %s", name, res.StatusCode, c.want, got)
			continue
		}

		// The same request, as the document's router and validator see it.
		vreq, _ := http.NewRequest(c.method, c.path, strings.NewReader(c.body))
		vreq.Header = req.Header.Clone()
		route, params, err := docRouter.FindRoute(vreq)
		if err != nil {
			t.Errorf("%s: the document has no such route: %v", name, err)
			continue
		}
		reached[c.method+" "+route.Path] = true
		in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		if c.want < 300 {
			if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
				t.Errorf("%s: the request does not match the document: %v", name, err)
			}
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode,
			Header: res.Header, Body: io.NopCloser(bytes.NewReader(got)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s: the %d response does not match the document: %v\n%s", name, res.StatusCode, err, got)
		}
	}
	return reached
}
