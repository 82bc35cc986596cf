package gitstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"
	"unicode"

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
	SSHKeys []SSHKey
}

// SSHKey is a trusted SSH public key, valid for git signatures made inside its window (zero:
// unbounded), as an allowed_signers line's valid-after and valid-before say.
type SSHKey struct {
	Key                     ssh.PublicKey
	ValidAfter, ValidBefore time.Time
}

// ReadSSHKeys reads trusted SSH public keys from files, one key a line, as authorized_keys
// ("ssh-ed25519 AAAA… comment") or git's allowed_signers ("alice@example.com [options]
// ssh-ed25519 AAAA…") write them; blank lines and # comments are skipped. Of allowed_signers'
// options, namespaces (a key whose list lacks "git" is left out), valid-after and valid-before
// are honoured; certificate authorities and any other option are refused. An error names the
// file and line.
func ReadSSHKeys(files ...string) ([]SSHKey, error) {
	var keys []SSHKey
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
			key, ok, err := parseKeyLine(line)
			if err != nil {
				return nil, fmt.Errorf("ssh keys %s:%d: %w", f, n+1, err)
			}
			if ok {
				keys = append(keys, key)
			}
		}
	}
	return keys, nil
}

// parseKeyLine reads an authorized_keys or allowed_signers line; ok is false for a key that is
// not for git signatures.
func parseKeyLine(line string) (SSHKey, bool, error) {
	bad := errors.New(`not an ssh public key (want "ssh-ed25519 AAAA…", optionally after the principals of an allowed_signers line)`)
	first, rest := line, ""
	if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
		first, rest = line[:i], line[i+1:]
	}
	if !keyAlgorithms[first] {
		// allowed_signers: principals, then options and the key. (An authorized_keys line's
		// options land here too, and do not widen trust, except a certificate authority.)
		if strings.Contains(first, "cert-authority") {
			return SSHKey{}, false, errors.New("cert-authority: ssh certificates are not supported; list the signing keys themselves")
		}
		line = strings.TrimSpace(rest)
	}
	pub, _, options, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return SSHKey{}, false, bad
	}
	key := SSHKey{Key: pub}
	for _, o := range options {
		name, value, _ := strings.Cut(o, "=")
		value = strings.Trim(value, `"`)
		switch strings.ToLower(name) {
		case "namespaces":
			ok, err := matchesNamespace(value)
			if err != nil {
				return SSHKey{}, false, err
			}
			if !ok {
				return SSHKey{}, false, nil
			}
		case "valid-after", "valid-before":
			t, err := parseSSHTime(value)
			if err != nil {
				return SSHKey{}, false, fmt.Errorf("%s: %w", name, err)
			}
			if strings.EqualFold(name, "valid-after") {
				key.ValidAfter = t
			} else {
				key.ValidBefore = t
			}
		case "cert-authority":
			return SSHKey{}, false, errors.New("cert-authority: ssh certificates are not supported; list the signing keys themselves")
		default:
			return SSHKey{}, false, fmt.Errorf("option %q is not supported", name)
		}
	}
	return key, true, nil
}

// keyAlgorithms are the public key types a line may start with (authorized_keys without options).
var keyAlgorithms = map[string]bool{
	ssh.KeyAlgoED25519: true, ssh.KeyAlgoSKED25519: true, ssh.KeyAlgoRSA: true, ssh.KeyAlgoDSA: true,
	ssh.KeyAlgoECDSA256: true, ssh.KeyAlgoECDSA384: true, ssh.KeyAlgoECDSA521: true, ssh.KeyAlgoSKECDSA256: true,
}

// matchesNamespace reports whether an allowed_signers namespaces list (comma-separated patterns
// with * and ?, as OpenSSH reads them) admits git's namespace. Negated patterns are refused.
func matchesNamespace(list string) (bool, error) {
	for _, p := range strings.Split(list, ",") {
		if strings.HasPrefix(p, "!") {
			return false, fmt.Errorf("namespaces: negated pattern %q is not supported", p)
		}
		ok, err := path.Match(p, sshNamespace)
		if err != nil {
			return false, fmt.Errorf("namespaces: %q: %w", p, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// parseSSHTime reads ssh-keygen's YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]: UTC with Z, else local time.
func parseSSHTime(v string) (time.Time, error) {
	loc := time.Local
	if s, ok := strings.CutSuffix(v, "Z"); ok {
		v, loc = s, time.UTC
	}
	for _, layout := range []string{"20060102", "200601021504", "20060102150405"} {
		if len(v) == len(layout) {
			if t, err := time.ParseInLocation(layout, v, loc); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%q is not YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]", v)
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

// checkSignature verifies an armored detached signature of payload, made at when, and returns the
// signer.
func (v Verify) checkSignature(payload io.Reader, signature string, when time.Time) (string, error) {
	switch {
	case signature == "":
		return "", errors.New("not signed")
	case strings.Contains(signature, "BEGIN SSH SIGNATURE"):
		return v.checkSSHSignature(payload, signature, when)
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

// checkSSHSignature verifies an armored SSH signature (git's gpg.format=ssh) of payload, made at
// when, and returns the signer's key fingerprint.
func (v Verify) checkSSHSignature(payload io.Reader, signature string, when time.Time) (string, error) {
	if len(v.SSHKeys) == 0 {
		return "", errors.New("signed with an ssh key, and no ssh keys are trusted (verify.ssh_keys)")
	}
	sig, err := sshsig.Unarmor([]byte(signature))
	if err != nil {
		return "", fmt.Errorf("ssh signature: %w", err)
	}
	fp := ssh.FingerprintSHA256(sig.PublicKey)
	matched := false
	for _, key := range v.SSHKeys {
		if ssh.FingerprintSHA256(key.Key) != fp {
			continue
		}
		matched = true
		if !key.ValidAfter.IsZero() && when.Before(key.ValidAfter) || !key.ValidBefore.IsZero() && when.After(key.ValidBefore) {
			continue // another line may trust the key for another window
		}
		if err := sshsig.Verify(payload, sig, key.Key, sig.HashAlgorithm, sshNamespace); err != nil {
			return "", fmt.Errorf("signature not valid for a trusted key (ssh %s): %w", fp, err)
		}
		return fp, nil
	}
	if matched {
		return "", fmt.Errorf("signature not valid for a trusted key: ssh key %s was not trusted at %s", fp, when.UTC().Format(time.RFC3339))
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
	_, err = v.checkSignature(r, c.PGPSignature, c.Committer.When)
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
	_, err = v.checkSignature(r, t.PGPSignature, t.Tagger.When)
	return err
}
