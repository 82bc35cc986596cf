package sync

import (
	"testing"

	"github.com/actionsd/actionsd/jsdeps"
	"github.com/actionsd/actionsd/runner"
)

// TestIdentity: a rollout compares an action's code, dependencies and module pins; its
// action.yaml (rollout:, timeout, secret names), version and secret values are not a new revision.
func TestIdentity(t *testing.T) {
	base := func() *runner.ActionSpec {
		return &runner.ActionSpec{Name: "greet", Version: "c1", Trigger: "post-login",
			Source: runner.Source{Dir: "actions/greet", Entry: "index.js", Files: map[string][]byte{
				"index.js": []byte("exports.onExecutePostLogin = async () => {};"), "action.yaml": []byte("trigger: post-login\n")},
				Dependencies: map[string]string{"ms": "2.1.3"}, Bundle: &jsdeps.Bundle{Key: "k1"}},
			Secrets: map[string]string{"A": "1"},
			Modules: map[string]*runner.ModuleSpec{"logger": {Name: "logger", Version: 1}}}
	}
	id := identity(base())
	same := map[string]func(*runner.ActionSpec){
		"action.yaml": func(a *runner.ActionSpec) {
			a.Source.Files["action.yaml"] = []byte("trigger: post-login\nrollout: {steps: [100]}\n")
		},
		"version": func(a *runner.ActionSpec) { a.Version = "c2" },
		"secrets": func(a *runner.ActionSpec) { a.Secrets["A"] = "2" },
		"timeout": func(a *runner.ActionSpec) { a.Timeout = 5 },
	}
	for name, edit := range same {
		a := base()
		edit(a)
		if got := identity(a); got != id {
			t.Errorf("a change of %s made a new revision", name)
		}
	}
	differ := map[string]func(*runner.ActionSpec){
		"code":       func(a *runner.ActionSpec) { a.Source.Files["index.js"] = []byte("// new") },
		"a new file": func(a *runner.ActionSpec) { a.Source.Files["lib.js"] = []byte("") },
		"dependency": func(a *runner.ActionSpec) { a.Source.Dependencies["ms"] = "2.1.2" },
		"bundle":     func(a *runner.ActionSpec) { a.Source.Bundle = &jsdeps.Bundle{Key: "k2"} },
		"module pin": func(a *runner.ActionSpec) { a.Modules["logger"] = &runner.ModuleSpec{Name: "logger", Version: 2} },
	}
	for name, edit := range differ {
		a := base()
		edit(a)
		if got := identity(a); got == id {
			t.Errorf("a change of %s is not a new revision", name)
		}
	}
}
