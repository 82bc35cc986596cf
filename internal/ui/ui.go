// Package ui is the daemon's read-only web UI (`serve --ui`, `ui: true`): a status page in the
// style of Flux's and Argo CD's, served at /ui/. Its files (HTML, CSS, JavaScript; no framework,
// no build step, nothing loaded from elsewhere) are embedded in the binary. They hold no data:
// the page asks for the token once, keeps it in the tab's sessionStorage, and reads the
// authenticated JSON API (/v1/status, /v1/metrics/summary) with it every few seconds. Every
// answer carries a strict Content-Security-Policy.
package ui

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var files embed.FS

// ContentSecurityPolicy is the policy of every /ui/ answer: the page's own script, style and
// requests, nothing inline, nothing from elsewhere, and no framing.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Handler serves the UI's files for requests under prefix ("/ui/").
func Handler(prefix string) http.Handler {
	static, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the folder is embedded above
	}
	fileServer := http.StripPrefix(prefix, http.FileServerFS(static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		fileServer.ServeHTTP(w, r)
	})
}
