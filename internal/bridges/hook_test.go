package bridges

import (
	"net/http"

	"github.com/actionsd/actionsd/runner"
)

// The tests' view of a hook, through what the route calls (MakeEvent, MakeAnswer): Event is the
// event in a new buffer, and Answer the answer's JSON as a value, a Reply for a status other than
// 200, so that a test compares it whatever the hook appended it to.

func (h Hook) Event(body []byte) ([]byte, error) { return h.MakeEvent(nil, body) }

func (h Hook) Answer(body []byte, res *runner.Result) (any, string, string) {
	b, status, reason, msg := h.MakeAnswer(nil, body, res)
	if status != http.StatusOK {
		return Reply{Status: status, Body: RawJSON(b)}, reason, msg
	}
	return RawJSON(b), reason, msg
}

// zitadelEvent is a Zitadel function's event in a new buffer.
func zitadelEvent(body []byte) ([]byte, error) { return appendZitadelEvent(nil, body) }

// supabaseClaims is appendSupabaseClaims into a new buffer.
func supabaseClaims(body []byte, res *runner.Result) (any, error) {
	b, err := appendSupabaseClaims(make([]byte, 0, len(body)+256), body, res)
	return RawJSON(b), err
}

// RawJSON is an answer encoded already: it is written as it is.
type RawJSON []byte

// MarshalJSON returns r.
func (r RawJSON) MarshalJSON() ([]byte, error) { return r, nil }
