package runner

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/jsdeps"
	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// Sources are wrapped CommonJS-style. The wrapper's head and the source's first line share a line,
// so line numbers are the file's own; columns on line 1 are shifted by the head's length, which
// position() takes back. Modules get their secrets, fetch and console as parameters: they are
// captured when the module loads, so an action that replaces globalThis.fetch or console cannot
// intercept a module's requests or logs, and no module secret is ever a global.
const (
	actionWrapperHead = "(function (exports, require, module, __filename, __dirname) {"
	moduleWrapperHead = "(function (exports, require, module, __filename, __dirname, actions, fetch, console) {"
	bundleWrapperHead = "(function (exports, require, module, __filename, __dirname) {"
	wrapperTail       = "\n})"
)

type unitKind int

const (
	actionUnit unitKind = iota
	moduleUnit
)

// unit is the compiled code of one action or one module version. It is immutable once built and
// shared by every runtime of the generation.
type unit struct {
	kind    unitKind
	object  string // "actions/enrich" or "modules/logger@v2", for Problems
	name    string
	dir     string // repository-relative folder
	entry   string // relative to dir
	files   map[string]bool
	progs   map[string]*goja.Program // .js/.cjs files, by path relative to dir
	json    map[string]string        // .json files, by path relative to dir
	deps    map[string]string        // declared npm packages
	secrets map[string]string        // a copy
	modules map[string]*unit         // action units: require('actions:<name>') -> pinned version
	bundle  *bundleCode              // the compiled Source.Bundle; nil without one
}

// bundleCode is a unit's Source.Bundle, its chunks compiling in the background: Build starts them
// all at once, a runtime that requires a package waits only for the chunks it loads, and Build
// waits for the rest before the generation may serve.
type bundleCode struct {
	key     string            // Bundle.Key
	entries map[string]string // package -> entry chunk
	chunks  map[string]*compileTask
}

// compileTask is the compile of one source (an action's file, a bundle chunk), shared through the
// ProgramCache by every build (and Precompile) that needs it. Whoever claims it first compiles
// it: the build, a background worker, or a runtime that needs a chunk before a worker got to it,
// so that a warm-up never waits behind chunks it does not need yet, and nothing compiles twice.
type compileTask struct {
	claimed atomic.Bool
	used    uint64 // the last build that asked for it (guarded by the ProgramCache's mu)
	compile func() (*goja.Program, error)
	done    chan struct{} // closed once prg or err is set
	prg     *goja.Program
	err     error
}

// run compiles the chunk unless someone has claimed it, and reports whether it did.
func (c *compileTask) run() bool {
	if !c.claimed.CompareAndSwap(false, true) {
		return false
	}
	c.prg, c.err = c.compile()
	close(c.done)
	return true
}

// wait returns the chunk's program, compiling it on this goroutine if no one has started to.
func (c *compileTask) wait() (*goja.Program, error) {
	c.run()
	<-c.done
	return c.prg, c.err
}

// chunks returns the compile tasks of bundle's chunks by name, and the ones not yet compiled,
// largest first. display maps entry chunks to their packages.
func (c *ProgramCache) chunks(build uint64, bundle *jsdeps.Bundle) (map[string]*compileTask, []*compileTask) {
	refs := c.chunkRefs(build, bundle)
	all := make(map[string]*compileTask, len(refs))
	var todo []*compileTask
	for _, r := range refs {
		code := bundle.Chunks[r.name]
		t := c.task(build, r.key, r.file, func() string { return bundleWrapperHead + string(code) + wrapperTail })
		all[r.name] = t
		if !t.claimed.Load() {
			todo = append(todo, t)
		}
	}
	return all, todo
}

// chunkRef is one chunk of a bundle: its name, the file name its program has in stack traces, and
// its key in the cache.
type chunkRef struct {
	name, file string
	key        [32]byte
}

// bundleRefs are a bundle's chunks, largest first, and the last build that used them.
type bundleRefs struct {
	refs []chunkRef
	used uint64
}

// chunkRefs returns bundle's chunks, largest first. They are hashed once while builds use the
// bundle (its Key names its content), not at every Precompile and Build.
func (c *ProgramCache) chunkRefs(build uint64, bundle *jsdeps.Bundle) []chunkRef {
	c.mu.Lock()
	if b, ok := c.bundles[bundle.Key]; ok {
		b.used = max(b.used, build)
		c.mu.Unlock()
		return b.refs
	}
	c.mu.Unlock()
	display := make(map[string]string, len(bundle.Entries))
	for pkg, ch := range bundle.Entries {
		display[ch] = pkg
	}
	names := slices.SortedFunc(maps.Keys(bundle.Chunks), func(x, y string) int {
		return cmp.Or(cmp.Compare(len(bundle.Chunks[y]), len(bundle.Chunks[x])), cmp.Compare(x, y))
	})
	refs := make([]chunkRef, len(names))
	for i, name := range names {
		refs[i].name = name
		refs[i].file, refs[i].key = chunkKey(display, name, bundle.Chunks[name])
	}
	if bundle.Key != "" {
		c.mu.Lock()
		c.bundles[bundle.Key] = &bundleRefs{refs: refs, used: build}
		c.mu.Unlock()
	}
	return refs
}

