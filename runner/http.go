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

// httpNatives adds httpRequest(url, method, headerPairs, body) -> [promise, abort] for
// node/http.js. It uses the generation's egress-checked client without following redirects, as
// Node's http does; errors carry Node's error codes where one fits.
func (v *vm) httpNatives(n *goja.Object) {
	n.Set("httpRequest", func(call goja.FunctionCall) goja.Value {
		run := v.run
		if run == nil {
			panic(v.newError("http requests are not available while the code loads; make them from the handler"))
		}
		req, _ := v.newRequest("http.request", call)
		if v.httpc == nil {
			c := *v.act.env.client
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			v.httpc = &c
		}
		return v.startRequest(run, v.httpc, req, func(err error) goja.Value {
			e := v.newError(err.Error())
			e.Set("code", netErrorCode(err))
			return e
		})
	})
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
