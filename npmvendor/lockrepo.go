package npmvendor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/actionsd/actionsd/internal/progress"
	"github.com/actionsd/actionsd/lockfile"
)

// ReadLock reads the actionsd.lock of the working tree at dir; a missing one is an empty lock
// when allowMissing.
func ReadLock(dir string, allowMissing bool) (*lockfile.Lock, error) {
	data, err := os.ReadFile(filepath.Join(dir, lockfile.Name))
	if errors.Is(err, fs.ErrNotExist) && allowMissing {
		return lockfile.New(), nil
	}
	if err != nil {
		return nil, err
	}
	return lockfile.Parse(data)
}

// Manifest is one action or module folder of a working tree: its manifest's path and the npm
// dependencies it declares, as written.
type Manifest struct {
	Path         string // repository-relative: "actions/<name>/action.yaml", "modules/<name>/module.yaml"
	Dependencies map[string]string
}

// RepoOptions say how LockRepo resolves.
type RepoOptions struct {
	// Registries is called once, and only when some owner declares a dependency.
	Registries      func() (*Registries, error)
	MaxDependencies int    // as Resolver's
	NodeVersion     string // as Resolver's
	// Bundle installs and bundles each owner's dependencies once the lock is written, as the
	// daemon will, for RepoLock.BundleWarnings.
	Bundle bool
	// Progress is told of resolving and of the tarballs fetched to bundle; nil: silent.
	Progress progress.Reporter
}

// RepoLock is what LockRepo did, filled step by step: on an error, the steps before it.
type RepoLock struct {
	Warnings []string       // the resolver's, for people
	Pins     []Pin          // the manifest rewrites made, in order of owner then package
	Lock     *lockfile.Lock // the lock written, nil until it is
	// BundleWarnings are those of bundling (RepoOptions.Bundle), after the lock is written: each
	// require of a package that is not installed (it throws when it runs), each set that does not
	// bundle (validate and the daemon refuse it).
	BundleWarnings []string
}

// Pin is one declaration LockRepo rewrote in a manifest to the exact version chosen.
type Pin struct {
	Manifest string // repository-relative
	Package  string
	From, To string
}

// LockRepo resolves the dependencies that the manifests of owners declare (by owner key:
// "actions/<name>", "modules/<name>") into prev, as Resolver.Lock does, then pins the manifests of the working tree at dir to the versions chosen,
// and only then writes dir's actionsd.lock: a lock is only written for manifests that say what it
// says. Files are replaced atomically, keeping their mode.
func LockRepo(ctx context.Context, dir string, owners map[string]Manifest, prev *lockfile.Lock, opts RepoOptions) (*RepoLock, error) {
	out := &RepoLock{}
	declared := map[string]map[string]string{}
	for key, o := range owners {
		if len(o.Dependencies) > 0 {
			declared[key] = o.Dependencies
		}
	}
	regs := &Registries{} // nothing to resolve: no registry needed
	if len(declared) > 0 {
		var err error
		if regs, err = opts.Registries(); err != nil {
			return out, err
		}
	}
	r := &Resolver{Registries: regs, MaxDependencies: opts.MaxDependencies, NodeVersion: opts.NodeVersion, Progress: opts.Progress}
	res, err := r.Lock(ctx, declared, prev)
	if err != nil {
		return out, err
	}
	out.Warnings = res.Warnings
	for _, key := range slices.Sorted(maps.Keys(declared)) {
		manifest := owners[key].Path
		path := filepath.Join(dir, filepath.FromSlash(manifest))
		data, err := os.ReadFile(path)
		if err != nil {
			return out, err
		}
		pinned, changed, err := PinManifest(data, res.Pinned[key])
		if err != nil {
			return out, fmt.Errorf("%s: %w", manifest, err)
		}
		if !changed {
			continue
		}
		if err := writeAtomic(path, pinned); err != nil {
			return out, err
		}
		for _, n := range slices.Sorted(maps.Keys(res.Pinned[key])) {
			if to := res.Pinned[key][n]; declared[key][n] != to {
				out.Pins = append(out.Pins, Pin{Manifest: manifest, Package: n, From: declared[key][n], To: to})
			}
		}
	}
	data, err := res.Lock.Marshal()
	if err != nil {
		return out, err
	}
	if err := writeAtomic(filepath.Join(dir, lockfile.Name), data); err != nil {
		return out, err
	}
	out.Lock = res.Lock
	if opts.Bundle && len(declared) > 0 {
		out.BundleWarnings = bundleWarnings(ctx, dir, regs, res.Lock, owners, slices.Sorted(maps.Keys(declared)), opts.Progress)
	}
	return out, nil
}

// bundleWarnings bundles the dependencies of keys as the daemon will, in a temporary folder (the
// bundles of test, invoke and validate, which know the owners' deep imports, stay the only ones
// of the CLI's cache), and says each require of a package that is not installed (it throws when
// it runs) and each set that does not bundle. The lock is written either way: resolving
// succeeded. Tarballs come from the repository's vendor/npm/ when it has them.
func bundleWarnings(ctx context.Context, repoDir string, regs *Registries, lock *lockfile.Lock, owners map[string]Manifest, keys []string, pr progress.Reporter) []string {
	var warnings []string
	dir, err := os.MkdirTemp("", "actionsd-lock-")
	if err != nil {
		return []string{fmt.Sprintf("dependencies not bundled: %v", err)}
	}
	defer os.RemoveAll(dir)
	inst, err := NewInstaller(InstallerOptions{Dir: dir, Registries: regs, Timeout: 20 * time.Second, Retries: 1,
		VendorDir: filepath.Join(repoDir, filepath.FromSlash(VendorDir)), Progress: pr})
	if err != nil {
		return []string{fmt.Sprintf("dependencies not bundled: %v", err)}
	}
	for _, key := range keys {
		b, err := inst.Install(ctx, lock, key)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: its npm dependencies do not bundle: %v", owners[key].Path, err))
			continue
		}
		if b == nil {
			continue
		}
		for _, m := range b.Missing {
			if !m.Guarded { // a require in a try block: the package handles its failure
				warnings = append(warnings, fmt.Sprintf("%s: %s", owners[key].Path, m))
			}
		}
	}
	return warnings
}

// CheckManifests checks lock against what every owner's manifest declares (Check): an error
// listing every disagreement, each after its manifest's path; nil when the lock is good for all.
func CheckManifests(lock *lockfile.Lock, owners map[string]Manifest) error {
	var problems []string
	for _, key := range slices.Sorted(maps.Keys(owners)) {
		for _, p := range Check(lock, key, owners[key].Dependencies) {
			problems = append(problems, owners[key].Path+": "+p.Error())
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the lock disagrees with the manifests:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// writeAtomic replaces path with data through a temporary file in the same folder, keeping the
// file's mode when it exists.
func writeAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
