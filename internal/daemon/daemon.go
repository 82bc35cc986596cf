// Package daemon assembles a running actionsd from its configuration: the git store, the npm
// installer, the reconciler (sync) with its secrets, and the HTTP API, with the Prometheus
// registry, the start-up collector settings and the shutdown sequence (drain, grace, close).
// cmd/actionsd parses flags into a config.Config and calls New and Run; tests run daemons
// in-process the same way.
package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/internal/api"
	"github.com/actionsd/actionsd/internal/bridges"
	"github.com/actionsd/actionsd/internal/buildinfo"
	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/internal/history"
	"github.com/actionsd/actionsd/internal/peers"
	"github.com/actionsd/actionsd/internal/progress"
	"github.com/actionsd/actionsd/internal/tracing"
	"github.com/actionsd/actionsd/internal/ui"
	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/sync"
	"github.com/actionsd/actionsd/sync/rollout"
)

// Daemon is a running actionsd: the reconciler and the HTTP API over one repository, and with
// Vault the login keeper and the rotation watcher.
type Daemon struct {
	rec       *sync.Reconciler
	rollouts  *rollout.Manager
	secrets   Secrets
	store     *gitstore.Store
	listener  net.Listener
	server    *api.Server
	peers     *peers.Set // nil: no peers
	registry  *prometheus.Registry
	grace     time.Duration // how long in-flight requests may take to finish on shutdown
	delay     time.Duration // how long the listener stays open on shutdown at least
	draining  atomic.Bool
	log       *zap.Logger
	startHeap int64            // Options.StartHeap
	tracing   *tracing.Tracing // nil: off
	history   *history.History // nil: history.enabled is false
}

// NewRegistry returns the Prometheus registry of a daemon, with the Go and process collectors.
func NewRegistry() *prometheus.Registry {
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return registry
}

// Options are what a daemon takes beside its configuration.
type Options struct {
	// Secrets is where secret values come from: NewSecrets for what the configuration names, or
	// Secrets{Source: s} for a plain source (a file, memory, or a Vault read without cache or
	// rotation watch).
	Secrets Secrets
	// Registry receives the daemon's metrics (and already holds those of Secrets); nil: one
	// made by NewRegistry.
	Registry *prometheus.Registry
	// Logger logs; nil: nothing is logged.
	Logger *zap.Logger
	// StartHeap is how far the heap may grow before the collector runs while the first
	// generation builds, in bytes (DefaultStartHeap; a GOMEMLIMIT below it wins); 0: the
	// collector runs as usual.
	StartHeap int64
	// Tracing records the daemon's spans; nil: as the OTEL_* environment asks (tracing.FromEnv),
	// which is off unless it names an OTLP exporter or endpoint. Run shuts it down as it returns.
	Tracing *tracing.Tracing
}

