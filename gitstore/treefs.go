package gitstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// treeHasher is implemented by file systems that know the git tree hash of their directories
// (TreeFS). ReadTree computes the hash from the files for any other fs.FS.
type treeHasher interface {
	// TreeHash returns the git tree hash of the directory dir.
	TreeHash(dir string) (string, error)
}

// TreeFS is a read-only fs.FS over one git tree, read from an object store. It also implements
// fs.ReadDirFS, fs.ReadFileFS, fs.StatFS and fs.SubFS. Directories report mode 0755, files 0644 or
// 0755, symbolic links fs.ModeSymlink (their content is the link target) and submodules
// fs.ModeIrregular. A file's size comes from its object's header: Stat and ReadDir read no
// content, and an opened file streams its blob. A TreeFS caches decoded trees and blob sizes and
// is not safe for concurrent use.
type TreeFS struct {
	s     storer.EncodedObjectStorer
	root  plumbing.Hash
	trees map[plumbing.Hash]*object.Tree // shared with Sub file systems
	// blobs are the blobs whose size was asked for and that were not read since, shared with Sub
	// file systems: listing a folder, then reading it, looks each object up once.
	blobs map[plumbing.Hash]plumbing.EncodedObject
}

// NewTreeFS returns the file system of the tree with hash root in s.
func NewTreeFS(s storer.EncodedObjectStorer, root plumbing.Hash) *TreeFS {
	return &TreeFS{s: s, root: root, trees: map[plumbing.Hash]*object.Tree{}, blobs: map[plumbing.Hash]plumbing.EncodedObject{}}
}

func (f *TreeFS) tree(h plumbing.Hash) (*object.Tree, error) {
	if t, ok := f.trees[h]; ok {
		return t, nil
	}
	t, err := object.GetTree(f.s, h)
	if err != nil {
		return nil, fmt.Errorf("tree %s: %w", h, err)
	}
	f.trees[h] = t
	return t, nil
}

// lookup finds the entry at name ("." is the root).
func (f *TreeFS) lookup(op, name string) (object.TreeEntry, error) {
	if !fs.ValidPath(name) {
		return object.TreeEntry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	e := object.TreeEntry{Name: ".", Mode: filemode.Dir, Hash: f.root}
	if name == "." {
		return e, nil
	}
	for _, part := range strings.Split(name, "/") {
		if e.Mode != filemode.Dir {
			return object.TreeEntry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		t, err := f.tree(e.Hash)
		if err != nil {
			return object.TreeEntry{}, &fs.PathError{Op: op, Path: name, Err: err}
		}
		found := false
		for _, c := range t.Entries {
			if c.Name == part {
				e, found = c, true
				break
			}
		}
		if !found {
			return object.TreeEntry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
	}
	return e, nil
}

// blobObject looks the blob h up. A packed object larger than go-git's small-object threshold
// (16 KiB), or a loose one larger than largeObject in a store opened by openStorage (the mirror,
// PlainOpen), is not read by the lookup: its size comes from its header, and its content streams
// when read. (The store's own EncodedObjectSize looks for a loose object first: a file lookup per
// blob that cost more than reading a snapshot's small files.)
func (f *TreeFS) blobObject(h plumbing.Hash) (plumbing.EncodedObject, error) {
	if o, ok := f.blobs[h]; ok {
		return o, nil
	}
	o, err := f.s.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", h, err)
	}
	return o, nil
}

// blobSize returns the size of the blob h, keeping its object for the read that follows.
func (f *TreeFS) blobSize(h plumbing.Hash) (int64, error) {
	o, err := f.blobObject(h)
	if err != nil {
		return 0, err
	}
	f.blobs[h] = o
	return o.Size(), nil
}

// forget drops the blobs whose size was asked for and that were not read.
func (f *TreeFS) forget() { clear(f.blobs) }

// blobReader opens the content of the blob h as a stream.
func (f *TreeFS) blobReader(op, name string, h plumbing.Hash) (io.ReadCloser, int64, error) {
	o, err := f.blobObject(h)
	if err != nil {
		return nil, 0, &fs.PathError{Op: op, Path: name, Err: err}
	}
	delete(f.blobs, h)
	r, err := o.Reader()
	if err != nil {
		return nil, 0, &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("blob %s: %w", h, err)}
	}
	return r, o.Size(), nil
}

// blob reads the blob h into one buffer of its size, known from its header.
func (f *TreeFS) blob(op, name string, h plumbing.Hash) ([]byte, error) {
	r, size, err := f.blobReader(op, name, h)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data := make([]byte, size)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("blob %s: %w", h, err)}
	}
	return data, nil
}

