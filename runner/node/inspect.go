package node

import (
	"context"
	"math"
	"math/big"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/dop251/goja"
)

// util.inspect, after Node 20's lib/internal/util/inspect.js: the same options (depth,
// showHidden, compact, breakLength, sorted, getters, maxArrayLength, maxStringLength,
// numericSeparator, colors, customInspect, showProxy), line breaking (an entry per line past
// breakLength, up to `compact` inner levels on one line, arrays of 7 or more short entries
// grouped in columns), [util.inspect.custom], <ref *1> / [Circular *1], [Getter]/[Setter],
// boxed primitives, typed arrays and ArrayBuffers, errors with their stack, and Buffer, URL and
// URLSearchParams as their Node classes print themselves.
//
// Where goja cannot tell what V8 can, it prints less: WeakMap and WeakSet entries are always
// <items unknown>, Map and Set iterators print as plain objects, and a goja stack ("\n\tat ...")
// counts as a stack as V8's ("\n    at ...") does.

// inspectIntrinsics are what inspect calls instead of what user code can replace: captured by the
// prelude (before any user code) or, for those that would cost every runtime, on first use.
type inspectIntrinsics struct {
	custom               *goja.Symbol // Symbol.for('nodejs.util.inspect.custom')
	ownSymbols           goja.Callable
	fnToString           goja.Callable
	asyncFnProto         *goja.Object
	genFnProto           *goja.Object
	objectProto, fnProto *goja.Object
	objectCtor, fnCtor   *goja.Object

	late                bool // the ones below are set
	mapEntries, setVals goja.Callable
	dataViewProto       *goja.Object
	weakMapProto        *goja.Object
	weakSetProto        *goja.Object
}

func (v *Modules) intrinsics() *inspectIntrinsics {
	if v.insp != nil {
		return v.insp
	}
	arr := v.prelude.Get("inspect").(*goja.Object)
	at := func(i int) goja.Value { return arr.Get(strconv.Itoa(i)) }
	fn := func(i int) goja.Callable { f, _ := goja.AssertFunction(at(i)); return f }
	in := &inspectIntrinsics{
		custom:       at(0).(*goja.Symbol),
		ownSymbols:   fn(2),
		fnToString:   fn(3),
		asyncFnProto: at(4).(*goja.Object),
		genFnProto:   at(5).(*goja.Object),
		objectCtor:   at(6).(*goja.Object),
		fnCtor:       at(7).(*goja.Object),
	}
	in.objectProto = in.objectCtor.Get("prototype").(*goja.Object)
	in.fnProto = in.fnCtor.Get("prototype").(*goja.Object)
	v.insp = in
	return in
}

// lateIntrinsics reads the intrinsics only some values need, on first need.
func (v *Modules) lateIntrinsics() *inspectIntrinsics {
	in := v.intrinsics()
	if in.late {
		return in
	}
	in.late = true
	proto := func(name string) *goja.Object {
		if c, ok := v.rt.Get(name).(*goja.Object); ok {
			if p, ok := c.Get("prototype").(*goja.Object); ok {
				return p
			}
		}
		return nil
	}
	if p := proto("Map"); p != nil {
		in.mapEntries, _ = goja.AssertFunction(p.Get("entries"))
	}
	if p := proto("Set"); p != nil {
		in.setVals, _ = goja.AssertFunction(p.Get("values"))
	}
	in.dataViewProto = proto("DataView")
	in.weakMapProto = proto("WeakMap")
	in.weakSetProto = proto("WeakSet")
	return in
}

var (
	typeMapExport = reflect.TypeOf([][2]interface{}{})
	typeSetExport = reflect.TypeOf([]interface{}{})
)

// classOf is o's class as V8 tells it (goja's ClassName says Object for Map, Set and the weak
// collections).
func (v *Modules) classOf(o *goja.Object) string {
	c := o.ClassName()
	if c != "Object" {
		return c
	}
	switch et := o.ExportType(); et {
	case typeMapExport:
		return "Map"
	case typeSetExport:
		return "Set"
	case typeBigInt:
		return "BigInt"
	case typeSymbol:
		return "Symbol"
	case reflectTypeMap:
		if o.Prototype() == nil || o.Prototype() == v.intrinsics().objectProto {
			return c
		}
		ins := v.lateIntrinsics()
		switch {
		case onChain(o, ins.weakMapProto):
			return "WeakMap"
		case onChain(o, ins.weakSetProto):
			return "WeakSet"
		}
	}
	return c
}

var (
	reflectTypeMap = reflect.TypeOf(map[string]interface{}{})
	typeBigInt     = reflect.TypeOf((*big.Int)(nil))
	typeSymbol     = reflect.TypeOf("") // a Symbol object exports as its symbol, whose type says string
)

// propDesc is a property descriptor.
type propDesc struct {
	value, get, set goja.Value
	enumerable      bool
}

// propKey is a property key: a name, or a symbol when sym is not nil.
type propKey struct {
	name string
	sym  *goja.Symbol
}

func strKey(name string) propKey { return propKey{name: name} }

// ownDesc is Object.getOwnPropertyDescriptor(o, key); nil when o has no such own property.
func (v *Modules) ownDesc(o *goja.Object, key propKey) *propDesc {
	var d goja.PropertyDescriptor
	var ok bool
	if key.sym != nil {
		d, ok = o.GetOwnPropertyDescriptor(key.sym)
	} else {
		d, ok = o.GetOwnPropertyDescriptorStr(key.name)
	}
	if !ok {
		return nil
	}
	pd := &propDesc{enumerable: d.Enumerable == goja.FLAG_TRUE}
	if d.Getter != nil || d.Setter != nil {
		pd.get, pd.set = d.Getter, d.Setter
		return pd
	}
	pd.value = d.Value
	return pd
}

func (v *Modules) hasOwn(o *goja.Object, key propKey) bool { return v.ownDesc(o, key) != nil }

var proxyType = reflect.TypeOf(goja.Proxy{})
var typePromise = reflect.TypeOf((*goja.Promise)(nil))
var typeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})

// typedArrayKinds are the typed arrays by what goja exports them as (Uint8Array and
// Uint8ClampedArray both as []byte).
var typedArrayKinds = map[reflect.Type]string{
	reflect.TypeOf([]byte(nil)):    "Uint8Array",
	reflect.TypeOf([]int8(nil)):    "Int8Array",
	reflect.TypeOf([]uint16(nil)):  "Uint16Array",
	reflect.TypeOf([]int16(nil)):   "Int16Array",
	reflect.TypeOf([]uint32(nil)):  "Uint32Array",
	reflect.TypeOf([]int32(nil)):   "Int32Array",
	reflect.TypeOf([]float32(nil)): "Float32Array",
	reflect.TypeOf([]float64(nil)): "Float64Array",
	reflect.TypeOf([]int64(nil)):   "BigInt64Array",
	reflect.TypeOf([]uint64(nil)):  "BigUint64Array",
}

// builtInObjects are Node 20's globals named like classes (/^[A-Z][a-zA-Z0-9]+$/).
var builtInObjects = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`Object Function Array Number Boolean String Symbol Date Promise RegExp
		Error AggregateError EvalError RangeError ReferenceError SyntaxError TypeError URIError JSON Math
		Intl ArrayBuffer Atomics Uint8Array Int8Array Uint16Array Int16Array Uint32Array Int32Array
		Float32Array Float64Array Uint8ClampedArray BigUint64Array BigInt64Array DataView Map BigInt Set
		WeakMap WeakSet Proxy Reflect FinalizationRegistry WeakRef SharedArrayBuffer WebAssembly Buffer
		URL URLSearchParams TextEncoder TextDecoder AbortController AbortSignal EventTarget Event
		MessageChannel MessagePort MessageEvent Blob Performance Headers Request Response FormData File
		DOMException BroadcastChannel Crypto CryptoKey SubtleCrypto CustomEvent ReadableStream
		WritableStream TransformStream CompressionStream DecompressionStream TextEncoderStream
		TextDecoderStream ByteLengthQueuingStrategy CountQueuingStrategy PerformanceEntry PerformanceMark
		PerformanceMeasure PerformanceObserver PerformanceObserverEntryList PerformanceResourceTiming
		ReadableStreamDefaultReader ReadableStreamBYOBReader ReadableStreamBYOBRequest
		ReadableByteStreamController ReadableStreamDefaultController TransformStreamDefaultController
		WritableStreamDefaultWriter WritableStreamDefaultController`) {
		builtInObjects[n] = true
	}
}

const (
	kObjectType = iota
	kArrayType
	kArrayExtrasType
)

// errInspectAborted stops an inspection whose execution ran out of time.
type inspectAborted struct{}

