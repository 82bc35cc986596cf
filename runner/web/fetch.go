package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/runner/host"
	"github.com/dop251/goja"
)

// Size caps of fetch.
const (
	MaxFetchResponseBody = 10 << 20 // bytes read from a response; more fails the fetch
	MaxFetchRequestBody  = 10 << 20 // bytes a request may send
)

// fetchResult is what a fetch goroutine hands back to the loop.
type fetchResult struct {
	status     int
	statusText string
	headers    [][2]string
	body       []byte
	url        string
	redirected bool
}

// nativeFetch is the prelude's native.fetch(url, method, headerPairs, body, redirect): it starts
// the request on its own goroutine with the generation's HTTP client, tied to the execution's
// context, and returns [promise, abort]: the loop settles the promise when the result is
// enqueued, and abort() cancels the request (an AbortSignal calls it). url is parsed again here,
// by the parser that made it (url.go), and sent as parsed; redirects are followed here too
// (followRedirects), not by net/http, so that each Location is read the same way.
func (w *Globals) nativeFetch(call goja.FunctionCall) goja.Value {
	rt := w.rt
	ctx := w.vm.Context()
	if ctx == nil {
		panic(w.in.NewError("fetch is not available while the code loads; call it from the handler"))
	}
	u, err := parseURL(call.Argument(0).String(), nil)
	if err != nil {
		panic(rt.NewTypeError("fetch: Invalid URL"))
	}
	target, err := requestURL(u)
	if err != nil {
		panic(rt.NewTypeError("fetch: %v", err))
	}
	req, body := w.newRequest(ctx, "fetch", target, call)
	redirect := call.Argument(4).String()
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "actionsd")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "*/*")
	}
	return w.startRequest(w.noRedirectClient(), req, func(ctx context.Context, c *http.Client, req *http.Request) (*fetchResult, error) {
		return doFetch(ctx, c, req, body, redirect)
	}, func(err error) goja.Value {
		return rt.NewTypeError("fetch failed: %s", err.Error())
	})
}

// noRedirectClient is Config.Client with redirects returned to the caller, made on first use:
// fetch follows them itself, node:http never does.
func (w *Globals) noRedirectClient() *http.Client {
	if w.httpc == nil {
		c := *w.client
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		w.httpc = &c
	}
	return w.httpc
}

// newRequest builds a request of the execution in progress (whose context is ctx) to target
// (from requestURL or httpRequestURL) out of call's (_, method, headerPairs, body); what names the
// caller in errors. It returns the body too, for redirects that send it again.
func (w *Globals) newRequest(ctx context.Context, what string, target *url.URL, call goja.FunctionCall) (*http.Request, []byte) {
	rt := w.rt
	method := call.Argument(1).String()
	var pairs [][]string
	if err := rt.ExportTo(call.Argument(2), &pairs); err != nil {
		panic(rt.NewTypeError("%s: invalid headers: %v", what, err))
	}
	var body []byte
	if b := call.Argument(3); !goja.IsNull(b) && !goja.IsUndefined(b) {
		if s, ok := host.String(b); ok {
			body = []byte(s)
		} else if raw, ok := host.Bytes(b); ok {
			body = append([]byte(nil), raw...)
		} else if err := rt.ExportTo(b, &body); err != nil {
			panic(rt.NewTypeError("%s: invalid body: %v", what, err))
		}
	}
	if len(body) > MaxFetchRequestBody {
		panic(rt.NewTypeError("%s: request body of %d bytes exceeds %d bytes", what, len(body), MaxFetchRequestBody))
	}
	req, err := newHTTPRequest(ctx, method, target, body)
	if err != nil {
		panic(rt.NewTypeError("%s: %v", what, err))
	}
	for _, p := range pairs {
		if len(p) == 2 {
			if strings.EqualFold(p[0], "host") {
				req.Host = p[1]
				continue
			}
			req.Header.Add(p[0], p[1])
		}
	}
	return req, body
}

// newHTTPRequest is http.NewRequestWithContext for a URL already built (it is not parsed again).
func newHTTPRequest(ctx context.Context, method string, target *url.URL, body []byte) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://placeholder.invalid/", r)
	if err != nil {
		return nil, err
	}
	req.URL, req.Host = target, ""
	return req, nil
}

// requestFunc performs a request on a request goroutine.
type requestFunc func(ctx context.Context, c *http.Client, req *http.Request) (*fetchResult, error)

// startRequest runs do(req) on its own goroutine and returns [promise, abort] (see nativeFetch):
// the loop waits for the result (host.VM.RegisterCallback) and settles the promise with it.
func (w *Globals) startRequest(client *http.Client, req *http.Request, do requestFunc, fail func(error) goja.Value) goja.Value {
	rt := w.rt
	ctx, cancel := context.WithCancel(req.Context())
	req = req.WithContext(ctx)
	p, resolve, reject := rt.NewPromise()
	enqueue := w.vm.RegisterCallback()
	go func() {
		defer cancel()
		res, err := do(ctx, client, req)
		enqueue(func() error {
			if err != nil {
				return reject(fail(err))
			}
			return resolve(w.fetchResponse(res))
		})
	}()
	abort := func(goja.FunctionCall) goja.Value {
		cancel()
		return goja.Undefined()
	}
	return rt.NewArray(p, abort)
}

