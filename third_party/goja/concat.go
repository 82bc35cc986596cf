package goja

import (
	"strings"
	"unsafe"
)

// Appending concatenation (actionsd). `s += piece` in a loop copied all of s at each step: a
// string built from n pieces cost O(n²) bytes of copying (64 KiB one character at a time moved
// 2 GiB), where V8's ropes make it linear. An ASCII concatenation whose result is at least
// concatAppendMin bytes is remembered as the runtime's tip; when the left operand of the next
// concatenation is exactly the tip's string (same bytes, same length), the result goes into a
// buffer with room to spare (twice the size), and while the left operand is the tip and the
// room suffices, the right operand is appended in place and the result shares the buffer. A
// one-off concatenation costs what it did (Go's own, exact size). Bytes are only ever written past the end of every string that
// refers to the buffer, so no string sees its bytes change. Any other left operand (an older
// prefix, a string of another runtime) takes the copying path and becomes the new tip. The
// runtime forgets its tip when control returns to Go (leave, leaveAbrupt), so that an idle
// runtime holds no buffer that only the tip refers to.

// concatAppendMin is the shortest result that gets a buffer with room to grow; shorter ones are
// concatenated as Go strings.
const concatAppendMin = 256

type concatTip struct {
	buf []byte // len(buf) is the tip string's length; it starts at buf's first byte
}

// concatASCII returns a+b, after checkConcat allowed a result of that length.
func (r *Runtime) concatASCII(a, b asciiString) asciiString {
	n := len(a) + len(b)
	if n < concatAppendMin || len(b) == 0 {
		return a + b
	}
	t := r.concatTip.buf
	if len(a) == len(t) && unsafe.StringData(string(a)) == unsafe.SliceData(t) && cap(t)-len(t) >= len(b) {
		t = append(t, b...)
		r.concatTip.buf = t
		return asciiString(unsafe.String(unsafe.SliceData(t), len(t)))
	}
	if len(a) != len(t) || unsafe.StringData(string(a)) != unsafe.SliceData(t) {
		// A fresh concatenation, as Go makes it; it becomes the tip without room, so that only a
		// second append to it pays for a buffer with room.
		res := a + b
		r.concatTip.buf = unsafe.Slice(unsafe.StringData(string(res)), len(res))
		return res
	}
	// Appending to the tip, which has no room left: a buffer twice the size, not zeroed.
	c := 2 * n
	if c > maxStringLength {
		c = n
	}
	if c > n && r.limits.allocCheck != nil && int64(c) >= r.limits.allocMin && !r.limits.allocCheck(int64(c)) {
		// No room for the spare capacity: the exact result, as before (checkConcat allowed it).
		r.concatTip.buf = nil
		return a + b
	}
	var sb strings.Builder
	sb.Grow(c)
	sb.WriteString(string(a))
	sb.WriteString(string(b))
	res := sb.String()
	r.concatTip.buf = unsafe.Slice(unsafe.StringData(res), sb.Cap())[:n]
	return asciiString(res)
}
