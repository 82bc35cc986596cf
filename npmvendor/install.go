package npmvendor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/internal/progress"
	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/lockfile"
)

// InstallerOptions configure NewInstaller.
type InstallerOptions struct {
	// Dir is the cache's folder (<data-dir>/npm): extracted packages under pkg/<integrity>/,
	// bundles under bundles/. Required.
	Dir string
	// Registries serve tarballs the vendor folder does not have; nil: vendor folder only.
	Registries *Registries
	// LoadRegistries, when Registries is nil, finds them on the first tarball the cache and the
	// vendor folder lack, and never otherwise: a warm start must not pay for `npm config get
	// registry` (a Node.js process, ~0.1 s). An error means vendor folder only.
	LoadRegistries func() (*Registries, error)
	// RegistriesChanged, with LoadRegistries, is asked before registries found earlier are used
	// again; true finds them anew (a committed .npmrc changed). Called only when a tarball is
	// missing, so it may read files.
	RegistriesChanged func() bool
	// VendorDir is a repository's vendor/npm/ folder, read before any registry; "" for none.
	VendorDir  string
	HTTPClient *http.Client
	// Timeout bounds each registry request (0: 60s); Retries as in Resolver.
	Timeout time.Duration
	Retries int
	// Concurrency bounds parallel tarball downloads (0: 16).
	Concurrency int
	Limits      Limits
	Logger      *zap.Logger
	// Metrics counts installs, tarballs and prunes; nil counts nothing.
	Metrics *Metrics
	// RemoveLayoutsInBackground removes each bundle's temporary node_modules layout (thousands of
	// links) after the bundle is returned, for a long-running process; a command that exits soon
	// after leaves it false, so that nothing is left behind.
	RemoveLayoutsInBackground bool
	// Progress is told of each install that downloads tarballs; nil: silent.
	Progress progress.Reporter
}

// Installer installs owners from a lock: it never resolves anything. It is safe for concurrent
// use; the cache it keeps on disk may be shared by several processes (entries appear by rename).
type Installer struct {
	dir         string
	vendorDir   string
	clientMu    sync.Mutex              // guards the three below
	client      *client                 // nil until found
	clientErr   error                   // the last failure to find one
	clientTried time.Time               // when it was last tried
	newClient   func() (*client, error) // called by registry()
	changed     func() bool             // InstallerOptions.RegistriesChanged; nil: never

	backgroundRemove bool // InstallerOptions.RemoveLayoutsInBackground
	progress         progress.Reporter
	metrics          *Metrics
	limits           Limits
	logger           *zap.Logger
	sem              chan struct{}

	pruneMu sync.RWMutex // held for reading by installs and fetches, for writing by Prune

	touchWarned sync.Once // the first failure to mark an entry used is logged

	mu       sync.Mutex
	bundles  map[string]*jsdeps.Bundle // by input key (what the bundle was built from)
	used     map[string]*useRecord     // by jsdeps.Bundle.Key: returned since the last Prune, or kept by it
	inflight map[string]*flight        // fetches and bundles running, by cache name or input key
}

type flight struct {
	done chan struct{}
	dir  string
	b    *jsdeps.Bundle
	err  error
}