// Open implements fs.FS.
func (f *TreeFS) Open(name string) (fs.File, error) {
	e, err := f.lookup("open", name)
	if err != nil {
		return nil, err
	}
	info := f.info(path.Base(name), e)
	switch e.Mode {
	case filemode.Dir:
		entries, err := f.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &treeDir{info: info, entries: entries}, nil
	case filemode.Submodule:
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("submodules are not supported")}
	}
	return &treeFile{info: info, name: name}, nil
}

// Stat implements fs.StatFS without reading a file's content.
func (f *TreeFS) Stat(name string) (fs.FileInfo, error) {
	e, err := f.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	return f.info(path.Base(name), e), nil
}

// ReadDir implements fs.ReadDirFS: the entries of dir, sorted by name.
func (f *TreeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := f.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if e.Mode != filemode.Dir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	t, err := f.tree(e.Hash)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	entries := make([]fs.DirEntry, 0, len(t.Entries))
	for _, c := range t.Entries {
		entries = append(entries, treeDirEntry{f.info(c.Name, c)})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	return entries, nil
}

// ReadFile implements fs.ReadFileFS.
func (f *TreeFS) ReadFile(name string) ([]byte, error) {
	e, err := f.lookup("read", name)
	if err != nil {
		return nil, err
	}
	switch e.Mode {
	case filemode.Dir:
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	case filemode.Submodule:
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("submodules are not supported")}
	}
	return f.blob("read", name, e.Hash)
}

// Sub implements fs.SubFS: the file system of the directory dir.
func (f *TreeFS) Sub(dir string) (fs.FS, error) {
	e, err := f.lookup("sub", dir)
	if err != nil {
		return nil, err
	}
	if e.Mode != filemode.Dir {
		return nil, &fs.PathError{Op: "sub", Path: dir, Err: errors.New("not a directory")}
	}
	return &TreeFS{s: f.s, root: e.Hash, trees: f.trees, blobs: f.blobs}, nil
}

// TreeHash returns the git tree hash of the directory dir.
func (f *TreeFS) TreeHash(dir string) (string, error) {
	e, err := f.lookup("stat", dir)
	if err != nil {
		return "", err
	}
	if e.Mode != filemode.Dir {
		return "", &fs.PathError{Op: "stat", Path: dir, Err: errors.New("not a directory")}
	}
	return e.Hash.String(), nil
}

func (f *TreeFS) info(name string, e object.TreeEntry) *treeInfo {
	info := &treeInfo{name: name, fs: f, hash: e.Hash, size: -1}
	switch e.Mode {
	case filemode.Dir:
		info.mode = fs.ModeDir | 0o755
	case filemode.Executable:
		info.mode = 0o755
	case filemode.Symlink:
		info.mode = fs.ModeSymlink | 0o777
	case filemode.Submodule:
		info.mode = fs.ModeIrregular
	default:
		info.mode = 0o644
	}
	return info
}

// treeInfo is the fs.FileInfo of a tree entry; the size of a blob is read from its header when
// first asked for.
type treeInfo struct {
	name string
	mode fs.FileMode
	fs   *TreeFS
	hash plumbing.Hash
	size int64 // -1 until known
}

func (i *treeInfo) Name() string       { return i.name }
func (i *treeInfo) Mode() fs.FileMode  { return i.mode }
func (i *treeInfo) ModTime() time.Time { return time.Time{} }
func (i *treeInfo) IsDir() bool        { return i.mode.IsDir() }
func (i *treeInfo) Sys() any           { return i.hash }
func (i *treeInfo) Size() int64 {
	if i.size < 0 {
		i.size = 0
		if i.mode.IsRegular() || i.mode&fs.ModeSymlink != 0 {
			if n, err := i.fs.blobSize(i.hash); err == nil {
				i.size = n
			}
		}
	}
	return i.size
}

type treeDirEntry struct{ info *treeInfo }

func (e treeDirEntry) Name() string               { return e.info.name }
func (e treeDirEntry) IsDir() bool                { return e.info.IsDir() }
func (e treeDirEntry) Type() fs.FileMode          { return e.info.mode.Type() }
func (e treeDirEntry) Info() (fs.FileInfo, error) { return e.info, nil }

// treeFile streams a blob, opened at the first Read.
type treeFile struct {
	info *treeInfo
	name string
	r    io.ReadCloser // nil until the first Read
	err  error         // the error of opening r, or of Close
}

