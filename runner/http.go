package runner

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/dop251/goja"
)

// httpNatives adds httpRequest({protocol, hostname, port, path}, method, headerPairs, body) ->
// [promise, abort] for node/http.js. The path is sent as given, as Node sends it
// (httpRequestURL). It uses the generation's egress-checked client without following redirects,
// as Node's http does; errors carry Node's error codes where one fits.
func (v *vm) httpNatives(n *goja.Object) {
	n.Set("httpRequest", func(call goja.FunctionCall) goja.Value {
		rt := v.rt
		run := v.run
		if run == nil {
			panic(v.newError("http requests are not available while the code loads; make them from the handler"))
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
			e := v.newError("http.request: " + err.Error())
			e.Set("code", "ERR_INVALID_URL")
			panic(e)
		}
		req, _ := v.newRequest("http.request", target, call)
		return v.startRequest(run, v.noRedirectClient(), req, func(_ context.Context, c *http.Client, req *http.Request) (*fetchResult, error) {
			resp, err := send(c, req)
			if err != nil {
				return nil, err
			}
			return readResponse(resp, false)
		}, func(err error) goja.Value {
			e := v.newError(err.Error())
			e.Set("code", netErrorCode(err))
			return e
		})
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
	var ee *EgressError
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