// task returns the compile task of src under key: a finished one when the cache holds the
// program, the one under way, or a new unclaimed one. Whoever waits on it first compiles it.
func (c *ProgramCache) task(build uint64, key [32]byte, name string, src func() string) *compileTask {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.progs[key]; ok {
		p.used = max(p.used, build)
		t := &compileTask{done: make(chan struct{}), prg: p.prg}
		t.claimed.Store(true)
		close(t.done)
		return t
	}
	if t, ok := c.tasks[key]; ok {
		t.used = max(t.used, build)
		return t
	}
	t := &compileTask{done: make(chan struct{}), used: build}
	t.compile = func() (prg *goja.Program, err error) {
		defer func() {
			c.mu.Lock()
			delete(c.tasks, key) // a failed compile is tried again by the next build
			if err == nil {
				c.progs[key] = &cachedProgram{prg: prg, used: t.used}
			}
			c.mu.Unlock()
		}()
		return compileJS(name, src())
	}
	c.tasks[key] = t
	return t
}

// dispatch hands the tasks, in order (the largest first), to background workers as the engine's
// compile slots free up (as many as the processors Go may use: more would only interleave them);
// a task someone has claimed meanwhile is skipped. It returns at once.
func (e *Engine) dispatch(tasks []*compileTask) {
	if len(tasks) == 0 {
		return
	}
	e.wg.Go(func() {
		for _, t := range tasks {
			if t.claimed.Load() {
				continue
			}
			e.slots <- struct{}{}
			e.wg.Go(func() {
				defer func() { <-e.slots }()
				t.run()
			})
		}
	})
}

// compileBundle queues every chunk of bundle for the background workers, largest first, and
// returns at once. A chunk is cached by its name and content, so the chunks a dependency change
// did not touch are not compiled again, and owners with equal chunks share their programs.
func (b *builder) compileBundle(u *unit, bundle *jsdeps.Bundle) *bundleCode {
	all, todo := b.programs.chunks(b.build, bundle)
	for _, name := range slices.Sorted(maps.Keys(all)) {
		b.pending = append(b.pending, pendingChunk{object: u.object, file: u.repoPath("<npm bundle>"), chunk: name, code: all[name]})
	}
	b.engine.dispatch(todo)
	return &bundleCode{key: bundle.Key, entries: bundle.Entries, chunks: all}
}

// chunkKey returns the file name a chunk's program has in stack traces ("npm:<package>" for an
// entry chunk) and its key in a ProgramCache.
func chunkKey(display map[string]string, name string, code []byte) (string, [32]byte) {
	file := "npm:" + cmp.Or(display[name], name)
	h := sha256.New()
	h.Write([]byte("chunk\x00" + file + "\x00"))
	h.Write(code)
	var key [32]byte
	h.Sum(key[:0])
	return file, key
}

// Precompile starts compiling the chunks of bundle in the background, so that a build that comes
// later finds them compiled or compiling: the reconciler calls it as soon as a bundle is installed,
// and the compiles overlap the secret reads that come before the build. They run on the engine of
// the last build that used c (the default engine before any). It returns at once.
func (c *ProgramCache) Precompile(bundle *jsdeps.Bundle) {
	if bundle == nil {
		return
	}
	c.mu.Lock()
	build := c.builds + 1 // the next build's number: its sweep keeps what this compiles
	eng := engineOf(c.engine)
	c.mu.Unlock()
	_, todo := c.chunks(build, bundle)
	eng.dispatch(todo)
}

// repoPath is file's repository-relative path, as positions and errors name it.
func (u *unit) repoPath(file string) string {
	if u.dir == "" {
		return file
	}
	return u.dir + "/" + file
}

func (u *unit) head() string {
	if u.kind == moduleUnit {
		return moduleWrapperHead
	}
	return actionWrapperHead
}

// ProgramCache keeps compiled programs by content hash (file name and wrapped source) so that a
// new generation does not recompile what the previous one compiled. Build sweeps out programs that
// neither of the last two builds used. It is safe for concurrent use; share one across generations
// through Options.Programs.
type ProgramCache struct {
	mu      sync.Mutex // guards the fields below
	engine  *Engine    // of the last build that used the cache (Precompile's)
	builds  uint64
	progs   map[[32]byte]*cachedProgram
	tasks   map[[32]byte]*compileTask // compiles not finished yet, by key: equal sources compile once
	bundles map[string]*bundleRefs    // chunk keys by Bundle.Key
}

type cachedProgram struct {
	prg  *goja.Program
	used uint64 // the last build that used it
}

