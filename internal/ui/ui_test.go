package ui

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

// TestEveryFileServedWithCSP: each embedded file is served under the prefix with the policy and
// nosniff, and every file the page names (src, href) is one of them.
func TestEveryFileServedWithCSP(t *testing.T) {
	srv := httptest.NewServer(Handler("/ui/"))
	defer srv.Close()
	names, err := fs.Glob(files, "static/*")
	if err != nil || len(names) < 3 {
		t.Fatalf("embedded files: %v %v", names, err)
	}
	served := map[string]bool{}
	for _, n := range names {
		name := n[len("static/"):]
		served[name] = true
		path := "/ui/" + name
		if name == "index.html" {
			path = "/ui/" // FileServer redirects index.html to the folder
		}
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
		if got := res.Header.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
			t.Errorf("GET %s: CSP %q", path, got)
		}
		if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q", path, got)
		}
	}
	index, _ := fs.ReadFile(files, "static/index.html")
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllSubmatch(index, -1) {
		ref := string(m[1])
		if ref == "data:," {
			continue
		}
		if !served[ref] {
			t.Errorf("index.html names %q, which is not an embedded file", ref)
		}
	}
}
