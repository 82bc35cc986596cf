package bridges

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/bits"
	"strconv"
	"unicode/utf8"

	"github.com/actionsd/actionsd/runner/wire"
)

// The Zitadel and Kratos bridges read a provider's body by scanning it, not by decoding it into
// structs: one pass checks the body as json.Valid would and finds the members the event uses,
// checking their types as json.Unmarshal would (scanObject, scanArray, scanString; the values it
// does not read are checked by skip), and the event is written by appending the members' bytes as
// they came (BenchmarkZitadelVsExecute, BenchmarkKratosVsExecute, BenchmarkHookWork).
//
// The scanners report text that is not JSON as errNotJSON, and a member of the wrong type as a
// *ShapeError where they meet it; the caller (checkedScan) then checks the whole body, so that a
// body that is not JSON is that error wherever its fault lies, as when the body was validated
// first.

// errNotJSON is the text a scanner reads is not valid JSON.
var errNotJSON = errors.New("not valid JSON")

// maxCheckedDepth: json.Valid refuses a text nested deeper than 10,000 levels, which the scanners
// do not count; a body that long (it takes two bytes a level) is checked whole first.
const maxCheckedDepth = 2 * 10000

// checkedScan runs scan, which reads body (its first byte '{') in one pass and returns its
// length, and returns the error the body gives: errNotJSON when it is not one JSON object, else
// scan's *ShapeError. A body long enough to nest past json.Valid's limit is checked whole first.
func checkedScan(body []byte, scan func(obj []byte) (int, error)) error {
	start := wire.SkipSpace(body, 0)
	if start >= len(body) || body[start] != '{' || len(body) > maxCheckedDepth && !wire.IsObject(body) {
		return errNotJSON
	}
	n, err := scan(body[start:])
	if err == nil && wire.SkipSpace(body, start+n) != len(body) {
		err = errNotJSON
	}
	if err != nil && err != errNotJSON && !wire.IsObject(body) {
		err = errNotJSON // the body is not JSON further on
	}
	return err
}

// jstr is a JSON string's value: a view of the literal's inside when it has no escape and is
// valid UTF-8 (plain: appended as it is), else the string json.Unmarshal decodes (a copy,
// invalid UTF-8 replaced as encoding/json replaces it).
type jstr struct {
	s     []byte
	plain bool
	set   bool // a string was given (not absent, not null)
}

// decodeJSONString decodes v, a valid JSON string literal.
func decodeJSONString(v []byte) jstr {
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return jstr{s: inner, plain: true, set: true}
	}
	var s string
	_ = json.Unmarshal(v, &s) // v is valid: the body was checked whole
	return jstr{s: []byte(s), set: true}
}

// validJSON is json.Valid(b), checked as the body is (wire.ValidValue) when b is too short to nest
// past json.Valid's limit.
func validJSON(b []byte) bool {
	if len(b) > maxCheckedDepth {
		return json.Valid(b)
	}
	n := wire.ValidValue(b, wire.SkipSpace(b, 0))
	return n >= 0 && wire.SkipSpace(b, n) == len(b)
}

// The scanners below read a value at the start of v, which runs on to the end of the text it is
// in, check it, and return its length: a container is walked once, by the scanner that reads it,
// rather than skipped over first and then read. Text that is not JSON is errNotJSON.

// skip checks the value v starts with, for a value the caller does not read, and returns its
// length.
func skip(v []byte) (int, error) {
	n := wire.ValidValue(v, 0)
	if n < 0 {
		return 0, errNotJSON
	}
	return n, nil
}

// null returns the length of the null v starts with (v[0] is 'n').
func null(v []byte) (int, error) {
	if wire.ValidLiteral(v, 0, "null") < 0 {
		return 0, errNotJSON
	}
	return len("null"), nil
}

// scanString reads a string member into *dst as json.Unmarshal does: null leaves *dst as it is,
// a value of another type is a *ShapeError naming field.
func scanString(v []byte, field fieldName, dst *jstr) (int, error) {
	if len(v) == 0 {
		return 0, errNotJSON
	}
	switch v[0] {
	case '"':
		if n := plainString(v); n > 0 {
			*dst = jstr{s: v[1 : n-1], plain: true, set: true}
			return n, nil
		}
		n := wire.ValidString(v, 0)
		if n < 0 {
			return 0, errNotJSON
		}
		*dst = decodeJSONString(v[:n])
		return n, nil
	case 'n':
		return null(v)
	}
	return 0, &ShapeError{Field: field.String(), Want: "a string"}
}

