// Command packages-bench measures package work in the runner against Node for
// bench/packages/run.sh: each case in cases/ (pure-JS RSA signing and key generation, SHA-256 in
// JS, Ajv, Handlebars, lodash) runs the same JavaScript, with the same input, iteration and
// warm-up counts, under Node (with the packages npm installed) and in the real runner (with the
// bundle actionsd builds, as a post-login action executed through runner.Generation.Test). Both
// time the op inside JavaScript (cases/harness.js) and digest its last result; a digest that
// differs fails the case. It prints case, Node ms/op, actionsd ms/op, their ratio and the
// geometric mean of the ratios. It is not part of the test command.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/runner"
)

// packages are the exact versions both engines load.
var packages = map[string]string{
	"node-forge": "1.4.4",
	"crypto-js":  "4.2.0",
	"ajv":        "8.20.0",
	"handlebars": "4.7.10",
	"lodash":     "4.18.1",
}

// benchCase is one row: its file in cases/, iterations and warm-up runs.
type benchCase struct {
	name        string
	iters, warm int
}

var cases = []benchCase{
	{"sign", 2, 1},
	{"keygen", 1, 1},
	{"hash", 5, 2},
	{"schema", 10, 3},
	{"template", 20, 5},
	{"lodash", 10, 3},
}

const owner = "actions/bench-packages"

// measured is one engine's timed runs: CPU time (user + system of the process, every thread)
// and wall time, in ms for all iterations, and the digest of the last result.
type measured struct {
	CPU   float64 `json:"cpu_ms"`
	Wall  float64 `json:"wall_ms"`
	Check string  `json:"check"`
}

func main() {
	cache := flag.String("cache", "", "folder for the packages (npm's node_modules and actionsd's cache); required")
	registry := flag.String("registry", "", "npm registry URL (default: as actionsd finds it)")
	only := flag.String("cases", "", "comma-separated cases to run (default: all)")
	scale := flag.Float64("scale", 1, "multiply every iteration count")
	skipNode := flag.Bool("no-node", false, "run the runner only (for profiling)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the runner's runs")
	flag.Parse()
	// As actionsd serve runs (cmd/actionsd defaultGCPercent), unless GOGC says otherwise.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if err := run(*cache, *registry, *only, *scale, *skipNode, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "packages-bench:", err)
		os.Exit(1)
	}
}

func run(cache, registry, only string, scale float64, skipNode bool, cpuprofile string) error {
	if cache == "" {
		return errors.New("-cache is required")
	}
	casesDir, err := filepath.Abs(filepath.Join(filepath.Dir(os.Args[0]), "cases"))
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(casesDir, "harness.js")); err != nil {
		// go run builds elsewhere: the cases are beside the source, the working directory's bench/packages.
		casesDir, _ = filepath.Abs("bench/packages/cases")
		if _, err := os.Stat(filepath.Join(casesDir, "harness.js")); err != nil {
			return fmt.Errorf("cases folder: %w (run from the repository root)", err)
		}
	}
	selected := cases
	if only != "" {
		selected = nil
		for _, c := range cases {
			if strings.Contains(","+only+",", ","+c.name+",") {
				selected = append(selected, c)
			}
		}
	}
	for i := range selected {
		selected[i].iters = max(1, int(math.Round(float64(selected[i].iters)*scale)))
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	input, _ := json.Marshal(map[string]string{"keyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))})
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	// A file of this run's own: two runs sharing the cache deleted each other's input.
	f, err := os.CreateTemp(cache, "input-*.json")
	if err != nil {
		return err
	}
	inputFile := f.Name()
	defer os.Remove(inputFile)
	_, err = f.Write(input)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}

	ctx := context.Background()
	if !skipNode {
		if err := npmInstall(cache, registry); err != nil {
			return err
		}
	}
	gen, err := buildRunner(ctx, cache, registry, casesDir, selected, input)
	if err != nil {
		return err
	}
	defer gen.Close()

	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	fmt.Println("CPU time per op (user + system, every thread); wall-clock ratio in the last column")
	fmt.Printf("%-10s %6s %14s %16s %9s %9s\n", "case", "iters", "node ms/op", "actionsd ms/op", "ratio", "wall")
	logSum, n := 0.0, 0
	for _, c := range selected {
		var nodeRes measured
		if !skipNode {
			cmd := exec.Command("node", filepath.Join(casesDir, "node.js"), c.name, inputFile, fmt.Sprint(c.iters), fmt.Sprint(c.warm))
			cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(cache, "node", "node_modules"))
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				return fmt.Errorf("node %s: %w", c.name, err)
			}
			if err := json.Unmarshal(out, &nodeRes); err != nil {
				return fmt.Errorf("node %s: %w: %s", c.name, err, out)
			}
		}
		ours, err := runCase(ctx, gen, c)
		if err != nil {
			return err
		}
		if skipNode {
			fmt.Printf("%-10s %6d %14s %16.3f %9s %9s\n", c.name, c.iters, "-", ours.CPU/float64(c.iters), "-", "-")
			continue
		}
		if ours.Check != nodeRes.Check {
			return fmt.Errorf("%s: the runner's result (digest %s) differs from Node's (%s)", c.name, ours.Check, nodeRes.Check)
		}
		ratio := ours.CPU / nodeRes.CPU
		logSum += math.Log(ratio)
		n++
		fmt.Printf("%-10s %6d %14.3f %16.3f %8.1fx %8.1fx\n", c.name, c.iters, nodeRes.CPU/float64(c.iters), ours.CPU/float64(c.iters), ratio, ours.Wall/nodeRes.Wall)
	}
	if n > 0 {
		fmt.Printf("%-10s %6s %14s %16s %8.1fx\n", "geomean", "", "", "", math.Exp(logSum/float64(n)))
	}
	return nil
}

