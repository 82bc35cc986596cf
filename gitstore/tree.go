package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/lockfile"
)

const (
	triggersFile   = "triggers.yaml"
	actionManifest = "action.yaml"
	moduleManifest = "module.yaml"
)

// entryFiles are the accepted entry files of an action or module folder, in order of preference.
var entryFiles = []string{"index.js", "index.ts"}

// ReadTree reads one repository tree: triggers.yaml, actions/<name>/ and modules/<name>/ (the
// drafts). fsys is the repository root: a TreeFS over a commit's tree, or os.DirFS over a
// working tree. It fills Triggers, Actions, Drafts, Errors and Warnings of the Snapshot; Commit,
// Branch, Modules and Action.Version are for the caller (Store.Snapshot) to fill. The error is
// only for a file system that fails; problems in the content are in the Snapshot. It applies
// DefaultLimits.
func ReadTree(fsys fs.FS) (*Snapshot, error) {
	return NewReader(Limits{}).ReadTree(fsys)
}

// Reader reads a tree, then module versions, within limits (as a Store's Snapshot does): what is
// past a limit is not read, and is a problem that names it, its size, the limit and its setting.
// Limits.SourceSize counts everything one Reader read since its last ReadTree.
type Reader struct {
	r treeReader
}

// NewReader returns a Reader with limits (zero fields: DefaultLimits).
func NewReader(limits Limits) *Reader {
	return &Reader{r: treeReader{limits: limits.WithDefaults()}}
}

// ReadTree reads one repository tree, as ReadTree does.
func (r *Reader) ReadTree(fsys fs.FS) (*Snapshot, error) { return r.r.read(fsys) }

// ReadModule reads a module folder (fsys is rooted at it) as module name, as ReadModule does; ref
// names the tag it is read from ("" for the tree ReadTree read) in the problems' positions.
func (r *Reader) ReadModule(fsys fs.FS, name, ref string) (*Module, diag.List, error) {
	m, errs, _, err := r.r.readModule(fsys, name, ref)
	return m, errs, err
}

// treeReader reads trees, reusing what it read before for folders whose tree hash is unchanged.
// It is owned by one goroutine (the Store's, under its mutex).
type treeReader struct {
	limits Limits                   // with defaults applied
	cache  map[string]*cachedObject // by kind, folder and tree hash; nil: no caching
	used   map[string]*cachedObject // what the current read used, the next cache
	// total is the size of the files the current read holds, for Limits.SourceSize; full is
	// set once a folder did not fit (it is reported once).
	total int64
	full  bool
}

// cachedObject is one folder as read: an Action or a Module and its problems.
type cachedObject struct {
	action   *Action
	module   *Module
	errors   diag.List
	warnings diag.List
	size     int64 // the size of the files read
}

func (r *treeReader) begin() {
	if r.cache != nil {
		r.used = map[string]*cachedObject{}
	}
}

// end drops what the last reads did not use.
func (r *treeReader) end() {
	if r.cache != nil {
		r.cache, r.used = r.used, nil
	}
}

func (r *treeReader) lookup(key string) *cachedObject {
	if r.cache == nil {
		return nil
	}
	c := r.cache[key]
	if c == nil {
		c = r.used[key]
	}
	if c != nil {
		r.used[key] = c
	}
	return c
}

func (r *treeReader) store(key string, c *cachedObject) {
	if r.cache != nil {
		r.used[key] = c
	}
}

func (r *treeReader) read(fsys fs.FS) (*Snapshot, error) {
	r.total, r.full = 0, false
	snap := &Snapshot{
		Actions: map[string]*Action{},
		Drafts:  map[string]*Module{},
		Modules: map[string]*Versions{},
	}
	info, err := fs.Stat(fsys, triggersFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", triggersFile, err)
	case !info.Mode().IsRegular():
		snap.Errors = append(snap.Errors, problem(diag.Pos{File: triggersFile}, "", "must be a file"))
	default:
		data, err := readLimited(fsys, triggersFile, info.Size(), r.limits.ManifestSize)
		if tl := tooLarge(err); tl != nil {
			snap.Errors = append(snap.Errors, problem(diag.Pos{File: triggersFile}, "", tooLargeMessage(tl, "a manifest", settingManifestSize)))
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", triggersFile, err)
		}
		t, problems := ParseTriggers(triggersFile, data)
		snap.Triggers = t
		snap.Errors = append(snap.Errors, problems...)
	}

	lock, problem, err := readLock(fsys, r.limits.LockSize)
	if err != nil {
		return nil, err
	}
	snap.Lock = lock
	if problem != nil {
		snap.Errors = append(snap.Errors, *problem)
	}

	for _, kind := range []string{"actions", "modules"} {
		names, err := r.folders(fsys, kind, snap)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			dir := kind + "/" + name
			sub, err := fs.Sub(fsys, dir)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", dir, err)
			}
			if kind == "actions" {
				a, errs, warns, err := r.readAction(sub, name)
				if err != nil {
					return nil, err
				}
				snap.Actions[name] = a
				snap.Errors = append(snap.Errors, errs...)
				snap.Warnings = append(snap.Warnings, warns...)
				continue
			}
			m, errs, warns, err := r.readModule(sub, name, "")
			if err != nil {
				return nil, err
			}
			snap.Drafts[name] = m
			snap.Errors = append(snap.Errors, errs...)
			snap.Warnings = append(snap.Warnings, warns...)
		}
	}
	return snap, nil
}

