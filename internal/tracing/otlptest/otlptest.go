// Package otlptest is for tests only: an OTLP trace receiver on loopback, over HTTP (protobuf,
// plain or gzip) or gRPC, that decodes what an exporter sends with the OTLP protocol's own
// collector types and keeps the spans.
package otlptest

import (
	"compress/gzip"
	"context"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	gosync "sync"
	"testing"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// Span is one received span, flattened.
type Span struct {
	Name         string
	TraceID      string // hex
	SpanID       string // hex
	ParentSpanID string // hex; "" for a root
	Kind         string // "SPAN_KIND_SERVER", ...
	StatusCode   string // "STATUS_CODE_ERROR", ...
	Attributes   map[string]string
	Resource     map[string]string // the attributes of the span's resource
	Scope        string            // the instrumentation scope's name
}

// Receiver is a running receiver; Close stops it (also when the test ends).
type Receiver struct {
	// Endpoint is the base URL to give OTEL_EXPORTER_OTLP_ENDPOINT ("http://127.0.0.1:port").
	Endpoint string

	mu       gosync.Mutex
	spans    []Span
	requests int
	errs     []string
	close    func()
}

// NewHTTP starts a receiver of OTLP/HTTP protobuf at <Endpoint>/v1/traces.
func NewHTTP(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" {
			r.fail(req.Method + " " + req.URL.Path + ": not the traces route")
			http.NotFound(w, req)
			return
		}
		var body io.Reader = req.Body
		if req.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(req.Body)
			if err != nil {
				r.fail("gzip: " + err.Error())
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = zr
		}
		b, err := io.ReadAll(body)
		if err != nil {
			r.fail("read: " + err.Error())
			return
		}
		if ct := req.Header.Get("Content-Type"); ct != "application/x-protobuf" {
			r.fail("content type " + ct)
		}
		var msg collectorpb.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &msg); err != nil {
			r.fail("decode: " + err.Error())
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.add(&msg)
		out, _ := proto.Marshal(&collectorpb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	r.Endpoint, r.close = srv.URL, srv.Close
	t.Cleanup(r.Close)
	return r
}

// NewGRPC starts a receiver of OTLP/gRPC.
func NewGRPC(t testing.TB) *Receiver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &Receiver{Endpoint: "http://" + ln.Addr().String()}
	s := grpc.NewServer()
	collectorpb.RegisterTraceServiceServer(s, grpcService{r: r})
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(ln) }()
	r.close = func() { s.Stop(); <-done }
	t.Cleanup(r.Close)
	return r
}

type grpcService struct {
	collectorpb.UnimplementedTraceServiceServer
	r *Receiver
}

func (g grpcService) Export(_ context.Context, msg *collectorpb.ExportTraceServiceRequest) (*collectorpb.ExportTraceServiceResponse, error) {
	g.r.add(msg)
	return &collectorpb.ExportTraceServiceResponse{}, nil
}

// Close stops the receiver; calling it again does nothing.
func (r *Receiver) Close() {
	r.mu.Lock()
	c := r.close
	r.close = nil
	r.mu.Unlock()
	if c != nil {
		c()
	}
}

// Spans returns the spans received so far.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.spans...)
}

// Requests is how many export requests arrived (well-formed or not).
func (r *Receiver) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests + len(r.errs)
}

// Errors are what was wrong with the requests that arrived: a route, an encoding, a content type.
func (r *Receiver) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

func (r *Receiver) fail(msg string) {
	r.mu.Lock()
	r.errs = append(r.errs, msg)
	r.mu.Unlock()
}

func (r *Receiver) add(msg *collectorpb.ExportTraceServiceRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	for _, rs := range msg.GetResourceSpans() {
		res := attrMap(rs.GetResource().GetAttributes())
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				r.spans = append(r.spans, Span{
					Name: s.GetName(), TraceID: hex.EncodeToString(s.GetTraceId()), SpanID: hex.EncodeToString(s.GetSpanId()),
					ParentSpanID: hex.EncodeToString(s.GetParentSpanId()), Kind: s.GetKind().String(),
					StatusCode: s.GetStatus().GetCode().String(), Attributes: attrMap(s.GetAttributes()),
					Resource: res, Scope: ss.GetScope().GetName(),
				})
			}
		}
	}
}

// attrMap renders attributes' values as text (strings as they are, numbers in decimal).
func attrMap(kvs []*commonpb.KeyValue) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		v := kv.GetValue()
		switch x := v.GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			m[kv.GetKey()] = x.StringValue
		default:
			m[kv.GetKey()] = anyText(v)
		}
	}
	return m
}

func anyText(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_IntValue:
		return strconv.FormatInt(x.IntValue, 10)
	case *commonpb.AnyValue_BoolValue:
		if x.BoolValue {
			return "true"
		}
		return "false"
	}
	return v.String()
}
