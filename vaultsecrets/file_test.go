package vaultsecrets_test

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/actionsd/actionsd/vaultsecrets"
)

func TestFileRead(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	f, err := vaultsecrets.NewFile("testdata/secrets.good.yml", zap.New(core))
	if err != nil {
		t.Fatalf("NewFile: %v", err)
	}
	tests := []struct {
		name     string
		give     vaultsecrets.Owner
		wantPath string
		want     vaultsecrets.Values
	}{
		{"module", logger, "testdata/secrets.good.yml#modules/logger",
			vaultsecrets.Values{"SERVICE_URL": "https://logs.example.com", "API_KEY": canary}},
		{"module without secrets", vaultsecrets.Owner{Kind: vaultsecrets.KindModule, Name: "empty"}, "testdata/secrets.good.yml#modules/empty",
			vaultsecrets.Values{}},
		{"module with null secrets", vaultsecrets.Owner{Kind: vaultsecrets.KindModule, Name: "nothing"}, "testdata/secrets.good.yml#modules/nothing",
			vaultsecrets.Values{}},
		{"action", action("log-login"), "testdata/secrets.good.yml#actions/log-login",
			vaultsecrets.Values{"WEBHOOK_TOKEN": "tok-123", "MULTILINE": "line one\nline two\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.Read(t.Context(), tt.give)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got.Path != tt.wantPath {
				t.Errorf("got path %q, want %q", got.Path, tt.wantPath)
			}
			if got.Version != 0 {
				t.Errorf("got version %d, want 0", got.Version)
			}
			if !maps.Equal(got.Values, tt.want) || got.Values == nil {
				t.Errorf("got keys %v, want %v (or the values differ)", got.Values, tt.want)
			}
			got.Values["MUTATED"] = "x" // a caller's change must not reach the next Read
		})
	}

	_, err = f.Read(t.Context(), action("missing"))
	checkNotFound(t, "Read", err, "testdata/secrets.good.yml#actions/missing")

	// One warning at construction and one on each Read, none with a value.
	if got, want := logs.FilterMessage("file secrets backend is for local trials only, not production").Len(), 1+len(tests)+1; got != want {
		t.Errorf("got %d warnings, want %d", got, want)
	}
	again, err := f.Read(t.Context(), logger)
	if err != nil {
		t.Fatalf("Read again: %v", err)
	}
	if _, ok := again.Values["MUTATED"]; ok {
		t.Errorf("a change to a returned Values reached the next Read")
	}
	for _, e := range logs.All() {
		for k, v := range e.ContextMap() {
			if strings.Contains(k, canary) || strings.Contains(strings.ToLower(toString(v)), canary) {
				t.Errorf("log %q field %s holds the secret value", e.Message, k)
			}
		}
	}
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}

func TestFileEmpty(t *testing.T) {
	f, err := vaultsecrets.NewFile("testdata/empty.good.yml", zap.NewNop())
	if err != nil {
		t.Fatalf("NewFile: %v", err)
	}
	_, err = f.Read(t.Context(), logger)
	checkNotFound(t, "Read", err, "testdata/empty.good.yml#modules/logger")
}

// TestFileBad reads each testdata/*.bad.yml: each must fail with its error, which names the file and
// the field and holds no value.
func TestFileBad(t *testing.T) {
	tests := []struct {
		give    string
		wantErr string
	}{
		{"bad-name.bad.yml", `secrets file testdata/bad-name.bad.yml: line 2: owner modules/../logger: name "../logger" is not one path segment`},
		{"bool-value.bad.yml", `secrets file testdata/bool-value.bad.yml: line 3: actions/log-login.ENABLED: value is a boolean, want a string (quote it)`},
		{"duplicate-key.bad.yml", `secrets file testdata/duplicate-key.bad.yml: line 4: modules/logger.API_KEY given twice`},
		{"duplicate-owner.bad.yml", `secrets file testdata/duplicate-owner.bad.yml: line 3: modules/logger given twice`},
		{"empty-value.bad.yml", `secrets file testdata/empty-value.bad.yml: line 3: actions/log-login.API_KEY: value is empty, want a string (quote it)`},
		{"mapping-value.bad.yml", `secrets file testdata/mapping-value.bad.yml: line 4: modules/logger.API_KEY: value is a mapping, want a string (quote it)`},
		{"not-mapping.bad.yml", `secrets file testdata/not-mapping.bad.yml: line 1: want a mapping with modules and actions, got a sequence`},
		{"number-value.bad.yml", `secrets file testdata/number-value.bad.yml: line 4: modules/logger.PORT: value is a number, want a string (quote it)`},
		{"owners-sequence.bad.yml", `secrets file testdata/owners-sequence.bad.yml: line 2: actions: want a mapping of names to secrets, got a sequence`},
		{"secrets-sequence.bad.yml", `secrets file testdata/secrets-sequence.bad.yml: line 2: modules/logger: want a mapping of secret names to values, got a sequence`},
		{"syntax.bad.yml", `secrets file testdata/syntax.bad.yml: yaml: line 3: found unexpected end of stream`},
		{"unknown-field.bad.yml", `secrets file testdata/unknown-field.bad.yml: line 1: unknown field "module", want modules or actions`},
	}
	// Every bad file has a case.
	files, err := filepath.Glob("testdata/*.bad.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(tests) {
		t.Errorf("got %d testdata/*.bad.yml files, want %d (one per case)", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			path := filepath.Join("testdata", tt.give)
			_, err := vaultsecrets.NewFile(path, zap.NewNop())
			if err == nil {
				t.Fatalf("got no error, want %q", tt.wantErr)
			}
			if got := err.Error(); got != tt.wantErr {
				t.Errorf("got error\n\t%s\nwant\n\t%s", got, tt.wantErr)
			}
			for _, never := range []string{canary, "80801234"} {
				if strings.Contains(err.Error(), never) {
					t.Errorf("got error %q, which holds a value", err)
				}
			}
		})
	}
}

func TestFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.yml")
	_, err := vaultsecrets.NewFile(path, zap.NewNop())
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("got error %v, want one naming %s that is os.ErrNotExist", err, path)
	}
}

func FuzzFile(f *testing.F) {
	for _, name := range []string{"secrets.good.yml", "number-value.bad.yml", "syntax.bad.yml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "s.yml")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, _ = vaultsecrets.NewFile(path, zap.NewNop())
	})
}