func (f *treeFile) Stat() (fs.FileInfo, error) { return f.info, nil }

func (f *treeFile) Read(p []byte) (int, error) {
	if f.r == nil && f.err == nil {
		f.r, _, f.err = f.info.fs.blobReader("read", f.name, f.info.hash)
	}
	if f.err != nil {
		return 0, f.err
	}
	return f.r.Read(p)
}

func (f *treeFile) Close() error {
	if f.r != nil {
		err := f.r.Close()
		f.r, f.err = nil, fs.ErrClosed
		return err
	}
	f.err = fs.ErrClosed
	return nil
}

type treeDir struct {
	info    *treeInfo
	entries []fs.DirEntry
	off     int
}

func (d *treeDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *treeDir) Close() error               { return nil }
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errors.New("is a directory")}
}

func (d *treeDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.off += n
	return rest[:n], nil
}

// treeHash returns the git tree hash of dir in fsys: asked of fsys when it knows (TreeFS),
// computed from the files otherwise, the way git would hash them when committed (empty
// directories left out, executable bits kept, symbolic links hashed by target when fsys can
// read them).
func treeHash(fsys fs.FS, dir string) (string, error) {
	if h, ok := fsys.(treeHasher); ok {
		return h.TreeHash(dir)
	}
	hash, _, err := computeTreeHash(fsys, dir)
	if err != nil {
		return "", err
	}
	return hash.String(), nil
}

// DirTreeHash returns the git tree hash the folder dir of fsys would have if committed, the way git
// hashes it (empty folders and .git left out, executable bits kept, symbolic links by target where
// fsys can read them); nonEmpty is false when the folder holds no file. It is how a working tree is
// compared with a recorded module version.
func DirTreeHash(fsys fs.FS, dir string) (hash string, nonEmpty bool, err error) {
	h, nonEmpty, err := computeTreeHash(fsys, dir)
	if err != nil {
		return "", false, err
	}
	return h.String(), nonEmpty, nil
}

func computeTreeHash(fsys fs.FS, dir string) (plumbing.Hash, bool, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	t := &object.Tree{}
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		switch {
		case e.IsDir():
			if e.Name() == ".git" {
				continue
			}
			h, nonEmpty, err := computeTreeHash(fsys, p)
			if err != nil {
				return plumbing.ZeroHash, false, err
			}
			if nonEmpty {
				t.Entries = append(t.Entries, object.TreeEntry{Name: e.Name(), Mode: filemode.Dir, Hash: h})
			}
		case e.Type().IsRegular():
			h, info, err := hashFile(fsys, p)
			if err != nil {
				return plumbing.ZeroHash, false, err
			}
			mode := filemode.Regular
			if info.Mode()&0o111 != 0 {
				mode = filemode.Executable
			}
			t.Entries = append(t.Entries, object.TreeEntry{Name: e.Name(), Mode: mode, Hash: h})
		case e.Type()&fs.ModeSymlink != 0:
			target, err := fs.ReadLink(fsys, p)
			if err != nil {
				continue // fsys cannot read links: left out, as ReadTree reports them anyway
			}
			t.Entries = append(t.Entries, object.TreeEntry{Name: e.Name(), Mode: filemode.Symlink, Hash: plumbing.ComputeHash(plumbing.BlobObject, []byte(target))})
		}
	}
	sort.Sort(object.TreeEntrySorter(t.Entries))
	o := &plumbing.MemoryObject{}
	if err := t.Encode(o); err != nil {
		return plumbing.ZeroHash, false, err
	}
	return o.Hash(), len(t.Entries) > 0, nil
}

// BlobHash returns the git blob hash of the file name in fsys, as git would hash it when
// committed, reading it as a stream (a large file is never held).
func BlobHash(fsys fs.FS, name string) (string, error) {
	h, _, err := hashFile(fsys, name)
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

// hashFile returns the git blob hash of the file name, streamed: a large file is never held.
func hashFile(fsys fs.FS, name string) (plumbing.Hash, fs.FileInfo, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return plumbing.ZeroHash, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return plumbing.ZeroHash, nil, err
	}
	h := plumbing.NewHasher(plumbing.BlobObject, info.Size())
	n, err := io.Copy(h, io.LimitReader(f, info.Size()+1))
	if err != nil {
		return plumbing.ZeroHash, nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if n != info.Size() {
		return plumbing.ZeroHash, nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("changed while it was read")}
	}
	return h.Sum(), info, nil
}
