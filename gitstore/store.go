package gitstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/internal/progress"
	"github.com/actionsd/actionsd/lockfile"
)

// DefaultBranch is the deploy branch when Options.Branch is empty.
const DefaultBranch = "main"

// remoteName is the name of the source remote in the mirror.
const remoteName = "origin"

// fetchRefSpecs mirror the deploy branch and every tag, forced, so that a moved tag is seen (a
// plain `git fetch --tags` keeps the old target of a force-moved tag). Other branches cannot
// matter (a tag's commit comes with the tag) and are not fetched.
func fetchRefSpecs(branch string) []config.RefSpec {
	b := "refs/heads/" + branch
	return []config.RefSpec{config.RefSpec("+" + b + ":" + b), "+refs/tags/*:refs/tags/*"}
}

// Options configure a Store.
type Options struct {
	// URL is the repository: a remote URL (https://, ssh://, git://, user@host:path), a file://
	// URL or a local path (a working tree or a bare repository), read without the git CLI.
	URL string
	// Branch is the deploy branch; DefaultBranch ("main") when empty.
	Branch string
	// DataDir holds the mirror (<DataDir>/git) and the version records (<DataDir>/versions.json).
	DataDir string
	// Auth authenticates to a remote URL; nil for none.
	Auth transport.AuthMethod
	// Logger receives moved tags and first recordings; zap.NewNop() when nil.
	Logger *zap.Logger
	// Now is the clock for version records; time.Now when nil.
	Now func() time.Time
	// Verify names the revisions that must be signed; the zero value verifies nothing.
	Verify Verify
	// Registerer receives the store's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Limits bound what a snapshot reads (zero fields: DefaultLimits).
	Limits Limits
	// KeepCorrupt is how many corrupt mirrors moved aside (<DataDir>/git.corrupt-<time>) are
	// kept for inspection, the newest; 0 deletes a corrupt mirror at once.
	KeepCorrupt int
	// Progress is told of the first clone of a remote repository, with the server's own progress
	// messages; nil: silent.
	Progress progress.Reporter
}

// Store is one repository mirrored under a data dir. Fetch brings the mirror up to date and
// Snapshot reads it; neither starts a goroutine. A Store is safe for concurrent use: its
// operations run one at a time.
type Store struct {
	opts      Options
	localPath string // the source repository's path when it is local, else ""
	gitDir    string // <DataDir>/git
	records   string // <DataDir>/versions.json
	log       *zap.Logger
	metrics   *metrics

	mu       sync.Mutex               // guards the fields below and serialises git access
	repo     *git.Repository          // the mirror, once opened
	trees    treeReader               // parsed folders by tree hash
	reach    reachability             // HEAD's ancestry, for tag reachability
	versions actionHistory            // action versions of the last HEAD
	recs     *recordFile              // loaded on first Snapshot
	targets  map[string]tagTarget     // version tags' targets of the last Snapshot
	logged   map[string]bool          // moves already logged, by tag and commit
	locks    map[plumbing.Hash]lockAt // actionsd.lock by commit, for version locks
	cached   *refs                    // the mirror's refs since the last Fetch; nil: read them
	verified map[string]error         // signature checks of commits and tags, by kind and hash
	sound    string                   // refs key at which every object of the mirror was read whole
	// checkout is set for a Local's reading of a working repository, which may lack objects a
	// mirror must have (a shallow clone): a tag that names a missing object is ignored, with a
	// warning.
	checkout bool
}

// lockAt is actionsd.lock as read from one tree.
type lockAt struct {
	lock    *lockfile.Lock
	problem string // why it does not parse
}

