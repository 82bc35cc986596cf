package runner

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/runner/auth0"
	"github.com/actionsd/actionsd/runner/egress"
	"github.com/actionsd/actionsd/trigger"
	"go.uber.org/zap"
)

// builder holds one Build's state.
type builder struct {
	engine   *Engine
	programs *ProgramCache
	build    uint64
	problems diag.List
	pending  []pendingChunk // bundle chunks compiling in the background
}

// pendingChunk is a bundle chunk that Build must see compiled before the generation serves.
type pendingChunk struct {
	object, file string // the owner and its "<npm bundle>" path, for the problem
	chunk        string
	code         *compileTask
}

// waitChunks waits for every bundle chunk of the build, or for ctx to end, and reports the chunks
// that did not compile.
func (b *builder) waitChunks(ctx context.Context) error {
	for _, p := range b.pending {
		if err := ctx.Err(); err != nil {
			return err
		}
		p.code.run() // here, when no worker has started it
		select {
		case <-p.code.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := p.code.err; err != nil {
			b.problem(p.object, Error{Message: fmt.Sprintf("the npm dependency bundle does not compile: chunk %s: %v", p.chunk, err), File: p.file})
		}
	}
	return nil
}

func (b *builder) problem(object string, e Error) {
	p := problemAt(object, e)
	if !slices.Contains(b.problems, p) {
		b.problems = append(b.problems, p)
	}
}

// Build compiles every action and every distinct module version of spec once, warms one runtime
// per action (running its top level, which loads the modules it requires), and returns the
// generation. Anything that would fail at run time for every execution — a syntax error, a module
// that throws while loading, a require the runner refuses (found by running the top level or by a
// static scan of every literal require('x') of every file), a missing handler — fails the build
// with a *BuildError whose Problems name the repository file, line and column. An error that is
// not a *BuildError means ctx ended.
func Build(ctx context.Context, spec *Spec, opts Options) (*Generation, error) {
	if spec == nil {
		return nil, errors.New("build: nil spec")
	}
	start := time.Now()
	programs := opts.Programs
	if programs == nil {
		programs = NewProgramCache()
	}
	engine := engineOf(opts.Engine)
	b := &builder{engine: engine, programs: programs}
	b.build = programs.begin(engine)
	defer programs.end(b.build)

	given := runEnv{
		engine:   engine,
		log:      opts.Logger,
		client:   opts.HTTPClient,
		cache:    opts.Cache,
		poolSize: opts.PoolSize,
		memLimit: opts.MemoryLimit,
		budget:   opts.Budget,
		record:   opts.RecordOutbound && !opts.Replay,
		replay:   opts.Replay,
	}
	if given.record {
		given.bodyLimit = cmp.Or(max(opts.OutboundBodyLimit, 0), DefaultOutboundBodyLimit)
	}
	for _, k := range slices.Sorted(maps.Keys(opts.ProcessEnv)) {
		if k == "" || k == "__proto__" || strings.ContainsRune(k+opts.ProcessEnv[k], 0) {
			return nil, fmt.Errorf("process env: %q: not a variable name, or a NUL byte in it or its value", k)
		}
		given.processEnv += k + "\x00" + opts.ProcessEnv[k] + "\x00"
	}
	env := &runEnv{}
	*env = given
	if env.log == nil {
		env.log = zap.NewNop()
	}
	if env.client == nil {
		env.client = egress.NewClient(egress.Policy{})
	}
	switch {
	case env.replay:
		env.client = replayClient()
	case env.record:
		env.client = recordingClient(env.client)
	}
	if env.cache == nil {
		env.cache = auth0.NewCache()
	}
	if env.poolSize <= 0 {
		env.poolSize = max(DefaultPoolSize, 2*runtime.GOMAXPROCS(0))
	}
	if env.memLimit == 0 {
		env.memLimit = DefaultMemoryLimit
	}
	if env.budget <= 0 {
		env.budget = DefaultBudget
	}
	prev := opts.Previous
	if prev != nil && prev.given == given {
		env = prev.env // same options: the previous generation's actions can be reused
	} else {
		prev = nil
	}
	g := &Generation{
		given:    given,
		commit:   spec.Commit,
		number:   spec.Generation,
		env:      env,
		sealer:   newStateSealer(cmp.Or(string(opts.StateKey), string(engine.stateKey))),
		actions:  make(map[string]*action, len(spec.Actions)),
		bindings: make(map[string][]*action, len(spec.Bindings)),
		tracer:   opts.Tracer,
	}
	built := false
	defer func() {
		if !built { // give back the actions taken from prev
			for _, a := range g.actions {
				a.release()
			}
			for _, a := range g.stable {
				a.release()
			}
		}
	}()

	modules := make(map[string]*unit) // "logger@v2" -> compiled version; nil when it failed
	var secretValues []string
	bound := make(map[string]bool) // the actions some trigger binds
	for _, list := range spec.Bindings {
		for _, name := range list {
			bound[name] = true
		}
	}
	reused := 0
	// add compiles the action as (or reuses one of candidates with its fingerprint); nil when it
	// fails, with its problem recorded.
	add := func(name string, as *ActionSpec, candidates ...*action) *action {
		object := "actions/" + name
		if as == nil {
			b.problem(object, Error{Message: "no action spec"})
			return nil
		}
		for _, v := range as.Secrets {
			secretValues = append(secretValues, v)
		}
		for _, ms := range as.Modules {
			if ms != nil {
				for _, v := range ms.Secrets {
					secretValues = append(secretValues, v)
				}
			}
		}
		print := fingerprint(as)
		for _, pa := range candidates {
			if pa != nil && pa.print == print && pa.acquire() {
				reused++
				return pa
			}
		}
		t, ok := trigger.Lookup(as.Trigger)
		if !ok {
			b.problem(object, Error{Message: fmt.Sprintf("unknown trigger %q", as.Trigger)})
			return nil
		}
		u, p := b.compileUnit(actionUnit, object, name, as.Source, as.Secrets)
		if p != nil {
			b.problems = append(b.problems, *p)
			return nil
		}
		a := &action{
			env:     env,
			name:    name,
			version: as.Version,
			trig:    t,
			timeout: as.Timeout,
			unit:    u,
			heads:   make(map[string]string),
			pool:    make(chan *vm, env.poolSize),
			print:   print,
			refs:    1,
		}
		u.modules = make(map[string]*unit, len(as.Modules))
		broken := false
		for _, mname := range slices.Sorted(maps.Keys(as.Modules)) {
			ms := as.Modules[mname]
			if ms == nil {
				b.problem(object, Error{Message: fmt.Sprintf("module %s: no module spec", mname)})
				broken = true
				continue
			}
			key := fmt.Sprintf("%s@v%d", cmp.Or(ms.Name, mname), ms.Version)
			mu, seen := modules[key]
			if !seen {
				var p *diag.Diagnostic
				mu, p = b.compileUnit(moduleUnit, "modules/"+key, cmp.Or(ms.Name, mname), ms.Source, ms.Secrets)
				if p != nil {
					b.problems = append(b.problems, *p)
				} else {
					b.scan(mu, ms.Source.Files)
				}
				modules[key] = mu
			}
			if mu == nil {
				broken = true
				continue
			}
			u.modules[mname] = mu
			a.modules = append(a.modules, key)
			for f := range mu.progs {
				a.heads[mu.repoPath(f)] = mu.head()
			}
		}
		for f := range u.progs {
			a.heads[u.repoPath(f)] = u.head()
		}
		b.scan(u, as.Source.Files)
		if broken {
			return nil
		}
		return a
	}
	names := slices.Sorted(maps.Keys(spec.Actions))
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("build generation %d: %w", spec.Generation, err)
		}
		var candidates []*action
		if prev != nil {
			candidates = []*action{prev.actions[name], prev.stable[name]}
		}
		if a := add(name, spec.Actions[name], candidates...); a != nil {
			g.actions[name] = a
		}
	}
	// The stable revisions of the actions under rollout: the canary is the action itself.
	for _, name := range slices.Sorted(maps.Keys(spec.Stable)) {
		if spec.Actions[name] == nil {
			b.problem("actions/"+name, Error{Message: "a stable revision of an action that is not in the spec"})
			continue
		}
		var candidates []*action
		if prev != nil {
			candidates = []*action{prev.stable[name], prev.actions[name]}
		}
		if a := add(name, spec.Stable[name], candidates...); a != nil {
			if g.stable == nil {
				g.stable = map[string]*action{}
				g.router = opts.Router
			}
			g.stable[name] = a
		}
	}
	if g.stable != nil && g.router == nil {
		b.problem("", Error{Message: "stable revisions without Options.Router"})
	}

	for _, trig := range slices.Sorted(maps.Keys(spec.Bindings)) {
		if _, ok := trigger.Lookup(trig); !ok {
			b.problem("triggers.yaml", Error{Message: fmt.Sprintf("unknown trigger %q", trig), File: "triggers.yaml"})
			continue
		}
		for _, name := range spec.Bindings[trig] {
			a := g.actions[name]
			switch {
			case a == nil && spec.Actions[name] == nil:
				b.problem("triggers.yaml", Error{Message: fmt.Sprintf("%s: action %s does not exist", trig, name), File: "triggers.yaml"})
			case a == nil: // it failed to build; its problem is reported already
			case a.trig.Name != trig:
				b.problem("triggers.yaml", Error{Message: fmt.Sprintf("%s: action %s declares trigger %s", trig, name, a.trig.Name), File: "triggers.yaml"})
			default:
				g.bindings[trig] = append(g.bindings[trig], a)
			}
		}
	}
	if len(b.problems) > 0 {
		return nil, &BuildError{Problems: b.problems}
	}
	g.redact = newRedactor(secretValues)

	// Every bound action that has never loaded (built here, or reused from a generation where no
	// trigger bound it) loads now, on the runtime it will serve on: locked down when it pins modules
	// (harden.go), so that what fails only under the lockdown fails this build, and so that no
	// user code ever runs beside a module's secrets in a runtime that is not locked down. The
	// actions no trigger binds are compiled and scanned but not loaded: only Test runs them, and
	// it loads one on first use (Options.LoadUnbound loads them here too).
	var load []*action
	for _, name := range names {
		a := g.actions[name]
		if a != nil && !a.loaded.Load() && (bound[name] || opts.LoadUnbound) {
			load = append(load, a)
		}
		if s := g.stable[name]; s != nil && !s.loaded.Load() && (bound[name] || opts.LoadUnbound) {
			load = append(load, s)
		}
	}
	errs := warmUp(ctx, load)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("build generation %d: %w", spec.Generation, ctx.Err())
	}
	// A chunk that does not compile is the problem, not the warm-up errors it caused.
	if err := b.waitChunks(ctx); err != nil {
		return nil, fmt.Errorf("build generation %d: %w", spec.Generation, err)
	}
	if len(b.problems) > 0 {
		return nil, &BuildError{Problems: b.problems}
	}
	for i, err := range errs {
		if err == nil {
			continue
		}
		e := *asError(err)
		e.Message = g.redact.redact(e.Message)
		b.problem(load[i].objectOf(e.File), e)
	}
	if len(b.problems) > 0 {
		return nil, &BuildError{Problems: b.problems}
	}
	built = true
	env.log.Info("generation built", zap.String("commit", g.commit), zap.Int64("generation", g.number),
		zap.Int("actions", len(g.actions)), zap.Int("actions_reused", reused),
		zap.Int("module_versions", len(modules)), zap.Duration("duration", time.Since(start)))
	return g, nil
}

