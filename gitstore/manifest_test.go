package gitstore

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/diag"
)

func TestParseActionManifest(t *testing.T) {
	const file = "actions/a/action.yaml"
	tests := []struct {
		name    string
		give    string
		want    *Action
		wantErr []string
	}{
		{
			name: "all fields",
			give: "trigger: post-login\nmodules: {logger: 2}\nsecrets: [A_1, _b]\ndependencies: {axios: ^1.7.0, lodash: 4, x: ''}\ntimeout: 250ms\n",
			want: &Action{
				Trigger: "post-login", TriggerPos: diag.Pos{File: file, Line: 1, Col: 10},
				Modules:      map[string]ModulePin{"logger": {Version: 2, Pos: diag.Pos{File: file, Line: 2, Col: 19}}},
				Secrets:      []string{"A_1", "_b"},
				Dependencies: map[string]string{"axios": "^1.7.0", "lodash": "4", "x": "latest"},
				Timeout:      250 * time.Millisecond,
			},
		},
		{
			name: "null fields",
			give: "trigger: post-login\nmodules:\nsecrets: ~\ndependencies:\ntimeout:\n",
			want: &Action{Trigger: "post-login", TriggerPos: diag.Pos{File: file, Line: 1, Col: 10}},
		},
		{
			name: "aliases",
			give: "trigger: &t post-login\nsecrets: &s [A]\ndependencies: {}\ntimeout: 20s\nx: *s\n",
			want: &Action{
				Trigger: "post-login", TriggerPos: diag.Pos{File: file, Line: 1, Col: 10},
				Secrets: []string{"A"}, Dependencies: map[string]string{}, Timeout: 20 * time.Second,
			},
			wantErr: []string{file + ":5:1: x: unknown field (known fields: trigger, modules, secrets, dependencies, timeout, rollout)"},
		},
		{
			name:    "empty",
			give:    "",
			want:    &Action{},
			wantErr: []string{file + ": trigger: required field is missing"},
		},
		{
			name:    "trigger not a string",
			give:    "trigger: [post-login]\n",
			want:    &Action{TriggerPos: diag.Pos{File: file, Line: 1, Col: 10}},
			wantErr: []string{file + ":1:10: trigger: must be a trigger name, got a list"},
		},
		{
			name:    "merge key",
			give:    "trigger: post-login\n<<: {timeout: 1s}\n",
			want:    &Action{Trigger: "post-login", TriggerPos: diag.Pos{File: file, Line: 1, Col: 10}},
			wantErr: []string{file + ":2:1: <<: merge keys are not supported"},
		},
		{
			name: "long secret name",
			give: "trigger: post-login\nsecrets: [" + strings.Repeat("A", 129) + "]\n",
			want: &Action{Trigger: "post-login", TriggerPos: diag.Pos{File: file, Line: 1, Col: 10}},
			wantErr: []string{file + `:2:11: secrets[0]: bad secret name "` + strings.Repeat("A", 129) +
				`": must be an identifier ([A-Za-z_][A-Za-z0-9_]*) of at most 128 characters`},
		},
		{
			name:    "scalar document",
			give:    "post-login\n",
			want:    &Action{},
			wantErr: []string{file + `:1:1: must be a mapping, got string "post-login"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := ParseActionManifest(file, []byte(tt.give))
			var gotErr []string
			for _, p := range problems {
				gotErr = append(gotErr, p.Error())
			}
			if !slices.Equal(gotErr, tt.wantErr) {
				t.Errorf("got problems %q, want %q", gotErr, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseVersionTag(t *testing.T) {
	tests := []struct {
		give     string
		wantName string
		wantN    int
		wantOK   bool
	}{
		{give: "modules/logger/v1", wantName: "logger", wantN: 1, wantOK: true},
		{give: "modules/my-mod/v120", wantName: "my-mod", wantN: 120, wantOK: true},
		{give: "modules/logger/v0"},
		{give: "modules/logger/v01"},
		{give: "modules/logger/1"},
		{give: "modules/logger/v1.0"},
		{give: "modules/Logger/v1"},
		{give: "modules/logger/v1/x"},
		{give: "modules/logger/v9999999999"},
		{give: "logger/v1"},
	}
	for _, tt := range tests {
		name, n, ok := ParseVersionTag(tt.give)
		if name != tt.wantName || n != tt.wantN || ok != tt.wantOK {
			t.Errorf("ParseVersionTag(%q): got %q, %d, %v, want %q, %d, %v", tt.give, name, n, ok, tt.wantName, tt.wantN, tt.wantOK)
		}
	}
}

// addSeeds adds every file called base under testdata as a fuzz seed.
func addSeeds(f *testing.F, base string) {
	err := filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == base {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			f.Add(data)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
}

func checkProblems(t *testing.T, file string, problems diag.List) {
	for _, p := range problems {
		if p.File != file {
			t.Errorf("problem %q: got file %q, want %q", p.Error(), p.File, file)
		}
		if p.Message == "" {
			t.Errorf("problem %q has no message", p.Error())
		}
	}
}

func FuzzParseActionManifest(f *testing.F) {
	addSeeds(f, "action.yaml")
	f.Add([]byte("trigger: post-login\nmodules: {a: &x 1, b: *x}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "actions/a/action.yaml"
		a, problems := ParseActionManifest(file, data)
		if a == nil {
			t.Fatal("nil action")
		}
		checkProblems(t, file, problems)
		if a.Timeout < 0 || a.Timeout > MaxActionTimeout {
			t.Errorf("timeout %s out of bounds", a.Timeout)
		}
		for name, pin := range a.Modules {
			if !ValidName(name) || pin.Version < 1 {
				t.Errorf("bad pin %s: %+v", name, pin)
			}
		}
	})
}

func FuzzParseModuleManifest(f *testing.F) {
	addSeeds(f, "module.yaml")
	f.Add([]byte("description: 'x'\nsecrets: [A, A]\ndependencies: {'@a/b': latest}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "modules/m/module.yaml"
		m, problems := ParseModuleManifest(file, data)
		if m == nil {
			t.Fatal("nil module")
		}
		checkProblems(t, file, problems)
		for _, s := range m.Secrets {
			if !ValidSecretName(s) {
				t.Errorf("bad secret %q accepted", s)
			}
		}
	})
}

func FuzzParseTriggers(f *testing.F) {
	addSeeds(f, "triggers.yaml")
	f.Add([]byte("post-login: &l [a, b]\nevent-stream: *l\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "triggers.yaml"
		tr, problems := ParseTriggers(file, data)
		if tr == nil || tr.Bindings == nil {
			t.Fatal("nil triggers")
		}
		checkProblems(t, file, problems)
		for trig, bindings := range tr.Bindings {
			for _, b := range bindings {
				if !ValidName(b.Action) || b.Pos.File != file {
					t.Errorf("bad binding %s: %+v", trig, b)
				}
			}
		}
	})
}
