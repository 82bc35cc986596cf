// Package scaffold writes a new actions repository, as `actionsd init` does: the logger module
// and the log-login action with their tests, triggers.yaml, actionsd.lock with logger v1
// recorded, the CI examples and the editor support files; then, when asked, it makes the first
// commit and tags logger v1 with the git CLI. It prints nothing: it returns what it wrote.
package scaffold

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/actionsd/actionsd/examples"
	"github.com/actionsd/actionsd/examples/ci"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/internal/gitcli"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/schema"
)

// template is the repository Init writes (gitignore becomes .gitignore).
//
//go:embed all:template
var template embed.FS

// ciFiles are where Init puts the CI examples.
var ciFiles = map[string]string{
	"github-actions.yml": ".github/workflows/actionsd.yml",
	"gitlab-ci.yml":      ".gitlab-ci.yml",
	"pre-commit":         ".githooks/pre-commit",
}

// Options are the choices of Init.
type Options struct {
	Branch string // the deploy branch of the new repository
	Commit bool   // make the first commit and tag logger v1 (git init first when dir has no .git)
}

// Result is what Init did.
type Result struct {
	// Written are the files written, repository-relative (".actionsd/" for the editor support
	// files), once every file is written; nil when writing failed.
	Written   []string
	Committed bool // the files are committed and logger v1 tagged
}

// module is the module Init publishes as v1.
const module = "logger"

// Init writes a new actions repository into dir, which must not hold one already (no
// triggers.yaml, actions, modules or actionsd.lock), and commits it when opts.Commit.
func Init(ctx context.Context, dir string, opts Options) (*Result, error) {
	res := &Result{}
	written, err := write(dir)
	if err != nil {
		return res, err
	}
	res.Written = written
	if !opts.Commit {
		return res, nil
	}
	if err := commit(ctx, dir, opts.Branch); err != nil {
		return res, err
	}
	res.Committed = true
	return res, nil
}

// write writes the files and returns their paths.
func write(dir string) ([]string, error) {
	for _, f := range []string{"triggers.yaml", "actions", "modules", lockfile.Name} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return nil, fmt.Errorf("init: %s already holds an actions repository (%s exists)", dir, f)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	err := fs.WalkDir(template, "template", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(p, "template/")
		data, err := template.ReadFile(p)
		if err != nil {
			return err
		}
		switch base := path.Base(rel); {
		case rel == "gitignore":
			rel = ".gitignore"
		case base == "action.yaml" || base == "module.yaml" || base == "triggers.yaml":
			name := strings.TrimSuffix(base, ".yaml")
			data = append([]byte(schema.ModelineFor(name, strings.Count(rel, "/"))), data...)
		}
		written = append(written, rel)
		return writeNew(filepath.Join(dir, filepath.FromSlash(rel)), data, 0o644)
	})
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	for src, dst := range ciFiles {
		data, err := ci.FS.ReadFile(src)
		if err != nil {
			return nil, err
		}
		mode := fs.FileMode(0o644)
		if src == "pre-commit" {
			mode = 0o755
		}
		if err := writeNew(filepath.Join(dir, filepath.FromSlash(dst)), data, mode); err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
		written = append(written, dst)
	}
	if _, err := schema.Write(filepath.Join(dir, schema.Dir)); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	written = append(written, schema.Dir+"/")
	// The sample event the README's curl posts, and the local secrets (git-ignored) that invoke
	// reads as they are, so that both run at once.
	event, err := fs.ReadFile(examples.FS, "events/post-login.json")
	if err != nil {
		return nil, err
	}
	if err := writeNew(filepath.Join(dir, "events", "post-login.json"), event, 0o644); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	local, err := template.ReadFile("template/secrets.local.yaml.example")
	if err != nil {
		return nil, err
	}
	if err := writeNew(filepath.Join(dir, "secrets.local.yaml"), local, 0o600); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	written = append(written, "events/post-login.json", "secrets.local.yaml")
	if err := recordV1(dir); err != nil {
		return nil, err
	}
	return append(written, lockfile.Name), nil
}

// recordV1 writes actionsd.lock with logger v1 recorded: the folder's tree as git will hash it.
func recordV1(dir string) error {
	snap, err := gitstore.ReadTree(os.DirFS(dir))
	if err != nil || snap.Drafts[module] == nil {
		return fmt.Errorf("init: read the new repository: %v", err)
	}
	l := lockfile.New()
	l.SetRecord(module, 1, &lockfile.VersionRecord{Tree: snap.Drafts[module].Tree})
	data, err := l.Marshal()
	if err != nil {
		return err
	}
	if err := writeNew(filepath.Join(dir, lockfile.Name), data, 0o644); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	return nil
}

// commit makes the first commit on branch (git init first when dir has no .git), tags logger v1
// and then installs the pre-commit hook.
func commit(ctx context.Context, dir, branch string) error {
	if _, err := exec.LookPath("git"); err != nil {
		return fmt.Errorf("init: the files are written, but the git CLI is missing to commit them (or pass --no-commit)")
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); errors.Is(err, fs.ErrNotExist) {
		if _, err := gitcli.Run(ctx, dir, "init", "-q", "-b", branch); err != nil {
			return err
		}
	}
	// The pre-commit hook is switched on last: the first commit adds the logger module and an
	// action that pins its v1, which only the tag after it publishes, so no review of that commit
	// alone can pass. Every later commit goes through the hook.
	steps := [][]string{
		{"add", "-A"},
		{"commit", "-q", "-m", "actionsd init: the logger module and the log-login action"},
		{"tag", "-a", "-m", "logger v1", gitstore.VersionTag(module, 1)},
		{"config", "core.hooksPath", ".githooks"},
	}
	for _, s := range steps {
		if _, err := gitcli.Run(ctx, dir, s...); err != nil {
			return fmt.Errorf("init: the files are written; %w", err)
		}
	}
	return nil
}

// writeNew writes a file that must not exist yet.
func writeNew(p string, data []byte, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
