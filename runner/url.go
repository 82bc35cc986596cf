package runner

import (
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/dop251/goja"
	wurl "github.com/nlnwa/whatwg-url/url"
)

// URLs are parsed once, one way: by the WHATWG URL standard's parser (github.com/nlnwa/whatwg-url,
// which passes the web-platform-tests URL suite, as Node's does). The URL and URLSearchParams
// globals (url.js) are built on it, and so is every request user code makes: fetch and node:http
// hand the daemon a string, the daemon parses it again with the same parser, and builds the Go
// request so that net/http sends the path and query as parsed, byte for byte (requestURL). What an
// action sees as new URL(x).href is what leaves the daemon, and what the egress check judges.

//go:embed url.js
var urlSource string

const urlName = "<actionsd url>"

var urlProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile(urlName, urlSource, true)
})

var whatwg = wurl.NewParser()

// errInvalidURL is any input the WHATWG parser refuses (Node's message: "Invalid URL").
var errInvalidURL = errors.New("Invalid URL")

// parseURL parses input against base (nil for none) as new URL(input, base) does. It never
// panics, whatever the input.
func parseURL(input string, base *string) (u *wurl.Url, err error) {
	defer func() {
		if r := recover(); r != nil {
			u, err = nil, errInvalidURL
		}
	}()
	var b *wurl.Url
	if base != nil {
		if b, err = whatwg.Parse(*base); err != nil {
			return nil, errInvalidURL
		}
	}
	if u, err = whatwg.BasicParser(input, b, nil, wurl.NoState); err != nil {
		return nil, errInvalidURL
	}
	return u, nil
}

// newURLModule runs url.js and returns its {URL, URLSearchParams}.
func (v *vm) newURLModule() *goja.Object {
	rt := v.rt
	n := rt.NewObject()
	n.Set("parse", v.urlParse)
	n.Set("set", v.urlSet)
	n.Set("canParse", v.urlCanParse)
	n.Set("origin", func(call goja.FunctionCall) goja.Value { return rt.ToValue(blobOrigin(call.Argument(0).String())) })
	n.Set("usv", func(call goja.FunctionCall) goja.Value { return rt.ToValue(call.Argument(0).String()) })
	n.Set("percentDecode", func(call goja.FunctionCall) goja.Value { return rt.ToValue(percentDecode(call.Argument(0).String())) })
	fnv, err := rt.RunProgram(urlProgram())
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	m, err := fn(goja.Undefined(), n)
	if err != nil {
		panic(err)
	}
	return m.(*goja.Object)
}

// optionalString is a JavaScript argument as a string, or nil when it is undefined.
func optionalString(val goja.Value) *string {
	if val == nil || goja.IsUndefined(val) {
		return nil
	}
	s := val.String()
	return &s
}

// urlParse(input, base?) returns the components url.js keeps, or throws Node's
// TypeError [ERR_INVALID_URL].
func (v *vm) urlParse(call goja.FunctionCall) goja.Value {
	input := call.Argument(0).String()
	base := optionalString(call.Argument(1))
	u, err := parseURL(input, base)
	if err != nil {
		e := v.rt.NewTypeError("Invalid URL")
		e.Set("code", "ERR_INVALID_URL")
		e.Set("input", input)
		if base != nil {
			e.Set("base", *base)
		}
		panic(e)
	}
	return v.urlComponents(u)
}

func (v *vm) urlCanParse(call goja.FunctionCall) goja.Value {
	_, err := parseURL(call.Argument(0).String(), optionalString(call.Argument(1)))
	return v.rt.ToValue(err == nil)
}

