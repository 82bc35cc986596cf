// Package publish makes a module's draft a published version, as `actionsd publish` does: from
// the repository's state (package review) it decides what to record in actionsd.lock and what to
// tag, and writes the record's commit, the tag and the push with the git CLI, so that the user's
// git configuration, hooks, signing keys and credentials apply. It prints nothing: it returns what
// it did.
package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/internal/gitcli"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/review"
)

// Options are the choices of one publish.
type Options struct {
	Push    bool   // push the commit and the tag to Remote
	Sign    bool   // sign the commit (git commit -S) and the tag (git tag -s)
	Remote  string // the remote Push pushes to
	Message string // the tag's message; "": "<module> v<N>"
}

// Result is what a publish did, filled step by step: on an error, the steps before it.
type Result struct {
	Module       string
	Branch       string // the branch HEAD is on
	DeployBranch string
	Deploy       bool // Branch is the deploy branch: the version is tagged

	Recorded     int    // the version recorded in actionsd.lock (one commit), 0 when none
	Tree         string // the draft's tree, when Recorded
	RecordCommit string // the recording commit, when Recorded

	Tag       string // the tag made, "" when none
	TagCommit string // the commit Tag names
	Signed    bool   // Tag is signed, not only annotated

	Pushed []string // the refspecs pushed, when pushed
}

// Plan is what publishing a draft does, as Decide finds it.
type Plan struct {
	Version int  // the version recorded or tagged
	Record  bool // record Version in actionsd.lock first (one commit)
	Tag     bool // tag Version at HEAD (or at the recording commit)
}

// Run publishes module name's draft at HEAD of r: it checks that the working tree is clean and
// HEAD on a branch, validates HEAD, decides (Decide), then records, tags and pushes.
func Run(ctx context.Context, r *review.Repo, name string, opts Options) (*Result, error) {
	res := &Result{Module: name, DeployBranch: r.Branch}
	dir := r.Dir
	if err := clean(ctx, dir, name); err != nil {
		return res, err
	}
	branch, err := currentBranch(ctx, dir, name)
	if err != nil {
		return res, err
	}
	res.Branch, res.Deploy = branch, branch == r.Branch
	st, err := r.Read("HEAD")
	if err != nil {
		return res, err
	}
	draft := st.Snap.Drafts[name]
	if draft == nil {
		return res, fmt.Errorf("publish %s: there is no modules/%s at HEAD", name, name)
	}
	if err := validate(ctx, st, name); err != nil {
		return res, err
	}
	plan, err := Decide(st, name, draft.Tree, res.Deploy, r.Branch)
	if err != nil {
		return res, err
	}

	head := st.CommitHash()
	var refs []string
	if plan.Record {
		commit, err := record(ctx, dir, st.Lock, name, plan.Version, draft.Tree, head, opts.Sign)
		if err != nil {
			return res, err
		}
		res.Recorded, res.Tree, res.RecordCommit = plan.Version, draft.Tree, commit
		head = commit
		refs = append(refs, "HEAD:refs/heads/"+branch)
	}
	if plan.Tag {
		t, err := tag(ctx, dir, name, plan.Version, head, opts)
		if err != nil {
			return res, err
		}
		res.Tag, res.TagCommit, res.Signed = t, head, opts.Sign
		refs = append(refs, "refs/tags/"+t)
	}
	if opts.Push && len(refs) > 0 {
		if _, err := gitcli.Run(ctx, dir, append([]string{"push", opts.Remote}, refs...)...); err != nil {
			return res, err
		}
		res.Pushed = refs
	}
	return res, nil
}

// clean fails when the working tree at dir has uncommitted changes.
func clean(ctx context.Context, dir, name string) error {
	status, err := gitcli.Run(ctx, dir, "status", "--porcelain")
	if err != nil {
		return err
	}
	if status != "" {
		return fmt.Errorf("publish %s: the working tree has uncommitted changes; commit or stash them first", name)
	}
	return nil
}

// currentBranch returns the branch HEAD is on, and fails when HEAD is detached.
func currentBranch(ctx context.Context, dir, name string) (string, error) {
	branch, err := gitcli.Run(ctx, dir, "symbolic-ref", "--short", "-q", "HEAD")
	if err != nil || branch == "" {
		return "", fmt.Errorf("publish %s: HEAD is detached; switch to a branch", name)
	}
	return branch, nil
}

// validate fails with every error review.Check finds at st.
func validate(ctx context.Context, st *review.State, name string) error {
	errs := review.Check(ctx, st, review.Options{})
	if len(errs) == 0 {
		return nil
	}
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  %s", e)
	}
	return fmt.Errorf("publish %s: validation failed:%s", name, b.String())
}

