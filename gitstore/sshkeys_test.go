package gitstore

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// ReadSSHKeys takes authorized_keys and allowed_signers lines, and names the file and line of one
// that holds no key.
func TestReadSSHKeys(t *testing.T) {
	const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm9o1Y7qVZ2Q2kX0m1gYxQhQ3v2m4l3pXy7cG5m0b1c"
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := os.WriteFile(good, []byte("# trusted\n\n"+key+" alice\nbob@example.invalid,carol@example.invalid namespaces=\"git\" "+key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := ReadSSHKeys(good)
	if err != nil || len(keys) != 2 || keys[0].Key.Type() != "ssh-ed25519" {
		t.Fatalf("ReadSSHKeys: %d keys, %v; want 2 ed25519 keys", len(keys), err)
	}
	// Options of allowed_signers: a key for other namespaces is left out, a window is kept,
	// certificate authorities and unknown options are refused.
	opts := filepath.Join(dir, "opts")
	if err := os.WriteFile(opts, []byte("a@x namespaces=\"file\" "+key+"\nb@x\tnamespaces=\"file,g?t\",valid-after=\"20200102Z\",valid-before=\"203001020304Z\" "+key+"\nssh-deploy@x "+key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err = ReadSSHKeys(opts)
	if err != nil || len(keys) != 2 || keys[0].ValidAfter.Format("20060102") != "20200102" || keys[0].ValidBefore.Format("200601021504") != "203001020304" || !keys[1].ValidBefore.IsZero() {
		t.Errorf("options: %+v, %v; want the git keys only (a pattern, a tab, a principal named like a key type), the first with its window", keys, err)
	}
	for _, line := range []string{"a@x cert-authority " + key, "a@x no-touch-required " + key, "a@x valid-before=\"tomorrow\" " + key, "a@x namespaces=\"!file\" " + key} {
		f := filepath.Join(dir, "refused")
		if err := os.WriteFile(f, []byte(line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadSSHKeys(f); err == nil || !strings.Contains(err.Error(), f+":1") {
			t.Errorf("%q: got %v, want an error naming %s:1", line, err, f)
		}
	}

	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte(key+"\nnot a key at all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSSHKeys(bad); err == nil || !strings.Contains(err.Error(), bad+":2") {
		t.Errorf("a line without a key: got %v, want an error naming %s:2", err, bad)
	}
}

// An SSH signature is verified against the trusted keys; an RSA one made with SHA-1 (ssh-rsa) is
// refused (sshsig refuses the format when it reads the signature, as OpenSSH does), while the
// same key's rsa-sha2-512 signature passes.
func TestSSHSignatureRSA(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(k)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nsigned\n")
	sig, err := sshsig.Sign(bytes.NewReader(payload), signer, sshsig.HashSHA512, "git")
	if err != nil {
		t.Fatal(err)
	}
	v := Verify{SSHKeys: []SSHKey{{Key: signer.PublicKey()}}}
	if _, err := v.checkSSHSignature(bytes.NewReader(payload), string(sshsig.Armor(sig)), time.Now()); err != nil {
		t.Fatalf("rsa-sha2-512: %v", err)
	}
	// The same signed data (PROTOCOL.sshsig), signed with ssh-rsa.
	h := sha512.Sum512(payload)
	data := append([]byte("SSHSIG"), ssh.Marshal(struct{ Namespace, Reserved, HashAlgorithm, Hash string }{"git", "", "sha512", string(h[:])})...)
	sha1sig, err := signer.(ssh.AlgorithmSigner).SignWithAlgorithm(rand.Reader, data, ssh.KeyAlgoRSA)
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.PublicKey().Verify(data, sha1sig); err != nil {
		t.Fatalf("the crafted ssh-rsa signature does not verify at all: %v", err)
	}
	sig.Signature = sha1sig
	if _, err := v.checkSSHSignature(bytes.NewReader(payload), string(sshsig.Armor(sig)), time.Now()); err == nil || !strings.Contains(err.Error(), "ssh-rsa") {
		t.Errorf("ssh-rsa (SHA-1): got %v, want it refused", err)
	}
}
