package gitstore

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

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
// only for a file system that fails; problems in the content are in the Snapshot.
func ReadTree(fsys fs.FS) (*Snapshot, error) {
	return (&treeReader{}).read(fsys)
}

// treeReader reads trees, reusing what it read before for folders whose tree hash is unchanged.
// It is owned by one goroutine (the Store's, under its mutex).
type treeReader struct {
	cache map[string]*cachedObject // by kind, folder and tree hash; nil: no caching
	used  map[string]*cachedObject // what the current read used, the next cache
}

// cachedObject is one folder as read: an Action or a Module and its problems.
type cachedObject struct {
	action   *Action
	module   *Module
	errors   []Problem
	warnings []Problem
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
		snap.Errors = append(snap.Errors, Problem{Pos: Pos{File: triggersFile}, Message: "must be a file"})
	default:
		data, err := fs.ReadFile(fsys, triggersFile)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", triggersFile, err)
		}
		t, problems := ParseTriggers(triggersFile, data)
		snap.Triggers = t
		snap.Errors = append(snap.Errors, problems...)
	}

	lock, problem, err := readLock(fsys)
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
		snap.Errors = append(snap.Errors, Problem{Pos: Pos{File: kind}, Message: "must be a folder"})
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
		p := Pos{File: kind + "/" + name}
		switch {
		case strings.HasPrefix(name, "."):
			// .gitkeep and the like
		case !e.IsDir():
			snap.Warnings = append(snap.Warnings, Problem{Pos: p, Message: fmt.Sprintf("not %s folder; ignored", article(singular))})
		case !ValidName(name):
			snap.Errors = append(snap.Errors, Problem{Pos: p, Message: fmt.Sprintf("bad %s name %q: must match [a-z0-9][a-z0-9-]{0,63}", singular, name)})
		default:
			names = append(names, name)
		}
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
func (r *treeReader) readAction(fsys fs.FS, name string) (*Action, []Problem, []Problem, error) {
	dir := "actions/" + name
	tree, err := treeHash(fsys, ".")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("action %s: %w", name, err)
	}
	key := "action\x00" + dir + "\x00" + tree
	if c := r.lookup(key); c != nil {
		a := *c.action // a copy, so that Version can be set per snapshot
		return &a, c.errors, c.warnings, nil
	}
	a, files, entry, errs, err := readFolder(fsys, dir, actionManifest, ParseActionManifest)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("action %s: %w", name, err)
	}
	a.Name, a.Dir, a.Tree, a.Files, a.Entry = name, dir, tree, files, entry
	r.store(key, &cachedObject{action: a, errors: errs})
	c := *a
	return &c, errs, nil, nil
}

// readModule reads the module folder fsys (modules/<name>); ref names the tag it is read from,
// "" for the deploy branch's HEAD, and goes into the positions of problems.
func (r *treeReader) readModule(fsys fs.FS, name, ref string) (*Module, []Problem, []Problem, error) {
	dir := "modules/" + name
	tree, err := treeHash(fsys, ".")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("module %s: %w", name, err)
	}
	key := "module\x00" + dir + "\x00" + tree + "\x00" + ref
	if c := r.lookup(key); c != nil {
		return c.module, c.errors, c.warnings, nil
	}
	m, files, entry, errs, err := readFolder(fsys, dir, moduleManifest, ParseModuleManifest)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("module %s: %w", name, err)
	}
	m.Name, m.Dir, m.Tree, m.Files, m.Entry = name, dir, tree, files, entry
	for i := range errs {
		errs[i].Ref = ref
	}
	r.store(key, &cachedObject{module: m, errors: errs})
	return m, errs, nil, nil
}

// ReadModule reads a module folder (fsys is rooted at it, such as NewTreeFS of its git tree) as
// module name, the way ReadTree reads a draft; the problems of its files are returned beside it.
func ReadModule(fsys fs.FS, name string) (*Module, []Problem, error) {
	m, errs, _, err := (&treeReader{}).readModule(fsys, name, "")
	return m, errs, err
}

// readFolder reads the files of an action or module folder, parses its manifest with parse and
// picks its entry file. Problems in the files go into errs, in order: the files', the manifest's,
// the entry's; err is a failure to read.
func readFolder[T any](fsys fs.FS, dir, manifest string, parse func(file string, data []byte) (*T, []Problem)) (obj *T, files map[string][]byte, entry string, errs []Problem, err error) {
	files, errs, err = readFiles(fsys, dir)
	if err != nil {
		return nil, nil, "", nil, err
	}
	obj = new(T)
	if data, ok := files[manifest]; ok {
		var problems []Problem
		obj, problems = parse(dir+"/"+manifest, data)
		errs = append(errs, problems...)
	} else {
		errs = append(errs, Problem{Pos: Pos{File: dir}, Message: "missing " + manifest})
	}
	entry, problem := entryFile(files, dir)
	if problem != nil {
		errs = append(errs, *problem)
	}
	return obj, files, entry, errs, nil
}

// entryFile picks the entry of a folder's files.
func entryFile(files map[string][]byte, dir string) (string, *Problem) {
	var found []string
	for _, name := range entryFiles {
		if _, ok := files[name]; ok {
			found = append(found, name)
		}
	}
	switch len(found) {
	case 0:
		return "", &Problem{Pos: Pos{File: dir}, Message: "missing entry file " + strings.Join(entryFiles, " or ")}
	case 1:
		return found[0], nil
	}
	return "", &Problem{Pos: Pos{File: dir}, Message: "more than one entry file (" + strings.Join(found, ", ") + "); keep one"}
}

// readFiles reads every file below the root of fsys, by slash-separated path. Symbolic links and
// submodules are problems: their content would not be what the code sees.
func readFiles(fsys fs.FS, dir string) (map[string][]byte, []Problem, error) {
	files := map[string][]byte{}
	var problems []Problem
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch t := d.Type(); {
		case d.IsDir():
			return nil
		case t&fs.ModeSymlink != 0:
			problems = append(problems, Problem{Pos: Pos{File: path.Join(dir, p)}, Message: "symbolic links are not supported"})
			return nil
		case !t.IsRegular():
			problems = append(problems, Problem{Pos: Pos{File: path.Join(dir, p)}, Message: "not a regular file (submodules are not supported)"})
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[p] = data
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return files, problems, nil
}

// readLock reads and parses actionsd.lock at the root of fsys: nil when there is none; a file that
// does not parse is a problem of the snapshot.
func readLock(fsys fs.FS) (*lockfile.Lock, *Problem, error) {
	info, err := fs.Stat(fsys, lockfile.Name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("read %s: %w", lockfile.Name, err)
	case !info.Mode().IsRegular():
		return nil, &Problem{Pos: Pos{File: lockfile.Name}, Message: "must be a file"}, nil
	}
	data, err := fs.ReadFile(fsys, lockfile.Name)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", lockfile.Name, err)
	}
	lock, err := lockfile.Parse(data)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), lockfile.Name+": ")
		return nil, &Problem{Pos: Pos{File: lockfile.Name}, Message: msg}, nil
	}
	return lock, nil, nil
}
