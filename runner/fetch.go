package runner

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

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
// enqueued, and abort() cancels the request (an AbortSignal calls it).
func (v *vm) nativeFetch(call goja.FunctionCall) goja.Value {
	rt := v.rt
	run := v.run
	if run == nil {
		panic(v.newError("fetch is not available while the code loads; call it from the handler"))
	}
	req, redirect := v.newRequest("fetch", call)
	client := v.act.env.client
	switch redirect {
	case "manual", "error":
		c := *client
		c.CheckRedirect = func(*http.Request, []*http.Request) error {
			if redirect == "error" {
				return errors.New("redirect refused (redirect: 'error')")
			}
			return http.ErrUseLastResponse
		}
		client = &c
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "actionsd")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "*/*")
	}
	return v.startRequest(run, client, req, func(err error) goja.Value {
		return rt.NewTypeError("fetch failed: %s", err.Error())
	})
}

// newRequest reads (url, method, headerPairs, body, extra) into a request of the execution in
// progress; what names the caller in errors.
func (v *vm) newRequest(what string, call goja.FunctionCall) (*http.Request, string) {
	rt := v.rt
	rawURL := call.Argument(0).String()
	method := call.Argument(1).String()
	var pairs [][]string
	if err := rt.ExportTo(call.Argument(2), &pairs); err != nil {
		panic(rt.NewTypeError("%s: invalid headers: %v", what, err))
	}
	var body []byte
	if b := call.Argument(3); !goja.IsNull(b) && !goja.IsUndefined(b) {
		if s, ok := jsString(b); ok {
			body = []byte(s)
		} else if raw, ok := bytesOf(b); ok {
			body = append([]byte(nil), raw...)
		} else if err := rt.ExportTo(b, &body); err != nil {
			panic(rt.NewTypeError("%s: invalid body: %v", what, err))
		}
	}
	if len(body) > MaxFetchRequestBody {
		panic(rt.NewTypeError("%s: request body of %d bytes exceeds %d bytes", what, len(body), MaxFetchRequestBody))
	}
	req, err := http.NewRequestWithContext(v.run.context(), method, rawURL, bytes.NewReader(body))
	if err != nil {
		panic(rt.NewTypeError("%s: %v", what, err))
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		panic(rt.NewTypeError("%s: scheme %q is not supported (http and https only)", what, req.URL.Scheme))
	}
	if body == nil {
		req.Body, req.GetBody, req.ContentLength = nil, nil, 0
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
	return req, call.Argument(4).String()
}

// startRequest runs req on its own goroutine and returns [promise, abort] (see nativeFetch).
func (v *vm) startRequest(run *actionRun, client *http.Client, req *http.Request, fail func(error) goja.Value) goja.Value {
	rt := v.rt
	ctx, cancel := context.WithCancel(req.Context())
	req = req.WithContext(ctx)
	p, resolve, reject := rt.NewPromise()
	l := &v.loop
	epoch := l.epoch
	l.pending++
	runCtx := run.context()
	go func() {
		defer cancel()
		res, err := doFetch(client, req)
		l.enqueue(runCtx, epoch, func() error {
			if err != nil {
				return reject(fail(err))
			}
			return resolve(v.fetchResponse(res))
		})
	}()
	abort := func(goja.FunctionCall) goja.Value {
		cancel()
		return goja.Undefined()
	}
	return rt.NewArray(p, abort)
}

func doFetch(client *http.Client, req *http.Request) (*fetchResult, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxFetchResponseBody+1))
	if err != nil {
		return nil, fmt.Errorf("read response of %s: %w", req.URL.Redacted(), err)
	}
	if len(data) > MaxFetchResponseBody {
		return nil, fmt.Errorf("response of %s exceeds %d bytes", req.URL.Redacted(), MaxFetchResponseBody)
	}
	r := &fetchResult{
		status:     resp.StatusCode,
		statusText: strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode))),
		body:       data,
		url:        resp.Request.URL.String(),
		redirected: resp.Request.URL.String() != req.URL.String(),
	}
	for k, vs := range resp.Header {
		for _, val := range vs {
			r.headers = append(r.headers, [2]string{k, val})
		}
	}
	return r, nil
}

// fetchResponse builds the plain object the prelude turns into a Response; on the loop only.
func (v *vm) fetchResponse(r *fetchResult) *goja.Object {
	rt := v.rt
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

// utf8Encode(string) -> ArrayBuffer.
func (v *vm) utf8Encode(call goja.FunctionCall) goja.Value {
	return v.rt.ToValue(v.rt.NewArrayBuffer([]byte(call.Argument(0).String())))
}

// utf8Decode(bufferSource, fatal) -> string; invalid sequences become U+FFFD unless fatal.
func (v *vm) utf8Decode(call goja.FunctionCall) goja.Value {
	var b []byte
	if err := v.rt.ExportTo(call.Argument(0), &b); err != nil {
		panic(v.rt.NewTypeError("TextDecoder.decode: %v", err))
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		if call.Argument(1).ToBoolean() {
			panic(v.rt.NewTypeError("TextDecoder.decode: the encoded data was not valid utf-8"))
		}
		return v.rt.ToValue(strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	return v.rt.ToValue(string(b))
}

// btoa encodes a binary string (code points ≤ 0xFF) as base64.
func (v *vm) btoa(call goja.FunctionCall) goja.Value {
	s := call.Argument(0).String()
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			panic(v.domException("InvalidCharacterError", "btoa: the string contains characters outside of the Latin1 range"))
		}
		b = append(b, byte(r))
	}
	return v.rt.ToValue(base64.StdEncoding.EncodeToString(b))
}

// atob decodes base64 (whitespace and missing padding allowed) into a binary string.
func (v *vm) atob(call goja.FunctionCall) goja.Value {
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r' {
			return -1
		}
		return r
	}, call.Argument(0).String())
	s = strings.TrimRight(s, "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		panic(v.domException("InvalidCharacterError", "atob: the string to be decoded is not correctly encoded"))
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return v.rt.ToValue(string(r))
}

func (v *vm) domException(name, msg string) *goja.Object {
	e := v.newError(msg)
	e.Set("name", name)
	return e
}
