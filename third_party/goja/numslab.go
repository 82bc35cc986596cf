package goja

import (
	"math"
	"unsafe"

	"github.com/dop251/goja/token"
)

// Numbers boxed from a per-runtime slab (actionsd). A number in a Value interface points to its 8
// bytes; outside the table of intcache.go (integers 0..65535) each integer result and each float
// was its own heap allocation, one mallocgc per arithmetic step: the inner loop of a pure-JS big
// integer multiplication made ~15 per iteration, and the collector's work followed. The vm's
// arithmetic, bitwise, increment and typed-array paths now box their results into the next free
// element of a chunk of numSlabSize numbers (noscan memory, one allocation per chunk) and hand out
// interfaces pointing at it, built as boxedInt builds them.
//
// Each element is written once, before its interface exists, and never again; a Value is an
// immutable number wherever it is copied to. A chunk belongs to one vm, which one goroutine runs
// at a time, so no other goroutine writes to it. An interior pointer keeps its whole chunk alive:
// a number that outlives its neighbours pins numSlabSize*8 bytes (256 B), which bounds what a
// retained number can cost. Free functions without a vm at hand (intToValue, floatToValue) still
// allocate each number as before.

const numSlabSize = 32

type numSlab struct {
	chunk *[numSlabSize]uint64
	next  int
}

var valueFloatTab unsafe.Pointer // the Value interface's type word for valueFloat

func init() {
	var v Value = valueFloat(math.Pi)
	valueFloatTab = (*[2]unsafe.Pointer)(unsafe.Pointer(&v))[0]
}

// slot returns a fresh element of the slab: no interface points at it yet.
func (s *numSlab) slot() *uint64 {
	if s.chunk == nil || s.next == numSlabSize {
		s.chunk = new([numSlabSize]uint64)
		s.next = 0
	}
	p := &s.chunk[s.next]
	s.next++
	return p
}

// boxInt returns valueInt(i) as a Value pointing into the slab.
func (s *numSlab) boxInt(i int64) Value {
	p := s.slot()
	*p = uint64(i)
	return pointingValue(valueIntTab, unsafe.Pointer(p))
}

// boxFloat returns valueFloat(f) as a Value pointing into the slab.
func (s *numSlab) boxFloat(f float64) Value {
	p := s.slot()
	*p = math.Float64bits(f)
	return pointingValue(valueFloatTab, unsafe.Pointer(p))
}

// intToValue is intToValue, boxing from the vm's slab.
func (vm *vm) intToValue(i int64) Value {
	if uint64(i) < boxedIntCount {
		return boxedInt(i)
	}
	if idx := 256 + i; idx >= 0 && idx < 256 {
		return intCache[idx]
	}
	if i >= -maxInt && i <= maxInt {
		return vm.nums.boxInt(i)
	}
	return vm.nums.boxFloat(float64(i))
}

// floatToValue is floatToValue, boxing from the vm's slab.
func (vm *vm) floatToValue(f float64) Value {
	if i, ok := floatToInt(f); ok {
		return vm.intToValue(i)
	}
	switch {
	case f == 0:
		return _negativeZero
	case math.IsNaN(f):
		return _NaN
	case math.IsInf(f, 1):
		return _positiveInf
	case math.IsInf(f, -1):
		return _negativeInf
	}
	return vm.nums.boxFloat(f)
}

// float returns valueFloat(f), boxed from the vm's slab, without floatToValue's normalisation
// (where the vm made a valueFloat directly).
func (vm *vm) float(f float64) Value {
	return vm.nums.boxFloat(f)
}

// typedArrayElem is ta.get(idx), boxing from the vm's slab where the element may fall outside
// the table of intcache.go: an element read (ta[i]) of a 32-bit or float typed array.
func (vm *vm) typedArrayElem(ta typedArray, idx int) Value {
	switch ta := ta.(type) {
	case *uint32Array:
		return vm.intToValue(int64(*ta.ptr(idx)))
	case *int32Array:
		return vm.intToValue(int64(*ta.ptr(idx)))
	case *float64Array:
		return vm.floatToValue(*ta.ptr(idx))
	case *float32Array:
		return vm.floatToValue(float64(*ta.ptr(idx)))
	}
	return ta.get(idx)
}

