package goja

// Limits on what JavaScript code can make a Runtime do in one step: allocate, loop in a built-in,
// recurse in a built-in, backtrack in a regular expression. Added by the actionsd fork (see
// PATCHES.md); the hooks are here, the policy belongs to the embedder.

import (
	"errors"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/dlclark/regexp2/v2"
)

// maxStringLength is the longest string a built-in or a concatenation builds, in UTF-16 code units:
// V8's limit on 64-bit platforms. A longer result throws RangeError("Invalid string length").
const maxStringLength = 1<<29 - 24

// maxArrayLength is the largest number of elements a built-in allocates at once for an array or an
// argument list (the ECMAScript maximum array length).
const maxArrayLength = 1<<32 - 1

const valueSize = int64(unsafe.Sizeof(Value(nil)))

// ErrRegExpDeadline is the value of the *InterruptedError raised when a regular expression match
// was still running at the deadline set with SetRegExpDeadline.
var ErrRegExpDeadline = errors.New("regular expression match still running at the deadline")

type runtimeLimits struct {
	allocMin   int64
	allocCheck func(size int64) bool
	rxDeadline time.Time
	nesting    int // of the built-ins recursing in Go now (JSON.parse, flat)
}

// SetAllocationCheck installs check, which the runtime calls before it allocates memory whose size
// JavaScript code controls: an ArrayBuffer's bytes (and so a typed array's), a string made by a
// concatenation or a built-in, an array's elements or an argument list. It is called for sizes of
// at least minSize bytes, with the number of bytes about to be allocated (a string builder's next
// buffer, for strings built piece by piece). If check returns false, nothing is allocated and the
// operation throws a RangeError with V8's message for a failed allocation ("Array buffer allocation
// failed", "Invalid string length" or "Invalid array length"). check runs on the runtime's
// goroutine; a nil check removes it.
//
// Strings are limited to V8's maximum length (2^29-24 code units) whether or not a check is set.
func (r *Runtime) SetAllocationCheck(minSize int64, check func(size int64) bool) {
	r.limits.allocMin, r.limits.allocCheck = minSize, check
}

// SetRegExpDeadline bounds the regular expression matches that run on the backtracking engine
// (regexp2: patterns that Go's regexp cannot run, such as lookarounds and backreferences, and
// matches that start past a string's beginning): a match
// still running at t stops, and the runtime raises an uncatchable *InterruptedError, whose value is
// the one given to Interrupt if the runtime was interrupted, ErrRegExpDeadline otherwise. Such a
// match cannot observe Interrupt while it runs, so an embedder that interrupts a runtime at a time
// limit should set the same limit here. The zero time removes the deadline.
func (r *Runtime) SetRegExpDeadline(t time.Time) {
	r.limits.rxDeadline = t
}

// checkInterrupt raises the pending interruption, if any, as the interpreter loop does between two
// instructions. Built-ins that may loop for long (over an array's length, a string's characters,
// a sort) call it at each step, so that Interrupt stops them too.
func (r *Runtime) checkInterrupt() {
	if vm := r.vm; atomic.LoadUint32(&vm.interrupted) != 0 {
		vm.interruptLock.Lock()
		v := vm.interruptVal
		vm.interruptLock.Unlock()
		vm.raiseInterrupt(v)
	}
}

func (vm *vm) raiseInterrupt(v interface{}) {
	ex := &InterruptedError{
		iface: v,
	}
	ex.stack = vm.captureStack(nil, 0)
	panic(ex)
}

// checkNestingDepth is called by built-ins that recurse in Go over nested values (JSON, join,
// flat): each level counts as a call against the maximum call stack size, as it does in V8.
func (r *Runtime) checkNestingDepth(depth int) {
	if depth+len(r.vm.callStack) > r.vm.maxCallStackSize {
		panic(r.newError(r.getRangeError(), "Maximum call stack size exceeded"))
	}
}

func (r *Runtime) checkAlloc(size int64, msg string) {
	if r.limits.allocCheck != nil && size >= r.limits.allocMin && !r.limits.allocCheck(size) {
		panic(r.newError(r.getRangeError(), msg))
	}
}

// checkArrayBufferAlloc is called before allocating size bytes for an ArrayBuffer.
func (r *Runtime) checkArrayBufferAlloc(size int64) {
	r.checkAlloc(size, "Array buffer allocation failed")
}

