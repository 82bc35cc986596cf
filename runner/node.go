package runner

import (
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// The Node built-ins written in JavaScript live in node/<name>.js. Each file is one function
// expression (native, require) returning the module's exports: native is the runtime's object of
// Go natives (hashes, signatures, zlib, http, buffer encodings), never reachable from action code,
// and require loads other built-ins. They are compiled once per process and run once per runtime,
// on first require, so a runtime that never needs one pays nothing for it.

//go:embed node/*.js
var nodeFiles embed.FS

var nodePrograms = sync.OnceValue(func() map[string]*goja.Program {
	entries, err := nodeFiles.ReadDir("node")
	if err != nil {
		panic(err)
	}
	progs := make(map[string]*goja.Program, len(entries))
	for _, e := range entries {
		src, err := nodeFiles.ReadFile("node/" + e.Name())
		if err != nil {
			panic(err)
		}
		name := strings.TrimSuffix(e.Name(), ".js")
		progs[name] = goja.MustCompile("<node:"+name+">", string(src), true)
	}
	return progs
})

// jsBuiltin loads the built-in node/<file>.js into v.
func (v *vm) jsBuiltin(file string) goja.Value {
	prg := nodePrograms()[file]
	if prg == nil {
		panic(fmt.Sprintf("runner: no built-in %s", file))
	}
	fnv, err := v.rt.RunProgram(prg)
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	exp, err := fn(goja.Undefined(), v.natives(), v.builtinRequire())
	if err != nil {
		panic(err)
	}
	return exp
}

// builtin returns the exports of a built-in module, loading it on first use.
func (v *vm) builtin(name string) goja.Value {
	if m, ok := v.builtins[name]; ok {
		return m
	}
	load, ok := builtinLoaders[name]
	if !ok {
		panic(v.newError(fmt.Sprintf("cannot require '%s': not a built-in module", name)))
	}
	outer := v.internals // of the built-in whose load requires this one
	v.internals = nil
	m := v.harden(load(v)) // before any code gets it (harden.go)
	for _, o := range v.internals {
		v.harden(o)
	}
	v.internals = outer
	v.builtins[name] = m
	return m
}

// builtinRequire is the require of built-ins and npm bundles: it serves Node built-ins only.
func (v *vm) builtinRequire() goja.Value {
	if v.breq != nil {
		return v.breq
	}
	v.breq = v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
		spec, ok := jsString(call.Argument(0))
		if !ok {
			panic(v.rt.NewTypeError("require: the specifier must be a string"))
		}
		name := strings.TrimPrefix(spec, "node:")
		if _, ok := builtinLoaders[name]; ok {
			return v.builtin(name)
		}
		e := v.newError(fmt.Sprintf("cannot require '%s': the Node built-in is not available to actions", spec))
		e.Set("code", "MODULE_NOT_FOUND")
		panic(e)
	})
	return v.breq
}

// natives returns the object of Go natives handed to built-ins.
func (v *vm) natives() *goja.Object {
	if v.nat != nil {
		return v.nat
	}
	n := v.rt.NewObject()
	for name, fn := range map[string]func(goja.FunctionCall) goja.Value{
		"decode":     v.bufDecode,
		"encode":     v.bufEncode,
		"byteLength": v.bufByteLength,
		"compare":    v.bufCompare,
		"indexOf":    v.bufIndexOf,
		"isUtf8": func(call goja.FunctionCall) goja.Value {
			return v.rt.ToValue(utf8.Valid(v.bytesArg(call, 0)))
		},
		"inspect": v.jsInspect,
		"format":  v.jsFormat,
	} {
		n.Set(name, fn)
	}
	v.cryptoNatives(n)
	v.zlibNatives(n)
	v.httpNatives(n)
	// shared(...objects) names what a built-in made at load that its exports do not reach
	// (internal classes whose instances its functions return): they are hardened with the
	// exports, as every owner of the runtime shares them.
	n.Set("shared", func(call goja.FunctionCall) goja.Value {
		v.internals = append(v.internals, call.Arguments...)
		return goja.Undefined()
	})
	n.Set("prelude", v.prelude)
	n.Set("urlModule", v.urlModule)
	n.Set("setTimeout", v.setTimeout)
	n.Set("clearTimeout", v.clearTimer)
	n.Set("process", v.process)
	v.nat = n
	return n
}

// bytesOf returns the bytes of a Uint8Array (shared, not copied) or an ArrayBuffer.
func bytesOf(val goja.Value) ([]byte, bool) {
	if val == nil {
		return nil, false
	}
	switch x := val.Export().(type) {
	case []byte:
		return x, true
	case goja.ArrayBuffer:
		return x.Bytes(), true
	}
	return nil, false
}

func (v *vm) bytesArg(call goja.FunctionCall, i int) []byte {
	b, ok := bytesOf(call.Argument(i))
	if !ok {
		panic(v.rt.NewTypeError("argument %d must be a Uint8Array or an ArrayBuffer", i+1))
	}
	return b
}

// newBytes returns b as a new ArrayBuffer (b is not copied: do not reuse it).
func (v *vm) newBytes(b []byte) goja.Value {
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
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// bufDecode(string, encoding) -> ArrayBuffer.
func (v *vm) bufDecode(call goja.FunctionCall) goja.Value {
	return v.newBytes(decodeString(call.Argument(0).String(), call.Argument(1).String()))
}

// bufEncode(u8, encoding, start, end) -> string.
func (v *vm) bufEncode(call goja.FunctionCall) goja.Value {
	b := v.bytesArg(call, 0)
	start, end := int(call.Argument(2).ToInteger()), int(call.Argument(3).ToInteger())
	start, end = max(0, min(start, len(b))), max(0, min(end, len(b)))
	if end < start {
		end = start
	}
	return v.rt.ToValue(encodeBytes(b[start:end], call.Argument(1).String()))
}

func (v *vm) bufByteLength(call goja.FunctionCall) goja.Value {
	s, enc := call.Argument(0).String(), call.Argument(1).String()
	switch enc {
	case "utf8":
		return v.rt.ToValue(len(s))
	case "latin1", "ascii":
		return v.rt.ToValue(utf8.RuneCountInString(s))
	case "utf16le":
		return v.rt.ToValue(2 * utf16Len(s))
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

func (v *vm) bufCompare(call goja.FunctionCall) goja.Value {
	return v.rt.ToValue(bytes.Compare(v.bytesArg(call, 0), v.bytesArg(call, 1)))
}

// bufIndexOf(hay, needle, offset, last) -> index or -1.
func (v *vm) bufIndexOf(call goja.FunctionCall) goja.Value {
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

// Precompile compiles, in the background, the JavaScript the runner brings itself (the prelude,
// the Node built-ins and the lockdown), which the first build would otherwise compile as it goes.
// A daemon calls it as it starts, so that this work overlaps its git fetch and secret reads
// instead of delaying its first generation. Calling it again does nothing.
func Precompile() {
	precompile()
}

var precompile = sync.OnceFunc(func() {
	go nodePrograms()
	go func() {
		preludeProgram()
		hardenProgram()
		esGlobalNames()
	}()
})