// folders lists the valid object folders under kind ("actions" or "modules"), reporting bad
// names and stray files.
func (r *treeReader) folders(fsys fs.FS, kind string, snap *Snapshot) ([]string, error) {
	info, err := fs.Stat(fsys, kind)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", kind, err)
	case !info.IsDir():
		snap.Errors = append(snap.Errors, problem(diag.Pos{File: kind}, "", "must be a folder"))
		return nil, nil
	}
	entries, err := fs.ReadDir(fsys, kind)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", kind, err)
	}
	singular := strings.TrimSuffix(kind, "s")
	var names []string
	for _, e := range entries {
		name := e.Name()
		p := diag.Pos{File: kind + "/" + name}
		switch {
		case strings.HasPrefix(name, "."):
			// .gitkeep and the like
		case !e.IsDir():
			snap.Warnings = append(snap.Warnings, warning(p, fmt.Sprintf("not %s folder; ignored", article(singular))))
		case !ValidName(name):
			snap.Errors = append(snap.Errors, problem(p, "", fmt.Sprintf("bad %s name %q: must match [a-z0-9][a-z0-9-]{0,63}", singular, name)))
		default:
			names = append(names, name)
		}
	}
	limit, setting := r.limits.Actions, settingActions
	if kind == "modules" {
		limit, setting = r.limits.Modules, settingModules
	}
	if limit >= 0 && len(names) > limit {
		snap.Errors = append(snap.Errors, problem(diag.Pos{File: kind}, "", fmt.Sprintf("%d %s, over the limit of %d (raise it with %s); none is read", len(names), kind, limit, setting)))
		return nil, nil
	}
	return names, nil
}

func article(word string) string {
	if strings.ContainsAny(word[:1], "aeiou") {
		return "an " + word
	}
	return "a " + word
}

// readAction reads the action folder fsys (actions/<name>).
func (r *treeReader) readAction(fsys fs.FS, name string) (*Action, diag.List, diag.List, error) {
	dir := "actions/" + name
	tree, err := treeHash(fsys, ".")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("action %s: %w", name, err)
	}
	key := "action\x00" + dir + "\x00" + tree
	if c := r.lookup(key); c != nil && r.fits(c.size) {
		a := *c.action // a copy, so that Version can be set per snapshot
		return &a, c.errors, c.warnings, nil
	}
	a, ff, entry, errs, err := readFolder(r, fsys, dir, actionManifest, ParseActionManifest)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("action %s: %w", name, err)
	}
	a.Name, a.Dir, a.Tree, a.Files, a.Entry = name, dir, tree, ff.files, entry
	if !ff.cut {
		r.store(key, &cachedObject{action: a, errors: errs, size: ff.size})
	}
	c := *a
	return &c, errs, nil, nil
}

// readModule reads the module folder fsys (modules/<name>); ref names the tag it is read from,
// "" for the deploy branch's HEAD, and goes into the positions of problems.
func (r *treeReader) readModule(fsys fs.FS, name, ref string) (*Module, diag.List, diag.List, error) {
	dir := "modules/" + name
	tree, err := treeHash(fsys, ".")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("module %s: %w", name, err)
	}
	key := "module\x00" + dir + "\x00" + tree + "\x00" + ref
	if c := r.lookup(key); c != nil && r.fits(c.size) {
		return c.module, c.errors, c.warnings, nil
	}
	m, ff, entry, errs, err := readFolder(r, fsys, dir, moduleManifest, ParseModuleManifest)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("module %s: %w", name, err)
	}
	m.Name, m.Dir, m.Tree, m.Files, m.Entry = name, dir, tree, ff.files, entry
	for i := range errs {
		errs[i].Ref = ref
	}
	if !ff.cut {
		r.store(key, &cachedObject{module: m, errors: errs, size: ff.size})
	}
	return m, errs, nil, nil
}

