package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// A Result is encoded by hand: encoding/json spends most of its time on reflection over the
// Result's types, on sorting map keys through reflect values and on re-validating every
// json.RawMessage, and the HTTP API encodes one Result per request. The bytes are those
// encoding/json writes for the same Result with HTML escaping off (the API's setting), except
// that a nil claim or metadata map is written as {} (Results make them on first write). Values of
// types other than the ones actions produce go through encoding/json.

// MarshalJSON implements json.Marshaler with AppendJSON (encoding/json then applies its own
// HTML escaping, as before).
func (r *Result) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(make([]byte, 0, 1024))
}

// AppendJSON appends r's JSON document, as encoding/json writes it with HTML escaping off, to b.
// It fails only on values JSON cannot represent (NaN, an invalid json.RawMessage, …).
func (r *Result) AppendJSON(b []byte) ([]byte, error) {
	e := resultEncoder{b: b}
	e.result(r)
	return e.b, e.err
}

type resultEncoder struct {
	b   []byte
	err error
}

func (e *resultEncoder) result(r *Result) {
	e.b = append(e.b, `{"execution_id":`...)
	e.str(r.ExecutionID)
	e.b = append(e.b, `,"trigger":`...)
	e.str(r.Trigger)
	e.b = append(e.b, `,"commit":`...)
	e.str(r.Commit)
	e.b = append(e.b, `,"generation":`...)
	e.b = strconv.AppendInt(e.b, r.Generation, 10)
	if r.Revision != "" {
		e.b = append(e.b, `,"revision":`...)
		e.str(r.Revision)
	}
	e.b = append(e.b, `,"outcome":`...)
	e.str(r.Outcome)
	e.b = append(e.b, `,"actions":`...)
	if r.Actions == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, '[')
		for i := range r.Actions {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.action(&r.Actions[i])
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, `,"commands":`...)
	if r.Commands == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, '[')
		for i := range r.Commands {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			c := &r.Commands[i]
			e.b = append(e.b, `{"action":`...)
			e.str(c.Action)
			e.b = append(e.b, `,"op":`...)
			e.str(c.Op)
			e.b = append(e.b, `,"args":`...)
			e.slice(c.Args)
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, `,"result":`...)
	e.effects(&r.Effects)
	if len(r.Outbound) > 0 {
		e.b = append(e.b, `,"outbound":[`...)
		for i := range r.Outbound {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.exchange(&r.Outbound[i])
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, '}')
}

// exchange writes one recorded HTTP exchange, as encoding/json does (bodies in base64).
func (e *resultEncoder) exchange(x *Exchange) {
	e.b = append(e.b, `{"action":`...)
	e.str(x.Action)
	e.b = append(e.b, `,"method":`...)
	e.str(x.Method)
	e.b = append(e.b, `,"url":`...)
	e.str(x.URL)
	e.headers(`,"request_headers":`, x.RequestHeaders)
	e.bytes(`,"request_body":`, x.RequestBody)
	if x.RequestBodyTruncated {
		e.b = append(e.b, `,"request_body_truncated":true`...)
	}
	if x.Status != 0 {
		e.b = append(e.b, `,"status":`...)
		e.b = strconv.AppendInt(e.b, int64(x.Status), 10)
	}
	e.headers(`,"response_headers":`, x.ResponseHeaders)
	e.bytes(`,"response_body":`, x.ResponseBody)
	if x.ResponseBodyTruncated {
		e.b = append(e.b, `,"response_body_truncated":true`...)
	}
	e.optStr(`,"error":`, x.Error)
	e.b = append(e.b, '}')
}

// headers writes key and h, its names sorted, unless h is empty (omitempty).
func (e *resultEncoder) headers(key string, h map[string][]string) {
	if len(h) == 0 {
		return
	}
	e.b = append(e.b, key...)
	e.b = append(e.b, '{')
	for i, k := range slices.Sorted(maps.Keys(h)) {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(k)
		e.b = append(e.b, ':')
		e.strs(h[k])
	}
	e.b = append(e.b, '}')
}

// bytes writes key and b in base64 unless b is empty (omitempty).
func (e *resultEncoder) bytes(key string, b []byte) {
	if len(b) == 0 {
		return
	}
	e.b = append(e.b, key...)
	e.b = append(e.b, '"')
	e.b = base64.StdEncoding.AppendEncode(e.b, b)
	e.b = append(e.b, '"')
}