// urlSet(href, name, value) applies the setter name of the URL standard to the URL href (one
// that urlParse returned) and returns the new components. As the standard says, a value the
// setter cannot use leaves the URL as it was.
func (v *vm) urlSet(call goja.FunctionCall) goja.Value {
	href, name, value := call.Argument(0).String(), call.Argument(1).String(), call.Argument(2).String()
	u, err := parseURL(href, nil)
	if err != nil {
		panic(v.rt.NewTypeError("Invalid URL")) // not from url.js, which only hands back hrefs
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				u, _ = parseURL(href, nil)
			}
		}()
		switch name {
		case "protocol":
			u.SetProtocol(value)
		case "username":
			u.SetUsername(value)
		case "password":
			u.SetPassword(value)
		case "host":
			u.SetHost(value)
		case "hostname":
			u.SetHostname(value)
		case "port":
			u.SetPort(value)
		case "pathname":
			u.SetPathname(value)
		case "search":
			u.SetSearch(value)
		case "hash":
			u.SetHash(value)
		}
	}()
	return v.urlComponents(u)
}

func (v *vm) urlComponents(u *wurl.Url) goja.Value {
	return v.rt.NewArray(u.Href(false), u.Protocol(), u.Username(), u.Password(), u.Hostname(), u.Port(),
		u.Pathname(), u.Search(), u.Hash())
}

// blobOrigin is the origin of a blob: URL whose path is path.
func blobOrigin(path string) string {
	u, err := parseURL(path, nil)
	if err != nil {
		return "null"
	}
	switch u.Scheme() {
	case "http", "https":
		return u.Protocol() + "//" + u.Host()
	}
	return "null"
}

// percentDecode is the URL standard's percent-decode of s's UTF-8 bytes followed by UTF-8 decode
// without BOM: a "%" not followed by two hex digits stays, and bytes that are not UTF-8 become
// U+FFFD as the Encoding standard's decoder makes them (one per maximal subpart).
func percentDecode(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return decodeUTF8(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// decodeUTF8 is the Encoding standard's UTF-8 decoder with replacement: each maximal subpart of an
// ill-formed sequence becomes one U+FFFD.
func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || n > 1 {
			sb.WriteRune(r)
			i += n
			continue
		}
		// Invalid at b[i]: skip the longest prefix that could still have begun a valid sequence.
		sb.WriteRune(utf8.RuneError)
		i += maximalSubpart(b[i:])
	}
	return sb.String()
}

// maximalSubpart is the length of the ill-formed sequence at the start of b that one U+FFFD
// replaces: a lead byte and the continuation bytes that were in range for it (at least 1).
func maximalSubpart(b []byte) int {
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c >= 0xE1 && c <= 0xEC, c == 0xEE, c == 0xEF:
		need = 2
	case c == 0xED:
		need, hi = 2, 0x9F
	case c == 0xF0:
		need, lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	case c == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	n := 1
	for ; n <= need && n < len(b); n++ {
		if b[n] < lo || b[n] > hi {
			break
		}
		lo, hi = 0x80, 0xBF
	}
	return n
}

// requestURL returns the URL net/http is to be given for u (scheme http or https), built so that
// the request line carries u's path and query exactly as serialized (Go would otherwise re-encode
// or clean them), with u's credentials as url.User (which net/http sends as basic auth). Its
// host is u's serialized host (an IPv6 one in brackets); its port is u's, "" for the default.
func requestURL(u *wurl.Url) (*url.URL, error) {
	switch u.Scheme() {
	case "http", "https":
	default:
		return nil, fmt.Errorf("scheme %q is not supported (http and https only)", u.Scheme())
	}
	r := &url.URL{Scheme: u.Scheme(), Host: u.Host()}
	if u.Username() != "" || u.Password() != "" {
		if u.Password() != "" {
			r.User = url.UserPassword(percentDecode(u.Username()), percentDecode(u.Password()))
		} else {
			r.User = url.User(percentDecode(u.Username()))
		}
	}
	// As Node sends it: the path and the query, without a lone "?" (URL.search is "" then).
	if err := setRequestTarget(r, u.Pathname()+u.Search()); err != nil {
		return nil, err
	}
	return r, nil
}

