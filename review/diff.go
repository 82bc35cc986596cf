package review

import (
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// diffFiles compares a folder's files (by path relative to dir) and returns the changed files
// (repository-relative, sorted) and the number of lines added and removed. Binary files count as
// changed without lines.
func diffFiles(dir string, before, after map[string][]byte) (files []string, added, removed int) {
	files = []string{}
	all := map[string]bool{}
	for f := range before {
		all[f] = true
	}
	for f := range after {
		all[f] = true
	}
	for _, f := range slices.Sorted(maps.Keys(all)) {
		b, bok := before[f]
		a, aok := after[f]
		if bok && aok && string(a) == string(b) {
			continue
		}
		files = append(files, dir+"/"+f)
		if !utf8.Valid(a) || !utf8.Valid(b) {
			continue
		}
		ad, rm := lineDiff(string(b), string(a))
		added += ad
		removed += rm
	}
	return files, added, removed
}

// lineDiff counts the lines added and removed from a to b: a diff of lines (Myers'), with a
// generous timeout so that a loaded machine does not cut it short.
func lineDiff(a, b string) (added, removed int) {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = time.Hour
	ra, rb, lines := dmp.DiffLinesToRunes(a, b)
	for _, d := range dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), lines) {
		n := strings.Count(d.Text, "\n")
		if !strings.HasSuffix(d.Text, "\n") && d.Text != "" {
			n++
		}
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			added += n
		case diffmatchpatch.DiffDelete:
			removed += n
		}
	}
	return added, removed
}
