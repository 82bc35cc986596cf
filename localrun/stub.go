package localrun

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	gosync "sync"

	"github.com/actionsd/actionsd/runner/egress"
)

// controlHost is where the test API's mockFetch and fetchCalls talk to the stub.
const controlHost = "actionsd-test.invalid"

// stubTransport answers every fetch of a test run: the test API's control requests, and the
// stubbed URLs. A fetch nothing stubs fails, so tests never reach the network.
type stubTransport struct {
	mu    gosync.Mutex // guards stubs and calls: fetches run on their own goroutines
	stubs []fetchStub
	calls []fetchCall
	// With a pass-through (actionsd test --egress-allow), a fetch no stub matches whose host an
	// entry of allow names goes through pass, the egress client fetch uses when serving.
	allow egress.Policy
	pass  http.RoundTripper
}

type fetchStub struct {
	Method   string // "" matches any
	Pattern  string // URL with * wildcards
	Response struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    *string           `json:"body"`
		JSON    json.RawMessage   `json:"json"`
	}
}

type fetchCall struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

func newStubTransport() *stubTransport { return &stubTransport{} }

// passThrough lets fetches to the hosts p names, and that no stub matches, reach the network
// through the egress client.
func (s *stubTransport) passThrough(p egress.Policy) {
	if len(p.Allow) > 0 {
		s.allow, s.pass = p, egress.NewClient(p).Transport
	}
}

func (s *stubTransport) client() *http.Client { return &http.Client{Transport: s} }

func (s *stubTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		if err != nil {
			return nil, err
		}
		body = b
	}
	if req.URL.Host == controlHost {
		return s.control(req, body)
	}
	if resp, ok := s.stubbed(req, body); ok {
		return resp, nil
	}
	if s.pass != nil && s.allow.Names(req.URL.Hostname(), portOf(req.URL)) {
		out := req.Clone(req.Context())
		out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		return s.pass.RoundTrip(out)
	}
	return nil, fmt.Errorf("no mockFetch stub matches %s %s (actionsd test never reaches the network; --egress-allow lets a host through)", req.Method, req.URL.String())
}

// portOf is u's port, or its scheme's.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}

// stubbed records the call and answers it from the last stub that matches.
func (s *stubTransport) stubbed(req *http.Request, body []byte) (*http.Response, bool) {
	url := req.URL.String()
	s.mu.Lock()
	defer s.mu.Unlock()
	headers := map[string]string{}
	for k := range req.Header {
		headers[strings.ToLower(k)] = req.Header.Get(k)
	}
	s.calls = append(s.calls, fetchCall{Method: req.Method, URL: url, Headers: headers, Body: string(body)})
	for i := len(s.stubs) - 1; i >= 0; i-- { // the last stub registered wins
		st := s.stubs[i]
		if st.Method != "" && !strings.EqualFold(st.Method, req.Method) {
			continue
		}
		if ok, _ := path.Match(globToMatch(st.Pattern), globToMatch(url)); !ok && st.Pattern != url {
			continue
		}
		resp := st.Response
		status := resp.Status
		if status == 0 {
			status = 200
		}
		h := http.Header{}
		for k, v := range resp.Headers {
			h.Set(k, v)
		}
		var out []byte
		switch {
		case resp.Body != nil:
			out = []byte(*resp.Body)
		case len(resp.JSON) > 0:
			out = resp.JSON
			if h.Get("Content-Type") == "" {
				h.Set("Content-Type", "application/json")
			}
		}
		return respond(req, status, h, out), true
	}
	return nil, false
}

// globToMatch makes a URL comparable with path.Match: '/' is the only separator path.Match
// knows, so every '/' becomes a character that * may cross.
func globToMatch(s string) string { return strings.ReplaceAll(s, "/", "\x00") }

func (s *stubTransport) control(req *http.Request, body []byte) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch req.URL.Path {
	case "/reset":
		s.stubs, s.calls = nil, nil
		return respond(req, 200, nil, nil), nil
	case "/calls":
		out, _ := json.Marshal(append([]fetchCall{}, s.calls...))
		return respond(req, 200, nil, out), nil
	case "/stub":
		var in struct {
			Pattern  string          `json:"pattern"`
			Response json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return respond(req, 400, nil, []byte(err.Error())), nil
		}
		var st fetchStub
		if len(in.Response) > 0 {
			if err := json.Unmarshal(in.Response, &st.Response); err != nil {
				return respond(req, 400, nil, []byte("response: "+err.Error())), nil
			}
		}
		st.Pattern = in.Pattern
		if m, rest, ok := strings.Cut(in.Pattern, " "); ok && !strings.Contains(m, "/") {
			st.Method, st.Pattern = strings.ToUpper(m), strings.TrimSpace(rest)
		}
		s.stubs = append(s.stubs, st)
		return respond(req, 200, nil, nil), nil
	}
	return respond(req, 404, nil, []byte("unknown control path "+req.URL.Path)), nil
}

func respond(req *http.Request, status int, h http.Header, body []byte) *http.Response {
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req,
	}
}
