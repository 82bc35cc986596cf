package gitstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"go.uber.org/zap"
)

// WorkingTree is the revision name that reads a Local's working tree instead of a commit.
const WorkingTree = "working-tree"

// EmptyTree is the revision name of the empty tree: the base of a repository that has no commit
// yet, so that its first commit is reviewed as adding everything.
const EmptyTree = "empty-tree"

// Local is a repository on this machine, read in place for the CLI (validate, publish, versions,
// invoke, test): its commits and working tree, and its module versions as the daemon publishes
// them. Read applies the daemon's policy of what a version tag publishes — the same code as a
// Store's Snapshot: tag peeling, the deploy branch's ancestry, the records of actionsd.lock and
// Verify's signatures — as a replica with an empty data dir would. It never writes.
type Local struct {
	// Limits bound what Read reads, as a Store's (zero fields: DefaultLimits).
	Limits Limits
	// Verify is the signature policy of version tags, as the daemon's (--verify tags). A
	// revision's own commit is not checked against Verify.Commits: what deploys is the deploy
	// branch's HEAD once the revision is merged, not the revision.
	Verify Verify

	dir    string // the working tree's root
	branch string
	repo   *git.Repository
	// ancestries are the commits reachable from each commit asked about, kept: reviewing two
	// revisions walks each history once.
	ancestries map[plumbing.Hash]map[plumbing.Hash]struct{}
}

// OpenLocal opens the repository that contains dir (dir or one of its parents holds .git), with
// branch as its deploy branch (DefaultBranch when "").
func OpenLocal(dir, branch string) (*Local, error) {
	if branch == "" {
		branch = DefaultBranch
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	repo, err := PlainOpen(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	root := abs
	if wt, err := repo.Worktree(); err == nil {
		root = wt.Filesystem.Root()
	}
	return &Local{dir: root, branch: branch, repo: repo, ancestries: map[plumbing.Hash]map[plumbing.Hash]struct{}{}}, nil
}

// ancestry is the commits reachable from head (head included); in a shallow clone, those it has.
// Treat it as read-only.
func (l *Local) ancestry(ctx context.Context, head plumbing.Hash) (map[plumbing.Hash]struct{}, error) {
	if set, ok := l.ancestries[head]; ok {
		return set, nil
	}
	set, _, err := ancestry(ctx, l.repo.Storer, head, nil, plumbing.ZeroHash, true)
	if err != nil {
		return nil, err
	}
	l.ancestries[head] = set
	return set, nil
}

// Dir is the root of the working tree.
func (l *Local) Dir() string { return l.dir }

// Branch is the deploy branch.
func (l *Local) Branch() string { return l.branch }

// Close releases the pack files the repository keeps open.
func (l *Local) Close() error {
	if c, ok := l.repo.Storer.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func (l *Local) commit(rev string) (*object.Commit, error) {
	h, err := l.repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("revision %s: %w", rev, err)
	}
	c, err := l.repo.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("revision %s: %w", rev, err)
	}
	return c, nil
}

// Resolve returns the commit a revision names (a branch, a tag, a hash, HEAD, HEAD~1, …).
func (l *Local) Resolve(rev string) (string, error) {
	c, err := l.commit(rev)
	if err != nil {
		return "", err
	}
	return c.Hash.String(), nil
}

// Unborn reports whether HEAD names no commit yet (a repository before its first commit).
func (l *Local) Unborn() bool {
	_, err := l.repo.Head()
	return errors.Is(err, plumbing.ErrReferenceNotFound)
}

// Parents returns the parents of commit, the first parent first.
func (l *Local) Parents(commit string) ([]string, error) {
	c, err := l.commit(commit)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(c.ParentHashes))
	for i, h := range c.ParentHashes {
		out[i] = h.String()
	}
	return out, nil
}

// DeployTip returns the deploy branch's tip: refs/heads/<branch>, else refs/remotes/origin/<branch>
// (what a CI checkout has); "" when neither exists.
func (l *Local) DeployTip() string {
	for _, name := range []plumbing.ReferenceName{
		plumbing.NewBranchReferenceName(l.branch),
		plumbing.NewRemoteReferenceName("origin", l.branch),
	} {
		ref, err := l.repo.Reference(name, true)
		if err != nil {
			continue
		}
		if c, err := l.repo.CommitObject(ref.Hash()); err == nil {
			return c.Hash.String()
		}
	}
	return ""
}