// fits counts size bytes more against Limits.SourceSize, and reports whether they fit.
func (r *treeReader) fits(size int64) bool {
	if r.full || over(r.total+size, r.limits.SourceSize) {
		return false
	}
	r.total += size
	return true
}

// ReadModule reads a module folder (fsys is rooted at it, such as NewTreeFS of its git tree) as
// module name, the way ReadTree reads a draft; the problems of its files are returned beside it.
// It applies DefaultLimits.
func ReadModule(fsys fs.FS, name string) (*Module, diag.List, error) {
	return NewReader(Limits{}).ReadModule(fsys, name, "")
}

// readFolder reads the files of an action or module folder, parses its manifest with parse and
// picks its entry file. Problems in the files go into errs, in order: the files', the manifest's,
// the entry's; err is a failure to read.
func readFolder[T any](r *treeReader, fsys fs.FS, dir, manifest string, parse func(file string, data []byte) (*T, diag.List)) (obj *T, ff folderFiles, entry string, errs diag.List, err error) {
	ff, err = r.readFiles(fsys, dir, manifest)
	if err != nil {
		return nil, ff, "", nil, err
	}
	errs = ff.problems
	obj = new(T)
	if data, ok := ff.files[manifest]; ok {
		var problems diag.List
		obj, problems = parse(dir+"/"+manifest, data)
		errs = append(errs, problems...)
	} else if !ff.names[manifest] { // present but past a limit: that problem says so
		errs = append(errs, problem(diag.Pos{File: dir}, "", "missing "+manifest))
	}
	entry, p := entryFile(ff.names, dir)
	if p != nil {
		errs = append(errs, *p)
	}
	return obj, ff, entry, errs, nil
}

// entryFile picks the entry of a folder's files (names: every file's path).
func entryFile(names map[string]bool, dir string) (string, *diag.Diagnostic) {
	var found []string
	for _, name := range entryFiles {
		if names[name] {
			found = append(found, name)
		}
	}
	switch len(found) {
	case 0:
		return "", ptr(problem(diag.Pos{File: dir}, "", "missing entry file "+strings.Join(entryFiles, " or ")))
	case 1:
		return found[0], nil
	}
	return "", ptr(problem(diag.Pos{File: dir}, "", "more than one entry file ("+strings.Join(found, ", ")+"); keep one"))
}

// folderFiles are the files of one action or module folder.
type folderFiles struct {
	files    map[string][]byte // the files read, by slash-separated path
	names    map[string]bool   // every regular file listed, read or not
	size     int64             // the size of the files read
	problems diag.List
	cut      bool // Limits.SourceSize stopped the read: the result depends on what was read before
}