// Decide says what publishing module name's draft (its folder's tree) does at st, on the deploy
// branch (deploy) or another branch. On a branch it records the next version, unless the draft is
// a published version already. On the deploy branch it tags the published version the draft is,
// or records the next version and tags it; it refuses when that version's tag exists elsewhere or
// names other content, and when a version is recorded but not tagged and the draft is not it.
func Decide(st *review.State, name, tree string, deploy bool, deployBranch string) (Plan, error) {
	match, pending := lookup(st, name, tree)
	next := Plan{Version: st.Highest(name) + 1, Record: true, Tag: deploy}
	switch {
	case deploy:
		return decideDeploy(name, tree, deployBranch, match, pending, next)
	case match != nil:
		return Plan{}, fmt.Errorf("publish %s: no change: modules/%s at HEAD is v%d already (%s)", name, name, match.Number, match.Status())
	}
	return next, nil
}

// lookup finds module name's highest published version whose content is tree (match), and its
// highest version recorded but not tagged (pending); nil when there is none.
func lookup(st *review.State, name, tree string) (match, pending *review.VersionInfo) {
	for _, v := range st.Versions[name] {
		if v.Tree == tree && v.Published() && (match == nil || v.Number > match.Number) {
			match = v
		}
		if v.Recorded && v.Tag == "" && (pending == nil || v.Number > pending.Number) {
			pending = v
		}
	}
	return match, pending
}

// decideDeploy is Decide on the deploy branch; next records and tags the next version.
func decideDeploy(name, tree, deployBranch string, match, pending *review.VersionInfo, next Plan) (Plan, error) {
	switch {
	case match != nil && match.Tag != "" && !match.Pending && !match.Moved:
		return Plan{}, fmt.Errorf("publish %s: no change: modules/%s at HEAD is published as v%d (tag %s)", name, name, match.Number, match.Tag)
	case match != nil && match.Moved:
		return Plan{}, fmt.Errorf("publish %s: tag %s names other content than its record in %s; fix the tag first", name, match.Tag, lockfile.Name)
	case match != nil && match.Tag != "":
		return Plan{}, fmt.Errorf("publish %s: tag %s exists but its commit is not on %s; push or merge it", name, match.Tag, deployBranch)
	case match != nil:
		return Plan{Version: match.Number, Tag: true}, nil
	case pending != nil:
		return Plan{}, fmt.Errorf("publish %s: v%d is recorded in %s (tree %s) but not tagged, and modules/%s at HEAD (tree %s) is not that content; restore it or record it on a branch",
			name, pending.Number, lockfile.Name, Short(pending.Tree), name, Short(tree))
	}
	return next, nil
}

// record writes version n of module name (tree, recorded from commit from) into the
// actionsd.lock of dir (l, nil for none yet) and commits it; it returns the new commit.
func record(ctx context.Context, dir string, l *lockfile.Lock, name string, n int, tree, from string, sign bool) (string, error) {
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
	if _, err := gitcli.Run(ctx, dir, "add", "--", lockfile.Name); err != nil {
		return "", err
	}
	args := []string{"commit"}
	if sign {
		args = append(args, "-S")
	}
	args = append(args, "-q", "-m", fmt.Sprintf("publish %s v%d", name, n), "-m",
		fmt.Sprintf("Records modules/%s at tree %s as version %d in %s.", name, tree, n, lockfile.Name), "--", lockfile.Name)
	if _, err := gitcli.Run(ctx, dir, args...); err != nil {
		return "", err
	}
	return gitcli.Run(ctx, dir, "rev-parse", "HEAD")
}

// tag makes the tag of version n of module name at commit: annotated, or signed with
// opts.Sign, with opts.Message or "<name> v<n>". It returns the tag's name.
func tag(ctx context.Context, dir, name string, n int, commit string, opts Options) (string, error) {
	t := gitstore.VersionTag(name, n)
	msg := opts.Message
	if msg == "" {
		msg = fmt.Sprintf("%s v%d", name, n)
	}
	mode := "-a"
	if opts.Sign {
		mode = "-s"
	}
	if _, err := gitcli.Run(ctx, dir, "tag", mode, "-m", msg, t, commit); err != nil {
		return "", err
	}
	return t, nil
}

// Short is a hash's first 7 characters, as publish's messages show it.
func Short(hash string) string {
	if len(hash) > 7 {
		return hash[:7]
	}
	return hash
}
