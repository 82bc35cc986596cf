package gitstore

// Benchmarks of reading a snapshot. Compare before/after a change in one run:
//
//	go test ./gitstore -run '^$' -bench 'ReadTree|StoreSnapshot' -count 6

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
)

// benchRepo is a packed repository of 500 actions (three small files each), 100 modules and a
// few larger files (64 KiB and 1 MiB, above go-git's small-object threshold), made with
// git fast-import.
func benchRepo(b *testing.B) string {
	b.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git is not installed")
	}
	dir := b.TempDir()
	run := func(stdin string, args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = dir, gitEnv
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("", "init", "-q", "-b", "main")
	var buf bytes.Buffer
	inline := func(path, content string) {
		fmt.Fprintf(&buf, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
	}
	buf.WriteString("commit refs/heads/main\ncommitter Bench <b@example.invalid> 1700000000 +0000\ndata 5\nbench\n")
	inline("triggers.yaml", "post-login: [a0]\n")
	for i := range 500 {
		inline(fmt.Sprintf("actions/a%d/action.yaml", i), "trigger: post-login\nsecrets: [KEY]\n")
		inline(fmt.Sprintf("actions/a%d/index.js", i), fmt.Sprintf("const u = require('./lib/util');\nexports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('a', u.v + %d); };\n", i))
		inline(fmt.Sprintf("actions/a%d/lib/util.js", i), fmt.Sprintf("exports.v = %d;\n%s", i, strings.Repeat("// padding line of a helper file\n", 60)))
	}
	for i := range 100 {
		inline(fmt.Sprintf("modules/m%d/module.yaml", i), "description: bench\n")
		inline(fmt.Sprintf("modules/m%d/index.js", i), fmt.Sprintf("module.exports = { m: %d };\n", i))
	}
	for i := range 8 {
		inline(fmt.Sprintf("actions/a%d/data.js", i), fmt.Sprintf("// %d\n%s", i, strings.Repeat("exports.x = 'some generated data that compresses';\n", 1300)))
	}
	inline("actions/a9/big.js", strings.Repeat("exports.y = 'a large generated file of about one mebibyte';\n", 17500))
	buf.WriteString("\n")
	run(buf.String(), "fast-import", "--quiet")
	run("", "gc", "-q")
	return dir
}

// BenchmarkReadTree reads the HEAD tree of benchRepo cold (a new TreeFS, no cache) each time.
func BenchmarkReadTree(b *testing.B) {
	dir := benchRepo(b)
	repo, err := git.PlainOpen(dir)
	if err != nil {
		b.Fatal(err)
	}
	ref, err := repo.Head()
	if err != nil {
		b.Fatal(err)
	}
	c, err := repo.CommitObject(ref.Hash())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		snap, err := ReadTree(NewTreeFS(repo.Storer, c.TreeHash))
		if err != nil || len(snap.Actions) != 500 || len(snap.Errors) > 0 {
			b.Fatalf("ReadTree: %d actions, errors %q, %v", len(snap.Actions), problems(snap.Errors), err)
		}
	}
}

// BenchmarkStoreSnapshot opens a Store on a fetched mirror of benchRepo and takes its first
// Snapshot each time, as a daemon does at start.
func BenchmarkStoreSnapshot(b *testing.B) {
	dir := benchRepo(b)
	data := b.TempDir()
	s, err := Open(Options{URL: dir, DataDir: data})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Fetch(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s, err := Open(Options{URL: dir, DataDir: data})
		if err != nil {
			b.Fatal(err)
		}
		snap, err := s.Snapshot(context.Background())
		if err != nil || len(snap.Actions) != 500 || len(snap.Errors) > 0 {
			b.Fatalf("Snapshot: %v", err)
		}
	}
}
