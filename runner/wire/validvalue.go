package wire

import (
	"encoding/binary"
	"math/bits"
)

// ValidValue returns the index after the JSON value at b[i] (no white space before it), checked
// as json.Valid checks a value (validJSONMembers' rules, its nesting limit included), or -1 when
// it is not one. It serves a scanner that checks a text as it reads it: the values it skips are
// checked here, in the same pass.
func ValidValue(b []byte, i int) int {
	i, _ = validValue(b, i, nil, false)
	return i
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
