package npmvendor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// PruneOptions say what Prune keeps.
type PruneOptions struct {
	// Keep are the bundles in use, by runner.Bundle.Key: they stay in memory and on disk, with the
	// packages they were built from. Only bundles this installer returned can be named here.
	Keep []string
	// MaxUnused is how long a bundle or package nothing keeps stays on disk after its last use;
	// negative keeps everything on disk (memory is pruned all the same).
	MaxUnused time.Duration
}

// PruneStats is what one Prune removed from disk.
type PruneStats struct {
	Bundles, Packages int
	Bytes             int64
}

// Prune drops the bundles not in opts.Keep from memory, and removes from disk the bundles and
// extracted packages that no kept bundle needs and that were last used more than opts.MaxUnused
// ago. A removed entry is fetched or built again when it is next needed. Installs wait while a
// prune runs (it takes milliseconds), so that nothing is removed from under one; another process
// sharing the folder is protected by MaxUnused only, as each use marks an entry used.
func (i *Installer) Prune(opts PruneOptions) (PruneStats, error) {
	keep := map[string]bool{}
	for _, k := range opts.Keep {
		keep[k] = true
	}
	i.pruneMu.Lock()
	defer i.pruneMu.Unlock()
	keptInputs := map[string]bool{} // bundle folders (input keys) that stay whatever their age
	i.mu.Lock()
	for in, b := range i.bundles {
		if keep[b.Key] {
			keptInputs[in] = true
		} else {
			delete(i.bundles, in)
		}
	}
	i.mu.Unlock()
	var st PruneStats
	if opts.MaxUnused < 0 {
		return st, nil
	}
	cutoff := time.Now().Add(-opts.MaxUnused)
	var errs []error
	needed := map[string]bool{} // package folders a remaining bundle was built from
	keepAll := false            // a remaining bundle does not say: every package stays
	bundles, err := os.ReadDir(filepath.Join(i.dir, "bundles"))
	if err != nil {
		return st, fmt.Errorf("npm cache: %w", err)
	}
	for _, e := range bundles {
		dir := filepath.Join(i.dir, "bundles", e.Name())
		if !keptInputs[e.Name()] && unusedSince(e, cutoff) {
			if n, removed, err := i.remove(dir); err != nil {
				errs = append(errs, err)
			} else if removed {
				st.Bundles++
				st.Bytes += n
			}
			continue
		}
		pkgs, err := manifestPackages(dir)
		if err != nil {
			// A bundle that does not say what it was built from (damaged, or being replaced by
			// another process) keeps every package this time.
			errs = append(errs, fmt.Errorf("npm cache: %w; no package is removed", err))
			keepAll = true
		}
		for _, p := range pkgs {
			needed[p] = true
		}
	}
	if keepAll {
		return st, errors.Join(errs...)
	}
	pkgs, err := os.ReadDir(filepath.Join(i.dir, "pkg"))
	if err != nil {
		return st, errors.Join(append(errs, fmt.Errorf("npm cache: %w", err))...)
	}
	for _, e := range pkgs {
		if needed[e.Name()] || !unusedSince(e, cutoff) {
			continue
		}
		if n, removed, err := i.remove(filepath.Join(i.dir, "pkg", e.Name())); err != nil {
			errs = append(errs, err)
		} else if removed {
			st.Packages++
			st.Bytes += n
		}
	}
	return st, errors.Join(errs...)
}

// unusedSince reports whether a cache entry was last used before cutoff: its folder's time is set
// at each use (touch).
func unusedSince(e fs.DirEntry, cutoff time.Time) bool {
	info, err := e.Info()
	return err == nil && info.ModTime().Before(cutoff)
}

// touch marks a cache entry used now. A failure only makes the entry look older than it is.
func touch(dir string) {
	now := time.Now()
	_ = os.Chtimes(dir, now, now)
}

// manifestPackages is the package folders a stored bundle was built from.
func manifestPackages(dir string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "bundle.json"))
	if err != nil {
		return nil, err
	}
	var m bundleManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "bundle.json"), err)
	}
	return m.Packages, nil
}

// remove takes a cache entry out of place at once (a rename into tmp/, so that a reader sees it
// whole or not at all) and deletes it; it returns the bytes freed, and false when the entry was
// gone already.
func (i *Installer) remove(dir string) (int64, bool, error) {
	gone, err := os.MkdirTemp(filepath.Join(i.dir, "tmp"), "gone-")
	if err != nil {
		return 0, false, fmt.Errorf("npm cache: %w", err)
	}
	target := filepath.Join(gone, "entry")
	if err := os.Rename(dir, target); err != nil {
		os.Remove(gone)
		if errors.Is(err, fs.ErrNotExist) {
			return 0, false, nil // another process removed it
		}
		return 0, false, fmt.Errorf("npm cache: %w", err)
	}
	var n int64
	filepath.WalkDir(target, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	if err := os.RemoveAll(gone); err != nil {
		return n, true, fmt.Errorf("npm cache: %w", err)
	}
	return n, true, nil
}
