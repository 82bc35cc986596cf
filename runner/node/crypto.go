package node

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509"
	"encoding"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"strings"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/dop251/goja"
	"golang.org/x/crypto/scrypt"
)

// Go halves of node:crypto and WebCrypto (node/crypto.js): hashes, HMAC, random bytes, key
// parsing (PEM, DER, JWK) and signatures. Everything secret stays in Go: a key is a host object
// (*cryptoKey) whose material JavaScript cannot read except through export.

// hashes by Node's names (lower case); WebCrypto's names map onto them in crypto.js.
var hashes = map[string]func() hash.Hash{
	"md5":        md5.New,
	"sha1":       sha1.New,
	"sha224":     sha256.New224,
	"sha256":     sha256.New,
	"sha384":     sha512.New384,
	"sha512":     sha512.New,
	"sha512-224": sha512.New512_224,
	"sha512-256": sha512.New512_256,
	"sha3-224":   func() hash.Hash { return sha3.New224() },
	"sha3-256":   func() hash.Hash { return sha3.New256() },
	"sha3-384":   func() hash.Hash { return sha3.New384() },
	"sha3-512":   func() hash.Hash { return sha3.New512() },
}

var cryptoHashes = map[string]crypto.Hash{
	"md5": crypto.MD5, "sha1": crypto.SHA1, "sha224": crypto.SHA224, "sha256": crypto.SHA256,
	"sha384": crypto.SHA384, "sha512": crypto.SHA512,
	"sha3-256": crypto.SHA3_256, "sha3-384": crypto.SHA3_384, "sha3-512": crypto.SHA3_512,
}

// hashName normalises "SHA256", "RSA-SHA256", "sha-256", "sha256WithRSAEncryption".
func hashName(s string) string {
	s = strings.ToLower(s)
	s = strings.TrimPrefix(s, "rsa-")
	s = strings.TrimSuffix(s, "withrsaencryption")
	switch s {
	case "sha-1":
		return "sha1"
	case "sha-224", "sha-256", "sha-384", "sha-512":
		return strings.Replace(s, "-", "", 1)
	}
	return s
}

func (v *Modules) throwf(format string, args ...any) {
	panic(v.in.NewError(fmt.Sprintf(format, args...)))
}

// hashObject wraps h for node/crypto.js; with mk (h's constructor) it can also copy its state
// (Hash.prototype.copy).
func (v *Modules) hashObject(h hash.Hash, mk func() hash.Hash) *goja.Object {
	o := v.rt.NewObject()
	o.Set("update", func(call goja.FunctionCall) goja.Value {
		h.Write(v.bytesArg(call, 0))
		return goja.Undefined()
	})
	o.Set("digest", func(goja.FunctionCall) goja.Value { return v.newBytes(h.Sum(nil)) })
	if mk != nil {
		o.Set("copy", func(goja.FunctionCall) goja.Value {
			m, ok := h.(encoding.BinaryMarshaler)
			c := mk()
			u, ok2 := c.(encoding.BinaryUnmarshaler)
			if !ok || !ok2 {
				v.throwf("this hash cannot be copied")
			}
			state, err := m.MarshalBinary()
			if err == nil {
				err = u.UnmarshalBinary(state)
			}
			if err != nil {
				v.throwf("copy the hash: %v", err)
			}
			return v.hashObject(c, mk)
		})
	}
	return o
}

// cryptoKey is a key handed to JavaScript as an opaque host object.
type cryptoKey struct {
	kind   string // "secret", "public", "private"
	secret []byte
	pub    crypto.PublicKey
	priv   crypto.Signer
}

func (k *cryptoKey) asymType() string {
	switch k.pub.(type) {
	case *rsa.PublicKey:
		return "rsa"
	case *ecdsa.PublicKey:
		return "ec"
	case ed25519.PublicKey:
		return "ed25519"
	}
	return ""
}

func curveName(c elliptic.Curve) (node, jwk string) {
	switch c {
	case elliptic.P256():
		return "prime256v1", "P-256"
	case elliptic.P384():
		return "secp384r1", "P-384"
	case elliptic.P521():
		return "secp521r1", "P-521"
	}
	return "", ""
}

