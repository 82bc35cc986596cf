package prepare

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/runner"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// snapshot has actions a and b pinning logger v2, c pinning nothing, and logger's draft.
func snapshot() *gitstore.Snapshot {
	files := func(code string) map[string][]byte { return map[string][]byte{"index.js": []byte(code)} }
	pin := map[string]gitstore.ModulePin{"logger": {Version: 2}}
	logger := &gitstore.Module{Name: "logger", Dir: "modules/logger", Entry: "index.js", Secrets: []string{"API_KEY"},
		Files: files("module.exports = {v: 2};\n")}
	return &gitstore.Snapshot{
		Commit: "head",
		Lock:   lockfile.New(),
		Triggers: &gitstore.Triggers{Bindings: map[string][]gitstore.Binding{
			"post-login": {{Action: "b"}, {Action: "a"}}, "credentials-exchange": {{Action: "c"}}}},
		Actions: map[string]*gitstore.Action{
			"a": {Name: "a", Dir: "actions/a", Version: "va", Trigger: "post-login", Entry: "index.js", Modules: pin, Secrets: []string{"TOKEN"}, Files: files("a")},
			"b": {Name: "b", Dir: "actions/b", Version: "vb", Trigger: "post-login", Entry: "index.js", Modules: pin, Files: files("b")},
			"c": {Name: "c", Dir: "actions/c", Version: "vc", Trigger: "credentials-exchange", Entry: "index.js", Files: files("c")},
		},
		Drafts: map[string]*gitstore.Module{"logger": {Name: "logger", Dir: "modules/logger", Entry: "index.js", Files: files("draft")}},
		Modules: map[string]*gitstore.Versions{"logger": {Name: "logger", Versions: map[int]*gitstore.Version{
			2: {Number: 2, Tag: "modules/logger/v2", Commit: "tagged", Module: logger, Lock: lockfile.New()}}}},
	}
}

func TestUnits(t *testing.T) {
	s := New(snapshot())
	var got []string
	for _, u := range s.Deployed() {
		got = append(got, fmt.Sprintf("%s owner=%s ref=%s manifest=%s commits=%v", u.Object, u.Owner, u.Ref, u.Manifest, u.Commits))
	}
	want := []string{
		"actions/a owner=actions/a ref= manifest=actions/a/action.yaml commits=[head]",
		"actions/b owner=actions/b ref= manifest=actions/b/action.yaml commits=[head]",
		"actions/c owner=actions/c ref= manifest=actions/c/action.yaml commits=[head]",
		"modules/logger@v2 owner=modules/logger ref=modules/logger/v2 manifest=modules/logger/v2:modules/logger/module.yaml commits=[tagged head]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("deployed:\ngot  %q\nwant %q", got, want)
	}
	if s.Version("logger", 2) != s.Deployed()[3] || s.Version("logger", 1) != nil || s.Action("nope") != nil {
		t.Error("units are not one per object")
	}
	if d := s.Draft("logger"); d == nil || d.Object != "modules/logger" || d.Lock != s.Snap.Lock || string(d.Source.Files["index.js"]) != "draft" {
		t.Errorf("draft: %+v", d)
	}
}

func TestSpec(t *testing.T) {
	s := New(snapshot())
	secrets := func(o vaultsecrets.Owner, names []string) map[string]string {
		out := map[string]string{}
		for _, n := range names {
			out[n] = o.String() + "/" + n
		}
		return out
	}
	spec := s.Spec(SpecOptions{Generation: 4, Secrets: secrets, Bindings: true})
	if spec.Commit != "head" || spec.Generation != 4 || len(spec.Actions) != 3 {
		t.Fatalf("spec: %+v", spec)
	}
	a, b := spec.Actions["a"], spec.Actions["b"]
	if a.Modules["logger"] == nil || a.Modules["logger"] != b.Modules["logger"] {
		t.Error("a and b do not share logger v2's module spec")
	}
	if m := a.Modules["logger"]; m.Version != 2 || m.Secrets["API_KEY"] != "modules/logger/API_KEY" || string(m.Source.Files["index.js"]) != "module.exports = {v: 2};\n" {
		t.Errorf("logger v2: %+v", m)
	}
	if a.Version != "va" || a.Secrets["TOKEN"] != "actions/a/TOKEN" || len(b.Secrets) != 0 || b.Secrets == nil {
		t.Errorf("a %+v, b %+v", a, b)
	}
	if got := spec.Bindings["post-login"]; !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("bindings: %v, want in order", got)
	}

	checkOnly := s.Spec(SpecOptions{Actions: []string{"c"}, Version: "review"})
	if len(checkOnly.Actions) != 1 || checkOnly.Actions["c"].Version != "review" || len(checkOnly.Bindings) != 0 {
		t.Errorf("one action, no bindings: %+v", checkOnly)
	}
}

