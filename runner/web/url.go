package web

import (
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
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

// parsedURL is a URL as the WHATWG parser leaves it: the values of the URL API's getters.
type parsedURL struct {
	href, protocol, username, password, hostname, port, pathname, search, hash string
	ipv4                                                                       bool // the host is an IPv4 address
}

// scheme is the protocol without its ":".
func (u *parsedURL) scheme() string { return strings.TrimSuffix(u.protocol, ":") }

// host is the hostname with the port, if any.
func (u *parsedURL) host() string {
	if u.port == "" {
		return u.hostname
	}
	return u.hostname + ":" + u.port
}

func fromWHATWG(w *wurl.Url) *parsedURL {
	return &parsedURL{href: w.Href(false), protocol: w.Protocol(), username: w.Username(), password: w.Password(),
		hostname: w.Hostname(), port: w.Port(), pathname: w.Pathname(), search: w.Search(), hash: w.Hash(), ipv4: w.IsIPv4()}
}

// parseURL parses input against base (nil for none) as new URL(input, base) does. It never
// panics, whatever the input. Plain absolute http and https URLs, and plain paths against one,
// take a short way (parseSimpleURL, resolveSimple), which gives what the parser would.
func parseURL(input string, base *string) (*parsedURL, error) {
	if base == nil {
		if u, ok := parseSimpleURL(input); ok {
			return u, nil
		}
	} else if b, ok := parseSimpleURL(*base); ok {
		if u, ok := parseSimpleURL(input); ok {
			return u, nil
		}
		if u, ok := resolveSimple(input, b); ok {
			return u, nil
		}
	}
	w, err := parseWHATWG(input, base)
	if err != nil {
		return nil, err
	}
	return fromWHATWG(w), nil
}

// parseWHATWG is parseURL by the parser itself.
func parseWHATWG(input string, base *string) (u *wurl.Url, err error) {
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

// parseSimpleURL parses the URLs that most code writes, http or https, in lower case, with a host
// name of ASCII letters, digits and hyphens, perhaps a port, and a path, query and fragment that
// WHATWG parsing leaves as they are (no dot segment, nothing to percent-encode), in a few hundred
// nanoseconds rather than the parser's microseconds. It reports false for any other input, which
// then goes to the parser. FuzzURLSimple holds it to giving what the parser gives.
func parseSimpleURL(s string) (*parsedURL, bool) {
	var scheme, defaultPort string
	switch {
	case strings.HasPrefix(s, "https://"):
		scheme, defaultPort = "https", "443"
	case strings.HasPrefix(s, "http://"):
		scheme, defaultPort = "http", "80"
	default:
		return nil, false
	}
	rest := s[len(scheme)+3:]
	portDropped, pathAdded := false, false
	// Host: labels of [a-z0-9-], none empty, none an IDNA one, the last not a number (which would
	// make the host IPv4), nor beginning with "-".
	i := 0
	label := 0
	for ; i < len(rest); i++ {
		c := rest[i]
		if c == '.' {
			if i == label {
				return nil, false
			}
			label = i + 1
			continue
		}
		if c == ':' || c == '/' || c == '?' || c == '#' {
			break
		}
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return nil, false
		}
		if i == label+3 && strings.HasPrefix(rest[label:], "xn--") {
			return nil, false
		}
	}
	host := rest[:i]
	// (A last label "-0" is a name to WHATWG and Node; the parser's IPv4 check takes it for a
	// signed number: leave those to the parser, so that both ways agree.)
	if host == "" || label == i || rest[label] >= '0' && rest[label] <= '9' || rest[label] == '-' {
		return nil, false
	}
	rest = rest[i:]
	port := ""
	if strings.HasPrefix(rest, ":") {
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 1 || j > 6 || rest[1] == '0' || j < len(rest) && rest[j] != '/' && rest[j] != '?' && rest[j] != '#' {
			return nil, false
		}
		port = rest[1:j]
		if n, _ := strconv.Atoi(port); n > 65535 {
			return nil, false
		}
		if port == defaultPort {
			port, portDropped = "", true
		}
		rest = rest[j:]
	}
	// Path: printable ASCII that the path percent-encode set leaves alone, no dot segment.
	j := 0
	seg := 0
	for ; j < len(rest); j++ {
		c := rest[j]
		if c == '?' || c == '#' {
			break
		}
		if c == '/' {
			if j > 0 && isDotSegment(rest[seg:j]) {
				return nil, false
			}
			seg = j + 1
			continue
		}
		if c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '`' || c == '{' || c == '}' || c == '\\' {
			return nil, false
		}
	}
	path := rest[:j]
	if j > 0 && isDotSegment(rest[seg:j]) {
		return nil, false
	}
	if path == "" {
		path, pathAdded = "/", true
	}
	rest = rest[j:]
	query, hasQuery := "", false
	queryAt := len(s) - len(rest) // where "?" is, if there is one
	if strings.HasPrefix(rest, "?") {
		k := 1
		for ; k < len(rest) && rest[k] != '#'; k++ {
			if c := rest[k]; c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\'' {
				return nil, false
			}
		}
		query, hasQuery = rest[1:k], true
		rest = rest[k:]
	}
	fragment, hasFragment := "", false
	if strings.HasPrefix(rest, "#") {
		for k := 1; k < len(rest); k++ {
			if c := rest[k]; c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '`' {
				return nil, false
			}
		}
		fragment, hasFragment = rest[1:], true
	}
	// The components are slices of s; so is the href when s is already serialized (no default
	// port dropped, no "/" added), as it mostly is.
	u := &parsedURL{protocol: s[:len(scheme)+1], hostname: host, port: port, pathname: path}
	if hasQuery && query != "" {
		u.search = s[queryAt : queryAt+1+len(query)]
	}
	if hasFragment && fragment != "" {
		u.hash = s[len(s)-len(fragment)-1:]
	}
	if !portDropped && !pathAdded {
		u.href = s
		return u, true
	}
	href := scheme + "://" + u.host() + path
	if hasQuery {
		href += "?" + query
	}
	if hasFragment {
		href += "#" + fragment
	}
	u.href = href
	return u, true
}

// resolveSimple resolves input, a path with perhaps a query and a fragment, against base, a URL
// parseSimpleURL made, if both are plain enough: input of printable ASCII with no backslash, no
// scheme, not beginning with "//", "?" or "#", and no "%2e" (a dot segment in disguise). Dot
// segments are resolved as the standard's path state does; parseSimpleURL checks the result.
func resolveSimple(input string, base *parsedURL) (*parsedURL, bool) {
	if input == "" || input[0] == '?' || input[0] == '#' || strings.HasPrefix(input, "//") {
		return nil, false
	}
	end := len(input)
	for i := 0; i < len(input); i++ {
		c := input[i]
		if c <= ' ' || c >= 0x7f || c == '\\' {
			return nil, false
		}
		if (c == '?' || c == '#') && end == len(input) {
			end = i
		}
		if c == ':' && end == len(input) && !strings.Contains(input[:i], "/") {
			return nil, false // perhaps a scheme
		}
		if c == '%' && i+2 < len(input) && input[i+1] == '2' && (input[i+2] == 'e' || input[i+2] == 'E') {
			return nil, false
		}
	}
	path, rest := input[:end], input[end:]
	var segs []string
	if path[0] != '/' {
		segs = strings.Split(base.pathname[1:], "/")
		segs = segs[:len(segs)-1] // the base's last segment is replaced
	} else {
		path = path[1:]
	}
	in := strings.Split(path, "/")
	for i, seg := range in {
		last := i == len(in)-1
		switch seg {
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
			if last {
				segs = append(segs, "")
			}
		case ".":
			if last {
				segs = append(segs, "")
			}
		default:
			segs = append(segs, seg)
		}
	}
	return parseSimpleURL(base.protocol + "//" + base.host() + "/" + strings.Join(segs, "/") + rest)
}

// setSimpleSearch is the search setter on u, a URL parseSimpleURL made, for a value that needs
// no percent-encoding (what URLSearchParams serializes): the URL with the query replaced, if
// parseSimpleURL takes it.
func setSimpleSearch(u *parsedURL, value string) (*parsedURL, bool) {
	if strings.Contains(value, "#") { // part of the query here, and so percent-encoded
		return nil, false
	}
	h := u.protocol + "//" + u.host() + u.pathname
	if value != "" { // "" makes the query null; "?" makes it empty
		h += "?" + strings.TrimPrefix(value, "?")
	}
	if i := strings.IndexByte(u.href, '#'); i >= 0 { // a simple URL's first "#" begins its fragment
		h += u.href[i:]
	}
	return parseSimpleURL(h)
}

// formParse is the application/x-www-form-urlencoded parser of the URL standard: name, value,
// name, value, ...
func formParse(q string) []string {
	var list []string
	for _, p := range strings.Split(q, "&") {
		if p == "" {
			continue
		}
		name, value, _ := strings.Cut(p, "=")
		list = append(list, formDecode(name), formDecode(value))
	}
	return list
}

func formDecode(s string) string {
	if strings.IndexByte(s, '+') >= 0 {
		s = strings.ReplaceAll(s, "+", " ")
	}
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	return percentDecode(s)
}

// formSerialize is the application/x-www-form-urlencoded serializer of the URL standard for a
// list of name, value, name, value, ...
func formSerialize(list []string) string {
	var b strings.Builder
	const hex = "0123456789ABCDEF"
	for i, s := range list {
		if i > 0 {
			if i%2 == 1 {
				b.WriteByte('=')
			} else {
				b.WriteByte('&')
			}
		}
		for j := 0; j < len(s); j++ {
			switch c := s[j]; {
			case c == ' ':
				b.WriteByte('+')
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '*', c == '-', c == '.', c == '_':
				b.WriteByte(c)
			default:
				b.WriteByte('%')
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			}
		}
	}
	return b.String()
}

// isDotSegment reports whether a path segment is "." or "..", in any of their spellings.
func isDotSegment(seg string) bool {
	switch strings.ToLower(seg) {
	case ".", "..", "%2e", ".%2e", "%2e.", "%2e%2e":
		return true
	}
	return false
}

// newURLModule runs url.js and returns its {URL, URLSearchParams}.
func (w *Globals) newURLModule() *goja.Object {
	rt := w.rt
	w.urlStrings = [3]goja.Value{rt.ToValue(""), rt.ToValue("https:"), rt.ToValue("http:")}
	n := rt.NewObject()
	n.Set("parse", w.urlParse)
	n.Set("set", w.urlSet)
	n.Set("canParse", w.urlCanParse)
	n.Set("origin", func(call goja.FunctionCall) goja.Value { return rt.ToValue(blobOrigin(call.Argument(0).String())) })
	n.Set("usv", func(call goja.FunctionCall) goja.Value {
		// Go's view of a JavaScript string has U+FFFD for its lone surrogates: an ASCII one has none.
		val := call.Argument(0)
		s := val.String()
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				return rt.ToValue(s)
			}
		}
		return val
	})
	n.Set("formParse", func(call goja.FunctionCall) goja.Value {
		list := formParse(call.Argument(0).String())
		vals := make([]any, len(list))
		for i, s := range list {
			vals[i] = s
		}
		return rt.NewArray(vals...)
	})
	n.Set("formSerialize", func(call goja.FunctionCall) goja.Value {
		var list []string
		if err := rt.ExportTo(call.Argument(0), &list); err != nil {
			panic(rt.NewTypeError("URLSearchParams: %v", err))
		}
		return rt.ToValue(formSerialize(list))
	})
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
func (w *Globals) urlParse(call goja.FunctionCall) goja.Value {
	input := call.Argument(0).String()
	base := optionalString(call.Argument(1))
	u, err := parseURL(input, base)
	if err != nil {
		e := w.rt.NewTypeError("Invalid URL")
		e.Set("code", "ERR_INVALID_URL")
		e.Set("input", input)
		if base != nil {
			e.Set("base", *base)
		}
		panic(e)
	}
	return w.urlComponents(u)
}

