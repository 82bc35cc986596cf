package node

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode/utf16"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/actionsd/actionsd/runner/web"
	"github.com/dop251/goja"
)

// The Go half of node:buffer (node/buffer.js): string encodings and byte searches.

func (v *Modules) bytesArg(call goja.FunctionCall, i int) []byte {
	b, ok := host.Bytes(call.Argument(i))
	if !ok {
		panic(v.rt.NewTypeError("argument %d must be a Uint8Array or an ArrayBuffer", i+1))
	}
	return b
}

// newBytes returns b as a new ArrayBuffer (b is not copied: do not reuse it).
func (v *Modules) newBytes(b []byte) goja.Value {
	return v.rt.ToValue(v.rt.NewArrayBuffer(b))
}

// decodeString turns s into bytes as Buffer.from(s, enc) does.
func decodeString(s, enc string) []byte {
	switch enc {
	case "hex":
		n := len(s) / 2
		out := make([]byte, 0, n)
		for i := 0; i+1 < len(s); i += 2 {
			b, err := hex.DecodeString(s[i : i+2])
			if err != nil {
				break // Node stops at the first invalid pair
			}
			out = append(out, b[0])
		}
		return out
	case "base64", "base64url":
		return decodeBase64Loose(s)
	case "latin1", "ascii":
		out := make([]byte, 0, len(s))
		for _, r := range s {
			out = append(out, byte(r))
		}
		return out
	case "utf16le":
		u := utf16.Encode([]rune(s))
		out := make([]byte, 2*len(u))
		for i, c := range u {
			out[2*i], out[2*i+1] = byte(c), byte(c>>8)
		}
		return out
	}
	return []byte(s)
}

// decodeBase64Loose accepts standard and URL alphabets, with or without padding, skipping
// whitespace and stopping at the first other invalid character, as Node does.
func decodeBase64Loose(s string) []byte {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '+' || c == '-':
			b.WriteByte('+')
		case c == '/' || c == '_':
			b.WriteByte('/')
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			i = len(s) // '=' or an invalid character: stop
		}
	}
	t := b.String()
	if len(t)%4 == 1 {
		t = t[:len(t)-1]
	}
	out, err := base64.RawStdEncoding.DecodeString(t)
	if err != nil {
		return nil
	}
	return out
}

func encodeBytes(b []byte, enc string) string {
	switch enc {
	case "hex":
		return hex.EncodeToString(b)
	case "base64":
		return base64.StdEncoding.EncodeToString(b)
	case "base64url":
		return base64.RawURLEncoding.EncodeToString(b)
	case "latin1":
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	case "ascii":
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c & 0x7f)
		}
		return string(r)
	case "utf16le":
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return string(utf16.Decode(u))
	}
	return web.DecodeUTF8(b)
}

// bufDecode(string, encoding) -> ArrayBuffer.
func (v *Modules) bufDecode(call goja.FunctionCall) goja.Value {
	return v.newBytes(decodeString(call.Argument(0).String(), call.Argument(1).String()))
}

// bufEncode(u8, encoding, start, end) -> string.
func (v *Modules) bufEncode(call goja.FunctionCall) goja.Value {
	b := v.bytesArg(call, 0)
	start, end := int(call.Argument(2).ToInteger()), int(call.Argument(3).ToInteger())
	start, end = max(0, min(start, len(b))), max(0, min(end, len(b)))
	if end < start {
		end = start
	}
	return v.rt.ToValue(encodeBytes(b[start:end], call.Argument(1).String()))
}

func (v *Modules) bufByteLength(call goja.FunctionCall) goja.Value {
	s, enc := call.Argument(0).String(), call.Argument(1).String()
	switch enc {
	case "utf8":
		return v.rt.ToValue(len(s))
	case "latin1", "ascii":
		return v.rt.ToValue(utf16Len(s))
	case "utf16le":
		return v.rt.ToValue(2 * utf16Len(s))
	case "hex":
		return v.rt.ToValue(utf16Len(s) >> 1)
	case "base64", "base64url": // Node's formula, not the decoded length
		n := utf16Len(s)
		for k := 0; k < 2 && n > 0 && strings.HasSuffix(s, "="); k++ {
			if k == 1 && n <= 1 {
				break
			}
			s = s[:len(s)-1]
			n--
		}
		return v.rt.ToValue(n * 3 >> 2)
	}
	return v.rt.ToValue(len(decodeString(s, enc)))
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func (v *Modules) bufCompare(call goja.FunctionCall) goja.Value {
	return v.rt.ToValue(bytes.Compare(v.bytesArg(call, 0), v.bytesArg(call, 1)))
}

// bufIndexOf(hay, needle, offset, last) -> index or -1.
func (v *Modules) bufIndexOf(call goja.FunctionCall) goja.Value {
	hay, needle := v.bytesArg(call, 0), v.bytesArg(call, 1)
	off := int(call.Argument(2).ToInteger())
	if off < 0 {
		off = max(0, len(hay)+off)
	}
	if call.Argument(3).ToBoolean() {
		end := min(len(hay), off+len(needle))
		return v.rt.ToValue(bytes.LastIndex(hay[:end], needle))
	}
	if off > len(hay) {
		return v.rt.ToValue(-1)
	}
	i := bytes.Index(hay[off:], needle)
	if i >= 0 {
		i += off
	}
	return v.rt.ToValue(i)
}