// inspector is one util.inspect call: Node's ctx.
type inspector struct {
	v *Modules

	showHidden, colors, customInspect, showProxy, numericSeparator bool
	depth                                                          float64 // +Inf for null
	depthNull                                                      bool
	maxArrayLength, maxStringLength, breakLength                   float64
	compact                                                        int
	compactTrue                                                    bool
	sorted                                                         bool
	sortFn                                                         goja.Callable
	getters                                                        string // "", "true", "get", "set"
	stylizeFn                                                      goja.Callable
	userOptions                                                    *goja.Object
	optionsObj                                                     *goja.Object // the options as given

	indentationLvl int
	seen           []*goja.Object
	currentDepth   int
	circular       map[*goja.Object]int
	budget         []int // output length per indentation level
	steps          int
	ctx            context.Context
}

func (v *Modules) newInspector() *inspector {
	return &inspector{v: v, depth: 2, customInspect: true, maxArrayLength: 100, maxStringLength: 10000,
		breakLength: 80, compact: 3, ctx: v.vm.Context()}
}

var inspectOptionNames = map[string]bool{"showHidden": true, "depth": true, "colors": true,
	"customInspect": true, "showProxy": true, "maxArrayLength": true, "maxStringLength": true,
	"breakLength": true, "compact": true, "sorted": true, "getters": true, "numericSeparator": true,
	"stylize": true}

func num(val goja.Value) float64 {
	if goja.IsNull(val) {
		return math.Inf(1)
	}
	f := val.ToFloat()
	if math.IsNaN(f) {
		return math.Inf(1) // no comparison with NaN holds, as no limit
	}
	return f
}

func (in *inspector) setDepth(d goja.Value) {
	in.depthNull = goja.IsNull(d)
	in.depth = num(d)
	if goja.IsUndefined(d) {
		in.depth = math.Inf(1)
	}
}

// readOptions sets the options o gives, as util.inspect reads its second argument.
func (in *inspector) readOptions(o *goja.Object) {
	in.optionsObj = o
	for _, k := range o.Keys() {
		if !inspectOptionNames[k] {
			if in.userOptions == nil {
				in.userOptions = o
			}
			continue
		}
		val := o.Get(k)
		switch k {
		case "showHidden":
			in.showHidden = val.ToBoolean()
		case "depth":
			in.setDepth(val)
		case "colors":
			in.colors = val.ToBoolean()
		case "customInspect":
			in.customInspect = val.ToBoolean()
		case "showProxy":
			in.showProxy = val.ToBoolean()
		case "maxArrayLength":
			in.maxArrayLength = num(val)
		case "maxStringLength":
			in.maxStringLength = num(val)
		case "breakLength":
			in.breakLength = num(val)
		case "compact":
			switch {
			case isBool(val):
				in.compactTrue, in.compact = val.ToBoolean(), 0
			case goja.IsNumber(val):
				in.compactTrue, in.compact = false, int(val.ToInteger())
			default:
				in.compactTrue, in.compact = false, 0
			}
		case "sorted":
			in.sortFn, _ = goja.AssertFunction(val)
			in.sorted = in.sortFn != nil || val.ToBoolean()
		case "getters":
			switch s, _ := host.String(val); {
			case s == "get" || s == "set":
				in.getters = s
			case val.ToBoolean():
				in.getters = "true"
			default:
				in.getters = ""
			}
		case "numericSeparator":
			in.numericSeparator = val.ToBoolean()
		case "stylize":
			in.stylizeFn, _ = goja.AssertFunction(val)
		}
	}
}

// run is formatValue at the top, stopping early when the execution's time is up (the runtime's
// interrupt then ends it at its next instruction).
func (in *inspector) run(val goja.Value) (s string) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(inspectAborted); ok {
				s = ""
				return
			}
			panic(r)
		}
	}()
	return in.formatValue(val, 0, false)
}

func (in *inspector) tick() {
	in.steps++
	if in.steps&255 == 0 && in.ctx != nil && in.ctx.Err() != nil {
		panic(inspectAborted{})
	}
}

var ansiStyles = map[string][2]int{
	"special": {36, 39}, "number": {33, 39}, "bigint": {33, 39}, "boolean": {33, 39},
	"undefined": {90, 39}, "null": {1, 22}, "string": {32, 39}, "symbol": {32, 39},
	"date": {35, 39}, "regexp": {31, 39}, "module": {4, 24},
}

func (in *inspector) stylize(s, style string) string {
	if in.stylizeFn != nil {
		r, err := in.stylizeFn(goja.Undefined(), in.v.rt.ToValue(s), in.v.rt.ToValue(style))
		if err != nil {
			panic(err)
		}
		return r.String()
	}
	if !in.colors {
		return s
	}
	if c, ok := ansiStyles[style]; ok {
		return "\x1b[" + strconv.Itoa(c[0]) + "m" + s + "\x1b[" + strconv.Itoa(c[1]) + "m"
	}
	return s
}

func noStyle(s, _ string) string { return s }

func (in *inspector) depthExceeded(recurseTimes int) bool {
	return float64(recurseTimes) > in.depth
}

// formatValue is Node's formatValue.
func (in *inspector) formatValue(val goja.Value, recurseTimes int, typedArray bool) string {
	in.tick()
	o, ok := val.(*goja.Object)
	if !ok {
		if val == nil || goja.IsUndefined(val) {
			return in.stylize("undefined", "undefined")
		}
		if goja.IsNull(val) {
			return in.stylize("null", "null")
		}
		return in.formatPrimitive(in.stylize, val)
	}
	context := o
	isProxy := false
	if o.ExportType() == proxyType {
		p, _ := o.Export().(goja.Proxy)
		if p.Target() == nil {
			return in.stylize("<Revoked Proxy>", "special")
		}
		if in.showProxy {
			return in.formatProxy(p, recurseTimes)
		}
		o, isProxy = p.Target(), true
	}
	v := in.v
	if in.customInspect {
		if s, done := in.bufferInspect(o, recurseTimes); done {
			return s
		}
		if s, done := in.webInspect(o, recurseTimes); done {
			return s
		}
		ins := v.intrinsics()
		if maybe, ok := goja.AssertFunction(o.GetSymbol(ins.custom)); ok && !v.isUtilInspect(o.GetSymbol(ins.custom)) && !in.isProtoOfCtor(o) {
			var depth goja.Value = goja.Null()
			if !in.depthNull {
				depth = v.rt.ToValue(in.depth - float64(recurseTimes))
			}
			_ = isProxy
			ret, err := maybe(context, depth, in.userOptionsObject(), v.utilInspect())
			if err != nil {
				panic(err)
			}
			if ro, isObj := ret.(*goja.Object); !isObj || ro != context {
				s, isStr := host.String(ret)
				if !isStr {
					return in.formatValue(ret, recurseTimes, false)
				}
				return strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", in.indentationLvl))
			}
		}
	}
	if slices.Contains(in.seen, o) {
		index := 1
		if in.circular == nil {
			in.circular = map[*goja.Object]int{o: 1}
		} else if i, ok := in.circular[o]; ok {
			index = i
		} else {
			index = len(in.circular) + 1
			in.circular[o] = index
		}
		return in.stylize("[Circular *"+strconv.Itoa(index)+"]", "special")
	}
	return in.formatRaw(o, recurseTimes, typedArray)
}

// isProtoOfCtor is Node's `value.constructor && value.constructor.prototype === value`.
func (in *inspector) isProtoOfCtor(o *goja.Object) bool {
	c, ok := o.Get("constructor").(*goja.Object)
	if !ok {
		return false
	}
	p, ok := c.Get("prototype").(*goja.Object)
	return ok && p == o
}

// isUtilInspect reports whether f is util.inspect itself, which is no custom inspector.
func (v *Modules) isUtilInspect(f goja.Value) bool {
	o, ok := f.(*goja.Object)
	if !ok {
		return false
	}
	if u, ok := v.builtins["util"].(*goja.Object); ok && u.Get("inspect") == goja.Value(o) {
		return true
	}
	return false
}

// utilInspect is util.inspect, the third argument of custom inspectors.
func (v *Modules) utilInspect() goja.Value {
	return v.Require("util").(*goja.Object).Get("inspect")
}

