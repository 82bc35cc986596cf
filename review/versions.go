package review

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// VersionRow is one version of a module as `actionsd versions` lists it.
type VersionRow struct {
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

// ModuleVersions lists every version of module name at s, by number: its status, the commit,
// date, author and message of its tag (the tag's own for an annotated tag, else its commit's) or
// of its record, and the actions of s that pin it, sorted.
func (s *State) ModuleVersions(name string) []VersionRow {
	rows := []VersionRow{}
	for _, n := range slices.Sorted(maps.Keys(s.Versions[name])) {
		v := s.Versions[name][n]
		row := VersionRow{Version: n, Status: v.Status(), Tag: v.Tag, Tree: v.Tree, PinnedBy: []string{}}
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
		for _, a := range slices.Sorted(maps.Keys(s.Snap.Actions)) {
			if p, ok := s.Snap.Actions[a].Modules[name]; ok && p.Version == n {
				row.PinnedBy = append(row.PinnedBy, a)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
