package bridges

import (
	"bytes"
	"encoding/json"
)

// eachMember calls fn with each member of obj, a valid JSON object (one encoding/json has
// decoded already), in order: its key, decoded, and its value's bytes. It decodes nothing else,
// so that a large object's members cost no map and no values.
func eachMember(obj []byte, fn func(key string, val []byte)) bool {
	return eachRawMember(obj, func(key, val []byte) bool {
		fn(string(key), val)
		return true
	})
}

// eachRawMember is eachMember without the key's string: the key is a view of obj when it has no
// escapes (decoded into a new slice when it has), valid only during the call, and nothing is
// allocated. obj must be valid JSON (wire.IsObject). fn returns false to stop, and eachRawMember
// then returns false.
func eachRawMember(obj []byte, fn func(key, val []byte) bool) bool {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return false
	}
	i = skipSpace(obj, i+1)
	for i < len(obj) && obj[i] != '}' {
		if obj[i] == ',' {
			i = skipSpace(obj, i+1)
			continue
		}
		kEnd, ok := skipString(obj, i)
		if !ok {
			return false
		}
		rawKey := obj[i:kEnd]
		key := rawKey[1 : len(rawKey)-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var s string
			if json.Unmarshal(rawKey, &s) != nil {
				return false
			}
			key = []byte(s)
		}
		i = skipSpace(obj, kEnd)
		if i >= len(obj) || obj[i] != ':' {
			return false
		}
		i = skipSpace(obj, i+1)
		vEnd, ok := skipValue(obj, i)
		if !ok {
			return false
		}
		if !fn(key, obj[i:vEnd]) {
			return false
		}
		i = skipSpace(obj, vEnd)
	}
	return i < len(obj)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the end of the string literal at b[i].
func skipString(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

// skipValue returns the end of the valid JSON value at b[i].
func skipValue(b []byte, i int) (int, bool) {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			end, ok := skipString(b, i)
			if !ok {
				return 0, false
			}
			i = end
		case '{', '[':
			depth++
			i++
		case '}', ']':
			depth--
			i++
		default:
			if depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
				return i, true
			}
			i++
		}
		if depth == 0 {
			// A string, or a closed object or array, ends the value; a number or literal ends at
			// the next delimiter.
			if c := b[i-1]; c == '"' || c == '}' || c == ']' {
				return i, true
			}
		}
		if depth < 0 {
			return i - 1, true // the closing brace of the enclosing object
		}
	}
	return i, depth == 0
}
