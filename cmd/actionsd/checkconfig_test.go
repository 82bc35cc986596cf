package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// checkConfigRun runs the built binary's serve --check-config with env added to the test
// environment.
func checkConfigRun(t *testing.T, dir string, env []string, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(cliBinary, append([]string{"serve", "--check-config"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(gitEnv(dir), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := cliResult{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("serve --check-config: %v", err)
	}
	return res
}

// TestServeCheckConfig runs serve --check-config through the built binary: a good configuration
// exits 0 without serving (the data dir is not even created); a bad one, with problems in the
// file, the environment and the flags, exits 1 and names every problem, not just the first,
// and never prints a secret value.
func TestServeCheckConfig(t *testing.T) {
	repo := initRepo(t)
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.yaml")
	cliWrite(t, secrets, "{}\n")
	dataDir := filepath.Join(dir, "data")

	good := filepath.Join(dir, "good.yaml")
	cliWrite(t, good, "repo: "+repo+"\ndata_dir: "+dataDir+"\nsecrets_file: "+secrets+"\naddr: 127.0.0.1:0\n")
	res := checkConfigRun(t, dir, nil, "--config", good)
	res.want(t, 0, "serve --check-config --config good.yaml")
	if !strings.Contains(res.stdout, "configuration ok") {
		t.Errorf("stdout %q: no \"configuration ok\"", res.stdout)
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("the data dir exists after --check-config (stat: %v): it must not serve nor prepare to", err)
	}

	const stateKey = "short-state-key-value"
	bad := filepath.Join(dir, "bad.yaml")
	cliWrite(t, bad, `repo: `+repo+`
data_dir: `+dataDir+`
addr: 0.0.0.0:8080
execution_budget: -1s
verify:
  mode: sometimes
log:
  level: loud
process_env:
  1BAD: x
http:
  idle_timeout: 0s
egress:
  allow: ["not a host/99"]
`)
	res = checkConfigRun(t, dir, []string{"ACTIONSD_STATE_KEY=" + stateKey, "OTEL_TRACES_EXPORTER=zipkin"},
		"--config", bad, "--secrets-file", filepath.Join(dir, "missing.yaml"), "--http-request-timeout", "0s")
	res.want(t, 1, "serve --check-config --config bad.yaml")
	for _, want := range []string{
		"addr 0.0.0.0:8080 is reachable from other hosts",
		"execution_budget -1s",
		`verify.mode "sometimes"`,
		"log.level",
		`process_env: "1BAD"`,
		"http.idle_timeout 0s",
		"http.request_timeout 0s", // a flag
		"egress.allow",
		"state key",    // the environment
		"secrets file", // missing.yaml
		`tracing: OTEL_TRACES_EXPORTER: exporter "zipkin"`,
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr does not name %q:\n%s", want, res.stderr)
		}
	}
	if strings.Contains(res.stderr+res.stdout, stateKey) {
		t.Errorf("the output holds the state key's value:\n%s", res.stderr)
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("the data dir exists after --check-config (stat: %v)", err)
	}

	// A file that cannot be read is the one problem.
	res = checkConfigRun(t, dir, nil, "--config", filepath.Join(dir, "nope.yaml"))
	res.want(t, 1, "serve --check-config --config nope.yaml")
	if !strings.Contains(res.stderr, "nope.yaml") {
		t.Errorf("stderr does not name the file: %s", res.stderr)
	}
}