// checkValuesAlloc is called before allocating n values at once (an array's elements, arguments).
func (r *Runtime) checkValuesAlloc(n int64) {
	if n > maxArrayLength {
		panic(r.newError(r.getRangeError(), "Invalid array length"))
	}
	r.checkAlloc(n*valueSize, "Invalid array length")
}

// checkKeysAlloc is called before listing n property keys (an index's name and a value each).
func (r *Runtime) checkKeysAlloc(n int) {
	r.checkAlloc(int64(n)*(valueSize+24), "Invalid array length")
}

// compileCostPerByte is about the most memory parsing and compiling takes per byte of source (an
// array literal of numbers takes ~90): dynamic code (eval, Function) asks the allocation check for
// that much before it is compiled, which cannot be interrupted.
const compileCostPerByte = 100

func (r *Runtime) checkCompileAlloc(length int) {
	r.checkAlloc(int64(length)*compileCostPerByte, "Source too large to compile")
}

// checkStringAlloc is called before allocating a string of length code units, two bytes each if
// unicode.
func (r *Runtime) checkStringAlloc(length int64, unicode bool) {
	if length > maxStringLength {
		panic(r.newError(r.getRangeError(), "Invalid string length"))
	}
	if unicode {
		length *= 2
	}
	r.checkAlloc(length, "Invalid string length")
}

// checkConcat is called before concatenating a and b.
func (r *Runtime) checkConcat(a, b String) {
	n := int64(a.Length()) + int64(b.Length())
	if n > maxStringLength || r.limits.allocCheck != nil && 2*n >= r.limits.allocMin {
		_, ua := devirtualizeString(a)
		_, ub := devirtualizeString(b)
		r.checkStringAlloc(n, ua != nil || ub != nil)
	}
}

// checkStringGrowth is called by built-ins that build a string piece by piece, before they add
// about n code units to b. It refuses results longer than maxStringLength, and shows the
// allocation check each growth of b's buffer before it happens (estimated as a doubling).
func (r *Runtime) checkStringGrowth(b *StringBuilder, n int) {
	var l, c, unit int
	if b.ascii() {
		l, c, unit = b.asciiBuilder.Len(), b.asciiBuilder.Cap(), 1
	} else {
		l, c, unit = len(b.unicodeBuilder.buf), cap(b.unicodeBuilder.buf), 2
	}
	r.checkBufferGrowth(l, c, unit, n)
}

// writeString appends s to b, once checkStringGrowth allows it.
func (r *Runtime) writeString(b *StringBuilder, s String) {
	r.checkStringGrowth(b, s.Length())
	b.WriteString(s)
}

func (r *Runtime) checkBufferGrowth(l, c, unit, n int) {
	if l+n > maxStringLength {
		panic(r.newError(r.getRangeError(), "Invalid string length"))
	}
	if l+n > c {
		r.checkAlloc(int64(max(2*c, l+n)*unit), "Invalid string length")
	}
}

// regexp2 returns rx for one match, bounded by the deadline set with SetRegExpDeadline: a copy
// with its own MatchTimeout (rx is shared by every runtime that runs the same compiled program),
// or rx itself when there is no deadline. It raises the interruption at once if the deadline has
// passed. Update the copy's timeout with regexp2Timeout before each further match.
func (r *Runtime) regexp2(rx *regexp2.Regexp) *regexp2.Regexp {
	if r == nil || r.limits.rxDeadline.IsZero() {
		return rx
	}
	cp := *rx
	r.regexp2Timeout(&cp)
	return &cp
}

func (r *Runtime) regexp2Timeout(rx *regexp2.Regexp) {
	if r == nil || r.limits.rxDeadline.IsZero() {
		return
	}
	d := time.Until(r.limits.rxDeadline)
	if d <= 0 {
		r.regexp2Expired()
	}
	rx.MatchTimeout = d
}

// regexp2Failed handles an error of a regexp2 match: past the deadline, the match timed out.
// Other errors (a backtracking stack overflow) keep upstream's behaviour: no match.
func (r *Runtime) regexp2Failed(err error) {
	if err != nil && r != nil && !r.limits.rxDeadline.IsZero() && !errors.Is(err, regexp2.ErrBacktrackingStackLimit) {
		r.regexp2Expired()
	}
}

func (r *Runtime) regexp2Expired() {
	r.checkInterrupt()
	r.vm.raiseInterrupt(ErrRegExpDeadline)
}