// NewProgramCache returns an empty cache.
func NewProgramCache() *ProgramCache {
	return &ProgramCache{progs: make(map[[32]byte]*cachedProgram), tasks: make(map[[32]byte]*compileTask),
		bundles: make(map[string]*bundleRefs)}
}

func (c *ProgramCache) begin(e *Engine) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.engine = e
	c.builds++
	return c.builds
}

func (c *ProgramCache) end(build uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	maps.DeleteFunc(c.progs, func(_ [32]byte, p *cachedProgram) bool { return p.used+1 < build })
	maps.DeleteFunc(c.bundles, func(_ string, b *bundleRefs) bool { return b.used+1 < build })
}

// compile returns the program for name and src, compiling it unless the cache holds it.
func (c *ProgramCache) compile(build uint64, name, src string) (*goja.Program, error) {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(src))
	var key [32]byte
	h.Sum(key[:0])
	c.mu.Lock()
	if p, ok := c.progs[key]; ok { // the common case of a rebuild: no task to make
		p.used = max(p.used, build)
		c.mu.Unlock()
		return p.prg, nil
	}
	c.mu.Unlock()
	return c.task(build, key, name, func() string { return src }).wait()
}

// compileJS parses first so that syntax errors keep their positions (goja.Compile flattens them
// into a message).
func compileJS(name, src string) (prg *goja.Program, err error) {
	// goja panics on what it does not expect; a build must get an error, not lose a goroutine
	// that others wait for.
	defer func() {
		if r := recover(); r != nil {
			prg, err = nil, fmt.Errorf("%s: the compiler failed: %v", name, r)
		}
	}()
	ast, err := parser.ParseFile(nil, name, src, 0)
	if err != nil {
		return nil, err
	}
	return goja.CompileAST(ast, false)
}

// compileUnit compiles every JavaScript file of src and keeps its JSON files, or returns the first
// problem.
func (b *builder) compileUnit(kind unitKind, object, name string, src Source, secrets map[string]string) (*unit, *diag.Diagnostic) {
	u := &unit{
		kind:    kind,
		object:  object,
		name:    name,
		dir:     strings.TrimSuffix(src.Dir, "/"),
		entry:   path.Clean(src.Entry),
		files:   make(map[string]bool, len(src.Files)),
		progs:   make(map[string]*goja.Program),
		json:    make(map[string]string),
		deps:    maps.Clone(src.Dependencies),
		secrets: maps.Clone(secrets),
	}
	if src.Entry == "" {
		u.entry = "index.js"
	}
	for f := range src.Files {
		u.files[path.Clean(f)] = true
	}
	if src.Bundle != nil {
		u.bundle = b.compileBundle(u, src.Bundle)
	}
	if !u.files[u.entry] {
		p := problemAt(object, Error{Message: fmt.Sprintf("entry file %s not found", u.entry), File: u.repoPath(u.entry)})
		return nil, &p
	}
	// Sorted, so that the first problem reported is the same on every build.
	for _, f := range slices.Sorted(maps.Keys(src.Files)) {
		data := src.Files[f]
		f = path.Clean(f)
		switch {
		case jsdeps.IsJS(f):
			prg, err := b.programs.compile(b.build, u.repoPath(f), u.head()+string(data)+wrapperTail)
			if err != nil {
				p := problemAt(object, syntaxProblem(u, f, err))
				return nil, &p
			}
			u.progs[f] = prg
		case strings.HasSuffix(f, ".json"):
			u.json[f] = string(data)
		}
	}
	return u, nil
}

var syntaxMsgRE = regexp.MustCompile(`^SyntaxError: (.*) at (.+):(\d+):(\d+)$`)

// syntaxProblem turns a compile error into a positioned Error.
func syntaxProblem(u *unit, file string, err error) Error {
	e := Error{Message: "SyntaxError: " + err.Error(), File: u.repoPath(file)}
	var list parser.ErrorList
	var one *parser.Error
	var cse *goja.CompilerSyntaxError
	switch {
	case errors.As(err, &list) && len(list) > 0:
		one = list[0]
	case errors.As(err, &one):
	case errors.As(err, &cse):
		e.Message = "SyntaxError: " + cse.Message
		if cse.File != nil {
			p := cse.File.Position(cse.Offset)
			e.Line, e.Col = p.Line, p.Column
		} else if m := syntaxMsgRE.FindStringSubmatch(cse.Error()); m != nil {
			e.Message = "SyntaxError: " + m[1]
			e.Line, _ = strconv.Atoi(m[3])
			e.Col, _ = strconv.Atoi(m[4])
		}
	}
	if one != nil {
		e.Message = "SyntaxError: " + one.Message
		e.Line, e.Col = one.Position.Line, one.Position.Column
	}
	if e.Line == 1 {
		e.Col = max(1, e.Col-len(u.head()))
	}
	return e
}
