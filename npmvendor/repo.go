package npmvendor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/progress"
	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/lockfile"
)

// InstallRequest is one owner's install (prepare.InstallRequest is this type).
type InstallRequest struct {
	Lock  *lockfile.Lock
	Owner string // "actions/<name>" or "modules/<name>"
	// Commits are read for tarballs in their vendor/npm/ folder, in order (the lock's own commit
	// first, then the deploy branch's HEAD: tarballs are verified against their integrity, so any
	// commit may serve them), before any registry. "" is the working tree (the CLI's installer
	// reads its vendor/npm/ whatever they say).
	Commits []string
	// Subpaths are the deep imports of declared packages ("lodash/get") the owner's code requires
	// literally; the bundle gets an entry for each.
	Subpaths []string
}

// CommitReader reads a file of a repository at a commit, at most limit bytes (-1: no limit),
// with an error matching fs.ErrNotExist when the commit has no such file. gitstore.Store is one.
type CommitReader interface {
	ReadFile(commit, name string, limit int64) ([]byte, error)
}

// RepoInstallerOptions configure a RepoInstaller.
type RepoInstallerOptions struct {
	Dir      string       // the cache folder (the daemon's <data-dir>/npm)
	Repo     CommitReader // reads each commit's vendor/npm/ and, for a remote repository, .npmrc
	Registry string       // the daemon configuration's npm.registry; "" for the usual search
	// RepoDir is a local repository's working tree, whose .npmrc is read first; "" for a remote
	// repository, whose .npmrc is read from Repo at the deploy branch's HEAD.
	RepoDir   string
	Retention time.Duration // npm.cache_retention: how long an unused entry stays in Dir (negative: for ever)
	MaxNpmrc  int64         // the largest .npmrc read from Repo (repo_limits.max_manifest_size)
	Metrics   *Metrics
	Logger    *zap.Logger
	Progress  progress.Reporter // told of each install that downloads tarballs; nil: silent
}

// RepoInstaller is the daemon's installer (prepare.Installer): an Installer over the cache in
// Dir, reading each commit's vendor/npm/ from the repository before any registry. Its Installer
// is made on first use, so that a repository without dependencies never looks for a registry.
type RepoInstaller struct {
	opts RepoInstallerOptions
	lazy lazyInstaller

	mu     sync.Mutex // guards the fields below
	commit string     // the deploy branch's HEAD at the latest install: a remote repository's .npmrc is read there
	// npmrc is the digest of the .npmrc files the registries were found with; looked is the
	// commit at which they were last compared, so that a HEAD that moved compares them again.
	npmrc  string
	looked string
	pruned struct {
		keys string    // the bundles in use at the last prune, joined
		at   time.Time // when it ran
	}
}

// NewRepoInstaller returns the installer of opts; it makes nothing until the first install.
func NewRepoInstaller(opts RepoInstallerOptions) *RepoInstaller {
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	return &RepoInstaller{opts: opts}
}

// Install installs owner's dependencies as lock records them, reading vendored tarballs from the
// repository's vendor/npm/ at commits first.
func (n *RepoInstaller) Install(ctx context.Context, req InstallRequest) (*jsdeps.Bundle, error) {
	log := n.opts.Logger
	inst, err := n.lazy.get(func() (InstallerOptions, error) {
		// The registry is looked for only when a tarball is neither cached nor vendored: a
		// restart with everything cached does not ask the npm CLI.
		load := func() (*Registries, error) {
			opts := RegistryOptions{Registry: n.opts.Registry, RepoDir: n.opts.RepoDir}
			if n.opts.RepoDir == "" {
				opts.RepoNpmrc = n.repoNpmrc()
			}
			digest := n.npmrcDigest(opts.RepoNpmrc)
			n.mu.Lock()
			n.npmrc, n.looked = digest, n.commit
			n.mu.Unlock()
			regs, err := LoadRegistries(opts)
			if err != nil {
				log.Warn("npm: no registry; dependencies install from the repository's vendor/npm/ only", zap.Error(err))
				return nil, err
			}
			log.Info("npm registry", zap.String("source", regs.Source))
			return regs, nil
		}
		return InstallerOptions{
			Dir: n.opts.Dir, LoadRegistries: load, RegistriesChanged: n.npmrcChanged,
			Logger: log, Metrics: n.opts.Metrics, RemoveLayoutsInBackground: true, Progress: n.opts.Progress,
		}, nil
	})
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	for _, c := range slices.Backward(req.Commits) { // the deploy branch's HEAD is the last
		if c != "" {
			n.commit = c
			break
		}
	}
	n.mu.Unlock()
	var vendor vendorTrees
	for _, c := range req.Commits {
		if c != "" {
			vendor = append(vendor, &commitVendor{repo: n.opts.Repo, commit: c, log: log})
		}
	}
	return inst.InstallWith(ctx, req.Lock, req.Owner, InstallOptions{Vendor: vendor, Subpaths: req.Subpaths})
}

