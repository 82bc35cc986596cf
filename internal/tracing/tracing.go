// Package tracing is actionsd's OpenTelemetry tracing, off unless the standard OTEL_* environment
// asks for it (FromEnv): a span per reconcile and per step of it (sync.Tracer), a span per
// execution and per action of it (runner.Tracer), and a span per HTTP request and socket connect
// that user code makes (Client), whose requests carry the W3C traceparent of their span. The
// execution routes continue the caller's trace from its traceparent header (TraceContext).
//
// It is the only package that imports OpenTelemetry: the runner, the reconciler and the API only
// call the small hooks they define, which are nil, and cost a nil check, while tracing is off.
//
// Spans carry names, commits, generations, outcomes and HTTP methods, hosts and status codes; never
// a secret, an event, a log line, a URL's path or query, or an error's text (a JavaScript error may
// quote the event; the status and the log have the reconcile's).
package tracing

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// instrumentation is the name of actionsd's tracer (the instrumentation scope of its spans).
const instrumentation = "github.com/actionsd/actionsd"

// The attributes of actionsd's own spans.
const (
	AttrTrigger    = attribute.Key("actionsd.trigger")
	AttrCommit     = attribute.Key("actionsd.commit")
	AttrGeneration = attribute.Key("actionsd.generation")
	AttrOutcome    = attribute.Key("actionsd.outcome")
	AttrAction     = attribute.Key("actionsd.action")
	AttrStep       = attribute.Key("actionsd.step")
	AttrResult     = attribute.Key("actionsd.result")
)

// Tracing records actionsd's spans with one tracer provider. A nil *Tracing is tracing off; the
// daemon then wires none of its hooks.
type Tracing struct {
	tracer   trace.Tracer
	prop     propagation.TextMapPropagator
	shutdown func(context.Context) error // flushes and stops the provider FromEnv made; nil for New's
	desc     string                      // what FromEnv set up, for the daemon's log
}

// New returns tracing that records with tp and propagates W3C trace context (traceparent,
// tracestate). Tests give it a provider with an in-memory exporter; FromEnv gives it the OTLP one.
func New(tp trace.TracerProvider) *Tracing {
	return &Tracing{tracer: tp.Tracer(instrumentation), prop: propagation.TraceContext{}}
}

// String says what the tracing exports to, without credentials (for the daemon's log).
func (t *Tracing) String() string {
	if t.desc == "" {
		return "tracing"
	}
	return t.desc
}

// Shutdown exports the spans still queued and stops the exporter; ctx bounds how long it may take.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil || t.shutdown == nil {
		return nil
	}
	return t.shutdown(ctx)
}

// TraceContext returns ctx with the trace context of h (traceparent, tracestate): the span started
// in it (the execution's) is a child of the caller's. An absent or malformed traceparent leaves ctx
// as it is, and the execution starts a trace of its own.
func (t *Tracing) TraceContext(ctx context.Context, h http.Header) context.Context {
	return t.prop.Extract(ctx, propagation.HeaderCarrier(h))
}

// StartExecution is runner.Tracer's: the span "execute <trigger>", of kind server (an execution
// answers a request), with the trigger, commit and generation; its end adds the outcome, and marks
// a "failed" one as an error.
func (t *Tracing) StartExecution(ctx context.Context, trigger, commit string, generation int64) (context.Context, func(outcome string)) {
	ctx, span := t.tracer.Start(ctx, "execute "+trigger, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(AttrTrigger.String(trigger), AttrCommit.String(commit), AttrGeneration.Int64(generation)))
	return ctx, func(outcome string) {
		span.SetAttributes(AttrOutcome.String(outcome))
		if outcome == "failed" {
			span.SetStatus(codes.Error, "an action failed")
		}
		span.End()
	}
}

// StartAction is runner.Tracer's: the span "action <name>", a child of the execution's, in
// whose context the action's requests and sockets start theirs.
func (t *Tracing) StartAction(ctx context.Context, name string) (context.Context, func(failed bool)) {
	ctx, span := t.tracer.Start(ctx, "action "+name, trace.WithAttributes(AttrAction.String(name)))
	return ctx, func(failed bool) {
		if failed {
			span.SetStatus(codes.Error, "the action failed")
		}
		span.End()
	}
}

