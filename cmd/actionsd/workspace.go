package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/review"
)

// Exit codes of the repository commands: 0 success, 1 a finding (errors, failed tests), 2 a
// usage error.
const exitUsage = 2

// repoFlags are the flags every command that reads a repository shares.
type repoFlags struct {
	dir    string
	branch string
	limits limitFlags // as serve takes them
}

func (f *repoFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.dir, "dir", "C", ".", "the repository to work on")
	cmd.Flags().StringVar(&f.branch, "branch", gitstore.DefaultBranch, "the deploy branch")
	f.limits.add(cmd.Flags())
	_ = cmd.MarkFlagDirname("dir")
}

func (f *repoFlags) open() (*review.Repo, error) {
	r, err := review.Open(f.dir, f.branch)
	if err != nil {
		return nil, err
	}
	r.Limits = f.limits.l.Limits()
	return r, nil
}

// usage makes cmd's flag and argument errors exit with status 2, as usage errors do.
func usage(cmd *cobra.Command) *cobra.Command {
	if cmd.Annotations["usage-exit"] != "" {
		return cmd // once: a second wrap would say the command's name twice
	}
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations["usage-exit"] = "2"
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError(c, "%v", err)
	})
	if args := cmd.Args; args != nil {
		cmd.Args = func(c *cobra.Command, a []string) error {
			if err := args(c, a); err != nil {
				return usageError(c, "%v", err)
			}
			return nil
		}
	}
	return cmd
}

// exitError carries an exit status other than 1 up to main, which prints it and exits with Code.
type exitError struct {
	Code int
	Err  error
}

func (e *exitError) Error() string { return e.Err.Error() }
func (e *exitError) Unwrap() error { return e.Err }

// usageError is a usage error of cmd: main prints it with a pointer to --help and exits with 2.
func usageError(cmd *cobra.Command, format string, args ...any) error {
	return &exitError{Code: exitUsage, Err: fmt.Errorf("%s: %s\nSee '%s --help'.", cmd.Name(), fmt.Sprintf(format, args...), cmd.CommandPath())}
}

// oneOf checks a flag's value against the accepted ones.
func oneOf(cmd *cobra.Command, flag, value string, accepted ...string) error {
	for _, a := range accepted {
		if value == a {
			return nil
		}
	}
	return usageError(cmd, "--%s %q: want one of %s", flag, value, strings.Join(accepted, ", "))
}

// formatCompletion completes a --format flag.
func formatCompletion(values ...string) func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeObjects completes the names of actions or modules ("actions", "modules") of the -C repo.
func completeObjects(f *repoFlags, kind string) func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		entries, err := os.ReadDir(f.dir + "/" + kind)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, e := range entries {
			if e.IsDir() && gitstore.ValidName(e.Name()) {
				names = append(names, e.Name())
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
