package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unsafe"
)

// applyPII drops and hashes the policy's fields of the event (a JSON object), copying the rest
// of its bytes as they are: only the objects on the way to a field of the policy are rewritten,
// without decoding the event into maps. No event is null. A rewritten event is written in
// *scratch (the writer's buffer, reused from one record to the next, and kept grown): the result
// is valid until scratch is used again. w is the writer's walker, reused likewise.
func (w *piiWalker) applyPII(scratch *[]byte, event []byte, pii PII) (json.RawMessage, error) {
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
	// The top level's rules: the drops first, for a field both dropped and hashed is dropped.
	w.rules = w.rules[:0]
	for _, p := range pii.Drop {
		w.rules = append(w.rules, piiRule{rest: p, act: piiDrop})
	}
	for _, p := range pii.Hash {
		w.rules = append(w.rules, piiRule{rest: p, act: piiHash})
	}
	w.s = jsonScanner{b: event}
	out, err := w.object((*scratch)[:0], 0, len(w.rules))
	w.s = jsonScanner{} // the event goes back to its pool
	if err != nil {
		return nil, fmt.Errorf("reading the event: %w", err)
	}
	*scratch = out[:0]
	return out, nil
}

// What the policy does with a member of the event.
const (
	piiKeep    = iota
	piiDrop    // leave it out
	piiHash    // replace its value by its keyed hash
	piiDescend // an object on the way to a field of the policy
)

// piiRule is a field of the policy as an object on the way to it sees it: rest is the dotted path
// left below that object ("email" in "user" for "user.email"), act piiDrop or piiHash.
type piiRule struct {
	rest string
	act  int
}

// piiWalker rewrites an event by the policy. The writer keeps one, so that its stack of rules
// is allocated once.
type piiWalker struct {
	s   jsonScanner
	mac *piiMAC
	// rules is a stack: the top level's rules, then those of each object being rewritten, the
	// innermost last. A path is matched as text, key by key, so that a key with dots in it
	// ("a.b") matches as the path's parts ("a" then "b") would.
	rules []piiRule
}

// action is what the policy does with the member key of an object whose rules are rules: the
// first rule that names it (a drop before a hash), or descend when a rule's path goes on below it.
func action(rules []piiRule, key string) int {
	act := piiKeep
	for _, r := range rules {
		if len(r.rest) < len(key) || r.rest[:len(key)] != key {
			continue
		}
		if len(r.rest) == len(key) {
			return r.act
		}
		if r.rest[len(key)] == '.' {
			act = piiDescend
		}
	}
	return act
}

// object appends the object at the scanner, rewritten by the policy, to out; its rules are
// w.rules[lo:hi].
func (w *piiWalker) object(out []byte, lo, hi int) ([]byte, error) {
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
		act := action(w.rules[lo:hi], key)
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
			// The rules below key, on top of the stack while the member is rewritten.
			mark := len(w.rules)
			for _, r := range w.rules[lo:hi] {
				if len(r.rest) > len(key) && r.rest[len(key)] == '.' && r.rest[:len(key)] == key {
					w.rules = append(w.rules, piiRule{rest: r.rest[len(key)+1:], act: r.act})
				}
			}
			var err error
			out, err = w.object(out, mark, len(w.rules))
			w.rules = w.rules[:mark]
			if err != nil {
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
func (w *piiWalker) hash(out, v []byte) []byte {
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

// jsonScanner skips through valid JSON; what it is given is an event the runner has validated.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *jsonScanner) ws() {
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
func (s *jsonScanner) str() error {
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
func (s *jsonScanner) value() error {
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
