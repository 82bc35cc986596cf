package vaultsecrets_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/internal/vaulttest"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// TestWatcherReportsRotations: with a 1 s poll, a new version is reported, bursts collapse into one
// signal, and only metadata is read until a version moves. It logs rotation-to-detection latency
// over 20 rotations (never asserted).
func TestWatcherReportsRotations(t *testing.T) {
	srv := vaulttest.Start(t)
	reg := prometheus.NewPedanticRegistry()
	m, err := vaultsecrets.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	v := newVaultAt(t, vaultsecrets.VaultConfig{Address: srv.Addr, Token: srv.RootToken}, vaultsecrets.WithMetrics(m))
	cache := vaultsecrets.NewCache(v, vaultsecrets.CacheConfig{Logger: zaptest.NewLogger(t), Metrics: m})
	w, err := vaultsecrets.NewWatcher(vaultsecrets.WatcherConfig{Source: v, Cache: cache, Interval: time.Second, Logger: zaptest.NewLogger(t), Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	owners := []vaultsecrets.Owner{logger, action("a"), action("b")}
	for _, o := range owners {
		srv.Put(t, "actionsd/"+o.String(), map[string]any{"K": canary})
		if _, err := cache.Read(t.Context(), o); err != nil {
			t.Fatal(err)
		}
	}
	w.SetOwners(owners)
	runBackground(t, w.Run)

	// Quiet rounds read metadata only.
	reads := func(op string) float64 {
		return counter(t, reg, "actionsd_vault_requests_total", "op", op)
	}
	waitFor(t, "two metadata rounds", func() bool { return reads("metadata") >= 6 })
	if got := reads("read"); got != 3 {
		t.Errorf("got %v data reads, want the 3 first reads only", got)
	}

	// A burst over three owners gives one signal and three owners.
	for _, o := range owners {
		srv.Put(t, "actionsd/"+o.String(), map[string]any{"K": "rotated"})
	}
	var got []vaultsecrets.Owner
	waitFor(t, "three changed owners", func() bool {
		select {
		case <-w.Changes():
			got = append(got, w.TakeChanged()...)
		default:
		}
		return len(got) >= 3
	})
	slices.SortFunc(got, func(a, b vaultsecrets.Owner) int { return strings.Compare(a.String(), b.String()) })
	if fmt.Sprint(got) != "[actions/a actions/b modules/logger]" {
		t.Errorf("got changed %v, want the three owners", got)
	}
	select {
	case <-w.Changes():
		if extra := w.TakeChanged(); len(extra) > 0 {
			t.Errorf("got another signal with %v, want none until a read", extra)
		}
	default:
	}
	for _, o := range owners {
		if _, err := cache.Read(t.Context(), o); err != nil {
			t.Fatal(err)
		}
	}
	if got := counter(t, reg, "actionsd_vault_rotations_detected_total"); got < 3 {
		t.Errorf("got %v rotations detected, want 3", got)
	}

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if dump := fmt.Sprint(mfs); strings.Contains(dump, canary) || strings.Contains(dump, srv.RootToken) {
		t.Errorf("metrics hold a value or the token")
	}
	// Looked up field by field: the text form of protobuf messages varies on purpose.
	perOwner := false
	for _, mf := range mfs {
		if mf.GetName() != "actionsd_vault_secret_version" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				perOwner = perOwner || l.GetName() == "owner" && l.GetValue() == "modules/logger"
			}
		}
	}
	if !perOwner {
		t.Errorf("metrics lack the per-owner version of modules/logger")
	}
	if testing.Short() {
		return
	}
	// Rotation-to-detection latency: Put returns, then the watcher reports the owner.
	const n = 20
	lat := make([]time.Duration, 0, n)
	w.SetOwners([]vaultsecrets.Owner{logger})
	for i := range n {
		// Start at varying phases of the poll.
		time.Sleep(time.Duration(i%5) * 200 * time.Millisecond)
		srv.Put(t, "actionsd/modules/logger", map[string]any{"K": fmt.Sprint("v", i)})
		start := time.Now()
		for {
			<-w.Changes()
			if slices.Contains(w.TakeChanged(), logger) {
				break
			}
		}
		lat = append(lat, time.Since(start))
		if _, err := cache.Read(t.Context(), logger); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(lat)
	t.Logf("rotation to detection, 1s poll, %d rotations: p50 %s, p90 %s, max %s", n,
		lat[n/2].Round(time.Millisecond), lat[n*9/10].Round(time.Millisecond), lat[n-1].Round(time.Millisecond))
}

// TestWatcherRequestsPerRound: 100 paths cost exactly 100 metadata requests per round and no data
// read while nothing rotates; the figure behind docs/secrets.md's requests per minute.
func TestWatcherRequestsPerRound(t *testing.T) {
	srv := vaulttest.Start(t)
	reg := prometheus.NewPedanticRegistry()
	m, err := vaultsecrets.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	v := newVaultAt(t, vaultsecrets.VaultConfig{Address: srv.Addr, Token: srv.RootToken}, vaultsecrets.WithMetrics(m))
	cache := vaultsecrets.NewCache(v, vaultsecrets.CacheConfig{Logger: zaptest.NewLogger(t), Metrics: m})
	const paths = 100
	var owners []vaultsecrets.Owner
	for i := range paths {
		o := action(fmt.Sprintf("a%03d", i))
		owners = append(owners, o)
		srv.Put(t, "actionsd/"+o.String(), map[string]any{"K": canary})
		if _, err := cache.Read(t.Context(), o); err != nil {
			t.Fatal(err)
		}
	}
	w, err := vaultsecrets.NewWatcher(vaultsecrets.WatcherConfig{Source: v, Cache: cache, Interval: time.Second, Logger: zaptest.NewLogger(t), Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	w.SetOwners(owners)
	runBackground(t, w.Run)
	metadata := func() float64 { return counter(t, reg, "actionsd_vault_requests_total", "op", "metadata") }
	waitFor(t, "three rounds", func() bool { return metadata() >= 3*paths })
	start := time.Now()
	before := metadata()
	waitFor(t, "three more rounds", func() bool { return metadata() >= before+3*paths })
	got := metadata()
	if int(got)%paths != 0 {
		t.Errorf("got %v metadata requests, want a multiple of %d (one per path per round)", got, paths)
	}
	if r := counter(t, reg, "actionsd_vault_requests_total", "op", "read"); r != paths {
		t.Errorf("got %v data reads, want the %d first reads only", r, paths)
	}
	elapsed := time.Since(start)
	t.Logf("%d paths at 1s: %.0f metadata requests in %s; at the default %s that is %.0f requests/minute",
		paths, got-before, elapsed.Round(time.Millisecond), vaultsecrets.DefaultPollInterval,
		float64(paths)*float64(time.Minute)/float64(vaultsecrets.DefaultPollInterval))
	if h, err := reg.Gather(); err == nil {
		for _, mf := range h {
			if mf.GetName() == "actionsd_vault_poll_duration_seconds" {
				hist := mf.GetMetric()[0].GetHistogram()
				t.Logf("poll round over %d paths: mean %s", paths,
					time.Duration(hist.GetSampleSum()/float64(hist.GetSampleCount())*float64(time.Second)).Round(time.Microsecond))
			}
		}
	}
}

// counter sums the counter name in reg over the series with the label pair given (all without one).
func counter(t *testing.T, reg *prometheus.Registry, name string, label ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := len(label) == 0
			for _, lp := range m.GetLabel() {
				if len(label) == 2 && lp.GetName() == label[0] && lp.GetValue() == label[1] {
					match = true
				}
			}
			if match {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}
