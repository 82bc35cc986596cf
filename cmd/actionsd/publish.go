package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/publish"
)

func newPublishCmd() *cobra.Command {
	var (
		repo            repoFlags
		push, sign      bool
		remote, message string
	)
	cmd := &cobra.Command{
		Use:   "publish <module>",
		Short: "Publish a module's draft: record its next version in actionsd.lock, and tag it on the deploy branch",
		Long: `publish makes the module's folder at HEAD a new published version, in two reviewed steps.

On a feature branch it records the next version (number and the folder's git tree hash) in
actionsd.lock and commits that, so the version is reviewed with the change that makes it.

On the deploy branch it creates the annotated tag modules/<name>/v<N> at HEAD when HEAD's folder
matches the version's record; where no record exists yet, it records first (one commit), then tags.

It refuses when the working tree has uncommitted changes, when the folder does not differ from the
module's last version, and when validation finds errors. It prints what it did.

publish writes with the git CLI (commit, tag, and for --sign and --push, git's own signing
configuration and credentials), so your hooks, keys and remotes apply.`,
		Example: `  # on your branch: record logger's next version, for review
  actionsd publish logger

  # after the merge, on main: tag it, signed, and push the tag
  git switch main && git pull
  actionsd publish logger --sign --push`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeObjects(&repo, "modules"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !gitstore.ValidName(args[0]) {
				return usageError(cmd, "bad module name %q", args[0])
			}
			return runPublish(cmd.Context(), cmd.OutOrStdout(), repo, args[0], publish.Options{Push: push, Sign: sign, Remote: remote, Message: message})
		},
	}
	repo.add(cmd)
	cmd.Flags().BoolVar(&push, "push", false, "push the commit and the tag to --remote (git push)")
	cmd.Flags().BoolVar(&sign, "sign", false, "sign the commit (git commit -S) and the tag (git tag -s) with your git signing key")
	cmd.Flags().StringVar(&remote, "remote", "origin", "the remote --push pushes to")
	cmd.Flags().StringVarP(&message, "message", "m", "", "the tag's message (default: \"<module> v<N>\")")
	return usage(cmd)
}

// runPublish publishes the module and prints what it did, also when a later step failed.
func runPublish(ctx context.Context, out io.Writer, flags repoFlags, name string, opts publish.Options) error {
	r, err := flags.open()
	if err != nil {
		return err
	}
	res, err := publish.Run(ctx, r, name, opts)
	if res.Recorded > 0 {
		fmt.Fprintf(out, "recorded %s v%d (tree %s) in %s: commit %s on %s\n", name, res.Recorded, short(res.Tree), lockfile.Name, short(res.RecordCommit), res.Branch)
		if !res.Deploy {
			fmt.Fprintf(out, "after review and merge, run `actionsd publish %s` on %s to tag it\n", name, res.DeployBranch)
		}
	}
	if res.Tag != "" {
		fmt.Fprintf(out, "tagged %s at %s (%s)\n", res.Tag, short(res.TagCommit), map[bool]string{true: "signed", false: "annotated"}[res.Signed])
	}
	switch {
	case len(res.Pushed) == 0:
	case !res.Deploy:
		fmt.Fprintf(out, "pushed %s to %s\n", res.Branch, opts.Remote)
	default:
		fmt.Fprintf(out, "pushed %s to %s\n", strings.Join(res.Pushed, ", "), opts.Remote)
	}
	return err
}

func short(hash string) string { return publish.Short(hash) }
