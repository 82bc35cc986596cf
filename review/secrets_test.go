package review

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/actionsd/actionsd/vaultsecrets"
)

func TestDeclaredSecrets(t *testing.T) {
	tests := []struct {
		name         string
		files        map[string]string
		want         map[vaultsecrets.Owner][]string
		wantProblems []string
	}{
		{name: "empty folder", want: map[vaultsecrets.Owner][]string{}},
		{name: "actions and modules, with and without secrets",
			files: map[string]string{
				"modules/logger/module.yaml":    "secrets: [SERVICE_URL, API_KEY]\n",
				"actions/log-login/action.yaml": "trigger: post-login\nsecrets: [SLACK]\n",
				"actions/plain/action.yaml":     "trigger: post-login\n",
			},
			want: map[vaultsecrets.Owner][]string{
				{Kind: "modules", Name: "logger"}:    {"SERVICE_URL", "API_KEY"},
				{Kind: "actions", Name: "log-login"}: {"SLACK"},
			}},
		{name: "other problems of the tree are not reported",
			files: map[string]string{
				"actions/a/action.yaml": "trigger: post-login\nsecrets: [S]\n",
				"actions/a/index.js":    "syntax error here(",
				"actions/b/index.js":    "module.exports = {};\n", // no manifest
				"triggers.yaml":         "post-login: [nosuch]\n",
			},
			want: map[vaultsecrets.Owner][]string{{Kind: "actions", Name: "a"}: {"S"}}},
		{name: "manifest problems",
			files: map[string]string{
				"modules/m/module.yaml": "secrets: [lower, OK]\nbogus: 1\n",
			},
			want:         map[vaultsecrets.Owner][]string{{Kind: "modules", Name: "m"}: {"lower", "OK"}},
			wantProblems: []string{`modules/m/module.yaml:2:1: bogus: unknown field (known fields: description, secrets, dependencies)`}},
		{name: "actions is not a folder",
			files:        map[string]string{"actions": "", "modules/m/module.yaml": "secrets: [A]\n"},
			want:         map[vaultsecrets.Owner][]string{{Kind: "modules", Name: "m"}: {"A"}},
			wantProblems: []string{"actions: must be a folder"}},
		{name: "a bad folder name with a manifest",
			files: map[string]string{
				"actions/Bad/action.yaml": "secrets: [X]\n",
				"actions/Worse/index.js":  "",
			},
			want:         map[vaultsecrets.Owner][]string{},
			wantProblems: []string{`actions/Bad/action.yaml: "Bad" is not a valid name`}},
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
			got, problems := DeclaredSecrets(dir)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(problems, tt.wantProblems) {
				t.Errorf("got problems %q, want %q", problems, tt.wantProblems)
			}
		})
	}
}
