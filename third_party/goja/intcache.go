package goja

import "unsafe"

// Small integers without allocation (actionsd). A valueInt in a Value interface is a pointer to
// 8 bytes on the heap, so every integer result above 255 (where Go's own table of boxed small
// integers ends) allocated: loop counters and array indices of any array longer than 255, and
// the garbage collector that follows them. boxedInts holds the integers below boxedIntCount once,
// and intToValue returns interfaces that point into it. The table is filled at init (512 KiB of
// memory, written once per process).

const boxedIntCount = 1 << 16

var (
	boxedInts   [boxedIntCount]valueInt
	valueIntTab unsafe.Pointer // the Value interface's type word for valueInt
)

func init() {
	for i := range boxedInts {
		boxedInts[i] = valueInt(i)
	}
	var v Value = valueInt(boxedIntCount)
	valueIntTab = (*[2]unsafe.Pointer)(unsafe.Pointer(&v))[0]
}

// boxedInt returns valueInt(i) as a Value pointing into boxedInts; 0 <= i < boxedIntCount.
func boxedInt(i int64) Value {
	return pointingValue(valueIntTab, unsafe.Pointer(&boxedInts[i]))
}

// pointingValue is the Value interface of type word tab whose data word is p: the number at p,
// boxed without an allocation. Nothing may write to *p once the Value exists.
func pointingValue(tab, p unsafe.Pointer) Value {
	var v Value
	w := (*[2]unsafe.Pointer)(unsafe.Pointer(&v))
	w[0], w[1] = tab, p
	return v
}
