package node

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/dop251/goja"
)

// aes(mode, encrypt, key, iv, data, aad, tag, autoPadding) -> {data, tag}: one whole AES
// operation for createCipheriv/createDecipheriv (node/crypto.js buffers update() until final()).
// Modes: "gcm", "cbc", "ctr".
func (v *Modules) aes(call goja.FunctionCall) goja.Value {
	mode := call.Argument(0).String()
	encrypt := call.Argument(1).ToBoolean()
	key, iv, data := v.bytesArg(call, 2), v.bytesArg(call, 3), v.bytesArg(call, 4)
	aad, _ := host.Bytes(call.Argument(5))
	tag, _ := host.Bytes(call.Argument(6))
	autoPadding := call.Argument(7).ToBoolean()
	block, err := aes.NewCipher(key)
	if err != nil {
		v.throwf("Invalid key length")
	}
	out := v.rt.NewObject()
	switch mode {
	case "gcm":
		g, err := cipher.NewGCMWithNonceSize(block, len(iv))
		if err != nil || len(iv) == 0 {
			v.throwf("Invalid initialization vector")
		}
		if encrypt {
			sealed := g.Seal(nil, iv, data, aad)
			n := len(sealed) - g.Overhead()
			out.Set("data", v.newBytes(sealed[:n]))
			out.Set("tag", v.newBytes(sealed[n:]))
			return out
		}
		if len(tag) == 0 {
			v.throwf("Unsupported state or unable to authenticate data")
		}
		plain, err := g.Open(nil, iv, append(append([]byte(nil), data...), tag...), aad)
		if err != nil {
			v.throwf("Unsupported state or unable to authenticate data")
		}
		out.Set("data", v.newBytes(plain))
	case "cbc":
		if len(iv) != aes.BlockSize {
			v.throwf("Invalid initialization vector")
		}
		if encrypt {
			src := data
			if autoPadding {
				p := aes.BlockSize - len(data)%aes.BlockSize
				src = append(append([]byte(nil), data...), bytes.Repeat([]byte{byte(p)}, p)...)
			} else if len(data)%aes.BlockSize != 0 {
				v.throwf("data not multiple of block length")
			}
			dst := make([]byte, len(src))
			cipher.NewCBCEncrypter(block, iv).CryptBlocks(dst, src)
			out.Set("data", v.newBytes(dst))
			return out
		}
		if len(data)%aes.BlockSize != 0 || len(data) == 0 && autoPadding {
			v.throwf("wrong final block length")
		}
		dst := make([]byte, len(data))
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(dst, data)
		if autoPadding {
			p := int(dst[len(dst)-1])
			if p == 0 || p > aes.BlockSize || p > len(dst) || !bytes.Equal(dst[len(dst)-p:], bytes.Repeat([]byte{byte(p)}, p)) {
				v.throwf("bad decrypt")
			}
			dst = dst[:len(dst)-p]
		}
		out.Set("data", v.newBytes(dst))
	case "ctr":
		if len(iv) != aes.BlockSize {
			v.throwf("Invalid initialization vector")
		}
		dst := make([]byte, len(data))
		cipher.NewCTR(block, iv).XORKeyStream(dst, data)
		out.Set("data", v.newBytes(dst))
	default:
		v.throwf("Unknown cipher mode %s", mode)
	}
	return out
}

// cipherStream is one createCipheriv/createDecipheriv as OpenSSL's EVP runs it, so that update()
// returns what Node's does: CBC and ECB whole blocks (a decipher with padding keeps the last block
// back for final), CTR and GCM every byte. GCM streams through the counter mode under it (gcmCTR);
// final() then seals or opens the whole text once more for the tag, which is checked only there,
// as in Node.
type cipherStream struct {
	mode    string // "cbc", "ecb", "ctr", "gcm"
	encrypt bool
	block   cipher.Block
	iv      []byte
	cbc     cipher.BlockMode
	ctr     cipher.Stream
	pending []byte // CBC/ECB: input short of a block (or the kept-back last block)
	all     []byte // GCM: the whole input, for the tag
	aad     []byte
	done    bool
}

