package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/prepare"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// The tests of this file run one reconcile step on its own, on an attempt made for it, and check
// what the step left in the attempt and what kind of error it returned. The fakes (of the
// repository and the installer) stand for what one step asks of them; the end-to-end tests in
// internal/daemon and security/ run whole reconciles against real git.

// kind describes a step's error as the reconciler acts on it: "" (none), "skip", "content: …" (not
// retried until the refs move, Stalled) or "transient(<reason>): …" (retried, Degraded).
func kind(err error) string {
	var te *TransientError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, errSkip):
		return "skip"
	case isContent(err):
		return "content: " + err.Error()
	case errors.As(err, &te):
		return fmt.Sprintf("transient(%s): %s", te.Reason, err.Error())
	}
	return "untyped: " + err.Error()
}

// stepRepo answers one step's calls: Fetch with each of fetchErrs in turn (then nil), RefsKey with
// key, Snapshot with each of snaps in turn.
type stepRepo struct {
	fetchErrs []error
	key       string
	keyErr    error
	snaps     []snapResult
	fetches   int
}

type snapResult struct {
	snap *gitstore.Snapshot
	err  error
}

func (r *stepRepo) Fetch(context.Context) error {
	r.fetches++
	if len(r.fetchErrs) == 0 {
		return nil
	}
	err := r.fetchErrs[0]
	r.fetchErrs = r.fetchErrs[1:]
	return err
}

func (r *stepRepo) RefsKey(context.Context) (string, error) { return r.key, r.keyErr }

func (r *stepRepo) Snapshot(context.Context) (*gitstore.Snapshot, error) {
	s := r.snaps[0]
	r.snaps = r.snaps[1:]
	return s.snap, s.err
}

func stepReconciler(t *testing.T, cfg Config) *Reconciler {
	t.Helper()
	if cfg.Repository == nil {
		cfg.Repository = &stepRepo{}
	}
	if cfg.Secrets == nil {
		cfg.Secrets = vaultsecrets.NewStatic(nil, zap.NewNop())
	}
	cfg.PollInterval, cfg.Logger = -1, zap.NewNop()
	return New(cfg)
}

const handler = "exports.onExecutePostLogin = async () => {};\n"

// action is an action folder of a snapshot: its files, and its manifest's fields.
func action(name string, files map[string]string, modify ...func(*gitstore.Action)) *gitstore.Action {
	a := &gitstore.Action{Name: name, Dir: "actions/" + name, Version: "v-" + name, Trigger: "post-login",
		Entry: "index.js", Files: map[string][]byte{"action.yaml": []byte("trigger: post-login\n")}}
	for f, c := range files {
		a.Files[f] = []byte(c)
		if strings.HasPrefix(f, "index.") {
			a.Entry = f
		}
	}
	for _, m := range modify {
		m(a)
	}
	return a
}

func snapshotOf(actions ...*gitstore.Action) *gitstore.Snapshot {
	s := emptySnapshot("c1")
	s.Triggers = &gitstore.Triggers{Bindings: map[string][]gitstore.Binding{}}
	for _, a := range actions {
		s.Actions[a.Name] = a
		s.Triggers.Bindings[a.Trigger] = append(s.Triggers.Bindings[a.Trigger], gitstore.Binding{Action: a.Name})
	}
	return s
}

// attemptOn is an attempt past its snapshot step.
func attemptOn(snap *gitstore.Snapshot) *attempt {
	return &attempt{key: "k1", snap: snap, set: prepare.New(snap)}
}

func TestStepFetch(t *testing.T) {
	down := errors.New("remote unreachable")
	tests := []struct {
		name    string
		give    stepRepo
		forced  bool
		rotated bool
		last    string // the refs key whose outcome the last attempt remembered
		want    string // the attempt's key
		wantErr string
	}{
		{name: "moved refs", give: stepRepo{key: "k2"}, last: "k1", want: "k2"},
		{name: "unchanged refs skip the reconcile", give: stepRepo{key: "k1"}, last: "k1", want: "k1", wantErr: "skip"},
		{name: "a forced sync reads unchanged refs", give: stepRepo{key: "k1"}, last: "k1", forced: true, want: "k1"},
		{name: "a secret rotation reads unchanged refs", give: stepRepo{key: "k1"}, last: "k1", rotated: true, want: "k1"},
		{name: "a failed fetch is retried", give: stepRepo{fetchErrs: []error{down}}, wantErr: "transient(FetchFailed): remote unreachable"},
		{name: "unreadable refs are retried", give: stepRepo{keyErr: errors.New("no branch main")}, wantErr: "transient(FetchFailed): no branch main"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := tt.give
			r := stepReconciler(t, Config{Repository: &repo})
			r.lastKey = tt.last
			a := &attempt{forced: tt.forced, rotated: tt.rotated}
			err := r.fetch(context.Background(), a)
			if got := kind(err); got != tt.wantErr {
				t.Errorf("error: got %q, want %q", got, tt.wantErr)
			}
			if a.key != tt.want {
				t.Errorf("key: got %q, want %q", a.key, tt.want)
			}
		})
	}
}