// scanBool reads a boolean member as json.Unmarshal does (null leaves *dst as it is).
func scanBool(v []byte, field fieldName, dst *bool) (int, error) {
	if len(v) == 0 {
		return 0, errNotJSON
	}
	switch v[0] {
	case 'n':
		return null(v)
	case 't':
		if wire.ValidLiteral(v, 0, "true") < 0 {
			return 0, errNotJSON
		}
		*dst = true
		return len("true"), nil
	case 'f':
		if wire.ValidLiteral(v, 0, "false") < 0 {
			return 0, errNotJSON
		}
		*dst = false
		return len("false"), nil
	}
	return 0, &ShapeError{Field: field.String(), Want: "a bool"}
}

// skipRaw is wire.SkipValue (the same end for any text, JSON or not) for a value the caller
// does not check (the body is checked elsewhere), its strings' bytes looked at eight at a time:
// the top level of a body is walked so to find a member (zitadelFunction, eachRawMember).
func skipRaw(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipRawString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipRawString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	return wire.SkipValue(b, i)
}

// skipRawString is wire.SkipString: the index after the string literal at b[i] (a '"'), len(b)
// when it is not closed, escapes skipped, not checked.
func skipRawString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		for i+8 <= len(b) {
			if m := quoteOrBackslash(binary.LittleEndian.Uint64(b[i:])); m != 0 {
				i += bits.TrailingZeros64(m) / 8 // the first flagged byte is one
				break
			}
			i += 8
		}
		if i >= len(b) {
			break
		}
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// plainString returns the length of the string literal v starts with when its bytes are
// printable ASCII other than a backslash (valid, and its value is its bytes), else 0; its bytes
// are looked at eight at a time.
func plainString(v []byte) int {
	const eachByte, highBits = 0x0101010101010101, 0x8080808080808080
	i := 1
	for i+8 <= len(v) {
		w := binary.LittleEndian.Uint64(v[i:])
		q := w ^ (eachByte * '"')
		s := w ^ (eachByte * '\\')
		if m := ((q-eachByte)&^q | (s-eachByte)&^s | (w-eachByte*0x20)&^w | w) & highBits; m != 0 {
			i += bits.TrailingZeros64(m) / 8 // the first flagged byte is one
			break
		}
		i += 8
	}
	for ; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			return i + 1
		case c < 0x20 || c >= 0x80 || c == '\\':
			return 0
		}
	}
	return 0
}

// quoteOrBackslash flags the bytes of w that are a quote or a backslash, and is 0 when none is
// ("Bit Twiddling Hacks": haszero); the lowest byte flagged is one, a byte above it may be
// flagged wrongly.
func quoteOrBackslash(w uint64) uint64 {
	const eachByte, highBits = 0x0101010101010101, 0x8080808080808080
	q := w ^ (eachByte * '"')
	s := w ^ (eachByte * '\\')
	return ((q-eachByte)&^q | (s-eachByte)&^s) & highBits
}

// appendJstr appends s as a JSON string, as appendString does.
func appendJstr(b []byte, s jstr) []byte {
	if s.plain {
		b = append(b, '"')
		b = append(b, s.s...)
		return append(b, '"')
	}
	return appendString(b, s.s)
}

// blank reports whether s is empty or only white space (strings.TrimSpace's), as cmpOr checks.
func (s jstr) blank() bool { return len(bytes.TrimSpace(s.s)) == 0 }

// orElse is cmpOr of two strings: s unless it is blank, else t.
func (s jstr) orElse(t jstr) jstr {
	if !s.blank() {
		return s
	}
	return t
}

