// Package web provides the Web platform APIs a runtime gives actions as globals, over Go natives:
// fetch with Headers, Request, Response, AbortController and AbortSignal; URL and
// URLSearchParams, built on the WHATWG URL parser (github.com/nlnwa/whatwg-url); TextEncoder and
// TextDecoder; atob, btoa, structuredClone and queueMicrotask. It also provides node:http's
// transport (HTTPRequest), which sends as fetch does.
//
// Every request user code makes goes through the client of Config, which must enforce the egress
// policy (runner/egress), on its own goroutine; the result is settled on the runtime's loop
// (host.VM.RegisterCallback). The URL a request is sent to is the one the URL API shows: the
// string user code hands over is parsed again here by the same parser and sent as parsed.
//
// It does not install the globals itself (the engine decides where they go) and keeps no state
// but the runtime's own.
package web

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/dop251/goja"
)

//go:embed web.js
var webSource string

const webName = "<actionsd web>"

var webProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile(webName, webSource, true)
})

//go:embed extra.js
var extraSource string

var extraProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("<actionsd web extras>", extraSource, true)
})

// Precompile compiles the JavaScript of this package, which New would otherwise compile on first
// use.
func Precompile() {
	webProgram()
	urlProgram()
	extraProgram()
}

// Config is what the Web APIs of a runtime reach outside it.
type Config struct {
	// Client sends fetch's and node:http's requests; it must enforce the egress policy
	// (egress.NewClient). Its redirects are not followed by net/http: fetch follows them itself.
	Client *http.Client
	// SetTimeout is the runtime's setTimeout, which AbortSignal.timeout uses.
	SetTimeout func(goja.FunctionCall) goja.Value
	// NextTick is process.nextTick, which EventTarget throws a listener's error on.
	NextTick func(goja.FunctionCall) goja.Value
	// Harden deep-freezes the globals of LazyNames when they are made; nil leaves them as they are.
	Harden func(goja.Value) goja.Value
}

// Globals are the Web APIs of one runtime. Only the runtime's goroutine uses them.
type Globals struct {
	vm     host.VM
	rt     *goja.Runtime
	in     *host.Intrinsics
	client *http.Client
	httpc  *http.Client // client without redirects, made on first use

	urlStrings [3]goja.Value // "", "https:", "http:": components most URLs share (url.go)
	urlModule  *goja.Object  // url.js's exports (URL, URLSearchParams)
	exports    *goja.Object  // web.js's
	extras     *goja.Object  // extra.js's, made on first use (Extras)
	cfg        Config
}

// New makes the Web APIs of vm's runtime, running their JavaScript; in are the runtime's
// intrinsics. Call it before any user code runs; it panics if the JavaScript fails, as nothing
// user code did can make it fail.
func New(vm host.VM, in *host.Intrinsics, cfg Config) *Globals {
	rt := vm.Runtime()
	w := &Globals{vm: vm, rt: rt, in: in, client: cfg.Client, cfg: cfg}
	w.urlModule = w.newURLModule()
	n := rt.NewObject()
	n.Set("fetch", w.nativeFetch)
	n.Set("utf8Encode", w.utf8Encode)
	n.Set("utf8Decode", w.utf8Decode)
	n.Set("URL", w.urlModule.Get("URL"))
	n.Set("URLSearchParams", w.urlModule.Get("URLSearchParams"))
	n.Set("setTimeout", cfg.SetTimeout)
	n.Set("extras", func(goja.FunctionCall) goja.Value { return w.Extras() })
	n.Set("detach", func(call goja.FunctionCall) goja.Value {
		if o, ok := call.Argument(0).(*goja.Object); ok {
			if ab, ok := o.Export().(goja.ArrayBuffer); ok {
				ab.Detach()
			}
		}
		return goja.Undefined()
	})
	fnv, err := rt.RunProgram(webProgram())
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	w.exports = host.Call(fn, goja.Undefined(), n).(*goja.Object)
	return w
}

// URLModule is {URL, URLSearchParams}, what node:url builds on.
func (w *Globals) URLModule() *goja.Object { return w.urlModule }

// Get returns the global name of the Web APIs: one of Names, LazyNames, URL, URLSearchParams,
// atob or btoa. One of LazyNames makes them all (Extras).
func (w *Globals) Get(name string) goja.Value {
	if slices.Contains(LazyNames, name) {
		return w.Extras().Get(name)
	}
	switch name {
	case "URL", "URLSearchParams":
		return w.urlModule.Get(name)
	case "atob":
		return w.rt.ToValue(w.atob)
	case "btoa":
		return w.rt.ToValue(w.btoa)
	}
	return w.exports.Get(name)
}

// Names are the globals web.js makes, in the order a runtime installs them.
var Names = []string{"fetch", "Headers", "Request", "Response", "AbortController", "AbortSignal",
	"TextEncoder", "TextDecoder", "structuredClone", "queueMicrotask"}

// Freeze freezes fetch and the classes of Names, which are left extensible as in Node, for a
// runtime that is to be locked down (its lockdown freezes them anyway; frozen first, their
// prototypes' methods are not made overridable one by one, which costs a locked-down runtime
// ~10% more to make).
func (w *Globals) Freeze() {
	host.Call(host.MustCallable(w.exports, "_freeze"), goja.Undefined())
}