func curveByName(s string) elliptic.Curve {
	switch s {
	case "P-256", "prime256v1", "secp256r1":
		return elliptic.P256()
	case "P-384", "secp384r1":
		return elliptic.P384()
	case "P-521", "secp521r1":
		return elliptic.P521()
	}
	return nil
}

// describe returns what KeyObject shows of k.
func (v *Modules) describeKey(k *cryptoKey) *goja.Object {
	o := v.rt.NewObject()
	o.Set("handle", k)
	o.Set("type", k.kind)
	if k.kind == "secret" {
		o.Set("symmetricKeySize", len(k.secret))
		return o
	}
	o.Set("asymmetricKeyType", k.asymType())
	d := v.rt.NewObject()
	switch p := k.pub.(type) {
	case *rsa.PublicKey:
		d.Set("modulusLength", p.N.BitLen())
		d.Set("publicExponent", p.E)
	case *ecdsa.PublicKey:
		n, _ := curveName(p.Curve)
		d.Set("namedCurve", n)
	}
	o.Set("asymmetricKeyDetails", d)
	return o
}

func (v *Modules) keyArg(call goja.FunctionCall, i int) *cryptoKey {
	k, ok := call.Argument(i).Export().(*cryptoKey)
	if !ok {
		panic(v.rt.NewTypeError("invalid key object"))
	}
	return k
}

// objString returns o[k] as a string, "" when it is absent, undefined or null.
func objString(o *goja.Object, k string) string {
	val := o.Get(k)
	if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
		return ""
	}
	return val.String()
}

func b64u(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv,omitempty"`
	K   string `json:"k,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	D   string `json:"d,omitempty"`
	P   string `json:"p,omitempty"`
	Q   string `json:"q,omitempty"`
	Dp  string `json:"dp,omitempty"`
	Dq  string `json:"dq,omitempty"`
	Qi  string `json:"qi,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

func bigOf(s string) (*big.Int, error) {
	b, err := b64u(s)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(b), nil
}

func keyFromJWK(j *jwk, wantPrivate bool) (*cryptoKey, error) {
	switch j.Kty {
	case "oct":
		k, err := b64u(j.K)
		if err != nil {
			return nil, errors.New("invalid JWK: k")
		}
		return &cryptoKey{kind: "secret", secret: k}, nil
	case "RSA":
		n, err1 := bigOf(j.N)
		e, err2 := bigOf(j.E)
		if err1 != nil || err2 != nil || n.Sign() == 0 {
			return nil, errors.New("invalid RSA JWK")
		}
		pub := &rsa.PublicKey{N: n, E: int(e.Int64())}
		if j.D == "" || !wantPrivate {
			return &cryptoKey{kind: "public", pub: pub}, nil
		}
		d, _ := bigOf(j.D)
		p, _ := bigOf(j.P)
		q, _ := bigOf(j.Q)
		priv := &rsa.PrivateKey{PublicKey: *pub, D: d}
		if p != nil && q != nil && p.Sign() > 0 {
			priv.Primes = []*big.Int{p, q}
		}
		if err := priv.Validate(); err != nil {
			return nil, fmt.Errorf("invalid RSA JWK: %w", err)
		}
		priv.Precompute()
		return &cryptoKey{kind: "private", pub: pub, priv: priv}, nil
	case "EC":
		c := curveByName(j.Crv)
		if c == nil {
			return nil, fmt.Errorf("unsupported curve %q", j.Crv)
		}
		x, err1 := bigOf(j.X)
		y, err2 := bigOf(j.Y)
		if err1 != nil || err2 != nil {
			return nil, errors.New("invalid EC JWK")
		}
		pub := &ecdsa.PublicKey{Curve: c, X: x, Y: y}
		if j.D == "" || !wantPrivate {
			return &cryptoKey{kind: "public", pub: pub}, nil
		}
		db, err := b64u(j.D)
		if err != nil {
			return nil, errors.New("invalid EC JWK: d")
		}
		priv, err := ecdsaFromBytes(c, db)
		if err != nil {
			return nil, err
		}
		return &cryptoKey{kind: "private", pub: &priv.PublicKey, priv: priv}, nil
	case "OKP":
		if j.Crv != "Ed25519" {
			return nil, fmt.Errorf("unsupported OKP curve %q", j.Crv)
		}
		x, err := b64u(j.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, errors.New("invalid Ed25519 JWK")
		}
		if j.D == "" || !wantPrivate {
			return &cryptoKey{kind: "public", pub: ed25519.PublicKey(x)}, nil
		}
		d, err := b64u(j.D)
		if err != nil || len(d) != ed25519.SeedSize {
			return nil, errors.New("invalid Ed25519 JWK: d")
		}
		priv := ed25519.NewKeyFromSeed(d)
		return &cryptoKey{kind: "private", pub: priv.Public(), priv: priv}, nil
	}
	return nil, fmt.Errorf("unsupported JWK key type %q", j.Kty)
}

func ecdsaFromBytes(c elliptic.Curve, d []byte) (*ecdsa.PrivateKey, error) {
	var curve ecdh.Curve
	switch c {
	case elliptic.P256():
		curve = ecdh.P256()
	case elliptic.P384():
		curve = ecdh.P384()
	case elliptic.P521():
		curve = ecdh.P521()
	}
	size := (c.Params().BitSize + 7) / 8
	if len(d) < size {
		d = append(make([]byte, size-len(d)), d...)
	}
	k, err := curve.NewPrivateKey(d)
	if err != nil {
		return nil, fmt.Errorf("invalid EC private key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	pk, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	ek, ok := pk.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errors.New("invalid EC private key")
	}
	return ek, nil
}

func keyFromParsed(k any) (*cryptoKey, error) {
	switch x := k.(type) {
	case *rsa.PrivateKey:
		return &cryptoKey{kind: "private", pub: &x.PublicKey, priv: x}, nil
	case *ecdsa.PrivateKey:
		return &cryptoKey{kind: "private", pub: &x.PublicKey, priv: x}, nil
	case ed25519.PrivateKey:
		return &cryptoKey{kind: "private", pub: x.Public(), priv: x}, nil
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return &cryptoKey{kind: "public", pub: x}, nil
	}
	return nil, fmt.Errorf("unsupported key type %T", k)
}

// parseDER reads a private (PKCS#8, PKCS#1, SEC1) or public (SPKI, PKCS#1) key.
func parseDER(der []byte, private bool) (*cryptoKey, error) {
	if private {
		if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
			return keyFromParsed(k)
		}
		if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
			return keyFromParsed(k)
		}
		if k, err := x509.ParseECPrivateKey(der); err == nil {
			return keyFromParsed(k)
		}
		return nil, errors.New("unsupported private key format (PKCS#8, PKCS#1 or SEC1 expected)")
	}
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		return keyFromParsed(k)
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return keyFromParsed(k)
	}
	if c, err := x509.ParseCertificate(der); err == nil {
		return keyFromParsed(c.PublicKey)
	}
	return nil, errors.New("unsupported public key format (SPKI, PKCS#1 or a certificate expected)")
}

