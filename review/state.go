// Package review reads a local actions repository at two revisions and says what changes between
// them, the way a pull request's reviewer needs it: actions added, changed and removed, bindings,
// module drafts and the version publishing each would create, dependencies with their locked
// versions, secret names, and every error and warning with its file:line:col. It renders that as
// text, Markdown (for a PR comment) or JSON. For the other repository commands it lists a
// module's versions (State.ModuleVersions) and reads a working tree's manifests (Manifests, for
// lock and vendor; DeclaredSecrets, for secrets check).
//
// It reads git through gitstore.Local — module versions by the daemon's own policy — and never
// writes to the repository; it prepares and checks sources as the daemon does (package prepare)
// but reads no secret values. Publishing is package publish's business.
package review

import (
	"context"
	"time"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/lockfile"
)

// WorkingTree is the revision name that reads the working tree instead of a commit.
const WorkingTree = gitstore.WorkingTree

// EmptyTree is the revision name of the empty tree, the base before a repository's first commit.
const EmptyTree = gitstore.EmptyTree

// Repo is a local repository opened for reading.
type Repo struct {
	Dir    string // the working tree's root
	Branch string // the deploy branch
	// Limits bound what is read, as the daemon's (zero fields: gitstore.DefaultLimits).
	Limits gitstore.Limits
	// Verify is the daemon's signature policy for version tags (--verify tags): a tag it refuses
	// publishes nothing here either.
	Verify gitstore.Verify
	git    *gitstore.Local
}

// Open opens the repository that contains dir (dir or one of its parents holds .git).
func Open(dir, branch string) (*Repo, error) {
	l, err := gitstore.OpenLocal(dir, branch)
	if err != nil {
		return nil, err
	}
	return &Repo{Dir: l.Dir(), Branch: l.Branch(), git: l}, nil
}

// State is the repository as one revision has it: the snapshot (with the module versions the
// daemon publishes), the lock and every module version recorded or tagged.
type State struct {
	Rev    string // as asked: "main", "HEAD", WorkingTree
	Commit string // the commit's hash; "" for the working tree
	Snap   *gitstore.Snapshot
	Lock   *lockfile.Lock // nil when there is no actionsd.lock (or it does not parse)
	// Versions are every module version known at this revision, by module then number.
	Versions map[string]map[int]*VersionInfo
}

// CommitHash is the state's commit hash, "" for the working tree.
func (s *State) CommitHash() string { return s.Commit }

// VersionInfo is one module version as publishing sees it: its record in actionsd.lock and its
// tag. Whether the daemon serves it is the snapshot's business (State.Snap.Modules).
type VersionInfo struct {
	Module string
	Number int
	Tree   string // the content it stands for: the record's tree, else the tag's
	// Recorded is true when actionsd.lock has a record for it.
	Recorded     bool
	RecordCommit string
	// Tag is the tag "modules/<name>/v<N>" when it exists; TagCommit and TagTree are what it names.
	Tag       string
	TagCommit string
	TagTree   string
	// TagDate, TagAuthor and TagMessage are an annotated tag's tagger and message, else its
	// commit's author and message.
	TagDate    time.Time
	TagAuthor  string
	TagMessage string
	Pending    bool // the tag's commit is not reachable from the deploy branch
	Moved      bool // the tag names other content than the record
}

// Published reports whether the version is published as `actionsd publish` sees it: recorded, or
// tagged on the deploy branch.
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

// Read reads the repository at rev (WorkingTree for the working tree): its snapshot as the
// daemon would deploy it once merged (gitstore.Local.Read), and every version of each module.
func (r *Repo) Read(rev string) (*State, error) {
	ctx := context.Background()
	r.git.Limits, r.git.Verify = r.Limits, r.Verify
	snap, err := r.git.Read(ctx, rev)
	if err != nil {
		return nil, err
	}
	st := &State{Rev: rev, Commit: snap.Commit, Snap: snap, Lock: snap.Lock} // a lock that does not parse is one of snap.Errors
	tip := r.git.DeployTip()
	if tip == "" {
		tip = st.Commit
	}
	tags, err := r.git.Tags(ctx, tip)
	if err != nil {
		return nil, err
	}
	st.Versions = versions(st.Lock, tags)
	return st, nil
}

// versions lists every module version lock records or a tag names (the gitstore policy warned
// about tags that name no commit).
func versions(lock *lockfile.Lock, tags []gitstore.Tag) map[string]map[int]*VersionInfo {
	out := map[string]map[int]*VersionInfo{}
	get := func(module string, n int) *VersionInfo {
		if out[module] == nil {
			out[module] = map[int]*VersionInfo{}
		}
		v := out[module][n]
		if v == nil {
			v = &VersionInfo{Module: module, Number: n}
			out[module][n] = v
		}
		return v
	}
	if lock != nil {
		for module, recs := range lock.Modules {
			for n, rec := range recs {
				v := get(module, n)
				v.Recorded, v.Tree, v.RecordCommit = true, rec.Tree, rec.Commit
			}
		}
	}
	for _, t := range tags {
		if t.Err != nil {
			continue
		}
		v := get(t.Module, t.Number)
		v.Tag, v.TagCommit, v.TagTree = t.Name, t.Commit, t.Tree
		v.TagDate, v.TagAuthor, v.TagMessage = t.Date, t.Author, t.Message
		v.Pending = !t.Reachable
		switch {
		case v.TagTree == "":
		case v.Recorded && v.TagTree != v.Tree:
			v.Moved = true
		case !v.Recorded && !v.Pending:
			v.Tree = v.TagTree
		}
	}
	return out
}
