package node

import (
	"math"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/actionsd/actionsd/runner/host"
	"github.com/dop251/goja"
)

// Console output is formatted like Node's util.format, on one line: strings print as they are,
// other values as util.inspect would print them with its default depth of 2 —
// { code: 'logger_success', message: 'sent' }, [ 1, 2, 3 ], [Function: f], Map(1) { 'a' => 1 },
// an Error as its stack. Unlike Node, long output is never broken across lines.

// NewConsole returns a console whose every method appends one line to the logs of the execution
// in progress (host.VM.Log: console.log in a module called by an action lands in that action's
// logs). Output while code loads, outside any execution, is dropped.
func (v *Modules) NewConsole() *goja.Object {
	c := v.rt.NewObject()
	log := func(call goja.FunctionCall) goja.Value {
		v.vm.Log(v.format(call.Arguments))
		return goja.Undefined()
	}
	for _, name := range []string{"log", "info", "warn", "error", "debug", "trace", "dir"} {
		c.Set(name, log)
	}
	return c
}

func (v *Modules) jsFormat(call goja.FunctionCall) goja.Value {
	return v.rt.ToValue(v.format(call.Arguments))
}

func (v *Modules) jsInspect(call goja.FunctionCall) goja.Value {
	var b strings.Builder
	v.inspect(&b, call.Argument(0), 0, nil)
	return v.rt.ToValue(b.String())
}

// format is util.format.
func (v *Modules) format(args []goja.Value) string {
	var b strings.Builder
	rest, wrote := args, false
	if len(args) > 0 {
		if s, ok := host.String(args[0]); ok {
			rest, wrote = v.formatPlaceholders(&b, s, args[1:]), true
		}
	}
	for i, a := range rest {
		if wrote || i > 0 {
			b.WriteByte(' ')
		}
		if s, ok := host.String(a); ok {
			b.WriteString(s)
		} else {
			v.inspect(&b, a, 0, nil)
		}
	}
	return b.String()
}

// formatPlaceholders writes f with %s %d %i %f %j %o %O %c %% replaced and returns the arguments
// left over.
func (v *Modules) formatPlaceholders(b *strings.Builder, f string, args []goja.Value) []goja.Value {
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 == len(f) {
			b.WriteByte(c)
			continue
		}
		d := f[i+1]
		if d == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		if !strings.ContainsRune("sdifjoOc", rune(d)) || len(args) == 0 {
			b.WriteByte(c)
			continue
		}
		a := args[0]
		args = args[1:]
		i++
		switch d {
		case 's':
			if _, ok := a.(*goja.Object); ok {
				v.inspect(b, a, 1, nil)
			} else {
				b.WriteString(a.String())
			}
		case 'd', 'i':
			n := a.ToFloat()
			if d == 'i' {
				n = math.Trunc(n)
			}
			b.WriteString(v.rt.ToValue(n).String())
		case 'f':
			b.WriteString(v.rt.ToValue(a.ToFloat()).String())
		case 'j':
			s, err := v.in.JSONStringify(goja.Undefined(), a)
			if err != nil {
				b.WriteString("[Circular]")
			} else {
				b.WriteString(s.String())
			}
		case 'o', 'O':
			v.inspect(b, a, 0, nil)
		case 'c': // CSS: ignored
		}
	}
	return args
}

var typePromise = reflect.TypeOf((*goja.Promise)(nil))

// Inspect returns val as util.inspect writes it, starting at depth (0 for a value logged alone).
func (v *Modules) Inspect(val goja.Value, depth int) string {
	var b strings.Builder
	v.inspect(&b, val, depth, nil)
	return b.String()
}

const (
	inspectDepth    = 2
	inspectMaxItems = 100
	inspectMaxBytes = 50 // of a Buffer
)

var identRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

