package review

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/actionsd/actionsd/npmvendor"
)

func TestManifests(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    map[string]npmvendor.Manifest
		wantErr string
	}{
		{name: "empty folder", want: map[string]npmvendor.Manifest{}},
		{name: "actions and module drafts",
			files: map[string]string{
				"actions/a/action.yaml": "trigger: post-login\ndependencies: {x: ^1.0.0}\n",
				"actions/a/index.js":    "exports.onExecutePostLogin = async () => {};\n",
				"modules/m/module.yaml": "description: m\n",
				"modules/m/index.js":    "module.exports = {};\n",
			},
			want: map[string]npmvendor.Manifest{
				"actions/a": {Path: "actions/a/action.yaml", Dependencies: map[string]string{"x": "^1.0.0"}},
				"modules/m": {Path: "modules/m/module.yaml"},
			}},
		{name: "every error of the tree",
			files: map[string]string{
				"actions/a/action.yaml": "trigger: post-login\nbogus: 1\n",
				"modules/m/module.yaml": "description: m\n",
			},
			wantErr: "the repository has errors:\n" +
				"  actions/a/action.yaml:2:1: bogus: unknown field (known fields: trigger, modules, secrets, dependencies, timeout, rollout)\n" +
				"  actions/a: missing entry file index.js or index.ts\n" +
				"  modules/m: missing entry file index.js or index.ts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for rel, data := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Manifests(dir)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, m := range got { // nil and empty dependencies are the same declaration
				if len(m.Dependencies) == 0 {
					m.Dependencies = nil
					got[k] = m
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
