// Package review reads a local actions repository at two revisions and says what changes between
// them, the way a pull request's reviewer needs it: actions added, changed and removed, bindings,
// module drafts and the version publishing each would create, dependencies with their locked
// versions, secret names, and every error and warning with its file:line:col. It renders that as
// text, Markdown (for a PR comment) or JSON.
//
// It reads git with go-git and never writes to the repository; it does not run the daemon's
// reconcile (no npm resolution, no secret values). Publishing is the CLI's business.
package review

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/lockfile"
)

// WorkingTree is the revision name that reads the working tree instead of a commit.
const WorkingTree = "working-tree"

// Repo is a local repository opened for reading.
type Repo struct {
	Dir    string // the working tree's root
	Branch string // the deploy branch
	// Limits bound what is read, as the daemon's (zero fields: gitstore.DefaultLimits).
	Limits gitstore.Limits
	git    *git.Repository
}

// Open opens the repository that contains dir (dir or one of its parents holds .git).
func Open(dir, branch string) (*Repo, error) {
	if branch == "" {
		branch = gitstore.DefaultBranch
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	repo, err := gitstore.PlainOpen(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	root := abs
	if wt, err := repo.Worktree(); err == nil {
		root = wt.Filesystem.Root()
	}
	return &Repo{Dir: root, Branch: branch, git: repo}, nil
}

// Git is the go-git repository, for callers that read more than this package does.
func (r *Repo) Git() *git.Repository { return r.git }

// Resolve returns the commit a revision names (a branch, a tag, a hash, HEAD, HEAD~1, …).
func (r *Repo) Resolve(rev string) (*object.Commit, error) {
	h, err := r.git.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("revision %s: %w", rev, err)
	}
	c, err := r.git.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("revision %s: %w", rev, err)
	}
	return c, nil
}

// DeployTip returns the deploy branch's tip: refs/heads/<branch>, else refs/remotes/origin/<branch>
// (what a CI checkout has); nil when neither exists.
func (r *Repo) DeployTip() *object.Commit {
	for _, name := range []plumbing.ReferenceName{
		plumbing.NewBranchReferenceName(r.Branch),
		plumbing.NewRemoteReferenceName("origin", r.Branch),
	} {
		ref, err := r.git.Reference(name, true)
		if err != nil {
			continue
		}
		if c, err := r.git.CommitObject(ref.Hash()); err == nil {
			return c
		}
	}
	return nil
}

// MergeBase returns the best common ancestor of a and b, or nil.
func MergeBase(a, b *object.Commit) *object.Commit {
	bases, err := a.MergeBase(b)
	if err != nil || len(bases) == 0 {
		return nil
	}
	return bases[0]
}

// State is the repository as one revision has it: the snapshot (with published module versions),
// the lock and the version tags.
type State struct {
	Rev    string         // as asked: "main", "HEAD", WorkingTree
	Commit *object.Commit // nil for the working tree
	Snap   *gitstore.Snapshot
	Lock   *lockfile.Lock // nil when there is no actionsd.lock (or it does not parse)
	// Versions are every module version known at this revision, by module then number.
	Versions map[string]map[int]*VersionInfo
	// Warnings about tags and records (moved, contradicting, unrecorded, pending).
	Warnings diag.List
}

// CommitHash is the state's commit hash, "" for the working tree.
func (s *State) CommitHash() string {
	if s.Commit == nil {
		return ""
	}
	return s.Commit.Hash.String()
}

// VersionInfo is one module version: its record in actionsd.lock and its tag.
type VersionInfo struct {
	Module string
	Number int
	Tree   string // the content it stands for: the record's tree, else the tag's
	// Recorded is true when actionsd.lock has a record for it.
	Recorded     bool
	RecordCommit string
	// Tag is the tag "modules/<name>/v<N>" when it exists; TagCommit and TagTree are what it names.
	Tag       string
	TagCommit *object.Commit
	TagTree   string
	// Annotated tags carry a message and a tagger.
	TagMessage string
	Tagger     *object.Signature
	Pending    bool // the tag's commit is not reachable from the deploy branch
	Moved      bool // the tag names other content than the record
}

// Published reports whether actions may pin the version: it is recorded, or tagged on the deploy
// branch.
func (v *VersionInfo) Published() bool { return v.Recorded || (v.Tag != "" && !v.Pending) }

// Status is one word for the version's state.
func (v *VersionInfo) Status() string {
	switch {
	case v.Moved:
		return "moved"
	case v.Recorded && v.Tag == "":
		return "recorded"
	case v.Recorded && v.Pending:
		return "recorded, tag pending"
	case v.Recorded:
		return "published"
	case v.Pending:
		return "pending"
	}
	return "unrecorded"
}

// Latest returns the highest published version of module, or nil.
func (s *State) Latest(module string) *VersionInfo {
	var best *VersionInfo
	for _, v := range s.Versions[module] {
		if v.Published() && (best == nil || v.Number > best.Number) {
			best = v
		}
	}
	return best
}

// Highest returns the highest version number of module that is recorded or tagged at all.
func (s *State) Highest(module string) int {
	n := 0
	for _, v := range s.Versions[module] {
		n = max(n, v.Number)
	}
	return n
}

// Read reads the repository at rev (WorkingTree for the working tree).
func (r *Repo) Read(rev string) (*State, error) {
	st := &State{Rev: rev}
	var fsys fs.FS
	if rev == WorkingTree {
		fsys = os.DirFS(r.Dir)
	} else {
		c, err := r.Resolve(rev)
		if err != nil {
			return nil, err
		}
		st.Commit = c
		fsys = gitstore.NewTreeFS(r.git.Storer, c.TreeHash)
	}
	rd := gitstore.NewReader(r.Limits)
	snap, err := rd.ReadTree(fsys)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rev, err)
	}
	snap.Commit = st.CommitHash()
	snap.Branch = r.Branch
	st.Snap = snap
	st.Lock = snap.Lock // a lock that does not parse is one of snap.Errors
	if err := r.readVersions(st, rd); err != nil {
		return nil, err
	}
	return st, nil
}