// repoPruneEvery is how often the daemon's cache is pruned while the bundles in use stay the
// same: an entry may have come of age since.
const repoPruneEvery = time.Hour

// InUse prunes the cache after a reconcile (sync.BundleCache): the bundles the serving
// generation does not use leave memory, and entries unused for the retention leave the cache
// folder. It prunes when the bundles in use changed, or an hour after the last prune. A prune
// that removes nothing takes about half a millisecond (BenchmarkPrune); deleting what goes
// happens after installs may go on again.
func (n *RepoInstaller) InUse(keys []string) {
	joined := strings.Join(keys, ",")
	inst := n.lazy.made()
	n.mu.Lock()
	due := inst != nil && (joined != n.pruned.keys || time.Since(n.pruned.at) >= repoPruneEvery)
	if due {
		n.pruned.keys, n.pruned.at = joined, time.Now()
	}
	n.mu.Unlock()
	if !due {
		return
	}
	start := time.Now()
	st, err := inst.Prune(PruneOptions{Keep: keys, MaxUnused: n.opts.Retention})
	if err != nil {
		n.opts.Logger.Warn("npm cache: prune incomplete", zap.Error(err))
	}
	if st.Bundles > 0 || st.Packages > 0 {
		n.opts.Logger.Info("npm cache pruned", zap.Int("bundles", st.Bundles), zap.Int("packages", st.Packages),
			zap.Int64("bytes", st.Bytes), zap.Duration("duration", time.Since(start)))
	}
}

// vendorTrees reads a file from the first commit's vendor/npm/ that has it.
type vendorTrees []*commitVendor

// Open is not used: the installer reads whole files with ReadFile.
func (v vendorTrees) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: errors.ErrUnsupported}
}

// ReadFile reads name from the first tree that has it.
func (v vendorTrees) ReadFile(name string) ([]byte, error) {
	for _, t := range v {
		data, err := t.ReadFile(name)
		if !errors.Is(err, fs.ErrNotExist) {
			return data, err
		}
	}
	return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
}

// commitVendor is vendor/npm/ of one commit, read through the repository. A commit that cannot
// be read is logged once and has no tarballs: the registry serves them.
type commitVendor struct {
	repo   CommitReader
	commit string
	log    *zap.Logger

	failed atomic.Bool
}

// ReadFile reads vendor/npm/<name> at the commit.
func (v *commitVendor) ReadFile(name string) ([]byte, error) {
	if v.failed.Load() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	data, err := v.repo.ReadFile(v.commit, VendorDir+"/"+name, -1)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		if !v.failed.Swap(true) {
			v.log.Warn("npm: cannot read vendor/npm/ from the git mirror; using the registry", zap.String("commit", v.commit), zap.Error(err))
		}
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return data, err
}

// npmrcChanged reports whether the .npmrc files differ from those the registries were found with.
// It reads them only when the deploy branch's HEAD moved since the last look: a registry moved
// in the repository's .npmrc takes effect with the commit that moves it.
func (n *RepoInstaller) npmrcChanged() bool {
	n.mu.Lock()
	moved, was := n.looked != n.commit, n.npmrc
	n.looked = n.commit
	n.mu.Unlock()
	if !moved {
		return false
	}
	var repo []byte
	if n.opts.RepoDir == "" {
		repo = n.repoNpmrc()
	}
	return n.npmrcDigest(repo) != was
}

