package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/actionsd/actionsd/runner/egress"
	"github.com/dop251/goja"
)

// HTTPRequest is node:http's transport, the native httpRequest({protocol, hostname, port, path},
// method, headerPairs, body) -> [promise, abort] of node/http.js. The path is sent as given, as
// Node sends it (httpRequestURL). It uses Config.Client without following redirects, as Node's
// http does; errors carry Node's error codes where one fits.
func (w *Globals) HTTPRequest(call goja.FunctionCall) goja.Value {
	rt := w.rt
	ctx := w.vm.Context()
	if ctx == nil {
		panic(w.in.NewError("http requests are not available while the code loads; make them from the handler"))
	}
	o := call.Argument(0).ToObject(rt)
	str := func(k string) string {
		if val := o.Get(k); val != nil && !goja.IsUndefined(val) && !goja.IsNull(val) {
			return val.String()
		}
		return ""
	}
	target, err := httpRequestURL(str("protocol"), str("hostname"), str("port"), latin1(str("path")))
	if err != nil {
		e := w.in.NewError("http.request: " + err.Error())
		e.Set("code", "ERR_INVALID_URL")
		panic(e)
	}
	req, _ := w.newRequest(ctx, "http.request", target, call)
	return w.startRequest(w.noRedirectClient(), req, func(_ context.Context, c *http.Client, req *http.Request) (*fetchResult, error) {
		resp, err := send(c, req)
		if err != nil {
			return nil, err
		}
		return readResponse(resp, false)
	}, func(err error) goja.Value {
		e := w.in.NewError(err.Error())
		e.Set("code", netErrorCode(err))
		return e
	})
}

// latin1 turns a JavaScript string whose code points are all below 256 into those bytes, as Node
// writes a request path; others stay UTF-8.
func latin1(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			b := make([]byte, 0, len(s))
			for _, r := range s {
				if r > 0xff {
					return s
				}
				b = append(b, byte(r))
			}
			return string(b)
		}
	}
	return s
}

// netErrorCode maps a Go transport error to the code Node would give it.
func netErrorCode(err error) string {
	var ee *egress.Error
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &ee):
		return "EACCES"
	case errors.Is(err, context.Canceled):
		return "ECONNRESET"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "ETIMEDOUT"
	case errors.As(err, &dnsErr):
		return "ENOTFOUND"
	case strings.Contains(err.Error(), "connection refused"):
		return "ECONNREFUSED"
	case strings.Contains(err.Error(), "connection reset"):
		return "ECONNRESET"
	}
	return "ECONNRESET"
}