// userOptionsObject is Node's getUserOptions: the options handed to a custom inspector.
func (in *inspector) userOptionsObject() *goja.Object {
	rt := in.v.rt
	o := rt.NewObject()
	if in.stylizeFn != nil {
		_ = o.Set("stylize", in.stylizeFn)
	} else {
		colors := in.colors
		_ = o.Set("stylize", func(call goja.FunctionCall) goja.Value {
			s := call.Argument(0).String()
			if !colors {
				return rt.ToValue(s)
			}
			st, _ := host.String(call.Argument(1))
			c, ok := ansiStyles[st]
			if !ok {
				return rt.ToValue(s)
			}
			return rt.ToValue("\x1b[" + strconv.Itoa(c[0]) + "m" + s + "\x1b[" + strconv.Itoa(c[1]) + "m")
		})
	}
	f := func(x float64) goja.Value { return rt.ToValue(x) }
	_ = o.Set("showHidden", in.showHidden)
	if in.depthNull {
		_ = o.Set("depth", goja.Null())
	} else {
		_ = o.Set("depth", f(in.depth))
	}
	_ = o.Set("colors", in.colors)
	_ = o.Set("customInspect", in.customInspect)
	_ = o.Set("showProxy", in.showProxy)
	_ = o.Set("maxArrayLength", f(in.maxArrayLength))
	_ = o.Set("maxStringLength", f(in.maxStringLength))
	_ = o.Set("breakLength", f(in.breakLength))
	if in.compactTrue {
		_ = o.Set("compact", true)
	} else if in.compact == 0 {
		_ = o.Set("compact", false)
	} else {
		_ = o.Set("compact", in.compact)
	}
	if in.sortFn != nil {
		_ = o.Set("sorted", in.sortFn)
	} else {
		_ = o.Set("sorted", in.sorted)
	}
	switch in.getters {
	case "":
		_ = o.Set("getters", false)
	case "true":
		_ = o.Set("getters", true)
	default:
		_ = o.Set("getters", in.getters)
	}
	_ = o.Set("numericSeparator", in.numericSeparator)
	if in.userOptions != nil {
		for _, k := range in.userOptions.Keys() {
			_ = o.Set(k, in.userOptions.Get(k))
		}
	}
	return o
}

// clone is a fresh inspection with in's options (Node's inspect(x, opts) from a custom inspector).
func (in *inspector) clone() *inspector {
	c := *in
	c.indentationLvl, c.seen, c.currentDepth, c.circular, c.budget = 0, nil, 0, nil, nil
	return &c
}

func (in *inspector) formatProxy(p goja.Proxy, recurseTimes int) string {
	if in.depthExceeded(recurseTimes) {
		return in.stylize("Proxy [Array]", "special")
	}
	recurseTimes++
	in.indentationLvl += 2
	var handler goja.Value = goja.Null()
	if h := p.Handler(); h != nil {
		handler = h
	}
	res := []string{in.formatValue(p.Target(), recurseTimes, false), in.formatValue(handler, recurseTimes, false)}
	in.indentationLvl -= 2
	return in.reduceToSingleString(res, "", [2]string{"Proxy [", "]"}, kArrayExtrasType, recurseTimes, nil)
}

// instanceOf is `o instanceof c` without Symbol.hasInstance: c.prototype on o's chain.
func instanceOf(o, c *goja.Object) bool {
	p, ok := c.Get("prototype").(*goja.Object)
	if !ok {
		return false
	}
	for q := o.Prototype(); q != nil; q = q.Prototype() {
		if q == p {
			return true
		}
	}
	return false
}

func onChain(o, proto *goja.Object) bool {
	if proto == nil {
		return false
	}
	for q := o.Prototype(); q != nil; q = q.Prototype() {
		if q == proto {
			return true
		}
	}
	return false
}

// constructorName is Node's getConstructorName; ok is false for null (no constructor found and a
// null prototype at the end).
func (in *inspector) constructorName(obj *goja.Object, recurseTimes int, protoProps *[]string) (string, bool) {
	ins := in.v.intrinsics()
	tmp := obj
	var firstProto *goja.Object
	firstSet := false
	for o := obj; o != nil; {
		if o == ins.objectProto || o == ins.fnProto {
			name, ctor := "Object", ins.objectCtor
			if o == ins.fnProto {
				name, ctor = "Function", ins.fnCtor
			}
			if instanceOf(tmp, ctor) {
				if protoProps != nil && (!firstSet || firstProto != o) {
					in.addPrototypeProperties(tmp, orObj(firstProto, tmp), recurseTimes, protoProps)
				}
				return name, true
			}
		}
		if d := in.v.ownDesc(o, strKey("constructor")); d != nil {
			if c, ok := d.value.(*goja.Object); ok {
				if _, fn := goja.AssertFunction(c); fn {
					if n := c.Get("name"); n != nil && n.String() != "" && instanceOf(tmp, c) {
						if protoProps != nil && (!firstSet || firstProto != o || !builtInObjects[n.String()]) {
							in.addPrototypeProperties(tmp, orObj(firstProto, tmp), recurseTimes, protoProps)
						}
						return n.String(), true
					}
				}
			}
		}
		o = o.Prototype()
		if !firstSet {
			firstProto, firstSet = o, true
		}
	}
	if firstProto == nil {
		return "", false
	}
	res := internalConstructorName(tmp)
	if in.depthExceeded(recurseTimes) {
		return res + " <Complex prototype>", true
	}
	pc, ok := in.constructorName(firstProto, recurseTimes+1, protoProps)
	if !ok {
		c := in.clone()
		c.customInspect, c.depth, c.depthNull = false, -1, false
		return res + " <" + c.formatValue(firstProto, 0, false) + ">", true
	}
	return res + " <" + pc + ">", true
}

func orObj(a, b *goja.Object) *goja.Object {
	if a != nil {
		return a
	}
	return b
}

// internalConstructorName is V8's idea of an object's class.
func internalConstructorName(o *goja.Object) string {
	switch c := o.ClassName(); c {
	case "Object":
		switch o.ExportType() {
		case typeMapExport:
			return "Map"
		case typeSetExport:
			return "Set"
		}
	case "Function", "Array", "Error", "Date", "RegExp", "Map", "Set", "WeakMap", "WeakSet", "Promise", "String", "Number", "Boolean":
		return c
	}
	return "Object"
}

// addPrototypeProperties adds, with showHidden, the non-function properties that user-defined
// prototypes (up to three levels) give main.
func (in *inspector) addPrototypeProperties(main, obj *goja.Object, recurseTimes int, output *[]string) {
	v := in.v
	var keySet map[propKey]bool
	var keys []propKey
	for depth := 0; depth < 3; depth++ {
		if depth != 0 || main == obj {
			obj = obj.Prototype()
			if obj == nil {
				return
			}
			if d := v.ownDesc(obj, strKey("constructor")); d != nil {
				if c, ok := d.value.(*goja.Object); ok {
					if _, fn := goja.AssertFunction(c); fn && builtInObjects[c.Get("name").String()] {
						return
					}
				}
			}
		}
		if depth == 0 {
			keySet = map[propKey]bool{}
		} else {
			for _, k := range keys {
				keySet[k] = true
			}
		}
		keys = v.ownKeys(obj, true)
		in.seen = append(in.seen, main)
		for _, k := range keys {
			if k == strKey("constructor") || v.hasOwn(main, k) || (depth != 0 && keySet[k]) {
				continue
			}
			d := v.ownDesc(obj, k)
			if d == nil {
				continue
			}
			if _, fn := goja.AssertFunction(d.value); fn && d.value != nil {
				continue
			}
			s := in.formatProperty(obj, recurseTimes, k, kObjectType, d, main)
			if in.colors {
				s = "\x1b[2m" + s + "\x1b[22m"
			}
			*output = append(*output, s)
		}
		in.seen = in.seen[:len(in.seen)-1]
	}
}

// ownKeys are o's own keys (strings, then symbols): all of them, or the enumerable ones.
func (v *Modules) ownKeys(o *goja.Object, all bool) []propKey {
	var keys []propKey
	if all {
		for _, k := range o.GetOwnPropertyNames() {
			keys = append(keys, strKey(k))
		}
		syms, err := v.intrinsics().ownSymbols(goja.Undefined(), o)
		if err != nil {
			panic(err)
		}
		so := syms.(*goja.Object)
		n := int(so.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			if s, ok := so.Get(strconv.Itoa(i)).(*goja.Symbol); ok {
				keys = append(keys, propKey{sym: s})
			}
		}
		return keys
	}
	names := o.Keys()
	syms := o.Symbols()
	keys = make([]propKey, 0, len(names)+len(syms))
	for _, k := range names {
		keys = append(keys, strKey(k))
	}
	for _, s := range syms {
		keys = append(keys, propKey{sym: s})
	}
	return keys
}

func getPrefix(constructor string, hasCtor bool, tag, fallback, size string) string {
	if !hasCtor {
		if tag != "" && fallback != tag {
			return "[" + fallback + size + ": null prototype] [" + tag + "] "
		}
		return "[" + fallback + size + ": null prototype] "
	}
	if tag != "" && constructor != tag {
		return constructor + size + " [" + tag + "] "
	}
	return constructor + size + " "
}

func ctxStyle(o *goja.Object, constructor string, hasCtor bool, tag string) string {
	fallback := ""
	if !hasCtor {
		fallback = internalConstructorName(o)
		if fallback == tag {
			fallback = "Object"
		}
	}
	return getPrefix(constructor, hasCtor, tag, fallback, "")
}