// NewInstaller makes the cache folders and returns an Installer; it starts nothing.
func NewInstaller(opts InstallerOptions) (*Installer, error) {
	if opts.Dir == "" {
		return nil, errors.New("npm installer: no cache folder")
	}
	// The bundler wants absolute paths; a relative --data-dir must work all the same.
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("npm cache: %w", err)
	}
	opts.Dir = dir
	for _, d := range []string{"pkg", "bundles", "tmp"} {
		if err := os.MkdirAll(filepath.Join(opts.Dir, d), 0o755); err != nil {
			return nil, fmt.Errorf("npm cache: %w", err)
		}
	}
	// Temporary folders an earlier process left (it stopped mid-install, or before its bundle
	// layout was removed); an hour old, so that another process's work in progress stays.
	if left, err := os.ReadDir(filepath.Join(opts.Dir, "tmp")); err == nil {
		for _, e := range left {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
				os.RemoveAll(filepath.Join(opts.Dir, "tmp", e.Name()))
			}
		}
	}
	// Bundles were single files before they were split into chunk folders; the files are of no
	// use any more.
	if old, err := filepath.Glob(filepath.Join(opts.Dir, "bundles", "*.js")); err == nil {
		for _, f := range old {
			os.Remove(f)
		}
	}
	i := &Installer{
		dir: opts.Dir, vendorDir: opts.VendorDir, limits: opts.Limits.withDefaults(), logger: opts.Logger,
		backgroundRemove: opts.RemoveLayoutsInBackground, metrics: opts.Metrics, progress: opts.Progress,
		bundles: map[string]*jsdeps.Bundle{}, used: map[string]*useRecord{}, inflight: map[string]*flight{},
	}
	if i.logger == nil {
		i.logger = zap.NewNop()
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 16
	}
	i.sem = make(chan struct{}, conc)
	if opts.Registries == nil && opts.LoadRegistries != nil {
		i.changed = opts.RegistriesChanged
	}
	i.newClient = func() (*client, error) {
		regs := opts.Registries
		if regs == nil && opts.LoadRegistries != nil {
			var err error
			if regs, err = opts.LoadRegistries(); err != nil {
				return nil, err
			}
		}
		if regs == nil {
			return nil, errors.New("no registry is configured")
		}
		return tarballClient(regs, opts.HTTPClient, opts.Timeout, opts.Retries), nil
	}
	return i, nil
}

// tarballClient is the registry client of installs and vendoring: tarballs are larger than the
// metadata Resolver reads, so a request may take 60 s unless timeout says otherwise.
func tarballClient(regs *Registries, hc *http.Client, timeout time.Duration, retries int) *client {
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	return (&Resolver{Registries: regs, HTTPClient: hc, Timeout: timeout, Retries: retries}).client()
}

// registryRetry is how long a failure to find the registries stands before they are looked for
// again (the npm CLI may have timed out, a .npmrc may have been fixed).
var registryRetry = 30 * time.Second

// registry returns the client of the registries, finding them on the first call that needs them.
// Once found they are kept until RegistriesChanged says otherwise; a failure is kept for
// registryRetry, or until RegistriesChanged, then tried again.
func (i *Installer) registry() (*client, error) {
	i.clientMu.Lock()
	defer i.clientMu.Unlock()
	if (i.client != nil || i.clientErr != nil) && i.changed != nil && i.changed() {
		i.logger.Info("npm registry configuration changed: finding the registries again")
		i.client, i.clientErr = nil, nil
	}
	if i.client != nil {
		return i.client, nil
	}
	if i.clientErr != nil && time.Since(i.clientTried) < registryRetry {
		return nil, i.clientErr
	}
	i.clientTried = time.Now()
	i.client, i.clientErr = i.newClient()
	return i.client, i.clientErr
}

// PackageError is a failure to install one locked package.
type PackageError struct {
	Package, Version string
	Err              error
}

func (e *PackageError) Error() string {
	return fmt.Sprintf("package %s@%s: %v", e.Package, e.Version, e.Err)
}

func (e *PackageError) Unwrap() error { return e.Err }

// Install returns the bundle of owner's dependencies ("actions/<name>" or "modules/<name>") as
// the lock records them, nil when the owner has none. Every package is fetched at most once
// (vendor folder, else registry), verified against its integrity and extracted into the cache; the
// bundle is cached by what it was built from, so a warm call reads one file. A failure leaves the
// cache as it was: entries appear whole or not at all.
func (i *Installer) Install(ctx context.Context, lock *lockfile.Lock, owner string) (*jsdeps.Bundle, error) {
	return i.InstallVendored(ctx, lock, owner, nil)
}

