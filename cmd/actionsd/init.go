package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/internal/scaffold"
	"github.com/actionsd/actionsd/lockfile"
)

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
	res, err := scaffold.Init(ctx, dir, scaffold.Options{Branch: branch, Commit: commit})
	for _, w := range res.Written {
		fmt.Fprintf(out, "  created %s\n", w)
	}
	switch {
	case res.Written != nil && !commit:
		fmt.Fprintf(out, "\nwrote a new actions repository in %s; logger v1 is recorded in %s, tag it with `actionsd publish logger` once committed on %s\n", dir, lockfile.Name, branch)
	case res.Committed:
		fmt.Fprintf(out, "\ncommitted on %s and published logger v1 (tag %s)\nnext: actionsd validate && actionsd test\n", branch, gitstore.VersionTag("logger", 1))
	}
	return err
}
