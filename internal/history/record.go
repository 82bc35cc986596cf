package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unsafe"
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

// resultTail is where the members a record takes from the Result begin: AppendJSON writes the
// execution_id, trigger, commit, generation and outcome first, as JSON strings and a number in
// which this cannot occur.
var resultTail = []byte(`,"actions":`)

// resultCut is where resultTail is in e.Result, -1 when it is not. It looks first where it is
// when AppendJSON wrote the Entry's fields without escapes, as it does for the runner's ids and
// names, and searches only when it is not there. That is right: escapes only lengthen a string,
// so that the guess is at or before the tail, and nothing before the tail can look like it (a
// quote in a string is escaped).
func resultCut(e *Entry) int {
	n := len(`{"execution_id":""`) + len(e.ID) + len(`,"trigger":""`) + len(e.Trigger) + len(`,"commit":""`) + len(e.Commit) +
		len(`,"generation":`) + intLen(e.Generation) + len(`,"outcome":""`) + len(e.Outcome)
	if e.Revision != "" {
		n += len(`,"revision":""`) + len(e.Revision)
	}
	if n <= len(e.Result) && bytes.HasPrefix(e.Result[n:], resultTail) {
		return n
	}
	return bytes.Index(e.Result, resultTail)
}

// intLen is the length of n in decimal.
func intLen(n int64) int {
	l := 1
	if n < 0 {
		l++
		if n == math.MinInt64 {
			return 20
		}
		n = -n
	}
	for ; n >= 10; n /= 10 {
		l++
	}
	return l
}

// builder builds the records of the writer's batches: it owns the scratch buffer of the PII
// policy, reused from one record to the next.
type builder struct {
	pii     PII
	walk    piiWalker
	scratch []byte
	// names holds the action names of a batch's indexes, which outlive the Entries they come
	// from: one buffer, which write sizes for the batch and keeps for the next, rather than an
	// allocation per record. A record's names are never written once built, so that a later
	// append that moves it leaves them as they were.
	names []string
}

// newBuilder returns the writer's builder of records with this policy and PII hash.
func newBuilder(pii PII, mac *piiMAC) builder {
	return builder{pii: pii, walk: piiWalker{mac: mac}}
}

// build makes e's record, its body appended to arena (a batch's buffer: every body of a batch
// shares one allocation, that no later batch reuses, for bbolt and the subscribers keep what they
// are given): the event through the PII policy, everything but the header through e.Redact. The
// body is written by hand, in the order of Record's fields, from the Entry's fields and the
// Result's own JSON, which is not decoded. It returns the grown arena.
func (bd *builder) build(arena []byte, e *Entry) (built, []byte, error) {
	if e.ID == "" {
		return built{}, arena, fmt.Errorf("an execution of %s has no id", e.Source)
	}
	cut := resultCut(e)
	if cut < 0 || len(e.Result) < cut+2 || e.Result[len(e.Result)-1] != '}' {
		return built{}, arena, fmt.Errorf("the result of execution %s is not the runner's JSON", e.ID)
	}
	event, err := bd.walk.applyPII(&bd.scratch, e.Event, bd.pii)
	if err != nil {
		return built{}, arena, fmt.Errorf("the event of execution %s: %w", e.ID, err)
	}
	start := e.Start.UTC()
	at := len(arena)
	b := arena
	b = append(b, `{"id":`...)
	b = appendString(b, e.ID)
	b = append(b, `,"time":"`...)
	b = start.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","source":`...)
	b = appendString(b, e.Source)
	b = append(b, `,"trigger":`...)
	b = appendString(b, e.Trigger)
	b = append(b, `,"commit":`...)
	b = appendString(b, e.Commit)
	b = append(b, `,"generation":`...)
	b = strconv.AppendInt(b, e.Generation, 10)
	if e.Revision != "" {
		b = append(b, `,"revision":`...)
		b = appendString(b, e.Revision)
	}
	b = append(b, `,"outcome":`...)
	b = appendString(b, e.Outcome)
	b = append(b, `,"duration_ms":`...)
	b = strconv.AppendFloat(b, float64(e.Duration.Microseconds())/1000, 'f', -1, 64)
	b = append(b, `,"event":`...)
	b = append(b, redactJSON(e.Redact, event)...)
	b = append(b, ',')
	b = append(b, redactMembers(e.Redact, e.Result[cut+1:len(e.Result)-1])...)
	if len(e.Outbound) > 0 {
		b = append(b, `,"outbound":`...)
		b = append(b, redactJSON(e.Redact, e.Outbound)...)
	}
	b = append(b, '}')
	// The Entry goes back to its pool once built: nothing here may refer to its slices.
	var actions []string
	if len(e.Actions) > 0 {
		at := len(bd.names)
		bd.names = append(bd.names, e.Actions...)
		actions = bd.names[at:len(bd.names):len(bd.names)]
	}
	idx := index{ID: e.ID, Source: e.Source, Trigger: e.Trigger, Commit: e.Commit, Outcome: e.Outcome, Actions: actions}
	return built{time: start, index: idx, body: b[at:len(b):len(b)]}, b, nil
}

// appendIndex appends ix's JSON, as encoding/json writes it.
func appendIndex(b []byte, ix *index) []byte {
	b = append(b, `{"i":`...)
	b = appendString(b, ix.ID)
	b = append(b, `,"s":`...)
	b = appendString(b, ix.Source)
	b = append(b, `,"t":`...)
	b = appendString(b, ix.Trigger)
	b = append(b, `,"c":`...)
	b = appendString(b, ix.Commit)
	b = append(b, `,"o":`...)
	b = appendString(b, ix.Outcome)
	if len(ix.Actions) > 0 {
		b = append(b, `,"a":[`...)
		for i, a := range ix.Actions {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, a)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendString appends s as a JSON string, as encoding/json writes it but without HTML escapes.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plainByte[s[i]] {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainByte tells the bytes that appendString copies as they are.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// redactJSON replaces secret values in a JSON value's text. A replacement that breaks the JSON
// (a secret spanning JSON punctuation) leaves the marker string instead of the value.
func redactJSON(redact Redactor, v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	if redact == nil {
		return v
	}
	r, changed := redactBytes(redact, v)
	if !changed {
		return v
	}
	if !json.Valid([]byte(r)) {
		return json.RawMessage(`"[REDACTED]"`)
	}
	return json.RawMessage(r)
}

// redactBytes applies redact to b without copying it: redact returns its argument when it has
// nothing to replace, and a new string otherwise; b is not written meanwhile.
func redactBytes(redact Redactor, b []byte) (string, bool) {
	if len(b) == 0 {
		return "", false
	}
	s := unsafe.String(&b[0], len(b))
	r := redact.Redact(s)
	if len(r) == len(s) && unsafe.StringData(r) == unsafe.StringData(s) {
		return "", false
	}
	return r, true
}

// redactMembers is redactJSON for the Result's members from "actions" on (an object's members
// without its braces): when a replacement breaks them, the actions, commands and result are
// replaced by the marker.
func redactMembers(redact Redactor, m []byte) []byte {
	if redact == nil {
		return m
	}
	r, changed := redactBytes(redact, m)
	if !changed {
		return m
	}
	if !json.Valid([]byte("{" + r + "}")) {
		return []byte(`"actions":"[REDACTED]","commands":"[REDACTED]","result":"[REDACTED]"`)
	}
	return []byte(r)
}
