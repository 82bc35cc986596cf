package gitstore

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
)

// fetchLocal mirrors the branches and tags of the repository at path (a working tree or a bare
// repository) into dst, without the git CLI: the objects dst lacks go in as one packfile, then
// refs/heads/* and refs/tags/* are set to the source's (forced) and those gone from the source
// are deleted. dst only ever holds objects with everything they reference, so the copy stops at
// any object dst already has. It reports whether any ref of dst changed.
func fetchLocal(ctx context.Context, path string, dst storage.Storer) (bool, error) {
	// PlainOpen: a large loose object is not inflated whole just to learn its type, nor to be
	// copied.
	src, err := PlainOpen(path, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return false, fmt.Errorf("open: %w", err)
	}
	if c, ok := src.Storer.(io.Closer); ok {
		defer c.Close()
	}
	want := map[plumbing.ReferenceName]plumbing.Hash{}
	iter, err := src.Storer.IterReferences()
	if err != nil {
		return false, fmt.Errorf("list refs: %w", err)
	}
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		if name := ref.Name(); (name.IsBranch() || name.IsTag()) && ref.Type() == plumbing.HashReference {
			want[name] = ref.Hash()
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("list refs: %w", err)
	}

	var roots []plumbing.Hash
	for _, h := range want {
		roots = append(roots, h)
	}
	missing, err := missingObjects(ctx, src.Storer, dst, roots)
	if err != nil {
		return false, err
	}
	if len(missing) > 0 {
		if err := writePack(src.Storer, dst, missing); err != nil {
			return false, err
		}
	}

	have := map[plumbing.ReferenceName]plumbing.Hash{}
	dstRefs, err := dst.IterReferences()
	if err != nil {
		return false, fmt.Errorf("list mirror refs: %w", err)
	}
	err = dstRefs.ForEach(func(ref *plumbing.Reference) error {
		if name := ref.Name(); name.IsBranch() || name.IsTag() {
			have[name] = ref.Hash()
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("list mirror refs: %w", err)
	}
	changed := false
	for name, h := range want {
		if have[name] != h {
			changed = true
			if err := dst.SetReference(plumbing.NewHashReference(name, h)); err != nil {
				return false, fmt.Errorf("update %s: %w", name, err)
			}
		}
	}
	for name := range have {
		if _, ok := want[name]; !ok {
			changed = true
			if err := dst.RemoveReference(name); err != nil {
				return false, fmt.Errorf("prune %s: %w", name, err)
			}
		}
	}
	return changed, nil
}

// missingObjects lists the objects reachable from roots in src that dst lacks.
func missingObjects(ctx context.Context, src, dst storer.EncodedObjectStorer, roots []plumbing.Hash) ([]plumbing.Hash, error) {
	seen := map[plumbing.Hash]bool{}
	var missing []plumbing.Hash
	stack := append([]plumbing.Hash(nil), roots...)
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[h] {
			continue
		}
		seen[h] = true
		if err := dst.HasEncodedObject(h); err == nil {
			continue
		} else if !errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil, &mirrorError{fmt.Errorf("mirror object %s: %w", h, err)}
		}
		if len(missing)%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		o, err := src.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return nil, fmt.Errorf("object %s: %w", h, err)
		}
		missing = append(missing, h)
		switch o.Type() {
		case plumbing.CommitObject:
			c, err := object.DecodeCommit(src, o)
			if err != nil {
				return nil, fmt.Errorf("commit %s: %w", h, err)
			}
			stack = append(stack, c.TreeHash)
			stack = append(stack, c.ParentHashes...)
		case plumbing.TreeObject:
			t, err := object.DecodeTree(src, o)
			if err != nil {
				return nil, fmt.Errorf("tree %s: %w", h, err)
			}
			for _, e := range t.Entries {
				if e.Mode != filemode.Submodule { // a submodule's commit lives in another repository
					stack = append(stack, e.Hash)
				}
			}
		case plumbing.TagObject:
			t, err := object.DecodeTag(src, o)
			if err != nil {
				return nil, fmt.Errorf("tag object %s: %w", h, err)
			}
			stack = append(stack, t.Target)
		}
	}
	return missing, nil
}

// writePack writes objects from src into dst: blobs larger than largeObject as loose objects,
// each streamed through zlib (a pack would be indexed by go-git's parser, which inflates every
// object whole into memory); the others as one packfile. Each appears whole or not at all, blobs
// first: they reference nothing, so dst still holds only objects with everything they reference.
func writePack(src, dst storer.EncodedObjectStorer, objects []plumbing.Hash) error {
	var small []plumbing.Hash
	for _, h := range objects {
		if n, err := src.EncodedObjectSize(h); err == nil && n > largeObject {
			o, err := src.EncodedObject(plumbing.AnyObject, h)
			if err != nil {
				return fmt.Errorf("object %s: %w", h, err)
			}
			if o.Type() == plumbing.BlobObject {
				if _, err := dst.SetEncodedObject(o); err != nil {
					return fmt.Errorf("write object %s: %w", h, err)
				}
				continue
			}
		}
		small = append(small, h)
	}
	if len(small) == 0 {
		return nil
	}
	return encodePack(src, dst, small)
}

// encodePack writes objects from src into dst as one packfile.
func encodePack(src, dst storer.EncodedObjectStorer, objects []plumbing.Hash) error {
	pw, ok := dst.(storer.PackfileWriter)
	if !ok {
		for _, h := range objects {
			o, err := src.EncodedObject(plumbing.AnyObject, h)
			if err != nil {
				return fmt.Errorf("object %s: %w", h, err)
			}
			if _, err := dst.SetEncodedObject(o); err != nil {
				return fmt.Errorf("write object %s: %w", h, err)
			}
		}
		return nil
	}
	w, err := pw.PackfileWriter()
	if err != nil {
		return fmt.Errorf("write pack: %w", err)
	}
	if _, err := packfile.NewEncoder(w, src, false).Encode(objects, 10); err != nil {
		w.Close()
		return fmt.Errorf("write pack: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write pack: %w", err)
	}
	return nil
}
