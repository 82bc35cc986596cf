package runner

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
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
// JSON.stringify), URL-encoded (encodeURIComponent, URLSearchParams) and base64 (btoa, Buffer).
func encodings(v string) []string {
	out := []string{v}
	if j, err := json.Marshal(v); err == nil {
		out = append(out, string(j[1:len(j)-1]))
	}
	out = append(out, url.QueryEscape(v), url.PathEscape(v), strings.ReplaceAll(url.QueryEscape(v), "+", "%20"),
		base64.StdEncoding.EncodeToString([]byte(v)), base64.RawStdEncoding.EncodeToString([]byte(v)),
		base64.URLEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v)))
	return out
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
