package runner

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// redactMinLen is the shortest secret value that is redacted: shorter values ("1", "yes") would
// blank out ordinary text without protecting anything.
const redactMinLen = 4

// redacted replaces every secret value in logs and error messages.
const redacted = "[REDACTED]"

// redactor replaces every secret value of a generation. It is immutable; nil redacts nothing.
type redactor struct {
	r *strings.Replacer
	// byFirst lists the values by their first byte: most strings contain none of them, and
	// finding that out is much cheaper than strings.Replacer.Replace, which always copies.
	byFirst [256][]string
}

// encodings are the forms of a secret value code may write it in: as it is, JSON-escaped (inside a
// JSON.stringify), URL-encoded as encodeURIComponent and URLSearchParams do (and Go's escapers),
// and base64 (btoa, Buffer), also inside a longer encoded string such as a Basic credential.
func encodings(v string) []string {
	out := []string{v}
	if j, err := json.Marshal(v); err == nil {
		out = append(out, string(j[1:len(j)-1]))
	}
	out = append(out, jsEscape(v, "-_.!~*'()", "%20"), jsEscape(v, "*-._", "+"),
		url.QueryEscape(v), url.PathEscape(v))
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for offset := range 3 {
			if m := base64Inner(enc, v, offset); len(m) >= redactMinLen {
				out = append(out, m)
			}
		}
	}
	return out
}

// jsEscape percent-encodes v's UTF-8 bytes but ASCII letters, digits and keep, with space as
// space: encodeURIComponent is jsEscape(v, "-_.!~*'()", "%20"), URLSearchParams
// jsEscape(v, "*-._", "+").
func jsEscape(v, keep, space string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte(keep, c) >= 0:
			b.WriteByte(c)
		case c == ' ':
			b.WriteString(space)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// base64Inner is the part of the base64 encoding of v, when v starts offset bytes into a 3-byte
// group, that depends on v alone: whatever surrounds v in the encoded data, those characters
// appear.
func base64Inner(enc *base64.Encoding, v string, offset int) string {
	full := enc.EncodeToString(append(make([]byte, offset), v...))
	first := (8*offset + 5) / 6       // the first character whose bits are all v's
	last := 8 * (offset + len(v)) / 6 // the characters before it hold only v's bits
	if first >= last || last > len(full) {
		return ""
	}
	return full[first:last]
}

// newRedactor returns a redactor for the given secret values (and their encodings), or nil when
// none is long enough.
func newRedactor(values []string) *redactor {
	var vs []string
	for _, v := range values {
		if len(v) >= redactMinLen {
			vs = append(vs, encodings(v)...)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	// The longest value first, so a secret containing another is replaced whole.
	slices.SortFunc(vs, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	vs = slices.Compact(vs)
	pairs := make([]string, 0, 2*len(vs))
	for _, v := range vs {
		pairs = append(pairs, v, redacted)
	}
	rd := &redactor{r: strings.NewReplacer(pairs...)}
	for _, v := range vs {
		rd.byFirst[v[0]] = append(rd.byFirst[v[0]], v)
	}
	return rd
}

// redact returns s with every secret value replaced; s itself when it contains none.
func (r *redactor) redact(s string) string {
	if r == nil || !r.contains(s) {
		return s
	}
	return r.r.Replace(s)
}

// contains tells whether a secret value occurs in s.
func (r *redactor) contains(s string) bool {
	for i := 0; i+redactMinLen <= len(s); i++ {
		for _, v := range r.byFirst[s[i]] {
			if strings.HasPrefix(s[i:], v) {
				return true
			}
		}
	}
	return false
}

// Redact returns s with the generation's secret values (and their encodings) replaced, as the
// Result's logs and errors are: the execution history applies it to the whole record. It is safe
// for concurrent use, after Close too.
func (g *Generation) Redact(s string) string { return g.redact.redact(s) }
