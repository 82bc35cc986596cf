package prepare

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
)

// Validate checks what gitstore cannot check file by file: references between objects. It returns
// the snapshot's own errors followed by these, sorted by file and line; an empty result means the
// snapshot may deploy.
//
// It lives here, not in gitstore: gitstore reads each file as it is, while whether the objects of
// a snapshot fit together is the first question of preparing them for the runner.
func Validate(s *gitstore.Snapshot) diag.List {
	out := append(diag.List{}, s.Errors...)
	if s.Triggers != nil {
		for trig, list := range s.Triggers.Bindings {
			for _, b := range list {
				a, ok := s.Actions[b.Action]
				switch {
				case !ok:
					out = append(out, diag.At("triggers.yaml", b.Pos, trig, "action %q does not exist (no actions/%s/action.yaml)", b.Action, b.Action))
				case a.Trigger == "":
					// Its action.yaml's trigger is missing or unknown: that file's error says so,
					// and naming "" here would only repeat it.
				case a.Trigger != trig:
					out = append(out, diag.At("triggers.yaml", b.Pos, trig, "action %q declares trigger %q, not %q", b.Action, a.Trigger, trig))
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
					out = append(out, diag.At(object, pin.Pos, field, "module %q has no published version (tag modules/%s/v1 on the deploy branch publishes one)", name, name))
				} else {
					out = append(out, diag.At(object, pin.Pos, field, "module %q does not exist", name))
				}
				continue
			}
			if _, ok := vs.Versions[pin.Version]; !ok {
				out = append(out, diag.At(object, pin.Pos, field, "module %s v%d is not published (published: %s)", name, pin.Version, publishedList(vs)))
			}
		}
	}
	Sort(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// Sort orders diagnostics by file, line and column, keeping the order of those at one place.
func Sort(l diag.List) {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].File != l[j].File {
			return l[i].File < l[j].File
		}
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		return l[i].Col < l[j].Col
	})
}

func publishedList(vs *gitstore.Versions) string {
	nums := slices.Sorted(maps.Keys(vs.Versions))
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = fmt.Sprintf("v%d", n)
	}
	return strings.Join(parts, ", ")
}
