package bridges

import (
	"bytes"
	"encoding/json"

	"github.com/actionsd/actionsd/runner/wire"
)

// eachRawMember calls fn with each member of obj, in order: its key and its value's bytes. The
// key is a view of obj when it has no escapes (decoded into a new slice when it has), valid only
// during the call, and nothing is allocated. obj must be valid JSON (wire.IsObject). fn returns false to stop, and eachRawMember
// then returns false.
func eachRawMember(obj []byte, fn func(key, val []byte) bool) bool {
	i := wire.SkipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return false
	}
	i = wire.SkipSpace(obj, i+1)
	for i < len(obj) && obj[i] != '}' {
		if obj[i] == ',' {
			i = wire.SkipSpace(obj, i+1)
			continue
		}
		if obj[i] != '"' {
			return false
		}
		kEnd := wire.SkipString(obj, i)
		if kEnd >= len(obj) {
			return false // unclosed, or nothing after it
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
		i = wire.SkipSpace(obj, kEnd)
		if i >= len(obj) || obj[i] != ':' {
			return false
		}
		i = wire.SkipSpace(obj, i+1)
		vEnd := skipRaw(obj, i)
		if vEnd == i || vEnd >= len(obj) {
			return false // no value, or the object does not close
		}
		if !fn(key, obj[i:vEnd]) {
			return false
		}
		i = wire.SkipSpace(obj, vEnd)
	}
	return i < len(obj)
}
