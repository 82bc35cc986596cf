package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Record is one execution as the store keeps it and GET /v1/executions/{id} answers it (the
// shared record format of issue 16).
type Record struct {
	ID         string          `json:"id"`
	Time       time.Time       `json:"time"` // the start, UTC
	Source     string          `json:"source"`
	Trigger    string          `json:"trigger"`
	Commit     string          `json:"commit"`
	Generation int64           `json:"generation"`
	Revision   string          `json:"revision,omitempty"`
	Outcome    string          `json:"outcome"`
	DurationMS float64         `json:"duration_ms"`
	Event      json.RawMessage `json:"event"`
	Actions    json.RawMessage `json:"actions"`
	Commands   json.RawMessage `json:"commands"`
	Result     json.RawMessage `json:"result"`
	Outbound   json.RawMessage `json:"outbound,omitempty"`
}

// index is what a record's entry keeps in clear beside the encrypted body, for the filters: no
// event, log, error or command is in it.
type index struct {
	ID      string   `json:"i"`
	Source  string   `json:"s"`
	Trigger string   `json:"t"`
	Commit  string   `json:"c"`
	Outcome string   `json:"o"`
	Actions []string `json:"a,omitempty"`
}

// built is a record ready to be written: its index and its JSON body (in clear: the store
// encrypts it).
type built struct {
	time  time.Time
	index index
	body  []byte
}

// resultDoc is the part of the Result's JSON a record takes.
type resultDoc struct {
	ExecutionID string          `json:"execution_id"`
	Trigger     string          `json:"trigger"`
	Commit      string          `json:"commit"`
	Generation  int64           `json:"generation"`
	Outcome     string          `json:"outcome"`
	Actions     json.RawMessage `json:"actions"`
	Commands    json.RawMessage `json:"commands"`
	Result      json.RawMessage `json:"result"`
	Outbound    json.RawMessage `json:"outbound"`
}

// build makes e's record: the event through the PII policy, everything through e.Redact.
func build(e *Entry, pii PII, piiKey []byte) (*built, error) {
	var doc resultDoc
	if err := json.Unmarshal(e.Result, &doc); err != nil {
		return nil, fmt.Errorf("the result of %s: %w", e.Source, err)
	}
	if doc.ExecutionID == "" {
		return nil, fmt.Errorf("the result of %s has no execution_id", e.Source)
	}
	var names []struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(doc.Actions, &names) // null or a list; names only serve the filter
	idx := index{ID: doc.ExecutionID, Source: e.Source, Trigger: doc.Trigger, Commit: doc.Commit, Outcome: doc.Outcome}
	for _, n := range names {
		idx.Actions = append(idx.Actions, n.Name)
	}
	event, err := applyPII(e.Event, pii, piiKey)
	if err != nil {
		return nil, fmt.Errorf("the event of execution %s: %w", doc.ExecutionID, err)
	}
	rec := Record{
		ID: doc.ExecutionID, Time: e.Start.UTC(), Source: e.Source, Trigger: doc.Trigger, Commit: doc.Commit,
		Generation: doc.Generation, Revision: e.Revision, Outcome: doc.Outcome,
		DurationMS: float64(e.Duration.Microseconds()) / 1000,
		Event:      redactJSON(e.Redact, event), Actions: redactJSON(e.Redact, doc.Actions),
		Commands: redactJSON(e.Redact, doc.Commands), Result: redactJSON(e.Redact, doc.Result),
	}
	if len(doc.Outbound) > 0 && !bytes.Equal(doc.Outbound, []byte("null")) {
		rec.Outbound = redactJSON(e.Redact, doc.Outbound)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // logs keep their < and >, as the Result has them
	if err := enc.Encode(&rec); err != nil {
		return nil, fmt.Errorf("execution %s: %w", doc.ExecutionID, err)
	}
	return &built{time: rec.Time, index: idx, body: bytes.TrimSuffix(buf.Bytes(), []byte("\n"))}, nil
}

// redactJSON replaces secret values in a JSON value's text. A replacement that breaks the JSON
// (a secret spanning JSON punctuation) leaves the marker string instead of the value.
func redactJSON(redact func(string) string, v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	if redact == nil {
		return v
	}
	s := string(v)
	r := redact(s)
	if r == s {
		return v
	}
	if !json.Valid([]byte(r)) {
		return json.RawMessage(`"[REDACTED]"`)
	}
	return json.RawMessage(r)
}

// applyPII drops and hashes the policy's fields of the event; an event without any of them is
// returned as it is. No event is null.
func applyPII(event []byte, pii PII, key []byte) (json.RawMessage, error) {
	if len(bytes.TrimSpace(event)) == 0 {
		return json.RawMessage("null"), nil
	}
	if len(pii.Drop) == 0 && len(pii.Hash) == 0 {
		return event, nil
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("reading the event: %w", err)
	}
	changed := false
	for _, p := range pii.Drop {
		if parent, last := walk(doc, p); parent != nil {
			if _, ok := parent[last]; ok {
				delete(parent, last)
				changed = true
			}
		}
	}
	for _, p := range pii.Hash {
		parent, last := walk(doc, p)
		if parent == nil {
			continue
		}
		v, ok := parent[last]
		if !ok || v == nil {
			continue
		}
		var raw []byte
		if s, ok := v.(string); ok {
			raw = []byte(s)
		} else if raw, _ = json.Marshal(v); raw == nil {
			continue
		}
		parent[last] = hashPII(key, raw)
		changed = true
	}
	if !changed {
		return event, nil
	}
	return json.Marshal(doc)
}

// walk returns the object that holds path's last member, and that member's name; nil when a
// member on the way is missing or not an object.
func walk(doc map[string]any, path string) (map[string]any, string) {
	parts := strings.Split(path, ".")
	cur := doc
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			return nil, ""
		}
		cur = next
	}
	return cur, parts[len(parts)-1]
}
