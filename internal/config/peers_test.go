package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The peers keys load from the file, the secret from the environment or a file, and a timeout
// that is no timeout is a problem naming its key.
func TestLoadPeers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "actionsd.yaml")
	secretFile := filepath.Join(dir, "peer-secret")
	data := "peers:\n  urls: [http://10.0.0.7:8080, http://10.0.0.8:8080]\n  dns: actionsd-peers.prod.svc.cluster.local\n  port: 9090\n  dns_interval: 5s\n  timeout: 300ms\n  secret_file: " + secretFile + "\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secretFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Peers
	if !slices.Equal(p.URLs, []string{"http://10.0.0.7:8080", "http://10.0.0.8:8080"}) || p.DNS != "actionsd-peers.prod.svc.cluster.local" ||
		p.Port != 9090 || time.Duration(p.DNSInterval) != 5*time.Second || time.Duration(p.Timeout) != 300*time.Millisecond {
		t.Errorf("peers: %+v", p)
	}
	if err := c.ResolveSecrets(); err != nil {
		t.Fatal(err)
	}
	if c.Peers.Secret != "from-file" {
		t.Errorf("peers.secret_file: secret %q, want from-file", c.Peers.Secret)
	}
	if err := c.ApplyEnv(func(k string) string { return map[string]string{"ACTIONSD_PEER_SECRET": "from-env"}[k] }); err != nil {
		t.Fatal(err)
	}
	if c.Peers.Secret != "from-env" {
		t.Errorf("ACTIONSD_PEER_SECRET: secret %q", c.Peers.Secret)
	}

	d := Default()
	if time.Duration(d.Peers.Timeout) != DefaultPeerTimeout || time.Duration(d.Peers.DNSInterval) != DefaultPeersDNSInterval {
		t.Errorf("defaults: %+v", d.Peers)
	}
	d.Peers.Timeout, d.Peers.DNSInterval = 0, -1
	var got []string
	for _, e := range d.Problems() {
		got = append(got, e.Error())
	}
	for _, want := range []string{"peers.timeout 0s", "peers.dns_interval -1ns"} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("problems %q: want one about %s", got, want)
		}
	}
}
