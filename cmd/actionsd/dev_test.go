package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/actionsd/actionsd/internal/config"
)

// lockedBuffer is an io.Writer that the dev command and the test share.
type lockedBuffer struct {
	mu  gosync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls the output until re matches, or fails the test after a deadline.
func (b *lockedBuffer) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(b.String()); m != nil {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no match for %s in the output:\n%s", re, b.String())
	return nil
}

// TestDevDemo runs `actionsd dev` in-process and follows the curl command it prints.
func TestDevDemo(t *testing.T) {
	out := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runDev(ctx, out, "127.0.0.1:0", t.TempDir(), "", config.Default().HTTP) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dev: %v", err)
		}
	}()

	m := out.waitFor(t, regexp.MustCompile(`curl -s -X POST (http://\S+/v1/triggers/post-login/execute) -d @(\S+)`))
	if !strings.Contains(out.String(), "not for production") {
		t.Errorf("dev must say its secrets are not for production; output:\n%s", out.String())
	}
	resp, err := http.Post(m[1], "application/json", strings.NewReader(string(quickstartEvent(t))))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"outcome":"success"`) || !strings.Contains(string(body), `"https://example.com/roles":["admin","support"]`) {
		t.Fatalf("execute: got %d %s", resp.StatusCode, body)
	}
	line := out.waitFor(t, regexp.MustCompile(`sink: POST /logs body=(\{.*\}) x-api-key=(\w+)`))
	if !strings.Contains(line[1], `"code":"logger_success"`) || line[2] != "matched" {
		t.Errorf("sink line: got %q, want the logger_success body and a matched key", line[0])
	}
}