func TestBuildErrors(t *testing.T) {
	s := New(snapshot())
	s.Renamed["actions/a/index.js"] = "actions/a/index.ts"
	be := &runner.BuildError{Problems: diag.List{
		{Object: "actions/a", Message: "boom", Pos: diag.Pos{File: "actions/a/index.js", Line: 2, Col: 3}},
		{Object: "actions/b", Message: "no handler", Pos: diag.Pos{File: "actions/b/index.js"}},
	}}
	got := s.BuildErrors(fmt.Errorf("wrapped: %w", be)).String()
	if want := "actions/a/index.ts:2:3: boom\nactions/b/index.js: no handler\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := s.BuildErrors(errors.New("context canceled")); len(got) != 1 || got[0].Message != "context canceled" {
		t.Errorf("another error: %+v", got)
	}
}

// fakeInstaller returns a bundle keyed by the request.
type fakeInstaller struct{ reqs []InstallRequest }

func (f *fakeInstaller) Install(_ context.Context, req InstallRequest) (*jsdeps.Bundle, error) {
	f.reqs = append(f.reqs, req)
	return &jsdeps.Bundle{Key: req.Owner}, nil
}

func TestInstallAndCheck(t *testing.T) {
	snap := snapshot()
	a := snap.Actions["a"]
	a.Dependencies = map[string]string{"lodash": "^4.17.0", "ms": "2.1.3"}
	a.Files["action.yaml"] = []byte("trigger: post-login\ndependencies:\n  lodash: ^4.17.0\n  ms: 2.1.3\n")
	a.Files["index.js"] = []byte("require('lodash/get');\n")
	snap.Lock.Owners["actions/a"] = &lockfile.Owner{Dependencies: map[string]string{"ms": "2.1.3", "left-pad": "1.3.0"}}
	snap.Lock.Packages["ms@2.1.3"] = &lockfile.Package{Name: "ms", Version: "2.1.3"}
	s := New(snap)
	u := s.Action("a")

	var got []string
	for _, p := range Check(u) {
		d := p.Diagnostic()
		got = append(got, fmt.Sprintf("%s %s", d.Severity, d.Error()))
	}
	want := []string{
		"warning actions/a/action.yaml:2:1: dependencies.left-pad: left-pad: locked but not declared (run actionsd lock)",
		"error actions/a/action.yaml:3:3: dependencies.lodash: lodash: declared ^4.17.0 but not locked (run actionsd lock)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("check:\ngot  %q\nwant %q", got, want)
	}

	in := &fakeInstaller{}
	if err := Install(context.Background(), in, u); err != nil {
		t.Fatal(err)
	}
	if err := Install(context.Background(), in, s.Version("logger", 2)); err != nil {
		t.Fatal(err)
	}
	if u.Source.Bundle == nil || u.Source.Bundle.Key != "actions/a" {
		t.Errorf("bundle: %+v", u.Source.Bundle)
	}
	if r := in.reqs[0]; r.Lock != snap.Lock || !slices.Equal(r.Commits, []string{"head"}) || !slices.Equal(r.Subpaths, []string{"lodash/get"}) {
		t.Errorf("request: %+v", r)
	}
	if r := in.reqs[1]; r.Owner != "modules/logger" || r.Lock != snap.Modules["logger"].Versions[2].Lock || !slices.Equal(r.Commits, []string{"tagged", "head"}) {
		t.Errorf("request of a module version: %+v", r)
	}
}

func TestTransformOnce(t *testing.T) {
	snap := snapshot()
	snap.Actions["a"].Files = map[string][]byte{"index.ts": []byte("export const x: number = ;\n"), "lib.ts": []byte("export const y: number = 1;\n")}
	snap.Actions["a"].Entry = "index.ts"
	s := New(snap)
	var tr Transformer
	u := s.Action("a")
	first := s.Transform(&tr, u)
	if len(first) != 1 || !strings.HasPrefix(first[0].Error(), "actions/a/index.ts:1:26: ") || first[0].Object != "actions/a" {
		t.Fatalf("problems: %q", first)
	}
	if again := s.Transform(&tr, u); !slices.Equal(again, first) {
		t.Errorf("a second Transform: %q, want the same problems", again)
	}
	if got := slices.Sorted(maps.Keys(u.Source.Files)); !slices.Equal(got, []string{"index.ts", "lib.js"}) {
		t.Errorf("files: %v", got)
	}
	if s.Renamed["actions/a/lib.js"] != "actions/a/lib.ts" {
		t.Errorf("renamed: %v", s.Renamed)
	}
}