func (e *resultEncoder) action(a *ActionResult) {
	e.b = append(e.b, `{"name":`...)
	e.str(a.Name)
	e.b = append(e.b, `,"version":`...)
	e.str(a.Version)
	e.b = append(e.b, `,"duration_ms":`...)
	e.float(a.DurationMS)
	e.b = append(e.b, `,"logs":`...)
	e.strs(a.Logs)
	e.b = append(e.b, `,"error":`...)
	if a.Error == nil {
		e.b = append(e.b, "null"...)
	} else {
		er := a.Error
		e.b = append(e.b, `{"message":`...)
		e.str(er.Message)
		if er.File != "" {
			e.b = append(e.b, `,"file":`...)
			e.str(er.File)
		}
		if er.Line != 0 {
			e.b = append(e.b, `,"line":`...)
			e.b = strconv.AppendInt(e.b, int64(er.Line), 10)
		}
		if er.Col != 0 {
			e.b = append(e.b, `,"col":`...)
			e.b = strconv.AppendInt(e.b, int64(er.Col), 10)
		}
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, '}')
}

func (e *resultEncoder) effects(f *Effects) {
	e.b = append(e.b, `{"id_token_claims":`...)
	e.objectMap(f.IDTokenClaims)
	e.b = append(e.b, `,"access_token_claims":`...)
	e.objectMap(f.AccessTokenClaims)
	e.b = append(e.b, `,"app_metadata":`...)
	e.objectMap(f.AppMetadata)
	e.b = append(e.b, `,"user_metadata":`...)
	e.objectMap(f.UserMetadata)

	a := &f.Access
	e.b = append(e.b, `,"access":{"denied":`...)
	e.b = strconv.AppendBool(e.b, a.Denied)
	e.optStr(`,"reason":`, a.Reason)
	e.optStr(`,"code":`, a.Code)
	e.optStr(`,"action":`, a.Action)
	e.optStr(`,"user_message":`, a.UserMessage)
	e.b = append(e.b, '}')

	e.b = append(e.b, `,"redirect":`...)
	if rd := f.Redirect; rd == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, '{')
		if rd.URL != "" {
			e.b = append(e.b, `"url":`...)
			e.str(rd.URL)
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, `"state":`...)
		e.str(rd.State)
		e.optStr(`,"form_id":`, rd.FormID)
		if len(rd.Form) > 0 {
			e.b = append(e.b, `,"form":`...)
			e.raw(rd.Form)
		}
		e.b = append(e.b, '}')
	}

	e.b = append(e.b, `,"multifactor":`...)
	if mf := f.Multifactor; mf == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, `{"provider":`...)
		e.str(mf.Provider)
		if len(mf.Options) > 0 {
			e.b = append(e.b, `,"options":`...)
			e.objectMap(mf.Options)
		}
		e.b = append(e.b, '}')
	}

	if len(f.ScopesAdded) > 0 {
		e.b = append(e.b, `,"access_token_scopes_added":`...)
		e.strs(f.ScopesAdded)
	}
	if len(f.ScopesRemoved) > 0 {
		e.b = append(e.b, `,"access_token_scopes_removed":`...)
		e.strs(f.ScopesRemoved)
	}
	if f.TargetScopes != nil {
		e.b = append(e.b, `,"transaction_target_scopes":`...)
		e.strs(*f.TargetScopes)
	}
	if v := f.Validation; v != nil {
		e.b = append(e.b, `,"validation":{"code":`...)
		e.str(v.Code)
		e.b = append(e.b, `,"message":`...)
		e.str(v.Message)
		e.b = append(e.b, `,"action":`...)
		e.str(v.Action)
		e.b = append(e.b, '}')
	}
	if n := f.Notification; n != nil {
		e.b = append(e.b, `,"notification":{"op":`...)
		e.str(n.Op)
		e.optStr(`,"reason":`, n.Reason)
		e.b = append(e.b, `,"action":`...)
		e.str(n.Action)
		e.b = append(e.b, '}')
	}
	e.optStr(`,"result_url":`, f.ResultURL)
	e.b = append(e.b, '}')
}

// optStr writes key and s unless s is empty (omitempty).
func (e *resultEncoder) optStr(key, s string) {
	if s != "" {
		e.b = append(e.b, key...)
		e.str(s)
	}
}