// setRequestTarget makes r's request target (what RequestURI returns, and so the request line)
// exactly target. net/http sends Path escaped its own way unless RawPath is a valid encoding of
// it, and sends Opaque as it is unless it begins with "//" (then it is a network-path reference
// and Go prefixes the scheme). One of the two carries every target but one that begins with "//"
// and holds a character Go never leaves raw in a path ("^", "|", a "%" not followed by two hex
// digits, ...): that one is sent in absolute form (GET http://host//a|b), which HTTP/1.1 servers
// must accept and which carries the path unchanged (HTTP/2 sends the path alone).
func setRequestTarget(r *url.URL, target string) error {
	if target == "" || strings.ContainsAny(target, "\x00\r\n") {
		return fmt.Errorf("invalid request path %q", target)
	}
	path, query, hasQuery := strings.Cut(target, "?")
	if p, err := url.PathUnescape(path); err == nil {
		r.Path, r.RawPath, r.RawQuery, r.ForceQuery = p, path, query, hasQuery && query == ""
		if r.RequestURI() == target {
			return nil
		}
	}
	opaque := target
	if strings.HasPrefix(target, "//") {
		opaque = "//" + r.Host + target
	}
	*r = url.URL{Scheme: r.Scheme, Host: r.Host, User: r.User, Opaque: opaque}
	return nil
}

// hrefOf is the href of r, a URL that requestURL or httpRequestURL made, credentials included
// (redactedHref is the one for errors and Response.url).
func hrefOf(r *url.URL) string {
	return href(r, false)
}

// redactedHref is hrefOf with the password, if any, replaced by "xxxxx".
func redactedHref(r *url.URL) string {
	return href(r, true)
}

func href(r *url.URL, redact bool) string {
	uri := r.RequestURI()
	if !strings.HasPrefix(uri, "/") {
		return uri // absolute form (setRequestTarget)
	}
	var b strings.Builder
	b.WriteString(r.Scheme)
	b.WriteString("://")
	if r.User != nil {
		if redact {
			b.WriteString(r.User.Username())
			if _, ok := r.User.Password(); ok {
				b.WriteString(":xxxxx")
			}
		} else {
			b.WriteString(r.User.String())
		}
		b.WriteByte('@')
	}
	b.WriteString(r.Host)
	b.WriteString(uri)
	return b.String()
}

// httpRequestURL is requestURL for node:http's options: protocol ("http:" or "https:"), hostname
// (an IPv6 address without brackets, perhaps with a zone, which the dialer refuses), port (""
// for the protocol's default) and path, sent exactly as given, as Node does. A hostname in one of
// the IPv4 spellings that Node's resolver takes as an address (127.1, 0x7f.1, 2130706433) is
// dialled as that address, so that no DNS server is asked what it means and the egress check
// judges it as a literal.
func httpRequestURL(protocol, hostname, port, path string) (*url.URL, error) {
	scheme := strings.TrimSuffix(protocol, ":")
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("protocol %q is not supported (http: and https: only)", protocol)
	}
	invalid := hostname == "" || strings.ContainsAny(hostname, "/?#@[]\\ \t\r\n\x00")
	dial := hostname
	if !invalid && strings.Contains(hostname, ":") {
		_, err := netip.ParseAddr(hostname)
		invalid = err != nil
		dial = "[" + hostname + "]"
	} else if !invalid && strings.Contains(hostname, "%") {
		invalid = true // not an address with a zone, and no name has one
	} else if u, err := parseURL("http://"+hostname+"/", nil); !invalid && err == nil && u.IsIPv4() {
		dial = u.Hostname()
	}
	if invalid {
		return nil, fmt.Errorf("invalid host %q", hostname)
	}
	if port != "" {
		dial += ":" + port
	}
	r := &url.URL{Scheme: scheme, Host: dial}
	if err := setRequestTarget(r, path); err != nil {
		return nil, err
	}
	return r, nil
}
