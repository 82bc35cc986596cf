package prepare

import (
	"context"
	"encoding/json"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/actionsd/actionsd/runner"
)

// TestDynamicImport: action and module code that loads a relative file, an action module and a
// module's own file with import(), as CommonJS does to load ES modules, runs (goja refuses the
// syntax: "Unexpected reserved word"); the namespaces are Node's: default is module.exports and
// its properties are named exports beside it. The RegExp v flag works in such files too.
func TestDynamicImport(t *testing.T) {
	var tr Transformer
	mod, problems := tr.Source("modules/logger", "", runner.Source{Dir: "modules/logger", Entry: "index.js", Files: map[string][]byte{
		"index.js": []byte("exports.tag = async () => (await import('./tag.js')).default.t;\n"),
		"tag.js":   []byte("exports.t = 'T';\n"),
	}}, nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	act, problems := tr.Source("actions/a", "", runner.Source{Dir: "actions/a", Entry: "index.js", Files: map[string][]byte{
		"index.js": []byte(`exports.onExecutePostLogin = async (event, api) => {
  const lib = await import('./lib.js');
  const logger = await import('actions:logger');
  const letters = /[\p{L}--[a-z]]/gv; // the v flag (ES2024), in a file that is transformed
  api.idToken.setCustomClaim('r', [lib.twice(2), typeof lib.default, await logger.tag(), typeof logger.default.tag,
    'aÄbZ'.replace(letters, '_'), lib.upper.test('É')]);
};
`),
		"lib.js": []byte("export const twice = (n) => n * 2;\nexport const upper = /^[\\p{L}&&\\p{Lu}]$/v;\n"),
	}}, nil)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	spec := &runner.Spec{Commit: "abc", Generation: 1, Bindings: map[string][]string{"post-login": {"a"}}, Actions: map[string]*runner.ActionSpec{
		"a": {Name: "a", Version: "v", Trigger: "post-login", Source: act,
			Modules: map[string]*runner.ModuleSpec{"logger": {Name: "logger", Version: 1, Source: mod}}},
	}}
	g, err := runner.Build(context.Background(), spec, runner.Options{Logger: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	res, err := g.Execute(context.Background(), "post-login", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(res.Effects.IDTokenClaims["r"])
	if want := `[4,"undefined","T","function","a_b_",true]`; string(got) != want {
		res, _ := json.Marshal(res)
		t.Errorf("got %s, want %s (%s)", got, want, res)
	}
}
