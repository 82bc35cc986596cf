// The PII walker before its policy was compiled into rules (pii.go), kept as the reference that
// TestPIIMatchesReference compares the new one with.

package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// refApplyPII drops and hashes the policy's fields of the event (a JSON object), copying the rest
// of its bytes as they are: only the objects on the way to a field of the policy are rewritten,
// without decoding the event into maps. No event is null. A rewritten event is written in
// *scratch (the writer's buffer, reused from one record to the next, and kept grown): the result
// is valid until scratch is used again.
func refApplyPII(scratch *[]byte, event []byte, pii PII, mac *piiMAC) (json.RawMessage, error) {
	event = bytes.TrimSpace(event)
	if len(event) == 0 {
		return json.RawMessage("null"), nil
	}
	if len(pii.Drop) == 0 && len(pii.Hash) == 0 {
		return event, nil
	}
	if event[0] != '{' {
		return nil, errors.New("the event is not a JSON object")
	}
	w := refPIIWalker{s: refScanner{b: event}, pii: pii, mac: mac}
	out, err := w.object((*scratch)[:0], "")
	if err != nil {
		return nil, fmt.Errorf("reading the event: %w", err)
	}
	*scratch = out[:0]
	return out, nil
}

type refPIIWalker struct {
	s   refScanner
	pii PII
	mac *piiMAC
}

// action is what the policy does with the member key of the object at prefix ("" or "a.b.").
func (w *refPIIWalker) action(prefix, key string) int {
	act := piiKeep
	for i, list := range [2][]string{w.pii.Drop, w.pii.Hash} {
		for _, p := range list {
			rest, ok := strings.CutPrefix(p, prefix)
			if !ok {
				continue
			}
			if rest == key {
				return piiDrop + i // drop wins: it comes first
			}
			if strings.HasPrefix(rest, key) && len(rest) > len(key) && rest[len(key)] == '.' {
				act = piiDescend
			}
		}
	}
	return act
}

// object appends the object at the scanner, rewritten by the policy, to out.
func (w *refPIIWalker) object(out []byte, prefix string) ([]byte, error) {
	s := &w.s
	s.i++ // '{'
	out = append(out, '{')
	first := true
	s.ws()
	if s.peek() == '}' {
		s.i++
		return append(out, '}'), nil
	}
	for {
		s.ws()
		ks := s.i
		if err := s.str(); err != nil {
			return nil, err
		}
		rawKey := s.b[ks:s.i]
		// The key's text without a copy: it is only compared and (descending) concatenated. An
		// escaped key is decoded into a string of its own.
		var key string
		if inner := rawKey[1 : len(rawKey)-1]; len(inner) > 0 {
			key = unsafe.String(&inner[0], len(inner))
		}
		if bytes.IndexByte(rawKey, '\\') >= 0 {
			var dec string
			if err := json.Unmarshal(rawKey, &dec); err != nil {
				return nil, err
			}
			key = dec
		}
		s.ws()
		if s.peek() != ':' {
			return nil, fmt.Errorf("byte %d: want ':'", s.i)
		}
		s.i++
		s.ws()
		vs := s.i
		act := w.action(prefix, key)
		if act != piiDrop {
			if !first {
				out = append(out, ',')
			}
			first = false
			out = append(out, rawKey...)
			out = append(out, ':')
		}
		switch {
		case act == piiDescend && s.peek() == '{':
			var err error
			if out, err = w.object(out, prefix+key+"."); err != nil {
				return nil, err
			}
		default:
			if err := s.value(); err != nil {
				return nil, err
			}
			v := s.b[vs:s.i]
			switch act {
			case piiHash:
				out = w.hash(out, v)
			case piiKeep, piiDescend:
				out = append(out, v...)
			}
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return append(out, '}'), nil
		default:
			return nil, fmt.Errorf("byte %d: want ',' or '}'", s.i)
		}
	}
}

// hash appends the keyed hash of the JSON value v as a JSON string: of the string's text for a
// string, of the JSON text otherwise; null stays null.
func (w *refPIIWalker) hash(out, v []byte) []byte {
	if string(v) == "null" {
		return append(out, v...)
	}
	raw := v
	if v[0] == '"' {
		raw = v[1 : len(v)-1]
		if bytes.IndexByte(raw, '\\') >= 0 {
			var s string
			if json.Unmarshal(v, &s) == nil {
				raw = []byte(s)
			}
		}
	}
	out = append(out, '"')
	out = w.mac.append(out, raw)
	return append(out, '"')
}

// refScanner skips through valid JSON; what it is given is an event the runner has validated.
type refScanner struct {
	b []byte
	i int
}

func (s *refScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *refScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// str skips a string, its quotes included.
func (s *refScanner) str() error {
	if s.peek() != '"' {
		return fmt.Errorf("byte %d: want a string", s.i)
	}
	for s.i++; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '\\':
			s.i++
		case '"':
			s.i++
			return nil
		}
	}
	return errors.New("a string does not end")
}

// value skips any JSON value.
func (s *refScanner) value() error {
	switch c := s.peek(); c {
	case '"':
		return s.str()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if err := s.str(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return nil
				}
			}
			s.i++
		}
		return errors.New("an object or array does not end")
	default: // a number, true, false, null
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if s.i == start {
					return fmt.Errorf("byte %d: want a value", s.i)
				}
				return nil
			}
			s.i++
		}
		if s.i == start {
			return errors.New("a value is missing")
		}
		return nil
	}
}
