package sync

import (
	"fmt"
	"sort"
	"strings"

	"github.com/actionsd/actionsd/gitstore"
)

// Validate checks what gitstore cannot check file by file: references between objects. It returns the
// snapshot's own errors followed by these, sorted by file and line; an empty result means the snapshot
// may deploy.
func Validate(s *gitstore.Snapshot) []Problem {
	var out []Problem
	for _, e := range s.Errors {
		out = append(out, fromGit(ObjectOf(e.File), e))
	}
	if s.Triggers != nil {
		for trig, list := range s.Triggers.Bindings {
			for _, b := range list {
				a, ok := s.Actions[b.Action]
				switch {
				case !ok:
					out = append(out, at(b.Pos, "triggers.yaml", trig, "action %q does not exist (no actions/%s/action.yaml)", b.Action, b.Action))
				case a.Trigger != trig:
					out = append(out, at(b.Pos, "triggers.yaml", trig, "action %q declares trigger %q, not %q", b.Action, a.Trigger, trig))
				}
			}
		}
	}
	for _, a := range s.Actions {
		object := "actions/" + a.Name
		for _, name := range sortedKeys(a.Modules) {
			pin := a.Modules[name]
			field := "modules." + name
			vs := s.Modules[name]
			if vs == nil || len(vs.Versions) == 0 {
				if _, draft := s.Drafts[name]; draft {
					out = append(out, at(pin.Pos, object, field, "module %q has no published version (tag modules/%s/v1 on the deploy branch publishes one)", name, name))
				} else {
					out = append(out, at(pin.Pos, object, field, "module %q does not exist", name))
				}
				continue
			}
			if _, ok := vs.Versions[pin.Version]; !ok {
				out = append(out, at(pin.Pos, object, field, "module %s v%d is not published (published: %s)", name, pin.Version, publishedList(vs)))
			}
		}
	}
	sortProblems(out)
	return out
}

// ObjectOf names the object a repository file belongs to: "actions/x", "modules/y" or the file.
func ObjectOf(file string) string {
	parts := strings.SplitN(file, "/", 3)
	if len(parts) >= 2 && (parts[0] == "actions" || parts[0] == "modules") {
		return parts[0] + "/" + parts[1]
	}
	return file
}

func publishedList(vs *gitstore.Versions) string {
	nums := make([]int, 0, len(vs.Versions))
	for n := range vs.Versions {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = fmt.Sprintf("v%d", n)
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