// npmInstall installs the packages for Node into <cache>/node unless they are there already.
func npmInstall(cache, registry string) error {
	dir := filepath.Join(cache, "node")
	want := []string{}
	for name, v := range packages {
		data, err := os.ReadFile(filepath.Join(dir, "node_modules", name, "package.json"))
		var pj struct{ Version string }
		if err != nil || json.Unmarshal(data, &pj) != nil || pj.Version != v {
			want = append(want, name+"@"+v)
		}
	}
	if len(want) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pj, _ := json.Marshal(map[string]any{"name": "actionsd-bench-packages", "private": true, "dependencies": packages})
	if err := os.WriteFile(filepath.Join(dir, "package.json"), pj, 0o644); err != nil {
		return err
	}
	args := []string{"install", "--prefix", dir, "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"}
	if registry != "" {
		args = append(args, "--registry", registry)
	}
	cmd := exec.Command("npm", args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install %s: %w", strings.Join(want, " "), err)
	}
	return nil
}

// buildRunner locks and bundles the packages as actionsd does (npmvendor, into <cache>/actionsd)
// and builds a generation with one action per case.
func buildRunner(ctx context.Context, cache, registry, casesDir string, selected []benchCase, input []byte) (*runner.Generation, error) {
	regs, err := npmvendor.LoadRegistries(npmvendor.RegistryOptions{Registry: registry})
	if err != nil {
		return nil, err
	}
	res, err := (&npmvendor.Resolver{Registries: regs}).Lock(ctx, map[string]map[string]string{owner: packages}, nil)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	inst, err := npmvendor.NewInstaller(npmvendor.InstallerOptions{Dir: filepath.Join(cache, "actionsd"), Registries: regs})
	if err != nil {
		return nil, err
	}
	bundle, err := inst.Install(ctx, res.Lock, owner)
	if err != nil {
		return nil, fmt.Errorf("install: %w", err)
	}
	spec := &runner.Spec{Commit: "bench", Generation: 1, Actions: map[string]*runner.ActionSpec{}, Bindings: map[string][]string{}}
	for _, c := range selected {
		files := map[string][]byte{"input.json": input}
		for _, f := range []string{"harness.js", c.name + ".js"} {
			data, err := os.ReadFile(filepath.Join(casesDir, f))
			if err != nil {
				return nil, err
			}
			files[f] = data
		}
		// The first execution prepares (module scope keeps the state on the warm runtime), the
		// second is the timed one.
		files["index.js"] = []byte(fmt.Sprintf(`const harness = require('./harness.js');
const c = require('./%s.js');
let st;
exports.onExecutePostLogin = async (event, api) => {
  if (event.user.user_id === 'prepare') {
    st = harness.prepare(c, require('./input.json'), %d);
    return;
  }
  if (st === undefined) throw new Error('not prepared on this runtime');
  api.idToken.setCustomClaim('r', harness.timed(c, st, %d));
};
`, c.name, c.warm, c.iters))
		spec.Actions[c.name] = &runner.ActionSpec{Name: c.name, Version: "bench", Trigger: "post-login", Timeout: 10 * time.Minute,
			Source: runner.Source{Dir: "actions/" + c.name, Entry: "index.js", Files: files,
				Dependencies: res.Lock.Owners[owner].Dependencies, Bundle: bundle}}
	}
	gen, err := runner.Build(ctx, spec, runner.Options{Budget: 10 * time.Minute})
	if err != nil {
		return nil, fmt.Errorf("runner build: %w", err)
	}
	return gen, nil
}

func runCase(ctx context.Context, gen *runner.Generation, c benchCase) (measured, error) {
	res, err := gen.Test(ctx, c.name, []byte(`{"user":{"user_id":"prepare"}}`))
	if err == nil && len(res.Actions) == 1 && res.Actions[0].Error != nil {
		err = res.Actions[0].Error
	}
	if err != nil {
		return measured{}, fmt.Errorf("runner %s: prepare: %w", c.name, err)
	}
	cpu0, t0 := cpuTime(), time.Now()
	res, err = gen.Test(ctx, c.name, []byte(`{"user":{"user_id":"timed"}}`))
	cpu, wall := cpuTime()-cpu0, time.Since(t0)
	if err != nil {
		return measured{}, fmt.Errorf("runner %s: %w", c.name, err)
	}
	if len(res.Actions) == 1 && res.Actions[0].Error != nil {
		return measured{}, fmt.Errorf("runner %s: %v", c.name, res.Actions[0].Error)
	}
	for _, cmd := range res.Commands {
		data, err := json.Marshal(cmd.Args)
		if err != nil {
			continue
		}
		var args []json.RawMessage
		var check string
		if cmd.Op == "idToken.setCustomClaim" && json.Unmarshal(data, &args) == nil && len(args) == 2 && json.Unmarshal(args[1], &check) == nil {
			return measured{CPU: ms(cpu), Wall: ms(wall), Check: check}, nil
		}
	}
	return measured{}, fmt.Errorf("runner %s: no result claim", c.name)
}

// cpuTime is the process's user + system time so far, every thread.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