func TestStepSnapshot(t *testing.T) {
	withWarnings := snapshotOf(action("a", map[string]string{"index.js": handler}))
	moved := diag.Diagnostic{Object: "modules/m", Pos: diag.Pos{File: "modules/m"}, Message: "tag modules/m/v1 moved from 1111111 to 2222222; v1 keeps serving its recorded content"}.Warn()
	withWarnings.Warnings = diag.List{moved, diag.Diagnostic{Pos: diag.Pos{File: "actions/x"}, Message: "not an action folder; ignored"}.Warn()}
	withWarnings.MovedTags = diag.List{moved}
	corrupt := &gitstore.CorruptMirrorError{MovedTo: "/data/git.corrupt-1", Err: errors.New("zlib: invalid checksum")}
	tests := []struct {
		name         string
		give         stepRepo
		want         []string // the attempt's warnings
		wantMoved    int
		wantSnapshot bool
		wantErr      string
	}{
		{
			name:         "the snapshot's warnings are the attempt's; moved tags are marked",
			give:         stepRepo{snaps: []snapResult{{snap: withWarnings}}},
			want:         []string{moved.Error(), "actions/x: not an action folder; ignored"},
			wantMoved:    1,
			wantSnapshot: true,
		},
		{
			name:    "a git failure is retried",
			give:    stepRepo{snaps: []snapResult{{err: errors.New("branch main: reference not found")}}},
			wantErr: "transient(): branch main: reference not found",
		},
		{
			name:         "a corrupt mirror is cloned again and read once more",
			give:         stepRepo{key: "k2", snaps: []snapResult{{err: corrupt}, {snap: emptySnapshot("c1")}}},
			want:         []string{"the git mirror was corrupt (zlib: invalid checksum): it was moved to /data/git.corrupt-1 and the repository cloned again"},
			wantSnapshot: true,
		},
		{
			name:    "a corrupt mirror that cannot be cloned again is retried",
			give:    stepRepo{fetchErrs: []error{errors.New("remote unreachable")}, snaps: []snapResult{{err: corrupt}}},
			wantErr: "transient(): the git mirror is corrupt",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := tt.give
			r := stepReconciler(t, Config{Repository: &repo})
			a := &attempt{}
			err := r.snapshot(context.Background(), a)
			if got := kind(err); !strings.HasPrefix(got, tt.wantErr) || (got == "") != (tt.wantErr == "") {
				t.Errorf("error: got %q, want %q…", got, tt.wantErr)
			}
			if (a.snap != nil) != tt.wantSnapshot || (a.set != nil) != tt.wantSnapshot {
				t.Errorf("snapshot %v, set %v; want them read: %v", a.snap != nil, a.set != nil, tt.wantSnapshot)
			}
			var got []string
			for _, w := range a.warnings {
				got = append(got, w.Error())
			}
			if !slices.Equal(got, tt.want) || len(a.moved) != tt.wantMoved {
				t.Errorf("warnings %q (moved %d), want %q (moved %d)", got, len(a.moved), tt.want, tt.wantMoved)
			}
		})
	}
}