// warmUp loads one serving runtime per action, GOMAXPROCS at a time, running each top level (and
// the modules it requires) once: the error of actions[i], if any, is errs[i]. Each runtime that
// loads goes to its action's pool.
func warmUp(ctx context.Context, actions []*action) []error {
	errs := make([]error, len(actions))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(actions)) {
		wg.Go(func() {
			for i := range next {
				a := actions[i]
				var v *vm
				if v, errs[i] = a.newVM(ctx); errs[i] == nil {
					a.put(v)
				}
			}
		})
	}
	for i := range actions {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

// fingerprint identifies everything of an ActionSpec that its compiled code and warm runtimes
// depend on: equal fingerprints let Build reuse an action (Options.Previous).
func fingerprint(as *ActionSpec) [32]byte {
	h := sha256.New()
	w := func(ss ...string) {
		for _, s := range ss {
			var n [8]byte
			binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
			h.Write(n[:])
			h.Write([]byte(s))
		}
	}
	source := func(s Source) {
		w(s.Dir, s.Entry)
		for _, f := range slices.Sorted(maps.Keys(s.Files)) {
			w(f, string(s.Files[f]))
		}
		w("deps")
		for _, d := range slices.Sorted(maps.Keys(s.Dependencies)) {
			w(d, s.Dependencies[d])
		}
		if s.Bundle != nil {
			w("bundle", s.Bundle.Key)
		}
	}
	secrets := func(m map[string]string) {
		w("secrets")
		for _, k := range slices.Sorted(maps.Keys(m)) {
			w(k, m[k])
		}
	}
	w(as.Name, as.Version, as.Trigger, as.Timeout.String())
	source(as.Source)
	secrets(as.Secrets)
	for _, m := range slices.Sorted(maps.Keys(as.Modules)) {
		ms := as.Modules[m]
		if ms == nil {
			w("nil module", m)
			continue
		}
		w("module", m, ms.Name, strconv.Itoa(ms.Version))
		source(ms.Source)
		secrets(ms.Secrets)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// scan reports every literal require('x') in u's files that the runner would refuse.
func (b *builder) scan(u *unit, files map[string][]byte) {
	for _, f := range slices.Sorted(maps.Keys(files)) {
		if !jsdeps.IsJS(f) {
			continue
		}
		for _, c := range jsdeps.Requires(files[f]) {
			if _, err := u.resolve(path.Clean(f), c.Spec); err != nil {
				b.problem(u.object, Error{Message: err.Error(), File: u.repoPath(f), Line: c.Line, Col: c.Col})
			}
		}
	}
}

// objectOf names the action or module version that file belongs to.
func (a *action) objectOf(file string) string {
	for _, m := range a.unit.modules {
		if m.dir != "" && strings.HasPrefix(file, m.dir+"/") {
			return m.object
		}
	}
	return a.unit.object
}