// InstallVendored is Install reading tarballs first from vendor, a repository's vendor/npm/ folder
// at the lock's commit (paths as `actionsd vendor` writes them, slash-separated), then from
// InstallerOptions.VendorDir, then from the registry. The daemon passes a view of the git tree, so
// a repository that vendors its tarballs needs no registry. vendor is read with fs.ReadFile,
// possibly from several goroutines at once; nil reads nothing.
func (i *Installer) InstallVendored(ctx context.Context, lock *lockfile.Lock, owner string, vendor fs.FS) (*jsdeps.Bundle, error) {
	return i.InstallWith(ctx, lock, owner, InstallOptions{Vendor: vendor})
}

// InstallOptions are what InstallWith takes beyond the lock and the owner.
type InstallOptions struct {
	// Vendor is read for tarballs before anything else, as in InstallVendored; nil for none.
	Vendor fs.FS
	// Subpaths are deep imports of declared packages ("lodash/get", "@scope/pkg/sub") that the
	// owner's code requires: each gets an entry of the bundle beside the package names
	// (jsdeps.PackageSubpaths finds them).
	Subpaths []string
}

// InstallWith is Install with options.
func (i *Installer) InstallWith(ctx context.Context, lock *lockfile.Lock, owner string, opts InstallOptions) (_ *jsdeps.Bundle, err error) {
	vendor := opts.Vendor
	if lock == nil {
		return nil, fmt.Errorf("%s: no %s", owner, lockfile.Name)
	}
	o := lock.Owners[owner]
	if o == nil {
		return nil, fmt.Errorf("%s: not in %s (run actionsd lock)", owner, lockfile.Name)
	}
	if len(o.Dependencies) == 0 {
		return nil, nil
	}
	pkgs, err := ownerPackages(lock, owner, o)
	if err != nil {
		return nil, err
	}
	subpaths, err := checkSubpaths(owner, o, opts.Subpaths)
	if err != nil {
		return nil, err
	}
	key, err := inputKey(o, pkgs, subpaths)
	if err != nil {
		return nil, err
	}
	i.mu.Lock()
	if b := i.bundles[key]; b != nil {
		i.mu.Unlock()
		i.metrics.install("memory", 0)
		return b, nil
	}
	f := i.inflight["bundle:"+key]
	if f != nil {
		i.mu.Unlock()
		select {
		case <-f.done:
			return f.b, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f = &flight{done: make(chan struct{})}
	i.inflight["bundle:"+key] = f
	i.mu.Unlock()

	var keep bool
	var use *useRecord
	defer func() { // also when install panics: the waiters and the next install must not hang
		if p := recover(); p != nil {
			f.b, keep, f.err = nil, false, fmt.Errorf("%s: installing failed: %v", owner, p)
			err = f.err
		}
		i.mu.Lock()
		delete(i.inflight, "bundle:"+key)
		if f.err == nil && keep {
			i.bundles[key] = f.b
		}
		if f.err == nil && f.b != nil && use != nil {
			if old := i.used[f.b.Key]; old == nil || old.folder == "" {
				i.used[f.b.Key] = use
			}
		}
		i.mu.Unlock()
		close(f.done)
	}()
	i.pruneMu.RLock()
	defer i.pruneMu.RUnlock()
	start := time.Now()
	f.b, use, keep, f.err = i.install(ctx, owner, o, pkgs, subpaths, key, vendor)
	switch {
	case f.err != nil && ctx.Err() != nil: // the caller gave up: not the install's failure
	case f.err != nil:
		i.metrics.install("failed", time.Since(start))
	case use != nil && use.cached:
		i.metrics.install("disk", time.Since(start))
	default:
		i.metrics.install("built", time.Since(start))
	}
	return f.b, f.err
}

// useRecord is what a bundle the installer returned uses on disk, for Prune.
type useRecord struct {
	folder string   // its folder under bundles/; "" when it is not stored
	pkgs   []string // the folders under pkg/ it was built from
	cached bool     // it was read from its folder, not built
}

// install returns owner's bundle, from the cache or built, what it uses on disk, and whether it
// may be kept.
func (i *Installer) install(ctx context.Context, owner string, o *lockfile.Owner, pkgs map[string]*lockfile.Package, subpaths []string, key string, vendor fs.FS) (*jsdeps.Bundle, *useRecord, bool, error) {
	cached := filepath.Join(i.dir, "bundles", key)
	if b, used, err := readBundle(cached); err == nil {
		i.touch(cached)
		return b, &useRecord{folder: key, pkgs: used, cached: true}, true, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		i.logger.Warn("npm bundle cache: rebuilding an unreadable entry", zap.String("owner", owner), zap.Error(err))
		if err := os.RemoveAll(cached); err != nil {
			return nil, nil, false, fmt.Errorf("%s: npm bundle cache: %w", owner, err)
		}
	}
	dirs, failed, err := i.fetchAll(ctx, pkgs, vendor)
	if err != nil {
		return nil, nil, false, fmt.Errorf("%s: %w", owner, err)
	}
	if len(failed) > 0 {
		// Optional packages that did not fetch go, with what needs them; the bundle is not
		// kept, so that a later install tries them again.
		if pkgs, err = prune(pkgs, failed); err != nil {
			return nil, nil, false, fmt.Errorf("%s: %w", owner, err)
		}
		for _, k := range sortedKeys(failed) {
			if _, kept := pkgs[k]; !kept {
				i.logger.Warn("npm optional package left out", zap.String("owner", owner), zap.String("package", k), zap.Error(failed[k]))
			}
		}
	}
	sp, err := i.bundle(ctx, o, pkgs, dirs, subpaths)
	if err != nil {
		return nil, nil, false, fmt.Errorf("%s: bundling: %w", owner, err)
	}
	use := &useRecord{pkgs: packageFolders(dirs)}
	if len(failed) == 0 {
		if err := writeBundle(filepath.Join(i.dir, "tmp"), cached, sp, use.pkgs); err != nil {
			i.logger.Warn("npm bundle cache", zap.String("owner", owner), zap.Error(err))
		} else {
			use.folder = key
		}
	}
	b := newBundle(sp.entries, sp.chunks)
	b.Missing = sp.missing
	return b, use, len(failed) == 0, nil
}

// packageFolders is the names under pkg/ of fetched package folders, sorted.
func packageFolders(dirs map[string]string) []string {
	out := make([]string, 0, len(dirs))
	for _, d := range dirs {
		out = append(out, filepath.Base(d))
	}
	slices.Sort(out)
	return out
}

// bundleManifest is bundle.json of a cached bundle's folder, beside its chunk files.
type bundleManifest struct {
	Entries map[string]string `json:"entries"` // package -> chunk
	Chunks  []string          `json:"chunks"`
	// Packages are the folders under pkg/ the bundle was built from: Prune keeps them while it
	// keeps the bundle, so that the bundle can be built again without a registry.
	Packages []string `json:"packages"`
	// Missing are the bundle's requires of nothing (jsdeps.Bundle.Missing).
	Missing []jsdeps.Missing `json:"missing,omitempty"`
}

// writeBundle stores a bundle as a folder (bundle.json and the chunks), made whole in tmpDir and
// renamed into place, so that a reader sees all of it or nothing. pkgs are the folders under pkg/
// it was built from.
func writeBundle(tmpDir, dst string, sp *split, pkgs []string) error {
	dir, err := os.MkdirTemp(tmpDir, "bundle-out-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir) // a no-op once renamed
	m := bundleManifest{Entries: sp.entries, Chunks: sortedKeys(sp.chunks), Packages: pkgs, Missing: sp.missing}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "bundle.json"), data, 0o644); err != nil {
		return err
	}
	for name, code := range sp.chunks {
		if err := os.WriteFile(filepath.Join(dir, name), code, 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	if err := os.Rename(dir, dst); err != nil {
		if _, statErr := os.Stat(filepath.Join(dst, "bundle.json")); statErr == nil {
			return nil // another installer stored the same bundle first
		}
		return err
	}
	return nil
}

// readManifest reads the bundle.json of a bundle folder.
func readManifest(dir string) (bundleManifest, error) {
	var m bundleManifest
	data, err := os.ReadFile(filepath.Join(dir, "bundle.json"))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", filepath.Join(dir, "bundle.json"), err)
	}
	return m, nil
}

// readBundle reads a bundle folder that writeBundle stored, and the package folders it was built
// from.
func readBundle(dir string) (*jsdeps.Bundle, []string, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, nil, err
	}
	chunks := make(map[string][]byte, len(m.Chunks))
	for _, name := range m.Chunks {
		if !validChunkName(name) {
			return nil, nil, fmt.Errorf("%s: bad chunk name %q", filepath.Join(dir, "bundle.json"), name)
		}
		code, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, nil, fmt.Errorf("bundle chunk: %v", err) // %v: a missing chunk is damage, not a cache miss
		}
		chunks[name] = code
	}
	for pkg, c := range m.Entries {
		if chunks[c] == nil {
			return nil, nil, fmt.Errorf("%s: entry chunk %q of %s is missing", filepath.Join(dir, "bundle.json"), c, pkg)
		}
	}
	b := newBundle(m.Entries, chunks)
	b.Missing = m.Missing
	return b, m.Packages, nil
}

