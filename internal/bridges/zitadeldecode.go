package bridges

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/actionsd/actionsd/runner/wire"
)

// The Zitadel and Kratos bridges read a provider's body by scanning it, not by decoding it into
// structs: the body is validated once (wire.IsObject), each member the event uses is found by
// walking the object (eachRawMember, eachElement) and checked for its type as json.Unmarshal
// would check it, and the event is written by appending the members' bytes as they came
// (BenchmarkZitadelVsExecute, BenchmarkKratosVsExecute).

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

// scanString reads a string member into *dst as json.Unmarshal does: null leaves *dst as it is,
// a value of another type is a *ShapeError naming field.
func scanString(v []byte, field fieldName, dst *jstr) error {
	switch {
	case v[0] == '"':
		*dst = decodeJSONString(v)
	case string(v) == "null":
	default:
		return &ShapeError{Field: field.String(), Want: "a string"}
	}
	return nil
}

// scanBool reads a boolean member as json.Unmarshal does (null leaves *dst as it is).
func scanBool(v []byte, field fieldName, dst *bool) error {
	switch string(v) {
	case "null":
	case "true":
		*dst = true
	case "false":
		*dst = false
	default:
		return &ShapeError{Field: field.String(), Want: "a bool"}
	}
	return nil
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

// scanObject calls fn with each member of the object v; null calls it with none. Another type is
// a *ShapeError naming field (want "an object"); fn's first error stops the scan and is returned.
func scanObject(v []byte, field fieldName, fn func(k, v []byte) error) error {
	switch v[0] {
	case '{':
	case 'n':
		return nil
	default:
		return &ShapeError{Field: field.String(), Want: "an object"}
	}
	var err error
	eachRawMember(v, func(k, v []byte) bool {
		err = fn(k, v)
		return err == nil
	})
	return err
}

// scanArray calls fn with each element of the array v; null calls it with none. Another type is
// a *ShapeError naming field (want "an array"); fn's first error stops the scan.
func scanArray(v []byte, field fieldName, fn func(i int, v []byte) error) error {
	switch v[0] {
	case '[':
	case 'n':
		return nil
	default:
		return &ShapeError{Field: field.String(), Want: "an array"}
	}
	var err error
	eachElement(v, func(i int, v []byte) bool {
		err = fn(i, v)
		return err == nil
	})
	return err
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
