package goja

import (
	"errors"
	"slices"
	"strings"
)

// lowerUnicodeSets rewrites a pattern of the `v` flag (unicodeSets, ES2024) as a pattern of the
// `u` flag that matches the same: the `v` flag changes only character classes, which may nest
// (`[[a-z][0-9]]`), subtract (`[\p{L}--[a-z]]`), intersect (`[\p{L}&&\p{ASCII}]`) and hold strings
// (`[\q{abc|d}]`). A class that is a plain union stays a class; the others become groups, with a
// negative lookahead for a difference and a positive one for an intersection (so they run on
// regexp2). Strings are tried longest first, as the `v` flag does.
func lowerUnicodeSets(p string) (string, error) {
	l := &vLowerer{src: []rune(p)}
	var out strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch c {
		case '\\':
			out.WriteRune(c)
			l.pos++
			if l.pos < len(l.src) {
				out.WriteRune(l.src[l.pos])
				l.pos++
			}
		case '[':
			l.pos++
			s, err := l.class()
			if err != nil {
				return "", err
			}
			out.WriteString(s.pattern())
		default:
			out.WriteRune(c)
			l.pos++
		}
	}
	return out.String(), nil
}

// vSet is a class of the `v` flag as lowered: body is what goes inside a `u` class; alts are the
// patterns (each matching one element) it is the union of, beside body; negBody marks body as
// negated ([^...]) when alts is empty.
type vSet struct {
	body    string
	negBody bool
	alts    []string
}

func (s vSet) pattern() string {
	if len(s.alts) == 0 {
		if s.negBody {
			return "[^" + s.body + "]"
		}
		return "[" + s.body + "]"
	}
	parts := slices.Clone(s.alts)
	if s.body != "" {
		parts = append(parts, "["+s.body+"]")
	}
	return "(?:" + strings.Join(parts, "|") + ")"
}

type vLowerer struct {
	src []rune
	pos int
}

var errVClass = errors.New("invalid character class for the v flag")

func (l *vLowerer) peek(s string) bool {
	r := []rune(s)
	if l.pos+len(r) > len(l.src) {
		return false
	}
	return slices.Equal(l.src[l.pos:l.pos+len(r)], r)
}

// class parses a class after its '[' up to and past its ']'.
func (l *vLowerer) class() (vSet, error) {
	negated := false
	if l.peek("^") {
		negated = true
		l.pos++
	}
	var set vSet
	first := true
	op := "" // "--" or "&&" once one is seen
	for {
		if l.pos >= len(l.src) {
			return vSet{}, errVClass
		}
		if l.peek("]") {
			l.pos++
			break
		}
		if !first {
			switch {
			case l.peek("--"):
				if op == "&&" {
					return vSet{}, errVClass
				}
				op = "--"
				l.pos += 2
			case l.peek("&&"):
				if op == "--" {
					return vSet{}, errVClass
				}
				op = "&&"
				l.pos += 2
			}
		}
		operand, err := l.operand(op != "")
		if err != nil {
			return vSet{}, err
		}
		switch {
		case first:
			set = operand
		case op == "--":
			set = vSet{alts: []string{"(?!" + operand.pattern() + ")" + set.pattern()}}
		case op == "&&":
			set = vSet{alts: []string{"(?=" + operand.pattern() + ")" + set.pattern()}}
		default: // union
			if set.negBody || operand.negBody {
				set = vSet{alts: []string{set.pattern(), operand.pattern()}}
			} else {
				set.body += operand.body
				set.alts = append(set.alts, operand.alts...)
			}
		}
		first = false
	}
	if !negated {
		return set, nil
	}
	if len(set.alts) == 0 && !set.negBody {
		return vSet{body: set.body, negBody: true}, nil
	}
	return vSet{alts: []string{"(?!" + set.pattern() + ")[\\s\\S]"}}, nil
}

// operand parses one operand: a nested class, \q{...}, an escape, a character or a range. Operands
// of -- and && are single (strict): a range there must be in a nested class.
func (l *vLowerer) operand(strict bool) (vSet, error) {
	if l.pos >= len(l.src) {
		return vSet{}, errVClass
	}
	if l.peek("[") {
		l.pos++
		return l.class()
	}
	if l.peek("\\q{") {
		l.pos += 3
		var strs []string
		var cur strings.Builder
		for {
			if l.pos >= len(l.src) {
				return vSet{}, errVClass
			}
			c := l.src[l.pos]
			l.pos++
			if c == '}' || c == '|' {
				strs = append(strs, cur.String())
				cur.Reset()
				if c == '}' {
					break
				}
				continue
			}
			if c == '\\' && l.pos < len(l.src) {
				cur.WriteString(vLiteral(l.src[l.pos]))
				l.pos++
				continue
			}
			cur.WriteString(vLiteral(c))
		}
		var set vSet
		slices.SortStableFunc(strs, func(a, b string) int { return len(b) - len(a) })
		for _, s := range strs {
			if n := []rune(s); len(n) == 1 || len(n) == 2 && n[0] == '\\' {
				set.body += s
			} else {
				set.alts = append(set.alts, s)
			}
		}
		return set, nil
	}
	lo, err := l.atom()
	if err != nil {
		return vSet{}, err
	}
	if !strict && l.peek("-") && !l.peek("--") && l.pos+1 < len(l.src) && l.src[l.pos+1] != ']' {
		l.pos++
		hi, err := l.atom()
		if err != nil {
			return vSet{}, err
		}
		return vSet{body: lo + "-" + hi}, nil
	}
	return vSet{body: lo}, nil
}

// atom is one character or escape, written as a `u` class holds it.
func (l *vLowerer) atom() (string, error) {
	c := l.src[l.pos]
	l.pos++
	if c != '\\' {
		if strings.ContainsRune("()[]{}/-|", c) {
			return "", errVClass // syntax characters must be escaped in a class of the v flag
		}
		return vLiteral(c), nil
	}
	if l.pos >= len(l.src) {
		return "", errVClass
	}
	e := l.src[l.pos]
	l.pos++
	switch {
	case strings.ContainsRune("&-!#%,:;<=>@`~", e):
		return vLiteral(e), nil // reserved punctuators, which only the v flag lets one escape
	case e == 'p' || e == 'P' || e == 'u' && l.peek("{"):
		start := l.pos - 2
		for l.pos < len(l.src) && l.src[l.pos] != '}' {
			l.pos++
		}
		if l.pos >= len(l.src) {
			return "", errVClass
		}
		l.pos++
		return string(l.src[start:l.pos]), nil
	case e == 'x' || e == 'u':
		n := 2
		if e == 'u' {
			n = 4
		}
		if l.pos+n > len(l.src) {
			return "", errVClass
		}
		s := string(l.src[l.pos-2 : l.pos+n])
		l.pos += n
		return s, nil
	case e == 'c' && l.pos < len(l.src):
		l.pos++
		return string(l.src[l.pos-3 : l.pos]), nil
	default:
		return "\\" + string(e), nil
	}
}

// vLiteral writes c as a `u` pattern matches it literally, in a class or out of one.
func vLiteral(c rune) string {
	if strings.ContainsRune(`^$\.*+?()[]{}|/-`, c) {
		return "\\" + string(c)
	}
	return string(c)
}
