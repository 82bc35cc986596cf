package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/npmvendor"
	"github.com/actionsd/actionsd/prepare"
	"github.com/actionsd/actionsd/review"
)

// Exit codes of the repository commands: 0 success, 1 a finding (errors, failed tests), 2 a
// usage error.
const exitUsage = 2

// repoFlags are the flags every command that reads a repository shares.
type repoFlags struct {
	dir    string
	branch string
	limits limitFlags // as serve takes them
}

func (f *repoFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.dir, "dir", "C", ".", "the repository to work on")
	cmd.Flags().StringVar(&f.branch, "branch", gitstore.DefaultBranch, "the deploy branch")
	f.limits.add(cmd.Flags())
	_ = cmd.MarkFlagDirname("dir")
}

func (f *repoFlags) open() (*review.Repo, error) {
	r, err := review.Open(f.dir, f.branch)
	if err != nil {
		return nil, err
	}
	r.Limits = f.limits.l.Limits()
	return r, nil
}

// usage makes cmd's flag and argument errors exit with status 2, as usage errors do.
func usage(cmd *cobra.Command) *cobra.Command {
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError(c, "%v", err)
	})
	if args := cmd.Args; args != nil {
		cmd.Args = func(c *cobra.Command, a []string) error {
			if err := args(c, a); err != nil {
				return usageError(c, "%v", err)
			}
			return nil
		}
	}
	return cmd
}

// exitError carries an exit status other than 1 up to main, which prints it and exits with Code.
type exitError struct {
	Code int
	Err  error
}

func (e *exitError) Error() string { return e.Err.Error() }
func (e *exitError) Unwrap() error { return e.Err }

// usageError is a usage error of cmd: main prints it with a pointer to --help and exits with 2.
func usageError(cmd *cobra.Command, format string, args ...any) error {
	return &exitError{Code: exitUsage, Err: fmt.Errorf("%s: %s\nSee 'actionsd %s --help'.", cmd.Name(), fmt.Sprintf(format, args...), cmd.Name())}
}

// oneOf checks a flag's value against the accepted ones.
func oneOf(cmd *cobra.Command, flag, value string, accepted ...string) error {
	for _, a := range accepted {
		if value == a {
			return nil
		}
	}
	return usageError(cmd, "--%s %q: want one of %s", flag, value, strings.Join(accepted, ", "))
}

// formatCompletion completes a --format flag.
func formatCompletion(values ...string) func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeObjects completes the names of actions or modules ("actions", "modules") of the -C repo.
func completeObjects(f *repoFlags, kind string) func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		entries, err := os.ReadDir(f.dir + "/" + kind)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, e := range entries {
			if e.IsDir() && gitstore.ValidName(e.Name()) {
				names = append(names, e.Name())
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// localInstaller installs the npm dependencies of `actionsd test` and `invoke` as the daemon does,
// from actionsd.lock: tarballs from the working tree's vendor/npm/, else the registry (found as
// `actionsd lock` finds it, and only when a tarball is missing), into the cache folder of
// npmCacheDir, which runs share. It is made on the first install.
type localInstaller struct {
	repoDir   string
	lazy      lazyInstaller
	retention time.Duration // cliCacheRetention, set with the installer
	pruned    gosync.Once
}

func (l *localInstaller) Install(ctx context.Context, req prepare.InstallRequest) (*jsdeps.Bundle, error) {
	inst, err := l.lazy.get(func() (npmvendor.InstallerOptions, error) {
		dir, err := npmCacheDir()
		if err != nil {
			return npmvendor.InstallerOptions{}, err
		}
		retention, err := cliCacheRetention()
		if err != nil {
			return npmvendor.InstallerOptions{}, err
		}
		l.retention = retention
		return npmvendor.InstallerOptions{
			Dir:       dir,
			VendorDir: filepath.Join(l.repoDir, filepath.FromSlash(npmvendor.VendorDir)),
			// A command a person or CI waits for: a registry that does not answer fails it
			// within a minute, not the daemon's several.
			Timeout: 20 * time.Second,
			Retries: 1,
			LoadRegistries: func() (*npmvendor.Registries, error) {
				return npmvendor.LoadRegistries(npmvendor.RegistryOptions{RepoDir: l.repoDir})
			},
		}, nil
	})
	if err != nil {
		return nil, err
	}
	// Runs share the cache, and each use marks an entry used: the first install of a run
	// removes what no run has used for the retention (about a millisecond), except the packages
	// of this lock, so that an old cache still serves this run without a registry.
	l.pruned.Do(func() {
		if _, err := inst.Prune(npmvendor.PruneOptions{Lock: req.Lock, MaxUnused: l.retention}); err != nil {
			fmt.Fprintf(os.Stderr, "actionsd: npm cache: %v\n", err)
		}
	})
	return inst.InstallWith(ctx, req.Lock, req.Owner, npmvendor.InstallOptions{Subpaths: req.Subpaths})
}

// lazyInstaller makes an npmvendor.Installer on first use, so that a repository without
// dependencies never makes a cache folder or looks for a registry. The daemon's and the CLI's
// installers differ only in the options.
type lazyInstaller struct {
	once gosync.Once
	inst atomic.Pointer[npmvendor.Installer]
	err  error
}

// get returns the installer, made with the options of opts on the first call.
func (l *lazyInstaller) get(opts func() (npmvendor.InstallerOptions, error)) (*npmvendor.Installer, error) {
	l.once.Do(func() {
		o, err := opts()
		if err != nil {
			l.err = err
			return
		}
		inst, err := npmvendor.NewInstaller(o)
		l.inst.Store(inst)
		l.err = err
	})
	return l.inst.Load(), l.err
}

// made returns the installer if an earlier get made one, else nil; it never makes one.
func (l *lazyInstaller) made() *npmvendor.Installer { return l.inst.Load() }

// cliCacheRetention is how long the CLI's npm cache keeps a bundle or package no run has used:
// $ACTIONSD_CACHE_RETENTION (a Go duration; negative: for ever), else 30 days.
func cliCacheRetention() (time.Duration, error) {
	v := os.Getenv("ACTIONSD_CACHE_RETENTION")
	if v == "" {
		return 30 * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("ACTIONSD_CACHE_RETENTION: %q is not a duration such as 720h", v)
	}
	return d, nil
}

// npmCacheDir is where the CLI keeps installed npm packages and bundles: $ACTIONSD_CACHE_DIR/npm,
// else actionsd/npm in the user's cache folder.
func npmCacheDir() (string, error) {
	if d := os.Getenv("ACTIONSD_CACHE_DIR"); d != "" {
		return filepath.Join(d, "npm"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("npm cache: %w (set ACTIONSD_CACHE_DIR)", err)
	}
	return filepath.Join(d, "actionsd", "npm"), nil
}
