package layers

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/actionsd/actionsd/"

// rule forbids the packages matching from (a path relative to the module, "x/..." for x and
// everything below it) to import any package matching one of to.
type rule struct {
	from string
	to   []string
	why  string
}

var rules = []rule{
	{"runner/...", []string{"sync/...", "gitstore/...", "vaultsecrets/...", "npmvendor/...", "internal/api/...", "prepare/...", "review/...", "localrun/..."},
		"the runner is handed sources, secrets and bundles; it reads no git, Vault or npm and serves no HTTP"},
	{"gitstore/...", []string{"sync/...", "runner/...", "npmvendor/...", "vaultsecrets/..."}, "git is read without knowing what the content becomes"},
	{"vaultsecrets/...", []string{"sync/...", "runner/...", "gitstore/..."}, "secrets are read by name, for whoever asks"},
	{"npmvendor/...", []string{"sync/...", "runner/..."}, "bundles are files and bytes"},
	{"sync/...", []string{"internal/api/..."}, "the reconciler does not know who asks for its status"},
	{"review/...", []string{"sync/..."}, "review shares the prepare path with the daemon, not the reconciler"},
	{"localrun/...", []string{"sync/..."}, "local runs share the prepare path with the daemon, not the reconciler"},
	{"prepare/...", []string{"sync/...", "internal/api/...", "review/...", "localrun/..."}, "the prepare path is shared by the reconciler, review and local runs, and knows none of them"},
	{"replay/...", []string{"sync/...", "internal/api/...", "review/...", "localrun/...", "prepare/..."},
		"replay reads records over HTTP as any client and is handed a built generation; review and the CLI use it"},
	{"internal/peers/...", []string{"sync/...", "runner/...", "gitstore/...", "internal/api/..."}, "a signal carries no content; a peer's status is JSON"},
	{"jsdeps/...", []string{"runner/...", "npmvendor/...", "sync/...", "prepare/..."}, "a leaf that the runner and npmvendor share"},
	{"diag/...", []string{"..."}, "a leaf: every step reports with it"},
	{"internal/tracing/...", []string{"runner/...", "sync/...", "internal/api/...", "internal/daemon/..."},
		"tracing implements the hooks of the runner, the reconciler and the API without knowing them; the daemon wires it"},
	{"internal/ui/...", []string{"..."}, "a leaf: static files that read the API over HTTP, like any client"},
}

// goGit may be imported by gitstore alone: it is the only reader of git.
const goGit = "github.com/go-git/go-git/"

type pkg struct {
	path    string // relative to the module
	imports []string
}

// list returns every package of the module with its imports (test imports included when tests).
func list(t *testing.T, tests bool) []pkg {
	t.Helper()
	format := `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`
	if tests {
		format = `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}{{range .TestImports}} {{.}}{{end}}{{range .XTestImports}} {{.}}{{end}}`
	}
	cmd := exec.Command("go", "list", "-f", format, module+"...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		pkgs = append(pkgs, pkg{path: strings.TrimPrefix(f[0], module), imports: f[1:]})
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages: %s", len(pkgs), out)
	}
	return pkgs
}

func matches(pattern, path string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == base || strings.HasPrefix(path, base+"/")
	}
	return path == pattern
}

// TestImportRules fails on every import that breaks a rule of docs/architecture.md.
func TestImportRules(t *testing.T) {
	for _, p := range list(t, false) {
		for _, imp := range p.imports {
			own, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			for _, r := range rules {
				if !matches(r.from, p.path) || matches(r.from, own) {
					continue
				}
				for _, to := range r.to {
					if matches(to, own) {
						t.Errorf("%s imports %s: %s", p.path, own, r.why)
					}
				}
			}
		}
	}
}

// gitWriters may import go-git in their tests, only to write: the issue's one exception ("nothing
// outside gitstore imports go-git except where it writes").
var gitWriters = map[string]string{
	"internal/daemon": "signature_test.go writes OpenPGP-signed commits and tags, which the git CLI cannot without a gpg agent",
}

// TestOnlyGitstoreReadsGit: nothing but gitstore imports go-git. Tests drive the git CLI, as users
// do, except where they write what the CLI cannot (gitWriters).
func TestOnlyGitstoreReadsGit(t *testing.T) {
	code := map[string]bool{}
	for _, p := range list(t, false) {
		for _, imp := range p.imports {
			code[p.path+" "+imp] = true
		}
	}
	for _, p := range list(t, true) {
		if matches("gitstore/...", p.path) {
			continue
		}
		for _, imp := range p.imports {
			if !strings.HasPrefix(imp, goGit) {
				continue
			}
			if _, ok := gitWriters[p.path]; ok && !code[p.path+" "+imp] {
				continue
			}
			t.Errorf("%s imports %s: gitstore is the only reader of git", p.path, imp)
			break
		}
	}
	for path := range gitWriters {
		found := false
		for _, p := range list(t, true) {
			if p.path == path {
				found = true
			}
		}
		if !found {
			t.Errorf("gitWriters names %s, which is not a package", path)
		}
	}
}

// TestRulesMatchSomething keeps the rules honest: each names packages that exist.
func TestRulesMatchSomething(t *testing.T) {
	pkgs := list(t, false)
	for _, r := range rules {
		found := false
		for _, p := range pkgs {
			if matches(r.from, p.path) {
				found = true
			}
		}
		if !found {
			t.Errorf("rule for %s matches no package", r.from)
		}
	}
}

// openTelemetry may be imported by internal/tracing alone; the runner, the reconciler and the API
// call hooks of their own, nil while tracing is off.
const openTelemetry = "go.opentelemetry.io/"

// TestOnlyTracingImportsOpenTelemetry: no package but internal/tracing (and its test helper)
// imports OpenTelemetry; tests may, to record spans.
func TestOnlyTracingImportsOpenTelemetry(t *testing.T) {
	for _, p := range list(t, false) {
		if matches("internal/tracing/...", p.path) {
			continue
		}
		for _, imp := range p.imports {
			if strings.HasPrefix(imp, openTelemetry) {
				t.Errorf("%s imports %s: internal/tracing is the only user of OpenTelemetry", p.path, imp)
			}
		}
	}
}
