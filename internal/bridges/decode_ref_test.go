package bridges

import (
	"encoding/json"
	"errors"
	"strings"
)

// The bridges decoded their bodies with these before they scanned them; the reference
// implementations kept in the tests (kratos_ref_test.go, zitadel_ref_test.go) still do.

// decodeShape decodes body into v, a struct; a member of the wrong type is a *ShapeError naming
// it, under prefix.
func decodeShape(body []byte, prefix string, v any) error {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return &ShapeError{Field: prefix + te.Field, Want: "a " + te.Type.String()}
	}
	if prefix == "" {
		return &ShapeError{Field: "(body)", Want: "a JSON object"}
	}
	return &ShapeError{Field: strings.TrimSuffix(prefix, "."), Want: "an object"}
}

// eachMember calls fn with each member of obj, a valid JSON object (one encoding/json has
// decoded already), in order: its key, decoded, and its value's bytes. It decodes nothing else,
// so that a large object's members cost no map and no values.
func eachMember(obj []byte, fn func(key string, val []byte)) bool {
	return eachRawMember(obj, func(key, val []byte) bool {
		fn(string(key), val)
		return true
	})
}
