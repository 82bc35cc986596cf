package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/internal/buildinfo"
)

// goList runs `go list` with args and returns its output, trimmed.
func goList(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// TestVersionCommand runs the built binary's `version`, `version --json` and `--version`: the
// engines' versions are go.mod's, goja is marked as replaced by the fork in third_party/goja, Go
// is the toolchain's, and the commit is the checkout's HEAD when the build could stamp it.
func TestVersionCommand(t *testing.T) {
	dir := t.TempDir()
	var info buildinfo.Info
	out := run(t, dir, "", "version", "--json").want(t, 0, "version --json").stdout
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("version --json: %v\n%s", err, out)
	}
	if want := goList(t, "-m", "-f", "{{.Version}}", buildinfo.EsbuildPath); info.Esbuild.Version != want {
		t.Errorf("esbuild %q, want go.mod's %q", info.Esbuild.Version, want)
	}
	if want := goList(t, "-m", "-f", "{{.Version}}", buildinfo.GojaPath); info.Goja.Version != want {
		t.Errorf("goja %q, want go.mod's %q", info.Goja.Version, want)
	}
	if info.Goja.Replace != "./third_party/goja" {
		t.Errorf("goja replace %q, want ./third_party/goja (the fork)", info.Goja.Replace)
	}
	if info.Go != runtime.Version() {
		t.Errorf("go %q, want %q", info.Go, runtime.Version())
	}
	if want := runtime.GOOS + "/" + runtime.GOARCH; info.Platform != want {
		t.Errorf("platform %q, want %q", info.Platform, want)
	}
	// Go stamps the commit only when the module root holds a .git folder and -buildvcs allows
	// it; a git worktree (.git is a file) or GOFLAGS=-buildvcs=false builds without it.
	root := goList(t, "-m", "-f", "{{.Dir}}")
	head := gitIn(t, root, "rev-parse", "HEAD")
	if info.Commit != "" && info.Commit != head {
		t.Errorf("commit %q, want HEAD %s", info.Commit, head)
	}

	text := run(t, dir, "", "version").want(t, 0, "version").stdout
	for _, want := range []string{"actionsd " + info.Version + "\n", "goja:", "replaced by ./third_party/goja", "our fork",
		"esbuild:     " + info.Esbuild.Version, "go:          " + info.Go, "build date:", "commit:"} {
		if !strings.Contains(text, want) {
			t.Errorf("version: no %q in\n%s", want, text)
		}
	}
	if info.Commit != "" && !strings.Contains(text, info.Commit) {
		t.Errorf("version: commit %s missing from\n%s", info.Commit, text)
	}
	if flag := run(t, dir, "", "--version").want(t, 0, "--version").stdout; flag != text {
		t.Errorf("--version differs from version:\n%s\nwant\n%s", flag, text)
	}
}

// TestVersionStamped builds the binary as a release does (-buildvcs=true from a clone, the version
// and build date set with -ldflags -X) and checks that they reach `version`: the commit is HEAD,
// the version and date the ones given.
func TestVersionStamped(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary again")
	}
	root := goList(t, "-m", "-f", "{{.Dir}}")
	src := root
	if fi, err := os.Stat(filepath.Join(root, ".git")); err != nil || !fi.IsDir() {
		// A worktree: Go stamps no commit there, so build from a shared clone of HEAD (objects
		// are borrowed, nothing is copied); the clone holds the committed code, not edits.
		src = filepath.Join(t.TempDir(), "clone")
		gitIn(t, root, "clone", "-q", "--shared", "--no-checkout", root, src)
		gitIn(t, src, "checkout", "-q", gitIn(t, root, "rev-parse", "HEAD"))
	}
	head := gitIn(t, src, "rev-parse", "HEAD")
	bin := filepath.Join(t.TempDir(), "actionsd")
	const date, version = "2026-01-02T03:04:05Z", "v9.8.7-test"
	cmd := exec.Command("go", "build", "-buildvcs=true", "-ldflags", "-X github.com/actionsd/actionsd/internal/buildinfo.date="+date+
		" -X github.com/actionsd/actionsd/internal/buildinfo.version="+version, "-o", bin, "./cmd/actionsd")
	cmd.Dir = src
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version", "--json").Output()
	if err != nil {
		t.Fatalf("version --json: %v", err)
	}
	var info buildinfo.Info
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("version --json: %v\n%s", err, out)
	}
	if info.Commit != head {
		t.Errorf("commit %q, want %s", info.Commit, head)
	}
	if info.CommitTime == "" {
		t.Error("no commit time")
	}
	if info.Version != version {
		t.Errorf("version %q, want %q", info.Version, version)
	}
	if info.BuildDate != date {
		t.Errorf("build date %q, want %q", info.BuildDate, date)
	}
}
