package wire

// JSON is JSON text, as a string or as bytes: the scanners below serve both.
type JSON interface{ ~string | ~[]byte }

// SkipSpace returns the index of the first byte at or after i that is not JSON whitespace.
func SkipSpace[T JSON](b T, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// SkipString returns the index after the string literal at b[i] (a '"'); len(b) when it is not
// closed. Escapes are skipped, not checked.
func SkipString[T JSON](b T, i int) int {
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

// SkipValue returns the index after the JSON value at b[i]: a string or a balanced object or
// array as written, or a number or literal up to the next delimiter. It assumes valid JSON; on
// other text it never reads past b (an unclosed value ends at len(b)).
func SkipValue[T JSON](b T, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return SkipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = SkipString(b, i) - 1
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
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\r' && b[i] != '\t' {
		i++
	}
	return i
}
