// Command npm-bench measures actionsd's npm path for bench/npm/run.sh: a cold lock + install +
// bundle of a set of packages into an empty cache, or (-warm) the start-to-ready overhead of an
// already installed set: read the lock, open the cache, get the bundle and compile it for goja.
// It is not part of the test command.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/dop251/goja"

	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/npmvendor"
)

func main() {
	cache := flag.String("cache", "", "the npm cache folder (<data-dir>/npm)")
	registry := flag.String("registry", "", "registry URL (default: as actionsd finds it)")
	lockPath := flag.String("lock", "", "where to write (cold) or read (-warm) the lock")
	warm := flag.Bool("warm", false, "measure a start with everything cached")
	flag.Parse()
	if err := run(*cache, *registry, *lockPath, *warm, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "npm-bench:", err)
		os.Exit(1)
	}
}

const owner = "actions/bench"

func run(cache, registry, lockPath string, warm bool, pkgs []string) error {
	ctx := context.Background()
	start := time.Now()
	if warm {
		data, err := os.ReadFile(lockPath)
		if err != nil {
			return err
		}
		lock, err := lockfile.Parse(data)
		if err != nil {
			return err
		}
		inst, err := npmvendor.NewInstaller(npmvendor.InstallerOptions{Dir: cache})
		if err != nil {
			return err
		}
		b, err := inst.Install(ctx, lock, owner)
		if err != nil {
			return err
		}
		ready := time.Since(start)
		if _, err := goja.Compile("bundle.js", "(function (exports, require, module) {"+string(b.Code)+"\n})", false); err != nil {
			return err
		}
		fmt.Printf("warm_ready_ms=%.1f warm_ready_with_compile_ms=%.1f bundle_bytes=%d\n",
			ms(ready), ms(time.Since(start)), len(b.Code))
		return nil
	}
	regs, err := npmvendor.LoadRegistries(npmvendor.RegistryOptions{Registry: registry})
	if err != nil {
		return err
	}
	deps := map[string]string{}
	for _, p := range pkgs {
		deps[p] = "latest"
	}
	res, err := (&npmvendor.Resolver{Registries: regs}).Lock(ctx, map[string]map[string]string{owner: deps}, nil)
	if err != nil {
		return err
	}
	locked := time.Since(start)
	inst, err := npmvendor.NewInstaller(npmvendor.InstallerOptions{Dir: cache, Registries: regs})
	if err != nil {
		return err
	}
	if _, err := inst.Install(ctx, res.Lock, owner); err != nil {
		return err
	}
	total := time.Since(start)
	data, err := res.Lock.Marshal()
	if err != nil {
		return err
	}
	if lockPath != "" {
		if err := os.WriteFile(lockPath, data, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("packages=%d lock_ms=%.1f install_and_bundle_ms=%.1f total_ms=%.1f\n",
		len(res.Lock.Packages), ms(locked), ms(total-locked), ms(total))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
