package api

import (
	"net"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/actionsd/actionsd/internal/history"
)

// BenchmarkHistoryCost is BenchmarkServeWire's claims-only execute route (8 clients, kept-alive
// connections, NewServer with a token) without and with the execution history, in one run: the
// ratio of the two is what recording costs. "on" records every execution (sample rate 1) with the
// default PII policy, which hashes the event's email and IP; dropped/op reports the executions the
// queue dropped, which would make "on" look cheaper than it is (0 is an honest run).
func BenchmarkHistoryCost(b *testing.B) {
	g := claimsGeneration(b)
	serve := func(b *testing.B, h *history.History) {
		srv := NewServer(Config{Reconciler: serving{gen: g}, Token: "s3cret", History: h})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		serveWire(b, ln)
	}
	b.Run("off", func(b *testing.B) { serve(b, nil) })
	b.Run("on", func(b *testing.B) {
		reg := prometheus.NewRegistry()
		h := newHistory(b, history.Options{PII: history.PII{Hash: history.DefaultPIIHash}, Registerer: reg})
		serve(b, h)
		mfs, err := reg.Gather()
		if err != nil {
			b.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() != "actionsd_history_dropped_total" {
				continue
			}
			n := 0.0
			for _, m := range mf.GetMetric() {
				n += m.GetCounter().GetValue()
			}
			b.ReportMetric(n/float64(b.N), "dropped/op")
		}
	})
}
