package gitstore

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// actionHistory finds each action's version: the last commit on the first-parent line of the
// deploy branch whose actions/<name> tree differs from its parent's. It remembers the answer
// for the last HEAD, so that a later HEAD walks only the commits added since (when the old HEAD
// is on its first-parent line) and unchanged actions cost nothing more.
type actionHistory struct {
	head   plumbing.Hash
	byName map[string]actionVersion
}

type actionVersion struct {
	tree    plumbing.Hash // actions/<name> at head
	version plumbing.Hash
}

// compute returns the version of every action in dirs (name -> tree hash at head).
func (h *actionHistory) compute(ctx context.Context, s storer.EncodedObjectStorer, head *object.Commit, dirs map[string]plumbing.Hash) (map[string]plumbing.Hash, error) {
	result := make(map[string]plumbing.Hash, len(dirs))
	pending := maps.Clone(dirs)
	cur := head
	curActions, err := subtree(s, cur.TreeHash, "actions")
	if err != nil {
		return nil, err
	}
	for len(pending) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if h.byName != nil && cur.Hash == h.head {
			// Every pending action is unchanged between here and head: its version is the one
			// already known for this commit.
			for name, tree := range pending {
				if known, ok := h.byName[name]; ok && known.tree == tree {
					result[name] = known.version
					delete(pending, name)
				}
			}
			if len(pending) == 0 {
				break
			}
		}
		if len(cur.ParentHashes) == 0 {
			for name := range pending {
				result[name] = cur.Hash
			}
			break
		}
		parent, err := object.GetCommit(s, cur.ParentHashes[0])
		if err != nil {
			return nil, fmt.Errorf("commit %s: parent %s: %w", cur.Hash, cur.ParentHashes[0], err)
		}
		parentActions, err := subtree(s, parent.TreeHash, "actions")
		if err != nil {
			return nil, err
		}
		if parentActions != curActions {
			for name, tree := range pending {
				was, err := subtree(s, parentActions, name)
				if err != nil {
					return nil, err
				}
				if was != tree {
					result[name] = cur.Hash
					delete(pending, name)
				}
			}
		}
		cur, curActions = parent, parentActions
	}
	h.head = head.Hash
	h.byName = make(map[string]actionVersion, len(result))
	for name, v := range result {
		h.byName[name] = actionVersion{tree: dirs[name], version: v}
	}
	return result, nil
}

// subtree returns the hash of the directory name in the tree with hash tree, or the zero hash
// when tree is zero or has no such directory.
func subtree(s storer.EncodedObjectStorer, tree plumbing.Hash, name string) (plumbing.Hash, error) {
	if tree.IsZero() {
		return plumbing.ZeroHash, nil
	}
	t, err := object.GetTree(s, tree)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("tree %s: %w", tree, err)
	}
	for _, e := range t.Entries {
		if e.Name == name {
			if e.Mode != filemode.Dir {
				return plumbing.ZeroHash, nil
			}
			return e.Hash, nil
		}
	}
	return plumbing.ZeroHash, nil
}

// reachability is the set of commits reachable from one HEAD (its whole ancestry), kept across
// snapshots: a new HEAD that descends from the old one only walks the commits added since.
type reachability struct {
	head plumbing.Hash
	set  map[plumbing.Hash]struct{}
	// merged caches Store.treeMerged's answers by module and tree. The set only grows while HEAD
	// moves forward, so a yes stays true then; a rewritten history forgets them all.
	merged map[string]bool
}

func (r *reachability) has(h plumbing.Hash) bool {
	_, ok := r.set[h]
	return ok
}

// update makes r the ancestry of head.
func (r *reachability) update(ctx context.Context, s storer.EncodedObjectStorer, head plumbing.Hash) error {
	if r.set != nil && r.head == head {
		return nil
	}
	if r.set != nil {
		added, reachedOld, err := ancestry(ctx, s, head, r.set, r.head, false)
		if err != nil {
			return err
		}
		if reachedOld {
			maps.Copy(r.set, added)
			r.head = head
			maps.DeleteFunc(r.merged, func(_ string, yes bool) bool { return !yes })
			return nil
		}
	}
	set, _, err := ancestry(ctx, s, head, nil, plumbing.ZeroHash, false)
	if err != nil {
		return err
	}
	r.head, r.set, r.merged = head, set, map[string]bool{}
	return nil
}

// ancestry walks the commits reachable from head, not descending into commits in stop; it
// reports whether it reached oldHead (then stop ∪ the result is head's whole ancestry). With
// shallow, a commit that is missing (the boundary of a shallow clone) ends its line of the walk.
func ancestry(ctx context.Context, s storer.EncodedObjectStorer, head plumbing.Hash, stop map[plumbing.Hash]struct{}, oldHead plumbing.Hash, shallow bool) (map[plumbing.Hash]struct{}, bool, error) {
	set := map[plumbing.Hash]struct{}{}
	reachedOld := false
	stack := []plumbing.Hash{head}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, ok := set[h]; ok {
			continue
		}
		if _, ok := stop[h]; ok {
			if h == oldHead {
				reachedOld = true
			}
			continue
		}
		if len(set)%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, false, err
			}
		}
		c, err := object.GetCommit(s, h)
		if shallow && errors.Is(err, plumbing.ErrObjectNotFound) {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("commit %s: %w", h, err)
		}
		set[h] = struct{}{}
		stack = append(stack, c.ParentHashes...)
	}
	return set, reachedOld, nil
}