func TestStepValidate(t *testing.T) {
	broken := snapshotOf(action("a", map[string]string{"index.js": handler}))
	broken.Errors = diag.List{{Object: "actions/a", Pos: diag.Pos{File: "actions/a/action.yaml", Line: 2, Col: 1}, Field: "retries", Message: "unknown field"}}
	unbound := snapshotOf(action("a", map[string]string{"index.js": handler}))
	unbound.Triggers.Bindings["post-login"] = append(unbound.Triggers.Bindings["post-login"], gitstore.Binding{Action: "ghost", Pos: diag.Pos{File: "triggers.yaml", Line: 1, Col: 15}})
	pinned := snapshotOf(action("a", map[string]string{"index.js": handler}, func(a *gitstore.Action) {
		a.Modules = map[string]gitstore.ModulePin{"logger": {Version: 2, Pos: diag.Pos{File: "actions/a/action.yaml", Line: 3, Col: 11}}}
	}))
	tests := []struct {
		name    string
		give    *gitstore.Snapshot
		wantErr string
	}{
		{name: "a valid snapshot", give: snapshotOf(action("a", map[string]string{"index.js": handler}))},
		{name: "the files' own errors stall", give: broken, wantErr: "content: actions/a/action.yaml:2:1: retries: unknown field"},
		{name: "a binding to no action stalls", give: unbound,
			wantErr: `content: triggers.yaml:1:15: post-login: action "ghost" does not exist (no actions/ghost/action.yaml)`},
		{name: "a pin of no module stalls", give: pinned, wantErr: `content: actions/a/action.yaml:3:11: modules.logger: module "logger" does not exist`},
		{name: "every problem is kept", give: func() *gitstore.Snapshot {
			s := snapshotOf(pinned.Actions["a"])
			s.Errors, s.Triggers = broken.Errors, unbound.Triggers
			return s
		}(), wantErr: `content: actions/a/action.yaml:2:1: retries: unknown field (and 2 more problems)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := stepReconciler(t, Config{})
			if got := kind(r.validate(context.Background(), attemptOn(tt.give))); got != tt.wantErr {
				t.Errorf("got %q, want %q", got, tt.wantErr)
			}
		})
	}
}

// locked is a lock in which owner has pkg at version.
func locked(owner, pkg, version string) *lockfile.Lock {
	l := lockfile.New()
	l.Owners[owner] = &lockfile.Owner{Dependencies: map[string]string{pkg: version}, Packages: []string{pkg + "@" + version}}
	l.Packages[pkg+"@"+version] = &lockfile.Package{Name: pkg, Version: version, Integrity: "sha512-x"}
	return l
}

func TestStepResolve(t *testing.T) {
	declares := func(deps map[string]string) func(*gitstore.Action) {
		return func(a *gitstore.Action) {
			a.Dependencies = deps
			a.Files["action.yaml"] = []byte("trigger: post-login\ndependencies:\n  lodash: ^4.17.0\n")
		}
	}
	tests := []struct {
		name         string
		give         *gitstore.Snapshot
		lock         *lockfile.Lock
		want         map[string]string // files of actions/a's prepared source, by name
		wantEntry    string
		wantRenamed  map[string]string
		wantWarnings []string
		wantErr      string
	}{
		{
			name:      "JavaScript stays as it is",
			give:      snapshotOf(action("a", map[string]string{"index.js": handler})),
			want:      map[string]string{"action.yaml": "trigger: post-login\n", "index.js": handler},
			wantEntry: "index.js",
		},
		{
			name:        "TypeScript loads as the CommonJS of the same name",
			give:        snapshotOf(action("a", map[string]string{"index.ts": "export const onExecutePostLogin = async (): Promise<void> => {};\n"})),
			want:        map[string]string{"action.yaml": "trigger: post-login\n", "index.js": "*"},
			wantEntry:   "index.js",
			wantRenamed: map[string]string{"actions/a/index.js": "actions/a/index.ts"},
		},
		{
			name:    "TypeScript that does not compile stalls, at its line",
			give:    snapshotOf(action("a", map[string]string{"index.ts": "export const x = ;\n"})),
			wantErr: `content: actions/a/index.ts:1:18: Unexpected ";"`,
		},
		{
			name:    "a dependency the lock does not have stalls",
			give:    snapshotOf(action("a", map[string]string{"index.js": handler}, declares(map[string]string{"lodash": "^4.17.0"}))),
			wantErr: "content: actions/a/action.yaml:3:3: dependencies.lodash: lodash: declared ^4.17.0 but not locked (run actionsd lock)",
		},
		{
			name:    "a locked version the declaration does not allow stalls",
			give:    snapshotOf(action("a", map[string]string{"index.js": handler}, declares(map[string]string{"lodash": "^4.17.0"}))),
			lock:    locked("actions/a", "lodash", "3.10.1"),
			wantErr: "content: actions/a/action.yaml:3:3: dependencies.lodash: lodash: declared ^4.17.0, locked to 3.10.1 (run actionsd lock)",
		},
		{
			name:         "a package locked but no longer declared warns",
			give:         snapshotOf(action("a", map[string]string{"index.js": handler})),
			lock:         locked("actions/a", "lodash", "4.17.21"),
			want:         map[string]string{"action.yaml": "trigger: post-login\n", "index.js": handler},
			wantEntry:    "index.js",
			wantWarnings: []string{"actions/a/action.yaml: dependencies.lodash: lodash: locked but not declared (run actionsd lock)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.give.Lock = tt.lock
			r := stepReconciler(t, Config{})
			a := attemptOn(tt.give)
			err := r.resolve(context.Background(), a)
			if got := kind(err); got != tt.wantErr {
				t.Fatalf("error: got %q, want %q", got, tt.wantErr)
			}
			var warnings []string
			for _, w := range a.warnings {
				warnings = append(warnings, w.Error())
			}
			if !slices.Equal(warnings, tt.wantWarnings) {
				t.Errorf("warnings: got %q, want %q", warnings, tt.wantWarnings)
			}
			if err != nil {
				return
			}
			src := a.set.Action("a").Source
			if src.Entry != tt.wantEntry || len(src.Files) != len(tt.want) {
				t.Errorf("source: entry %q, %d files; want %q, %d", src.Entry, len(src.Files), tt.wantEntry, len(tt.want))
			}
			for f, content := range tt.want {
				if got, ok := src.Files[f]; !ok || content != "*" && string(got) != content {
					t.Errorf("%s: got %q, want %q", f, got, content)
				}
			}
			if len(a.set.Renamed) != len(tt.wantRenamed) {
				t.Errorf("renamed: got %v, want %v", a.set.Renamed, tt.wantRenamed)
			}
			for k, v := range tt.wantRenamed {
				if a.set.Renamed[k] != v {
					t.Errorf("renamed: got %v, want %v", a.set.Renamed, tt.wantRenamed)
				}
			}
		})
	}
}

// stepInstaller installs by returning a bundle named after the request, or err; it records the
// requests.
type stepInstaller struct {
	err  error
	reqs []prepare.InstallRequest
}

func (i *stepInstaller) Install(_ context.Context, req prepare.InstallRequest) (*jsdeps.Bundle, error) {
	i.reqs = append(i.reqs, req)
	if i.err != nil {
		return nil, i.err
	}
	return &jsdeps.Bundle{Key: "bundle-of-" + req.Owner}, nil
}

func TestStepInstall(t *testing.T) {
	withDeps := func() *gitstore.Snapshot {
		s := snapshotOf(action("a", map[string]string{"index.js": "require('lodash/get');\n" + handler}, func(a *gitstore.Action) {
			a.Dependencies = map[string]string{"lodash": "4.17.21"}
			a.Files["action.yaml"] = []byte("trigger: post-login\ndependencies:\n  lodash: 4.17.21\n")
		}), action("b", map[string]string{"index.js": handler}))
		s.Lock = locked("actions/a", "lodash", "4.17.21")
		return s
	}
	tests := []struct {
		name      string
		give      *stepInstaller // nil: no installer
		want      []string       // the requests: owner, commits, subpaths
		wantKey   string         // actions/a's bundle
		wantErr   string
		wantDiags []string
	}{
		{name: "without an installer nothing is installed"},
		{
			name:    "what an action declares is installed from its lock, with its deep imports",
			give:    &stepInstaller{},
			want:    []string{"actions/a [c1] [lodash/get]"},
			wantKey: "bundle-of-actions/a",
		},
		{
			name:      "a failed install is retried, and names the manifest",
			give:      &stepInstaller{err: errors.New("registry: 503")},
			want:      []string{"actions/a [c1] [lodash/get]"},
			wantErr:   "transient(): actions/a/action.yaml:2:1: dependencies: installing npm dependencies: registry: 503",
			wantDiags: []string{"actions/a/action.yaml:2:1: dependencies: installing npm dependencies: registry: 503"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{}
			if tt.give != nil {
				cfg.Dependencies = tt.give
			}
			r := stepReconciler(t, cfg)
			a := attemptOn(withDeps())
			err := r.install(context.Background(), a)
			if got := kind(err); got != tt.wantErr {
				t.Errorf("error: got %q, want %q", got, tt.wantErr)
			}
			if tt.give != nil {
				var reqs []string
				for _, req := range tt.give.reqs {
					if req.Lock != a.snap.Lock {
						t.Errorf("%s: installed from another lock", req.Owner)
					}
					reqs = append(reqs, fmt.Sprintf("%s %v %v", req.Owner, req.Commits, req.Subpaths))
				}
				if !slices.Equal(reqs, tt.want) {
					t.Errorf("requests: got %q, want %q", reqs, tt.want)
				}
			}
			if b := a.set.Action("a").Source.Bundle; (b == nil && tt.wantKey != "") || (b != nil && b.Key != tt.wantKey) {
				t.Errorf("bundle of actions/a: got %+v, want key %q", b, tt.wantKey)
			}
			var diags []string
			if l, ok := diag.As(err); ok {
				for _, d := range l {
					diags = append(diags, d.Error())
				}
			}
			if !slices.Equal(diags, tt.wantDiags) {
				t.Errorf("diagnostics: got %q, want %q", diags, tt.wantDiags)
			}
		})
	}
}

func TestStepSecrets(t *testing.T) {
	owner := vaultsecrets.Owner{Kind: vaultsecrets.KindAction, Name: "a"}
	declaring := func(names ...string) *gitstore.Snapshot {
		return snapshotOf(action("a", map[string]string{"index.js": handler}, func(a *gitstore.Action) { a.Secrets = names }))
	}
	tests := []struct {
		name     string
		give     map[vaultsecrets.Owner]vaultsecrets.Values
		snap     *gitstore.Snapshot
		want     map[string]string // actions/a's values
		wantErr  string
		wantStat string // actions/a's status: names and error
	}{
		{name: "no secrets declared, none read", snap: declaring()},
		{
			name:     "declared names are read",
			give:     map[vaultsecrets.Owner]vaultsecrets.Values{owner: {"TOKEN": "t0k3n", "OTHER": "x"}},
			snap:     declaring("TOKEN"),
			want:     map[string]string{"TOKEN": "t0k3n"},
			wantStat: "actions/a [TOKEN] ",
		},
		{
			name:     "a declared name with no value is retried, at the manifest",
			give:     map[vaultsecrets.Owner]vaultsecrets.Values{owner: {"OTHER": "x"}},
			snap:     declaring("TOKEN"),
			wantErr:  "transient(SecretsUnavailable): actions/a/action.yaml: secrets: secret TOKEN has no value at static#actions/a",
			wantStat: "actions/a [TOKEN] missing keys TOKEN at static#actions/a version 0",
		},
		{
			name:     "an owner the backend does not have is retried",
			snap:     declaring("TOKEN"),
			wantErr:  "transient(SecretsUnavailable): actions/a/action.yaml: secrets: reading secrets: ",
			wantStat: "actions/a [TOKEN] ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := stepReconciler(t, Config{Secrets: vaultsecrets.NewStatic(tt.give, zap.NewNop())})
			a := attemptOn(tt.snap)
			err := r.readSecrets(context.Background(), a)
			if got := kind(err); !strings.HasPrefix(got, tt.wantErr) || (got == "") != (tt.wantErr == "") {
				t.Errorf("error: got %q, want %q…", got, tt.wantErr)
			}
			if got := a.secretValues(owner, tt.snap.Actions["a"].Secrets); len(got) != len(tt.want) || got["TOKEN"] != tt.want["TOKEN"] {
				t.Errorf("values: got %d, want %d", len(got), len(tt.want))
			}
			var stat string
			for _, s := range a.statuses {
				stat = fmt.Sprintf("%s %v %s", s.Owner, s.Names, s.Error)
			}
			if !strings.HasPrefix(stat, tt.wantStat) || (stat == "") != (tt.wantStat == "") {
				t.Errorf("status: got %q, want %q…", stat, tt.wantStat)
			}
			if strings.Contains(fmt.Sprint(a.statuses, err), "t0k3n") {
				t.Errorf("a secret value in the status or the error: %v %v", a.statuses, err)
			}
		})
	}
}

func TestStepBuild(t *testing.T) {
	tests := []struct {
		name      string
		give      *gitstore.Snapshot
		applied   bool // the refs and secrets already serve
		want      []string
		wantErr   string
		wantDiags int
	}{
		{name: "a generation of every action", give: snapshotOf(action("a", map[string]string{"index.js": handler}), action("b", map[string]string{"index.js": handler})),
			want: []string{"a", "b"}},
		{name: "a syntax error stalls, at its file", give: snapshotOf(action("a", map[string]string{"index.js": "exports.onExecutePostLogin = ;\n"})),
			wantErr: "content: actions/a: actions/a/index.js:1:30: SyntaxError: Unexpected token ;"},
		{name: "a missing handler stalls", give: snapshotOf(action("a", map[string]string{"index.js": "exports.other = 1;\n"})),
			wantErr: "content: actions/a: actions/a/index.js:0:0: actions/a does not export onExecutePostLogin"},
		{name: "a TypeScript file's problem names the .ts", give: snapshotOf(action("a", map[string]string{"index.ts": "throw new Error('no');\n"})),
			wantErr: "content: actions/a/index.ts:1:1: no"},
		{name: "every problem is a diagnostic", give: snapshotOf(action("a", map[string]string{"index.js": "exports.onExecutePostLogin = ;\n"}),
			action("b", map[string]string{"index.js": "exports.onExecutePostLogin = ;\n"})),
			wantErr: "content: actions/a: actions/a/index.js:1:30: SyntaxError: Unexpected token ; (and 1 more)", wantDiags: 2},
		{name: "what already serves is not built again", give: snapshotOf(action("a", map[string]string{"index.js": handler})), applied: true,
			wantErr: "skip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := stepReconciler(t, Config{})
			a := attemptOn(tt.give)
			if err := r.resolve(context.Background(), a); err != nil { // the TypeScript
				t.Fatal(err)
			}
			if tt.applied {
				old, err := runner.Build(context.Background(), a.set.Spec(prepare.SpecOptions{Generation: 1, Bindings: true}), r.cfg.Runner)
				if err != nil {
					t.Fatal(err)
				}
				defer old.Close()
				r.current.Store(old)
				r.servedFP = fingerprint(a.key, nil)
				r.status.Attempted = &Revision{Result: resultApplied}
			}
			err := r.build(context.Background(), a)
			if got := kind(err); !strings.HasPrefix(got, tt.wantErr) || (got == "") != (tt.wantErr == "") {
				t.Fatalf("error: got %q, want %q…", got, tt.wantErr)
			}
			if err != nil {
				if a.gen != nil {
					t.Error("a generation from a failed build")
				}
				if l, _ := diag.As(err); err != errSkip && len(l) != max(tt.wantDiags, 1) {
					t.Errorf("diagnostics: got %q, want %d", l, max(tt.wantDiags, 1))
				}
				return
			}
			defer a.gen.Close()
			var names []string
			for name := range a.spec.Actions {
				names = append(names, name)
			}
			slices.Sort(names)
			if !slices.Equal(names, tt.want) || a.spec.Generation != 1 || !slices.Equal(a.spec.Bindings["post-login"], tt.want) {
				t.Errorf("spec: actions %v, generation %d, bindings %v; want %v, 1", names, a.spec.Generation, a.spec.Bindings, tt.want)
			}
		})
	}
}

func TestStepSwap(t *testing.T) {
	withModule := func(bundle string) *runner.Spec {
		ms := &runner.ModuleSpec{Name: "logger", Version: 2, Source: runner.Source{Bundle: &jsdeps.Bundle{Key: "logger-" + bundle}}}
		return &runner.Spec{Generation: 7, Actions: map[string]*runner.ActionSpec{
			"a": {Name: "a", Version: "va", Source: runner.Source{Bundle: &jsdeps.Bundle{Key: bundle}}, Modules: map[string]*runner.ModuleSpec{"logger": ms}},
			"b": {Name: "b", Version: "vb", Modules: map[string]*runner.ModuleSpec{"logger": ms}},
		}}
	}
	tests := []struct {
		name        string
		give        *runner.Spec
		serving     bool // a generation serves before
		wantServed  string
		wantModules string
		wantBundles []string
	}{
		{name: "the first generation", give: withModule("x"), wantServed: "map[a:va b:vb]", wantModules: "map[modules/logger@v2:true]",
			wantBundles: []string{"logger-x", "x"}},
		{name: "a generation replaces the one that served", give: withModule("y"), serving: true, wantServed: "map[a:va b:vb]",
			wantModules: "map[modules/logger@v2:true]", wantBundles: []string{"logger-y", "y"}},
		{name: "no bundles", give: &runner.Spec{Generation: 7, Actions: map[string]*runner.ActionSpec{"a": {Name: "a", Version: "va"}}},
			wantServed: "map[a:va]", wantModules: "map[]", wantBundles: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := stepReconciler(t, Config{})
			build := func() *runner.Generation {
				g, err := runner.Build(context.Background(), &runner.Spec{Generation: 1, Actions: map[string]*runner.ActionSpec{}}, r.cfg.Runner)
				if err != nil {
					t.Fatal(err)
				}
				return g
			}
			if tt.serving {
				r.current.Store(build())
			}
			gen := build()
			defer gen.Close()
			a := &attempt{spec: tt.give, gen: gen, fp: "fp-new"}
			if err := r.swap(context.Background(), a); err != nil {
				t.Fatalf("swap: %v", err)
			}
			if r.Current() != gen || r.genSeq != 7 || r.servedFP != "fp-new" {
				t.Errorf("current %p (want %p), generation %d (want 7), fingerprint %q", r.Current(), gen, r.genSeq, r.servedFP)
			}
			if got := fmt.Sprint(r.served); got != tt.wantServed {
				t.Errorf("served: got %s, want %s", got, tt.wantServed)
			}
			if got := fmt.Sprint(r.servedModules); got != tt.wantModules {
				t.Errorf("served modules: got %s, want %s", got, tt.wantModules)
			}
			if r.bundles == nil || !slices.Equal(r.bundles, tt.wantBundles) {
				t.Errorf("bundles: got %#v, want %#v", r.bundles, tt.wantBundles)
			}
		})
	}
}

// TestConditionsFollowTheErrorsKind: Stalled and Degraded follow the kind of an attempt's error
// and the snapshot's moved tags, whatever step failed and whatever the warnings say.
func TestConditionsFollowTheErrorsKind(t *testing.T) {
	moved := diag.List{diag.Diagnostic{Pos: diag.Pos{File: "modules/m"}, Message: "tag modules/m/v1 moved from 1111111 to 2222222; v1 keeps serving its recorded content"}}
	tests := []struct {
		name         string
		step         string
		give         error
		serving      bool
		moved        diag.List
		wantStalled  string
		wantDegraded string
	}{
		{name: "applied", wantStalled: "False", wantDegraded: "AsExpected"},
		{name: "applied with a moved tag", moved: moved, wantStalled: "False", wantDegraded: "VersionTagMoved"},
		{name: "content, nothing serves", step: "snapshot", give: content(errors.New("bad")), wantStalled: "True", wantDegraded: "ReconcileFailed"},
		{name: "content, an older commit serves", step: "install", give: content(errors.New("bad")), serving: true, wantStalled: "True", wantDegraded: "ServingPrevious"},
		{name: "transient with a reason", step: "build", give: transient(ReasonFetchFailed)(errors.New("down")), serving: true, wantStalled: "False", wantDegraded: "FetchFailed"},
		{name: "secrets unavailable", step: "validate", give: transient(ReasonSecretsUnavailable)(errors.New("vault down")), wantStalled: "False", wantDegraded: "SecretsUnavailable"},
		{name: "transient, an older commit serves", step: "resolve", give: transient("")(errors.New("registry down")), serving: true, wantStalled: "False", wantDegraded: "ServingPrevious"},
		{name: "a failed attempt's moved tags do not decide", step: "build", give: content(errors.New("bad")), moved: moved, wantStalled: "True", wantDegraded: "ReconcileFailed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := stepReconciler(t, Config{})
			st := &Status{Attempted: &Revision{Commit: "c2"}, Ready: tt.serving || tt.give == nil}
			if st.Ready {
				st.Applied = &Revision{Commit: "c1"}
			}
			r.updateConditions(st, tt.step, tt.give, tt.moved, time.Now())
			if c := st.Condition(ConditionStalled); c.Status != tt.wantStalled {
				t.Errorf("Stalled: got %+v, want %s", c, tt.wantStalled)
			}
			if c := st.Condition(ConditionDegraded); c.Reason != tt.wantDegraded || c.Reason == "VersionTagMoved" && c.Message != moved[0].Error() {
				t.Errorf("Degraded: got %+v, want %s", c, tt.wantDegraded)
			}
		})
	}
}
