package gitstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"go.uber.org/zap"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/lockfile"
)

var versionRE = regexp.MustCompile(`^v[1-9][0-9]{0,8}$`)

// VersionTag returns the tag that publishes version n of module name: "modules/<name>/v<n>".
func VersionTag(name string, n int) string { return fmt.Sprintf("modules/%s/v%d", name, n) }

// ParseVersionTag splits a tag "modules/<name>/v<N>" (N ≥ 1, no leading zeros); ok is false for
// any other tag.
func ParseVersionTag(tag string) (name string, n int, ok bool) {
	parts := strings.Split(tag, "/")
	if len(parts) != 3 || parts[0] != "modules" || !ValidName(parts[1]) || !versionRE.MatchString(parts[2]) {
		return "", 0, false
	}
	n, err := strconv.Atoi(parts[2][1:])
	if err != nil {
		return "", 0, false
	}
	return parts[1], n, true
}

// readVersions fills snap.Modules from the version tags in r, the records of actionsd.lock at
// HEAD (authoritative) and the records under the data dir (versions first seen by this daemon),
// records versions seen published for the first time, and reports pending, unrecorded, moved,
// contradicting and deleted tags. s.reach must be the deploy branch's ancestry. It is the one
// policy of what a tag publishes: a Store's snapshots and a Local's revisions both read it.
func (s *Store) readVersions(repo *git.Repository, r refs, snap *Snapshot) error {
	if s.recs == nil {
		recs, err := loadRecords(s.records)
		if err != nil {
			return err
		}
		s.recs = recs
	}
	warn := func(module, format string, args ...any) {
		snap.Warnings = append(snap.Warnings, warning(diag.Pos{File: "modules/" + module}, fmt.Sprintf(format, args...)))
	}
	warnMoved := func(module, format string, args ...any) { // a tag that moved or contradicts its record
		warn(module, format, args...)
		snap.MovedTags = append(snap.MovedTags, snap.Warnings[len(snap.Warnings)-1])
	}
	lockRecord := func(module string, n int) *lockfile.VersionRecord {
		if snap.Lock == nil {
			return nil
		}
		return snap.Lock.Record(module, n)
	}
	moved := func(tag, commit, module string) {
		if logKey := tag + "\x00" + commit; !s.logged[logKey] {
			s.logged[logKey] = true
			s.metrics.tagMoved.WithLabelValues(module).Inc()
		}
	}

	tags := make([]string, 0, len(r.tags))
	for tag := range r.tags {
		if strings.HasPrefix(tag, "modules/") {
			tags = append(tags, tag)
		}
	}
	sort.Strings(tags)
	tagged := map[string]bool{} // record keys whose tag exists
	seenTargets := map[string]tagTarget{}
	defer func() { s.targets = seenTargets }()
	usedLocks := map[plumbing.Hash]lockAt{}
	defer func() { s.locks = usedLocks }()
	for _, tag := range tags {
		module, n, ok := ParseVersionTag(tag)
		if !ok {
			dir := strings.SplitN(strings.TrimPrefix(tag, "modules/"), "/", 2)[0]
			warn(dir, "tag %s is not a module version (want modules/<name>/v<N>, N = 1, 2, …); ignored", tag)
			continue
		}
		target, err := s.tagTarget(repo, r.tags[tag], module, seenTargets)
		if errors.Is(err, errNotCommit) || s.checkout && errors.Is(err, plumbing.ErrObjectNotFound) {
			// (A checkout may lack what a tag names: a shallow or partial clone. A mirror that
			// does is corrupt, which the error says.)
			warn(module, "tag %s %v; ignored", tag, err)
			continue
		}
		if err != nil {
			return fmt.Errorf("tag %s: %w", tag, err)
		}
		commit, tree := target.commit, target.tree
		key := recordKey(module, n)
		rec := s.recs.byKey[key]
		lrec := lockRecord(module, n)
		if rec == nil {
			switch {
			case !s.reach.has(commit):
				warn(module, "tag %s is pending: commit %s is not reachable from %s; not published yet", tag, short(commit.String()), s.opts.Branch)
				continue
			case tree.IsZero():
				warn(module, "tag %s: commit %s has no modules/%s folder; not published", tag, short(commit.String()), module)
				continue
			}
			if s.opts.Verify.Tags {
				tagObj := r.tags[tag]
				if err := s.verifyOnce(tagObj, func() error { return s.opts.Verify.verifyTag(repo.Storer, tagObj) }, "tag"); err != nil {
					warn(module, "tag %s: signature: %v; not published", tag, err)
					continue
				}
			}
			rec = &record{Module: module, Version: n, Tag: tag, Commit: commit.String(), Tree: tree.String(), Seen: s.opts.Now().UTC()}
			if lrec != nil && lrec.Tree != rec.Tree {
				// The reviewed record wins over the tag, even on first sight, if what it records
				// is merged code.
				if !s.treeMerged(repo, module, lrec) {
					warnMoved(module, "tag %s contradicts its record in %s, which names tree %s that is not on %s; not published", tag, lockfile.Name, short(lrec.Tree), s.opts.Branch)
					continue
				}
				rec.Tree, rec.Commit = lrec.Tree, lrec.Commit
			}
			s.recs.add(rec)
			s.log.Info("recorded module version", zap.String("module", module), zap.Int("version", n),
				zap.String("tag", tag), zap.String("commit", rec.Commit), zap.String("tree", rec.Tree), zap.Bool("in_lock", lrec != nil))
		} else if lrec != nil && lrec.Tree != rec.Tree {
			// actionsd.lock at HEAD is authoritative over what this daemon saw first, when what
			// it records is merged code.
			s.lockWins(repo, module, n, rec, lrec, warn)
		}
		tagged[key] = true
		v := rec.version()
		v.Unrecorded = lrec == nil
		if v.Unrecorded && snap.Lock != nil {
			warn(module, "tag %s has no record in %s; v%d is taken as first seen (commit %s, tree %s): run `actionsd publish %s` to record it", tag, lockfile.Name, n, short(rec.Commit), short(rec.Tree), module)
		}
		if tree.String() != rec.Tree {
			v.Moved = true
			if lrec != nil {
				warnMoved(module, "tag %s points at %s, which contradicts its record in %s (tree %s); v%d keeps serving its recorded content", tag, short(commit.String()), lockfile.Name, short(lrec.Tree), n)
			} else {
				warnMoved(module, "tag %s moved from %s to %s; v%d keeps serving its recorded content", tag, short(rec.Commit), short(commit.String()), n)
			}
			if logKey := tag + "\x00" + commit.String(); !s.logged[logKey] {
				s.log.Warn("module version tag moved; the recorded content keeps serving", zap.String("module", module),
					zap.Int("version", n), zap.String("tag", tag), zap.String("recorded_commit", rec.Commit),
					zap.String("commit", commit.String()), zap.String("recorded_tree", rec.Tree), zap.String("tree", tree.String()))
			}
			moved(tag, commit.String(), module)
		}
		if err := s.addVersion(repo, snap, v, usedLocks); err != nil {
			return err
		}
	}

	for _, key := range s.recs.keys() {
		if tagged[key] {
			continue
		}
		rec := s.recs.byKey[key]
		if lrec := lockRecord(rec.Module, rec.Version); lrec != nil && lrec.Tree != rec.Tree {
			s.lockWins(repo, rec.Module, rec.Version, rec, lrec, warn)
		}
		v := rec.version()
		v.Moved, v.Deleted = true, true
		v.Unrecorded = lockRecord(rec.Module, rec.Version) == nil
		warn(rec.Module, "tag %s was deleted; v%d keeps serving its recorded content (commit %s)", rec.Tag, rec.Version, short(rec.Commit))
		if logKey := rec.Tag + "\x00deleted"; !s.logged[logKey] {
			s.logged[logKey] = true
			s.log.Info("module version tag deleted; the recorded content keeps serving", zap.String("module", rec.Module),
				zap.Int("version", rec.Version), zap.String("tag", rec.Tag), zap.String("recorded_commit", rec.Commit))
		}
		if err := s.addVersion(repo, snap, v, usedLocks); err != nil {
			return err
		}
	}
	if snap.Lock != nil {
		pinned := map[string]bool{} // record keys that an action at HEAD pins
		for _, a := range snap.Actions {
			for name, pin := range a.Modules {
				pinned[recordKey(name, pin.Version)] = true
			}
		}
		for _, module := range slices.Sorted(maps.Keys(snap.Lock.Modules)) {
			for _, n := range slices.Sorted(maps.Keys(snap.Lock.Modules[module])) {
				key := recordKey(module, n)
				if _, ok := s.recs.byKey[key]; ok {
					continue
				}
				tag := VersionTag(module, n)
				if !pinned[key] {
					warn(module, "v%d is recorded in %s but tag %s has not been seen on %s yet; not published", n, lockfile.Name, tag, s.opts.Branch)
					continue
				}
				if s.opts.Verify.Tags {
					// Only a signed tag publishes; this daemon never accepted one.
					warn(module, "v%d is recorded in %s and pinned, but tag %s is missing or was not accepted, and tags must be signed; not published", n, lockfile.Name, tag)
					continue
				}
				// Actions pin a version whose tag this daemon never accepted: a replica that
				// starts after the tag was deleted (or moved). It serves what actionsd.lock
				// records, as the replicas that accepted the tag do (git is the truth; the data
				// dir is only a cache), when what it records is merged, reviewed code.
				lrec := snap.Lock.Record(module, n)
				if !s.treeMerged(repo, module, lrec) {
					warn(module, "v%d is recorded in %s and pinned, but tag %s is missing or was not accepted, and the recorded tree %s is not on %s; not published",
						n, lockfile.Name, tag, short(lrec.Tree), s.opts.Branch)
					continue
				}
				v := &Version{Number: n, Tag: VersionTag(module, n), Commit: lrec.Commit, Tree: lrec.Tree,
					Moved: true, Deleted: true, Module: &Module{Name: module}}
				warn(module, "tag %s is missing or was not accepted; v%d, which actions pin, serves the content %s records (tree %s)", v.Tag, n, lockfile.Name, short(lrec.Tree))
				if err := s.addVersion(repo, snap, v, usedLocks); err != nil {
					return err
				}
			}
		}
	}
	if err := s.recs.save(); err != nil {
		return err
	}
	return nil
}