func isIndexKey(k string) bool {
	if k == "" || len(k) > 10 || (k[0] == '0' && len(k) > 1) {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return false
		}
	}
	n, _ := strconv.ParseUint(k, 10, 64)
	return n < 1<<32-1
}

// nonIndexKeys are getOwnNonIndexProperties: o's keys that are no array index.
func (v *Modules) nonIndexKeys(o *goja.Object, all bool) []propKey {
	var out []propKey
	if all {
		for _, k := range o.GetOwnPropertyNames() {
			if !isIndexKey(k) {
				out = append(out, strKey(k))
			}
		}
		for _, k := range v.ownKeys(o, true) {
			if k.sym != nil {
				out = append(out, k)
			}
		}
		return out
	}
	for _, k := range o.Keys() {
		if !isIndexKey(k) {
			out = append(out, strKey(k))
		}
	}
	for _, s := range o.Symbols() {
		out = append(out, propKey{sym: s})
	}
	return out
}

type formatter func(in *inspector, o *goja.Object, recurseTimes int) []string

// formatRaw is Node's formatRaw.
func (in *inspector) formatRaw(value *goja.Object, recurseTimes int, typedArray bool) string {
	v := in.v
	var protoProps *[]string
	var pp []string
	if in.showHidden && !in.depthExceeded(recurseTimes) {
		protoProps = &pp
	}
	constructor, hasCtor := in.constructorName(value, recurseTimes, protoProps)
	hasProto := len(pp) > 0

	tag := ""
	if t, ok := host.String(value.GetSymbol(goja.SymToStringTag)); ok && t != "" {
		d := v.ownDesc(value, propKey{sym: goja.SymToStringTag})
		own := d != nil && (in.showHidden || d.enumerable)
		if !own {
			tag = t
		}
	}
	base := ""
	var fmtr formatter = func(*inspector, *goja.Object, int) []string { return nil }
	braces := [2]string{"{", "}"}
	var keys []propKey
	extrasType := kObjectType
	class := in.v.classOf(value)
	et := value.ExportType()
	_, isFn := goja.AssertFunction(value)
	noIterator := true

	switch {
	case class == "Array":
		noIterator = false
		length := value.Get("length").ToInteger()
		prefix := ""
		if constructor != "Array" || !hasCtor || tag != "" {
			prefix = getPrefix(constructor, hasCtor, tag, "Array", "("+strconv.FormatInt(length, 10)+")")
		}
		keys = v.nonIndexKeys(value, in.showHidden)
		braces = [2]string{prefix + "[", "]"}
		if length == 0 && len(keys) == 0 && !hasProto {
			return braces[0] + "]"
		}
		extrasType = kArrayExtrasType
		fmtr = (*inspector).formatArray
	case class == "Set" || class == "Map":
		noIterator = false
		items := v.collectionItems(value, class)
		size := len(items)
		if class == "Map" {
			size /= 2
		}
		prefix := getPrefix(constructor, hasCtor, tag, class, "("+strconv.Itoa(size)+")")
		keys = v.ownKeys(value, in.showHidden)
		if class == "Set" {
			fmtr = func(in *inspector, _ *goja.Object, rt int) []string { return in.formatSet(items, rt) }
		} else {
			fmtr = func(in *inspector, _ *goja.Object, rt int) []string { return in.formatMap(items, rt) }
		}
		if size == 0 && len(keys) == 0 && !hasProto {
			return prefix + "{}"
		}
		braces = [2]string{prefix + "{", "}"}
	case typedArrayKinds[et] != "" && class == "Object":
		noIterator = false
		keys = v.nonIndexKeys(value, in.showHidden)
		fallback := ""
		if !hasCtor {
			fallback = typedArrayKinds[et]
			if t, ok := host.String(value.GetSymbol(goja.SymToStringTag)); ok {
				fallback = t
			}
		}
		size := value.Get("length").ToInteger()
		prefix := getPrefix(constructor, hasCtor, tag, fallback, "("+strconv.FormatInt(size, 10)+")")
		braces = [2]string{prefix + "[", "]"}
		if size == 0 && len(keys) == 0 && !in.showHidden {
			return braces[0] + "]"
		}
		fmtr = func(in *inspector, o *goja.Object, rt int) []string { return in.formatTypedArray(o, int(size), rt) }
		extrasType = kArrayExtrasType
	}
	if noIterator {
		keys = v.ownKeys(value, in.showHidden)
		braces = [2]string{"{", "}"}
		switch {
		case isFn:
			base = in.functionBase(value, constructor, hasCtor, tag)
			if len(keys) == 0 && !hasProto {
				return in.stylize(base, "special")
			}
		case hasCtor && constructor == "Object" && class != "Error" && class != "Date" && class != "RegExp" && et != typePromise && !isBoxed(class):
			if class == "Arguments" {
				braces[0] = "[Arguments] {"
			} else if tag != "" {
				braces[0] = getPrefix(constructor, hasCtor, tag, "Object", "") + "{"
			}
			if len(keys) == 0 && !hasProto {
				return braces[0] + "}"
			}
		case class == "RegExp":
			base = value.String()
			if !hasCtor {
				base = regexpString(value)
			}
			prefix := getPrefix(constructor, hasCtor, tag, "RegExp", "")
			if prefix != "RegExp " {
				base = prefix + base
			}
			if (len(keys) == 0 && !hasProto) || in.depthExceeded(recurseTimes) {
				return in.stylize(base, "regexp")
			}
		case class == "Date":
			base = dateString(value)
			prefix := getPrefix(constructor, hasCtor, tag, "Date", "")
			if prefix != "Date " {
				base = prefix + base
			}
			if len(keys) == 0 && !hasProto {
				return in.stylize(base, "date")
			}
		case class == "Error":
			base = in.formatError(value, constructor, hasCtor, tag, &keys)
			if len(keys) == 0 && !hasProto {
				return base
			}
		case et == typeArrayBuffer:
			prefix := getPrefix(constructor, hasCtor, tag, "ArrayBuffer", "")
			if !typedArray {
				fmtr = (*inspector).formatArrayBuffer
			} else if len(keys) == 0 && !hasProto {
				ab, _ := value.Export().(goja.ArrayBuffer)
				return prefix + "{ byteLength: " + formatNumber(float64(len(ab.Bytes())), nil, false) + " }"
			}
			braces[0] = prefix + "{"
			keys = append([]propKey{strKey("byteLength")}, keys...)
		case onChain(value, v.lateIntrinsics().dataViewProto) && class == "Object":
			braces[0] = getPrefix(constructor, hasCtor, tag, "DataView", "") + "{"
			keys = append([]propKey{strKey("byteLength"), strKey("byteOffset"), strKey("buffer")}, keys...)
		case et == typePromise:
			braces[0] = getPrefix(constructor, hasCtor, tag, "Promise", "") + "{"
			fmtr = (*inspector).formatPromise
		case class == "WeakSet" || class == "WeakMap":
			braces[0] = getPrefix(constructor, hasCtor, tag, class, "") + "{"
			fmtr = func(in *inspector, _ *goja.Object, _ int) []string {
				return []string{in.stylize("<items unknown>", "special")}
			}
		case isBoxed(class):
			base = in.boxedBase(value, class, &keys, constructor, hasCtor, tag)
			if len(keys) == 0 && !hasProto {
				return base
			}
		default:
			if len(keys) == 0 && !hasProto {
				return ctxStyle(value, constructor, hasCtor, tag) + "{}"
			}
			braces[0] = ctxStyle(value, constructor, hasCtor, tag) + "{"
		}
	}

	if in.depthExceeded(recurseTimes) {
		name := ctxStyle(value, constructor, hasCtor, tag)
		name = name[:len(name)-1]
		if hasCtor {
			name = "[" + name + "]"
		}
		return in.stylize(name, "special")
	}
	recurseTimes++
	in.seen = append(in.seen, value)
	in.currentDepth = recurseTimes
	output := fmtr(in, value, recurseTimes)
	for _, k := range keys {
		output = append(output, in.formatProperty(value, recurseTimes, k, extrasType, nil, value))
	}
	output = append(output, pp...)
	if in.circular != nil {
		if index, ok := in.circular[value]; ok {
			ref := in.stylize("<ref *"+strconv.Itoa(index)+">", "special")
			if !in.compactTrue {
				if base == "" {
					base = ref
				} else {
					base = ref + " " + base
				}
			} else {
				braces[0] = ref + " " + braces[0]
			}
		}
	}
	in.seen = in.seen[:len(in.seen)-1]

	if in.sorted {
		if extrasType == kObjectType {
			in.sortStrings(output)
		} else if len(keys) > 1 {
			in.sortStrings(output[len(output)-len(keys):])
		}
	}
	res := in.reduceToSingleString(output, base, braces, extrasType, recurseTimes, value)
	for len(in.budget) <= in.indentationLvl {
		in.budget = append(in.budget, 0)
	}
	newLength := in.budget[in.indentationLvl] + len(res)
	in.budget[in.indentationLvl] = newLength
	if newLength > 1<<27 {
		in.depth, in.depthNull = -1, false
	}
	return res
}

