package bridges

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/actionsd/actionsd/runner/wire"
)

// The Zitadel and Kratos bridges read a provider's body by scanning it, not by decoding it into
// structs: the body is validated once (wire.IsObject), walked once more to find the members the
// event uses and check their types as json.Unmarshal would (scanObject, scanArray, scanString),
// and the event is written by appending the members' bytes as they came
// (BenchmarkZitadelVsExecute, BenchmarkKratosVsExecute, BenchmarkHookWork).

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

// The scanners below read a value at the start of v, which runs on to the end of the text it is
// in (a valid JSON text: the body was checked whole), and return its length: a container is
// walked once, by the scanner that reads it, rather than skipped over first and then read.

// skip is the length of the value v starts with, for a value the caller does not read.
func skip(v []byte) int { return wire.SkipValue(v, 0) }

// scanString reads a string member into *dst as json.Unmarshal does: null leaves *dst as it is,
// a value of another type is a *ShapeError naming field.
func scanString(v []byte, field fieldName, dst *jstr) (int, error) {
	switch v[0] {
	case '"':
		n := wire.SkipString(v, 0)
		*dst = decodeJSONString(v[:n])
		return n, nil
	case 'n':
		return len("null"), nil
	}
	return 0, &ShapeError{Field: field.String(), Want: "a string"}
}

// scanBool reads a boolean member as json.Unmarshal does (null leaves *dst as it is).
func scanBool(v []byte, field fieldName, dst *bool) (int, error) {
	switch v[0] {
	case 'n':
		return len("null"), nil
	case 't':
		*dst = true
		return len("true"), nil
	case 'f':
		*dst = false
		return len("false"), nil
	}
	return 0, &ShapeError{Field: field.String(), Want: "a bool"}
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
	switch v[0] {
	case '{':
	case 'n':
		return len("null"), nil
	default:
		return 0, &ShapeError{Field: field.String(), Want: "an object"}
	}
	i := wire.SkipSpace(v, 1)
	for i < len(v) && v[i] != '}' {
		if v[i] == ',' {
			i = wire.SkipSpace(v, i+1)
			continue
		}
		kEnd := wire.SkipString(v, i)
		if kEnd >= len(v) {
			break
		}
		key := v[i+1 : kEnd-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var s string
			_ = json.Unmarshal(v[i:kEnd], &s)
			key = []byte(s)
		}
		i = wire.SkipSpace(v, wire.SkipSpace(v, kEnd)+1) // past the colon
		if i >= len(v) {
			break
		}
		n, err := fn(key, v[i:])
		if err != nil {
			return 0, err
		}
		i = wire.SkipSpace(v, i+n)
	}
	return min(i+1, len(v)), nil
}

// scanArray calls fn with each element of the array v starts with (the rest of v from there), fn
// returning the element's length; null calls it with none. Another type is a *ShapeError naming
// field (want "an array"); fn's first error stops the scan. It returns the array's length.
func scanArray(v []byte, field fieldName, fn func(i int, v []byte) (int, error)) (int, error) {
	switch v[0] {
	case '[':
	case 'n':
		return len("null"), nil
	default:
		return 0, &ShapeError{Field: field.String(), Want: "an array"}
	}
	i := wire.SkipSpace(v, 1)
	for n := 0; i < len(v) && v[i] != ']'; n++ {
		if v[i] == ',' {
			i = wire.SkipSpace(v, i+1)
		}
		if i >= len(v) {
			break
		}
		m, err := fn(n, v[i:])
		if err != nil {
			return 0, err
		}
		i = wire.SkipSpace(v, i+m)
	}
	return min(i+1, len(v)), nil
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