// npmrcDigest is a digest of the .npmrc files the registries come from: the repository's (repo
// for a remote, else the working tree's) and the user's. Unreadable files count as empty.
func (n *RepoInstaller) npmrcDigest(repo []byte) string {
	h := sha256.New()
	if n.opts.RepoDir != "" {
		repo, _ = os.ReadFile(filepath.Join(n.opts.RepoDir, ".npmrc"))
	}
	fmt.Fprintf(h, "repo %d\n", len(repo))
	h.Write(repo)
	if user := UserNpmrcPath(os.Getenv); user != "" {
		data, _ := os.ReadFile(user)
		fmt.Fprintf(h, "user %d\n", len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// repoNpmrc reads .npmrc at the commit of the latest install from the repository; nil when there
// is none (or it cannot be read, which is logged).
func (n *RepoInstaller) repoNpmrc() []byte {
	n.mu.Lock()
	commit := n.commit
	n.mu.Unlock()
	if commit == "" {
		return nil
	}
	data, err := n.opts.Repo.ReadFile(commit, ".npmrc", n.opts.MaxNpmrc)
	if err == nil {
		return data
	}
	if !errors.Is(err, fs.ErrNotExist) {
		n.opts.Logger.Warn("npm: cannot read the repository's .npmrc from the git mirror", zap.String("commit", commit), zap.Error(err))
	}
	return nil
}

// WorkTreeInstaller installs the npm dependencies of the CLI's commands (`actionsd test`,
// `invoke`, `validate`) as the daemon does, from actionsd.lock: tarballs from the working tree's
// vendor/npm/, else the registry (found as `actionsd lock` finds it, and only when a tarball is
// missing), into the cache folder of CLICacheDir, which runs share. It is made on the first
// install.
type WorkTreeInstaller struct {
	repoDir   string
	errOut    io.Writer // where a failed prune is reported
	lazy      lazyInstaller
	retention time.Duration // CLICacheRetention, set with the installer
	pruned    sync.Once
}

// NewWorkTreeInstaller returns the installer of the working tree at repoDir; a prune that fails
// is reported on os.Stderr.
func NewWorkTreeInstaller(repoDir string) *WorkTreeInstaller {
	return &WorkTreeInstaller{repoDir: repoDir, errOut: os.Stderr}
}

// Install installs req.Owner's dependencies as req.Lock records them.
func (l *WorkTreeInstaller) Install(ctx context.Context, req InstallRequest) (*jsdeps.Bundle, error) {
	inst, err := l.lazy.get(func() (InstallerOptions, error) {
		dir, err := CLICacheDir()
		if err != nil {
			return InstallerOptions{}, err
		}
		retention, err := CLICacheRetention()
		if err != nil {
			return InstallerOptions{}, err
		}
		l.retention = retention
		return InstallerOptions{
			Dir:       dir,
			VendorDir: filepath.Join(l.repoDir, filepath.FromSlash(VendorDir)),
			// A command a person or CI waits for: a registry that does not answer fails it
			// within a minute, not the daemon's several.
			Timeout: 20 * time.Second,
			Retries: 1,
			LoadRegistries: func() (*Registries, error) {
				return LoadRegistries(RegistryOptions{RepoDir: l.repoDir})
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
		if _, err := inst.Prune(PruneOptions{Lock: req.Lock, MaxUnused: l.retention}); err != nil {
			fmt.Fprintf(l.errOut, "actionsd: npm cache: %v\n", err)
		}
	})
	return inst.InstallWith(ctx, req.Lock, req.Owner, InstallOptions{Subpaths: req.Subpaths})
}

// lazyInstaller makes an Installer on first use, so that a repository without dependencies
// never makes a cache folder or looks for a registry. The daemon's and the CLI's installers
// differ only in the options.
type lazyInstaller struct {
	once sync.Once
	inst atomic.Pointer[Installer]
	err  error
}

// get returns the installer, made with the options of opts on the first call.
func (l *lazyInstaller) get(opts func() (InstallerOptions, error)) (*Installer, error) {
	l.once.Do(func() {
		o, err := opts()
		if err != nil {
			l.err = err
			return
		}
		inst, err := NewInstaller(o)
		l.inst.Store(inst)
		l.err = err
	})
	return l.inst.Load(), l.err
}

// made returns the installer if an earlier get made one, else nil; it never makes one.
func (l *lazyInstaller) made() *Installer { return l.inst.Load() }

// CLICacheRetention is how long the CLI's npm cache keeps a bundle or package no run has used:
// $ACTIONSD_CACHE_RETENTION (a Go duration; negative: for ever), else 30 days.
func CLICacheRetention() (time.Duration, error) {
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

// CLICacheDir is where the CLI keeps installed npm packages and bundles: $ACTIONSD_CACHE_DIR/npm,
// else actionsd/npm in the user's cache folder.
func CLICacheDir() (string, error) {
	if d := os.Getenv("ACTIONSD_CACHE_DIR"); d != "" {
		return filepath.Join(d, "npm"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("npm cache: %w (set ACTIONSD_CACHE_DIR)", err)
	}
	return filepath.Join(d, "actionsd", "npm"), nil
}
