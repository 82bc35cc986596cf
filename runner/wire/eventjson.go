package wire

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// maxEventDepth bounds the nesting of an event's JSON.
const maxEventDepth = 256

var errEventDepth = errors.New("the event nests deeper than 256 levels")

// parseEvent builds the event object straight from JSON bytes, as JSON.parse would, without going
// through Go maps (goja's JSON.parse tokenises with encoding/json and costs several times more).
// data must be valid JSON (IsObject checked it); every call builds new objects, so each action
// gets its own deep copy.
func parseEvent(rt *goja.Runtime, data string) (goja.Value, error) {
	p := jsonToJS{rt: rt, s: data}
	return p.value(0)
}

type jsonToJS struct {
	rt *goja.Runtime
	s  string
	i  int
}

func (p *jsonToJS) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonToJS) value(depth int) (goja.Value, error) {
	if depth > maxEventDepth {
		return nil, errEventDepth
	}
	p.ws()
	if p.i >= len(p.s) {
		return nil, errors.New("unexpected end of JSON")
	}
	switch c := p.s[p.i]; c {
	case '{':
		p.i++
		obj := p.rt.NewObject()
		p.ws()
		if p.s[p.i] == '}' {
			p.i++
			return obj, nil
		}
		for {
			p.ws()
			key, err := p.str()
			if err != nil {
				return nil, err
			}
			p.ws()
			p.i++ // ':'
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			if key == "__proto__" { // an own property, as JSON.parse makes it, not the prototype
				_ = obj.DefineDataProperty(key, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			} else {
				_ = obj.Set(key, v)
			}
			p.ws()
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			p.i++ // '}'
			return obj, nil
		}
	case '[':
		p.i++
		var buf [16]any // NewArray copies the items: no allocation for short arrays
		items := buf[:0]
		p.ws()
		if p.s[p.i] == ']' {
			p.i++
			return p.rt.NewArray(), nil
		}
		for {
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			items = append(items, v)
			p.ws()
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			p.i++ // ']'
			return p.rt.NewArray(items...), nil
		}
	case '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return p.rt.ToValue(s), nil
	case 't':
		p.i += 4
		return p.rt.ToValue(true), nil
	case 'f':
		p.i += 5
		return p.rt.ToValue(false), nil
	case 'n':
		p.i += 4
		return goja.Null(), nil
	default:
		start := p.i
		for p.i < len(p.s) {
			switch p.s[p.i] {
			case '-', '+', '.', 'e', 'E', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
				p.i++
				continue
			}
			break
		}
		f, err := strconv.ParseFloat(p.s[start:p.i], 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, err
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 && !(f == 0 && math.Signbit(f)) {
			return p.rt.ToValue(int64(f)), nil
		}
		return p.rt.ToValue(f), nil
	}
}

// str reads a string literal at p.i.
func (p *jsonToJS) str() (string, error) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", errors.New("expected a string")
	}
	start := p.i
	p.i++
	escaped := false
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '\\':
			escaped = true
			p.i += 2
			continue
		case '"':
			p.i++
			if !escaped && utf8.ValidString(p.s[start+1:p.i-1]) {
				return p.s[start+1 : p.i-1], nil
			}
			var s string
			if err := json.Unmarshal([]byte(p.s[start:p.i]), &s); err != nil {
				return "", err
			}
			return s, nil
		}
		p.i++
	}
	return "", errors.New("unterminated string")
}