// MergeBase returns the best common ancestor of the commits a and b, "" when there is none.
func (l *Local) MergeBase(a, b string) string {
	ca, err := l.commit(a)
	if err != nil {
		return ""
	}
	cb, err := l.commit(b)
	if err != nil {
		return ""
	}
	bases, err := ca.MergeBase(cb)
	if err != nil || len(bases) == 0 {
		return ""
	}
	return bases[0].Hash.String()
}

// entry is the tree entry at path in commit.
func (l *Local) entry(commit, path string) (object.TreeEntry, bool) {
	c, err := l.commit(commit)
	if err != nil {
		return object.TreeEntry{}, false
	}
	t, err := c.Tree()
	if err != nil {
		return object.TreeEntry{}, false
	}
	e, err := t.FindEntry(path)
	if err != nil {
		return object.TreeEntry{}, false
	}
	return *e, true
}

// FolderTree returns the tree hash of the folder dir ("modules/logger") in commit, "" when there
// is none.
func (l *Local) FolderTree(commit, dir string) string {
	if e, ok := l.entry(commit, dir); ok && e.Mode == filemode.Dir {
		return e.Hash.String()
	}
	return ""
}

// FileHash returns the blob hash of the file name in commit, "" when there is none.
func (l *Local) FileHash(commit, name string) string {
	if e, ok := l.entry(commit, name); ok && e.Mode.IsFile() {
		return e.Hash.String()
	}
	return ""
}

// ReadFile reads the file name of commit when it is at most limit bytes (negative: any size); a
// file that is not there is an fs.ErrNotExist, a larger one a *TooLargeError, not read.
func (l *Local) ReadFile(commit, name string, limit int64) ([]byte, error) {
	return readCommitFile(l.repo, commit, name, limit)
}

// readCommitFile reads name from commit's tree in repo, within limit.
func readCommitFile(repo *git.Repository, commit, name string, limit int64) ([]byte, error) {
	if !plumbing.IsHash(commit) {
		return nil, fmt.Errorf("commit %q: not a commit hash", commit)
	}
	c, err := object.GetCommit(repo.Storer, plumbing.NewHash(commit))
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", commit, err)
	}
	return ReadFileLimit(NewTreeFS(repo.Storer, c.TreeHash), name, limit)
}

// Tag is one module version tag of a Local, as it reads.
type Tag struct {
	Name   string // "modules/<name>/v<N>"
	Module string
	Number int
	Commit string // the commit it names; "" when it names none (Err says why)
	Tree   string // the tree of modules/<Module> in Commit; "" when there is none
	// Reachable is set when Commit is reachable from the commit Tags was asked about.
	Reachable bool
	// Date, Author and Message are the annotated tag's tagger and message, else the commit's
	// author and message.
	Date            time.Time
	Author, Message string
	Err             error
}

// Tags lists the module version tags (modules/<name>/v<N>), sorted by name; Reachable says which
// commits are in the history of on (a commit hash; none when "").
func (l *Local) Tags(ctx context.Context, on string) ([]Tag, error) {
	reach := map[plumbing.Hash]struct{}{}
	if on != "" {
		var err error
		if reach, err = l.ancestry(ctx, plumbing.NewHash(on)); err != nil {
			return nil, err
		}
	}
	refs, err := l.tagRefs()
	if err != nil {
		return nil, err
	}
	var out []Tag
	for _, name := range slices.Sorted(maps.Keys(refs)) {
		module, n, ok := ParseVersionTag(name)
		if !ok {
			continue
		}
		t := Tag{Name: name, Module: module, Number: n}
		commit, err := peelToCommit(l.repo.Storer, refs[name])
		if err != nil {
			t.Err = err
			out = append(out, t)
			continue
		}
		c, err := object.GetCommit(l.repo.Storer, commit)
		if err != nil {
			t.Err = fmt.Errorf("commit %s: %w", commit, err)
			out = append(out, t)
			continue
		}
		t.Commit = commit.String()
		if tree, err := moduleTree(l.repo.Storer, commit, module); err == nil && !tree.IsZero() {
			t.Tree = tree.String()
		}
		_, t.Reachable = reach[commit]
		t.Date, t.Author, t.Message = c.Author.When, c.Author.Name, c.Message
		if to, err := object.GetTag(l.repo.Storer, refs[name]); err == nil {
			t.Date, t.Author, t.Message = to.Tagger.When, to.Tagger.Name, strings.TrimSpace(to.Message)
		}
		out = append(out, t)
	}
	return out, nil
}