func (in *inspector) sortStrings(s []string) {
	if in.sortFn == nil {
		sort.Strings(s)
		return
	}
	rt := in.v.rt
	sort.SliceStable(s, func(i, j int) bool {
		r, err := in.sortFn(goja.Undefined(), rt.ToValue(s[i]), rt.ToValue(s[j]))
		if err != nil {
			panic(err)
		}
		return r.ToFloat() < 0
	})
}

func isBoxed(class string) bool {
	switch class {
	case "String", "Number", "Boolean", "Symbol", "BigInt":
		return true
	}
	return false
}

func regexpString(o *goja.Object) string {
	return "/" + o.Get("source").String() + "/" + o.Get("flags").String()
}

func dateString(o *goja.Object) string {
	if f, ok := goja.AssertFunction(o.Get("getTime")); ok {
		if tv, err := f(o); err == nil && !math.IsNaN(tv.ToFloat()) {
			if iso, ok := goja.AssertFunction(o.Get("toISOString")); ok {
				if s, err := iso(o); err == nil {
					return s.String()
				}
			}
		}
	}
	return "Invalid Date"
}

// collectionItems are a Set's values, or a Map's keys and values one after the other.
func (v *Modules) collectionItems(o *goja.Object, class string) []goja.Value {
	ins := v.lateIntrinsics()
	f := ins.setVals
	if class == "Map" {
		f = ins.mapEntries
	}
	var items []goja.Value
	if f == nil {
		return nil
	}
	it, err := f(o)
	if err != nil {
		panic(err)
	}
	arr, err := v.in.ArrayFrom(goja.Undefined(), it)
	if err != nil {
		panic(err)
	}
	ao := arr.(*goja.Object)
	n := int(ao.Get("length").ToInteger())
	for i := 0; i < n; i++ {
		item := ao.Get(strconv.Itoa(i))
		if class == "Map" {
			kv := item.(*goja.Object)
			items = append(items, kv.Get("0"), kv.Get("1"))
		} else {
			items = append(items, item)
		}
	}
	return items
}

func (in *inspector) functionBase(value *goja.Object, constructor string, hasCtor bool, tag string) string {
	ins := in.v.intrinsics()
	src := ""
	if s, err := ins.fnToString(value); err == nil {
		src = s.String()
	}
	if strings.HasPrefix(src, "class") && strings.HasSuffix(src, "}") {
		slice := src[5 : len(src)-1]
		if i := strings.IndexByte(slice, '{'); i != -1 && (!strings.Contains(slice[:i], "(") || classLike(slice)) {
			return in.classBase(value, constructor, hasCtor, tag)
		}
	}
	typ := "Function"
	switch p := value.Prototype(); {
	case p != nil && p == ins.genFnProto:
		typ = "GeneratorFunction"
	case p != nil && p == ins.asyncFnProto:
		typ = "AsyncFunction"
	}
	base := "[" + typ
	if !hasCtor {
		base += " (null prototype)"
	}
	name := ""
	if n := value.Get("name"); n != nil && !goja.IsUndefined(n) {
		name = n.String()
	}
	if name == "" {
		base += " (anonymous)"
	} else {
		base += ": " + name
	}
	base += "]"
	if constructor != typ && hasCtor {
		base += " " + constructor
	}
	if tag != "" && constructor != tag {
		base += " [" + tag + "]"
	}
	return base
}

// classLike is Node's slow check that "class ...{" is a class: no "(" before the first "{"
// once comments are stripped.
func classLike(slice string) bool {
	var b strings.Builder
	for i := 0; i < len(slice); i++ {
		if strings.HasPrefix(slice[i:], "//") {
			j := strings.IndexByte(slice[i:], '\n')
			if j < 0 {
				break
			}
			i += j
			continue
		}
		if strings.HasPrefix(slice[i:], "/*") {
			j := strings.Index(slice[i+2:], "*/")
			if j < 0 {
				break
			}
			i += j + 3
			continue
		}
		b.WriteByte(slice[i])
	}
	s := b.String()
	i := strings.IndexByte(s, '{')
	return i > 0 && !strings.Contains(s[:i], "(") && strings.TrimSpace(s[:i]) != "" && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n')
}

func (in *inspector) classBase(value *goja.Object, constructor string, hasCtor bool, tag string) string {
	name := ""
	if d := in.v.ownDesc(value, strKey("name")); d != nil {
		if n := value.Get("name"); n != nil && n.ToBoolean() {
			name = n.String()
		}
	}
	if name == "" {
		name = "(anonymous)"
	}
	base := "class " + name
	if constructor != "Function" && hasCtor {
		base += " [" + constructor + "]"
	}
	if tag != "" && constructor != tag {
		base += " [" + tag + "]"
	}
	if hasCtor {
		if p := value.Prototype(); p != nil {
			if sn := p.Get("name"); sn != nil && sn.ToBoolean() {
				base += " extends " + sn.String()
			}
		}
	} else {
		base += " extends [null prototype]"
	}
	return "[" + base + "]"
}

func (in *inspector) boxedBase(value *goja.Object, class string, keys *[]propKey, constructor string, hasCtor bool, tag string) string {
	var prim goja.Value
	if vf, ok := goja.AssertFunction(value.Get("valueOf")); ok {
		prim, _ = vf(value)
	}
	if class == "String" {
		n := int(value.Get("length").ToInteger())
		k := *keys
		drop := 0
		for drop < len(k) && drop < n {
			if k[drop].sym == nil && isIndexKey(k[drop].name) {
				drop++
				continue
			}
			break
		}
		*keys = k[drop:]
	}
	if prim == nil {
		prim = goja.Undefined()
	}
	base := "[" + class
	if class != constructor {
		if !hasCtor {
			base += " (null prototype)"
		} else {
			base += " (" + constructor + ")"
		}
	}
	plain := in.clone()
	plain.colors, plain.stylizeFn = false, nil
	base += ": " + plain.formatPrimitive(noStyle, prim) + "]"
	if tag != "" && tag != constructor {
		base += " [" + tag + "]"
	}
	if len(*keys) != 0 || (!in.colors && in.stylizeFn == nil) {
		return base
	}
	return in.stylize(base, strings.ToLower(class))
}

// formatError is Node's formatError.
func (in *inspector) formatError(err *goja.Object, constructor string, hasCtor bool, tag string, keys *[]propKey) string {
	name := "Error"
	if n := err.Get("name"); n != nil && !goja.IsUndefined(n) && !goja.IsNull(n) {
		name = n.String()
	}
	stack := ""
	if s := err.Get("stack"); s != nil && s.ToBoolean() {
		stack = s.String()
		if strings.Contains(stack, "\n\tat ") { // goja's stack ends with a newline
			stack = strings.TrimRight(stack, "\n")
		}
	} else {
		msg := ""
		if m := err.Get("message"); m != nil && !goja.IsUndefined(m) {
			msg = m.String()
		}
		switch {
		case msg == "":
			stack = name
		case name == "":
			stack = msg
		default:
			stack = name + ": " + msg
		}
	}
	if !in.showHidden && len(*keys) != 0 {
		for _, n := range []string{"name", "message", "stack"} {
			if i := slices.Index(*keys, strKey(n)); i != -1 && strings.Contains(stack, err.Get(n).String()) {
				*keys = slices.Delete(*keys, i, i+1)
			}
		}
	}
	if hasProperty(err, "cause") && !slices.Contains(*keys, strKey("cause")) {
		*keys = append(*keys, strKey("cause"))
	}
	if e, ok := err.Get("errors").(*goja.Object); ok && e.ClassName() == "Array" && !slices.Contains(*keys, strKey("errors")) {
		*keys = append(*keys, strKey("errors"))
	}
	stack = improveStack(stack, constructor, hasCtor, name, tag)
	pos := -1
	if m := err.Get("message"); m != nil && m.ToBoolean() {
		ms := m.String()
		if p := strings.Index(stack, ms); p > 0 {
			pos = p + len(ms)
		}
	}
	stackStart := -1
	from := max(pos, 0)
	if from <= len(stack) {
		i := strings.Index(stack[from:], "\n    at")
		j := strings.Index(stack[from:], "\n\tat ") // goja's frames
		if i == -1 || (j != -1 && j < i) {
			i = j
		}
		if i != -1 {
			stackStart = from + i
		}
	}
	if stackStart == -1 {
		stack = "[" + stack + "]"
	}
	if in.indentationLvl != 0 {
		stack = strings.ReplaceAll(stack, "\n", "\n"+strings.Repeat(" ", in.indentationLvl))
	}
	return stack
}

