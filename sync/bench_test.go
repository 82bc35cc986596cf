package sync

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/zap"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/vaultsecrets"
)

// benchRepo is a local repository of 100 actions (a tenth in TypeScript), each pinning the
// module logger v1, published by a tag.
func benchRepo(b *testing.B) (dir string, git func(args ...string)) {
	b.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git is not installed")
	}
	dir = b.TempDir()
	git = func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=Bench", "GIT_AUTHOR_EMAIL=b@example.invalid", "GIT_COMMITTER_NAME=Bench", "GIT_COMMITTER_EMAIL=b@example.invalid")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(path, content string) {
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write("modules/logger/module.yaml", "description: logs\n")
	write("modules/logger/index.js", "exports.log = (m) => m;\n")
	triggers := "post-login: ["
	for i := range 100 {
		name := fmt.Sprintf("a%d", i)
		write("actions/"+name+"/action.yaml", "trigger: post-login\nmodules:\n  logger: 1\n")
		if i%10 == 0 {
			write("actions/"+name+"/index.ts", "const logger = require('actions:logger');\nexport const onExecutePostLogin = async (event: unknown, api: any): Promise<void> => {\n  api.idToken.setCustomClaim('v', logger.log('0'));\n};\n")
		} else {
			write("actions/"+name+"/index.js", benchAction(0))
		}
		if i > 0 {
			triggers += ", "
		}
		triggers += name
	}
	write("triggers.yaml", triggers+"]\n")
	git("add", "-A")
	git("commit", "-q", "-m", "actions")
	git("tag", "modules/logger/v1")
	return dir, git
}

func benchAction(v int) string {
	return fmt.Sprintf("const logger = require('actions:logger');\nexports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('v', logger.log('%d'));\n};\n", v)
}

func benchReconciler(b *testing.B, dir string) (*Reconciler, context.Context) {
	b.Helper()
	store, err := gitstore.Open(gitstore.Options{URL: dir, DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	rec := New(Config{Repository: store, Secrets: vaultsecrets.NewStatic(nil, zap.NewNop()), PollInterval: -1, Logger: zap.NewNop()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		<-done
		if g := rec.Current(); g != nil {
			g.Close()
		}
	})
	if st, err := rec.Sync(ctx); err != nil || !st.Ready || len(st.Errors) > 0 {
		b.Fatalf("first sync: %v, errors %v", err, st.Errors)
	}
	return rec, ctx
}

// BenchmarkReconcile times whole reconciles over a real git mirror (gitstore.Store on a local
// repository): of an unchanged commit (a forced sync: every step reads again until the build
// finds nothing to do), and of a commit that changes one action (rebuilt; the 99 others reused).
func BenchmarkReconcile(b *testing.B) {
	b.Run("unchanged", func(b *testing.B) {
		dir, _ := benchRepo(b)
		rec, ctx := benchReconciler(b, dir)
		b.ReportAllocs()
		for b.Loop() {
			if st, err := rec.Sync(ctx); err != nil || len(st.Errors) > 0 {
				b.Fatalf("sync: %v %v", err, st.Errors)
			}
		}
	})
	b.Run("one-action", func(b *testing.B) {
		dir, git := benchRepo(b)
		rec, ctx := benchReconciler(b, dir)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			b.StopTimer()
			i++
			if err := os.WriteFile(filepath.Join(dir, "actions/a1/index.js"), []byte(benchAction(i)), 0o644); err != nil {
				b.Fatal(err)
			}
			git("commit", "-q", "-am", fmt.Sprint("change ", i))
			b.StartTimer()
			if st, err := rec.Sync(ctx); err != nil || len(st.Errors) > 0 || st.Applied.Commit != st.Attempted.Commit {
				b.Fatalf("sync: %v %v", err, st.Errors)
			}
		}
	})
}
