package npmvendor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/actionsd/actionsd/internal/progress"
	"github.com/actionsd/actionsd/lockfile"
)

// VendorDir is where `actionsd vendor` keeps tarballs, relative to the repository root.
const VendorDir = "vendor/npm"

// VendorOptions configure Vendor.
type VendorOptions struct {
	Registries  *Registries // required unless every tarball is already vendored
	HTTPClient  *http.Client
	Timeout     time.Duration // per request (0: 60s)
	Retries     int
	Concurrency int // parallel downloads (0: 16)
	Limits      Limits
	Progress    progress.Reporter // told of the tarballs checked and downloaded; nil: silent
}

// Vendor copies every tarball of lock into repoDir/vendor/npm/, at its registry-relative path, and
// removes the tarballs there that the lock no longer names. A tarball already there is kept when it
// verifies; every written one is verified against its integrity first (temp file + rename). It
// returns the number of tarballs the folder holds.
func Vendor(ctx context.Context, lock *lockfile.Lock, repoDir string, opts VendorOptions) (int, error) {
	root := filepath.Join(repoDir, filepath.FromSlash(VendorDir))
	if err := os.MkdirAll(root, 0o755); err != nil {
		return 0, err
	}
	tmpDir, err := os.MkdirTemp(root, ".tmp-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmpDir)
	var c *client
	if opts.Registries != nil {
		c = tarballClient(opts.Registries, opts.HTTPClient, opts.Timeout, opts.Retries)
	}
	limits := opts.Limits.withDefaults()
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 16
	}
	sem := make(chan struct{}, conc)
	phase := progress.Begin(opts.Progress, "vendoring npm tarballs", len(lock.Packages))
	want := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var errs []error
	for _, key := range sortedKeys(lock.Packages) {
		p := lock.Packages[key]
		rel, err := vendorPath(p.Tarball)
		if err != nil {
			errs = append(errs, &PackageError{p.Name, p.Version, err})
			continue
		}
		dst := filepath.Join(root, rel)
		want[dst] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := vendorOne(ctx, c, p, dst, tmpDir, limits, phase); err != nil {
				mu.Lock()
				errs = append(errs, &PackageError{p.Name, p.Version, err})
				mu.Unlock()
				return
			}
			phase.Add(1, 0)
		}()
	}
	wg.Wait()
	if err := joinSorted(errs); err != nil {
		phase.End(err)
		return 0, err
	}
	phase.End(nil)
	// Prune what the lock does not name, then empty folders, deepest first.
	var dirs []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == tmpDir {
			return filepath.SkipDir
		}
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		if !want[p] {
			return os.Remove(p)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if d != root {
			os.Remove(d) // fails, as wanted, when not empty
		}
	}
	return len(want), nil
}

func vendorOne(ctx context.Context, c *client, p *lockfile.Package, dst, tmpDir string, limits Limits, phase progress.Phase) error {
	algo, digest, err := parseIntegrity(p.Integrity)
	if err != nil {
		return err
	}
	if f, err := os.Open(dst); err == nil {
		vr := &verifyingReader{r: f, h: newHash(algo), max: limits.MaxTarball, algo: algo}
		err := vr.check(p.Integrity, digest)
		f.Close()
		if err == nil {
			return nil
		}
	}
	if c == nil {
		return errors.New("not vendored yet and no registry is configured")
	}
	resp, cancel, err := c.get(ctx, c.tarballURL(p.Name, p.Tarball), "")
	if err != nil {
		return err
	}
	defer cancel()
	defer resp.Body.Close()
	tmp, err := os.CreateTemp(tmpDir, "tgz-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	vr := &verifyingReader{r: progress.CountingReader(resp.Body, phase), h: newHash(algo), max: limits.MaxTarball, algo: algo}
	if _, err := io.Copy(tmp, vr); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := vr.check(p.Integrity, digest); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("vendoring: %w", err)
	}
	return nil
}