func (w *Globals) urlCanParse(call goja.FunctionCall) goja.Value {
	_, err := parseURL(call.Argument(0).String(), optionalString(call.Argument(1)))
	return w.rt.ToValue(err == nil)
}

// urlSet(href, name, value) applies the setter name of the URL standard to the URL href (one
// that urlParse returned) and returns the new components. As the standard says, a value the
// setter cannot use leaves the URL as it was.
func (w *Globals) urlSet(call goja.FunctionCall) goja.Value {
	href, name, value := call.Argument(0).String(), call.Argument(1).String(), call.Argument(2).String()
	if name == "search" {
		if u, ok := parseSimpleURL(href); ok {
			if u, ok = setSimpleSearch(u, value); ok {
				return w.urlComponents(u)
			}
		}
	}
	u, err := parseWHATWG(href, nil)
	if err != nil {
		panic(w.rt.NewTypeError("Invalid URL")) // not from url.js, which only hands back hrefs
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				u, _ = parseWHATWG(href, nil)
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
	return w.urlComponents(fromWHATWG(u))
}

func (w *Globals) urlComponents(u *parsedURL) goja.Value {
	str := func(s string) goja.Value {
		switch s {
		case "":
			return w.urlStrings[0]
		case "https:":
			return w.urlStrings[1]
		case "http:":
			return w.urlStrings[2]
		}
		return w.rt.ToValue(s)
	}
	return w.rt.NewArray(str(u.href), str(u.protocol), str(u.username), str(u.password), str(u.hostname), str(u.port),
		str(u.pathname), str(u.search), str(u.hash))
}

// blobOrigin is the origin of a blob: URL whose path is path.
func blobOrigin(path string) string {
	u, err := parseURL(path, nil)
	if err != nil {
		return "null"
	}
	switch u.protocol {
	case "http:", "https:":
		return u.protocol + "//" + u.host()
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
	return DecodeUTF8(b)
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

// DecodeUTF8 is the Encoding standard's UTF-8 decoder with replacement (and so Node's): each
// maximal subpart of an ill-formed sequence becomes one U+FFFD. URL, TextDecoder and Buffer use it.
func DecodeUTF8(b []byte) string {
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
func requestURL(u *parsedURL) (*url.URL, error) {
	switch u.protocol {
	case "http:", "https:":
	default:
		return nil, fmt.Errorf("scheme %q is not supported (http and https only)", u.scheme())
	}
	r := &url.URL{Scheme: u.scheme(), Host: u.host()}
	if u.username != "" || u.password != "" {
		if u.password != "" {
			r.User = url.UserPassword(percentDecode(u.username), percentDecode(u.password))
		} else {
			r.User = url.User(percentDecode(u.username))
		}
	}
	// As Node sends it: the path and the query, without a lone "?" (URL.search is "" then).
	if err := setRequestTarget(r, u.pathname+u.search); err != nil {
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
	} else if u, err := parseURL("http://"+hostname+"/", nil); !invalid && err == nil && u.ipv4 {
		dial = u.hostname
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