var scpLikeURL = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+:`)

// Open checks opts and returns a Store. It starts nothing and does not touch the network or the
// data dir.
func Open(opts Options) (*Store, error) {
	if opts.URL == "" {
		return nil, errors.New("open repository: no url")
	}
	if opts.DataDir == "" {
		return nil, errors.New("open repository: no data dir")
	}
	if opts.Branch == "" {
		opts.Branch = DefaultBranch
	}
	if err := plumbing.NewBranchReferenceName(opts.Branch).Validate(); err != nil {
		return nil, fmt.Errorf("open repository: branch %q: %w", opts.Branch, err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{
		opts:     opts,
		gitDir:   filepath.Join(opts.DataDir, "git"),
		records:  filepath.Join(opts.DataDir, "versions.json"),
		log:      opts.Logger,
		trees:    treeReader{limits: opts.Limits.WithDefaults(), cache: map[string]*cachedObject{}},
		logged:   map[string]bool{},
		locks:    map[plumbing.Hash]lockAt{},
		verified: map[string]error{},
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, fmt.Errorf("open repository: metrics: %w", err)
	}
	s.metrics = m
	if s.log == nil {
		s.log = zap.NewNop()
	}
	local, err := localPath(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", redact(opts.URL), err)
	}
	s.localPath = local
	if local == "" {
		if _, err := transport.NewEndpoint(opts.URL); err != nil {
			return nil, fmt.Errorf("open repository %s: %w", redact(opts.URL), err)
		}
	}
	s.log = s.log.With(zap.String("repository", redact(opts.URL)), zap.String("branch", opts.Branch))
	return s, nil
}

// CheckLocal reports an error when raw is a local path (not a URL) that does not exist: serve
// refuses it at start, a typo most likely. A URL is not checked, a file:// one included: like a
// remote, it may be away for a while (an unmounted volume) while the mirror in the data dir
// serves, and the first fetch says what is wrong with it.
func CheckLocal(raw string) error {
	if strings.HasPrefix(raw, "file://") {
		return nil
	}
	p, err := localPath(raw)
	if err != nil {
		return fmt.Errorf("repo %s: %w", redact(raw), err)
	}
	if p == "" {
		return nil
	}
	if _, err := os.Stat(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("repo %s: no such folder (a local repository must exist when serve starts)", raw)
		}
		return fmt.Errorf("repo %s: %w", raw, err)
	}
	return nil
}

// localPath returns the absolute path of a file:// URL or a local path, or "" for a remote URL.
func localPath(raw string) (string, error) {
	if strings.HasPrefix(raw, "file://") {
		u, err := url.Parse(raw)
		if err != nil {
			return "", err
		}
		if u.Host != "" && u.Host != "localhost" {
			return "", fmt.Errorf("file url with host %q", u.Host)
		}
		return filepath.Abs(filepath.FromSlash(u.Path))
	}
	if strings.Contains(raw, "://") || scpLikeURL.MatchString(raw) {
		return "", nil
	}
	return filepath.Abs(raw)
}

// redact hides a password in a URL.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return u.Redacted()
	}
	return raw
}

// Branch returns the deploy branch.
func (s *Store) Branch() string { return s.opts.Branch }

// Fetch brings the mirror up to date with the repository: the deploy branch and every tag,
// forced, with tags deleted at the source deleted in the mirror. The first Fetch creates the
// mirror. It first lists the source's refs (a cheap ref advertisement for a remote) and fetches
// only when one that matters differs from the mirror. A repository that is already up to date is
// not an error. A fetch that fails because the mirror is corrupt moves the mirror aside and
// clones the repository again, once.
func (s *Store) Fetch(ctx context.Context) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	result := "fetched"
	defer func() {
		if err != nil {
			result = "failed"
		}
		s.metrics.fetches.WithLabelValues(result).Inc()
		s.metrics.fetchDuration.Observe(time.Since(start).Seconds())
	}()
	unchanged, err := s.fetch(ctx)
	if err != nil && ctx.Err() == nil && s.fetchCorrupt(err) {
		s.quarantine("fetch", err)
		unchanged, err = s.fetch(ctx)
	}
	if unchanged {
		result = "unchanged"
	}
	return err
}

// fetch is Fetch once; unchanged is set when no ref moved. s.mu is held.
func (s *Store) fetch(ctx context.Context) (unchanged bool, err error) {
	repo, err := s.mirror(true)
	if err != nil {
		return false, err
	}
	if s.localPath != "" {
		changed, err := fetchLocal(ctx, s.localPath, repo.Storer)
		if err != nil {
			s.cached = nil
			return false, fmt.Errorf("fetch %s: %w", s.localPath, err)
		}
		if changed {
			s.refsChanged(repo)
		}
		return !changed, nil
	}
	same, err := s.remoteUnchanged(ctx, repo)
	if err != nil {
		return false, fmt.Errorf("list refs of %s: %w", redact(s.opts.URL), err)
	}
	if same {
		return true, nil
	}
	opts := &git.FetchOptions{
		RemoteName: remoteName,
		RefSpecs:   fetchRefSpecs(s.opts.Branch),
		Auth:       s.opts.Auth,
		Tags:       git.NoTags, // the refspecs name every tag already
		Force:      true,
		Prune:      true,
	}
	phase := progress.Begin(nil, "", 0)
	if _, rerr := repo.Reference(plumbing.NewBranchReferenceName(s.opts.Branch), false); rerr != nil && s.opts.Progress != nil {
		// The first clone: the one fetch that may take minutes.
		phase = s.opts.Progress.Begin("cloning "+redact(s.opts.URL), 0)
		opts.Progress = progress.NoteWriter(phase)
	}
	err = repo.FetchContext(ctx, opts)
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		phase.End(nil)
	} else {
		phase.End(err)
	}
	s.refsChanged(repo)
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return false, fmt.Errorf("fetch %s: %w", redact(s.opts.URL), err)
	}
	return false, nil
}

// refsChanged packs the mirror's refs (thousands of tags read from one file, not thousands) and
// forgets the cached refs. s.mu is held.
func (s *Store) refsChanged(repo *git.Repository) {
	s.cached = nil
	if err := repo.Storer.PackRefs(); err != nil {
		s.log.Warn("packing the mirror's refs failed", zap.Error(err))
	}
}

// remoteUnchanged lists the remote's refs and reports whether the deploy branch and every tag
// already point where they do in the mirror.
func (s *Store) remoteUnchanged(ctx context.Context, repo *git.Repository) (bool, error) {
	remote, err := repo.Remote(remoteName)
	if err != nil {
		return false, err
	}
	advertised, err := remote.ListContext(ctx, &git.ListOptions{Auth: s.opts.Auth, PeelingOption: git.IgnorePeeled})
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return false, fmt.Errorf("branch %s: %w", s.opts.Branch, err)
	}
	if err != nil {
		return false, err
	}
	have, err := s.readRefs(repo)
	if err != nil {
		return false, nil // no deploy branch in the mirror yet: fetch
	}
	branch := plumbing.NewBranchReferenceName(s.opts.Branch)
	tags := 0
	sawBranch := false
	for _, ref := range advertised {
		name := ref.Name()
		switch {
		case name == branch:
			sawBranch = true
			if ref.Hash() != have.head {
				return false, nil
			}
		case name.IsTag():
			tags++
			if h, ok := have.tags[name.Short()]; !ok || h != ref.Hash() {
				return false, nil
			}
		}
	}
	return sawBranch && tags == len(have.tags), nil
}

// mirror opens the mirror, creating it (and pointing its remote at the URL) when create is set.
func (s *Store) mirror(create bool) (*git.Repository, error) {
	if s.repo == nil {
		repo, err := openMirror(s.gitDir)
		switch {
		case errors.Is(err, git.ErrRepositoryNotExists) && create:
			if err := os.MkdirAll(s.opts.DataDir, 0o700); err != nil {
				return nil, fmt.Errorf("create mirror: %w", err)
			}
			repo, err = git.Init(openStorage(osfs.New(s.gitDir)), nil)
			if err != nil {
				return nil, fmt.Errorf("create mirror %s: %w", s.gitDir, err)
			}
		case errors.Is(err, git.ErrRepositoryNotExists):
			return nil, fmt.Errorf("open mirror %s: not fetched yet: %w", s.gitDir, err)
		case err != nil:
			return nil, fmt.Errorf("open mirror %s: %w", s.gitDir, err)
		}
		s.repo = repo
	}
	if create && s.localPath == "" {
		if err := s.ensureRemote(); err != nil {
			return nil, err
		}
	}
	return s.repo, nil
}

// largeObject is the size above which a blob is streamed from its pack (or loose object) as it is
// read, instead of being inflated whole into memory first (and so held twice when copied).
const largeObject = 1 << 20

// openDescriptors is how many pack files the mirror keeps open between reads: opening a pack
// for every object read dominated the time of a snapshot.
const openDescriptors = 32

// openStorage is a git object store over the folder fs that streams large objects and keeps a
// few packs open.
func openStorage(fs billy.Filesystem) *filesystem.Storage {
	return filesystem.NewStorageWithOptions(fs, cache.NewObjectLRUDefault(),
		filesystem.Options{LargeObjectThreshold: largeObject, MaxOpenDescriptors: openDescriptors})
}

// PlainOpen opens the repository at path as git.PlainOpenWithOptions does, with the store of
// openStorage: large objects stream, so that TreeFS learns a blob's size without reading it.
// Close its storer (a *filesystem.Storage) when done: it keeps a few packs open.
func PlainOpen(path string, o *git.PlainOpenOptions) (*git.Repository, error) {
	repo, err := git.PlainOpenWithOptions(path, o)
	if err != nil {
		return nil, err
	}
	fss, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return repo, nil
	}
	var wt billy.Filesystem
	if w, err := repo.Worktree(); err == nil {
		wt = w.Filesystem
	}
	return git.Open(openStorage(fss.Filesystem()), wt)
}

// openMirror opens the bare repository at dir with openStorage; git.ErrRepositoryNotExists when
// there is none.
func openMirror(dir string) (*git.Repository, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil, git.ErrRepositoryNotExists
	} else if err != nil {
		return nil, err
	}
	return git.Open(openStorage(osfs.New(dir)), nil)
}

// ensureRemote points the mirror's remote at the configured URL.
func (s *Store) ensureRemote() error {
	r, err := s.repo.Remote(remoteName)
	if err == nil {
		c := r.Config()
		if len(c.URLs) == 1 && c.URLs[0] == s.opts.URL && slices.Equal(c.Fetch, fetchRefSpecs(s.opts.Branch)) {
			return nil
		}
		if err := s.repo.DeleteRemote(remoteName); err != nil {
			return fmt.Errorf("mirror remote: %w", err)
		}
	} else if !errors.Is(err, git.ErrRemoteNotFound) {
		return fmt.Errorf("mirror remote: %w", err)
	}
	_, err = s.repo.CreateRemote(&config.RemoteConfig{Name: remoteName, URLs: []string{s.opts.URL}, Fetch: fetchRefSpecs(s.opts.Branch)})
	if err != nil {
		return fmt.Errorf("mirror remote: %w", err)
	}
	return nil
}

// Head returns the deploy branch's commit in the mirror (as of the last Fetch).
func (s *Store) Head(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, err := s.mirror(false)
	if err != nil {
		return "", err
	}
	h, err := s.branchHead(repo)
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

func (s *Store) branchHead(repo *git.Repository) (plumbing.Hash, error) {
	ref, err := repo.Reference(plumbing.NewBranchReferenceName(s.opts.Branch), true)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("branch %s: %w", s.opts.Branch, err)
	}
	return ref.Hash(), nil
}

// refs is the state of the mirror's refs that a snapshot depends on.
type refs struct {
	head plumbing.Hash
	tags map[string]plumbing.Hash // tag name (without refs/tags/) -> target (tag object or commit)
	key  string                   // digest, made once when the refs are read (digest)
}

// digest sorts every tag and hashes it with the head: done once per read, not per poll.
func (r refs) digest() string {
	names := make([]string, 0, len(r.tags))
	for name := range r.tags {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	fmt.Fprintf(h, "head %s\n", r.head)
	for _, name := range names {
		fmt.Fprintf(h, "tag %s %s\n", name, r.tags[name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readRefs returns the mirror's refs, read once per Fetch that changed them. s.mu is held.
func (s *Store) readRefs(repo *git.Repository) (refs, error) {
	if s.cached != nil {
		return *s.cached, nil
	}
	r, err := s.readMirrorRefs(repo)
	if err != nil {
		return refs{}, err
	}
	r.key = r.digest()
	s.cached = &r
	return r, nil
}

func (s *Store) readMirrorRefs(repo *git.Repository) (refs, error) {
	head, err := s.branchHead(repo)
	if err != nil {
		return refs{}, err
	}
	r := refs{head: head, tags: map[string]plumbing.Hash{}}
	iter, err := repo.Tags()
	if err != nil {
		return refs{}, fmt.Errorf("list tags: %w", err)
	}
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		r.tags[ref.Name().Short()] = ref.Hash()
		return nil
	})
	if err != nil {
		return refs{}, fmt.Errorf("list tags: %w", err)
	}
	return r, nil
}

// RefsKey returns a digest of the deploy branch's commit and every tag's target in the mirror. It
// changes whenever a Snapshot could read something else (but for the version records, which
// only Snapshot itself changes): compare it to Snapshot.Refs to skip unchanged work.
func (s *Store) RefsKey(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, err := s.mirror(false)
	if err != nil {
		return "", err
	}
	r, err := s.readRefs(repo)
	if err != nil {
		return "", err
	}
	return r.key, nil
}

// Snapshot reads the deploy branch's HEAD and every module version tag of the mirror. It fails
// only when git does (no such branch, a missing object) or the version records cannot be read or
// written; problems in the repository's content are in Snapshot.Errors and Snapshot.Warnings.
// When the mirror is corrupt, it is moved aside and the error is a *CorruptMirrorError: Fetch
// then clones the repository again. Snapshots share unchanged parts with earlier ones: treat them
// as read-only.
func (s *Store) Snapshot(ctx context.Context) (*Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap, err := s.snapshot(ctx)
	if err != nil && ctx.Err() == nil && s.repo != nil && corrupt(err) {
		return nil, s.quarantine("snapshot", err)
	}
	return snap, err
}

// SnapshotAt reads the repository as Snapshot does, but at commit (a full hash the mirror has,
// an earlier head of the deploy branch) instead of the branch's head: for a rollback, and for the
// stable revision of an action under rollout. Module versions are those published now.
func (s *Store) SnapshotAt(ctx context.Context, commit string) (*Snapshot, error) {
	if !plumbing.IsHash(commit) {
		return nil, fmt.Errorf("commit %q: not a full commit hash", commit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshotAt(ctx, plumbing.NewHash(commit))
}

// snapshot is Snapshot without the check for corruption. s.mu is held.
func (s *Store) snapshot(ctx context.Context) (*Snapshot, error) {
	return s.snapshotAt(ctx, plumbing.ZeroHash)
}

// snapshotAt reads the snapshot at the commit at, or at the branch's head when at is zero. s.mu is
// held.
func (s *Store) snapshotAt(ctx context.Context, at plumbing.Hash) (*Snapshot, error) {
	repo, err := s.mirror(false)
	if err != nil {
		return nil, err
	}
	r, err := s.readRefs(repo)
	if err != nil {
		return nil, err
	}
	history := &s.versions
	if !at.IsZero() {
		r.head = at
		history = &actionHistory{} // the cache follows the branch's head; an older commit walks alone
	}
	head, err := object.GetCommit(repo.Storer, r.head)
	if err != nil {
		return nil, fmt.Errorf("branch %s: commit %s: %w", s.opts.Branch, r.head, err)
	}
	s.trees.begin()
	defer s.trees.end()
	snap, err := s.trees.read(NewTreeFS(repo.Storer, head.TreeHash))
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", r.head, err)
	}
	snap.Commit, snap.Branch, snap.Refs = r.head.String(), s.opts.Branch, r.key
	if s.opts.Verify.Commits {
		if err := s.verifyOnce(head.Hash, func() error { return s.opts.Verify.verifyCommit(head) }, "commit"); err != nil {
			snap.Errors = append(snap.Errors, diag.Diagnostic{Message: fmt.Sprintf("commit %s on %s: signature: %v; not deployed", short(r.head.String()), s.opts.Branch, err)})
		}
	}

	dirs := make(map[string]plumbing.Hash, len(snap.Actions))
	for name, a := range snap.Actions {
		dirs[name] = plumbing.NewHash(a.Tree)
	}
	versions, err := history.compute(ctx, repo.Storer, head, dirs)
	if err != nil {
		return nil, fmt.Errorf("action versions: %w", err)
	}
	for name, a := range snap.Actions {
		a.Version = versions[name].String()
	}

	if at.IsZero() { // at an earlier head, the reachability of the branch's head serves: it holds at
		if err := s.reach.update(ctx, repo.Storer, r.head); err != nil {
			return nil, fmt.Errorf("branch %s: ancestry: %w", s.opts.Branch, err)
		}
	}
	if err := s.readVersions(repo, r, snap); err != nil {
		return nil, err
	}
	return snap, nil
}

// verifyOnce runs check for the object h once (objects never change) and counts a rejection the
// first time it is seen. s.mu is held.
func (s *Store) verifyOnce(h plumbing.Hash, check func() error, kind string) error {
	key := kind + " " + h.String()
	if err, ok := s.verified[key]; ok {
		return err
	}
	err := check()
	s.verified[key] = err
	if err != nil {
		s.metrics.signatureRejected.WithLabelValues(kind).Inc()
		s.log.Warn("signature rejected", zap.String("kind", kind), zap.String("object", h.String()), zap.Error(err))
	}
	return err
}

// Local reports whether the repository is a local path or file:// URL (which Watch can watch).
func (s *Store) Local() bool { return s.localPath != "" }