// lockWins makes rec what actionsd.lock records for module v<n> when that is merged code; else
// the record under the data dir keeps serving, and a warning says why.
func (s *Store) lockWins(repo *git.Repository, module string, n int, rec *record, lrec *lockfile.VersionRecord, warn func(module, format string, args ...any)) {
	if !s.treeMerged(repo, module, lrec) {
		warn(module, "v%d: %s records tree %s, which is not on %s; the record under the data dir (tree %s) keeps serving", n, lockfile.Name, short(lrec.Tree), s.opts.Branch, short(rec.Tree))
		return
	}
	warn(module, "v%d: the record under the data dir (tree %s) differs from %s (tree %s); %s wins", n, short(rec.Tree), lockfile.Name, short(lrec.Tree), lockfile.Name)
	rec.Tree, rec.Commit = lrec.Tree, lrec.Commit
	s.recs.dirty = true
}

// treeMerged reports whether the module folder a record of actionsd.lock names is merged code:
// some commit on the deploy branch has modules/<module> at the recorded tree. The recorded commit
// is tried first; a squash or rebase merge keeps the tree but not the commit, so the branch's
// history is searched next. Answers are kept with the ancestry (reachability.merged).
func (s *Store) treeMerged(repo *git.Repository, module string, rec *lockfile.VersionRecord) bool {
	if rec == nil || !plumbing.IsHash(rec.Tree) {
		return false
	}
	key := module + "\x00" + rec.Tree
	if ok, known := s.reach.merged[key]; known {
		return ok
	}
	want := plumbing.NewHash(rec.Tree)
	has := func(c plumbing.Hash) bool {
		tree, err := moduleTree(repo.Storer, c, module)
		return err == nil && tree == want
	}
	found := plumbing.IsHash(rec.Commit) && s.reach.has(plumbing.NewHash(rec.Commit)) && has(plumbing.NewHash(rec.Commit))
	for c := range s.reach.set {
		if found {
			break
		}
		found = has(c)
	}
	s.reach.merged[key] = found
	return found
}