// numberValue is v.ToNumber() without boxing a number again: a valueInt's or valueFloat's
// ToNumber returns its receiver as a new interface, an allocation for every integer past the
// table of intcache.go and every float, in each ToInt32 (every bitwise operator) and unary plus.
func numberValue(v Value) Value {
	switch v.(type) {
	case valueInt, valueFloat:
		return v
	}
	return v.ToNumber()
}

// Bitwise operators and shifts whose right operand is a number literal (x & 0x3fff, h >> 14,
// x | 0, l >>> 3) are one instruction holding the literal's ToInt32 (or shift count) instead of
// a push of the literal, its ToNumeric and its conversion at every step. The left operand is
// converted as by the general instruction, and a BigInt there throws the same TypeError (the
// literal is a Number).

// bitwiseConstOp returns the instruction for left <op> right when right is a number literal.
func bitwiseConstOp(op token.Token, right compiledExpr) instruction {
	lit, ok := right.(*compiledLiteral)
	if !ok {
		return nil
	}
	switch lit.val.(type) {
	case valueInt, valueFloat:
	default:
		return nil
	}
	switch op {
	case token.AND:
		return andConst(toInt32(lit.val))
	case token.OR:
		return orConst(toInt32(lit.val))
	case token.EXCLUSIVE_OR:
		return xorConst(toInt32(lit.val))
	case token.SHIFT_LEFT:
		return salConst(toUint32(lit.val) & 0x1F)
	case token.SHIFT_RIGHT:
		return sarConst(toUint32(lit.val) & 0x1F)
	case token.UNSIGNED_SHIFT_RIGHT:
		return shrConst(toUint32(lit.val) & 0x1F)
	}
	return nil
}

// int32Operand is toInt32(ToNumeric(v)) for the left operand of a bitwise operator whose right
// operand is a Number.
func int32Operand(v Value) int32 {
	left := toNumeric(v)
	if _, ok := left.(*valueBigInt); ok {
		panic(errMixBigIntType)
	}
	return toInt32(left)
}

type andConst int32

func (c andConst) exec(vm *vm) {
	vm.stack[vm.sp-1] = vm.intToValue(int64(int32Operand(vm.stack[vm.sp-1]) & int32(c)))
	vm.pc++
}

type orConst int32

func (c orConst) exec(vm *vm) {
	vm.stack[vm.sp-1] = vm.intToValue(int64(int32Operand(vm.stack[vm.sp-1]) | int32(c)))
	vm.pc++
}

type xorConst int32

func (c xorConst) exec(vm *vm) {
	vm.stack[vm.sp-1] = vm.intToValue(int64(int32Operand(vm.stack[vm.sp-1]) ^ int32(c)))
	vm.pc++
}

type salConst uint32

func (c salConst) exec(vm *vm) {
	vm.stack[vm.sp-1] = vm.intToValue(int64(int32Operand(vm.stack[vm.sp-1]) << uint32(c)))
	vm.pc++
}

type sarConst uint32

func (c sarConst) exec(vm *vm) {
	vm.stack[vm.sp-1] = vm.intToValue(int64(int32Operand(vm.stack[vm.sp-1]) >> uint32(c)))
	vm.pc++
}

type shrConst uint32

func (c shrConst) exec(vm *vm) {
	left := toNumeric(vm.stack[vm.sp-1])
	if _, ok := left.(*valueBigInt); ok {
		panic(vm.r.NewTypeError("BigInts have no unsigned right shift, use >> instead"))
	}
	vm.stack[vm.sp-1] = vm.intToValue(int64(toUint32(left) >> uint32(c)))
	vm.pc++
}
