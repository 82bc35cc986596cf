package tracing_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/internal/tracing"
	"github.com/actionsd/actionsd/internal/tracing/otlptest"
)

// otelVars are every variable FromEnv's rule reads; each case sets all of them (empty = unset).
var otelVars = []string{"OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
	"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
	"OTEL_TRACES_SAMPLER", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"}

func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, k := range otelVars {
		t.Setenv(k, env[k])
	}
}

// FromEnv's rule: on with OTEL_TRACES_EXPORTER=otlp or, with it unset, an OTLP endpoint; off
// otherwise; what it cannot honour is an error naming the variable.
func TestFromEnvRule(t *testing.T) {
	const ep = "http://127.0.0.1:1"
	for _, c := range []struct {
		name    string
		env     map[string]string
		on      bool
		wantErr string
	}{
		{"nothing set", nil, false, ""},
		{"endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": ep}, true, ""},
		{"traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": ep + "/v1/traces"}, true, ""},
		{"exporter otlp, default endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true, ""},
		{"exporter none wins over an endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": ep}, false, ""},
		{"sdk disabled wins", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": ep}, false, ""},
		{"grpc", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": ep, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, true, ""},
		{"unsupported exporter", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, false, `OTEL_TRACES_EXPORTER: exporter "zipkin" is not supported`},
		{"unsupported protocol", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": ep, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"}, false, `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol "http/json" is not supported`},
		{"bad endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, false, `OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" is not an http:// or https:// URL`},
		{"endpoint password not shown", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "ftp://u:hunter2@collector"}, false, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "ftp://u:xxxxx@collector"`},
		{"bad sampler", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": ep, "OTEL_TRACES_SAMPLER": "sometimes"}, false, `OTEL_TRACES_SAMPLER: sampler "sometimes" is not supported`},
	} {
		t.Run(c.name, func(t *testing.T) {
			setEnv(t, c.env)
			tr, err := tracing.FromEnv(context.Background(), tracing.Options{})
			if cerr := tracing.CheckEnv(); (cerr == nil) != (err == nil) || (err != nil && cerr.Error() != err.Error()) {
				t.Errorf("CheckEnv() = %v, FromEnv's error %v", cerr, err)
			}
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, c.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("the error shows the endpoint's password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (tr != nil) != c.on {
				t.Fatalf("on = %v, want %v", tr != nil, c.on)
			}
			if tr != nil {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				_ = tr.Shutdown(ctx) // nothing was recorded: nothing is sent
			}
		})
	}
}

// Spans reach an OTLP receiver on loopback over either protocol, with the resource FromEnv
// describes: actionsd's name, version and instance unless OTEL_SERVICE_NAME says otherwise.
func TestFromEnvExports(t *testing.T) {
	for _, c := range []struct {
		protocol string
		recv     func(testing.TB) *otlptest.Receiver
		service  string
	}{
		{"http/protobuf", otlptest.NewHTTP, ""},
		{"grpc", otlptest.NewGRPC, "actionsd-eu"},
	} {
		t.Run(c.protocol, func(t *testing.T) {
			recv := c.recv(t)
			setEnv(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": recv.Endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": c.protocol,
				"OTEL_SERVICE_NAME": c.service})
			tr, err := tracing.FromEnv(context.Background(), tracing.Options{Version: "v1.2.3", Instance: "replica-0"})
			if err != nil || tr == nil {
				t.Fatalf("FromEnv: %v, %v", tr, err)
			}
			if !strings.Contains(tr.String(), c.protocol) || !strings.Contains(tr.String(), recv.Endpoint) {
				t.Errorf("String() = %q", tr.String())
			}
			ctx, end := tr.StartReconcile(context.Background())
			_, endStep := tr.StartStep(ctx, "fetch")
			endStep("ok")
			end("abc123", 3, "applied", "")
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := tr.Shutdown(sctx); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			if errs := recv.Errors(); len(errs) > 0 {
				t.Errorf("bad requests: %q", errs)
			}
			spans := recv.Spans()
			if len(spans) != 2 {
				t.Fatalf("received %d spans, want 2: %+v", len(spans), spans)
			}
			byName := map[string]otlptest.Span{}
			for _, s := range spans {
				byName[s.Name] = s
			}
			rec, step := byName["reconcile"], byName["reconcile fetch"]
			if rec.Name == "" || step.Name == "" || step.ParentSpanID != rec.SpanID || rec.ParentSpanID != "" {
				t.Fatalf("spans %+v", spans)
			}
			want := map[string]string{"actionsd.commit": "abc123", "actionsd.generation": "3", "actionsd.outcome": "applied"}
			if !equal(rec.Attributes, want) {
				t.Errorf("reconcile's attributes %v, want %v", rec.Attributes, want)
			}
			service := c.service
			if service == "" {
				service = "actionsd"
			}
			for k, v := range map[string]string{"service.name": service, "service.version": "v1.2.3", "service.instance.id": "replica-0",
				"telemetry.sdk.language": "go"} {
				if rec.Resource[k] != v {
					t.Errorf("resource %s = %q, want %q", k, rec.Resource[k], v)
				}
			}
		})
	}
}