// parsePEM reads the first key of a PEM text; a public key may come from a private key or a
// certificate, as in Node.
func parsePEM(text string, private bool) (*cryptoKey, error) {
	rest := []byte(text)
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, errors.New("no PEM key found (error:1E08010C:DECODER routines::unsupported)")
		}
		if strings.Contains(blk.Type, "ENCRYPTED") || blk.Headers["Proc-Type"] != "" {
			return nil, errors.New("encrypted PEM keys are not supported")
		}
		isPriv := strings.Contains(blk.Type, "PRIVATE KEY")
		switch {
		case isPriv:
			k, err := parseDER(blk.Bytes, true)
			if err != nil {
				return nil, err
			}
			if !private {
				return &cryptoKey{kind: "public", pub: k.pub}, nil
			}
			return k, nil
		case private:
			continue
		case blk.Type == "CERTIFICATE" || strings.Contains(blk.Type, "PUBLIC KEY"):
			return parseDER(blk.Bytes, false)
		}
	}
}

// importKey(desc) -> key description: desc is {kind: 'private'|'public'|'secret', format:
// 'pem'|'der'|'jwk'|'raw'|'raw-ec', data, type, curve}.
func (v *Modules) importKey(call goja.FunctionCall) goja.Value {
	d := call.Argument(0).ToObject(v.rt)
	kind := objString(d, "kind")
	format := objString(d, "format")
	data := d.Get("data")
	if data == nil {
		data = goja.Undefined()
	}
	var k *cryptoKey
	var err error
	switch {
	case kind == "secret":
		b, ok := host.Bytes(data)
		if !ok {
			v.throwf("invalid secret key material")
		}
		k = &cryptoKey{kind: "secret", secret: append([]byte(nil), b...)}
	case format == "jwk":
		var j jwk
		if err = json.Unmarshal([]byte(data.String()), &j); err == nil {
			k, err = keyFromJWK(&j, kind == "private")
		}
		if err == nil && k.kind != kind && !(kind == "public" && k.kind == "private") {
			err = fmt.Errorf("the JWK is not a %s key", kind)
		}
	case format == "pem":
		k, err = parsePEM(data.String(), kind == "private")
	case format == "der":
		b, ok := host.Bytes(data)
		if !ok {
			v.throwf("invalid DER key material")
		}
		k, err = parseDER(b, kind == "private")
		if err == nil && kind == "public" && k.kind == "private" {
			k = &cryptoKey{kind: "public", pub: k.pub}
		}
	case format == "raw-ec": // WebCrypto raw EC public point
		b, _ := host.Bytes(data)
		c := curveByName(objString(d, "curve"))
		if c == nil {
			v.throwf("unsupported curve %s", objString(d, "curve"))
		}
		x, y := elliptic.Unmarshal(c, b) //nolint:staticcheck // the point format WebCrypto uses
		if x == nil {
			v.throwf("invalid EC public key")
		}
		k = &cryptoKey{kind: "public", pub: &ecdsa.PublicKey{Curve: c, X: x, Y: y}}
	case format == "raw-ed25519":
		b, _ := host.Bytes(data)
		if len(b) != ed25519.PublicKeySize {
			v.throwf("invalid Ed25519 public key")
		}
		k = &cryptoKey{kind: "public", pub: ed25519.PublicKey(append([]byte(nil), b...))}
	default:
		v.throwf("unsupported key format %s", format)
	}
	if err != nil {
		v.throwf("%v", err)
	}
	return v.describeKey(k)
}

