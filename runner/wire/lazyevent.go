package wire

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// The event handed to a handler is built lazily: its top-level members ("user", "request",
// "authorization", …) are found by one scan of the request's JSON, and each is turned into
// JavaScript objects the first time the action reads it. Most actions read a few members of a
// large event; this keeps an execution from building what it never reads. Each execution still
// gets its own copy: nothing is shared between executions or actions, and whatever the action
// writes stays in its event. The object behaves as a plain object (keys in JSON order, writable,
// deletable, enumerable, JSON.stringify-able); it cannot be frozen or sealed.
type lazyEvent struct {
	rt      *goja.Runtime
	entries []eventEntry
}

// A lazyEvent is allocated with its entries' first backing array (one allocation), sized for the
// event when its member count is known: a small event does not pay for a large one's array.
type (
	lazyEventSmall struct {
		lazyEvent
		inline [8]eventEntry
	}
	lazyEventLarge struct {
		lazyEvent
		inline [20]eventEntry
	}
)

type eventEntry struct {
	key  string
	raw  string     // the member's JSON while not parsed
	val  goja.Value // once parsed or set
	gone bool       // deleted
}

var errNotObject = errors.New("the event is not a JSON object")

// NewEvent returns an execution's event on rt: a lazy copy of the request's JSON event (an
// object that ObjectMembers validated), with secrets as event.secrets. (The engine does not carve
// it out of the Result: it refers to the runtime, which the Result must not keep alive.)
//
// members are the spans of the event's members (ObjectMembers), or nil: the event is scanned.
func NewEvent(rt *goja.Runtime, event string, members []MemberSpan, secrets *goja.Object) (*goja.Object, error) {
	var e *lazyEvent
	if members != nil && len(members) < len(lazyEventSmall{}.inline) { // room for event.secrets
		x := &lazyEventSmall{lazyEvent: lazyEvent{rt: rt}}
		x.entries = x.inline[:0]
		e = &x.lazyEvent
	} else {
		x := &lazyEventLarge{lazyEvent: lazyEvent{rt: rt}}
		x.entries = x.inline[:0]
		e = &x.lazyEvent
	}
	if members != nil {
		if err := e.fromMembers(event, members); err != nil {
			return nil, err
		}
	} else if err := e.scan(event); err != nil {
		return nil, err
	}
	e.Set("secrets", secrets)
	return rt.NewDynamicObject(e), nil
}

// scan finds the top-level members of the JSON object data.
func (e *lazyEvent) scan(data string) error {
	i := SkipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errNotObject
	}
	i = SkipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for i < len(data) {
		end := SkipString(data, i)
		lit := data[i:end]
		i = SkipSpace(data, end)
		i = SkipSpace(data, i+1) // ':'
		vend := SkipValue(data, i)
		if err := e.add(lit, data[i:vend]); err != nil {
			return err
		}
		i = SkipSpace(data, vend)
		if i < len(data) && data[i] == ',' {
			i = SkipSpace(data, i+1)
			continue
		}
		break
	}
	return nil
}

// fromMembers takes the top-level members of the JSON object data from their spans, found when
// it was validated (ObjectMembers): the same entries as scan, without a second pass.
func (e *lazyEvent) fromMembers(data string, members []MemberSpan) error {
	for _, m := range members {
		if err := e.add(data[m.key:SkipString(data, int(m.key))], data[m.val:m.end]); err != nil {
			return err
		}
	}
	return nil
}

// add adds the member whose key is the string literal lit (quotes included) and whose value is
// the JSON raw.
func (e *lazyEvent) add(lit, raw string) error {
	key := lit[1 : len(lit)-1]
	if strings.IndexByte(key, '\\') >= 0 || !utf8.ValidString(key) {
		var unq string
		if err := json.Unmarshal([]byte(lit), &unq); err != nil {
			return err
		}
		key = unq
	}
	if key == DirectoryMember { // for the api, not the action (api.groups/roles)
		return nil
	}
	if j := e.find(key); j >= 0 { // a repeated key: the last one wins, as in JSON.parse
		e.entries[j] = eventEntry{key: key, raw: raw}
	} else {
		e.entries = append(e.entries, eventEntry{key: key, raw: raw})
	}
	return nil
}

func (e *lazyEvent) find(key string) int {
	for i := range e.entries {
		if !e.entries[i].gone && e.entries[i].key == key {
			return i
		}
	}
	return -1
}

// Get implements goja.DynamicObject.
func (e *lazyEvent) Get(key string) goja.Value {
	i := e.find(key)
	if i < 0 {
		return nil
	}
	en := &e.entries[i]
	if en.val == nil {
		p := jsonToJS{rt: e.rt, s: en.raw}
		val, err := p.value(1)
		if err != nil {
			val = goja.Undefined() // the request was valid JSON; only the depth limit gets here
		}
		en.val, en.raw = val, ""
	}
	return en.val
}

// Set implements goja.DynamicObject.
func (e *lazyEvent) Set(key string, val goja.Value) bool {
	if i := e.find(key); i >= 0 {
		e.entries[i].val, e.entries[i].raw = val, ""
		return true
	}
	e.entries = append(e.entries, eventEntry{key: key, val: val})
	return true
}

// Has implements goja.DynamicObject.
func (e *lazyEvent) Has(key string) bool { return e.find(key) >= 0 }

// Delete implements goja.DynamicObject.
func (e *lazyEvent) Delete(key string) bool {
	if i := e.find(key); i >= 0 {
		e.entries[i] = eventEntry{gone: true}
	}
	return true
}

// Keys implements goja.DynamicObject.
func (e *lazyEvent) Keys() []string {
	keys := make([]string, 0, len(e.entries))
	for _, en := range e.entries {
		if !en.gone {
			keys = append(keys, en.key)
		}
	}
	return keys
}
