package npmvendor

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/actionsd/actionsd/internal/progress"
	"github.com/actionsd/actionsd/lockfile"
)

// BenchmarkFetchAllWarm is a warm start's fetch of 200 packages that are all in the cache, with no
// progress reporter (the CLI's runs) and with one (the daemon's): the reporter's count of the
// packages to fetch must cost nothing that shows.
func BenchmarkFetchAllWarm(b *testing.B) {
	for _, c := range []struct {
		name string
		r    progress.Reporter
	}{{"silent", nil}, {"reporter", progress.Lines(func(progress.Event) {})}} {
		b.Run(c.name, func(b *testing.B) {
			i, err := NewInstaller(InstallerOptions{Dir: filepath.Join(b.TempDir(), "npm"), Progress: c.r})
			if err != nil {
				b.Fatal(err)
			}
			pkgs := map[string]*lockfile.Package{}
			for n := range 200 {
				sum := sha512.Sum512(fmt.Appendf(nil, "pkg-%d", n))
				integrity := "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
				name, err := cacheName(integrity)
				if err != nil {
					b.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Join(i.dir, "pkg", name, "package"), 0o755); err != nil {
					b.Fatal(err)
				}
				key := fmt.Sprintf("p%d@1.0.0", n)
				pkgs[key] = &lockfile.Package{Name: fmt.Sprintf("p%d", n), Version: "1.0.0", Integrity: integrity}
			}
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				if _, _, err := i.fetchAll(ctx, pkgs, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