// exportKey(handle, format, type) -> string (pem), ArrayBuffer (der, raw) or JSON text (jwk).
func (v *Modules) exportKey(call goja.FunctionCall) goja.Value {
	k := v.keyArg(call, 0)
	format, typ := call.Argument(1).String(), call.Argument(2).String()
	if k.kind == "secret" {
		if format == "jwk" {
			b, _ := json.Marshal(jwk{Kty: "oct", K: base64.RawURLEncoding.EncodeToString(k.secret)})
			return v.rt.ToValue(string(b))
		}
		return v.newBytes(append([]byte(nil), k.secret...))
	}
	if format == "jwk" {
		j := jwkOf(k)
		b, _ := json.Marshal(j)
		return v.rt.ToValue(string(b))
	}
	if format == "raw" {
		switch p := k.pub.(type) {
		case *ecdsa.PublicKey:
			return v.newBytes(elliptic.Marshal(p.Curve, p.X, p.Y)) //nolint:staticcheck
		case ed25519.PublicKey:
			return v.newBytes(append([]byte(nil), p...))
		}
		v.throwf("raw export is for EC and Ed25519 public keys")
	}
	var der []byte
	var err error
	var pemType string
	switch {
	case k.kind == "private" && typ == "pkcs1":
		rk, ok := k.priv.(*rsa.PrivateKey)
		if !ok {
			v.throwf("pkcs1 is for RSA keys")
		}
		der, pemType = x509.MarshalPKCS1PrivateKey(rk), "RSA PRIVATE KEY"
	case k.kind == "private" && typ == "sec1":
		ek, ok := k.priv.(*ecdsa.PrivateKey)
		if !ok {
			v.throwf("sec1 is for EC keys")
		}
		der, err = x509.MarshalECPrivateKey(ek)
		pemType = "EC PRIVATE KEY"
	case k.kind == "private":
		der, err = x509.MarshalPKCS8PrivateKey(k.priv)
		pemType = "PRIVATE KEY"
	case typ == "pkcs1":
		rk, ok := k.pub.(*rsa.PublicKey)
		if !ok {
			v.throwf("pkcs1 is for RSA keys")
		}
		der, pemType = x509.MarshalPKCS1PublicKey(rk), "RSA PUBLIC KEY"
	default:
		der, err = x509.MarshalPKIXPublicKey(k.pub)
		pemType = "PUBLIC KEY"
	}
	if err != nil {
		v.throwf("%v", err)
	}
	if format == "pem" {
		return v.rt.ToValue(string(pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: der})))
	}
	return v.newBytes(der)
}

