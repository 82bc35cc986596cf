package daemon

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/actionsd/actionsd/internal/config"
	"github.com/actionsd/actionsd/sync"
)

func newPGPKey(t *testing.T, name string) (*openpgp.Entity, string) {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", name+"@example.invalid", nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return e, buf.String()
}

// signedCommit commits the working tree with go-git, signed by key.
func (r *gitRepo) signedCommit(msg string, key *openpgp.Entity) string {
	r.t.Helper()
	r.git("add", "-A")
	repo, err := git.PlainOpen(r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	w, err := repo.Worktree()
	if err != nil {
		r.t.Fatal(err)
	}
	sig := &object.Signature{Name: "Test", Email: "test@example.invalid", When: time.Now()}
	h, err := w.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, SignKey: key})
	if err != nil {
		r.t.Fatal(err)
	}
	return h.String()
}

func (r *gitRepo) signedTag(name string, key *openpgp.Entity) {
	r.t.Helper()
	repo, err := git.PlainOpen(r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	head, err := repo.Head()
	if err != nil {
		r.t.Fatal(err)
	}
	sig := &object.Signature{Name: "Test", Email: "test@example.invalid", When: time.Now()}
	if _, err := repo.CreateTag(name, head.Hash(), &git.CreateTagOptions{Tagger: sig, Message: name, SignKey: key}); err != nil {
		r.t.Fatal(err)
	}
	_ = plumbing.ZeroHash
}

// TestSignatures: with verification on, only commits and tags signed by a trusted OpenPGP key deploy.
func TestSignatures(t *testing.T) {
	trusted, trustedPub := newPGPKey(t, "trusted")
	stranger, _ := newPGPKey(t, "stranger")
	keyFile := writeFile(t, t.TempDir(), "trusted.asc", trustedPub)

	repo := newGitRepo(t)
	repo.simpleRepo("A1", "M1")
	c1 := repo.signedCommit("first", trusted)
	repo.signedTag("modules/m/v1", trusted)
	d, _ := startDaemonWith(t, "file://"+repo.dir, func(c *config.Config) {
		c.Verify = config.Verify{Mode: config.VerifyHeadAndTags, OpenPGPKeys: []string{keyFile}}
	})
	if st := d.sync(""); st.Applied == nil || st.Applied.Commit != c1 {
		t.Fatalf("signed commit and tag: got %+v %v, want %s applied", st.Applied, st.Errors, c1)
	}

	tests := []struct {
		name   string
		commit func() string
		want   string
	}{
		{"unsigned commit", func() string { return repo.commit("unsigned") }, "signature: not signed"},
		{"commit signed by an untrusted key", func() string { return repo.signedCommit("stranger", stranger) }, "signature not valid for a trusted key"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo.setAction("bad" + string(rune('0'+i)))
			bad := tt.commit()
			st := d.sync("")
			if st.Attempted.Commit != bad || st.Attempted.Result != "failed" || st.Applied.Commit != c1 || !hasProblem(st.Errors, tt.want) {
				t.Fatalf("got attempted %+v applied %+v errors %v, want %s refused (%s)", st.Attempted, st.Applied, st.Errors, bad, tt.want)
			}
			if st.Condition(sync.ConditionStalled).Status != "True" {
				t.Errorf("Stalled: got %+v", st.Condition(sync.ConditionStalled))
			}
			if a, _, c := d.claims(); a != "A1" || c != c1 {
				t.Errorf("executions: got %s on %s, want A1 on %s", a, c, c1)
			}
		})
	}
	if got := d.metric(`actionsd_signature_rejected_total{kind="commit"}`); got != 2 {
		t.Errorf("rejected commits: got %v, want 2", got)
	}

	// A signed commit deploys; an unsigned (lightweight) tag does not publish.
	repo.setModule("M2")
	repo.setAction("A2")
	c4 := repo.signedCommit("m v2, signed", trusted)
	repo.git("tag", "modules/m/v2")
	st := d.sync("")
	if st.Applied.Commit != c4 || !hasProblem(st.Warnings, "tag modules/m/v2: signature: not signed") {
		t.Fatalf("got applied %+v warnings %v, want %s with v2 refused", st.Applied, st.Warnings, c4)
	}
	if len(st.Modules) != 1 {
		t.Errorf("published versions: got %+v, want only v1", st.Modules)
	}
	if got := d.metric(`actionsd_signature_rejected_total{kind="tag"}`); got != 1 {
		t.Errorf("rejected tags: got %v, want 1", got)
	}
	// Re-tagged as a signed tag, v2 publishes.
	repo.git("tag", "-d", "modules/m/v2")
	repo.signedTag("modules/m/v2", trusted)
	repo.write("actions/greet/action.yaml", "trigger: post-login\nmodules:\n  m: 2\n")
	c5 := repo.signedCommit("pin v2", trusted)
	if st := d.sync(""); st.Applied.Commit != c5 {
		t.Fatalf("signed v2: got %+v %v", st.Applied, st.Errors)
	}
	if _, m, _ := d.claims(); m != "M2" {
		t.Errorf("signed v2: module says %s, want M2", m)
	}
}