func hasProperty(o *goja.Object, name string) bool {
	for p := o; p != nil; p = p.Prototype() {
		for _, k := range p.GetOwnPropertyNames() {
			if k == name {
				return true
			}
		}
	}
	return false
}

func improveStack(stack, constructor string, hasCtor bool, name, tag string) string {
	ln := len(name)
	if !hasCtor || (strings.HasSuffix(name, "Error") && strings.HasPrefix(stack, name) &&
		(len(stack) == ln || stack[ln] == ':' || stack[ln] == '\n')) {
		fallback := "Error"
		if !hasCtor {
			fallback = ""
			if i := strings.IndexAny(stack, ":\n"); i > 0 {
				fallback = stack[:i]
			} else if strings.HasSuffix(stack, "Error") {
				fallback = stack
			}
			ln = len(fallback)
			if fallback == "" {
				fallback = "Error"
			}
		}
		prefix := getPrefix(constructor, hasCtor, tag, fallback, "")
		prefix = prefix[:len(prefix)-1]
		if name != prefix {
			if strings.Contains(prefix, name) {
				if ln == 0 {
					stack = prefix + ": " + stack
				} else {
					stack = prefix + stack[ln:]
				}
			} else {
				stack = prefix + " [" + name + "]" + stack[ln:]
			}
		}
	}
	return stack
}

// getStringWidth is the width of s in columns (colors removed), as Node measures it.
func getStringWidth(s string, removeControl bool) int {
	if removeControl {
		s = stripANSI(s)
	}
	w := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			for _, r := range s[i:] {
				switch {
				case isFullWidth(r):
					w += 2
				case !isZeroWidth(r):
					w++
				}
			}
			return w
		}
		if c >= 32 {
			w++
		}
	}
	return w
}

func isZeroWidth(r rune) bool {
	return r <= 0x1f || (r >= 0x7f && r <= 0x9f) || (r >= 0x300 && r <= 0x36f) || (r >= 0x200b && r <= 0x200f) ||
		(r >= 0x20d0 && r <= 0x20ff) || (r >= 0xfe00 && r <= 0xfe0f) || (r >= 0xfe20 && r <= 0xfe2f) || (r >= 0xe0100 && r <= 0xe01ef)
}

func isFullWidth(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f || r == 0x2329 || r == 0x232a || (r >= 0x2e80 && r <= 0x3247 && r != 0x303f) ||
		(r >= 0x3250 && r <= 0x4dbf) || (r >= 0x4e00 && r <= 0xa4c6) || (r >= 0xa960 && r <= 0xa97c) ||
		(r >= 0xac00 && r <= 0xd7a3) || (r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe10 && r <= 0xfe19) ||
		(r >= 0xfe30 && r <= 0xfe6b) || (r >= 0xff01 && r <= 0xff60) || (r >= 0xffe0 && r <= 0xffe6) ||
		(r >= 0x1b000 && r <= 0x1b001) || (r >= 0x1f200 && r <= 0x1f251) || (r >= 0x1f300 && r <= 0x1f64f) ||
		(r >= 0x20000 && r <= 0x3fffd))
}

// stripANSI removes SGR color sequences (the only ones inspect writes).
func stripANSI(s string) string {
	if strings.IndexByte(s, 0x1b) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
				j++
			}
			if j < len(s) {
				i = j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// jsLen is the length of s in UTF-16 code units, as JavaScript's .length.
func jsLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			n = 0
			for _, r := range s {
				if r > 0xffff {
					n += 2
				} else {
					n++
				}
			}
			return n
		}
	}
	return n
}

func (in *inspector) groupArrayElements(output []string, value *goja.Object) []string {
	totalLength, maxLength := 0, 0
	outputLength := len(output)
	if in.maxArrayLength < float64(len(output)) {
		outputLength--
	}
	const separatorSpace = 2
	dataLen := make([]int, outputLength)
	for i := 0; i < outputLength; i++ {
		l := getStringWidth(output[i], in.colors)
		dataLen[i] = l
		totalLength += l + separatorSpace
		if maxLength < l {
			maxLength = l
		}
	}
	actualMax := maxLength + separatorSpace
	if float64(actualMax*3+in.indentationLvl) < in.breakLength &&
		(float64(totalLength)/float64(actualMax) > 5 || maxLength <= 6) {
		averageBias := math.Sqrt(float64(actualMax) - float64(totalLength)/float64(len(output)))
		biasedMax := math.Max(float64(actualMax)-3-averageBias, 1)
		columns := min(
			int(math.Round(math.Sqrt(2.5*biasedMax*float64(outputLength))/biasedMax)),
			int(math.Floor((in.breakLength-float64(in.indentationLvl))/float64(actualMax))),
			in.compact*4,
			15,
		)
		if columns <= 1 {
			return output
		}
		var tmp []string
		maxLineLength := make([]int, 0, columns)
		for i := 0; i < columns; i++ {
			lineMax := 0
			for j := i; j < len(output); j += columns {
				if j < outputLength && dataLen[j] > lineMax {
					lineMax = dataLen[j]
				}
			}
			maxLineLength = append(maxLineLength, lineMax+separatorSpace)
		}
		padStart := true
		if value != nil {
			for i := 0; i < len(output); i++ {
				x := value.Get(strconv.Itoa(i))
				if !goja.IsNumber(x) && !goja.IsBigInt(x) {
					padStart = false
					break
				}
			}
		}
		for i := 0; i < outputLength; i += columns {
			maxI := min(i+columns, outputLength)
			var b strings.Builder
			j := i
			for ; j < maxI-1; j++ {
				padding := maxLineLength[j-i] + jsLen(output[j]) - dataLen[j]
				b.WriteString(pad(output[j]+", ", padding, padStart))
			}
			if padStart {
				padding := maxLineLength[j-i] + jsLen(output[j]) - dataLen[j] - separatorSpace
				b.WriteString(pad(output[j], padding, true))
			} else {
				b.WriteString(output[j])
			}
			tmp = append(tmp, b.String())
		}
		if in.maxArrayLength < float64(len(output)) {
			tmp = append(tmp, output[outputLength])
		}
		output = tmp
	}
	return output
}

