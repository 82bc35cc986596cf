package node

import (
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/dop251/goja"
)

// Console output is util.format's (inspect.go has util.inspect): strings print as they are, other
// values as util.inspect prints them, with Node's defaults (depth 2, lines broken at 80 columns).

// NewConsole returns a console whose every method appends one line to the logs of the execution
// in progress (host.VM.Log: console.log in a module called by an action lands in that action's
// logs). Output while code loads, outside any execution, is dropped.
func (v *Modules) NewConsole() *goja.Object {
	c := v.rt.NewObject()
	log := func(call goja.FunctionCall) goja.Value {
		v.vm.Log(v.format(nil, call.Arguments))
		return goja.Undefined()
	}
	for _, name := range []string{"log", "info", "warn", "error", "debug", "trace", "dir"} {
		c.Set(name, log)
	}
	return c
}

func (v *Modules) jsFormat(call goja.FunctionCall) goja.Value {
	return v.rt.ToValue(v.format(nil, call.Arguments))
}

// jsFormatWithOptions is util.formatWithOptions(inspectOptions, ...args).
func (v *Modules) jsFormatWithOptions(call goja.FunctionCall) goja.Value {
	opts, ok := call.Argument(0).(*goja.Object)
	if !ok {
		panic(v.argTypeError("The \"inspectOptions\" argument must be of type object", call.Argument(0)))
	}
	return v.rt.ToValue(v.format(opts, call.Arguments[1:]))
}

// jsInspect is util.inspect(value, opts) and its legacy form (value, showHidden, depth, colors).
func (v *Modules) jsInspect(call goja.FunctionCall) goja.Value {
	in := v.newInspector()
	if len(call.Arguments) > 1 {
		if len(call.Arguments) > 2 {
			if d := call.Arguments[2]; !goja.IsUndefined(d) {
				in.setDepth(d)
			}
			if len(call.Arguments) > 3 && !goja.IsUndefined(call.Arguments[3]) {
				in.colors = call.Arguments[3].ToBoolean()
			}
		}
		switch o := call.Arguments[1].(type) {
		case *goja.Object:
			in.readOptions(o)
		default:
			if isBool(o) {
				in.showHidden = o.ToBoolean()
			}
		}
	}
	return v.rt.ToValue(in.run(call.Argument(0)))
}

// Inspect returns val as util.inspect writes it, at depth (0 for a value logged alone).
func (v *Modules) Inspect(val goja.Value, depth int) string {
	in := v.newInspector()
	in.depth -= float64(depth)
	return in.run(val)
}

func (v *Modules) argTypeError(msg string, got goja.Value) *goja.Object {
	e := v.rt.NewTypeError(msg + ". Received " + describeReceived(got))
	_ = e.Set("code", "ERR_INVALID_ARG_TYPE")
	return e
}

// ArgTypeError is Node's ERR_INVALID_ARG_TYPE TypeError: The "name" argument must be of type typ.
// Received ...
func (v *Modules) ArgTypeError(name, typ string, got goja.Value) *goja.Object {
	return v.argTypeError("The \""+name+"\" argument must be of type "+typ, got)
}

// describeReceived is the "Received ..." part of Node's ERR_INVALID_ARG_TYPE messages.
func describeReceived(val goja.Value) string {
	switch {
	case val == nil || goja.IsUndefined(val):
		return "undefined"
	case goja.IsNull(val):
		return "null"
	}
	if o, ok := val.(*goja.Object); ok {
		if _, fn := goja.AssertFunction(o); fn {
			if n := o.Get("name"); n != nil && n.String() != "" {
				return "function " + n.String()
			}
			return "function "
		}
		return "an instance of " + o.ClassName()
	}
	if s, ok := host.String(val); ok {
		if len(s) > 28 {
			s = s[:25] + "..."
		}
		return "type string (" + quoteJS(s) + ")"
	}
	t := "number"
	switch {
	case isBool(val):
		t = "boolean"
	case goja.IsBigInt(val):
		t = "bigint"
	case isSymbol(val):
		return "type symbol (" + symbolString(val.(*goja.Symbol)) + ")"
	}
	return "type " + t + " (" + val.String() + ")"
}

