package gitstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// Verify says which revisions must carry a valid signature from a trusted key: OpenPGP (KeyRing)
// or SSH (SSHKeys, as git signs with gpg.format=ssh). The zero value verifies nothing.
type Verify struct {
	// Commits: the deploy branch's HEAD must be signed; an unsigned or wrongly signed HEAD is an
	// error of the snapshot (it does not deploy).
	Commits bool
	// Tags: a module version tag must be an annotated tag signed by a trusted key before it
	// publishes a version; an unsigned tag is reported (a warning) and not published. Versions
	// already recorded stay published.
	Tags bool
	// KeyRing holds the trusted OpenPGP public keys.
	KeyRing openpgp.EntityList
	// SSHKeys are the trusted SSH public keys.
	SSHKeys []ssh.PublicKey
}

// ReadSSHKeys reads trusted SSH public keys from files, one key a line, as authorized_keys
// ("ssh-ed25519 AAAA… comment") or git's allowed_signers ("alice@example.com ssh-ed25519 AAAA…")
// write them; blank lines and # comments are skipped. An error names the file and line.
func ReadSSHKeys(files ...string) ([]ssh.PublicKey, error) {
	var keys []ssh.PublicKey
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("ssh keys: %w", err)
		}
		for n, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			key, ok := parseKeyLine(line)
			if !ok {
				return nil, fmt.Errorf("ssh keys %s:%d: not an ssh public key (want \"ssh-ed25519 AAAA…\", optionally after the principals of an allowed_signers line)", f, n+1)
			}
			keys = append(keys, key)
		}
	}
	return keys, nil
}

// parseKeyLine finds the public key of an authorized_keys or allowed_signers line: the key may
// follow principals and options.
func parseKeyLine(line string) (ssh.PublicKey, bool) {
	fields := strings.Fields(line)
	for i := range fields {
		if key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(strings.Join(fields[i:], " "))); err == nil {
			return key, true
		}
	}
	return nil, false
}

// ReadKeyRing reads armored (or binary) OpenPGP public keys from files into one key ring.
func ReadKeyRing(files ...string) (openpgp.EntityList, error) {
	var ring openpgp.EntityList
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("openpgp keys: %w", err)
		}
		var list openpgp.EntityList
		if bytes.Contains(data, []byte("-----BEGIN PGP")) {
			list, err = openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
		} else {
			list, err = openpgp.ReadKeyRing(bytes.NewReader(data))
		}
		if err != nil {
			return nil, fmt.Errorf("openpgp keys %s: %w", f, err)
		}
		ring = append(ring, list...)
	}
	return ring, nil
}

// checkSignature verifies an armored detached signature of payload and returns the signer.
func (v Verify) checkSignature(payload io.Reader, signature string) (string, error) {
	switch {
	case signature == "":
		return "", errors.New("not signed")
	case strings.Contains(signature, "BEGIN SSH SIGNATURE"):
		return v.checkSSHSignature(payload, signature)
	case len(v.KeyRing) == 0:
		return "", errors.New("no trusted openpgp keys configured")
	}
	e, err := openpgp.CheckArmoredDetachedSignature(v.KeyRing, payload, strings.NewReader(signature), nil)
	if err != nil {
		return "", fmt.Errorf("signature not valid for a trusted key: %w", err)
	}
	for name := range e.Identities {
		return name, nil
	}
	return e.PrimaryKey.KeyIdString(), nil
}

// sshNamespace is the namespace git signs commits and tags in.
const sshNamespace = "git"

// checkSSHSignature verifies an armored SSH signature (git's gpg.format=ssh) of payload and
// returns the signer's key fingerprint.
func (v Verify) checkSSHSignature(payload io.Reader, signature string) (string, error) {
	if len(v.SSHKeys) == 0 {
		return "", errors.New("signed with an ssh key, and no ssh keys are trusted (verify.ssh_keys)")
	}
	sig, err := sshsig.Unarmor([]byte(signature))
	if err != nil {
		return "", fmt.Errorf("ssh signature: %w", err)
	}
	fp := ssh.FingerprintSHA256(sig.PublicKey)
	for _, key := range v.SSHKeys {
		if ssh.FingerprintSHA256(key) != fp {
			continue
		}
		if err := sshsig.Verify(payload, sig, key, sig.HashAlgorithm, sshNamespace); err != nil {
			return "", fmt.Errorf("signature not valid for a trusted key (ssh %s): %w", fp, err)
		}
		return fp, nil
	}
	return "", fmt.Errorf("signature not valid for a trusted key: signed by ssh key %s, which is not trusted", fp)
}

// verifyCommit checks c's signature.
func (v Verify) verifyCommit(c *object.Commit) error {
	encoded := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(encoded); err != nil {
		return err
	}
	r, err := encoded.Reader()
	if err != nil {
		return err
	}
	_, err = v.checkSignature(r, c.PGPSignature)
	return err
}

// verifyTag checks the signature of the tag object h; a lightweight tag is not signed.
func (v Verify) verifyTag(st storer.EncodedObjectStorer, h plumbing.Hash) error {
	o, err := st.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return err
	}
	if o.Type() != plumbing.TagObject {
		return errors.New("not signed (a lightweight tag)")
	}
	t, err := object.DecodeTag(st, o)
	if err != nil {
		return err
	}
	encoded := &plumbing.MemoryObject{}
	if err := t.EncodeWithoutSignature(encoded); err != nil {
		return err
	}
	r, err := encoded.Reader()
	if err != nil {
		return err
	}
	_, err = v.checkSignature(r, t.PGPSignature)
	return err
}
