package npmvendor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/lockfile"
)

// PruneOptions say what Prune keeps.
type PruneOptions struct {
	// Keep are the bundles in use, by jsdeps.Bundle.Key: they stay in memory and on disk, with the
	// packages they were built from. Only bundles this installer returned can be named here.
	Keep []string
	// Lock, when set, keeps every package it lists, whatever its age: a command that prunes
	// before it installs keeps what it is about to need.
	Lock *lockfile.Lock
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
// ago. Every bundle returned since the last Prune, and every bundle kept, counts as used until
// now, with its packages. A removed entry is fetched or built again when it is next needed.
// Installs wait while entries are moved out of place (milliseconds), so that nothing is removed
// from under one; the moved entries are then deleted. Another process sharing the folder is
// protected by MaxUnused, as each use marks an entry used.
func (i *Installer) Prune(opts PruneOptions) (PruneStats, error) {
	var gone []string
	st, err := i.prune(opts, &gone)
	for _, dir := range gone {
		n, rerr := deleteTree(dir)
		st.Bytes += n
		err = errors.Join(err, rerr)
	}
	i.metrics.prune(st)
	return st, err
}

// prune is Prune up to the deletion: it moves what goes into tmp/ and appends the folders to gone.
func (i *Installer) prune(opts PruneOptions, gone *[]string) (PruneStats, error) {
	keep := map[string]bool{}
	for _, k := range opts.Keep {
		keep[k] = true
	}
	i.pruneMu.Lock()
	defer i.pruneMu.Unlock()
	keptFolders := map[string]bool{} // bundle folders (input keys) that stay whatever their age
	needed := map[string]bool{}      // package folders a remaining bundle was built from, or the lock lists
	var used []string                // folders to mark used now
	i.mu.Lock()
	for k, u := range i.used {
		if u.folder != "" {
			used = append(used, filepath.Join(i.dir, "bundles", u.folder))
		}
		for _, p := range u.pkgs {
			used = append(used, filepath.Join(i.dir, "pkg", p))
		}
		if !keep[k] {
			delete(i.used, k)
			continue
		}
		keptFolders[u.folder] = true
		for _, p := range u.pkgs {
			needed[p] = true
		}
	}
	for in, b := range i.bundles {
		if keep[b.Key] {
			keptFolders[in] = true
		} else {
			delete(i.bundles, in)
		}
	}
	i.mu.Unlock()
	for _, dir := range used {
		i.touch(dir)
	}
	var st PruneStats
	if opts.MaxUnused < 0 {
		return st, nil
	}
	if opts.Lock != nil {
		for _, p := range opts.Lock.Packages {
			if name, err := cacheName(p.Integrity); err == nil {
				needed[name] = true
			}
		}
	}
	cutoff := time.Now().Add(-opts.MaxUnused)
	var errs []error
	keepAll := false // a remaining bundle does not say what it needs: every package stays
	bundles, err := os.ReadDir(filepath.Join(i.dir, "bundles"))
	if err != nil {
		return st, fmt.Errorf("npm cache: %w", err)
	}
	for _, e := range bundles {
		dir := filepath.Join(i.dir, "bundles", e.Name())
		if !keptFolders[e.Name()] && unusedSince(e, cutoff) {
			if moved, err := i.moveOut(dir); err != nil {
				errs = append(errs, err)
			} else if moved != "" {
				*gone = append(*gone, moved)
				st.Bundles++
			}
			continue
		}
		m, err := readManifest(dir)
		if err != nil {
			// Damaged, or being replaced by another process: every package stays this time.
			errs = append(errs, fmt.Errorf("npm cache: %w; no package is removed", err))
			keepAll = true
		}
		for _, p := range m.Packages {
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
		if moved, err := i.moveOut(filepath.Join(i.dir, "pkg", e.Name())); err != nil {
			errs = append(errs, err)
		} else if moved != "" {
			*gone = append(*gone, moved)
			st.Packages++
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

// touch marks a cache entry used now. A failure (an entry another user made, a read-only cache)
// makes the entry look older than it is, so the first one is logged.
func (i *Installer) touch(dir string) {
	now := time.Now()
	if err := os.Chtimes(dir, now, now); err != nil && !errors.Is(err, fs.ErrNotExist) {
		i.touchWarned.Do(func() {
			i.logger.Warn("npm cache: cannot mark an entry used; it may be pruned while in use elsewhere", zap.Error(err))
		})
	}
}

// moveOut takes a cache entry out of place at once, by a rename into tmp/, so that a reader sees
// it whole or not at all; it returns the folder to delete, "" when the entry was gone already.
func (i *Installer) moveOut(dir string) (string, error) {
	gone, err := os.MkdirTemp(filepath.Join(i.dir, "tmp"), "gone-")
	if err != nil {
		return "", fmt.Errorf("npm cache: %w", err)
	}
	if err := os.Rename(dir, filepath.Join(gone, "entry")); err != nil {
		os.Remove(gone)
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil // another process removed it
		}
		return "", fmt.Errorf("npm cache: %w", err)
	}
	return gone, nil
}

// deleteTree deletes a folder moveOut made and returns the bytes of its files.
func deleteTree(dir string) (int64, error) {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	if err := os.RemoveAll(dir); err != nil {
		return n, fmt.Errorf("npm cache: %w", err)
	}
	return n, nil
}
