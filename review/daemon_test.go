package review

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/actionsd/actionsd/gitstore"
	"github.com/actionsd/actionsd/lockfile"
	"github.com/actionsd/actionsd/prepare"
)

// TestReviewAgreesWithTheDaemon: what `actionsd validate` calls published is what the daemon
// publishes from the same repository — the daemon (a gitstore.Store with an empty data dir,
// fetching the repository) and a review of its deploy branch see the same module versions, and a
// pin of a version the daemon refuses is an error of both.
func TestReviewAgreesWithTheDaemon(t *testing.T) {
	tests := []struct {
		name string
		// build makes the repository: main pins logger v2, which the daemon refuses; it returns
		// the signature policy of both sides.
		build func(t *testing.T, r *testRepo) gitstore.Verify
		// refusal is the daemon's warning about v2.
		refusal string
	}{
		{
			name: "a record that contradicts the tag and names a tree not on the deploy branch",
			build: func(t *testing.T, r *testRepo) gitstore.Verify {
				agreeBase(r)
				// logger's next content, recorded as v2 on a branch that is never merged.
				r.git("checkout", "-q", "-b", "unmerged")
				agreeWrite(t, r, "modules/logger/index.js", "module.exports = { v: 'unmerged' };\n")
				r.commit("logger: unmerged content")
				unmerged := r.git("rev-parse", "HEAD:modules/logger")
				r.git("checkout", "-q", "main")
				// On main: other content, tagged v2, while the lock records the unmerged tree.
				agreeWrite(t, r, "modules/logger/index.js", "module.exports = { v: 'main' };\n")
				l := r.lock()
				l.SetRecord("logger", 2, &lockfile.VersionRecord{Tree: unmerged, Commit: r.git("rev-parse", "unmerged")})
				r.writeLock(l)
				agreeWrite(t, r, "actions/log-login/action.yaml", "trigger: post-login\nmodules:\n  logger: 2\n")
				r.commit("logger v2")
				r.git("tag", "-a", "-m", "logger v2", "modules/logger/v2")
				return gitstore.Verify{}
			},
			refusal: "tag modules/logger/v2 contradicts its record in actionsd.lock",
		},
		{
			name: "a tag signed by a key the daemon does not trust (--verify tags)",
			build: func(t *testing.T, r *testRepo) gitstore.Verify {
				trusted, stranger := agreeSSHKey(t, "trusted"), agreeSSHKey(t, "stranger")
				r.signingKey = trusted
				agreeBase(r) // v1, signed by the trusted key
				agreeWrite(t, r, "modules/logger/index.js", "module.exports = { v: 2 };\n")
				r.commit("logger v2 content")
				l := r.lock()
				l.SetRecord("logger", 2, &lockfile.VersionRecord{Tree: r.git("rev-parse", "HEAD:modules/logger"), Commit: r.git("rev-parse", "HEAD")})
				r.writeLock(l)
				agreeWrite(t, r, "actions/log-login/action.yaml", "trigger: post-login\nmodules:\n  logger: 2\n")
				r.commit("publish logger v2")
				r.signingKey = stranger
				r.tag("modules/logger/v2")
				keys, err := gitstore.ReadSSHKeys(trusted + ".pub")
				if err != nil {
					t.Fatal(err)
				}
				return gitstore.Verify{Tags: true, SSHKeys: keys}
			},
			refusal: "tag modules/logger/v2: signature: signature not valid for a trusted key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &testRepo{t: t, dir: t.TempDir()}
			r.git("init", "-q", "-b", "main")
			verify := tt.build(t, r)
			ctx := context.Background()

			store, err := gitstore.Open(gitstore.Options{URL: r.dir, DataDir: t.TempDir(), Verify: verify})
			if err != nil {
				t.Fatal(err)
			}
			if err := store.Fetch(ctx); err != nil {
				t.Fatal(err)
			}
			daemon, err := store.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			repo, err := Open(r.dir, "main")
			if err != nil {
				t.Fatal(err)
			}
			repo.Verify = verify
			st, err := repo.Read("main")
			if err != nil {
				t.Fatal(err)
			}

			if got, want := published(st.Snap), published(daemon); got != want || want != "logger v1" {
				t.Errorf("published: review %q, daemon %q; want both %q", got, want, "logger v1")
			}
			if !strings.Contains(daemon.Warnings.String(), tt.refusal) {
				t.Fatalf("the daemon's warnings do not refuse v2 (%q):\n%s", tt.refusal, daemon.Warnings)
			}
			const notPublished = "module logger v2 is not published (published: v1)"
			if got := prepare.Validate(daemon).String(); !strings.Contains(got, notPublished) {
				t.Errorf("the daemon's validate: got\n%s\nwant %q", got, notPublished)
			}
			if got := Check(ctx, st, Options{SkipRun: true}).String(); !strings.Contains(got, notPublished) {
				t.Errorf("the review: got errors\n%s\nwant %q, as the daemon", got, notPublished)
			}
		})
	}
}

// published lists the module versions of a snapshot: "logger v1, logger v2".
func published(snap *gitstore.Snapshot) string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(snap.Modules)) {
		for _, n := range slices.Sorted(maps.Keys(snap.Modules[name].Versions)) {
			out = append(out, fmt.Sprintf("%s v%d", name, n))
		}
	}
	return strings.Join(out, ", ")
}

// agreeBase commits the logger module and the log-login action pinning it, and publishes logger
// v1 as `actionsd publish` does: a record in actionsd.lock, then an annotated (or, with a signing
// key, signed) tag.
func agreeBase(r *testRepo) {
	t := r.t
	agreeWrite(t, r, "triggers.yaml", "post-login: [log-login]\n")
	agreeWrite(t, r, "modules/logger/module.yaml", "description: logs\n")
	agreeWrite(t, r, "modules/logger/index.js", "module.exports = { v: 1 };\n")
	agreeWrite(t, r, "actions/log-login/action.yaml", "trigger: post-login\nmodules:\n  logger: 1\n")
	agreeWrite(t, r, "actions/log-login/index.js", "const logger = require('actions:logger');\nexports.onExecutePostLogin = async () => {};\n")
	r.commit("base")
	l := lockfile.New()
	l.SetRecord("logger", 1, &lockfile.VersionRecord{Tree: r.git("rev-parse", "HEAD:modules/logger"), Commit: r.git("rev-parse", "HEAD")})
	r.writeLock(l)
	r.commit("publish logger v1")
	r.tag("modules/logger/v1")
}

func agreeWrite(t *testing.T, r *testRepo, path, content string) {
	t.Helper()
	full := filepath.Join(r.dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// agreeSSHKey makes an ed25519 key pair for git's SSH signing; it returns the private key's path
// (the public key is beside it, with .pub).
func agreeSSHKey(t *testing.T, name string) string {
	t.Helper()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen is not installed: git cannot sign with an SSH key here")
	}
	path := filepath.Join(t.TempDir(), name)
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	return path
}
