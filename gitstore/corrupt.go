package gitstore

import (
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/objfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"go.uber.org/zap"
)

// A mirror whose files are damaged (bytes flipped in a pack, a truncated index) never heals by
// itself: every read of the objects concerned fails the same way. The Store moves such a mirror
// aside (kept for inspection, Options.KeepCorrupt of them) and clones the repository again.

// CorruptMirrorError is a read of the mirror that failed because its files are corrupt. The
// mirror was moved aside (or deleted) when it is returned: the next Fetch clones it again.
type CorruptMirrorError struct {
	MovedTo string // where the corrupt mirror is kept; "" when it was deleted
	Err     error  // the read that failed
}

func (e *CorruptMirrorError) Error() string {
	where := "deleted"
	if e.MovedTo != "" {
		where = "moved to " + e.MovedTo
	}
	return fmt.Sprintf("the git mirror is corrupt (%v); it was %s, and the next fetch clones the repository again", e.Err, where)
}

func (e *CorruptMirrorError) Unwrap() error { return e.Err }

// corruptPrefix names the corrupt mirrors moved aside under the data dir: git.corrupt-<time>.
const corruptPrefix = "git.corrupt-"

// corrupt reports whether err is what go-git returns when an object's bytes are damaged: a zlib
// or deflate stream that does not check out, a pack or index that does not decode, a loose
// object with a bad header, an object the index or a tree names that cannot be found. It is
// about reading the mirror only: the caller knows the error came from it (or verifies it).
func corrupt(err error) bool {
	if err == nil {
		return false
	}
	for _, target := range []error{zlib.ErrChecksum, zlib.ErrHeader, zlib.ErrDictionary, idxfile.ErrMalformedIdxFile,
		idxfile.ErrUnsupportedVersion, packfile.ErrMalformedPackFile, packfile.ErrInflatedSizeMismatch,
		packfile.ErrInvalidDelta, packfile.ErrDeltaCmd, packfile.ErrLengthOverflow, objfile.ErrHeader,
		objfile.ErrNegativeSize, plumbing.ErrObjectNotFound, plumbing.ErrInvalidType, io.ErrUnexpectedEOF} {
		if errors.Is(err, target) {
			return true
		}
	}
	var flateErr flate.CorruptInputError
	var packErr *packfile.Error
	if errors.As(err, &flateErr) || errors.As(err, &packErr) {
		return true
	}
	// go-git formats some with %s ("zlib reset error: zlib: invalid header").
	msg := err.Error()
	for _, s := range []string{"zlib: invalid", "flate: corrupt input", "malformed IDX file", "malformed PACK file", "invalid git object", "objfile: invalid"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// mirrorError marks an error of reading the mirror (not the source repository) in fetchLocal.
type mirrorError struct{ err error }

func (e *mirrorError) Error() string { return e.err.Error() }
func (e *mirrorError) Unwrap() error { return e.err }

// fetchCorrupt reports whether the Fetch that failed with err did so because the mirror is
// corrupt: err looks like corruption, and it came from the mirror, or a read of every object of
// the mirror fails too (a fetch also reads the source, whose errors look the same). s.mu is held.
func (s *Store) fetchCorrupt(err error) bool {
	if !corrupt(err) {
		return false
	}
	var me *mirrorError
	if errors.As(err, &me) {
		return true
	}
	if s.repo == nil {
		return false
	}
	// A source that keeps failing this way would have the whole mirror read at every poll: once
	// found sound, it is not read again until its refs move.
	key := ""
	if r, err := s.readRefs(s.repo); err == nil {
		key = r.key
	}
	if key != "" && key == s.sound {
		return false
	}
	verr := verifyObjects(s.repo)
	if verr != nil && corrupt(verr) {
		s.log.Warn("a fetch failed as if the mirror were corrupt, and reading the mirror's objects fails too", zap.NamedError("fetch_error", err), zap.Error(verr))
		return true
	}
	s.sound = key
	return false
}

// verifyObjects reads every object of repo to its end (large ones streamed), so that each zlib
// stream is checked.
func verifyObjects(repo *git.Repository) error {
	iter, err := repo.Storer.IterEncodedObjects(plumbing.AnyObject)
	if err != nil {
		return err
	}
	defer iter.Close()
	return iter.ForEach(func(o plumbing.EncodedObject) error {
		r, err := o.Reader()
		if err != nil {
			return fmt.Errorf("object %s: %w", o.Hash(), err)
		}
		defer r.Close()
		if _, err := io.Copy(io.Discard, r); err != nil {
			return fmt.Errorf("object %s: %w", o.Hash(), err)
		}
		return nil
	})
}

// quarantine moves the corrupt mirror aside to <DataDir>/git.corrupt-<time> (deleting it when
// Options.KeepCorrupt is 0, and the oldest beyond it), forgets everything read from it, and counts
// it. The next mirror(true) starts a new one. s.mu is held.
func (s *Store) quarantine(where string, cause error) *CorruptMirrorError {
	s.metrics.corruptions.WithLabelValues(where).Inc()
	if s.repo != nil {
		if c, ok := s.repo.Storer.(io.Closer); ok {
			_ = c.Close()
		}
	}
	// Everything read from the mirror may have been read from the damaged files.
	s.repo, s.cached = nil, nil
	s.trees.cache, s.trees.used = map[string]*cachedObject{}, nil
	s.reach, s.versions = reachability{}, actionHistory{}
	s.targets, s.locks, s.verified, s.sound = nil, map[plumbing.Hash]lockAt{}, map[string]error{}, ""

	e := &CorruptMirrorError{Err: cause}
	moved := ""
	if s.opts.KeepCorrupt > 0 {
		stamp := s.opts.Now().UTC().Format("20060102T150405Z")
		moved = filepath.Join(s.opts.DataDir, corruptPrefix+stamp)
		for i := 2; ; i++ {
			if _, err := os.Lstat(moved); errors.Is(err, os.ErrNotExist) {
				break
			}
			moved = filepath.Join(s.opts.DataDir, fmt.Sprintf("%s%s-%d", corruptPrefix, stamp, i))
		}
		if err := os.Rename(s.gitDir, moved); err != nil {
			s.log.Error("the git mirror is corrupt and could not be moved aside; deleting it", zap.String("mirror", s.gitDir), zap.Error(err))
			moved = ""
		}
	}
	if moved == "" {
		if err := os.RemoveAll(s.gitDir); err != nil {
			s.log.Error("the git mirror is corrupt and could not be deleted", zap.String("mirror", s.gitDir), zap.Error(err))
		}
	}
	e.MovedTo = moved
	removed := s.pruneCorrupt()
	s.log.Error("the git mirror is corrupt: moved aside, to be cloned again", zap.String("step", where),
		zap.String("moved_to", moved), zap.Strings("removed_older", removed), zap.Error(cause))
	return e
}

// pruneCorrupt deletes the corrupt mirrors kept beyond Options.KeepCorrupt, oldest first, and
// returns their paths.
func (s *Store) pruneCorrupt() []string {
	entries, err := os.ReadDir(s.opts.DataDir)
	if err != nil {
		return nil
	}
	var kept []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), corruptPrefix) {
			kept = append(kept, e.Name())
		}
	}
	// Oldest first: the names sort by time, and a second one in the same second ends in -2, -3.
	slices.SortFunc(kept, func(a, b string) int {
		ta, na := corruptOrder(a)
		tb, nb := corruptOrder(b)
		if c := strings.Compare(ta, tb); c != 0 {
			return c
		}
		return na - nb
	})
	var removed []string
	for len(kept) > max(s.opts.KeepCorrupt, 0) {
		p := filepath.Join(s.opts.DataDir, kept[0])
		if err := os.RemoveAll(p); err != nil {
			s.log.Warn("removing an old corrupt git mirror failed", zap.String("path", p), zap.Error(err))
		} else {
			removed = append(removed, p)
		}
		kept = kept[1:]
	}
	return removed
}

// corruptOrder splits git.corrupt-<time>[-<n>] into its time and n (1 without a suffix).
func corruptOrder(name string) (string, int) {
	rest := strings.TrimPrefix(name, corruptPrefix)
	stamp, n, ok := strings.Cut(rest, "-")
	if !ok {
		return rest, 1
	}
	var i int
	if _, err := fmt.Sscanf(n, "%d", &i); err != nil {
		return rest, 1
	}
	return stamp, i
}
