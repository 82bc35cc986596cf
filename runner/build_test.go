package runner

import (
	"context"
	"errors"
	"testing"

	"github.com/actionsd/actionsd/diag"
)

// at is the build problem of object at file:line:col.
func at(object, file string, line, col int, msg string) diag.Diagnostic {
	return diag.Diagnostic{Object: object, Pos: diag.Pos{File: file, Line: line, Col: col}, Message: msg}
}

func TestBuildErrors(t *testing.T) {
	const handler = `exports.onExecutePostLogin = async (event, api) => {};
`
	tests := []struct {
		name string
		give func() *Spec
		want diag.List
	}{
		{
			name: "syntax error in an action",
			give: func() *Spec {
				return newSpec(newAction("bad", `exports.onExecutePostLogin = async (event, api) => {
  const x = ;
};`))
			},
			want: diag.List{at("actions/bad", "actions/bad/index.js", 2, 13, "SyntaxError: Unexpected token ;")},
		},
		{
			name: "syntax error on line 1",
			give: func() *Spec {
				return newSpec(newAction("bad", `const = 1;
`+handler))
			},
			want: diag.List{at("actions/bad", "actions/bad/index.js", 1, 7, "SyntaxError: Unexpected token =")},
		},
		{
			name: "module throws at load",
			give: func() *Spec {
				a := newAction("uses", `const boom = require('actions:boom');
`+handler)
				a.Modules = map[string]*ModuleSpec{"boom": newModule("boom", 3, `const x = 1;
throw new Error('cannot start');
`, nil)}
				return newSpec(a)
			},
			want: diag.List{at("modules/boom@v3", "modules/boom/index.js", 2, 7, "cannot start")},
		},
		{
			name: "require of an undeclared package",
			give: func() *Spec {
				return newSpec(newAction("npm", `const axios = require('axios');
`+handler))
			},
			want: diag.List{at("actions/npm", "actions/npm/index.js", 1, 15,
				"cannot require 'axios': it is not a file of actions/npm, an action module, a Node built-in or an npm package the action declares")},
		},
		{
			name: "require in a handler found by the static scan",
			give: func() *Spec {
				return newSpec(newAction("lazy", `// require('ignored-in-comment')
exports.onExecutePostLogin = async (event, api) => {
  const h = require("cluster");
  const s = 'require("in-a-string")';
};`))
			},
			want: diag.List{at("actions/lazy", "actions/lazy/index.js", 3, 13,
				"cannot require 'cluster': the Node built-in is not available to actions")},
		},
		{
			name: "module requiring a module and a file outside its folder",
			give: func() *Spec {
				a := newAction("uses", `const m = require('actions:m');
`+handler)
				m := newModule("m", 1, `exports.f = () => require('actions:other');
const x = require('../other/x');
`, nil)
				a.Modules = map[string]*ModuleSpec{"m": m}
				return newSpec(a)
			},
			want: diag.List{
				at("modules/m@v1", "modules/m/index.js", 1, 19, "cannot require 'actions:other': action modules cannot require other modules"),
				at("modules/m@v1", "modules/m/index.js", 2, 11, "cannot require '../other/x': it is outside the modules/m folder"),
			},
		},
		{
			name: "module not pinned, missing file",
			give: func() *Spec {
				return newSpec(newAction("a", `const n = require('actions:nope');
const l = require('./lib');
`+handler))
			},
			want: diag.List{
				at("actions/a", "actions/a/index.js", 1, 11, "cannot require 'actions:nope': module nope is not pinned in the action's modules (action.yaml)"),
				at("actions/a", "actions/a/index.js", 2, 11, "cannot require './lib': no such .js, .cjs or .json file in actions/a"),
			},
		},
		{
			name: "missing handler",
			give: func() *Spec {
				return newSpec(newAction("nohandler", `exports.onExecuteCredentialsExchange = async () => {};`))
			},
			want: diag.List{at("actions/nohandler", "actions/nohandler/index.js", 0, 0, "actions/nohandler does not export onExecutePostLogin")},
		},
		{
			name: "action throws at load",
			give: func() *Spec {
				return newSpec(newAction("top", handler+`undefined.x;
`))
			},
			want: diag.List{at("actions/top", "actions/top/index.js", 2, 11, "TypeError: Cannot read property 'x' of undefined")},
		},
		{
			name: "bindings",
			give: func() *Spec {
				s := newSpec(newAction("a", handler))
				s.Bindings = map[string][]string{"post-login": {"a", "ghost"}, "pre-user-registration": {"a"}, "post-logout": {"a"}}
				return s
			},
			want: diag.List{
				at("triggers.yaml", "triggers.yaml", 0, 0, "post-login: action ghost does not exist"),
				at("triggers.yaml", "triggers.yaml", 0, 0, `unknown trigger "post-logout"`),
				at("triggers.yaml", "triggers.yaml", 0, 0, "pre-user-registration: action a declares trigger post-login"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := Build(context.Background(), tt.give(), Options{})
			var be *BuildError
			if !errors.As(err, &be) {
				if g != nil {
					g.Close()
				}
				t.Fatalf("Build error = %v, want a *BuildError", err)
			}
			if got, want := toJSON(t, be.Problems), toJSON(t, tt.want); got != want {
				t.Errorf("problems =\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// A build error is a diag.List to diag.As, through any wrapping, and reads as it always did: the
// object, then file:line:col (zeros included) and the message.
func TestBuildErrorDiagnostics(t *testing.T) {
	s := newSpec(newAction("bad", `exports.onExecutePostLogin = async (event, api) => {
  const x = ;
};`))
	s.Bindings["post-login"] = append(s.Bindings["post-login"], "ghost")
	_, err := Build(context.Background(), s, Options{})
	if err == nil {
		t.Fatal("Build succeeded")
	}
	const want = "actions/bad: actions/bad/index.js:2:13: SyntaxError: Unexpected token ; (and 1 more)"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	list, ok := diag.As(errors.Join(errors.New("sync"), err))
	if !ok {
		t.Fatalf("diag.As(%v) found no diagnostics", err)
	}
	wantList := diag.List{
		at("actions/bad", "actions/bad/index.js", 2, 13, "SyntaxError: Unexpected token ;"),
		at("triggers.yaml", "triggers.yaml", 0, 0, "post-login: action ghost does not exist"),
	}
	if got, want := toJSON(t, list), toJSON(t, wantList); got != want {
		t.Errorf("diag.As =\n%s\nwant\n%s", got, want)
	}
	one := &BuildError{Problems: wantList[1:]}
	if got, want := one.Error(), "triggers.yaml: triggers.yaml:0:0: post-login: action ghost does not exist"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestBuildCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Build(ctx, newSpec(newAction("a", `exports.onExecutePostLogin = async () => {};`)), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Build error = %v, want context.Canceled", err)
	}
}