func jwkOf(k *cryptoKey) jwk {
	enc := base64.RawURLEncoding.EncodeToString
	pad := func(b []byte, n int) []byte {
		if len(b) < n {
			return append(make([]byte, n-len(b)), b...)
		}
		return b
	}
	var j jwk
	switch p := k.pub.(type) {
	case *rsa.PublicKey:
		j = jwk{Kty: "RSA", N: enc(p.N.Bytes()), E: enc(big.NewInt(int64(p.E)).Bytes())}
		if rk, ok := k.priv.(*rsa.PrivateKey); ok {
			j.D = enc(rk.D.Bytes())
			if len(rk.Primes) == 2 {
				j.P, j.Q = enc(rk.Primes[0].Bytes()), enc(rk.Primes[1].Bytes())
				j.Dp, j.Dq, j.Qi = enc(rk.Precomputed.Dp.Bytes()), enc(rk.Precomputed.Dq.Bytes()), enc(rk.Precomputed.Qinv.Bytes())
			}
		}
	case *ecdsa.PublicKey:
		_, crv := curveName(p.Curve)
		size := (p.Curve.Params().BitSize + 7) / 8
		j = jwk{Kty: "EC", Crv: crv, X: enc(pad(p.X.Bytes(), size)), Y: enc(pad(p.Y.Bytes(), size))}
		if ek, ok := k.priv.(*ecdsa.PrivateKey); ok {
			j.D = enc(pad(ek.D.Bytes(), size))
		}
	case ed25519.PublicKey:
		j = jwk{Kty: "OKP", Crv: "Ed25519", X: enc(p)}
		if ek, ok := k.priv.(ed25519.PrivateKey); ok {
			j.D = enc(ek.Seed())
		}
	}
	return j
}

// signOptions are the padding, salt length and ECDSA signature encoding of a signature.
type signOptions struct {
	pss        bool
	saltLength int
	p1363      bool // ECDSA r||s instead of DER
}

func (v *Modules) signOpts(val goja.Value) signOptions {
	o := signOptions{saltLength: rsa.PSSSaltLengthEqualsHash}
	obj, ok := val.(*goja.Object)
	if !ok {
		return o
	}
	if p := obj.Get("padding"); p != nil && !goja.IsUndefined(p) {
		o.pss = p.ToInteger() == 6
	}
	if s := obj.Get("saltLength"); s != nil && !goja.IsUndefined(s) {
		switch n := s.ToInteger(); n {
		case -1:
			o.saltLength = rsa.PSSSaltLengthEqualsHash
		case -2:
			o.saltLength = rsa.PSSSaltLengthAuto
		default:
			o.saltLength = int(n)
		}
	}
	if d := obj.Get("dsaEncoding"); d != nil && !goja.IsUndefined(d) {
		o.p1363 = d.String() == "ieee-p1363"
	}
	return o
}

// sign(hash, handle, data, options) -> ArrayBuffer. hash "" signs the data itself (Ed25519).
func (v *Modules) sign(call goja.FunctionCall) goja.Value {
	alg := hashName(call.Argument(0).String())
	k := v.keyArg(call, 1)
	data := v.bytesArg(call, 2)
	opts := v.signOpts(call.Argument(3))
	if k.kind == "secret" {
		v.throwf("a secret key cannot sign; use createHmac")
	}
	if k.priv == nil {
		v.throwf("a public key cannot sign")
	}
	var sig []byte
	var err error
	if ek, ok := k.priv.(ed25519.PrivateKey); ok {
		sig = ed25519.Sign(ek, data)
		return v.newBytes(sig)
	}
	h, digest := v.digest(alg, data)
	switch pk := k.priv.(type) {
	case *rsa.PrivateKey:
		if opts.pss {
			sig, err = rsa.SignPSS(rand.Reader, pk, h, digest, &rsa.PSSOptions{SaltLength: opts.saltLength, Hash: h})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, pk, h, digest)
		}
	case *ecdsa.PrivateKey:
		sig, err = ecdsa.SignASN1(rand.Reader, pk, digest)
		if err == nil && opts.p1363 {
			sig, err = derToP1363(sig, (pk.Curve.Params().BitSize+7)/8)
		}
	default:
		err = errors.New("unsupported key type")
	}
	if err != nil {
		v.throwf("sign: %v", err)
	}
	return v.newBytes(sig)
}

