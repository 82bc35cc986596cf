package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/internal/progress"
	"github.com/actionsd/actionsd/internal/tty"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/review"
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
other sections (published module versions) are kept as they are.

Progress goes to standard error: a bar on a terminal, else a line as each phase starts and ends.`,
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

// progressTo reports long work on w: a bar redrawn on a terminal, else a line when each phase
// starts and ends.
func progressTo(w io.Writer) progress.Reporter {
	if width, ok := tty.Terminal(w); ok {
		return progress.Bar(w, width, 100*time.Millisecond)
	}
	return progress.Lines(func(e progress.Event) { fmt.Fprintln(w, e) })
}

// lockOptions are lock's flags beyond the registry's.
type lockOptions struct {
	maxDeps     int
	nodeVersion string
	bundle      bool
}

func runLock(cmd *cobra.Command, f *npmFlags, opts lockOptions) error {
	owners, err := review.Manifests(f.dir)
	if err != nil {
		return err
	}
	prev, err := npmvendor.ReadLock(f.dir, true)
	if err != nil {
		return err
	}
	res, err := npmvendor.LockRepo(cmd.Context(), f.dir, owners, prev, npmvendor.RepoOptions{Registries: f.registries,
		MaxDependencies: opts.maxDeps, NodeVersion: opts.nodeVersion, Bundle: opts.bundle, Progress: progressTo(cmd.ErrOrStderr())})
	for _, w := range res.Warnings {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
	}
	out := cmd.OutOrStdout()
	for _, p := range res.Pins {
		fmt.Fprintf(out, "%s: %s %s -> %s\n", p.Manifest, p.Package, p.From, p.To)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d packages for %d actions and modules\n", lockfile.Name, len(res.Lock.Packages), len(res.Lock.Owners))
	for _, w := range res.BundleWarnings {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
	}
	return nil
}
