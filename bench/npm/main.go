// Command npm-bench measures actionsd's npm path for bench/npm/run.sh: a cold lock + install +
// bundle of a set of packages into an empty cache, (-warm) the install part of a start with the
// set already cached (read the lock, open the cache, read the bundle), or (-ready) the whole
// start-to-ready of `actionsd serve` processes. It is not part of the test command.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/npmvendor"
)

func main() {
	cache := flag.String("cache", "", "the npm cache folder (<data-dir>/npm)")
	registry := flag.String("registry", "", "registry URL (default: as actionsd finds it)")
	lockPath := flag.String("lock", "", "where to write (cold) or read (-warm) the lock")
	warm := flag.Bool("warm", false, "measure a start with everything cached")
	ready := flag.String("ready", "", "actionsd binary: time `actionsd serve` from exec to /readyz for each -repo")
	runs := flag.Int("runs", 10, "with -ready: starts per repository (alternating)")
	var repos, dataDirs multiFlag
	flag.Var(&repos, "repo", "with -ready: a repository to serve (repeatable)")
	flag.Var(&dataDirs, "data-dir", "with -ready: its data dir, one per -repo")
	flag.Parse()
	if *ready != "" {
		if err := startToReady(*ready, repos, dataDirs, *runs); err != nil {
			fmt.Fprintln(os.Stderr, "npm-bench:", err)
			os.Exit(1)
		}
		return
	}
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
		size := 0
		for _, c := range b.Chunks {
			size += len(c)
		}
		fmt.Printf("warm_ready_ms=%.1f bundle_bytes=%d chunks=%d\n", ms(ready), size, len(b.Chunks))
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
