package rollout

import "github.com/actionsd/actionsd/runner/wire"

// Lookup returns the value at path in the JSON object event (valid JSON, as the runner has
// checked it), as a slice of event: a string's content as written between its quotes (escapes are not decoded: the
// value is hashed, not shown), or a number's or boolean's text. ok is false when the path is
// missing or leads to an object, an array or null.
func Lookup(event []byte, path []string) ([]byte, bool) {
	i := wire.SkipSpace(event, 0)
	for depth, key := range path {
		if i >= len(event) || event[i] != '{' {
			return nil, false
		}
		i = wire.SkipSpace(event, i+1)
		found := false
		for i < len(event) && event[i] != '}' {
			if event[i] != '"' {
				return nil, false
			}
			kend := wire.SkipString(event, i)
			k := event[i+1 : kend-1]
			i = wire.SkipSpace(event, kend)
			if i >= len(event) || event[i] != ':' {
				return nil, false
			}
			i = wire.SkipSpace(event, i+1)
			if string(k) == key {
				found = true
				break
			}
			i = wire.SkipSpace(event, wire.SkipValue(event, i))
			if i < len(event) && event[i] == ',' {
				i = wire.SkipSpace(event, i+1)
			}
		}
		if !found {
			return nil, false
		}
		if depth == len(path)-1 {
			end := wire.SkipValue(event, i)
			switch c := event[i]; {
			case c == '"':
				return event[i+1 : end-1], true
			case c == '{' || c == '[' || c == 'n':
				return nil, false
			default:
				return event[i:end], true
			}
		}
	}
	return nil, false
}
