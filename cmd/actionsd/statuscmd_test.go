package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/internal/config"
)

// TestStatusCommand: `actionsd status` prints what the daemon serves, and exits non-zero when it
// is not ready.
func TestStatusCommand(t *testing.T) {
	repo := newGitRepo(t)
	repo.simpleRepo("A1", "M1")
	c1 := repo.commit("first")
	repo.git("tag", "modules/m/v1")
	d := startDaemonWith(t, repo.dir, func(c *config.Config) { c.Token = "tok"; c.Instance = "replica-1" })
	d.sync("tok")

	run := func(args ...string) (string, error) {
		cmd := newRootCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetArgs(append([]string{"status", "--addr", d.url, "--token", "tok"}, args...))
		err := cmd.ExecuteContext(context.Background())
		return out.String(), err
	}
	out, err := run()
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	for _, want := range []string{"replica-1", c1, "Ready", "Applied", "greet", "serving"} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	out, err = run("--json")
	if err != nil || !strings.Contains(out, `"conditions"`) {
		t.Errorf("status --json: %v\n%s", err, out)
	}

	repo.write("triggers.yaml", "post-login: [ghost]\n")
	repo.commit("broken")
	d.sync("tok")
	if out, err := run(); err == nil || !strings.Contains(out, "triggers.yaml:1") {
		t.Errorf("status of a failed commit: got %v\n%s; want an error and the problem", err, out)
	}
}
