package wire

import (
	"encoding/binary"
	"math/bits"
)

// ValidValue returns the index after the JSON value at b[i] (no white space before it), checked
// as json.Valid checks a value (validJSONMembers' rules), or -1 when it is not one. It does not
// limit the nesting: a caller that must refuse what json.Valid refuses for its depth (over
// 10,000 levels, so at least 20,000 bytes) checks a text that long whole. It serves a scanner
// that checks a text as it reads it: the values it skips are checked here, in the same pass.
func ValidValue(b []byte, i int) int {
	var stackBuf [32]byte
	stack := stackBuf[:0] // '{' or '[' per open container
	for {
		// A value starts at i.
		if i >= len(b) {
			return -1
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
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
			if c == '{' {
				if i = objectKey(b, i); i < 0 {
					return -1
				}
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
			return -1
		}
		if i < 0 {
			return -1
		}
		// A value ended at i: close containers until one continues with another value.
		for {
			if len(stack) == 0 {
				return i
			}
			i = SkipSpace(b, i)
			if i >= len(b) {
				return -1
			}
			top := stack[len(stack)-1]
			if b[i] == ',' {
				i = SkipSpace(b, i+1)
				if top == '{' {
					if i = objectKey(b, i); i < 0 {
						return -1
					}
				}
				break
			}
			if top == '{' && b[i] == '}' || top == '[' && b[i] == ']' {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return -1
		}
	}
}

// ValidString returns the index after the string literal at b[i] (a '"'), checked as json.Valid
// checks one (escapes, no control characters), or -1. Its bytes are looked at eight at a time
// up to the first that needs a closer look (a quote, a backslash or a control character).
func ValidString(b []byte, i int) int {
	j := i + 1
	for j+8 <= len(b) {
		if m := stringSpecial(binary.LittleEndian.Uint64(b[j:])); m != 0 {
			j += bits.TrailingZeros64(m) / 8 // the first flagged byte is one
			break
		}
		j += 8
	}
	return skipStringBytes(b, j-1) // it reads on from j
}

// Bytes of a word, eight at a time ("Bit Twiddling Hacks": haszero and hasless).
const (
	eachByte = 0x0101010101010101
	highBits = 0x8080808080808080
)

// stringSpecial flags the bytes of w that are a quote, a backslash or a control character
// (below 0x20): a string's bytes that are not taken as they are. It is 0 for a word of plain
// bytes; the lowest byte flagged is one, a byte above it may be flagged wrongly.
func stringSpecial(w uint64) uint64 {
	q := w ^ (eachByte * '"')
	s := w ^ (eachByte * '\\')
	return ((q-eachByte)&^q | (s-eachByte)&^s | (w-eachByte*0x20)&^w) & highBits
}

// ValidLiteral returns the index after lit ("true", "false" or "null") at b[i], or -1 when b
// does not hold it there.
func ValidLiteral(b []byte, i int, lit string) int {
	return literal(b, i, lit)
}