// send is client.Do with the error naming the request by the href it was made from (Go's own
// rendering of a URL built to carry a path unchanged may differ).
func send(client *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = redactedHref(req.URL)
		}
		return nil, err
	}
	return resp, nil
}

// doFetch sends req with client (which does not follow redirects) and reads the response whole;
// with redirect "follow" it follows redirects, with "error" it fails on one, with "manual" it
// returns it.
func doFetch(ctx context.Context, client *http.Client, req *http.Request, body []byte, redirect string) (*fetchResult, error) {
	resp, err := send(client, req)
	redirected := false
	if err == nil && isRedirect(resp) {
		switch redirect {
		case "error":
			resp.Body.Close()
			return nil, fmt.Errorf("redirect from %s refused (redirect: 'error')", redactedHref(req.URL))
		case "manual":
		default:
			resp, err = followRedirects(ctx, client, resp, body)
			redirected = err == nil && resp.Request != req
		}
	}
	if err != nil {
		return nil, err
	}
	return readResponse(resp, redirected)
}

// isRedirect reports whether resp is a redirect that fetch follows: a redirect status with a
// Location.
func isRedirect(resp *http.Response) bool {
	switch resp.StatusCode {
	case 301, 302, 303, 307, 308:
		return resp.Header.Get("Location") != ""
	}
	return false
}

// followRedirects follows the redirect resp, and those after it, as Node's fetch does (the
// Fetch standard's HTTP-redirect fetch): each Location is resolved against the URL it came from
// by the WHATWG parser and sent as parsed; only http and https; at most egress.MaxRedirects; a
// 303, or a 301 or 302 to a POST, becomes a GET without a body; a change of origin drops the
// Authorization, Proxy-Authorization and Cookie headers and a Host header set by the caller. Each
// hop dials through the client's egress check.
func followRedirects(ctx context.Context, client *http.Client, resp *http.Response, body []byte) (*http.Response, error) {
	for hops := 1; ; hops++ {
		req := resp.Request
		loc := resp.Header.Get("Location")
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		if hops > egress.MaxRedirects {
			return nil, fmt.Errorf("stopped after %d redirects", egress.MaxRedirects)
		}
		base, from := hrefOf(req.URL), redactedHref(req.URL)
		u, err := parseURL(loc, &base)
		if err != nil {
			return nil, fmt.Errorf("redirect from %s: Invalid URL in Location", from)
		}
		next, err := requestURL(u)
		if err != nil {
			return nil, fmt.Errorf("redirect from %s: %w", from, err)
		}
		method := req.Method
		send303 := resp.StatusCode == 303 && method != "GET" && method != "HEAD"
		if send303 || (resp.StatusCode == 301 || resp.StatusCode == 302) && method == "POST" {
			method, body = "GET", nil
		}
		nreq, err := newHTTPRequest(ctx, method, next, body)
		if err != nil {
			return nil, err
		}
		nreq.Header = req.Header.Clone()
		nreq.Host = req.Host
		if body == nil {
			for _, h := range []string{"Content-Encoding", "Content-Language", "Content-Location", "Content-Type", "Content-Length"} {
				nreq.Header.Del(h)
			}
		}
		if !sameOrigin(req.URL, next) {
			if next.User != nil {
				return nil, fmt.Errorf("redirect from %s: a URL with credentials on another origin", from)
			}
			for _, h := range []string{"Authorization", "Proxy-Authorization", "Cookie"} {
				nreq.Header.Del(h)
			}
			nreq.Host = ""
		}
		if resp, err = send(client, nreq); err != nil {
			return nil, err
		}
		if !isRedirect(resp) {
			return resp, nil
		}
	}
}

// sameOrigin reports whether a and b (from requestURL) have one origin: scheme, host and port.
func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && strings.EqualFold(a.Host, b.Host)
}

// readResponse reads resp's body (capped) into a fetchResult and closes it.
func readResponse(resp *http.Response, redirected bool) (*fetchResult, error) {
	defer resp.Body.Close()
	href := redactedHref(resp.Request.URL)
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxFetchResponseBody+1))
	if err != nil {
		return nil, fmt.Errorf("read response of %s: %w", href, err)
	}
	if len(data) > MaxFetchResponseBody {
		return nil, fmt.Errorf("response of %s exceeds %d bytes", href, MaxFetchResponseBody)
	}
	r := &fetchResult{
		status:     resp.StatusCode,
		statusText: strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode))),
		body:       data,
		url:        href,
		redirected: redirected,
	}
	for k, vs := range resp.Header {
		for _, val := range vs {
			r.headers = append(r.headers, [2]string{k, val})
		}
	}
	return r, nil
}

// fetchResponse builds the plain object the prelude turns into a Response; on the loop only.
func (w *Globals) fetchResponse(r *fetchResult) *goja.Object {
	rt := w.rt
	o := rt.NewObject()
	o.Set("status", r.status)
	o.Set("statusText", r.statusText)
	hs := make([]any, len(r.headers))
	for i, h := range r.headers {
		hs[i] = rt.NewArray(h[0], h[1])
	}
	o.Set("headers", rt.NewArray(hs...))
	o.Set("body", rt.NewArrayBuffer(r.body))
	o.Set("url", r.url)
	o.Set("redirected", r.redirected)
	return o
}
