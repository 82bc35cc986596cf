package runner

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// fuzzStateKey is the state key of FuzzRedirectState's generation.
var fuzzStateKey = []byte("fuzz-state-key-0123456789abcdef!")

// sealFixed seals plain as stateSealer.seal does, with a nonce of nonce repeated, so that every
// fuzz worker process makes the same states.
func sealFixed(s *stateSealer, plain []byte, nonce byte) string {
	var z bytes.Buffer
	zw, _ := flate.NewWriter(&z, flate.BestSpeed)
	zw.Write(plain)
	zw.Close()
	n := bytes.Repeat([]byte{nonce}, s.aead.NonceSize())
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(n, n, z.Bytes(), nil))
}

// fuzzStates returns the states sealed with fuzzStateKey that FuzzRedirectState starts from:
// every string that may open, and some sealed values that open but Continue must refuse.
func fuzzStates() (valid []string, other []string) {
	s := newStateSealer(string(fuzzStateKey))
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	flows := []*pausedFlow{
		{Version: 1, ID: "fuzz-1", Exec: "x1", Trigger: "post-login", Action: "consent", Expires: far, Event: json.RawMessage(`{}`)},
		{Version: 1, ID: "fuzz-2", Exec: "x2", Trigger: "post-login", Action: "consent", Expires: far,
			Event:    json.RawMessage(loginEvent),
			Commands: []Command{{Action: "consent", Op: "idToken.setCustomClaim", Args: []any{"https://example.com/before", true}}}},
		{Version: 1, ID: "fuzz-3", Trigger: "post-login", Action: "consent", Single: true, Expires: far, Event: json.RawMessage(`{"user":{"user_id":"` + strings.Repeat("u", 300) + `"}}`)},
		// Sealed, but Continue refuses: expired, another trigger, an action that is not there.
		{Version: 1, ID: "fuzz-4", Trigger: "post-login", Action: "consent", Expires: 1, Event: json.RawMessage(`{}`)},
		{Version: 1, ID: "fuzz-5", Trigger: "credentials-exchange", Action: "consent", Expires: far, Event: json.RawMessage(`{}`)},
		{Version: 1, ID: "fuzz-6", Trigger: "post-login", Action: "gone", Expires: far, Event: json.RawMessage(`{}`)},
	}
	for i, p := range flows {
		plain, err := json.Marshal(p)
		if err != nil {
			panic(err)
		}
		valid = append(valid, sealFixed(s, plain, byte(i)))
	}
	// Sealed with the key, but not what open accepts as a state.
	for i, plain := range []string{`{"v":2,"id":"x"}`, `null`, `not json`, `{"v":1,"ev":`, strings.Repeat(" ", 17<<20)} {
		other = append(other, sealFixed(s, []byte(plain), byte(100+i)))
	}
	// Sealed with another key.
	plain, _ := json.Marshal(flows[0])
	other = append(other, sealFixed(newStateSealer("another key, another daemon....."), plain, 0))
	return valid, other
}

// FuzzRedirectState: the sealed redirect state that /v1/continue takes is refused, with
// ErrBadState, unless it is exactly a value sealed with the key, and nothing panics.
func FuzzRedirectState(f *testing.F) {
	valid, other := fuzzStates()
	for _, st := range append(append([]string{}, valid...), other...) {
		f.Add(st)
		raw, _ := base64.RawURLEncoding.DecodeString(st)
		// Bits flipped in the nonce, the ciphertext and the tag.
		for _, i := range []int{0, 11, 12, len(raw) / 2, len(raw) - 17, len(raw) - 1} {
			if i >= 0 && i < len(raw) {
				b := bytes.Clone(raw)
				b[i] ^= 0x01
				f.Add(base64.RawURLEncoding.EncodeToString(b))
				b[i] ^= 0x81
				f.Add(base64.RawURLEncoding.EncodeToString(b))
			}
		}
		f.Add(st[:len(st)-1])
		f.Add(st + "A")
		f.Add(st + "==")
		f.Add(st[:len(st)/2] + "\n" + st[len(st)/2:])
		f.Add(st[:len(st)/2] + "\r" + st[len(st)/2:] + "\r\n")
		if len(raw)%3 != 0 {
			// The last character's low bits are padding, which a lenient decoder ignores.
			const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
			last := strings.IndexByte(alphabet, st[len(st)-1])
			f.Add(st[:len(st)-1] + string(alphabet[last^1]))
		}
		f.Add(strings.NewReplacer("-", "+", "_", "/").Replace(st))
		f.Add(base64.StdEncoding.EncodeToString(raw))
		f.Add(" " + st)
	}
	f.Add("")
	f.Add("not-a-state")
	f.Add(forgeState(fuzzStateKey))
	f.Add(strings.Repeat("A", maxStateBytes+1))
	f.Add(strings.Repeat("A", 27)) // nonce and tag long, of zeros

	opened := map[string]bool{}
	for _, st := range valid {
		opened[st] = true
	}
	g := mustBuild(f, consentSpec(), Options{StateKey: fuzzStateKey})
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, state string) {
		p, err := g.sealer.open(state)
		if err == nil && (p == nil || !opened[state]) {
			t.Fatalf("open accepted %q, which is not a state sealed with the key", state)
		}
		if opened[state] {
			return // Continue would resume (or refuse) it; resuming is not what this target is about
		}
		for _, body := range [][]byte{nil, mustJSON(t, map[string]any{"state": state})} {
			st := state
			if body != nil {
				st = ""
			}
			res, err := g.Continue(ctx, st, body)
			var re *RequestError
			if res != nil || !errors.As(err, &re) || !errors.Is(err, ErrBadState) {
				t.Fatalf("Continue(%q) = (%v, %v), want a *RequestError wrapping ErrBadState", state, res, err)
			}
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
