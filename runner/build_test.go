package runner

import (
	"context"
	"errors"
	"testing"
)

func TestBuildErrors(t *testing.T) {
	handler := "exports.onExecutePostLogin = async (event, api) => {};\n"
	tests := []struct {
		name string
		give func() *Spec
		want []Problem
	}{
		{
			name: "syntax error in an action",
			give: func() *Spec {
				return newSpec(newAction("bad", "exports.onExecutePostLogin = async (event, api) => {\n  const x = ;\n};"))
			},
			want: []Problem{{Object: "actions/bad", Error: Error{Message: "SyntaxError: Unexpected token ;", File: "actions/bad/index.js", Line: 2, Col: 13}}},
		},
		{
			name: "syntax error on line 1",
			give: func() *Spec { return newSpec(newAction("bad", "const = 1;\n"+handler)) },
			want: []Problem{{Object: "actions/bad", Error: Error{Message: "SyntaxError: Unexpected token =", File: "actions/bad/index.js", Line: 1, Col: 7}}},
		},
		{
			name: "module throws at load",
			give: func() *Spec {
				a := newAction("uses", "const boom = require('actions:boom');\n"+handler)
				a.Modules = map[string]*ModuleSpec{"boom": newModule("boom", 3, "const x = 1;\nthrow new Error('cannot start');\n", nil)}
				return newSpec(a)
			},
			want: []Problem{{Object: "modules/boom@v3", Error: Error{Message: "cannot start", File: "modules/boom/index.js", Line: 2, Col: 7}}},
		},
		{
			name: "require of an undeclared package",
			give: func() *Spec { return newSpec(newAction("npm", "const axios = require('axios');\n"+handler)) },
			want: []Problem{{Object: "actions/npm", Error: Error{
				Message: "cannot require 'axios': it is not a file of actions/npm, an action module, a Node built-in or an npm package the action declares",
				File:    "actions/npm/index.js", Line: 1, Col: 15}}},
		},
		{
			name: "require in a handler found by the static scan",
			give: func() *Spec {
				return newSpec(newAction("lazy", "// require('ignored-in-comment')\nexports.onExecutePostLogin = async (event, api) => {\n  const h = require(\"cluster\");\n  const s = 'require(\"in-a-string\")';\n};"))
			},
			want: []Problem{{Object: "actions/lazy", Error: Error{
				Message: "cannot require 'cluster': the Node built-in is not available to actions",
				File:    "actions/lazy/index.js", Line: 3, Col: 13}}},
		},
		{
			name: "module requiring a module and a file outside its folder",
			give: func() *Spec {
				a := newAction("uses", "const m = require('actions:m');\n"+handler)
				m := newModule("m", 1, "exports.f = () => require('actions:other');\nconst x = require('../other/x');\n", nil)
				a.Modules = map[string]*ModuleSpec{"m": m}
				return newSpec(a)
			},
			want: []Problem{
				{Object: "modules/m@v1", Error: Error{Message: "cannot require 'actions:other': action modules cannot require other modules", File: "modules/m/index.js", Line: 1, Col: 19}},
				{Object: "modules/m@v1", Error: Error{Message: "cannot require '../other/x': it is outside the modules/m folder", File: "modules/m/index.js", Line: 2, Col: 11}},
			},
		},
		{
			name: "module not pinned, missing file",
			give: func() *Spec {
				return newSpec(newAction("a", "const n = require('actions:nope');\nconst l = require('./lib');\n"+handler))
			},
			want: []Problem{
				{Object: "actions/a", Error: Error{Message: "cannot require 'actions:nope': module nope is not pinned in the action's modules (action.yaml)", File: "actions/a/index.js", Line: 1, Col: 11}},
				{Object: "actions/a", Error: Error{Message: "cannot require './lib': no such .js, .cjs or .json file in actions/a", File: "actions/a/index.js", Line: 2, Col: 11}},
			},
		},
		{
			name: "missing handler",
			give: func() *Spec {
				return newSpec(newAction("nohandler", "exports.onExecuteCredentialsExchange = async () => {};"))
			},
			want: []Problem{{Object: "actions/nohandler", Error: Error{Message: "actions/nohandler does not export onExecutePostLogin", File: "actions/nohandler/index.js"}}},
		},
		{
			name: "action throws at load",
			give: func() *Spec { return newSpec(newAction("top", handler+"undefined.x;\n")) },
			want: []Problem{{Object: "actions/top", Error: Error{Message: "TypeError: Cannot read property 'x' of undefined", File: "actions/top/index.js", Line: 2, Col: 11}}},
		},
		{
			name: "bindings",
			give: func() *Spec {
				s := newSpec(newAction("a", handler))
				s.Bindings = map[string][]string{"post-login": {"a", "ghost"}, "pre-user-registration": {"a"}, "post-logout": {"a"}}
				return s
			},
			want: []Problem{
				{Object: "triggers.yaml", Error: Error{Message: "post-login: action ghost does not exist", File: "triggers.yaml"}},
				{Object: "triggers.yaml", Error: Error{Message: `unknown trigger "post-logout"`, File: "triggers.yaml"}},
				{Object: "triggers.yaml", Error: Error{Message: "pre-user-registration: action a declares trigger post-login", File: "triggers.yaml"}},
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

func TestBuildCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Build(ctx, newSpec(newAction("a", "exports.onExecutePostLogin = async () => {};")), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Build error = %v, want context.Canceled", err)
	}
}