// tagRefs is every tag of the repository: name (without refs/tags/) -> target.
func (l *Local) tagRefs() (map[string]plumbing.Hash, error) {
	iter, err := l.repo.Tags()
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	tags := map[string]plumbing.Hash{}
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		tags[ref.Name().Short()] = ref.Hash()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	return tags, nil
}

// Read reads the repository at rev (WorkingTree for the working tree) as the daemon would read it
// once rev is merged into the deploy branch: its tree, and in Modules the versions the daemon
// publishes, by the records of rev's actionsd.lock and the tags whose commits are in the history
// of the deploy branch's tip or of rev (Store.Snapshot's policy, with no data dir: every tag is
// seen for the first time). Action.Version is not set.
func (l *Local) Read(ctx context.Context, rev string) (*Snapshot, error) {
	s := l.policy()
	var fsys fs.FS
	var head plumbing.Hash
	switch rev {
	case WorkingTree:
		fsys = os.DirFS(l.dir)
	case EmptyTree:
		fsys = fstest.MapFS{}
	default:
		c, err := l.commit(rev)
		if err != nil {
			return nil, err
		}
		fsys, head = NewTreeFS(l.repo.Storer, c.TreeHash), c.Hash
	}
	snap, err := s.trees.read(fsys)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rev, err)
	}
	if !head.IsZero() {
		snap.Commit = head.String()
	}
	snap.Branch = l.branch
	heads := []plumbing.Hash{head}
	if tip := l.DeployTip(); tip != "" {
		heads = append(heads, plumbing.NewHash(tip))
	}
	s.reach = reachability{set: map[plumbing.Hash]struct{}{}, merged: map[string]bool{}}
	for _, h := range heads {
		if h.IsZero() {
			continue
		}
		set, err := l.ancestry(ctx, h)
		if err != nil {
			return nil, fmt.Errorf("read %s: ancestry: %w", rev, err)
		}
		maps.Copy(s.reach.set, set)
	}
	tags, err := l.tagRefs()
	if err != nil {
		return nil, err
	}
	if err := s.readVersions(l.repo, refs{tags: tags}, snap); err != nil {
		return nil, fmt.Errorf("read %s: %w", rev, err)
	}
	return snap, nil
}

// policy is a Store over l's repository that reads once: no data dir (its version records are
// kept in memory), no metrics, no log, and tolerant of a checkout's missing objects.
func (l *Local) policy() *Store {
	m, _ := newMetrics(nil) // registers nothing: cannot fail
	return &Store{
		opts:     Options{Branch: l.branch, Verify: l.Verify, Now: time.Now},
		log:      zap.NewNop(),
		metrics:  m,
		repo:     l.repo,
		trees:    treeReader{limits: l.Limits.WithDefaults()},
		recs:     &recordFile{byKey: map[string]*record{}},
		logged:   map[string]bool{},
		locks:    map[plumbing.Hash]lockAt{},
		verified: map[string]error{},
		checkout: true,
	}
}

// ReadFile reads the file name of commit in the mirror when it is at most limit bytes (negative:
// any size): the vendored npm tarballs of a commit, the repository's .npmrc. A file that is not
// there is an fs.ErrNotExist, a larger one a *TooLargeError, not read.
func (s *Store) ReadFile(commit, name string, limit int64) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, err := s.mirror(false)
	if err != nil {
		return nil, err
	}
	return readCommitFile(repo, commit, name, limit)
}

// InitLocal makes the folder dir, which holds files already, a repository whose branch has one
// commit of all of them, by author (name and email) with message, and lightweight tags at that
// commit; it returns the commit's hash. It is for demos (`actionsd dev`): the repositories gitstore
// reads, it never writes.
func InitLocal(dir, branch, author, email, message string, tags ...string) (string, error) {
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName(branch)},
	})
	if err != nil {
		return "", err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return "", err
	}
	sig := &object.Signature{Name: author, Email: email, When: time.Now()}
	commit, err := wt.Commit(message, &git.CommitOptions{Author: sig})
	if err != nil {
		return "", err
	}
	for _, tag := range tags {
		if _, err := repo.CreateTag(tag, commit, nil); err != nil {
			return "", err
		}
	}
	return commit.String(), nil
}
