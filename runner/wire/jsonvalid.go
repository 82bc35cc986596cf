package wire

// MemberSpan locates one member of a top-level JSON object: its key literal starts at key, its
// value at val, and the value ends at end (byte offsets).
type MemberSpan struct{ key, val, end int32 }

// Key returns the member's key literal, quotes and escapes as written, in b, the object whose
// span it is.
func (m MemberSpan) Key(b []byte) []byte { return b[m.key:SkipString(b, int(m.key))] }

// Value returns the member's value in b, the object whose span it is.
func (m MemberSpan) Value(b []byte) []byte { return b[m.val:m.end] }

// IsObject reports whether b is one valid JSON object.
func IsObject(b []byte) bool {
	_, ok := ObjectMembers(b, nil)
	return ok
}

// ObjectMembers reports whether b is one valid JSON object, and appends the spans of its
// members to members (see validJSONMembers) in the same pass.
func ObjectMembers(b []byte, members []MemberSpan) ([]MemberSpan, bool) {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return validJSONMembers(b, members)
		}
		return members, false
	}
	return members, false
}

// validJSONMembers reports whether b is one valid JSON value, exactly as json.Valid does (RFC
// 8259: no leading zeros, escapes checked, control characters refused in strings, other bytes
// taken as they are, at most 10,000 levels of nesting), in one pass without encoding/json's
// byte-at-a-time state machine: every execution validates its event with it. It also appends to
// members the span of each member of b when b is an object (in order, repeated keys included), so
// that the event need not be scanned again.
// Members are recorded only when members is not nil and b is shorter than 2 GiB, into members'
// capacity: when b has more members, the spans returned are nil. They are meaningful only when b
// is valid.
func validJSONMembers(b []byte, members []MemberSpan) ([]MemberSpan, bool) {
	rec := members != nil && len(b) < 1<<31-1
	i, members := validValue(b, SkipSpace(b, 0), members, rec)
	return members, i >= 0 && SkipSpace(b, i) == len(b)
}

// validValue returns the index after the JSON value at b[i] (no white space before it), checked
// as validJSONMembers checks one, or -1; with rec, it appends the spans of the members of the
// value, when it is an object, to members (nil when they are more than its capacity).
func validValue(b []byte, i int, members []MemberSpan, rec bool) (int, []MemberSpan) {
	const maxDepth = 10000 // encoding/json's scanner limit
	var stackBuf [64]byte
	stack := stackBuf[:0] // '{' or '[' per open container
	// member reads an object member's key at i, up to its value, recording the top level's.
	member := func() bool {
		key := i
		if i = objectKey(b, i); i < 0 {
			return false
		}
		if len(stack) == 1 {
			rec, members = recordMember(rec, members, key, i)
		}
		return true
	}
	for {
		// A value starts at i.
		if i >= len(b) {
			return -1, members
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
			if len(stack) >= maxDepth {
				return -1, members
			}
			i = SkipSpace(b, i+1)
			end := byte('}')
			if c == '[' {
				end = ']'
			}
			if i < len(b) && b[i] == end {
				i++
				break // an empty container is a complete value
			}
			stack = append(stack, c)
			if c == '{' && !member() {
				return -1, members
			}
			continue
		case c == '"':
			i = ValidString(b, i)
		case c == 't':
			i = literal(b, i, "true")
		case c == 'f':
			i = literal(b, i, "false")
		case c == 'n':
			i = literal(b, i, "null")
		case c == '-' || c >= '0' && c <= '9':
			i = skipNumberBytes(b, i)
		default:
			return -1, members
		}
		if i < 0 {
			return -1, members
		}
		// A value ended at i: close containers until one continues with another value.
		for {
			if rec && len(stack) == 1 && stack[0] == '{' { // a member of the top-level object ended
				members[len(members)-1].end = int32(i)
			}
			if len(stack) == 0 {
				return i, members
			}
			i = SkipSpace(b, i)
			if i >= len(b) {
				return -1, members
			}
			top := stack[len(stack)-1]
			if b[i] == ',' {
				i = SkipSpace(b, i+1)
				if top == '{' && !member() {
					return -1, members
				}
				break
			}
			if top == '{' && b[i] == '}' || top == '[' && b[i] == ']' {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return -1, members
		}
	}
}

// objectKey reads `"key" :` and the whitespace after it at b[i:]; it returns where the value
// starts, or -1.
func objectKey(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if i = skipStringBytes(b, i); i < 0 {
		return -1
	}
	i = SkipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return SkipSpace(b, i+1)
}

// stringByte tells the bytes a JSON string may hold as they are: any but control characters,
// '"' and '\\' (encoding/json does not check UTF-8 either).
var stringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipStringBytes returns the end of the string literal at b[i] (a '"'), or -1.
func skipStringBytes(b []byte, i int) int {
	for i++; i < len(b); i++ {
		for i < len(b) && stringByte[b[i]] {
			i++
		}
		if i >= len(b) {
			return -1
		}
		switch b[i] {
		case '"':
			return i + 1
		case '\\':
			i++
			if i >= len(b) {
				return -1
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i <= 4 {
					return -1
				}
				for _, h := range b[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return -1
					}
				}
				i += 4
			default:
				return -1
			}
		default: // a control character
			return -1
		}
	}
	return -1
}

func literal(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// skipNumberBytes returns the end of the number at b[i:], or -1.
func skipNumberBytes(b []byte, i int) int {
	digits := func(i int) int {
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
	if b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if i = digits(i); i < 0 {
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i = digits(i + 1); i < 0 {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		return digits(i)
	}
	return i
}

// recordMember appends the top-level member whose key starts at key and whose value starts at val,
// while recording; with no room left it stops recording, and the caller then scans b itself.
func recordMember(rec bool, members []MemberSpan, key, val int) (bool, []MemberSpan) {
	if !rec {
		return false, members
	}
	if len(members) == cap(members) {
		return false, nil
	}
	return true, append(members, MemberSpan{key: int32(key), val: int32(val)})
}