// addVersion reads v's module from its recorded tree and adds it to snap.
func (s *Store) addVersion(repo *git.Repository, snap *Snapshot, v *Version, locks map[plumbing.Hash]lockAt) error {
	m, errs, warns, err := s.trees.readModule(NewTreeFS(repo.Storer, plumbing.NewHash(v.Tree)), v.Module.Name, v.Tag)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		snap.Warnings = append(snap.Warnings, warning(diag.Pos{File: "modules/" + v.Module.Name},
			fmt.Sprintf("tag %s: recorded tree %s is missing from the mirror; v%d is not available", v.Tag, short(v.Tree), v.Number)))
		return nil
	}
	if err != nil {
		return fmt.Errorf("module %s v%d: %w", v.Module.Name, v.Number, err)
	}
	v.Module = m
	if l, ok := s.versionLock(repo, v, locks); ok {
		v.Lock = l.lock
		if l.problem != "" {
			snap.Warnings = append(snap.Warnings, warning(diag.Pos{Ref: v.Tag, File: lockfile.Name}, fmt.Sprintf("v%d of %s: %s (its npm dependencies cannot be read from it)", v.Number, v.Module.Name, l.problem)))
		}
	}
	snap.Errors = append(snap.Errors, errs...)
	snap.Warnings = append(snap.Warnings, warns...)
	vs := snap.Modules[m.Name]
	if vs == nil {
		vs = &Versions{Name: m.Name, Versions: map[int]*Version{}}
		snap.Modules[m.Name] = vs
	}
	vs.Versions[v.Number] = v
	return nil
}

