package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/internal/api"
	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/sync"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// shutdownGrace bounds how long in-flight requests may take to finish on shutdown.
const shutdownGrace = 25 * time.Second

// daemon is a running actionsd: the reconciler and the HTTP API over one repository.
type daemon struct {
	rec      *sync.Reconciler
	listener net.Listener
	server   *http.Server
	log      *zap.Logger
}

// newDaemon wires a daemon from cfg and secrets; it listens but serves nothing until run.
func newDaemon(cfg config.Config, secrets vaultsecrets.Source, log *zap.Logger) (*daemon, error) {
	store, err := gitstore.Open(gitstore.Options{URL: cfg.Repo, Branch: cfg.Branch, DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		return nil, err
	}
	egress, err := runner.ParseEgressAllow(cfg.Egress.Allow)
	if err != nil {
		return nil, fmt.Errorf("egress.allow: %w", err)
	}
	rec := sync.New(sync.Config{
		Repository:   store,
		Secrets:      secrets,
		PollInterval: time.Duration(cfg.PollInterval),
		Runner:       runner.Options{Logger: log, HTTPClient: runner.NewHTTPClient(egress)},
		Logger:       log,
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	handler := api.New(api.Config{Reconciler: rec, Token: cfg.Token, Logger: log})
	return &daemon{
		rec:      rec,
		listener: ln,
		server:   &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second},
		log:      log,
	}, nil
}

// URL is the base URL the API listens on.
func (d *daemon) URL() string { return "http://" + d.listener.Addr().String() }

// run serves until ctx ends, then stops accepting, lets in-flight requests finish (bounded) and
// returns. SIGHUP asks for a sync.
func (d *daemon) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	recDone := make(chan error, 1)
	go func() { recDone <- d.rec.Run(ctx) }()
	srvDone := make(chan error, 1)
	go func() { srvDone <- d.server.Serve(d.listener) }()
	d.log.Info("serving", zap.String("addr", d.listener.Addr().String()))

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
	cancel()
	shutCtx, shutCancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer shutCancel()
	if serr := d.server.Shutdown(shutCtx); serr != nil && err == nil {
		err = serr
	}
	<-recDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// newLogger builds the zap logger the config asks for.
func newLogger(c config.Log) (*zap.Logger, error) {
	level, err := zapcore.ParseLevel(c.Level)
	if err != nil {
		return nil, fmt.Errorf("log.level: %w", err)
	}
	zc := zap.NewProductionConfig()
	if c.Format == "console" {
		zc = zap.NewDevelopmentConfig()
		zc.EncoderConfig.EncodeLevel = zapcore.CapitalColorLevelEncoder
	}
	zc.Level = zap.NewAtomicLevelAt(level)
	zc.DisableStacktrace = true
	return zc.Build()
}