// readVersions fills st.Versions and st.Snap.Modules from the version tags and st.Lock's records,
// reading the versions with rd (which read st's tree).
func (r *Repo) readVersions(st *State, rd *gitstore.Reader) error {
	st.Versions = map[string]map[int]*VersionInfo{}
	get := func(module string, n int) *VersionInfo {
		if st.Versions[module] == nil {
			st.Versions[module] = map[int]*VersionInfo{}
		}
		v := st.Versions[module][n]
		if v == nil {
			v = &VersionInfo{Module: module, Number: n}
			st.Versions[module][n] = v
		}
		return v
	}
	if st.Lock != nil {
		for module, recs := range st.Lock.Modules {
			for n, rec := range recs {
				v := get(module, n)
				v.Recorded, v.Tree, v.RecordCommit = true, rec.Tree, rec.Commit
			}
		}
	}

	tip := r.DeployTip()
	if tip == nil {
		tip = st.Commit
	}
	reach, err := ancestors(r.git.Storer, tip)
	if err != nil {
		return err
	}
	warn := func(module, format string, args ...any) {
		st.Warnings = append(st.Warnings, diag.Diagnostic{Object: "modules/" + module, Pos: diag.Pos{File: "modules/" + module}, Message: fmt.Sprintf(format, args...)}.Warn())
	}
	tags, err := r.git.Tags()
	if err != nil {
		return fmt.Errorf("list tags: %w", err)
	}
	err = tags.ForEach(func(ref *plumbing.Reference) error {
		name := ref.Name().Short()
		module, n, ok := gitstore.ParseVersionTag(name)
		if !ok {
			return nil
		}
		commit, tagObj, err := peel(r.git, ref.Hash())
		if err != nil {
			warn(module, "tag %s %v; ignored", name, err)
			return nil
		}
		tree := moduleTree(commit, module)
		v := get(module, n)
		v.Tag, v.TagCommit, v.TagTree = name, commit, tree
		if tagObj != nil {
			v.TagMessage = strings.TrimSpace(tagObj.Message)
			v.Tagger = &tagObj.Tagger
		}
		v.Pending = !reach[commit.Hash]
		return nil
	})
	if err != nil {
		return err
	}

	for _, module := range sortedKeys(st.Versions) {
		for _, n := range sortedInts(st.Versions[module]) {
			v := st.Versions[module][n]
			switch {
			case v.Tag != "" && v.TagTree == "":
				warn(module, "tag %s: commit %s has no modules/%s folder", v.Tag, short(v.TagCommit.Hash.String()), module)
				if !v.Recorded {
					continue
				}
			case v.Recorded && v.Tag != "" && v.TagTree != v.Tree:
				v.Moved = true
				warn(module, "tag %s names tree %s, which contradicts its record in %s (tree %s); v%d stays what the record says",
					v.Tag, short(v.TagTree), lockfile.Name, short(v.Tree), n)
			case !v.Recorded && v.Pending:
				warn(module, "tag %s is pending: commit %s is not on %s yet", v.Tag, short(v.TagCommit.Hash.String()), r.Branch)
				continue
			case !v.Recorded:
				v.Tree = v.TagTree
				warn(module, "tag %s has no record in %s; run `actionsd publish %s` on %s to record it", v.Tag, lockfile.Name, module, r.Branch)
			}
			if !v.Published() {
				continue
			}
			m, problems, err := r.readModule(rd, module, v)
			if err != nil {
				warn(module, "v%d: %v", n, err)
				continue
			}
			st.Snap.Errors = append(st.Snap.Errors, problems...) // as the daemon: a limit, a bad manifest
			vs := st.Snap.Modules[module]
			if vs == nil {
				vs = &gitstore.Versions{Name: module, Versions: map[int]*gitstore.Version{}}
				st.Snap.Modules[module] = vs
			}
			gv := &gitstore.Version{Number: n, Tag: gitstore.VersionTag(module, n), Tree: v.Tree, Moved: v.Moved, Module: m}
			if v.TagCommit != nil {
				gv.Commit = v.TagCommit.Hash.String()
			} else {
				gv.Commit = v.RecordCommit
			}
			vs.Versions[n] = gv
		}
	}
	return nil
}

// readModule reads the content of version v from its tree, with the problems of its files.
func (r *Repo) readModule(rd *gitstore.Reader, name string, v *VersionInfo) (*gitstore.Module, diag.List, error) {
	h := plumbing.NewHash(v.Tree)
	if _, err := r.git.Storer.EncodedObject(plumbing.TreeObject, h); err != nil {
		return nil, nil, fmt.Errorf("recorded tree %s is not in this repository (fetch its tags and history)", short(v.Tree))
	}
	return rd.ReadModule(gitstore.NewTreeFS(r.git.Storer, h), name, gitstore.VersionTag(name, v.Number))
}

// ReadModuleTree reads the module folder whose git tree is tree as module name, the way
// gitstore.ReadTree reads a draft.
func ReadModuleTree(s storer.EncodedObjectStorer, name string, tree plumbing.Hash) (*gitstore.Module, error) {
	if !gitstore.ValidName(name) {
		return nil, fmt.Errorf("tree %s is not a module folder", short(tree.String()))
	}
	m, _, err := gitstore.ReadModule(gitstore.NewTreeFS(s, tree), name)
	return m, err
}