// LazyNames are the globals extra.js makes, which a runtime installs as globals that load on
// first use: no runtime pays for them until its code touches one.
var LazyNames = []string{"DOMException", "Event", "CustomEvent", "EventTarget", "Blob", "File", "FormData"}

// Extras runs extra.js on first use and returns its exports ({Event, ..., FormData}), hardened
// by Config.Harden; from then on fetch sends a FormData or a Blob as Node does.
func (w *Globals) Extras() *goja.Object {
	if w.extras != nil {
		return w.extras
	}
	rt := w.rt
	n := rt.NewObject()
	n.Set("utf8Encode", w.utf8Encode)
	n.Set("utf8Decode", w.utf8Decode)
	n.Set("setHooks", w.exports.Get("_setHooks"))
	n.Set("URLSearchParams", w.urlModule.Get("URLSearchParams"))
	n.Set("random", func(goja.FunctionCall) goja.Value { return rt.ToValue(rand.Int64N(1e11)) })
	n.Set("now", func(goja.FunctionCall) goja.Value {
		return rt.ToValue(float64(time.Since(processStart).Nanoseconds()) / 1e6)
	})
	if w.cfg.NextTick != nil {
		n.Set("nextTick", w.cfg.NextTick)
	}
	fnv, err := rt.RunProgram(extraProgram())
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	x := host.Call(fn, goja.Undefined(), n).(*goja.Object)
	if w.cfg.Harden != nil {
		w.cfg.Harden(x)
	}
	w.extras = x
	return x
}

// processStart is where Event.timeStamp counts from (performance.now's origin is the same
// moment, give or take the package initialisations between them).
var processStart = time.Now()

// utf8Encode(string) -> ArrayBuffer.
func (w *Globals) utf8Encode(call goja.FunctionCall) goja.Value {
	return w.rt.ToValue(w.rt.NewArrayBuffer([]byte(call.Argument(0).String())))
}

// utf8Decode(bufferSource, fatal, keepBOM) -> string: a leading BOM is dropped unless keepBOM;
// each ill-formed sequence becomes U+FFFD (DecodeUTF8), or, when fatal, the result is null.
func (w *Globals) utf8Decode(call goja.FunctionCall) goja.Value {
	var b []byte
	if err := w.rt.ExportTo(call.Argument(0), &b); err != nil {
		panic(w.rt.NewTypeError("TextDecoder.decode: %v", err))
	}
	if !call.Argument(2).ToBoolean() {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	}
	if !utf8.Valid(b) {
		if call.Argument(1).ToBoolean() {
			return goja.Null()
		}
		return w.rt.ToValue(DecodeUTF8(b))
	}
	return w.rt.ToValue(string(b))
}

// btoa encodes a binary string (code points ≤ 0xFF) as base64.
func (w *Globals) btoa(call goja.FunctionCall) goja.Value {
	s := call.Argument(0).String()
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			panic(w.domException("InvalidCharacterError", "Invalid character"))
		}
		b = append(b, byte(r))
	}
	return w.rt.ToValue(base64.StdEncoding.EncodeToString(b))
}

// atob decodes base64 into a binary string with Node's checks (the WHATWG forgiving-base64
// decode): ASCII whitespace is skipped; any other character outside the alphabet, or "=" but
// at the end, is an "Invalid character"; a length that leaves one character over is not
// "correctly encoded".
func (w *Globals) atob(call goja.FunctionCall) goja.Value {
	in := call.Argument(0).String()
	data := make([]byte, 0, len(in))
	equals := 0
	for _, r := range in {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r':
			continue
		case r == '=':
			equals++
			if equals > 2 {
				panic(w.domException("InvalidCharacterError", "Invalid character"))
			}
		case r < 0x80 && (r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/'):
			if equals > 0 {
				panic(w.domException("InvalidCharacterError", "Invalid character"))
			}
			data = append(data, byte(r))
		default:
			panic(w.domException("InvalidCharacterError", "Invalid character"))
		}
	}
	rem := (len(data) + equals) % 4
	if rem == 0 {
		rem = len(data) % 4
	} else if equals > 0 {
		panic(w.domException("InvalidCharacterError", "Invalid character"))
	}
	if rem == 1 {
		panic(w.domException("InvalidCharacterError", "The string to be decoded is not correctly encoded."))
	}
	b, err := base64.RawStdEncoding.DecodeString(string(data))
	if err != nil {
		panic(w.domException("InvalidCharacterError", "The string to be decoded is not correctly encoded."))
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return w.rt.ToValue(string(r))
}

// domException makes a DOMException (extra.js's, which this loads when it is not yet).
func (w *Globals) domException(name, msg string) *goja.Object {
	ctor, ok := goja.AssertConstructor(w.Extras().Get("DOMException"))
	if !ok {
		panic(w.rt.NewTypeError("DOMException is not a constructor"))
	}
	e, err := ctor(nil, w.rt.ToValue(msg), w.rt.ToValue(name))
	if err != nil {
		panic(err)
	}
	return e
}