// newSSHKey makes an ed25519 key pair with ssh-keygen and returns the private key's file and the
// public key's line.
func newSSHKey(t *testing.T, name string) (keyFile, pub string) {
	t.Helper()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen is not installed: git signs with ssh keys through it (.ci/run installs openssh-client)")
	}
	keyFile = filepath.Join(t.TempDir(), name)
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", keyFile).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	data, err := os.ReadFile(keyFile + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return keyFile, strings.TrimSpace(string(data))
}

// sshSigned runs a git command that signs (commit -S, tag -s) with the ssh key keyFile.
func (r *gitRepo) sshSigned(keyFile string, args ...string) string {
	r.t.Helper()
	return r.git(append([]string{"-c", "gpg.format=ssh", "-c", "user.signingkey=" + keyFile}, args...)...)
}

// TestSSHSignatures: with verification on and SSH keys trusted (an allowed_signers file, as git
// writes it), commits and tags that the git CLI signed with a trusted ssh key deploy; unsigned
// ones and ones signed by another key do not.
func TestSSHSignatures(t *testing.T) {
	trusted, trustedPub := newSSHKey(t, "trusted")
	stranger, _ := newSSHKey(t, "stranger")
	expired, expiredPub := newSSHKey(t, "expired")
	signers := writeFile(t, t.TempDir(), "allowed_signers", "# who may deploy\ndeploy@example.invalid "+trustedPub+"\n"+
		"old@example.invalid namespaces=\"git\",valid-before=\"20200101Z\" "+expiredPub+"\n")

	repo := newGitRepo(t)
	repo.simpleRepo("A1", "M1")
	repo.git("add", "-A")
	repo.sshSigned(trusted, "commit", "-q", "-S", "-m", "first")
	c1 := repo.git("rev-parse", "HEAD")
	repo.sshSigned(trusted, "tag", "-s", "-m", "m v1", "modules/m/v1")
	d, _ := startDaemonWith(t, "file://"+repo.dir, func(c *config.Config) {
		c.Verify = config.Verify{Mode: config.VerifyHeadAndTags, SSHKeys: []string{signers}}
	})
	if st := d.sync(""); st.Applied == nil || st.Applied.Commit != c1 {
		t.Fatalf("ssh-signed commit and tag: got %+v %v %v, want %s applied", st.Applied, st.Errors, st.Warnings, c1)
	}
	if _, m, _ := d.claims(); m != "M1" {
		t.Errorf("ssh-signed v1: module says %s, want M1", m)
	}

	for _, tt := range []struct {
		name string
		sign func()
		want string
	}{
		{"unsigned", func() { repo.git("commit", "-q", "-m", "unsigned") }, "signature: not signed"},
		{"signed by an untrusted ssh key", func() { repo.sshSigned(stranger, "commit", "-q", "-S", "-m", "stranger") }, "which is not trusted"},
		{"signed by a key trusted until 2020", func() { repo.sshSigned(expired, "commit", "-q", "-S", "-m", "expired") }, "was not trusted at"},
	} {
		repo.setAction("bad-" + tt.name)
		repo.git("add", "-A")
		tt.sign()
		bad := repo.git("rev-parse", "HEAD")
		st := d.sync("")
		if st.Attempted.Commit != bad || st.Attempted.Result != "failed" || st.Applied.Commit != c1 || !hasProblem(st.Errors, tt.want) {
			t.Errorf("%s: got attempted %+v applied %+v errors %v, want %s refused (%s)", tt.name, st.Attempted, st.Applied, st.Errors, bad, tt.want)
		}
	}

	// A tag signed by the untrusted key does not publish; a trusted commit deploys.
	repo.setAction("A2")
	repo.setModule("M2")
	repo.git("add", "-A")
	repo.sshSigned(trusted, "commit", "-q", "-S", "-m", "m v2")
	c2 := repo.git("rev-parse", "HEAD")
	repo.sshSigned(stranger, "tag", "-s", "-m", "m v2", "modules/m/v2")
	st := d.sync("")
	if st.Applied == nil || st.Applied.Commit != c2 || !hasProblem(st.Warnings, "tag modules/m/v2: signature") || len(st.Modules) != 1 {
		t.Errorf("stranger-signed tag: got applied %+v warnings %v modules %d; want %s applied and v2 refused", st.Applied, st.Warnings, len(st.Modules), c2)
	}
}
