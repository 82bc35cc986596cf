package tracing

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.uber.org/zap"
)

// The environment variables FromEnv reads itself; the OTLP exporters and the SDK read the others
// (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION, _CERTIFICATE, OTEL_BSP_*, OTEL_TRACES_SAMPLER_ARG,
// OTEL_SPAN_*_LIMIT, OTEL_RESOURCE_ATTRIBUTES, and the _TRACES_ variant of each exporter variable).
const (
	envDisabled       = "OTEL_SDK_DISABLED"
	envExporter       = "OTEL_TRACES_EXPORTER"
	envEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	envProtocol       = "OTEL_EXPORTER_OTLP_PROTOCOL"
	envTracesProtocol = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
	envSampler        = "OTEL_TRACES_SAMPLER"
	envServiceName    = "OTEL_SERVICE_NAME"
)

// Options describe the process for FromEnv.
type Options struct {
	// Version is service.version (the module version of the binary); "" leaves it out.
	Version string
	// Instance is service.instance.id (the replica's name, as in the status); "" leaves it out.
	Instance string
	// Logger receives the exporter's errors (a collector that is down), as warnings; nil drops them.
	Logger *zap.Logger
}

// FromEnv sets up tracing as the process's OTEL_* environment asks, or returns nil (off).
//
// Tracing is on when OTEL_TRACES_EXPORTER is "otlp", or when it is unset (or empty) and
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT is set. It is off otherwise:
// with neither set (unlike the specification's default of "otlp" to localhost, tracing is opt-in),
// with OTEL_TRACES_EXPORTER=none, and with OTEL_SDK_DISABLED=true, which wins over everything.
//
// When on, spans are batched and sent over OTLP, http/protobuf unless OTEL_EXPORTER_OTLP_PROTOCOL
// (or its _TRACES_ variant) says grpc, to the endpoint the exporter reads from the environment
// (its default, localhost:4318 or :4317, when none is set); sampled by OTEL_TRACES_SAMPLER
// (default parentbased_always_on: a sampled caller's traceparent is honoured); with service.name
// "actionsd" unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES names another. An exporter,
// protocol, sampler or endpoint it cannot honour is an error naming the variable.
func FromEnv(ctx context.Context, opts Options) (*Tracing, error) {
	st, err := readEnv()
	if err != nil || !st.on {
		return nil, err
	}
	protocol, shown := st.protocol, st.endpoint
	var exp sdktrace.SpanExporter
	if protocol == "grpc" {
		exp, err = otlptracegrpc.New(ctx)
	} else {
		exp, err = otlptracehttp.New(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("the otlp %s exporter: %w", protocol, err)
	}
	res, err := newResource(ctx, opts)
	if err != nil {
		_ = exp.Shutdown(ctx)
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	if opts.Logger != nil {
		log := opts.Logger
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
			log.Warn("tracing: exporting spans failed", zap.Error(err))
		}))
	}
	t := New(tp)
	t.shutdown = tp.Shutdown
	t.desc = "otlp " + protocol
	if shown != "" {
		t.desc += " to " + shown
	} else {
		t.desc += " to the exporter's default endpoint"
	}
	return t, nil
}

// CheckEnv reports what FromEnv would refuse in the OTEL_* environment, without setting anything
// up (serve --check-config); nil when tracing is off or would start.
func CheckEnv() error {
	_, err := readEnv()
	return err
}

// settings are what the environment asks of tracing.
type settings struct {
	on       bool
	protocol string // "http/protobuf" or "grpc"
	endpoint string // as the log may show it; "" for the exporter's default
}

// readEnv applies FromEnv's rule and checks the variables it reads itself.
func readEnv() (settings, error) {
	if v := os.Getenv(envDisabled); strings.EqualFold(strings.TrimSpace(v), "true") {
		return settings{}, nil
	}
	on, err := enabled()
	if err != nil || !on {
		return settings{}, err
	}
	if err := checkSampler(); err != nil {
		return settings{}, err
	}
	st := settings{on: true, protocol: firstEnv(envTracesProtocol, envProtocol)}
	switch st.protocol {
	case "":
		st.protocol = "http/protobuf"
	case "http/protobuf", "grpc":
	default:
		name := envProtocol
		if os.Getenv(envTracesProtocol) != "" {
			name = envTracesProtocol
		}
		return settings{}, fmt.Errorf("%s: protocol %q is not supported: http/protobuf or grpc", name, st.protocol)
	}
	endpoint, endpointVar := firstEnv(envTracesEndpoint, envEndpoint), envTracesEndpoint
	if os.Getenv(envTracesEndpoint) == "" {
		endpointVar = envEndpoint
	}
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return settings{}, fmt.Errorf("%s: %q is not an http:// or https:// URL", endpointVar, redact(endpoint))
		}
		st.endpoint = u.Redacted()
	}
	return st, nil
}

// enabled applies FromEnv's rule to OTEL_TRACES_EXPORTER and the endpoints.
func enabled() (bool, error) {
	exporters := strings.TrimSpace(os.Getenv(envExporter))
	if exporters == "" {
		return firstEnv(envTracesEndpoint, envEndpoint) != "", nil
	}
	on := false
	for _, e := range strings.Split(exporters, ",") {
		switch strings.ToLower(strings.TrimSpace(e)) {
		case "otlp":
			on = true
		case "none":
		default:
			return false, fmt.Errorf("%s: exporter %q is not supported: otlp or none", envExporter, strings.TrimSpace(e))
		}
	}
	return on, nil
}

// checkSampler refuses an OTEL_TRACES_SAMPLER the SDK would ignore (it would sample everything).
func checkSampler() error {
	switch s := strings.TrimSpace(os.Getenv(envSampler)); s {
	case "", "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio":
		return nil
	default:
		return fmt.Errorf("%s: sampler %q is not supported: always_on, always_off, traceidratio or their parentbased_ forms", envSampler, s)
	}
}

// newResource describes the process: service.name actionsd (the environment's wins), version and
// instance, and the SDK's own attributes.
func newResource(ctx context.Context, opts Options) (*resource.Resource, error) {
	attrs := []resource.Option{resource.WithAttributes(semconv.ServiceName("actionsd"))}
	if opts.Version != "" {
		attrs = append(attrs, resource.WithAttributes(semconv.ServiceVersion(opts.Version)))
	}
	if opts.Instance != "" {
		attrs = append(attrs, resource.WithAttributes(semconv.ServiceInstanceID(opts.Instance)))
	}
	attrs = append(attrs, resource.WithTelemetrySDK(), resource.WithFromEnv())
	res, err := resource.New(ctx, attrs...)
	if err != nil {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES or %s: %w", envServiceName, err)
	}
	return res, nil
}

// firstEnv is the first of the variables that is set and not empty.
func firstEnv(names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(os.Getenv(n)); v != "" {
			return v
		}
	}
	return ""
}

// redact is an endpoint as an error may show it: without a password.
func redact(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil {
		return u.Redacted()
	}
	return "(an unparsable URL)"
}