// tagTarget is what a version tag names: the commit, and the module folder's tree in it.
type tagTarget struct {
	commit, tree plumbing.Hash
}

// tagTarget peels the tag object or commit h and finds module's folder in it, remembering the
// answer until the next snapshot (targets never change: they are content-addressed).
func (s *Store) tagTarget(repo *git.Repository, h plumbing.Hash, module string, seen map[string]tagTarget) (tagTarget, error) {
	key := h.String() + "\x00" + module
	if t, ok := s.targets[key]; ok {
		seen[key] = t
		return t, nil
	}
	commit, err := peelToCommit(repo.Storer, h)
	if err != nil {
		return tagTarget{}, err
	}
	tree, err := moduleTree(repo.Storer, commit, module)
	if err != nil {
		return tagTarget{}, err
	}
	t := tagTarget{commit: commit, tree: tree}
	seen[key] = t
	return t, nil
}

var errNotCommit = errors.New("does not point at a commit")

// peelToCommit follows annotated tags from h to the commit they name.
func peelToCommit(s storer.EncodedObjectStorer, h plumbing.Hash) (plumbing.Hash, error) {
	for range 16 {
		o, err := s.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("object %s: %w", h, err)
		}
		switch o.Type() {
		case plumbing.CommitObject:
			return h, nil
		case plumbing.TagObject:
			t, err := object.DecodeTag(s, o)
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("tag object %s: %w", h, err)
			}
			h = t.Target
		default:
			return plumbing.ZeroHash, fmt.Errorf("%w (it points at a %s)", errNotCommit, o.Type())
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("%w (too many nested tags)", errNotCommit)
}

