package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionsd/actionsd/review"
)

// versionRow is one line of `actionsd versions`.
type versionRow struct {
	Version  int       `json:"version"`
	Status   string    `json:"status"` // published, recorded, pending, moved, unrecorded
	Tag      string    `json:"tag,omitempty"`
	Commit   string    `json:"commit,omitempty"`
	Tree     string    `json:"tree"`
	Date     time.Time `json:"date,omitzero"`
	Author   string    `json:"author,omitempty"`
	Message  string    `json:"message,omitempty"`
	PinnedBy []string  `json:"pinned_by"` // actions that pin it in the working tree
}

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
	rows := []versionRow{}
	for _, n := range slices.Sorted(maps.Keys(st.Versions[name])) {
		v := st.Versions[name][n]
		row := versionRow{Version: n, Status: v.Status(), Tag: v.Tag, Tree: v.Tree, PinnedBy: []string{}}
		if row.Tree == "" {
			row.Tree = v.TagTree
		}
		switch {
		case v.TagCommit != "":
			row.Commit = v.TagCommit
			row.Date, row.Author, row.Message = v.TagDate, v.TagAuthor, firstLine(v.TagMessage)
		default:
			row.Commit = v.RecordCommit
			row.Message = "recorded in actionsd.lock; not tagged yet"
		}
		for _, a := range slices.Sorted(maps.Keys(st.Snap.Actions)) {
			if p, ok := st.Snap.Actions[a].Modules[name]; ok && p.Version == n {
				row.PinnedBy = append(row.PinnedBy, a)
			}
		}
		rows = append(rows, row)
	}
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

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