func (v *Modules) digest(alg string, data []byte) (crypto.Hash, []byte) {
	h, ok := cryptoHashes[alg]
	if !ok || !h.Available() {
		v.throwf("Invalid digest: %s", alg)
	}
	hh := h.New()
	hh.Write(data)
	return h, hh.Sum(nil)
}

// verify(hash, handle, data, signature, options) -> bool.
func (v *Modules) verify(call goja.FunctionCall) goja.Value {
	alg := hashName(call.Argument(0).String())
	k := v.keyArg(call, 1)
	data := v.bytesArg(call, 2)
	sig := v.bytesArg(call, 3)
	opts := v.signOpts(call.Argument(4))
	if k.kind == "secret" {
		v.throwf("a secret key cannot verify a signature; use createHmac")
	}
	if ep, ok := k.pub.(ed25519.PublicKey); ok {
		return v.rt.ToValue(ed25519.Verify(ep, data, sig))
	}
	h, digest := v.digest(alg, data)
	ok := false
	switch pk := k.pub.(type) {
	case *rsa.PublicKey:
		if opts.pss {
			ok = rsa.VerifyPSS(pk, h, digest, sig, &rsa.PSSOptions{SaltLength: opts.saltLength, Hash: h}) == nil
		} else {
			ok = rsa.VerifyPKCS1v15(pk, h, digest, sig) == nil
		}
	case *ecdsa.PublicKey:
		if opts.p1363 {
			size := (pk.Curve.Params().BitSize + 7) / 8
			if len(sig) != 2*size {
				return v.rt.ToValue(false)
			}
			r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
			ok = ecdsa.Verify(pk, digest, r, s)
		} else {
			ok = ecdsa.VerifyASN1(pk, digest, sig)
		}
	}
	return v.rt.ToValue(ok)
}

func derToP1363(der []byte, size int) ([]byte, error) {
	var s struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &s); err != nil {
		return nil, err
	}
	out := make([]byte, 2*size)
	s.R.FillBytes(out[:size])
	s.S.FillBytes(out[size:])
	return out, nil
}

// generateKeyPair(type, options) -> [private, public] descriptions.
func (v *Modules) generateKeyPair(call goja.FunctionCall) goja.Value {
	typ := call.Argument(0).String()
	opts, _ := call.Argument(1).(*goja.Object)
	get := func(name string) goja.Value {
		if opts == nil {
			return goja.Undefined()
		}
		if val := opts.Get(name); val != nil {
			return val
		}
		return goja.Undefined()
	}
	var priv crypto.Signer
	var err error
	switch typ {
	case "rsa", "rsa-pss":
		bits := 2048
		if b := get("modulusLength"); b != nil && !goja.IsUndefined(b) {
			bits = int(b.ToInteger())
		}
		if bits < 1024 || bits > 8192 {
			v.throwf("modulusLength must be between 1024 and 8192")
		}
		priv, err = rsa.GenerateKey(rand.Reader, bits)
	case "ec":
		c := curveByName(get("namedCurve").String())
		if c == nil {
			v.throwf("unsupported namedCurve %s", get("namedCurve").String())
		}
		priv, err = ecdsa.GenerateKey(c, rand.Reader)
	case "ed25519":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		v.throwf("unsupported key type %s", typ)
	}
	if err != nil {
		v.throwf("%v", err)
	}
	k := &cryptoKey{kind: "private", pub: priv.Public(), priv: priv}
	return v.rt.NewArray(v.describeKey(k), v.describeKey(&cryptoKey{kind: "public", pub: k.pub}))
}