func (e *resultEncoder) str(s string) { e.b = appendJSONStr(e.b, s) }

func (e *resultEncoder) strs(ss []string) {
	if ss == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, '[')
	for i, s := range ss {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(s)
	}
	e.b = append(e.b, ']')
}

func (e *resultEncoder) slice(vs []any) {
	if vs == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, '[')
	for i, v := range vs {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.value(v)
	}
	e.b = append(e.b, ']')
}

// objectMap writes m with its keys sorted, as encoding/json does; nil is written as {}.
func (e *resultEncoder) objectMap(m map[string]any) {
	if len(m) == 0 {
		e.b = append(e.b, "{}"...)
		return
	}
	var buf [8]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.b = append(e.b, '{')
	for i, k := range keys {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(k)
		e.b = append(e.b, ':')
		e.value(m[k])
	}
	e.b = append(e.b, '}')
}

func (e *resultEncoder) value(v any) {
	switch v := v.(type) {
	case nil:
		e.b = append(e.b, "null"...)
	case json.RawMessage:
		if v == nil {
			e.b = append(e.b, "null"...)
			return
		}
		e.raw(v)
	case string:
		e.str(v)
	case bool:
		e.b = strconv.AppendBool(e.b, v)
	case float64:
		e.float(v)
	case int:
		e.b = strconv.AppendInt(e.b, int64(v), 10)
	case int64:
		e.b = strconv.AppendInt(e.b, v, 10)
	case []string:
		e.strs(v)
	case []any:
		e.slice(v)
	case map[string]any:
		if v == nil {
			e.b = append(e.b, "null"...)
			return
		}
		e.objectMap(v)
	default:
		e.other(v)
	}
}

// raw writes a json.RawMessage as encoding/json does: compacted, and an error if it is not JSON.
// The runner's own are compact already (JSON.stringify and appendPlainJSON make them), so only
// those holding whitespace or escapes pay for the check.
func (e *resultEncoder) raw(m json.RawMessage) {
	if compactJSON(m) {
		e.b = append(e.b, m...)
		return
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, m); err != nil {
		e.fail(fmt.Errorf("json: error calling MarshalJSON for type json.RawMessage: %w", err))
		return
	}
	e.b = append(e.b, buf.Bytes()...)
}

// compactJSON tells whether m is surely valid, compact JSON that encoding/json would copy as it
// is: a literal, a number, a string of printable ASCII without escapes, or an array of those
// (what claims usually are). Anything else goes through json.Compact.
func compactJSON(m []byte) bool {
	return len(m) <= 4096 && simpleJSONValue(m, 0, 0) == len(m)
}

// simpleJSONValue returns the end of the simple JSON value (see compactJSON) at m[i:], or -1.
func simpleJSONValue(m []byte, i, depth int) int {
	if i >= len(m) {
		return -1
	}
	switch c := m[i]; {
	case c == '"':
		for i++; i < len(m); i++ {
			switch c := m[i]; {
			case c == '"':
				return i + 1
			case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
				return -1
			}
		}
		return -1
	case c == '[':
		if depth >= 32 {
			return -1
		}
		i++
		if i < len(m) && m[i] == ']' {
			return i + 1
		}
		for {
			if i = simpleJSONValue(m, i, depth+1); i < 0 || i >= len(m) {
				return -1
			}
			switch m[i] {
			case ',':
				i++
			case ']':
				return i + 1
			default:
				return -1
			}
		}
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range [...]string{"true", "false", "null"} {
			if j := literal(m, i, lit); j >= 0 {
				return j
			}
		}
		return -1
	case c == '-' || c >= '0' && c <= '9':
		return skipNumberBytes(m, i)
	}
	return -1
}

func (e *resultEncoder) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		e.fail(&json.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, 64)})
		return
	}
	// As encoding/json: ES6 number formatting, exponents unpadded.
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' {
		n := len(e.b)
		if n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
}

// other encodes a value of a type actions do not produce, with encoding/json.
func (e *resultEncoder) other(v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		e.fail(err)
		return
	}
	e.b = append(e.b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// plainJSONByte tells the bytes a JSON string holds as they are: printable ASCII but '"' and '\\'.
var plainJSONByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (e *resultEncoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// appendJSONStr quotes s as encoding/json does with HTML escaping off: control characters, '"'
// and '\\' escaped, invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped.
func appendJSONStr(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && plainJSONByte[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