// validChunkName accepts the names esbuild gives chunks: one path element ending in .js.
func validChunkName(name string) bool {
	return strings.HasSuffix(name, ".js") && !strings.ContainsAny(name, `/\`) && name != ".." && !strings.HasPrefix(name, ".")
}

// newBundle makes the runner's Bundle, keyed by a hash of its entries and chunks.
func newBundle(entries map[string]string, chunks map[string][]byte) *jsdeps.Bundle {
	h := sha256.New()
	for _, pkg := range sortedKeys(entries) {
		fmt.Fprintf(h, "entry %q %q\n", pkg, entries[pkg])
	}
	for _, name := range sortedKeys(chunks) {
		fmt.Fprintf(h, "chunk %q %d\n", name, len(chunks[name]))
		h.Write(chunks[name])
	}
	return &jsdeps.Bundle{Key: hex.EncodeToString(h.Sum(nil)), Entries: entries, Chunks: chunks}
}

// ownerPackages returns the packages of owner's tree that install on this platform, checking
// that the lock is whole.
func ownerPackages(lock *lockfile.Lock, owner string, o *lockfile.Owner) (map[string]*lockfile.Package, error) {
	listed := map[string]bool{}
	for _, k := range o.Packages {
		listed[k] = true
	}
	for _, n := range sortedKeys(o.Dependencies) {
		k := depKey(n, o.Dependencies[n])
		if !listed[k] || lock.Packages[k] == nil {
			return nil, fmt.Errorf("%s: %s is declared but not in %s's packages (run actionsd lock)", owner, k, lockfile.Name)
		}
	}
	pkgs := map[string]*lockfile.Package{}
	for _, k := range o.Packages {
		p := lock.Packages[k]
		if p == nil {
			return nil, fmt.Errorf("%s: %s is listed but has no entry in %s's packages", owner, k, lockfile.Name)
		}
		if lockfile.Key(p.Name, p.Version) != k || p.Integrity == "" || p.Tarball == "" {
			return nil, fmt.Errorf("%s: %s: incomplete entry in %s (name, version, integrity and tarball are required)", owner, k, lockfile.Name)
		}
		pkgs[k] = p
	}
	for _, k := range sortedKeys(pkgs) {
		p := pkgs[k]
		for n, v := range p.Dependencies {
			if _, ok := pkgs[depKey(n, v)]; !ok {
				return nil, fmt.Errorf("%s: %s depends on %s@%s, which %s does not list for it", owner, k, n, v, lockfile.Name)
			}
		}
	}
	skip := map[string]error{}
	for k, p := range pkgs {
		if !platformOK(p) {
			skip[k] = fmt.Errorf("not for this platform (os %v, cpu %v)", p.OS, p.CPU)
		}
	}
	return prune(pkgs, skip)
}

// prune returns pkgs without the packages of skip (keys, with why they cannot install here) and,
// as npm does, without every package that depends on one of them. Only optional packages (those
// the owner reaches through an optional dependency alone) may go: a required one that would is
// the error, naming why.
func prune(pkgs map[string]*lockfile.Package, skip map[string]error) (map[string]*lockfile.Package, error) {
	if len(skip) == 0 {
		return pkgs, nil
	}
	for changed := true; changed; {
		changed = false
		for _, k := range sortedKeys(pkgs) {
			p := pkgs[k]
			if skip[k] != nil {
				continue
			}
			for _, n := range sortedKeys(p.Dependencies) {
				dk := depKey(n, p.Dependencies[n])
				if why := skip[dk]; why != nil {
					skip[k] = fmt.Errorf("its dependency %s cannot install: %w", dk, why)
					changed = true
					break
				}
			}
		}
	}
	out := make(map[string]*lockfile.Package, len(pkgs))
	for _, k := range sortedKeys(pkgs) {
		p := pkgs[k]
		if why := skip[k]; why != nil {
			if !p.Optional {
				return nil, &PackageError{p.Name, p.Version, why}
			}
			continue
		}
		out[k] = p
	}
	return out, nil
}

// bundlerVersion changes whenever what the bundler writes changes, so old cached bundles are not
// reused.
const bundlerVersion = "actionsd-npm-bundle-5"

// checkSubpaths returns subpaths sorted and without repeats, each checked to be a deep import of a
// declared package that stays inside it.
func checkSubpaths(owner string, o *lockfile.Owner, subpaths []string) ([]string, error) {
	seen := map[string]bool{}
	for _, s := range subpaths {
		pkg := jsdeps.PackageName(s)
		rest := strings.TrimPrefix(s[len(pkg):], "/")
		if _, ok := o.Dependencies[pkg]; !ok || rest == "" {
			return nil, fmt.Errorf("%s: %q is not a deep import of a declared package", owner, s)
		}
		for _, seg := range strings.Split(rest, "/") {
			if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "\\\x00") {
				return nil, fmt.Errorf("%s: deep import %q: each part of the path must be a plain name", owner, s)
			}
		}
		seen[s] = true
	}
	return sortedKeys(seen), nil
}

// inputKey is the hash of everything a bundle is built from.
func inputKey(o *lockfile.Owner, pkgs map[string]*lockfile.Package, subpaths []string) (string, error) {
	data, err := json.Marshal(struct {
		V        string
		Deps     map[string]string
		Packages map[string]*lockfile.Package
		Subpaths []string `json:",omitempty"`
	}{bundlerVersion, o.Dependencies, pkgs, subpaths})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// fetchAll brings every package into the cache, in parallel, and returns their folders; optional
// ones that fail are returned apart, with why.
func (i *Installer) fetchAll(ctx context.Context, pkgs map[string]*lockfile.Package, vendor fs.FS) (dirs map[string]string, failed map[string]error, err error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	dirs, failed = map[string]string{}, map[string]error{}
	var errs []error
	// A phase that begins with the first tarball fetched: a warm start says nothing, and pays
	// nothing.
	phase := progress.Begin(nil, "", 0)
	if i.progress != nil {
		lp := &lazyPhase{begin: func() progress.Phase {
			missing := 0
			for _, p := range pkgs {
				if name, err := cacheName(p.Integrity); err == nil {
					if _, err := os.Stat(filepath.Join(i.dir, "pkg", name)); err != nil {
						missing++
					}
				}
			}
			return i.progress.Begin("fetching npm packages", missing)
		}}
		phase = lp
		defer func() { lp.End(err) }()
	}
	for k, p := range pkgs {
		wg.Go(func() {
			dir, err := i.fetchFrom(ctx, p, vendor, phase)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil && p.Optional && ctx.Err() == nil:
				failed[k] = err
			case err != nil:
				errs = append(errs, err)
			default:
				dirs[k] = dir
			}
		})
	}
	wg.Wait()
	return dirs, failed, joinSorted(errs)
}

// Fetch brings one locked package into the cache and returns its folder: from the cache when it
// is there, else from the vendor folder, else from its registry; verified and extracted into a
// temporary folder, then renamed into place.
func (i *Installer) Fetch(ctx context.Context, p *lockfile.Package) (string, error) {
	i.pruneMu.RLock()
	defer i.pruneMu.RUnlock()
	return i.fetchFrom(ctx, p, nil, progress.Begin(nil, "", 0))
}

// fetchFrom is Fetch, reading vendor (see InstallVendored) before the vendor folder.
// Tarballs read count on phase.
func (i *Installer) fetchFrom(ctx context.Context, p *lockfile.Package, vendor fs.FS, phase progress.Phase) (string, error) {
	name, err := cacheName(p.Integrity)
	if err != nil {
		return "", &PackageError{p.Name, p.Version, err}
	}
	dir := filepath.Join(i.dir, "pkg", name)
	if _, err := os.Stat(dir); err == nil {
		i.touch(dir)
		return dir, nil
	}
	i.mu.Lock()
	f := i.inflight["pkg:"+name]
	if f != nil {
		i.mu.Unlock()
		select {
		case <-f.done:
			return f.dir, f.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	f = &flight{done: make(chan struct{}), dir: dir}
	i.inflight["pkg:"+name] = f
	i.mu.Unlock()
	f.err = i.fetch(ctx, p, dir, vendor, phase)
	if f.err != nil {
		f.err = &PackageError{p.Name, p.Version, f.err}
	} else {
		phase.Add(1, 0)
	}
	i.mu.Lock()
	delete(i.inflight, "pkg:"+name)
	i.mu.Unlock()
	close(f.done)
	return f.dir, f.err
}

func (i *Installer) fetch(ctx context.Context, p *lockfile.Package, dir string, vendor fs.FS, phase progress.Phase) (err error) {
	phase.Add(0, 0) // a lazyPhase begins
	algo, want, err := parseIntegrity(p.Integrity)
	if err != nil {
		return err
	}
	body, source, err := i.open(ctx, p, vendor)
	defer func() {
		if err == nil || ctx.Err() == nil { // a fetch the caller gave up is not the source's failure
			i.metrics.tarball(source, err)
		}
	}()
	if err != nil {
		return err
	}
	defer body.Close()
	tmp, err := os.MkdirTemp(filepath.Join(i.dir, "tmp"), "pkg-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	vr := &verifyingReader{r: progress.CountingReader(body, phase), h: newHash(algo), max: i.limits.MaxTarball, algo: algo}
	xerr := extract(vr, tmp, i.limits)
	// The digest decides first: a tarball that is not the locked one is reported as such, whatever
	// else is wrong with it.
	if cerr := vr.check(p.Integrity, want); cerr != nil {
		var ie *IntegrityError
		if errors.As(cerr, &ie) || xerr == nil {
			return cerr
		}
	}
	if xerr != nil {
		return xerr
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(dir); serr == nil {
			return nil // another process got there first with the same content
		}
		return err
	}
	return nil
}

// open returns the tarball of p: the vendored copy when there is one, else the registry's; source
// says which ("vendor", "registry"; "" when no source was tried).
func (i *Installer) open(ctx context.Context, p *lockfile.Package, vendor fs.FS) (_ io.ReadCloser, source string, _ error) {
	if vendor != nil {
		rel, err := vendorPath(p.Tarball)
		if err != nil {
			return nil, "vendor", err
		}
		data, err := fs.ReadFile(vendor, path.Clean(filepath.ToSlash(rel)))
		if err == nil {
			return io.NopCloser(bytes.NewReader(data)), "vendor", nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "vendor", fmt.Errorf("vendored tarball %s: %w", rel, err)
		}
	}
	if i.vendorDir != "" {
		rel, err := vendorPath(p.Tarball)
		if err != nil {
			return nil, "vendor", err
		}
		f, err := os.Open(filepath.Join(i.vendorDir, rel))
		if err == nil {
			return f, "vendor", nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, "vendor", err
		}
	}
	c, err := i.registry()
	if err != nil {
		return nil, "registry", fmt.Errorf("not in the vendor folder, and no registry: %w", err)
	}
	select {
	case i.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, "registry", ctx.Err()
	}
	resp, cancel, err := c.get(ctx, c.tarballURL(p.Name, p.Tarball), "")
	<-i.sem
	if err != nil {
		return nil, "registry", err
	}
	return &cancelBody{ReadCloser: resp.Body, cancel: cancel}, "registry", nil
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// vendorPath is where a lock's tarball path is kept below vendor/npm/: the registry-relative
// path, unescaped, checked to stay inside.
func vendorPath(tarball string) (string, error) {
	rel, err := url.PathUnescape(strings.TrimPrefix(tarball, "/"))
	if err != nil {
		return "", fmt.Errorf("bad tarball path %q: %w", tarball, err)
	}
	clean := path.Clean(rel)
	if clean == "." || strings.HasPrefix(clean, "../") || clean == ".." || path.IsAbs(clean) || strings.Contains(rel, "\\") {
		return "", fmt.Errorf("bad tarball path %q", tarball)
	}
	return filepath.FromSlash(clean), nil
}

// platformOK checks npm's os/cpu allow-lists ("!x" excludes x) against this process's platform.
func platformOK(p *lockfile.Package) bool {
	return allowed(p.OS, nodeOS()) && allowed(p.CPU, nodeCPU())
}

func allowed(list []string, v string) bool {
	if len(list) == 0 {
		return true
	}
	pos, matched := false, false
	for _, e := range list {
		if strings.HasPrefix(e, "!") {
			if e[1:] == v {
				return false
			}
			continue
		}
		pos = true
		if e == v || e == "any" {
			matched = true
		}
	}
	return !pos || matched
}

func nodeOS() string {
	if runtime.GOOS == "windows" {
		return "win32"
	}
	return runtime.GOOS
}

func nodeCPU() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x64"
	case "386":
		return "ia32"
	}
	return runtime.GOARCH
}

// layoutDeps is what package p sees as its dependencies in the bundle's folder tree: its own
// dependencies and the versions its peers resolve to for this owner (closure: every key of pkgs).
func layoutDeps(p *lockfile.Package, pkgs map[string]*lockfile.Package, closure map[string]bool, declared map[string]string) map[string]string {
	out := map[string]string{}
	for n, v := range p.Dependencies {
		out[n] = v
	}
	for n, v := range p.OptionalDependencies {
		if pkgs[depKey(n, v)] != nil {
			out[n] = v
		}
	}
	if len(p.PeerDependencies) > 0 {
		for _, n := range sortedKeys(p.PeerDependencies) {
			if _, ok := out[n]; ok {
				continue
			}
			if v := peerVersion(pkgs, closure, declared, n, p.PeerDependencies[n]); v != "" {
				out[n] = v
			}
		}
	}
	return out
}

// lazyPhase is a progress phase that begins on its first use, so that work that turns out to have
// nothing to do reports nothing.
type lazyPhase struct {
	begin func() progress.Phase
	once  sync.Once
	p     progress.Phase
}

func (l *lazyPhase) get() progress.Phase {
	l.once.Do(func() { l.p = l.begin() })
	return l.p
}

func (l *lazyPhase) Add(items int, bytes int64) { l.get().Add(items, bytes) }
func (l *lazyPhase) Note(text string)           { l.get().Note(text) }

// End ends the phase if it began.
func (l *lazyPhase) End(err error) {
	began := true
	l.once.Do(func() { began = false })
	if began {
		l.p.End(err)
	}
}
