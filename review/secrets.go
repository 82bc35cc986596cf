package review

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/actionsd/actionsd/diag"
	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// DeclaredSecrets reads the working tree at dir as the daemon reads a commit (gitstore.ReadTree;
// dir need not be a git repository) and returns the secret names each action and module draft
// declares, by owner, and the problems of the manifests, and the names of the folders with a
// manifest that are not valid. Other problems of the tree (a missing entry file, JavaScript) are
// validate's, not reported here.
func DeclaredSecrets(dir string) (map[vaultsecrets.Owner][]string, []string) {
	fsys := os.DirFS(dir)
	snap, err := gitstore.ReadTree(fsys)
	if err != nil {
		return map[vaultsecrets.Owner][]string{}, []string{err.Error()}
	}
	var problems []string
	for _, d := range snap.Errors {
		if p, ok := manifestProblem(fsys, d); ok {
			problems = append(problems, p)
		}
	}
	out := map[vaultsecrets.Owner][]string{}
	for name, a := range snap.Actions {
		if len(a.Secrets) > 0 {
			out[vaultsecrets.Owner{Kind: vaultsecrets.KindAction, Name: name}] = a.Secrets
		}
	}
	for name, m := range snap.Drafts {
		if len(m.Secrets) > 0 {
			out[vaultsecrets.Owner{Kind: vaultsecrets.KindModule, Name: name}] = m.Secrets
		}
	}
	return out, problems
}

// manifestProblem returns d's text when d is about an action.yaml or module.yaml, or about the
// actions or modules folder as a whole (not a folder, or over the limit of folders); when d is
// about the name of an action or module folder that holds its manifest, it returns that the
// name is not valid, naming the manifest.
func manifestProblem(fsys fs.FS, d diag.Diagnostic) (string, bool) {
	if b := path.Base(d.File); b == "action.yaml" || b == "module.yaml" || d.File == "actions" || d.File == "modules" {
		return d.Error(), true
	}
	kind, name, ok := strings.Cut(d.File, "/")
	manifest := map[string]string{"actions": "action.yaml", "modules": "module.yaml"}[kind]
	if !ok || manifest == "" || strings.Contains(name, "/") || gitstore.ValidName(name) {
		return "", false
	}
	rel := d.File + "/" + manifest
	if _, err := fs.Stat(fsys, rel); err != nil {
		return "", false
	}
	return fmt.Sprintf("%s: %q is not a valid name", rel, name), true
}
