package vaulttest_test

import (
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/actionsd/actionsd/internal/vaulttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestServer(t *testing.T) {
	s := vaulttest.Start(t)
	c := s.Client(t)

	h, err := c.Sys().Health()
	if err != nil {
		t.Fatalf("health: %v", err)
	}
	if !h.Initialized || h.Sealed {
		t.Fatalf("got initialized=%t sealed=%t, want true and false", h.Initialized, h.Sealed)
	}

	const path = "actionsd/modules/logger"
	for want := 1; want <= 2; want++ {
		if got := s.Put(t, path, map[string]any{"API_KEY": "k"}); got != want {
			t.Fatalf("put: got version %d, want %d", got, want)
		}
	}
	kv, err := c.KVv2(vaulttest.Mount).Get(t.Context(), path)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got := kv.Data["API_KEY"]; got != "k" {
		t.Errorf("got API_KEY %v, want k", got)
	}

	s.Delete(t, path)
	kv, err = c.KVv2(vaulttest.Mount).Get(t.Context(), path)
	if err != nil {
		t.Fatalf("get after delete: %v", err)
	}
	if kv.Data != nil {
		t.Errorf("after delete: got data with %d keys, want none", len(kv.Data))
	}
	s.DeleteMetadata(t, path)
	if _, err := c.KVv2(vaulttest.Mount).GetMetadata(t.Context(), path); err == nil {
		t.Errorf("after delete metadata: got metadata, want an error")
	}

	s.Seal(t)
	if st, err := c.Sys().SealStatus(); err != nil || !st.Sealed {
		t.Fatalf("after seal: got sealed=%v err=%v, want sealed", st != nil && st.Sealed, err)
	}
	s.Unseal(t)
	if st, err := c.Sys().SealStatus(); err != nil || st.Sealed {
		t.Fatalf("after unseal: got sealed=%v err=%v, want unsealed", st != nil && st.Sealed, err)
	}
	if got := s.Put(t, path, map[string]any{"API_KEY": "k"}); got != 1 {
		t.Errorf("put after unseal: got version %d, want 1", got)
	}
}

// TestServersAreSeparate checks that each Start runs its own server and that it stops with its test.
func TestServersAreSeparate(t *testing.T) {
	var first *vaulttest.Server
	t.Run("first", func(t *testing.T) {
		first = vaulttest.Start(t)
		first.Put(t, "only/in/first", map[string]any{"k": "v"})
	})
	if first == nil {
		// The subtest skipped (no test server outside `make test`) or failed; either way it said why.
		if !t.Failed() {
			t.Skip("the first server did not start: see the subtest")
		}
		t.FailNow()
	}
	resp, err := http.Get(first.Addr + "/v1/sys/health")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("server of a finished test still answers: got status %d, want no server", resp.StatusCode)
	}

	second := vaulttest.Start(t)
	if second.Addr == first.Addr {
		t.Fatalf("got the same address %s twice", second.Addr)
	}
	if _, err := second.Client(t).KVv2(vaulttest.Mount).Get(t.Context(), "only/in/first"); err == nil {
		t.Errorf("second server has the first one's secret")
	}
}

// TestProxy cuts, holds and restores the way to a server.
func TestProxy(t *testing.T) {
	s := vaulttest.Start(t)
	p := s.Proxy(t)
	hc := &http.Client{Timeout: 500 * time.Millisecond, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(hc.CloseIdleConnections)
	health := func() error {
		resp, err := hc.Get(p.Addr + "/v1/sys/health")
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	steps := []struct {
		name    string
		do      func()
		wantErr bool
	}{
		{"pass", func() {}, false},
		{"cut", p.Cut, true},
		{"restored", p.Restore, false},
		{"held", p.Hold, true},
		{"restored again", p.Restore, false},
	}
	for _, st := range steps {
		st.do()
		if err := health(); (err != nil) != st.wantErr {
			t.Errorf("%s: got error %v, want error: %t", st.name, err, st.wantErr)
		}
	}
}
