package npmvendor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// BenchmarkBundleSixPackages measures the bundling step alone (layout, esbuild, CommonJS) of the
// six-package set (axios, jsonwebtoken, lodash, dayjs, uuid, zod) from the public registry, with
// the packages already in the cache. ACTIONSD_BENCH_PACKAGES (comma-separated) replaces the set.
func BenchmarkBundleSixPackages(b *testing.B) {
	regs := publicRegistryB(b)
	names := []string{"axios", "jsonwebtoken", "lodash", "dayjs", "uuid", "zod"}
	if env := os.Getenv("ACTIONSD_BENCH_PACKAGES"); env != "" {
		names = strings.Split(env, ",")
	}
	deps := map[string]string{}
	for _, n := range names {
		deps[n] = "latest"
	}
	ctx := context.Background()
	res, err := (&Resolver{Registries: regs}).Lock(ctx, map[string]map[string]string{"actions/bench": deps}, nil)
	if err != nil {
		b.Fatal(err)
	}
	i, err := NewInstaller(InstallerOptions{Dir: filepath.Join(b.TempDir(), "npm"), Registries: regs})
	if err != nil {
		b.Fatal(err)
	}
	o := res.Lock.Owners["actions/bench"]
	pkgs, err := ownerPackages(res.Lock, "actions/bench", o)
	if err != nil {
		b.Fatal(err)
	}
	dirs, _, err := i.fetchAll(ctx, pkgs, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var sp *split
	for n := 0; n < b.N; n++ {
		if sp, err = i.bundle(ctx, o, pkgs, dirs, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// What a start then compiles: the chunks' size, and goja's compile time of them all.
	size, best := 0, time.Duration(0)
	for round := 0; round < 7; round++ {
		start := time.Now()
		for name, code := range sp.chunks {
			if round == 0 {
				size += len(code)
			}
			if _, err := goja.Compile(name, "(function (exports, require, module) {"+string(code)+"\n})", false); err != nil {
				b.Fatal(err)
			}
		}
		if d := time.Since(start); round == 0 || d < best {
			best = d
		}
	}
	b.ReportMetric(float64(best.Microseconds())/1000, "compile-ms-min7")
	b.ReportMetric(float64(size), "chunk-bytes")
}

// publicRegistryB is the registry of `npm config get registry`, or skips.
func publicRegistryB(b *testing.B) *Registries {
	reg := npmCLIRegistry()
	if reg == "" {
		b.Skip("`npm config get registry` gave no registry")
	}
	return &Registries{Default: normalizeBase(reg), Scopes: map[string]string{}, auth: map[string]string{}}
}