func pad(s string, width int, start bool) string {
	n := width - jsLen(s)
	if n <= 0 {
		return s
	}
	if start {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

func addNumericSeparator(s string) string {
	start := 0
	if s != "" && s[0] == '-' {
		start = 1
	}
	result := ""
	i := len(s)
	for ; i >= start+4; i -= 3 {
		result = "_" + s[i-3:i] + result
	}
	if i == len(s) {
		return s
	}
	return s[:i] + result
}

func addNumericSeparatorEnd(s string) string {
	result := ""
	i := 0
	for ; i < len(s)-3; i += 3 {
		result += s[i:i+3] + "_"
	}
	if i == 0 {
		return s
	}
	return result + s[i:]
}

// jsNumberString is Number.prototype.toString() of f (ECMA-262 Number::toString).
func jsNumberString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case f == 0:
		return "0"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±x
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	k, n := len(digits), x+1
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	es := "+"
	if n-1 < 0 {
		es = "-"
	}
	m := digits[:1]
	if k > 1 {
		m += "." + digits[1:]
	}
	return sign + m + "e" + es + strconv.Itoa(abs(n-1))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// formatNumber is Node's formatNumber without colors.
func formatNumber(f float64, val goja.Value, numericSeparator bool) string {
	if !numericSeparator {
		if f == 0 && math.Signbit(f) {
			return "-0"
		}
		if val == nil {
			return jsNumberString(f)
		}
		return val.String()
	}
	s := jsNumberString(f)
	if f == math.Trunc(f) {
		if math.IsInf(f, 0) || strings.Contains(s, "e") {
			return s
		}
		return addNumericSeparator(s)
	}
	if math.IsNaN(f) {
		return s
	}
	dot := strings.IndexByte(s, '.')
	if dot < 0 {
		return s
	}
	return addNumericSeparator(s[:dot]) + "." + addNumericSeparatorEnd(s[dot+1:])
}

func formatBigInt(val goja.Value, numericSeparator bool) string {
	s := val.String()
	if b, ok := val.Export().(*big.Int); ok {
		s = b.String()
	}
	if numericSeparator {
		s = addNumericSeparator(s)
	}
	return s + "n"
}

// strEscape quotes s as Node does: single quotes, or double quotes or backquotes to avoid
// escaping single quotes, with control characters escaped.
func strEscape(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 {
		if strings.IndexByte(s, '"') < 0 {
			quote = '"'
		} else if strings.IndexByte(s, '`') < 0 && !strings.Contains(s, "${") {
			quote = '`'
		}
	}
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == '\\' || (c == '\'' && quote == '\'') || c == 0xc2 || c == 0xed || c == 0xef {
			clean = false
			break
		}
	}
	if clean {
		return string(quote) + s + string(quote)
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == '\'' && quote == '\'':
			b.WriteString(`\'`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			b.WriteString(`\x` + strings.ToUpper(strconv.FormatInt(int64(r)|0x100, 16)[1:]))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// quoteJS quotes s as inspect quotes a string.
func quoteJS(s string) string { return strEscape(s) }

// jsSlice is s[:n] in UTF-16 code units.
func jsSlice(s string, n int) string {
	i := 0
	for pos, r := range s {
		w := 1
		if r > 0xffff {
			w = 2
		}
		if i+w > n {
			return s[:pos]
		}
		i += w
	}
	return s
}

func (in *inspector) formatPrimitive(fn func(string, string) string, val goja.Value) string {
	if s, ok := host.String(val); ok {
		trailer := ""
		l := jsLen(s)
		if float64(l) > in.maxStringLength {
			keep := int(math.Max(in.maxStringLength, 0))
			remaining := l - keep
			s = jsSlice(s, keep)
			l = keep
			trailer = "... " + strconv.Itoa(remaining) + " more character"
			if remaining > 1 {
				trailer += "s"
			}
		}
		if !in.compactTrue && l > 16 && float64(l) > in.breakLength-float64(in.indentationLvl)-4 {
			var parts []string
			for len(s) > 0 {
				i := strings.IndexByte(s, '\n')
				if i < 0 || i == len(s)-1 {
					parts = append(parts, fn(strEscape(s), "string"))
					break
				}
				parts = append(parts, fn(strEscape(s[:i+1]), "string"))
				s = s[i+1:]
			}
			return strings.Join(parts, " +\n"+strings.Repeat(" ", in.indentationLvl+2)) + trailer
		}
		return fn(strEscape(s), "string") + trailer
	}
	switch {
	case goja.IsNumber(val):
		return fn(formatNumber(val.ToFloat(), val, in.numericSeparator), "number")
	case goja.IsBigInt(val):
		return fn(formatBigInt(val, in.numericSeparator), "bigint")
	case isBool(val):
		return fn(val.String(), "boolean")
	case val == nil || goja.IsUndefined(val):
		return fn("undefined", "undefined")
	}
	if s, ok := val.(*goja.Symbol); ok {
		return fn(symbolString(s), "symbol")
	}
	return fn(val.String(), "")
}

func remainingText(n int) string {
	if n > 1 {
		return "... " + strconv.Itoa(n) + " more items"
	}
	return "... " + strconv.Itoa(n) + " more item"
}

func (in *inspector) maxLen(n int) int {
	return int(math.Min(math.Max(0, in.maxArrayLength), float64(n)))
}

func (in *inspector) formatArray(value *goja.Object, recurseTimes int) []string {
	valLen := int(value.Get("length").ToInteger())
	l := in.maxLen(valLen)
	remaining := valLen - l
	output := make([]string, 0, l)
	for i := 0; i < l; i++ {
		key := strKey(strconv.Itoa(i))
		d := in.v.ownDesc(value, key)
		if d == nil {
			return in.formatSpecialArray(value, recurseTimes, l, output, i)
		}
		output = append(output, in.formatProperty(value, recurseTimes, key, kArrayType, d, value))
	}
	if remaining > 0 {
		output = append(output, remainingText(remaining))
	}
	return output
}

func (in *inspector) formatSpecialArray(value *goja.Object, recurseTimes, maxLength int, output []string, i int) []string {
	keys := value.Keys()
	index := i
	for ; i < len(keys) && len(output) < maxLength; i++ {
		key := keys[i]
		tmp, err := strconv.ParseFloat(key, 64)
		if err == nil && tmp > 1<<32-2 {
			break
		}
		if strconv.Itoa(index) != key {
			if !isIndexKey(key) {
				break
			}
			empty := int(tmp) - index
			msg := "<" + strconv.Itoa(empty) + " empty item"
			if empty > 1 {
				msg += "s"
			}
			output = append(output, in.stylize(msg+">", "undefined"))
			index = int(tmp)
			if len(output) == maxLength {
				break
			}
		}
		output = append(output, in.formatProperty(value, recurseTimes, strKey(key), kArrayType, nil, value))
		index++
	}
	remaining := int(value.Get("length").ToInteger()) - index
	if len(output) != maxLength {
		if remaining > 0 {
			msg := "<" + strconv.Itoa(remaining) + " empty item"
			if remaining > 1 {
				msg += "s"
			}
			output = append(output, in.stylize(msg+">", "undefined"))
		}
	} else if remaining > 0 {
		output = append(output, remainingText(remaining))
	}
	return output
}

func (in *inspector) formatArrayBuffer(value *goja.Object, _ int) []string {
	ab, _ := value.Export().(goja.ArrayBuffer)
	if ab.Detached() {
		return []string{in.stylize("(detached)", "special")}
	}
	data := ab.Bytes()
	n := in.maxLen(len(data))
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatUint(uint64(data[i])|0x100, 16)[1:])
	}
	str := b.String()
	if remaining := len(data) - n; remaining > 0 {
		str += " ... " + strconv.Itoa(remaining) + " more byte"
		if remaining > 1 {
			str += "s"
		}
	}
	return []string{in.stylize("[Uint8Contents]", "special") + ": <" + str + ">"}
}

func (in *inspector) formatTypedArray(value *goja.Object, length, recurseTimes int) []string {
	maxLength := in.maxLen(length)
	remaining := length - maxLength
	output := make([]string, 0, maxLength+1)
	for i := 0; i < maxLength; i++ {
		x := value.Get(strconv.Itoa(i))
		if goja.IsBigInt(x) {
			output = append(output, in.stylize(formatBigInt(x, in.numericSeparator), "bigint"))
		} else {
			output = append(output, in.stylize(formatNumber(x.ToFloat(), x, in.numericSeparator), "number"))
		}
	}
	if remaining > 0 {
		output = append(output, remainingText(remaining))
	}
	if in.showHidden {
		in.indentationLvl += 2
		for _, key := range []string{"BYTES_PER_ELEMENT", "length", "byteLength", "byteOffset", "buffer"} {
			output = append(output, "["+key+"]: "+in.formatValue(value.Get(key), recurseTimes, true))
		}
		in.indentationLvl -= 2
	}
	return output
}

func (in *inspector) formatSet(items []goja.Value, recurseTimes int) []string {
	maxLength := in.maxLen(len(items))
	output := make([]string, 0, maxLength+1)
	in.indentationLvl += 2
	for _, x := range items[:maxLength] {
		output = append(output, in.formatValue(x, recurseTimes, false))
	}
	if remaining := len(items) - maxLength; remaining > 0 {
		output = append(output, remainingText(remaining))
	}
	in.indentationLvl -= 2
	return output
}

func (in *inspector) formatMap(items []goja.Value, recurseTimes int) []string {
	size := len(items) / 2
	maxLength := in.maxLen(size)
	output := make([]string, 0, maxLength+1)
	in.indentationLvl += 2
	for i := 0; i < maxLength; i++ {
		output = append(output, in.formatValue(items[2*i], recurseTimes, false)+" => "+in.formatValue(items[2*i+1], recurseTimes, false))
	}
	if remaining := size - maxLength; remaining > 0 {
		output = append(output, remainingText(remaining))
	}
	in.indentationLvl -= 2
	return output
}

func (in *inspector) formatPromise(value *goja.Object, recurseTimes int) []string {
	p, _ := value.Export().(*goja.Promise)
	if p == nil || p.State() == goja.PromiseStatePending {
		return []string{in.stylize("<pending>", "special")}
	}
	in.indentationLvl += 2
	s := in.formatValue(p.Result(), recurseTimes, false)
	in.indentationLvl -= 2
	if p.State() == goja.PromiseStateRejected {
		return []string{in.stylize("<rejected>", "special") + " " + s}
	}
	return []string{s}
}

var keyStrRE = func(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (i > 0 && c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

func (in *inspector) formatProperty(value *goja.Object, recurseTimes int, key propKey, typ int, d *propDesc, original *goja.Object) string {
	in.tick()
	extra := " "
	if d == nil {
		d = in.v.ownDesc(value, key)
		if d == nil {
			var x goja.Value
			if key.sym != nil {
				x = value.GetSymbol(key.sym)
			} else {
				x = value.Get(key.name)
			}
			if x == nil {
				x = goja.Undefined()
			}
			d = &propDesc{value: x, enumerable: true}
		}
	}
	var str string
	switch {
	case d.value != nil && !goja.IsUndefined(d.value):
		diff := 2
		if in.compactTrue && typ == kObjectType {
			diff = 3
		}
		in.indentationLvl += diff
		str = in.formatValue(d.value, recurseTimes, false)
		if diff == 3 && in.breakLength < float64(getStringWidth(str, in.colors)) {
			extra = "\n" + strings.Repeat(" ", in.indentationLvl)
		}
		in.indentationLvl -= diff
	case d.get != nil:
		label := "Getter"
		if d.set != nil {
			label = "Getter/Setter"
		}
		if in.getters == "true" || (in.getters == "get" && d.set == nil) || (in.getters == "set" && d.set != nil) {
			g, _ := goja.AssertFunction(d.get)
			tmp, err := g(original)
			if err != nil {
				msg := ""
				if ex, ok := err.(*goja.Exception); ok {
					if eo, ok := ex.Value().(*goja.Object); ok {
						msg = eo.Get("message").String()
					}
				} else {
					panic(err)
				}
				str = in.stylize("["+label+":", "special") + " <Inspection threw (" + msg + ")>" + in.stylize("]", "special")
			} else {
				in.indentationLvl += 2
				switch {
				case goja.IsNull(tmp):
					str = in.stylize("["+label+":", "special") + " " + in.stylize("null", "null") + in.stylize("]", "special")
				case isObject(tmp):
					str = in.stylize("["+label+"]", "special") + " " + in.formatValue(tmp, recurseTimes, false)
				default:
					str = in.stylize("["+label+":", "special") + " " + in.formatPrimitive(in.stylize, tmp) + in.stylize("]", "special")
				}
				in.indentationLvl -= 2
			}
		} else {
			str = in.stylize("["+label+"]", "special")
		}
	case d.set != nil:
		str = in.stylize("[Setter]", "special")
	default:
		str = in.stylize("undefined", "undefined")
	}
	if typ == kArrayType {
		return str
	}
	var name string
	if key.sym != nil {
		name = "[" + in.stylize(escapeKey(symbolString(key.sym)), "symbol") + "]"
	} else {
		k := key.name
		switch {
		case k == "__proto__":
			name = "['__proto__']"
		case !d.enumerable:
			name = "[" + escapeKey(k) + "]"
		case keyStrRE(k):
			name = in.stylize(k, "name")
		default:
			name = in.stylize(strEscape(k), "string")
		}
	}
	return name + ":" + extra + str
}

// escapeKey escapes what strEscape would in s, without quoting it.
func escapeKey(s string) string {
	q := strEscape(s)
	if q[0] == '\'' {
		return q[1 : len(q)-1]
	}
	// Quoted otherwise because of a single quote: escape it as the single-quote form would.
	return strings.ReplaceAll(q[1:len(q)-1], "'", `\'`)
}

func (in *inspector) isBelowBreakLength(output []string, start int, base string) bool {
	totalLength := len(output) + start
	if float64(totalLength+len(output)) > in.breakLength {
		return false
	}
	for _, s := range output {
		if in.colors {
			totalLength += jsLen(stripANSI(s))
		} else {
			totalLength += jsLen(s)
		}
		if float64(totalLength) > in.breakLength {
			return false
		}
	}
	return base == "" || !strings.Contains(base, "\n")
}

func (in *inspector) reduceToSingleString(output []string, base string, braces [2]string, extrasType, recurseTimes int, value *goja.Object) string {
	basePrefix := ""
	if base != "" {
		basePrefix = base + " "
	}
	if !in.compactTrue {
		if in.compact >= 1 {
			entries := len(output)
			if extrasType == kArrayExtrasType && entries > 6 {
				output = in.groupArrayElements(output, value)
			}
			if in.currentDepth-recurseTimes < in.compact && entries == len(output) {
				start := len(output) + in.indentationLvl + jsLen(braces[0]) + jsLen(base) + 10
				if in.isBelowBreakLength(output, start, base) {
					joined := strings.Join(output, ", ")
					if !strings.Contains(joined, "\n") {
						return basePrefix + braces[0] + " " + joined + " " + braces[1]
					}
				}
			}
		}
		ind := "\n" + strings.Repeat(" ", in.indentationLvl)
		return basePrefix + braces[0] + ind + "  " + strings.Join(output, ","+ind+"  ") + ind + braces[1]
	}
	if in.isBelowBreakLength(output, 0, base) {
		b := ""
		if base != "" {
			b = " " + base
		}
		return braces[0] + b + " " + strings.Join(output, ", ") + " " + braces[1]
	}
	ind := strings.Repeat(" ", in.indentationLvl)
	ln := " "
	if !(base == "" && jsLen(braces[0]) == 1) {
		b := ""
		if base != "" {
			b = " " + base
		}
		ln = b + "\n" + ind + "  "
	}
	return braces[0] + ln + strings.Join(output, ",\n"+ind+"  ") + " " + braces[1]
}

// bufferInspect prints a Buffer as Buffer.prototype[util.inspect.custom] does:
// <Buffer 68 65 ... 12 more bytes>.
func (in *inspector) bufferInspect(o *goja.Object, _ int) (string, bool) {
	bm, ok := in.v.builtins["buffer"].(*goja.Object)
	if !ok || o.ExportType() != typedArrayBytes {
		return "", false
	}
	bc, ok := bm.Get("Buffer").(*goja.Object)
	if !ok || !instanceOf(o, bc) {
		return "", false
	}
	data, _ := host.Bytes(o)
	const maxBytes = 50
	n := min(maxBytes, len(data))
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatUint(uint64(data[i])|0x100, 16)[1:])
	}
	str := b.String()
	if remaining := len(data) - maxBytes; remaining > 0 {
		str += " ... " + strconv.Itoa(remaining) + " more byte"
		if remaining > 1 {
			str += "s"
		}
	}
	var extras []string
	for _, k := range in.v.nonIndexKeys(o, in.showHidden) {
		extras = append(extras, in.clone().formatPropertyFlat(o, k))
	}
	if len(extras) > 0 {
		if len(data) != 0 {
			str += ", "
		}
		str += strings.Join(extras, ", ")
	}
	name := "Buffer"
	if c, ok := o.Get("constructor").(*goja.Object); ok {
		name = c.Get("name").String()
	}
	return "<" + name + " " + str + ">", true
}

var typedArrayBytes = reflect.TypeOf([]byte(nil))

// formatPropertyFlat formats one property on one line (compact: true, breakLength: Infinity).
func (in *inspector) formatPropertyFlat(o *goja.Object, k propKey) string {
	in.compactTrue, in.breakLength = true, math.Inf(1)
	d := in.v.ownDesc(o, k)
	if d == nil {
		return ""
	}
	d.enumerable = true
	return in.formatProperty(o, 0, k, kObjectType, d, o)
}

// webInspect prints a URL or URLSearchParams of the runtime's runner/web as Node's classes print
// themselves.
func (in *inspector) webInspect(o *goja.Object, recurseTimes int) (string, bool) {
	web := in.v.cfg.Web
	if web == nil {
		return "", false
	}
	urlC, _ := web.Get("URL").(*goja.Object)
	spC, _ := web.Get("URLSearchParams").(*goja.Object)
	switch {
	case urlC != nil && instanceOf(o, urlC) && !in.isProtoOfCtor(o):
		if !in.depthNull && in.depth-float64(recurseTimes) < 0 {
			return "", false
		}
		rt := in.v.rt
		obj := rt.NewObject()
		for _, k := range []string{"href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "searchParams", "hash"} {
			_ = obj.Set(k, o.Get(k))
		}
		name := "URL"
		if n, ok := in.constructorName(o, recurseTimes, nil); ok {
			name = n
		}
		s := name + " " + in.clone().formatValue(obj, 0, false)
		return strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", in.indentationLvl)), true
	case spC != nil && instanceOf(o, spC) && !in.isProtoOfCtor(o):
		depth := in.depth - float64(recurseTimes)
		if !in.depthNull && depth < 0 {
			return in.stylize("[Object]", "special"), true
		}
		inner := in.clone()
		if !in.depthNull {
			inner.depth = depth - 1
		}
		arr, err := in.v.in.ArrayFrom(goja.Undefined(), o)
		if err != nil {
			panic(err)
		}
		ao := arr.(*goja.Object)
		n := int(ao.Get("length").ToInteger())
		var output []string
		length := -2
		for i := 0; i < n; i++ {
			kv := ao.Get(strconv.Itoa(i)).(*goja.Object)
			s := inner.clone().formatValue(kv.Get("0"), 0, false) + " => " + inner.clone().formatValue(kv.Get("1"), 0, false)
			output = append(output, s)
			length += jsLen(stripANSI(s)) + 2
		}
		name := "URLSearchParams"
		if c, ok := o.Get("constructor").(*goja.Object); ok {
			name = c.Get("name").String()
		}
		switch {
		case float64(length) > in.breakLength:
			return name + " {\n  " + strings.Join(output, ",\n  ") + " }", true
		case len(output) > 0:
			return name + " { " + strings.Join(output, ", ") + " }", true
		}
		return name + " {}", true
	}
	return "", false
}
