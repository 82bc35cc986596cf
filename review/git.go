package review

import (
	"errors"
	"fmt"
	"sort"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// ancestors returns every commit reachable from c (c included); an empty set when c is nil.
func ancestors(s storer.EncodedObjectStorer, c *object.Commit) (map[plumbing.Hash]bool, error) {
	seen := map[plumbing.Hash]bool{}
	if c == nil {
		return seen, nil
	}
	stack := []plumbing.Hash{c.Hash}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[h] {
			continue
		}
		seen[h] = true
		cc, err := object.GetCommit(s, h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			continue // a shallow clone's boundary
		}
		if err != nil {
			return nil, fmt.Errorf("commit %s: %w", h, err)
		}
		stack = append(stack, cc.ParentHashes...)
	}
	return seen, nil
}

// peel follows a tag reference's target to its commit; tag is the outermost annotated tag, if any.
func peel(repo *git.Repository, h plumbing.Hash) (*object.Commit, *object.Tag, error) {
	var first *object.Tag
	for range 16 {
		o, err := repo.Storer.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return nil, nil, fmt.Errorf("names a missing object %s", short(h.String()))
		}
		switch o.Type() {
		case plumbing.CommitObject:
			c, err := object.DecodeCommit(repo.Storer, o)
			return c, first, err
		case plumbing.TagObject:
			t, err := object.DecodeTag(repo.Storer, o)
			if err != nil {
				return nil, nil, err
			}
			if first == nil {
				first = t
			}
			h = t.Target
		default:
			return nil, nil, fmt.Errorf("does not point at a commit (it points at a %s)", o.Type())
		}
	}
	return nil, nil, errors.New("does not point at a commit (too many nested tags)")
}

// moduleTree returns the tree hash of modules/<name> in c, "" when there is none.
func moduleTree(c *object.Commit, name string) string { return FolderTree(c, "modules/"+name) }

// FolderTree returns the tree hash of the folder dir ("modules/logger") in c, "" when there is none.
func FolderTree(c *object.Commit, dir string) string {
	t, err := c.Tree()
	if err != nil {
		return ""
	}
	e, err := t.FindEntry(dir)
	if err != nil || e.Mode != filemode.Dir {
		return ""
	}
	return e.Hash.String()
}

func short(hash string) string {
	if len(hash) > 7 {
		return hash[:7]
	}
	return hash
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedInts[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}
