package scaffold

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/internal/gitcli"
	"github.com/actionsd/actionsd/lockfile"
)

func gitEnv(t *testing.T) {
	for k, v := range map[string]string{
		"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
		"GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
		"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.DevNull,
	} {
		t.Setenv(k, v)
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gitcli.Run(context.Background(), dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestInit(t *testing.T) {
	gitEnv(t)
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		commit  bool
		wantErr string
	}{
		{name: "files only"},
		{name: "files, commit and tag", commit: true},
		{name: "into an existing git repository", commit: true,
			setup: func(t *testing.T, dir string) { git(t, dir, "init", "-q", "-b", "trunk") }},
		{name: "a repository already", wantErr: "init: DIR already holds an actions repository (modules exists)",
			setup: func(t *testing.T, dir string) {
				if err := os.Mkdir(filepath.Join(dir, "modules"), 0o755); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "a file of the template exists", wantErr: "init: open DIR/README.md: file exists",
			setup: func(t *testing.T, dir string) {
				if err := os.WriteFile(filepath.Join(dir, "README.md"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "repo")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			res, err := Init(context.Background(), dir, Options{Branch: "main", Commit: tt.commit})
			if tt.wantErr != "" {
				want := strings.ReplaceAll(tt.wantErr, "DIR", dir)
				if err == nil || err.Error() != want {
					t.Fatalf("got error %v, want %q", err, want)
				}
				if res.Written != nil {
					t.Errorf("written %v after a failure", res.Written)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"triggers.yaml", ".gitignore", "modules/logger/module.yaml", "actions/log-login/action.yaml",
				".github/workflows/actionsd.yml", ".githooks/pre-commit", ".actionsd/", lockfile.Name} {
				if !slices.Contains(res.Written, f) {
					t.Errorf("Written lacks %s: %v", f, res.Written)
				}
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("%s: %v", f, err)
				}
			}
			if info, err := os.Stat(filepath.Join(dir, ".githooks/pre-commit")); err != nil || info.Mode().Perm()&0o100 == 0 {
				t.Errorf("the pre-commit hook is not executable: %v", err)
			}
			data, err := os.ReadFile(filepath.Join(dir, "modules/logger/module.yaml"))
			if err != nil || !strings.HasPrefix(string(data), "# yaml-language-server: $schema=") {
				t.Errorf("module.yaml does not point at its schema: %q", data)
			}
			if res.Committed != tt.commit {
				t.Fatalf("committed: got %v, want %v", res.Committed, tt.commit)
			}
			if !tt.commit {
				if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
					t.Errorf("files only made a git repository")
				}
				return
			}
			data, err = os.ReadFile(filepath.Join(dir, lockfile.Name))
			if err != nil {
				t.Fatal(err)
			}
			l, err := lockfile.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			// The record names the tree git made of modules/logger, and the tag is at HEAD.
			if rec := l.Record("logger", 1); rec == nil || rec.Tree != git(t, dir, "rev-parse", "modules/logger/v1:modules/logger") {
				t.Errorf("record %+v does not name the tagged tree", rec)
			}
			if git(t, dir, "rev-parse", "modules/logger/v1^{commit}") != git(t, dir, "rev-parse", "HEAD") {
				t.Errorf("the tag is not at HEAD")
			}
			if got := git(t, dir, "status", "--porcelain"); got != "" {
				t.Errorf("left uncommitted: %q", got)
			}
			if got := git(t, dir, "config", "core.hooksPath"); got != ".githooks" {
				t.Errorf("core.hooksPath %q", got)
			}
		})
	}
}