func isBool(v goja.Value) bool {
	if v == nil {
		return false
	}
	t := v.ExportType()
	return t != nil && t.Kind() == reflect.Bool && !isObject(v)
}

func isObject(v goja.Value) bool {
	_, ok := v.(*goja.Object)
	return ok
}

func isSymbol(v goja.Value) bool {
	_, ok := v.(*goja.Symbol)
	return ok
}

func symbolString(s *goja.Symbol) string { return "Symbol(" + s.String() + ")" }

// format is util.formatWithOptions(opts, ...args); opts is nil for util.format.
func (v *Modules) format(opts *goja.Object, args []goja.Value) string {
	if len(args) == 0 {
		return ""
	}
	first, isStr := host.String(args[0])
	if isStr && len(args) == 1 {
		return first
	}
	var b strings.Builder
	a := 0
	join := ""
	if isStr {
		lastPos := 0
		for i := 0; i < len(first)-1; i++ {
			if first[i] != '%' {
				continue
			}
			i++
			next := first[i]
			if a+1 == len(args) {
				if next == '%' {
					b.WriteString(first[lastPos:i])
					lastPos = i + 1
				}
				continue
			}
			var s string
			switch next {
			case 's':
				a++
				s = v.formatS(opts, args[a])
			case 'j':
				a++
				s = v.tryStringify(args[a])
			case 'd', 'i', 'f':
				a++
				s = v.formatNum(opts, next, args[a])
			case 'O':
				a++
				s = v.inspectWith(opts, nil, args[a])
			case 'o':
				a++
				s = v.inspectWith(opts, func(in *inspector) {
					in.showHidden, in.showProxy, in.depth = true, true, 4
				}, args[a])
			case 'c':
				a++
				s = ""
			case '%':
				b.WriteString(first[lastPos:i])
				lastPos = i + 1
				continue
			default:
				continue
			}
			if lastPos != i-1 {
				b.WriteString(first[lastPos : i-1])
			}
			b.WriteString(s)
			lastPos = i + 1
		}
		if lastPos != 0 {
			a++
			join = " "
			if lastPos < len(first) {
				b.WriteString(first[lastPos:])
			}
		}
	}
	for ; a < len(args); a++ {
		b.WriteString(join)
		if s, ok := host.String(args[a]); ok {
			b.WriteString(s)
		} else {
			b.WriteString(v.inspectWith(opts, nil, args[a]))
		}
		join = " "
	}
	return b.String()
}

// inspectWith is util.inspect(val, {...opts, ...what set sets}).
func (v *Modules) inspectWith(opts *goja.Object, set func(*inspector), val goja.Value) string {
	in := v.newInspector()
	if opts != nil {
		in.readOptions(opts)
	}
	if set != nil {
		set(in)
	}
	return in.run(val)
}

// formatS is %s: numbers and bigints as inspect writes them (-0, 1n), objects without a toString
// of their own inspected at depth 0, everything else through String().
func (v *Modules) formatS(opts *goja.Object, a goja.Value) string {
	numSep := v.optNumericSeparator(opts)
	switch {
	case goja.IsNumber(a):
		return formatNumber(a.ToFloat(), a, numSep)
	case goja.IsBigInt(a):
		return formatBigInt(a, numSep)
	}
	o, ok := a.(*goja.Object)
	if _, fn := goja.AssertFunction(a); fn {
		return a.String()
	}
	if !ok {
		if s, ok := a.(*goja.Symbol); ok {
			return symbolString(s)
		}
		return a.String()
	}
	if !v.hasBuiltInToString(o) {
		return o.String()
	}
	return v.inspectWith(opts, func(in *inspector) {
		in.compact, in.compactTrue, in.colors, in.stylizeFn, in.depth, in.depthNull = 3, false, false, nil, 0, false
	}, a)
}

func (v *Modules) optNumericSeparator(opts *goja.Object) bool {
	if opts == nil {
		return false
	}
	if n := opts.Get("numericSeparator"); n != nil && !goja.IsUndefined(n) && !goja.IsNull(n) {
		return n.ToBoolean()
	}
	return false
}