// scanObject calls fn with each member of the object v starts with, its key (a view, or a copy
// when it has escapes) and its value (the rest of v from there), fn returning the value's length
// (skip's for a value it does not read); null calls it with none. Another type is a *ShapeError
// naming field (want "an object"); fn's first error stops the scan and is returned. It returns
// the object's length.
func scanObject(v []byte, field fieldName, fn func(k, v []byte) (int, error)) (int, error) {
	if len(v) == 0 {
		return 0, errNotJSON
	}
	switch v[0] {
	case '{':
	case 'n':
		return null(v)
	default:
		return 0, &ShapeError{Field: field.String(), Want: "an object"}
	}
	i := wire.SkipSpace(v, 1)
	if i < len(v) && v[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(v) || v[i] != '"' {
			return 0, errNotJSON
		}
		kEnd := wire.ValidString(v, i)
		if kEnd < 0 {
			return 0, errNotJSON
		}
		key := v[i+1 : kEnd-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var s string
			_ = json.Unmarshal(v[i:kEnd], &s) // checked: a valid string
			key = []byte(s)
		}
		i = wire.SkipSpace(v, kEnd)
		if i >= len(v) || v[i] != ':' {
			return 0, errNotJSON
		}
		i = wire.SkipSpace(v, i+1)
		if i >= len(v) {
			return 0, errNotJSON
		}
		n, err := fn(key, v[i:])
		if err != nil {
			return 0, err
		}
		i = wire.SkipSpace(v, i+n)
		if i >= len(v) {
			return 0, errNotJSON
		}
		switch v[i] {
		case ',':
			i = wire.SkipSpace(v, i+1)
		case '}':
			return i + 1, nil
		default:
			return 0, errNotJSON
		}
	}
}

// scanArray calls fn with each element of the array v starts with (the rest of v from there), fn
// returning the element's length; null calls it with none. Another type is a *ShapeError naming
// field (want "an array"); fn's first error stops the scan. It returns the array's length.
func scanArray(v []byte, field fieldName, fn func(i int, v []byte) (int, error)) (int, error) {
	if len(v) == 0 {
		return 0, errNotJSON
	}
	switch v[0] {
	case '[':
	case 'n':
		return null(v)
	default:
		return 0, &ShapeError{Field: field.String(), Want: "an array"}
	}
	i := wire.SkipSpace(v, 1)
	if i < len(v) && v[i] == ']' {
		return i + 1, nil
	}
	for n := 0; ; n++ {
		if i >= len(v) {
			return 0, errNotJSON
		}
		m, err := fn(n, v[i:])
		if err != nil {
			return 0, err
		}
		i = wire.SkipSpace(v, i+m)
		if i >= len(v) {
			return 0, errNotJSON
		}
		switch v[i] {
		case ',':
			i = wire.SkipSpace(v, i+1)
		case ']':
			return i + 1, nil
		default:
			return 0, errNotJSON
		}
	}
}

// eachElement calls fn with each element of arr, a valid JSON array, in order, until fn returns
// false.
func eachElement(arr []byte, fn func(i int, v []byte) bool) bool {
	i := wire.SkipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return false
	}
	i = wire.SkipSpace(arr, i+1)
	n := 0
	for i < len(arr) && arr[i] != ']' {
		if arr[i] == ',' {
			i = wire.SkipSpace(arr, i+1)
			continue
		}
		end := wire.SkipValue(arr, i)
		if end == i || end >= len(arr) {
			return false // no value, or the array does not close
		}
		if !fn(n, arr[i:end]) {
			return false
		}
		n++
		i = wire.SkipSpace(arr, end)
	}
	return i < len(arr)
}

// fieldName names a member for a *ShapeError: base, then [i], .member and [j] where given (i, j
// >= 0, member not ""). It is a value, and its text is built only for an error.
type fieldName struct {
	base   string
	i      int
	member string
	j      int
}

func (f fieldName) String() string {
	s := f.base
	if f.i >= 0 {
		s += "[" + strconv.Itoa(f.i) + "]"
	}
	if f.member != "" {
		s += "." + f.member
	}
	if f.j >= 0 {
		s += "[" + strconv.Itoa(f.j) + "]"
	}
	return s
}

// named is the field name s.
func named(s string) fieldName { return fieldName{base: s, i: -1, j: -1} }

// sub is the field name base.member.
func sub(base, member string) fieldName { return fieldName{base: base, i: -1, member: member, j: -1} }

// indexed names an array element's field: name[i], or name[i].member when member is not "".
func indexed(name string, i int, member string) fieldName {
	return fieldName{base: name, i: i, member: member, j: -1}
}
