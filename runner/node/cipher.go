package node

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"

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
