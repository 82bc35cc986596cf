package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The history's settings: on with its defaults, read from the file, each bad value named, and a
// key shorter than 32 bytes refused.
func TestHistorySettings(t *testing.T) {
	c := Default()
	if !c.History.On() || c.History.MaxSize != 1<<30 || time.Duration(c.History.MaxAge) != 7*24*time.Hour ||
		c.History.SampleRate != 1 || time.Duration(c.History.BatchWait) != 200*time.Millisecond || !slices.Equal(c.History.PII.Hash, []string{"request.ip", "user.email", "user.phone_number",
		"supabase.claims.email", "supabase.claims.phone", "kratos.identity.traits.email", "kratos.identity.traits.phone", "kratos.identity.traits.phone_number"}) {
		t.Errorf("defaults: %+v", c.History)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("history:\n  enabled: false\n  max_size: 5MiB\n  max_age: 1h\n  sample_rate: 0.25\n  batch_wait: 20ms\n  pii:\n    drop: [user.name]\n    hash: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.History.On() || c.History.MaxSize != 5<<20 || time.Duration(c.History.MaxAge) != time.Hour || c.History.SampleRate != 0.25 || time.Duration(c.History.BatchWait) != 20*time.Millisecond ||
		!slices.Equal(c.History.PII.Drop, []string{"user.name"}) || len(c.History.PII.Hash) != 0 {
		t.Errorf("from the file: %+v", c.History)
	}
	for _, tt := range []struct {
		name string
		give func(*History)
		want string
	}{
		{"sample rate", func(h *History) { h.SampleRate = 1.5 }, "history.sample_rate"},
		{"max age", func(h *History) { h.MaxAge = 0 }, "history.max_age"},
		{"max size", func(h *History) { h.MaxSize = 0 }, "history.max_size"},
		{"queue", func(h *History) { h.Queue = 0 }, "history.queue"},
		{"batch wait", func(h *History) { h.BatchWait = 0 }, "history.batch_wait"},
		{"pii path", func(h *History) { h.PII.Hash = []string{"user..email"} }, "history.pii.hash"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Repo, c.DataDir, c.SecretsFile = "/r", "/d", "/s"
			tt.give(&c.History)
			if err := c.Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error naming %s", err, tt.want)
			}
		})
	}
	short := filepath.Join(dir, "key")
	if err := os.WriteFile(short, []byte("too short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c = Default()
	c.History.KeyFile = short
	if err := c.ResolveSecrets(); err == nil || !strings.Contains(err.Error(), "history key") {
		t.Errorf("a short key: got %v", err)
	}
}