// New wires a daemon from cfg and opts; it listens but serves nothing until Run.
func New(cfg config.Config, opts Options) (*Daemon, error) {
	if err := gitstore.CheckLocal(cfg.Repo); err != nil {
		return nil, err
	}
	secrets, registry, log := opts.Secrets, opts.Registry, opts.Logger
	if registry == nil {
		registry = NewRegistry()
	}
	if log == nil {
		log = zap.NewNop()
	}
	runner.Precompile()
	if err := cfg.ResolveSecrets(); err != nil {
		return nil, err
	}
	if cfg.Token == "" {
		log.Info("the API has no token: local processes may call every route (ACTIONSD_TOKEN requires one)")
	}
	auth, err := gitstore.NewAuth(cfg.Repo, gitstore.Credentials{
		Username: cfg.Git.Username, Password: cfg.Git.Password,
		SSHKeyFile: cfg.Git.SSHKeyFile, SSHKeyPassphrase: cfg.Git.SSHKeyPassphrase, KnownHostsFile: cfg.Git.KnownHostsFile,
	})
	if err != nil {
		return nil, fmt.Errorf("git auth: %w", err)
	}
	verify, err := VerifyOptions(cfg.Verify)
	if err != nil {
		return nil, err
	}
	store, err := gitstore.Open(gitstore.Options{URL: cfg.Repo, Branch: cfg.Branch, DataDir: cfg.DataDir, Logger: log, Progress: logProgress(log),
		Auth: auth, Verify: verify, Registerer: registry, Limits: cfg.RepoLimits.Limits(), KeepCorrupt: cfg.KeepCorruptMirrors})
	if err != nil {
		return nil, err
	}
	var watcher sync.Watcher
	if store.Local() && (cfg.Watch == nil || *cfg.Watch) {
		watcher = store
	}
	instance := cfg.Instance
	if instance == "" {
		instance, _ = os.Hostname()
	}
	allow, err := egress.ParseAllow(append(cfg.Egress.Allow[:len(cfg.Egress.Allow):len(cfg.Egress.Allow)], secrets.EgressAllow...))
	if err != nil {
		return nil, fmt.Errorf("egress.allow: %w", err)
	}
	tr := opts.Tracing
	if tr == nil {
		if tr, err = tracing.FromEnv(context.Background(), tracing.Options{Version: buildinfo.Read().Version, Instance: instance, Logger: log}); err != nil {
			return nil, fmt.Errorf("tracing: %w", err)
		}
	}
	brs, err := bridges.New(bridges.Config{Auth0: cfg.Bridges.Auth0.Secret, Supabase: cfg.Bridges.Supabase.Secret,
		Zitadel: cfg.Bridges.Zitadel.SigningKey, Kratos: cfg.Bridges.Kratos.Token})
	if err != nil {
		return nil, fmt.Errorf("config: bridges: %w", err)
	}
	npmMetrics, err := npmvendor.NewMetrics(registry)
	if err != nil {
		return nil, fmt.Errorf("npm metrics: %w", err)
	}
	sc := sync.Config{
		Repository:   store,
		Secrets:      secrets.Source,
		Dependencies: newNPMInstaller(cfg, store, npmMetrics, log),
		PollInterval: time.Duration(cfg.PollInterval),
		Runner: runner.Options{Logger: log, HTTPClient: egress.NewClient(allow), StateKey: []byte(cfg.StateKey),
			Budget: time.Duration(cfg.ExecutionBudget), MemoryLimit: int64(cfg.ActionMemoryMiB) << 20, ProcessEnv: cfg.ProcessEnv,
			// The history keeps the actions' HTTP exchanges for replay; without it nothing reads them.
			RecordOutbound: cfg.History.On(), OutboundBodyLimit: int(cfg.History.OutboundBodyLimit)},
		Watcher:    watcher,
		Instance:   instance,
		Registerer: registry,
		Logger:     log,
	}
	if tr != nil { // hooks stay nil while tracing is off: they cost a nil check
		sc.Tracer, sc.Runner.Tracer = tr, tr
		sc.Runner.HTTPClient = tr.Client(sc.Runner.HTTPClient)
		log.Info("tracing on", zap.Stringer("exporter", tr))
	}
	if secrets.Watcher != nil { // a nil *Watcher in the interface would not be nil
		sc.SecretWatcher = secrets.Watcher
	}
	if secrets.Vault != nil {
		sc.Login = secrets.Vault
	}
	var tell func(rollout.Event) // the peers', once they are known below
	rollouts, err := rollout.Open(rollout.Options{Path: filepath.Join(cfg.DataDir, rollout.StateFile), Logger: log, Registerer: registry,
		Notify: func(e rollout.Event) {
			if tell != nil {
				tell(e)
			}
		}})
	if err != nil {
		return nil, err
	}
	sc.Rollouts = rollouts
	rec := sync.New(sc)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if ta, ok := ln.Addr().(*net.TCPAddr); ok && cfg.Token == "" && !ta.IP.IsLoopback() {
		ln.Close() // every address, or a name that resolved beyond loopback; config.Check says it first
		return nil, fmt.Errorf("config: addr %s listens on %s, which other hosts can reach, so the API needs a token", cfg.Addr, ta.IP)
	}
	d := &Daemon{
		rec:       rec,
		rollouts:  rollouts,
		secrets:   secrets,
		store:     store,
		listener:  ln,
		registry:  registry,
		grace:     time.Duration(cfg.ShutdownGrace),
		delay:     time.Duration(cfg.ShutdownDelay),
		log:       log,
		startHeap: opts.StartHeap,
		tracing:   tr,
	}
	if d.grace <= 0 {
		d.grace = config.DefaultGrace
	}
	var traceContext func(context.Context, http.Header) context.Context // nil while tracing is off
	if tr != nil {
		traceContext = tr.TraceContext
	}
	var webUI http.Handler
	if cfg.UI {
		webUI = ui.Handler("/ui/")
	}
	d.peers = newPeers(cfg, instance, ln, registry, log)
	if cfg.History.On() {
		if d.history, err = openHistory(cfg, registry, log); err != nil {
			ln.Close()
			return nil, err
		}
	}
	apiCfg := api.Config{
		Bridges:         brs,
		Reconciler:      rec,
		Token:           cfg.Token,
		Logger:          log,
		WebhookSecret:   cfg.Webhooks.Secret,
		Branch:          store.Branch(),
		Registerer:      registry,
		Metrics:         promhttp.HandlerFor(registry, promhttp.HandlerOpts{}),
		Draining:        d.draining.Load,
		ExecutionBudget: time.Duration(cfg.ExecutionBudget),
		Limits:          cfg.HTTP.Limits(),
		PeerSecret:      cfg.Peers.Secret,
		TraceContext:    traceContext,
		UI:              webUI,
		Rollouts:        rollouts,
		Rollback:        rec,
		History:         d.history,
	}
	if d.peers != nil { // a nil *peers.Set in the interface would not be nil
		apiCfg.Peers = d.peers
		tell = func(e rollout.Event) { api.TellRollout(d.peers, e) }
	}
	d.server = api.NewServer(apiCfg)
	if cfg.Webhooks.Secret == "" {
		log.Info("webhooks are disabled: no webhook secret (--webhook-secret, ACTIONSD_WEBHOOK_SECRET or webhooks.secret)")
	}
	return d, nil
}

