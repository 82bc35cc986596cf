package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/examples/ci"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/schema"
)

// template is the repository `actionsd init` writes (gitignore becomes .gitignore).
//
//go:embed all:template
var template embed.FS

// ciFiles are where init puts the CI examples.
var ciFiles = map[string]string{
	"github-actions.yml": ".github/workflows/actionsd.yml",
	"gitlab-ci.yml":      ".gitlab-ci.yml",
	"pre-commit":         ".githooks/pre-commit",
}

func newInitCmd() *cobra.Command {
	var (
		branch   string
		noCommit bool
	)
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a new actions repository: a module, an action, bindings, tests, CI and editor support",
		Long: `init creates an actions repository in DIR (default: the current directory), which must not
hold one already: the logger module and the log-login action that uses it (each with a test),
triggers.yaml, actionsd.lock, a .gitignore, a sample secrets file, the CI examples (a GitHub
Actions workflow, a GitLab CI job, a pre-commit hook in .githooks/), and editor support (JSON
Schemas and TypeScript declarations in .actionsd/, referenced by the YAML files and
jsconfig.json).

Unless --no-commit, it then makes the first commit on the deploy branch with the git CLI and
publishes logger v1 (recorded in actionsd.lock and tagged modules/logger/v1), so that validate,
test and invoke work at once.`,
		Example: `  actionsd init my-actions && cd my-actions
  actionsd validate && actionsd test`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return runInit(cmd.Context(), cmd.OutOrStdout(), dir, branch, !noCommit)
		},
	}
	cmd.Flags().StringVar(&branch, "branch", gitstore.DefaultBranch, "the deploy branch of the new repository")
	cmd.Flags().BoolVar(&noCommit, "no-commit", false, "write the files only: no git init, commit or tag")
	return usage(cmd)
}

func runInit(ctx context.Context, out io.Writer, dir, branch string, commit bool) error {
	for _, f := range []string{"triggers.yaml", "actions", "modules", lockfile.Name} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return fmt.Errorf("init: %s already holds an actions repository (%s exists)", dir, f)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
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
		return fmt.Errorf("init: %w", err)
	}
	for src, dst := range ciFiles {
		data, err := ci.FS.ReadFile(src)
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if src == "pre-commit" {
			mode = 0o755
		}
		if err := writeNew(filepath.Join(dir, filepath.FromSlash(dst)), data, mode); err != nil {
			return fmt.Errorf("init: %w", err)
		}
		written = append(written, dst)
	}
	if _, err := schema.Write(filepath.Join(dir, schema.Dir)); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	written = append(written, schema.Dir+"/")

	// Record logger v1: the folder's tree as git will hash it.
	snap, err := gitstore.ReadTree(os.DirFS(dir))
	if err != nil || snap.Drafts["logger"] == nil {
		return fmt.Errorf("init: read the new repository: %v", err)
	}
	l := lockfile.New()
	l.SetRecord("logger", 1, &lockfile.VersionRecord{Tree: snap.Drafts["logger"].Tree})
	data, err := l.Marshal()
	if err != nil {
		return err
	}
	if err := writeNew(filepath.Join(dir, lockfile.Name), data, 0o644); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	written = append(written, lockfile.Name)
	for _, w := range written {
		fmt.Fprintf(out, "  created %s\n", w)
	}
	if !commit {
		fmt.Fprintf(out, "\nwrote a new actions repository in %s; logger v1 is recorded in %s, tag it with `actionsd publish logger` once committed on %s\n", dir, lockfile.Name, branch)
		return nil
	}
	if _, err := exec.LookPath("git"); err != nil {
		return fmt.Errorf("init: the files are written, but the git CLI is missing to commit them (or pass --no-commit)")
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); errors.Is(err, fs.ErrNotExist) {
		if _, err := gitCLI(ctx, dir, "init", "-q", "-b", branch); err != nil {
			return err
		}
	}
	steps := [][]string{
		{"config", "core.hooksPath", ".githooks"},
		{"add", "-A"},
		{"commit", "-q", "-m", "actionsd init: the logger module and the log-login action"},
		{"tag", "-a", "-m", "logger v1", gitstore.VersionTag("logger", 1)},
	}
	for _, s := range steps {
		if _, err := gitCLI(ctx, dir, s...); err != nil {
			return fmt.Errorf("init: the files are written; %w", err)
		}
	}
	fmt.Fprintf(out, "\ncommitted on %s and published logger v1 (tag %s)\nnext: actionsd validate && actionsd test\n", branch, gitstore.VersionTag("logger", 1))
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
