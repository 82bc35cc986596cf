// Package openapi embeds api/openapi.yaml, the OpenAPI 3.1 description of actionsd's HTTP API
// (internal/api serves it as JSON at GET /v1/openapi.json).
package openapi

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"
)

// YAML is the document as written.
//
//go:embed openapi.yaml
var YAML []byte

// JSON converts the document to JSON.
func JSON() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(YAML, &doc); err != nil {
		return nil, fmt.Errorf("api/openapi.yaml: %w", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("api/openapi.yaml: converting to json: %w", err)
	}
	return b, nil
}
