package helmtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
)

// The paths the chart's probes and ServiceMonitor use answer 200 on a real daemon that serves
// (a local repository with one empty commit, secrets from a file), and so do not 404.
func TestProbePathsAnswer(t *testing.T) {
	r := render(t, values(t, `serviceMonitor: {enabled: true}`))
	c := one[appsv1.Deployment](t, r, "Deployment").Spec.Template.Spec.Containers[0]
	paths := []string{c.StartupProbe.HTTPGet.Path, c.LivenessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Path}
	for _, o := range r.byKind["ServiceMonitor"] {
		paths = append(paths, o.Value.(*monitoringv1.ServiceMonitor).Spec.Endpoints[0].Path)
	}

	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	for _, args := range [][]string{{"init", "-q", "-b", "main", repo}, {"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "empty"}} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	secrets := filepath.Join(dir, "secrets.yaml")
	if err := os.WriteFile(secrets, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, actionsdBin, "serve", "--repo", repo, "--secrets-file", secrets, "--data-dir", filepath.Join(dir, "data"),
		"--addr", addr, "--token", "probe-test-token", "--watch=false", "--log-level", "warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()

	// Ready once the first generation serves; then every path must answer 200.
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://%s%s", addr, c.ReadinessProbe.HTTPGet.Path))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered 200 (last: %v)", c.ReadinessProbe.HTTPGet.Path, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, p := range paths {
		resp, err := http.Get(fmt.Sprintf("http://%s%s", addr, p))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s (unauthenticated, as the kubelet and Prometheus ask): %d", p, resp.StatusCode)
		}
	}
}
