package api

import (
	"net/http"
	gosync "sync"

	openapi "github.com/actionsd/actionsd/api"
)

// openAPIJSON is api/openapi.yaml converted to JSON, once.
var openAPIJSON = gosync.OnceValues(openapi.JSON)

// serveOpenAPI is GET /v1/openapi.json: the API's OpenAPI 3.1 description. It needs no token:
// it describes the routes, and holds nothing of the deployment.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	b, err := openAPIJSON()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the openapi document: "+err.Error())
		return
	}
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["X-Content-Type-Options"] = noSniff
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