// cipherNew(mode, encrypt, key, iv) -> {setAAD(aad), update(data, padding), final(padding, tag)
// -> {data, tag}}.
func (v *Modules) cipherNew(call goja.FunctionCall) goja.Value {
	c := &cipherStream{mode: call.Argument(0).String(), encrypt: call.Argument(1).ToBoolean()}
	block, err := aes.NewCipher(append([]byte(nil), v.bytesArg(call, 2)...))
	if err != nil {
		v.throwf("Invalid key length")
	}
	c.block = block
	if c.mode != "ecb" {
		c.iv = append([]byte(nil), v.bytesArg(call, 3)...)
	}
	switch c.mode {
	case "cbc", "ctr":
		if len(c.iv) != aes.BlockSize {
			v.throwf("Invalid initialization vector")
		}
		if c.mode == "ctr" {
			c.ctr = cipher.NewCTR(block, c.iv)
		} else if c.encrypt {
			c.cbc = cipher.NewCBCEncrypter(block, c.iv)
		} else {
			c.cbc = cipher.NewCBCDecrypter(block, c.iv)
		}
	case "gcm":
		if len(c.iv) == 0 {
			v.throwf("Invalid initialization vector")
		}
		c.ctr = newGCMCTR(block, c.iv)
	case "ecb":
	default:
		v.throwf("Unknown cipher mode %s", c.mode)
	}
	o := v.rt.NewObject()
	o.Set("setAAD", func(call goja.FunctionCall) goja.Value {
		c.aad = append([]byte(nil), v.bytesArg(call, 0)...)
		return goja.Undefined()
	})
	o.Set("update", func(call goja.FunctionCall) goja.Value {
		return v.newBytes(c.update(v.bytesArg(call, 0), call.Argument(1).ToBoolean()))
	})
	o.Set("final", func(call goja.FunctionCall) goja.Value {
		tag, _ := host.Bytes(call.Argument(1))
		data, outTag, msg := c.final(call.Argument(0).ToBoolean(), tag)
		if msg != "" {
			v.throwf("%s", msg)
		}
		out := v.rt.NewObject()
		out.Set("data", v.newBytes(data))
		if outTag != nil {
			out.Set("tag", v.newBytes(outTag))
		}
		return out
	})
	return o
}

func (c *cipherStream) update(data []byte, padding bool) []byte {
	switch c.mode {
	case "ctr":
		out := make([]byte, len(data))
		c.ctr.XORKeyStream(out, data)
		return out
	case "gcm":
		c.all = append(c.all, data...)
		out := make([]byte, len(data))
		c.ctr.XORKeyStream(out, data)
		return out
	}
	c.pending = append(c.pending, data...)
	n := len(c.pending) / aes.BlockSize * aes.BlockSize
	if !c.encrypt && padding && n == len(c.pending) && n > 0 {
		n -= aes.BlockSize // the last block may be padding: final decides
	}
	out := c.blocks(c.pending[:n])
	c.pending = append([]byte(nil), c.pending[n:]...)
	return out
}

// blocks runs whole blocks through CBC or ECB.
func (c *cipherStream) blocks(src []byte) []byte {
	dst := make([]byte, len(src))
	if c.cbc != nil {
		c.cbc.CryptBlocks(dst, src)
		return dst
	}
	for i := 0; i < len(src); i += aes.BlockSize {
		if c.encrypt {
			c.block.Encrypt(dst[i:], src[i:i+aes.BlockSize])
		} else {
			c.block.Decrypt(dst[i:], src[i:i+aes.BlockSize])
		}
	}
	return dst
}

