package goja

import "github.com/dop251/goja/unistring"

// GetOwnPropertyDescriptor is Object.getOwnPropertyDescriptor(o, key) without the descriptor
// object: ok is false when o has no such own property. A data property has Value (undefined
// rather than nil) and Writable; an accessor has Getter and Setter (nil when absent). A proxy's
// getOwnPropertyDescriptor trap runs as for Object.getOwnPropertyDescriptor. This method will
// panic with an *Exception if a JavaScript exception is thrown in the process.
func (o *Object) GetOwnPropertyDescriptor(key Value) (desc PropertyDescriptor, ok bool) {
	return ownDescriptor(o.getOwnProp(toPropertyKey(key)))
}

// GetOwnPropertyDescriptorStr is GetOwnPropertyDescriptor of a property named by a string.
func (o *Object) GetOwnPropertyDescriptorStr(name string) (desc PropertyDescriptor, ok bool) {
	return ownDescriptor(o.self.getOwnPropStr(unistring.NewFromString(name)))
}

func ownDescriptor(prop Value) (desc PropertyDescriptor, ok bool) {
	if prop == nil {
		return desc, false
	}
	v, isProp := prop.(*valueProperty)
	if !isProp {
		desc.Value, desc.Writable, desc.Configurable, desc.Enumerable = prop, FLAG_TRUE, FLAG_TRUE, FLAG_TRUE
		return desc, true
	}
	desc.Configurable, desc.Enumerable = ToFlag(v.configurable), ToFlag(v.enumerable)
	if v.accessor {
		if v.getterFunc != nil {
			desc.Getter = v.getterFunc
		}
		if v.setterFunc != nil {
			desc.Setter = v.setterFunc
		}
		return desc, true
	}
	desc.Value, desc.Writable = v.value, ToFlag(v.writable)
	if desc.Value == nil {
		desc.Value = _undefined
	}
	return desc, true
}
