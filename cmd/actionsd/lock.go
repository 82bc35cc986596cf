package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/npmvendor"
)

// npmFlags are the flags of the commands that talk to an npm registry.
type npmFlags struct {
	dir      string
	registry string
}

func (f *npmFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.dir, "dir", "C", ".", "the repository to work on")
	cmd.Flags().StringVar(&f.registry, "registry", "", "npm registry URL (default: NPM_CONFIG_REGISTRY, .npmrc of the repository then the user, then npm's own setting)")
}

func (f *npmFlags) registries() (*npmvendor.Registries, error) {
	return npmvendor.LoadRegistries(npmvendor.RegistryOptions{Registry: f.registry, RepoDir: f.dir})
}

func newLockCmd() *cobra.Command {
	var f npmFlags
	var maxDeps int
	var nodeVersion string
	var bundle bool
	cmd := &cobra.Command{
		Use:   "lock",
		Short: "Resolve npm dependencies, pin them in the manifests and write actionsd.lock",
		Long: `lock resolves the dependencies of every action and module of the repository with npm's rules,
rewrites "latest" and ranges in action.yaml and module.yaml to the exact versions chosen, and writes
actionsd.lock with every package of each tree (name, version, integrity and the tarball's path
relative to its registry). Versions that are already locked and still declared are kept. The lock's
other sections (published module versions) are kept as they are.`,
		Example: `  actionsd lock
  actionsd lock -C ../actions-repo --registry "$NPM_CONFIG_REGISTRY"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLock(cmd, &f, lockOptions{maxDeps: maxDeps, nodeVersion: nodeVersion, bundle: bundle})
		},
	}
	f.add(cmd)
	cmd.Flags().IntVar(&maxDeps, "max-dependencies", 0, "refuse more dependencies than this per action or module (Auth0 allows 10; 0: no limit)")
	cmd.Flags().StringVar(&nodeVersion, "node-version", npmvendor.DefaultNodeVersion, "the Node version the runner emulates: ranges and latest resolve to the newest version whose engines.node admits it, as npm does (a major alone stands for its newest release)")
	cmd.Flags().BoolVar(&bundle, "bundle", true, "install and bundle each action's and module's dependencies after locking, and warn about requires of packages that are not installed (file:line) and packages that do not bundle")
	return cmd
}

// lockOptions are lock's flags beyond the registry's.
type lockOptions struct {
	maxDeps     int
	nodeVersion string
	bundle      bool
}

// repoOwner is one action or module folder of a working tree, with its manifest.
type repoOwner struct {
	manifest string // repository-relative path of action.yaml / module.yaml
	deps     map[string]string
}

// readOwners reads the working tree at dir: every action's and module draft's declared
// dependencies, by owner key. Problems in the manifests are an error.
func readOwners(dir string) (map[string]*repoOwner, error) {
	snap, err := gitstore.ReadTree(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	if len(snap.Errors) > 0 {
		var msgs []string
		for _, p := range snap.Errors {
			msgs = append(msgs, p.Error())
		}
		return nil, fmt.Errorf("the repository has errors:\n  %s", strings.Join(msgs, "\n  "))
	}
	owners := map[string]*repoOwner{}
	for name, a := range snap.Actions {
		owners["actions/"+name] = &repoOwner{manifest: "actions/" + name + "/action.yaml", deps: a.Dependencies}
	}
	for name, m := range snap.Drafts {
		owners["modules/"+name] = &repoOwner{manifest: "modules/" + name + "/module.yaml", deps: m.Dependencies}
	}
	return owners, nil
}

// readLock reads dir's actionsd.lock; a missing one is an empty lock when allowMissing.
func readLock(dir string, allowMissing bool) (*lockfile.Lock, error) {
	data, err := os.ReadFile(filepath.Join(dir, lockfile.Name))
	if errors.Is(err, fs.ErrNotExist) && allowMissing {
		return lockfile.New(), nil
	}
	if err != nil {
		return nil, err
	}
	return lockfile.Parse(data)
}

func runLock(cmd *cobra.Command, f *npmFlags, opts lockOptions) error {
	out := cmd.OutOrStdout()
	owners, err := readOwners(f.dir)
	if err != nil {
		return err
	}
	prev, err := readLock(f.dir, true)
	if err != nil {
		return err
	}
	declared := map[string]map[string]string{}
	for key, o := range owners {
		if len(o.deps) > 0 {
			declared[key] = o.deps
		}
	}
	var regs *npmvendor.Registries
	if len(declared) > 0 {
		if regs, err = f.registries(); err != nil {
			return err
		}
	} else {
		regs = &npmvendor.Registries{} // nothing to resolve: no registry needed
	}
	r := &npmvendor.Resolver{Registries: regs, MaxDependencies: opts.maxDeps, NodeVersion: opts.nodeVersion}
	res, err := r.Lock(cmd.Context(), declared, prev)
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
	}
	// Pin the manifests first: a lock is only written for manifests that say what it says.
	for _, key := range sortedStrings(declared) {
		o := owners[key]
		path := filepath.Join(f.dir, filepath.FromSlash(o.manifest))
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		pinned, changed, err := npmvendor.PinManifest(data, res.Pinned[key])
		if err != nil {
			return fmt.Errorf("%s: %w", o.manifest, err)
		}
		if !changed {
			continue
		}
		if err := writeAtomic(path, pinned); err != nil {
			return err
		}
		for _, n := range sortedStrings(res.Pinned[key]) {
			if o.deps[n] != res.Pinned[key][n] {
				fmt.Fprintf(out, "%s: %s %s -> %s\n", o.manifest, n, o.deps[n], res.Pinned[key][n])
			}
		}
	}
	data, err := res.Lock.Marshal()
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(f.dir, lockfile.Name), data); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d packages for %d actions and modules\n", lockfile.Name, len(res.Lock.Packages), len(res.Lock.Owners))
	if opts.bundle && len(declared) > 0 {
		bundleWarnings(cmd, f.dir, regs, res.Lock, owners, sortedStrings(declared))
	}
	return nil
}

// bundleWarnings bundles the dependencies of keys as the daemon will, in a temporary folder (the
// bundles of test, invoke and validate, which know the owners' deep imports, stay the only ones
// of the CLI's cache), and writes a warning for each require of a package that is not installed
// (it throws when it runs) and each set that does not bundle (validate and the daemon refuse
// it). The lock is written either way: resolving succeeded. Tarballs come from the repository's
// vendor/npm/ when it has them.
func bundleWarnings(cmd *cobra.Command, repoDir string, regs *npmvendor.Registries, lock *lockfile.Lock, owners map[string]*repoOwner, keys []string) {
	warn := func(format string, args ...any) { fmt.Fprintf(cmd.ErrOrStderr(), "warning: "+format+"\n", args...) }
	dir, err := os.MkdirTemp("", "actionsd-lock-")
	if err != nil {
		warn("dependencies not bundled: %v", err)
		return
	}
	defer os.RemoveAll(dir)
	inst, err := npmvendor.NewInstaller(npmvendor.InstallerOptions{Dir: dir, Registries: regs, Timeout: 20 * time.Second, Retries: 1,
		VendorDir: filepath.Join(repoDir, filepath.FromSlash(npmvendor.VendorDir))})
	if err != nil {
		warn("dependencies not bundled: %v", err)
		return
	}
	for _, key := range keys {
		b, err := inst.Install(cmd.Context(), lock, key)
		if err != nil {
			warn("%s: its npm dependencies do not bundle: %v", owners[key].manifest, err)
			continue
		}
		if b == nil {
			continue
		}
		for _, m := range b.Missing {
			if !m.Guarded { // a require in a try block: the package handles its failure
				warn("%s: %s", owners[key].manifest, m)
			}
		}
	}
}

func sortedStrings[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
