package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/review"
)

func newVersionsCmd() *cobra.Command {
	var (
		repo   repoFlags
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "versions <module>",
		Short: "List a module's versions and the actions that pin each",
		Long: `versions lists every version of a module: recorded in actionsd.lock, tagged
modules/<name>/v<N>, or both, with the commit, date, author and message of its tag (the tag's
own for an annotated tag, else its commit's), its status, and the actions of the working tree
that pin it. The draft (modules/<name>/ in the working tree) is listed last.`,
		Example: `  actionsd versions logger
  actionsd versions logger --json | jq '.versions[] | select(.pinned_by == [])'`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeObjects(&repo, "modules"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := repo.open()
			if err != nil {
				return err
			}
			st, err := r.Read(review.WorkingTree)
			if err != nil {
				return err
			}
			name := args[0]
			if st.Versions[name] == nil && st.Snap.Drafts[name] == nil {
				return fmt.Errorf("versions: no module %s (no modules/%s and no version of it)", name, name)
			}
			return printVersions(cmd.OutOrStdout(), st, name, asJSON)
		},
	}
	repo.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return usage(cmd)
}

func printVersions(w io.Writer, st *review.State, name string, asJSON bool) error {
	rows := st.ModuleVersions(name)
	draft := ""
	if d := st.Snap.Drafts[name]; d != nil {
		draft = d.Tree
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"module": name, "versions": rows, "draft_tree": draft})
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATUS\tCOMMIT\tDATE\tAUTHOR\tMESSAGE\tPINNED BY")
	for _, r := range rows {
		date := ""
		if !r.Date.IsZero() {
			date = r.Date.UTC().Format("2006-01-02")
		}
		fmt.Fprintf(tw, "v%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Version, r.Status, short(r.Commit), date, r.Author, r.Message, strings.Join(r.PinnedBy, ", "))
	}
	if draft != "" {
		state := "unpublished changes"
		for _, r := range rows {
			if r.Tree == draft {
				state = fmt.Sprintf("same as v%d", r.Version)
			}
		}
		fmt.Fprintf(tw, "draft\t%s\t\t\t\tmodules/%s in the working tree\t\n", state, name)
	}
	return tw.Flush()
}