func (v *Modules) cryptoNatives(n *goja.Object) {
	rt := v.rt
	n.Set("hashes", func(goja.FunctionCall) goja.Value {
		names := make([]any, 0, len(hashes))
		for k := range hashes {
			names = append(names, k)
		}
		return rt.NewArray(names...)
	})
	n.Set("createHash", func(call goja.FunctionCall) goja.Value {
		name := hashName(call.Argument(0).String())
		h, ok := hashes[name]
		if !ok {
			v.throwf("Digest method not supported")
		}
		return v.hashObject(h(), h)
	})
	n.Set("createHmac", func(call goja.FunctionCall) goja.Value {
		name := hashName(call.Argument(0).String())
		h, ok := hashes[name]
		if !ok {
			v.throwf("Invalid digest: %s", call.Argument(0).String())
		}
		var key []byte
		if k, ok := call.Argument(1).Export().(*cryptoKey); ok {
			if k.kind != "secret" {
				v.throwf("Invalid key object type %s, expected secret", k.kind)
			}
			key = k.secret
		} else {
			key = v.bytesArg(call, 1)
		}
		return v.hashObject(hmac.New(h, append([]byte(nil), key...)), nil)
	})
	n.Set("randomFill", func(call goja.FunctionCall) goja.Value {
		b := v.bytesArg(call, 0)
		_, _ = rand.Read(b)
		return goja.Undefined()
	})
	n.Set("randomUUID", func(goja.FunctionCall) goja.Value { return rt.ToValue(randomUUID()) })
	n.Set("timingSafeEqual", func(call goja.FunctionCall) goja.Value {
		a, b := v.bytesArg(call, 0), v.bytesArg(call, 1)
		if len(a) != len(b) {
			e := v.in.NewRangeError("Input buffers must have the same byte length")
			e.Set("code", "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH")
			panic(e)
		}
		return rt.ToValue(subtle.ConstantTimeCompare(a, b) == 1)
	})
	n.Set("pbkdf2", func(call goja.FunctionCall) goja.Value {
		pass, salt := v.bytesArg(call, 0), v.bytesArg(call, 1)
		iter, keyLen := int(call.Argument(2).ToInteger()), int(call.Argument(3).ToInteger())
		h, ok := hashes[hashName(call.Argument(4).String())]
		if !ok {
			v.throwf("Invalid digest: %s", call.Argument(4).String())
		}
		if iter < 1 || iter > 10_000_000 || keyLen < 0 || keyLen > 1<<20 {
			v.throwf("pbkdf2: iterations or key length out of range")
		}
		out, err := pbkdf2.Key(h, string(pass), salt, iter, keyLen)
		if err != nil {
			v.throwf("pbkdf2: %v", err)
		}
		return v.newBytes(out)
	})
	n.Set("hkdf", func(call goja.FunctionCall) goja.Value {
		h, ok := hashes[hashName(call.Argument(0).String())]
		if !ok {
			v.throwf("Invalid digest: %s", call.Argument(0).String())
		}
		out, err := hkdf.Key(h, v.bytesArg(call, 1), v.bytesArg(call, 2), string(v.bytesArg(call, 3)), int(call.Argument(4).ToInteger()))
		if err != nil {
			v.throwf("hkdf: %v", err)
		}
		return v.newBytes(out)
	})
	n.Set("importKey", v.importKey)
	n.Set("exportKey", v.exportKey)
	n.Set("sign", v.sign)
	n.Set("verify", v.verify)
	n.Set("generateKeyPair", v.generateKeyPair)
	n.Set("keyEquals", func(call goja.FunctionCall) goja.Value {
		a, b := v.keyArg(call, 0), v.keyArg(call, 1)
		if a.kind != b.kind {
			return rt.ToValue(false)
		}
		if a.kind == "secret" {
			return rt.ToValue(subtle.ConstantTimeCompare(a.secret, b.secret) == 1)
		}
		type equaler interface{ Equal(crypto.PublicKey) bool }
		e, ok := a.pub.(equaler)
		return rt.ToValue(ok && e.Equal(b.pub))
	})
	n.Set("aes", v.aes)
	n.Set("cipherNew", v.cipherNew)
	// scrypt(password, salt, N, r, p, keylen): crypto.js checks the parameters and the memory.
	n.Set("scrypt", func(call goja.FunctionCall) goja.Value {
		out, err := scrypt.Key(v.bytesArg(call, 0), v.bytesArg(call, 1), int(call.Argument(2).ToInteger()),
			int(call.Argument(3).ToInteger()), int(call.Argument(4).ToInteger()), int(call.Argument(5).ToInteger()))
		if err != nil {
			v.throwf("Invalid scrypt params: %v", err)
		}
		return v.newBytes(out)
	})
}

func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexd[c>>4], hexd[c&15])
	}
	return string(out)
}
