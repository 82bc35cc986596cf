package review

import (
	"fmt"
	"os"
	"strings"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/npmvendor"
)

// Manifests reads the working tree at dir as the daemon reads a commit (gitstore.ReadTree; dir
// need not be a git repository) and returns every action's and module draft's manifest, by
// owner key ("actions/<name>", "modules/<name>"). Any error of the tree is an error, listing
// them all: `actionsd lock` and `vendor` write only for a repository without errors.
func Manifests(dir string) (map[string]npmvendor.Manifest, error) {
	snap, err := gitstore.ReadTree(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	if len(snap.Errors) > 0 {
		var msgs []string
		for _, p := range snap.Errors {
			msgs = append(msgs, p.Error())
		}
		return nil, fmt.Errorf("the repository has errors:\n  %s", strings.Join(msgs, "\n  "))
	}
	out := map[string]npmvendor.Manifest{}
	for name, a := range snap.Actions {
		out["actions/"+name] = npmvendor.Manifest{Path: "actions/" + name + "/action.yaml", Dependencies: a.Dependencies}
	}
	for name, m := range snap.Drafts {
		out["modules/"+name] = npmvendor.Manifest{Path: "modules/" + name + "/module.yaml", Dependencies: m.Dependencies}
	}
	return out, nil
}
