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
)

// Verify says which revisions must carry a valid OpenPGP signature from KeyRing. The zero value
// verifies nothing.
type Verify struct {
	// Commits: the deploy branch's HEAD must be signed; an unsigned or wrongly signed HEAD is an
	// error of the snapshot (it does not deploy).
	Commits bool
	// Tags: a module version tag must be an annotated tag signed by a trusted key before it
	// publishes a version; an unsigned tag is reported (a warning) and not published. Versions
	// already recorded stay published.
	Tags bool
	// KeyRing holds the trusted public keys.
	KeyRing openpgp.EntityList
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
		return "", errors.New("signed with an ssh key; only openpgp signatures are verified")
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
