package review

import (
	"context"
	"fmt"
	"io/fs"
	"os"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/lockfile"
)

// Revisions picks the two sides of a review. head "" is the working tree when its actions
// repository content differs from HEAD's, else HEAD. base "" is the merge-base of head's commit
// with the deploy branch; when that is head itself (a push to the deploy branch), its first parent.
// Before the first commit, both "" and "HEAD" mean the empty tree, and head is the working tree.
func (r *Repo) Revisions(base, head string) (string, string, error) {
	if head == "" {
		head = "HEAD"
		if dirty, err := r.Dirty(); err != nil {
			return "", "", err
		} else if dirty {
			head = WorkingTree
		}
	}
	if r.git.Unborn() {
		// No commit yet (the first commit's pre-commit hook): HEAD names nothing, so the review
		// compares the working tree with the empty tree, and the first commit adds everything.
		if head == "HEAD" {
			head = WorkingTree
		}
		if base == "" || base == "HEAD" {
			base = EmptyTree
		}
		return base, head, nil
	}
	if base != "" {
		return base, head, nil
	}
	headRev := head
	if head == WorkingTree {
		headRev = "HEAD"
	}
	hc, err := r.git.Resolve(headRev)
	if err != nil {
		return "", "", err
	}
	tip := r.git.DeployTip()
	if tip == "" {
		return "", "", fmt.Errorf("no deploy branch %s (nor origin/%s) to compare with: fetch it or pass --base", r.Branch, r.Branch)
	}
	mb := r.git.MergeBase(hc, tip)
	if mb == "" {
		return "", "", fmt.Errorf("%s and %s have no common history: pass --base", headRev, r.Branch)
	}
	if mb == hc && head != WorkingTree {
		parents, err := r.git.Parents(hc)
		if err != nil {
			return "", "", err
		}
		if len(parents) == 0 {
			return hc, head, nil // the first commit: compared with itself
		}
		return parents[0], head, nil
	}
	return mb, head, nil
}

// Dirty reports whether the working tree's actions repository content (triggers.yaml,
// actionsd.lock, actions/ and modules/) differs from HEAD's.
func (r *Repo) Dirty() (bool, error) {
	hc, err := r.git.Resolve("HEAD")
	if err != nil {
		return true, nil // no commit yet: only the working tree exists
	}
	for _, dir := range []string{"actions", "modules"} {
		wt, err := DirTree(os.DirFS(r.Dir), dir)
		if err != nil {
			return false, err
		}
		if wt != r.git.FolderTree(hc, dir) {
			return true, nil
		}
	}
	for _, f := range []string{"triggers.yaml", lockfile.Name} {
		// Compared by blob hash, streamed: neither side is read into memory.
		wt, werr := gitstore.BlobHash(os.DirFS(r.Dir), f)
		committed := r.git.FileHash(hc, f)
		if werr != nil && committed == "" {
			continue // in neither
		}
		if werr != nil || wt != committed {
			return true, nil
		}
	}
	return false, nil
}

// DirTree returns the git tree hash the folder dir of fsys would have if committed ("" when it is
// missing or empty).
func DirTree(fsys fs.FS, dir string) (string, error) {
	h, ok, err := gitstore.DirTreeHash(fsys, dir)
	if err != nil || !ok {
		if os.IsNotExist(err) {
			err = nil
		}
		return "", err
	}
	return h, nil
}

// Validate reviews base against head in the repository (either may be "": see Revisions).
func (r *Repo) Validate(ctx context.Context, base, head string, opts Options) (*Report, error) {
	defaulted := base == ""
	base, head, err := r.Revisions(base, head)
	if err != nil {
		return nil, err
	}
	bs, err := r.Read(base)
	if err != nil {
		return nil, err
	}
	if defaulted && base != EmptyTree {
		bs.Rev = "merge-base with " + r.Branch
	}
	hs, err := r.Read(head)
	if err != nil {
		return nil, err
	}
	return Compare(ctx, bs, hs, opts), nil
}
