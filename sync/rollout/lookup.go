package rollout

// Lookup returns the value at path in the JSON object event (valid JSON, as the runner has
// checked it), as a slice of event: a string's content as written between its quotes (escapes are not decoded: the
// value is hashed, not shown), or a number's or boolean's text. ok is false when the path is
// missing or leads to an object, an array or null.
func Lookup(event []byte, path []string) ([]byte, bool) {
	i := ws(event, 0)
	for depth, key := range path {
		if i >= len(event) || event[i] != '{' {
			return nil, false
		}
		i = ws(event, i+1)
		found := false
		for i < len(event) && event[i] != '}' {
			if event[i] != '"' {
				return nil, false
			}
			kend := skipString(event, i)
			k := event[i+1 : kend-1]
			i = ws(event, kend)
			if i >= len(event) || event[i] != ':' {
				return nil, false
			}
			i = ws(event, i+1)
			if string(k) == key {
				found = true
				break
			}
			i = ws(event, skipValue(event, i))
			if i < len(event) && event[i] == ',' {
				i = ws(event, i+1)
			}
		}
		if !found {
			return nil, false
		}
		if depth == len(path)-1 {
			end := skipValue(event, i)
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

func ws(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}
