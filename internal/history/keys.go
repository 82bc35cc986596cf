package history

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"slices"
	"strings"

	"go.uber.org/zap"
)

// keys are what the key material gives: the record cipher, the PII hash key, and an id that
// tells whether a database was written with this key.
type keys struct {
	aead cipher.AEAD
	pii  []byte
	id   []byte
}

// deriveKeys derives the keys from the material, each with its own label, so that no key is
// used for two purposes.
func deriveKeys(material []byte) (keys, error) {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, material)
		m.Write([]byte("actionsd history " + label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("record encryption"))
	if err != nil {
		return keys{}, fmt.Errorf("history: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return keys{}, fmt.Errorf("history: %w", err)
	}
	return keys{aead: aead, pii: derive("pii hash"), id: derive("key id")[:8]}, nil
}

// seal encrypts plain, bound to ad (the record's id): nonce || ciphertext.
func (k keys) seal(dst, plain, ad []byte) []byte {
	n := k.aead.NonceSize()
	dst = slices.Grow(dst, n+len(plain)+k.aead.Overhead())
	nonce := dst[len(dst) : len(dst)+n]
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on the systems Go supports
	}
	dst = dst[:len(dst)+n]
	return k.aead.Seal(dst, nonce, plain, ad)
}

// open decrypts what seal made.
func (k keys) open(sealed, ad []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("history: a record is cut short")
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], ad)
	if err != nil {
		return nil, errors.New("history: a record does not decrypt with the configured key")
	}
	return plain, nil
}

// piiMAC computes the keyed hash a PII field's value is replaced with. It is not safe for
// concurrent use: the writer has its own.
type piiMAC struct {
	h   hash.Hash
	sum []byte
}

func newPIIMAC(key []byte) *piiMAC { return &piiMAC{h: hmac.New(sha256.New, key)} }

// append appends "hmac-sha256:<hex>" of value to b.
func (m *piiMAC) append(b, value []byte) []byte {
	m.h.Reset()
	m.h.Write(value)
	m.sum = m.h.Sum(m.sum[:0])
	b = append(b, "hmac-sha256:"...)
	return hex.AppendEncode(b, m.sum)
}

// keyFile reads the key material from path, or makes it there (32 random bytes, hex, mode 0600)
// when the file does not exist: history works without configuration, and the key lives apart
// from the database file it protects only as well as the data dir's permissions allow.
func keyFile(path string, log *zap.Logger) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return []byte(strings.TrimRight(string(data), "\r\n")), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("history: key file: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("history: making a key: %w", err)
	}
	key := []byte(hex.EncodeToString(raw))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("history: making the key file: %w", err)
	}
	_, werr := f.Write(append(key, '\n'))
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("history: writing the key file: %w", werr)
	}
	log.Info("history: made a key for the execution history (set history.key_file to keep the key apart from the data)", zap.String("key_file", path))
	return key, nil
}
