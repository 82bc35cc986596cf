package prepare

import (
	"strings"
	"testing"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
)

func TestValidate(t *testing.T) {
	pos := func(file string, line int) diag.Pos { return diag.Pos{File: file, Line: line, Col: 3} }
	logger := &gitstore.Versions{Name: "logger", Versions: map[int]*gitstore.Version{
		1: {Number: 1, Module: &gitstore.Module{Name: "logger", Dir: "modules/logger"}},
		2: {Number: 2, Module: &gitstore.Module{Name: "logger", Dir: "modules/logger"}},
	}}
	action := func(name, trig string, pins map[string]int) *gitstore.Action {
		a := &gitstore.Action{Name: name, Dir: "actions/" + name, Trigger: trig, Modules: map[string]gitstore.ModulePin{}}
		for m, v := range pins {
			a.Modules[m] = gitstore.ModulePin{Version: v, Pos: pos("actions/"+name+"/action.yaml", 3)}
		}
		return a
	}
	bind := func(names ...string) []gitstore.Binding {
		var bs []gitstore.Binding
		for i, n := range names {
			bs = append(bs, gitstore.Binding{Action: n, Pos: pos("triggers.yaml", i+1)})
		}
		return bs
	}
	tests := []struct {
		name string
		give *gitstore.Snapshot
		want []string // each problem's Error(), in order
	}{
		{
			name: "valid",
			give: &gitstore.Snapshot{
				Triggers: &gitstore.Triggers{Bindings: map[string][]gitstore.Binding{"post-login": bind("a")}},
				Actions:  map[string]*gitstore.Action{"a": action("a", "post-login", map[string]int{"logger": 2})},
				Modules:  map[string]*gitstore.Versions{"logger": logger},
			},
		},
		{
			name: "binding to a missing action",
			give: &gitstore.Snapshot{
				Triggers: &gitstore.Triggers{Bindings: map[string][]gitstore.Binding{"post-login": bind("a", "ghost")}},
				Actions:  map[string]*gitstore.Action{"a": action("a", "post-login", nil)},
			},
			want: []string{`triggers.yaml:2:3: post-login: action "ghost" does not exist (no actions/ghost/action.yaml)`},
		},
		{
			name: "action bound to a trigger it does not declare",
			give: &gitstore.Snapshot{
				Triggers: &gitstore.Triggers{Bindings: map[string][]gitstore.Binding{"post-login": bind("a")}},
				Actions:  map[string]*gitstore.Action{"a": action("a", "credentials-exchange", nil)},
			},
			want: []string{`triggers.yaml:1:3: post-login: action "a" declares trigger "credentials-exchange", not "post-login"`},
		},
		{
			// Its action.yaml's unknown trigger is the snapshot's error; no second one here.
			name: "action whose trigger is unknown",
			give: &gitstore.Snapshot{
				Triggers: &gitstore.Triggers{Bindings: map[string][]gitstore.Binding{"post-login": bind("a")}},
				Actions:  map[string]*gitstore.Action{"a": action("a", "", nil)},
			},
		},
		{
			name: "unpublished version",
			give: &gitstore.Snapshot{
				Actions: map[string]*gitstore.Action{"a": action("a", "post-login", map[string]int{"logger": 3})},
				Modules: map[string]*gitstore.Versions{"logger": logger},
			},
			want: []string{`actions/a/action.yaml:3:3: modules.logger: module logger v3 is not published (published: v1, v2)`},
		},
		{
			name: "draft only",
			give: &gitstore.Snapshot{
				Actions: map[string]*gitstore.Action{"a": action("a", "post-login", map[string]int{"audit": 1})},
				Drafts:  map[string]*gitstore.Module{"audit": {Name: "audit"}},
			},
			want: []string{`actions/a/action.yaml:3:3: modules.audit: module "audit" has no published version (tag modules/audit/v1 on the deploy branch publishes one)`},
		},
		{
			name: "missing module",
			give: &gitstore.Snapshot{
				Actions: map[string]*gitstore.Action{"a": action("a", "post-login", map[string]int{"nope": 1})},
			},
			want: []string{`actions/a/action.yaml:3:3: modules.nope: module "nope" does not exist`},
		},
		{
			name: "the snapshot's own errors come first by position",
			give: &gitstore.Snapshot{
				Errors:  diag.List{{Pos: diag.Pos{File: "actions/b/action.yaml", Line: 4, Col: 1}, Field: "timeout", Message: "bad"}},
				Actions: map[string]*gitstore.Action{"a": action("a", "post-login", map[string]int{"nope": 1})},
			},
			want: []string{
				`actions/a/action.yaml:3:3: modules.nope: module "nope" does not exist`,
				`actions/b/action.yaml:4:1: timeout: bad`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Validate(tt.give)
			var gotS []string
			for _, p := range got {
				gotS = append(gotS, p.Error())
			}
			if strings.Join(gotS, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(gotS, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