// openHistory opens the execution history under <data_dir>/history, as cfg.History says.
func openHistory(cfg config.Config, registry prometheus.Registerer, log *zap.Logger) (*history.History, error) {
	hc := cfg.History
	rate, maxSize := hc.SampleRate, int64(hc.MaxSize)
	if maxSize < 0 {
		maxSize = math.MaxInt64
	}
	h, err := history.Open(history.Options{
		Dir: filepath.Join(cfg.DataDir, "history"), Key: []byte(hc.Key), MaxSize: maxSize, MaxAge: time.Duration(hc.MaxAge),
		SampleRate: &rate, Queue: hc.Queue, BatchWait: time.Duration(hc.BatchWait), PII: history.PII{Drop: hc.PII.Drop, Hash: hc.PII.Hash},
		Registerer: registry, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	log.Info("history: recording executions", zap.String("path", h.Path()), zap.Stringer("max_size", hc.MaxSize),
		zap.Duration("max_age", time.Duration(hc.MaxAge)), zap.Float64("sample_rate", rate))
	return h, nil
}

// newPeers lists the other replicas (peers.urls, peers.dns), leaving this daemon, which listens
// on ln, out. Wrong settings are warnings: the daemon serves without the peers they name.
func newPeers(cfg config.Config, instance string, ln net.Listener, registry prometheus.Registerer, log *zap.Logger) *peers.Set {
	pc := cfg.Peers
	for _, err := range peers.Check(nil, pc.DNS, pc.Port) {
		log.Warn("peers: a setting is wrong", zap.Error(err))
	}
	selfPort := 0
	if ta, ok := ln.Addr().(*net.TCPAddr); ok {
		selfPort = ta.Port
	}
	set, _ := peers.New(peers.Config{ // New warns about each wrong URL itself
		URLs: pc.URLs, DNS: pc.DNS, DNSPort: pc.Port, DNSInterval: time.Duration(pc.DNSInterval),
		Timeout: time.Duration(pc.Timeout), Secret: cmp.Or(pc.Secret, cfg.Token), SelfPort: selfPort,
		Instance: instance, Logger: log, Registerer: registry,
	})
	return set
}

// VerifyOptions reads the trusted keys of the verification mode: the daemon's signature policy,
// which validate applies too.
func VerifyOptions(v config.Verify) (gitstore.Verify, error) {
	var out gitstore.Verify
	switch v.Mode {
	case "", config.VerifyNone:
		return out, nil
	case config.VerifyHead:
		out.Commits = true
	case config.VerifyTags:
		out.Tags = true
	case config.VerifyHeadAndTags:
		out.Commits, out.Tags = true, true
	default:
		return out, fmt.Errorf("verify.mode %q: want none, head, tags or head-and-tags", v.Mode)
	}
	ring, err := gitstore.ReadKeyRing(v.OpenPGPKeys...)
	if err != nil {
		return out, err
	}
	sshKeys, err := gitstore.ReadSSHKeys(v.SSHKeys...)
	if err != nil {
		return out, err
	}
	if len(ring) == 0 && len(sshKeys) == 0 {
		return out, fmt.Errorf("verify.mode %s: no trusted openpgp or ssh keys", v.Mode)
	}
	out.KeyRing, out.SSHKeys = ring, sshKeys
	return out, nil
}

// URL is the base URL the API listens on.
func (d *Daemon) URL() string { return "http://" + d.listener.Addr().String() }

// Reconciler is the daemon's reconciler: Sync brings it to the deploy branch's HEAD now.
func (d *Daemon) Reconciler() *sync.Reconciler { return d.rec }

// Run serves until ctx ends (SIGTERM, SIGINT), then reports not ready, stops accepting, lets
// in-flight requests finish (bounded by the shutdown grace) and returns nil. SIGHUP asks for a
// sync. Under systemd (Type=notify) it sends READY=1, WATCHDOG=1 and STOPPING=1 (systemd.go).
// A daemon runs once.
func (d *Daemon) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	var side gosync.WaitGroup // the Vault login keeper and the rotation watcher
	if v := d.secrets.Vault; v != nil {
		side.Go(func() {
			if err := v.Run(ctx); err != nil {
				d.log.Error("vault login keeper stopped", zap.Error(err))
			}
		})
	}
	if w := d.secrets.Watcher; w != nil {
		side.Go(func() { _ = w.Run(ctx) })
	}
	restoreGC := relaxStartGC(d.startHeap)
	defer restoreGC() // when the daemon stops before its first reconcile ends
	go func() {
		select {
		case <-d.rec.Settled():
		case <-ctx.Done():
		}
		restoreGC()
	}()
	recDone := make(chan error, 1)
	go func() { recDone <- d.rec.Run(ctx) }()
	side.Go(func() { d.peers.Run(ctx) })
	side.Go(func() { d.rollouts.Run(ctx, rollout.CheckEvery) })
	if d.history != nil { // it writes what the last requests queued once ctx ends, after the drain
		side.Go(func() { d.history.Run(ctx) })
	}
	srvDone := make(chan error, 1)
	go func() { srvDone <- d.server.Serve(d.listener) }()
	notifyCtx, stopNotify := context.WithCancel(ctx)
	notifyDone := make(chan struct{})
	go func() { defer close(notifyDone); d.notifySystemd(notifyCtx) }()
	lim := d.server.Limits
	d.log.Info("serving", zap.String("addr", d.listener.Addr().String()),
		zap.Dict("http", zap.Duration("read_header_timeout", lim.ReadHeaderTimeout), zap.Duration("request_timeout", lim.RequestTimeout),
			zap.Duration("write_timeout", lim.WriteTimeout), zap.Duration("idle_timeout", lim.IdleTimeout),
			zap.Int("max_unauthenticated_conns", lim.MaxUnauthenticatedConns)))

	var err error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-hup:
			d.log.Info("SIGHUP: syncing")
			d.rec.Trigger()
		case err = <-srvDone:
			break loop
		}
	}
	stopNotify() // STOPPING=1 to systemd, before the drain
	<-notifyDone
	d.draining.Store(true)
	d.log.Info("shutting down: draining in-flight requests", zap.Duration("grace", d.grace))
	shutCtx, shutCancel := context.WithTimeout(context.Background(), d.grace)
	defer shutCancel()
	serr := d.server.Drain(shutCtx, d.delay)
	if serr != nil {
		d.log.Warn("shutdown grace ended with requests still running", zap.Error(serr))
		_ = d.server.Close()
	}
	cancel()
	<-recDone
	side.Wait()
	if d.history != nil {
		if herr := d.history.Close(); herr != nil {
			d.log.Warn("history: closing the database failed", zap.Error(herr))
		}
	}
	d.secrets.Close()
	if gen := d.rec.Current(); gen != nil && serr == nil {
		gen.Close() // nothing runs on it any more
	}
	if d.tracing != nil { // the spans still queued, the last reconcile's and executions' among them
		tctx, tcancel := context.WithTimeout(context.Background(), tracingFlush)
		if terr := d.tracing.Shutdown(tctx); terr != nil {
			d.log.Warn("tracing: the last spans were not exported", zap.Error(terr))
		}
		tcancel()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// tracingFlush bounds how long a stopping daemon waits for its last spans to be exported.
const tracingFlush = 5 * time.Second

// logProgress logs a line when long work (a first clone, npm packages fetched) starts and one when
// it ends, with its counts: a daemon's log is no terminal to draw a bar on.
func logProgress(log *zap.Logger) progress.Reporter {
	return progress.Lines(func(e progress.Event) {
		if !e.Done {
			log.Info(e.Phase, zap.Int("total", e.Total))
			return
		}
		fields := []zap.Field{zap.Int("done", e.Items), zap.Int64("bytes", e.Bytes), zap.Duration("took", e.Elapsed)}
		if e.Err != nil {
			log.Warn(e.Phase+" failed", append(fields, zap.Error(e.Err))...)
			return
		}
		log.Info(e.Phase+" done", fields...)
	})
}

// newNPMInstaller is the reconciler's prepare.Installer: npmvendor's over the cache in
// <data-dir>/npm, reading each commit's vendor/npm/ from the git mirror before any registry.
func newNPMInstaller(cfg config.Config, store *gitstore.Store, metrics *npmvendor.Metrics, log *zap.Logger) *npmvendor.RepoInstaller {
	opts := npmvendor.RepoInstallerOptions{Dir: filepath.Join(cfg.DataDir, "npm"), Repo: store, Registry: cfg.NPM.Registry,
		Retention: time.Duration(cfg.NPM.CacheRetention), MaxNpmrc: cfg.RepoLimits.Limits().WithDefaults().ManifestSize, Metrics: metrics, Logger: log,
		Progress: logProgress(log)}
	if store.Local() {
		opts.RepoDir = strings.TrimPrefix(cfg.Repo, "file://")
	}
	return npmvendor.NewRepoInstaller(opts)
}
