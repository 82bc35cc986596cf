package npmvendor

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
)

// Registry metadata is read as npm reads it: a field of an unexpected shape is what npm makes of
// it (normalize-package-data's rules where npm has them), never a reason to refuse the package.
// Old versions on the public registry carry "dependencies": [] (mime 2.6.0, node-uuid), a string
// where a list is expected ("os": "linux"), "engines" as a list, "bin" as a string, no
// dist.integrity, "deprecated": false. Only the fields the resolver uses are typed; the others
// are not read at all.

// depMap is a dependencies object: name -> spec. An object keeps its string values (others are
// dropped); a list of "name@spec" or "name" strings, or one string of them separated by spaces or
// commas, becomes an object as normalize-package-data makes it; anything else is empty.
type depMap map[string]string

func (d *depMap) UnmarshalJSON(data []byte) error {
	*d = nil
	var m map[string]string
	if json.Unmarshal(data, &m) == nil {
		*d = m
		return nil
	}
	var list []string
	switch data = bytes.TrimSpace(data); {
	case len(data) > 0 && data[0] == '{':
		var raw map[string]json.RawMessage
		if json.Unmarshal(data, &raw) != nil {
			return nil
		}
		out := depMap{}
		for k, v := range raw {
			var s string
			if json.Unmarshal(v, &s) == nil {
				out[k] = s
			}
		}
		*d = out
		return nil
	case len(data) > 0 && data[0] == '[':
		var raw []json.RawMessage
		if json.Unmarshal(data, &raw) != nil {
			return nil
		}
		for _, v := range raw {
			var s string
			if json.Unmarshal(v, &s) == nil {
				list = append(list, s)
			}
		}
	case len(data) > 0 && data[0] == '"':
		var s string
		if json.Unmarshal(data, &s) != nil {
			return nil
		}
		list = depListSep.Split(strings.TrimSpace(s), -1)
	}
	for _, s := range list {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if *d == nil {
			*d = depMap{}
		}
		name, spec := splitDepString(s)
		(*d)[name] = spec
	}
	return nil
}

var depListSep = regexp.MustCompile(`[\n\r\s\t ,]+`)

// splitDepString splits "name@spec", "name spec", "name>=1" as normalize-package-data does; a
// bare name means any version.
func splitDepString(s string) (name, spec string) {
	i := strings.IndexAny(s[1:], "@ ><=")
	if i < 0 {
		return s, "*"
	}
	i++
	name, spec = s[:i], strings.TrimSpace(strings.TrimPrefix(s[i:], "@"))
	if spec == "" {
		spec = "*"
	}
	return name, spec
}

// stringList is a list of strings; one string is a list of one (npm-install-checks reads "os":
// "linux" so); anything else is empty.
type stringList []string

func (l *stringList) UnmarshalJSON(data []byte) error {
	*l = nil
	var s string
	if json.Unmarshal(data, &s) == nil {
		if s != "" {
			*l = stringList{s}
		}
		return nil
	}
	var raw []json.RawMessage
	if json.Unmarshal(data, &raw) != nil {
		return nil
	}
	for _, v := range raw {
		if json.Unmarshal(v, &s) == nil {
			*l = append(*l, s)
		}
	}
	return nil
}

// looseString is a string field; any other JSON value is "".
type looseString string

func (s *looseString) UnmarshalJSON(data []byte) error {
	var v string
	if json.Unmarshal(data, &v) == nil {
		*s = looseString(v)
	} else {
		*s = ""
	}
	return nil
}

// peerMeta is peerDependenciesMeta: name -> {optional}; entries of another shape are dropped.
type peerMeta map[string]struct{ Optional bool }

func (p *peerMeta) UnmarshalJSON(data []byte) error {
	*p = nil
	var raw map[string]json.RawMessage
	if json.Unmarshal(data, &raw) != nil {
		return nil
	}
	for k, v := range raw {
		var e struct {
			Optional json.RawMessage `json:"optional"`
		}
		if json.Unmarshal(v, &e) != nil {
			continue
		}
		if *p == nil {
			*p = peerMeta{}
		}
		(*p)[k] = struct{ Optional bool }{Optional: bytes.Equal(bytes.TrimSpace(e.Optional), []byte("true"))}
	}
	return nil
}

// engines is the engines field as npm-pick-manifest reads it: only engines.node matters, and an
// engines that is not an object (old packages have a list, "node >= 0.4.0") names no Node range.
type engines struct{ Node string }

func (e *engines) UnmarshalJSON(data []byte) error {
	*e = engines{}
	var raw map[string]json.RawMessage
	if json.Unmarshal(data, &raw) != nil {
		return nil
	}
	var s string
	if v, ok := raw["node"]; ok && json.Unmarshal(v, &s) == nil {
		e.Node = strings.TrimSpace(s)
	}
	return nil
}

// distTags keeps the string tags of dist-tags.
type distTags map[string]string

func (d *distTags) UnmarshalJSON(data []byte) error {
	var m map[string]string
	if json.Unmarshal(data, &m) == nil {
		*d = m
		return nil
	}
	*d = nil
	var raw map[string]json.RawMessage
	if json.Unmarshal(data, &raw) != nil {
		return nil
	}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			if *d == nil {
				*d = distTags{}
			}
			(*d)[k] = s
		}
	}
	return nil
}

// decodePackument reads a packument. The lenient field types make a document that is JSON read
// in one pass; a version entry that is not an object at all (a string, a number) is dropped by a
// second, slower pass rather than failing the package.
func decodePackument(data []byte) (*packument, error) {
	var p packument
	err := json.Unmarshal(data, &p)
	if err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, err
		}
		var loose struct {
			Name     string                     `json:"name"`
			DistTags distTags                   `json:"dist-tags"`
			Versions map[string]json.RawMessage `json:"versions"`
		}
		if err := json.Unmarshal(data, &loose); err != nil {
			return nil, err
		}
		p = packument{Name: loose.Name, DistTags: loose.DistTags}
		if loose.Versions != nil {
			p.Versions = map[string]*manifest{}
		}
		for v, raw := range loose.Versions {
			var m manifest
			if json.Unmarshal(raw, &m) == nil {
				p.Versions[v] = &m
			}
		}
	}
	for v, m := range p.Versions {
		if m == nil {
			delete(p.Versions, v)
		}
	}
	return &p, nil
}