// readFiles reads every file below the root of fsys (the folder dir) within the limits: it lists
// the files and their sizes first (from git object headers, or stat), then reads them unless one
// is over the limit for a file, or the folder's files together are over theirs, or the files read
// so far in this tree are over theirs: then only the manifest is read, so that the object's
// fields are known. Symbolic links and submodules are problems: their content would not be what
// the code sees.
func (r *treeReader) readFiles(fsys fs.FS, dir, manifest string) (folderFiles, error) {
	if t, ok := fsys.(*TreeFS); ok {
		defer t.forget() // the objects listed and not read
	}
	lim := r.limits
	ff := folderFiles{files: map[string][]byte{}, names: map[string]bool{}}
	type listed struct {
		path string
		size int64
	}
	var list []listed
	tooMany := false
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch t := d.Type(); {
		case d.IsDir():
			if p != "." && lim.Depth >= 0 && strings.Count(p, "/") >= lim.Depth {
				ff.problems = append(ff.problems, problem(diag.Pos{File: path.Join(dir, p)}, "", fmt.Sprintf("folders nest deeper than %d, the limit below an action or module folder (raise it with %s); not read", lim.Depth, settingDepth)))
				return fs.SkipDir
			}
			return nil
		case t&fs.ModeSymlink != 0:
			ff.problems = append(ff.problems, problem(diag.Pos{File: path.Join(dir, p)}, "", "symbolic links are not supported"))
			return nil
		case !t.IsRegular():
			ff.problems = append(ff.problems, problem(diag.Pos{File: path.Join(dir, p)}, "", "not a regular file (submodules are not supported)"))
			return nil
		}
		if lim.Files >= 0 && len(list) >= lim.Files {
			tooMany = true
			return fs.SkipAll
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		list = append(list, listed{p, info.Size()})
		ff.names[p] = true
		return nil
	})
	if err != nil {
		return ff, err
	}

	// Each file's limit; then whether the files within theirs fit the folder's limit and the
	// tree's. A file over its limit is never read.
	fileLimit := func(p string) (int64, string, string) {
		if p == manifest && (lim.FileSize < 0 || lim.ManifestSize >= 0 && lim.ManifestSize < lim.FileSize) {
			return lim.ManifestSize, "a manifest", settingManifestSize
		}
		return lim.FileSize, "one file", settingFileSize
	}
	var size int64
	for _, f := range list {
		limit, what, setting := fileLimit(f.path)
		if over(f.size, limit) {
			ff.problems = append(ff.problems, problem(diag.Pos{File: path.Join(dir, f.path)}, "", tooLargeMessage(&TooLargeError{Size: f.size, Limit: limit}, what, setting)))
			continue
		}
		size += f.size
	}
	readAll := true
	switch {
	case tooMany:
		ff.problems = append(ff.problems, problem(diag.Pos{File: dir}, "", fmt.Sprintf("more than %d files, the limit for an action or module folder (raise it with %s); not read", lim.Files, settingFiles)))
		readAll = false
	case over(size, lim.FolderSize):
		ff.problems = append(ff.problems, problem(diag.Pos{File: dir}, "", fmt.Sprintf("its files come to %s, over the limit of %s for an action or module folder (raise it with %s); not read", FormatSize(size), FormatSize(lim.FolderSize), settingFolderSize)))
		readAll = false
	case !r.fits(size):
		if !r.full {
			ff.problems = append(ff.problems, problem(diag.Pos{File: dir}, "", fmt.Sprintf("its files bring the actions and modules read to %s, over the limit of %s for the whole repository (raise it with %s); not read, nor any folder after it", FormatSize(r.total+size), FormatSize(lim.SourceSize), settingSourceSize)))
			r.full = true
		}
		readAll, ff.cut = false, true
	default:
		ff.size = size // counted by fits
	}
	read := func(p string, size int64) error {
		limit, what, setting := fileLimit(p)
		data, err := readLimited(fsys, p, size, limit)
		if tl := tooLarge(err); tl != nil { // a working tree's file that grew since it was listed
			ff.problems = append(ff.problems, problem(diag.Pos{File: path.Join(dir, p)}, "", tooLargeMessage(tl, what, setting)))
			return nil
		}
		if err != nil {
			return err
		}
		ff.files[p] = data
		return nil
	}
	if readAll {
		for _, f := range list {
			if limit, _, _ := fileLimit(f.path); !over(f.size, limit) {
				if err := read(f.path, f.size); err != nil {
					return ff, err
				}
			}
		}
		return ff, nil
	}
	// Only the manifest, so that the object's fields are known; and which entry file there is
	// (the listing may have stopped early).
	for _, name := range append([]string{manifest}, entryFiles...) {
		info, err := fs.Stat(fsys, name)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		ff.names[name] = true
		if limit, _, _ := fileLimit(name); name == manifest && !over(info.Size(), limit) {
			if err := read(name, info.Size()); err != nil {
				return ff, err
			}
		}
	}
	return ff, nil
}

// tooLarge returns the *TooLargeError in err, or nil.
func tooLarge(err error) *TooLargeError {
	var tl *TooLargeError
	if errors.As(err, &tl) {
		return tl
	}
	return nil
}

// tooLargeMessage is the problem of a file over its limit.
func tooLargeMessage(tl *TooLargeError, what, setting string) string {
	return fmt.Sprintf("%s, over the limit of %s for %s (raise it with %s); not read", FormatSize(tl.Size), FormatSize(tl.Limit), what, setting)
}

// readLock reads and parses actionsd.lock at the root of fsys: nil when there is none; a file that
// does not parse, or is over limit bytes, is a problem of the snapshot.
func readLock(fsys fs.FS, limit int64) (*lockfile.Lock, *diag.Diagnostic, error) {
	info, err := fs.Stat(fsys, lockfile.Name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("read %s: %w", lockfile.Name, err)
	case !info.Mode().IsRegular():
		return nil, ptr(problem(diag.Pos{File: lockfile.Name}, "", "must be a file")), nil
	}
	data, err := readLimited(fsys, lockfile.Name, info.Size(), limit)
	if tl := tooLarge(err); tl != nil {
		return nil, ptr(problem(diag.Pos{File: lockfile.Name}, "", tooLargeMessage(tl, lockfile.Name, settingLockSize))), nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", lockfile.Name, err)
	}
	lock, err := lockfile.Parse(data)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), lockfile.Name+": ")
		return nil, ptr(problem(diag.Pos{File: lockfile.Name}, "", msg)), nil
	}
	return lock, nil, nil
}
