package web

import "testing"

// FuzzURLSimple: parseSimpleURL, the short way for plain http and https URLs, gives what the
// WHATWG parser gives for every input it takes; and setSimpleSearch what the search setter gives.
func FuzzURLSimple(f *testing.F) {
	for _, s := range []string{
		"https://api.example.com/v2/users/1?fields=email,name&x=1", "http://h/a/b/?x=1", "http://h/p//double/./dot/../x/",
		"https://h:443/", "https://h:8443/x#y", "http://h:080/", "http://h:65536/", "http://h:/", "http://h", "http://h?",
		"http://h#", "http://h/?#", "http://a.b.c/%2e/x", "http://a.b/%2E%2e", "http://a..b/", "http://a.b./", "http://1.2.3.4/",
		"http://a.0x1/", "http://a.1/", "http://xn--n3h/", "http://a.xn--n3h/", "http://A.com/", "http://-a-.b_/",
		"http://h/a^b|c[]@!$&'()*+,;=:~%zz", "http://h/?a'b", "http://h/#a`b", "http://h/ a", "http://h/\x7f", "http://h/é",
		"HTTP://h/", "http://h\\x", "http://u@h/", "http://h/a/.", "http://h/a/..", "http://h//", "http://h/.a/..b/...",
	} {
		f.Add(s, "?a=b&c=d+e%20f")
	}
	f.Add("http://h/p?q#f", "")
	f.Add("http://h/p?q#f", "?")
	f.Add("http://h/p#f", "a#b")
	f.Add("http://h/p#f", "??a")
	f.Add("http://h/p", "a'b")
	f.Fuzz(func(t *testing.T, s, search string) {
		got, ok := parseSimpleURL(s)
		if !ok {
			return
		}
		w, err := parseWHATWG(s, nil)
		if err != nil {
			t.Fatalf("parseSimpleURL(%q) = %+v, but the parser fails: %v", s, *got, err)
		}
		if want := fromWHATWG(w); *got != *want {
			t.Fatalf("parseSimpleURL(%q)\n got %+v\nwant %+v", s, *got, *want)
		}
		set, ok := setSimpleSearch(got, search)
		if !ok {
			return
		}
		w.SetSearch(search)
		if want := fromWHATWG(w); *set != *want {
			t.Fatalf("setSimpleSearch(%q, %q)\n got %+v\nwant %+v", s, search, *set, *want)
		}
	})
}

// FuzzURLSimpleRelative: parseURL with a base gives what the WHATWG parser gives, the short way
// (resolveSimple) or not.
func FuzzURLSimpleRelative(f *testing.F) {
	for _, in := range []string{"../roles?id=1", "/oauth/token", "x", "./x/../y/.", "..", ".", "a/..", "../../../../x", "x?y#z",
		"/a//b", "a:b", "1:b", "/a:b", "?q", "#f", "", "//h/x", "%2e%2E/x", "x%2e", "http://o/x", "\\x", " x", "x\t"} {
		for _, base := range []string{"https://api.example.com/v2/users/", "https://h/a/b/c?q#f", "http://h", "http://h/", "x"} {
			f.Add(in, base)
		}
	}
	f.Fuzz(func(t *testing.T, input, base string) {
		got, err := parseURL(input, &base)
		w, werr := parseWHATWG(input, &base)
		if (err != nil) != (werr != nil) {
			t.Fatalf("parseURL(%q, %q) error %v, the parser's %v", input, base, err, werr)
		}
		if err == nil {
			if want := fromWHATWG(w); *got != *want {
				t.Fatalf("parseURL(%q, %q)\n got %+v\nwant %+v", input, base, *got, *want)
			}
		}
	})
}