// moduleTree returns the tree hash of modules/<name> in commit, zero when there is none.
func moduleTree(s storer.EncodedObjectStorer, commit plumbing.Hash, name string) (plumbing.Hash, error) {
	c, err := object.GetCommit(s, commit)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("commit %s: %w", commit, err)
	}
	modules, err := subtree(s, c.TreeHash, "modules")
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return subtree(s, modules, name)
}

func short(hash string) string {
	if len(hash) > 7 {
		return hash[:7]
	}
	return hash
}

// record is what makes a published version immutable: the module folder's tree the first time
// its tag was seen published.
type record struct {
	Module  string    `json:"module"`
	Version int       `json:"version"`
	Tag     string    `json:"tag"`
	Commit  string    `json:"commit"`
	Tree    string    `json:"tree"`
	Seen    time.Time `json:"seen"`
}

func (r *record) version() *Version {
	return &Version{Number: r.Version, Tag: r.Tag, Commit: r.Commit, Tree: r.Tree, Seen: r.Seen,
		Module: &Module{Name: r.Module}}
}

func recordKey(module string, n int) string { return module + "/v" + strconv.Itoa(n) }

// recordFile is <DataDir>/versions.json.
type recordFile struct {
	path  string
	byKey map[string]*record
	dirty bool // records added since the last save
}

type recordsJSON struct {
	Versions []*record `json:"versions"`
}

func loadRecords(path string) (*recordFile, error) {
	f := &recordFile{path: path, byKey: map[string]*record{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("version records: %w", err)
	}
	var doc recordsJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("version records %s: %w", path, err)
	}
	for _, r := range doc.Versions {
		if r == nil || !ValidName(r.Module) || r.Version < 1 || plumbing.NewHash(r.Tree).IsZero() {
			return nil, fmt.Errorf("version records %s: bad record %+v", path, r)
		}
		if r.Tag == "" {
			r.Tag = VersionTag(r.Module, r.Version)
		}
		f.byKey[recordKey(r.Module, r.Version)] = r
	}
	return f, nil
}

func (f *recordFile) add(r *record) {
	f.byKey[recordKey(r.Module, r.Version)] = r
	f.dirty = true
}

func (f *recordFile) keys() []string {
	keys := make([]string, 0, len(f.byKey))
	for k := range f.byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// save writes the records when they changed: to a temporary file, synced, renamed over the old.
func (f *recordFile) save() error {
	if !f.dirty || f.path == "" { // "": kept in memory (a Local's)
		return nil
	}
	doc := recordsJSON{Versions: make([]*record, 0, len(f.byKey))}
	for _, k := range f.keys() {
		doc.Versions = append(doc.Versions, f.byKey[k])
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("version records: %w", err)
	}
	if err := writeFileAtomic(f.path, append(data, '\n')); err != nil {
		return fmt.Errorf("version records: %w", err)
	}
	f.dirty = false
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// versionLock reads actionsd.lock at v's recorded commit, once per commit; ok is false when
// the commit is not in the mirror.
func (s *Store) versionLock(repo *git.Repository, v *Version, used map[plumbing.Hash]lockAt) (lockAt, bool) {
	commit := plumbing.NewHash(v.Commit)
	if l, ok := used[commit]; ok {
		return l, true
	}
	l, ok := s.locks[commit]
	if !ok {
		c, err := object.GetCommit(repo.Storer, commit)
		if err != nil {
			return lockAt{}, false
		}
		lock, problem, err := readLock(NewTreeFS(repo.Storer, c.TreeHash), s.trees.limits.LockSize)
		switch {
		case err != nil:
			l.problem = err.Error()
		case problem != nil:
			l.problem = problem.Message
		}
		l.lock = lock
	}
	used[commit] = l
	return l, true
}