// final returns the rest of the output (and GCM's tag), or the error message Node's final throws.
func (c *cipherStream) final(padding bool, tag []byte) (data, outTag []byte, msg string) {
	if c.done {
		return nil, nil, "Unsupported state"
	}
	c.done = true
	switch c.mode {
	case "ctr":
		return nil, nil, ""
	case "gcm":
		g, err := cipher.NewGCMWithNonceSize(c.block, len(c.iv))
		if err != nil {
			return nil, nil, "Invalid initialization vector"
		}
		if c.encrypt {
			sealed := g.Seal(nil, c.iv, c.all, c.aad)
			return nil, sealed[len(sealed)-g.Overhead():], ""
		}
		if len(tag) == 0 {
			return nil, nil, "Unsupported state or unable to authenticate data"
		}
		if _, err := g.Open(nil, c.iv, append(c.all, tag...), c.aad); err != nil {
			return nil, nil, "Unsupported state or unable to authenticate data"
		}
		return nil, nil, ""
	}
	if c.encrypt {
		if padding {
			p := aes.BlockSize - len(c.pending)%aes.BlockSize
			return c.blocks(append(c.pending, bytes.Repeat([]byte{byte(p)}, p)...)), nil, ""
		}
		if len(c.pending) != 0 {
			return nil, nil, "data not multiple of block length"
		}
		return nil, nil, ""
	}
	if !padding {
		if len(c.pending) != 0 {
			return nil, nil, "data not multiple of block length"
		}
		return nil, nil, ""
	}
	if len(c.pending) != aes.BlockSize {
		return nil, nil, "wrong final block length"
	}
	dst := c.blocks(c.pending)
	p := int(dst[len(dst)-1])
	if p == 0 || p > aes.BlockSize || !bytes.Equal(dst[len(dst)-p:], bytes.Repeat([]byte{byte(p)}, p)) {
		return nil, nil, "bad decrypt"
	}
	return dst[:len(dst)-p], nil, ""
}

// gcmCTR is the counter mode of GCM (NIST SP 800-38D): the key stream of E(K, inc32^i(J0)) for
// i ≥ 1, where J0 is IV‖0³¹‖1 for a 12-byte IV and GHASH(IV, padded, ‖ its bit length) otherwise.
// Only the low 32 bits of the counter count, as GCM's inc32 does.
type gcmCTR struct {
	block cipher.Block
	ctr   [16]byte
	ks    [16]byte
	used  int // bytes of ks used
}

func newGCMCTR(block cipher.Block, iv []byte) *gcmCTR {
	s := &gcmCTR{block: block, used: 16}
	if len(iv) == 12 {
		copy(s.ctr[:], iv)
		s.ctr[15] = 1
	} else {
		var h [16]byte
		block.Encrypt(h[:], h[:])
		padded := make([]byte, (len(iv)+15)/16*16+16)
		copy(padded, iv)
		binary.BigEndian.PutUint64(padded[len(padded)-8:], uint64(len(iv))*8)
		s.ctr = ghash(h, padded)
	}
	return s
}

func (s *gcmCTR) XORKeyStream(dst, src []byte) {
	for i := range src {
		if s.used == 16 {
			binary.BigEndian.PutUint32(s.ctr[12:], binary.BigEndian.Uint32(s.ctr[12:])+1)
			s.block.Encrypt(s.ks[:], s.ctr[:])
			s.used = 0
		}
		dst[i] = src[i] ^ s.ks[s.used]
		s.used++
	}
}

// ghash is GHASH_H of data (a multiple of 16 bytes), bit by bit (SP 800-38D, algorithm 1): it only
// derives J0 from an IV that is not 12 bytes long.
func ghash(h [16]byte, data []byte) [16]byte {
	hh, hl := binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:])
	var yh, yl uint64
	for i := 0; i < len(data); i += 16 {
		xh, xl := yh^binary.BigEndian.Uint64(data[i:]), yl^binary.BigEndian.Uint64(data[i+8:])
		var zh, zl uint64
		vh, vl := hh, hl
		for b := 0; b < 128; b++ {
			var bit uint64
			if b < 64 {
				bit = xh >> (63 - b) & 1
			} else {
				bit = xl >> (127 - b) & 1
			}
			if bit == 1 {
				zh ^= vh
				zl ^= vl
			}
			lsb := vl & 1
			vl = vl>>1 | vh<<63
			vh >>= 1
			if lsb == 1 {
				vh ^= 0xe1 << 56
			}
		}
		yh, yl = zh, zl
	}
	var out [16]byte
	binary.BigEndian.PutUint64(out[:8], yh)
	binary.BigEndian.PutUint64(out[8:], yl)
	return out
}