// formatNum is %d, %i and %f.
func (v *Modules) formatNum(opts *goja.Object, verb byte, a goja.Value) string {
	numSep := v.optNumericSeparator(opts)
	if verb != 'f' && goja.IsBigInt(a) {
		return formatBigInt(a, numSep)
	}
	if isSymbol(a) {
		return "NaN"
	}
	var f float64
	switch verb {
	case 'd':
		f = a.ToFloat()
	case 'i':
		f = parseIntJS(v.jsString(a))
	default:
		f = parseFloatJS(v.jsString(a))
	}
	return formatNumber(f, nil, numSep)
}

// jsString is String(a), as parseInt and parseFloat read their argument.
func (v *Modules) jsString(a goja.Value) string {
	if s, ok := a.(*goja.Symbol); ok {
		return symbolString(s)
	}
	return a.String()
}

// parseIntJS is Number.parseInt(s) (radix 10, or 16 after 0x).
func parseIntJS(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r\u00a0\ufeff\u2028\u2029")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	if len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base, s = 16, s[2:]
	}
	end := 0
	for end < len(s) {
		c := s[end]
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'z':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			d = int(c-'A') + 10
		default:
			d = 99
		}
		if d >= base {
			break
		}
		end++
	}
	if end == 0 {
		return math.NaN()
	}
	n, ok := new(big.Int).SetString(s[:end], base)
	if !ok {
		return math.NaN()
	}
	f, _ := new(big.Float).SetInt(n).Float64()
	if neg {
		f = -f
	}
	return f
}

// parseFloatJS is Number.parseFloat(s).
func parseFloatJS(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r\u00a0\ufeff\u2028\u2029")
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if strings.HasPrefix(s[i:], "Infinity") {
		if s[0] == '-' {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	digits := false
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, true
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, true
		}
	}
	if !digits {
		return math.NaN()
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > j {
			i = k
		}
	}
	f, err := strconv.ParseFloat(s[:i], 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return math.NaN()
	}
	return f
}

// tryStringify is %j: JSON.stringify, or '[Circular]' for a circular value.
func (v *Modules) tryStringify(a goja.Value) string {
	s, err := v.in.JSONStringify(goja.Undefined(), a)
	if err != nil {
		if ex, ok := err.(*goja.Exception); ok {
			if o, ok := ex.Value().(*goja.Object); ok && strings.Contains(strings.ToLower(o.Get("message").String()), "circular") {
				return "[Circular]"
			}
		}
		panic(err)
	}
	if goja.IsUndefined(s) {
		return "undefined"
	}
	return s.String()
}

// hasBuiltInToString reports whether o's toString (or Symbol.toPrimitive) is a built-in one, so
// that %s inspects it rather than calling it.
func (v *Modules) hasBuiltInToString(o *goja.Object) bool {
	if p, ok := o.Export().(goja.Proxy); ok && o.ExportType() == proxyType {
		if p.Target() == nil {
			return true
		}
		o = p.Target()
	}
	_, hasToString := goja.AssertFunction(o.Get("toString"))
	_, hasToPrim := goja.AssertFunction(o.GetSymbol(goja.SymToPrimitive))
	checkToString, checkToPrim := true, true
	if !hasToString {
		if !hasToPrim {
			return true
		}
		if v.hasOwn(o, propKey{sym: goja.SymToPrimitive}) {
			return false
		}
		checkToString = false
	} else if v.hasOwn(o, strKey("toString")) {
		return false
	} else if !hasToPrim {
		checkToPrim = false
	} else if v.hasOwn(o, propKey{sym: goja.SymToPrimitive}) {
		return false
	}
	p := o
	for {
		p = p.Prototype()
		if p == nil {
			return true
		}
		if (checkToString && v.hasOwn(p, strKey("toString"))) || (checkToPrim && v.hasOwn(p, propKey{sym: goja.SymToPrimitive})) {
			break
		}
	}
	d := v.ownDesc(p, strKey("constructor"))
	if d == nil {
		return false
	}
	c, ok := d.value.(*goja.Object)
	if !ok {
		return false
	}
	if _, fn := goja.AssertFunction(c); !fn {
		return false
	}
	return builtInObjects[c.Get("name").String()]
}