func quoteJS(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch r {
		case rune(q), '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// inspect writes val as util.inspect does (see the comment at the top of this file).
func (v *Modules) inspect(b *strings.Builder, val goja.Value, depth int, seen []*goja.Object) {
	switch {
	case val == nil || goja.IsUndefined(val):
		b.WriteString("undefined")
		return
	case goja.IsNull(val):
		b.WriteString("null")
		return
	}
	o, ok := val.(*goja.Object)
	if !ok {
		if str, isStr := host.String(val); isStr {
			b.WriteString(quoteJS(str))
			return
		}
		if sym, isSym := val.(*goja.Symbol); isSym {
			b.WriteString("Symbol(" + sym.String() + ")")
			return
		}
		switch x := val.Export().(type) {
		case *big.Int:
			b.WriteString(x.String())
			b.WriteByte('n')
		default:
			b.WriteString(val.String())
		}
		return
	}
	for _, s := range seen {
		if s == o {
			b.WriteString("[Circular *1]")
			return
		}
	}
	seen = append(seen, o)
	ctorName := ""
	if ctor, ok := o.Get("constructor").(*goja.Object); ok {
		if n := ctor.Get("name"); n != nil {
			ctorName = n.String()
		}
	}
	if o.ExportType() == typePromise {
		p, _ := o.Export().(*goja.Promise)
		b.WriteString("Promise { ")
		switch {
		case p == nil || p.State() == goja.PromiseStatePending:
			b.WriteString("<pending>")
		case p.State() == goja.PromiseStateRejected:
			b.WriteString("<rejected> ")
			v.inspect(b, p.Result(), depth+1, seen)
		default:
			v.inspect(b, p.Result(), depth+1, seen)
		}
		b.WriteString(" }")
		return
	}
	switch o.ClassName() {
	case "Function":
		name := o.Get("name")
		if name == nil || name.String() == "" {
			b.WriteString("[Function (anonymous)]")
		} else {
			b.WriteString("[Function: " + name.String() + "]")
		}
		return
	case "Error":
		if st, ok := o.Get("stack").Export().(string); ok && st != "" && depth == 0 {
			b.WriteString(strings.TrimRight(st, "\n"))
		} else {
			b.WriteString("[" + o.Get("name").String() + ": " + o.Get("message").String() + "]")
		}
		return
	case "Date":
		if f, ok := goja.AssertFunction(o.Get("toISOString")); ok {
			if s, err := f(o); err == nil {
				b.WriteString(s.String())
				return
			}
		}
		b.WriteString("Invalid Date")
		return
	case "RegExp":
		b.WriteString(o.String())
		return
	}
	if ctorName == "Buffer" || ctorName == "Uint8Array" {
		var data []byte
		if v.rt.ExportTo(o, &data) == nil {
			if ctorName == "Buffer" {
				b.WriteString("<Buffer")
				for i, c := range data {
					if i == inspectMaxBytes {
						b.WriteString(" ... " + strconv.Itoa(len(data)-inspectMaxBytes) + " more bytes")
						break
					}
					b.WriteString(" " + strconv.FormatUint(uint64(c)|0x100, 16)[1:])
				}
				b.WriteString(">")
				return
			}
		}
	}
	if ctorName == "Map" || ctorName == "Set" {
		items, err := v.in.ArrayFrom(goja.Undefined(), o)
		if err != nil {
			b.WriteString(ctorName + " {}")
			return
		}
		arr := items.(*goja.Object)
		n := int(arr.Get("length").ToInteger())
		b.WriteString(ctorName + "(" + strconv.Itoa(n) + ") ")
		if depth > inspectDepth {
			b.WriteString("[" + ctorName + "]")
			return
		}
		if n == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{ ")
		for i := 0; i < n && i < inspectMaxItems; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			item := arr.Get(strconv.Itoa(i))
			if ctorName == "Map" {
				kv := item.(*goja.Object)
				v.inspect(b, kv.Get("0"), depth+1, seen)
				b.WriteString(" => ")
				v.inspect(b, kv.Get("1"), depth+1, seen)
			} else {
				v.inspect(b, item, depth+1, seen)
			}
		}
		b.WriteString(" }")
		return
	}
	if o.ClassName() == "Array" {
		n := int(o.Get("length").ToInteger())
		if depth > inspectDepth {
			b.WriteString("[Array]")
			return
		}
		if n == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[ ")
		for i := 0; i < n; i++ {
			if i == inspectMaxItems {
				b.WriteString(", ... " + strconv.Itoa(n-inspectMaxItems) + " more items")
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			v.inspect(b, o.Get(strconv.Itoa(i)), depth+1, seen)
		}
		b.WriteString(" ]")
		return
	}
	prefix := ""
	switch {
	case ctorName == "" && o.Prototype() == nil:
		prefix = "[Object: null prototype] "
	case ctorName != "" && ctorName != "Object":
		prefix = ctorName + " "
	}
	keys := o.Keys()
	if depth > inspectDepth {
		if ctorName == "" || ctorName == "Object" {
			b.WriteString("[Object]")
		} else {
			b.WriteString("[" + ctorName + "]")
		}
		return
	}
	b.WriteString(prefix)
	if len(keys) == 0 {
		b.WriteString("{}")
		return
	}
	b.WriteString("{ ")
	for i, k := range keys {
		if i == inspectMaxItems {
			b.WriteString(", ... " + strconv.Itoa(len(keys)-inspectMaxItems) + " more items")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if identRE.MatchString(k) {
			b.WriteString(k)
		} else {
			b.WriteString(quoteJS(k))
		}
		b.WriteString(": ")
		v.inspect(b, o.Get(k), depth+1, seen)
	}
	b.WriteString(" }")
}
