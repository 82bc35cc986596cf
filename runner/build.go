package runner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/actionsd/actionsd/trigger"
	"go.uber.org/zap"
)

// builder holds one Build's state.
type builder struct {
	programs *ProgramCache
	build    uint64
	problems []Problem
}

func (b *builder) problem(object string, e Error) {
	p := Problem{Object: object, Error: e}
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
	b := &builder{programs: programs}
	b.build = programs.begin()
	defer programs.end(b.build)

	g := &Generation{
		commit:   spec.Commit,
		number:   spec.Generation,
		log:      opts.Logger,
		client:   opts.HTTPClient,
		cache:    opts.Cache,
		poolSize: opts.PoolSize,
		actions:  make(map[string]*action, len(spec.Actions)),
		bindings: make(map[string][]*action, len(spec.Bindings)),
	}
	if g.log == nil {
		g.log = zap.NewNop()
	}
	if g.client == nil {
		g.client = NewHTTPClient(EgressPolicy{})
	}
	if g.cache == nil {
		g.cache = NewCache()
	}
	if g.poolSize <= 0 {
		g.poolSize = 2 * runtime.GOMAXPROCS(0)
	}

	modules := make(map[string]*unit) // "logger@v2" -> compiled version; nil when it failed
	var secretValues []string
	names := slices.Sorted(maps.Keys(spec.Actions))
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("build generation %d: %w", spec.Generation, err)
		}
		as := spec.Actions[name]
		object := "actions/" + name
		if as == nil {
			b.problem(object, Error{Message: "no action spec"})
			continue
		}
		t, ok := trigger.Lookup(as.Trigger)
		if !ok {
			b.problem(object, Error{Message: fmt.Sprintf("unknown trigger %q", as.Trigger)})
			continue
		}
		u, p := b.compileUnit(actionUnit, object, name, as.Source, as.Secrets)
		if p != nil {
			b.problems = append(b.problems, *p)
			continue
		}
		for _, v := range as.Secrets {
			secretValues = append(secretValues, v)
		}
		a := &action{
			g:       g,
			name:    name,
			version: as.Version,
			trig:    t,
			timeout: as.Timeout,
			unit:    u,
			heads:   make(map[string]string),
			pool:    make(chan *vm, g.poolSize),
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
				var p *Problem
				mu, p = b.compileUnit(moduleUnit, "modules/"+key, cmp.Or(ms.Name, mname), ms.Source, ms.Secrets)
				if p != nil {
					b.problems = append(b.problems, *p)
				} else {
					b.scan(mu, ms.Source.Files)
					for _, v := range ms.Secrets {
						secretValues = append(secretValues, v)
					}
				}
				modules[key] = mu
			}
			if mu == nil {
				broken = true
				continue
			}
			u.modules[mname] = mu
			for f := range mu.progs {
				a.heads[mu.repoPath(f)] = mu.head()
			}
		}
		for f := range u.progs {
			a.heads[u.repoPath(f)] = u.head()
		}
		b.scan(u, as.Source.Files)
		if !broken {
			g.actions[name] = a
		}
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

	for _, name := range names {
		a := g.actions[name]
		v, err := a.newVM(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("build generation %d: %w", spec.Generation, ctx.Err())
			}
			e := *asError(err)
			e.Message = g.redact.redact(e.Message)
			b.problem(a.objectOf(e.File), e)
			continue
		}
		a.pool <- v
	}
	if len(b.problems) > 0 {
		return nil, &BuildError{Problems: b.problems}
	}
	g.log.Info("generation built", zap.String("commit", g.commit), zap.Int64("generation", g.number),
		zap.Int("actions", len(g.actions)), zap.Int("module_versions", len(modules)),
		zap.Duration("duration", time.Since(start)))
	return g, nil
}

// scan reports every literal require('x') in u's files that the runner would refuse.
func (b *builder) scan(u *unit, files map[string][]byte) {
	for _, f := range slices.Sorted(maps.Keys(files)) {
		if !isJSFile(f) {
			continue
		}
		for _, c := range scanRequires(files[f]) {
			if _, err := u.resolve(path.Clean(f), c.spec); err != nil {
				b.problem(u.object, Error{Message: err.Error(), File: u.repoPath(f), Line: c.line, Col: c.col})
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
