package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/review"
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
			return runPublish(cmd.Context(), cmd.OutOrStdout(), repo, args[0], publishOptions{push: push, sign: sign, remote: remote, message: message})
		},
	}
	repo.add(cmd)
	cmd.Flags().BoolVar(&push, "push", false, "push the commit and the tag to --remote (git push)")
	cmd.Flags().BoolVar(&sign, "sign", false, "sign the commit (git commit -S) and the tag (git tag -s) with your git signing key")
	cmd.Flags().StringVar(&remote, "remote", "origin", "the remote --push pushes to")
	cmd.Flags().StringVarP(&message, "message", "m", "", "the tag's message (default: \"<module> v<N>\")")
	return usage(cmd)
}

type publishOptions struct {
	push, sign      bool
	remote, message string
}

func runPublish(ctx context.Context, out io.Writer, flags repoFlags, name string, opts publishOptions) error {
	r, err := flags.open()
	if err != nil {
		return err
	}
	dir := r.Dir
	if status, err := gitCLI(ctx, dir, "status", "--porcelain"); err != nil {
		return err
	} else if status != "" {
		return fmt.Errorf("publish %s: the working tree has uncommitted changes; commit or stash them first", name)
	}
	branch, err := gitCLI(ctx, dir, "symbolic-ref", "--short", "-q", "HEAD")
	if err != nil || branch == "" {
		return fmt.Errorf("publish %s: HEAD is detached; switch to a branch", name)
	}
	st, err := r.Read("HEAD")
	if err != nil {
		return err
	}
	draft := st.Snap.Drafts[name]
	if draft == nil {
		return fmt.Errorf("publish %s: there is no modules/%s at HEAD", name, name)
	}
	if errs := review.Check(ctx, st, review.Options{}); len(errs) > 0 {
		var b strings.Builder
		for _, e := range errs {
			fmt.Fprintf(&b, "\n  %s", e)
		}
		return fmt.Errorf("publish %s: validation failed:%s", name, b.String())
	}

	var match, pendingRecord *review.VersionInfo
	for _, v := range st.Versions[name] {
		if v.Tree == draft.Tree && v.Published() && (match == nil || v.Number > match.Number) {
			match = v
		}
		if v.Recorded && v.Tag == "" && (pendingRecord == nil || v.Number > pendingRecord.Number) {
			pendingRecord = v
		}
	}
	head := st.CommitHash()
	deploy := branch == r.Branch

	if !deploy {
		if match != nil {
			return fmt.Errorf("publish %s: no change: modules/%s at HEAD is v%d already (%s)", name, name, match.Number, match.Status())
		}
		n := st.Highest(name) + 1
		commit, err := record(ctx, dir, st, name, n, draft.Tree, head, opts.sign)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "recorded %s v%d (tree %s) in %s: commit %s on %s\n", name, n, short(draft.Tree), lockfile.Name, short(commit), branch)
		fmt.Fprintf(out, "after review and merge, run `actionsd publish %s` on %s to tag it\n", name, r.Branch)
		if opts.push {
			if _, err := gitCLI(ctx, dir, "push", opts.remote, "HEAD:refs/heads/"+branch); err != nil {
				return err
			}
			fmt.Fprintf(out, "pushed %s to %s\n", branch, opts.remote)
		}
		return nil
	}

	var pushRefs []string
	n := 0
	switch {
	case match != nil && match.Tag != "" && !match.Pending && !match.Moved:
		return fmt.Errorf("publish %s: no change: modules/%s at HEAD is published as v%d (tag %s)", name, name, match.Number, match.Tag)
	case match != nil && match.Moved:
		return fmt.Errorf("publish %s: tag %s names other content than its record in %s; fix the tag first", name, match.Tag, lockfile.Name)
	case match != nil && match.Tag != "":
		return fmt.Errorf("publish %s: tag %s exists but its commit is not on %s; push or merge it", name, match.Tag, r.Branch)
	case match != nil:
		n = match.Number
	case pendingRecord != nil:
		return fmt.Errorf("publish %s: v%d is recorded in %s (tree %s) but not tagged, and modules/%s at HEAD (tree %s) is not that content; restore it or record it on a branch",
			name, pendingRecord.Number, lockfile.Name, short(pendingRecord.Tree), name, short(draft.Tree))
	default:
		n = st.Highest(name) + 1
		commit, err := record(ctx, dir, st, name, n, draft.Tree, head, opts.sign)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "recorded %s v%d (tree %s) in %s: commit %s on %s\n", name, n, short(draft.Tree), lockfile.Name, short(commit), branch)
		head = commit
		pushRefs = append(pushRefs, "HEAD:refs/heads/"+branch)
	}
	tag := gitstore.VersionTag(name, n)
	msg := opts.message
	if msg == "" {
		msg = fmt.Sprintf("%s v%d", name, n)
	}
	mode := "-a"
	if opts.sign {
		mode = "-s"
	}
	if _, err := gitCLI(ctx, dir, "tag", mode, "-m", msg, tag, head); err != nil {
		return err
	}
	fmt.Fprintf(out, "tagged %s at %s (%s)\n", tag, short(head), map[bool]string{true: "signed", false: "annotated"}[opts.sign])
	if opts.push {
		pushRefs = append(pushRefs, "refs/tags/"+tag)
		if _, err := gitCLI(ctx, dir, append([]string{"push", opts.remote}, pushRefs...)...); err != nil {
			return err
		}
		fmt.Fprintf(out, "pushed %s to %s\n", strings.Join(pushRefs, ", "), opts.remote)
	}
	return nil
}

// record writes version n of module name (tree, recorded from commit) into actionsd.lock and
// commits it; it returns the new commit.
func record(ctx context.Context, dir string, st *review.State, name string, n int, tree, from string, sign bool) (string, error) {
	l := st.Lock
	if l == nil {
		l = lockfile.New()
	}
	l.SetRecord(name, n, &lockfile.VersionRecord{Tree: tree, Commit: from})
	data, err := l.Marshal()
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, lockfile.Name), data, 0o644); err != nil {
		return "", err
	}
	if _, err := gitCLI(ctx, dir, "add", "--", lockfile.Name); err != nil {
		return "", err
	}
	args := []string{"commit", "-q", "-m", fmt.Sprintf("publish %s v%d", name, n), "-m",
		fmt.Sprintf("Records modules/%s at tree %s as version %d in %s.", name, tree, n, lockfile.Name), "--", lockfile.Name}
	if sign {
		args = append([]string{"commit", "-S"}, args[1:]...)
	}
	if _, err := gitCLI(ctx, dir, args...); err != nil {
		return "", err
	}
	return gitCLI(ctx, dir, "rev-parse", "HEAD")
}

func short(hash string) string {
	if len(hash) > 7 {
		return hash[:7]
	}
	return hash
}