// StartReconcile is sync.Tracer's: the span "reconcile", the root of a trace of its own; its end
// adds the commit, the generation swapped in and the result, and marks a failed one as an error
// naming the step.
func (t *Tracing) StartReconcile(ctx context.Context) (context.Context, func(commit string, generation int64, result, failedStep string)) {
	ctx, span := t.tracer.Start(ctx, "reconcile", trace.WithNewRoot())
	return ctx, func(commit string, generation int64, result, failedStep string) {
		if commit != "" {
			span.SetAttributes(AttrCommit.String(commit))
		}
		if generation != 0 {
			span.SetAttributes(AttrGeneration.Int64(generation))
		}
		span.SetAttributes(AttrOutcome.String(result))
		if failedStep != "" {
			span.SetAttributes(AttrStep.String(failedStep))
			span.SetStatus(codes.Error, "step "+failedStep+" failed")
		}
		span.End()
	}
}

// StartStep is sync.Tracer's: the span "reconcile <step>", a child of the reconcile's; its end
// adds the step's result ("ok", "skipped", "content" or "transient"), an error for the last two.
func (t *Tracing) StartStep(ctx context.Context, name string) (context.Context, func(result string)) {
	ctx, span := t.tracer.Start(ctx, "reconcile "+name, trace.WithAttributes(AttrStep.String(name)))
	return ctx, func(result string) {
		span.SetAttributes(AttrResult.String(result))
		if result == "content" || result == "transient" {
			span.SetStatus(codes.Error, result+" error")
		}
		span.End()
	}
}

// Client returns c with a transport that records each request (fetch, node:http, node:https;
// each redirect hop is one) as a client span, a child of the span of the request's context (the
// action's), and sends the span's traceparent with it; and whose DialContext, which node:net and
// node:tls dial through (egress.DialerOf), records each socket connect. c's transport must be
// egress.NewClient's *http.Transport: the wrapper dials through it, so the egress policy still
// judges every connection. A client with another transport is returned as it is.
func (t *Tracing) Client(c *http.Client) *http.Client {
	base, ok := c.Transport.(*http.Transport)
	if !ok {
		return c
	}
	out := *c
	out.Transport = &transport{t: t, base: base}
	return &out
}

// transport is Client's RoundTripper.
type transport struct {
	t    *Tracing
	base *http.Transport
}

// RoundTrip sends req in a client span named after its method, with the method, the server's host
// and port, and the response's status code (an error from 400 on, as for any HTTP client span).
// The caller's request is not changed: the traceparent goes on a copy of its headers.
func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := knownMethod(req.Method)
	host, port := hostPort(req.URL.Host, req.URL.Scheme)
	ctx, span := tr.t.tracer.Start(req.Context(), method, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", method), attribute.String("server.address", host),
			attribute.Int("server.port", port)))
	out := req.WithContext(ctx)
	out.Header = req.Header.Clone()
	if out.Header == nil {
		out.Header = http.Header{}
	}
	tr.t.prop.Inject(ctx, propagation.HeaderCarrier(out.Header))
	resp, err := tr.base.RoundTrip(out)
	if err != nil {
		span.SetStatus(codes.Error, "request failed")
		span.End()
		return nil, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 400 {
		span.SetStatus(codes.Error, "")
	}
	span.End()
	return resp, nil
}

// CloseIdleConnections closes the wrapped transport's idle connections (http.Client's method).
func (tr *transport) CloseIdleConnections() { tr.base.CloseIdleConnections() }

// DialContext dials a socket of node:net or node:tls through the egress transport's dialer in a
// client span "connect", with the server's host and port.
func (tr *transport) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port := hostPort(addr, "")
	ctx, span := tr.t.tracer.Start(ctx, "connect", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("network.transport", "tcp"), attribute.String("server.address", host),
			attribute.Int("server.port", port)))
	defer span.End()
	if tr.base.DialContext == nil {
		span.SetStatus(codes.Error, "no dialer")
		return nil, fmt.Errorf("connect %s: the transport has no dialer", addr)
	}
	conn, err := tr.base.DialContext(ctx, network, addr)
	if err != nil {
		span.SetStatus(codes.Error, "connect failed")
	}
	return conn, err
}

// hostPort splits a URL's host (or a dial address) into host and port, the port defaulting to the
// scheme's.
func hostPort(hostport, scheme string) (string, int) {
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.Trim(hostport, "[]")
		switch scheme {
		case "https":
			return host, 443
		case "http":
			return host, 80
		}
		return host, 0
	}
	n, _ := strconv.Atoi(p)
	return host, n
}

// knownMethod is method when it is one of HTTP's, else "_OTHER" (OpenTelemetry's semantic
// conventions): span names stay few whatever user code sends.
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	case "":
		return http.MethodGet
	}
	return "_OTHER"
}
