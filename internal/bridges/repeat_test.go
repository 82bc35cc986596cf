package bridges

import (
	"context"
	"encoding/binary"
	"strconv"
	"testing"
	"time"
)

func repeatKey(i int) [32]byte {
	var k [32]byte
	k[0], k[1] = byte(i), byte(i>>8)
	return k
}

// TestRepeatsAnswer: the first request runs, a repeat gets its answer, a third key seen before
// whose answer is gone is Evicted.
func TestRepeatsAnswer(t *testing.T) {
	c := NewRepeats(4, 1<<10)
	now := time.Unix(1_700_000_000, 0)
	forget := now.Add(Tolerance)
	seen := map[[32]byte]bool{}
	see := func(k [32]byte) func() bool {
		return func() bool { s := seen[k]; seen[k] = true; return s }
	}
	k := repeatKey(1)
	a, o := c.begin(k, forget, now, see(k))
	if o != First {
		t.Fatalf("first request: outcome %d", o)
	}
	r, o := c.begin(k, forget, now, see(k))
	if o != Repeat || r != a {
		t.Fatalf("repeat: outcome %d", o)
	}
	// A repeat that comes while the first runs waits for its answer.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, ok := r.Wait(ctx); ok {
		t.Error("a wait whose request ended has an answer before the first finished")
	}
	c.Finish(a, 200, []byte(`{"x":1}`))
	status, body, ok := r.Wait(context.Background())
	if !ok || status != 200 || string(body) != `{"x":1}` {
		t.Errorf("repeat answered %d %q %v", status, body, ok)
	}
	// A repeat that comes once the answer is final gets it without waiting, even when its own
	// request has ended (Begin saw it final: no channel was made for it).
	r2, o := c.begin(k, forget, now, see(k))
	if o != Repeat || r2 != a {
		t.Fatalf("repeat after the answer: outcome %d", o)
	}
	if status, body, ok := r2.Wait(ctx); !ok || status != 200 || string(body) != `{"x":1}` {
		t.Errorf("repeat after the answer answered %d %q %v", status, body, ok)
	}
	if c.Bytes() != 7 || c.Len() != 1 {
		t.Errorf("held %d answers, %d bytes", c.Len(), c.Bytes())
	}
	// Past the window the answer is forgotten (and the key is a new request to this cache).
	later := now.Add(Tolerance + time.Second)
	if _, o := c.begin(repeatKey(2), later.Add(Tolerance), later, see(repeatKey(2))); o != First {
		t.Errorf("new key after the window: outcome %d", o)
	}
	if c.Len() != 1 || c.Bytes() != 0 {
		t.Errorf("after the window: held %d answers, %d bytes", c.Len(), c.Bytes())
	}
	if _, o := c.begin(k, later.Add(Tolerance), later, func() bool { return false }); o != First {
		t.Errorf("the old key after its window: outcome %d", o)
	}
}

// TestRepeatsBounds: the oldest answers go when the count or the bytes would pass the bounds,
// and a repeat of one is Evicted; an answer too large is not kept.
func TestRepeatsBounds(t *testing.T) {
	c := NewRepeats(3, 10)
	now := time.Unix(1_700_000_000, 0)
	forget := now.Add(Tolerance)
	seen := map[[32]byte]bool{}
	begin := func(i int) (*Answer, Outcome) {
		k := repeatKey(i)
		return c.begin(k, forget, now, func() bool { s := seen[k]; seen[k] = true; return s })
	}
	for i := range 4 {
		a, o := begin(i)
		if o != First {
			t.Fatalf("key %d: outcome %d", i, o)
		}
		c.Finish(a, 200, []byte("abc"))
	}
	if c.Len() != 3 || c.Bytes() != 9 {
		t.Errorf("count bound: held %d answers, %d bytes", c.Len(), c.Bytes())
	}
	if _, o := begin(0); o != Evicted {
		t.Errorf("the evicted answer's repeat: outcome %d, want Evicted", o)
	}
	// 3+3+3 bytes held; 5 more passes 10: the oldest two go.
	a, _ := begin(4)
	c.Finish(a, 200, []byte("defgh"))
	if c.Bytes() > 10 || c.Len() != 2 {
		t.Errorf("bytes bound: held %d answers, %d bytes", c.Len(), c.Bytes())
	}
	if _, o := begin(1); o != Evicted {
		t.Errorf("outcome %d, want Evicted", o)
	}
	if r, o := begin(4); o != Repeat {
		t.Errorf("the newest answer's repeat: outcome %d", o)
	} else if _, body, ok := r.Wait(context.Background()); !ok || string(body) != "defgh" {
		t.Errorf("repeat answered %q %v", body, ok)
	}
	// An answer larger than the bytes bound is not kept: its repeats are refused.
	a, _ = begin(5)
	c.Finish(a, 200, make([]byte, 11))
	r, o := begin(5)
	if o != Repeat {
		t.Fatalf("outcome %d", o)
	}
	if _, _, ok := r.Wait(context.Background()); ok {
		t.Error("an answer over the bound was kept")
	}
	// No answer (the first request never answered): its repeats are refused.
	a, _ = begin(6)
	c.Finish(a, 0, nil)
	if r, _ := begin(6); r != nil {
		if _, _, ok := r.Wait(context.Background()); ok {
			t.Error("a request with no answer was repeated")
		}
	}
	if c.Len() > 3 || c.Bytes() > 10 {
		t.Errorf("held %d answers, %d bytes", c.Len(), c.Bytes())
	}
}

// TestRepeatsRing: answers begun and forgotten in turn, many times the ring's size over (it
// wraps and grows), keep their order: the window forgets the oldest, the count bound evicts the
// oldest, and every answer still held repeats with its own body.
func TestRepeatsRing(t *testing.T) {
	const bound = 40
	c := NewRepeats(bound, 1<<20)
	start := time.Unix(1_700_000_000, 0)
	seen := map[[32]byte]bool{}
	begin := func(i int, now time.Time) (*Answer, Outcome) {
		k := repeatKey(i)
		return c.begin(k, now.Add(time.Duration(i%7+1)*time.Second), now, func() bool { s := seen[k]; seen[k] = true; return s })
	}
	// Key i begins at start+i/10 s and is forgotten 1 to 7 s after; the window forgets in the
	// order the answers were begun (the oldest first, until one still in its window), whatever
	// the later ones' windows. model is that order, as a plain slice.
	var model []time.Time
	for i := range 1000 {
		now := start.Add(time.Duration(i) * 100 * time.Millisecond)
		for len(model) > 0 && !model[0].After(now) {
			model = model[1:]
		}
		model = append(model, now.Add(time.Duration(i%7+1)*time.Second))
		if len(model) > bound {
			model = model[1:]
		}
		a, o := begin(i, now)
		if o != First {
			t.Fatalf("key %d: outcome %d", i, o)
		}
		c.Finish(a, 200, []byte{byte(i), byte(i >> 8)})
		if c.Len() != len(model) || c.Bytes() != 2*c.Len() {
			t.Fatalf("after key %d: held %d answers, %d bytes; want %d answers", i, c.Len(), c.Bytes(), len(model))
		}
		if i >= 10 && i%3 == 0 {
			// The answer begun a second ago is held, unless its own window was a second.
			j := i - 10
			if j%7 == 0 {
				continue
			}
			r, o := begin(j, now)
			if o != Repeat {
				t.Fatalf("key %d at key %d: outcome %d, want Repeat", j, i, o)
			}
			if _, body, ok := r.Wait(context.Background()); !ok || body[0] != byte(j) || body[1] != byte(j>>8) {
				t.Fatalf("key %d repeated %v %v", j, body, ok)
			}
		}
	}
	if _, o := begin(1000-bound-1, start.Add(100*time.Second)); o != Evicted {
		t.Errorf("an answer gone: outcome %d, want Evicted", o)
	}
}

// TestBridgeRepeats: only the Zitadel bridge answers repeats; the others refuse them (Evicted
// from Begin, as Seen says).
func TestBridgeRepeats(t *testing.T) {
	bs, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	for _, b := range bs {
		if b.Repeats() != (b.Name() == "zitadel") {
			t.Errorf("%s: Repeats() = %v", b.Name(), b.Repeats())
		}
		k := repeatKey(7)
		a, o := b.Begin(k, now.Add(Tolerance), now)
		if o != First {
			t.Fatalf("%s: first outcome %d", b.Name(), o)
		}
		b.Finish(a, 200, []byte("{}"))
		_, o = b.Begin(k, now.Add(Tolerance), now)
		if want := map[bool]Outcome{true: Repeat, false: Evicted}[b.Repeats()]; o != want {
			t.Errorf("%s: repeat outcome %d, want %d", b.Name(), o, want)
		}
	}
}

// TestRepeatsFullForLong: a full cache evicts its oldest answer for each new one, many times
// over (the order's head moves and is compacted now and then): the newest answers are held, in
// order, with their own bodies, and every older one is Evicted.
func TestRepeatsFullForLong(t *testing.T) {
	const held, total = 5, 103
	c := NewRepeats(held, 1<<20)
	now := time.Unix(1_700_000_000, 0)
	forget := now.Add(Tolerance)
	seen := map[[32]byte]bool{}
	begin := func(i int) (*Answer, Outcome) {
		k := repeatKey(i)
		return c.begin(k, forget, now, func() bool { s := seen[k]; seen[k] = true; return s })
	}
	for i := range total {
		a, o := begin(i)
		if o != First {
			t.Fatalf("key %d: outcome %d", i, o)
		}
		c.Finish(a, 200, []byte{byte(i)})
		if want := min(i+1, held); c.Len() != want || c.Bytes() != want {
			t.Fatalf("after %d: held %d answers, %d bytes", i, c.Len(), c.Bytes())
		}
	}
	for i := range total {
		r, o := begin(i)
		switch {
		case i < total-held && o != Evicted:
			t.Errorf("key %d: outcome %d, want Evicted", i, o)
		case i >= total-held:
			if o != Repeat {
				t.Errorf("key %d: outcome %d, want Repeat", i, o)
			} else if _, body, ok := r.Wait(context.Background()); !ok || len(body) != 1 || body[0] != byte(i) {
				t.Errorf("key %d: answered %v %v", i, body, ok)
			}
		}
	}
}

// TestRepeatsWaitTogether: repeats that come while the first request runs, concurrently with its
// Finish, all get its answer (run with -race: the channel is made and closed under the lock).
func TestRepeatsWaitTogether(t *testing.T) {
	c := NewRepeats(4, 1<<10)
	now := time.Unix(1_700_000_000, 0)
	k := repeatKey(7)
	a, o := c.begin(k, now.Add(Tolerance), now, func() bool { return false })
	if o != First {
		t.Fatalf("first request: outcome %d", o)
	}
	const n = 8
	got := make(chan string, n)
	for range n {
		go func() {
			r, o := c.begin(k, now.Add(Tolerance), now, func() bool { return true })
			if o != Repeat {
				got <- "outcome " + strconv.Itoa(int(o))
				return
			}
			status, body, ok := r.Wait(context.Background())
			got <- strconv.Itoa(status) + " " + string(body) + " " + strconv.FormatBool(ok)
		}()
	}
	c.Finish(a, 201, []byte(`{"y":2}`))
	for range n {
		if g := <-got; g != `201 {"y":2} true` {
			t.Errorf("a repeat got %s", g)
		}
	}
}

// BenchmarkRepeatsBegin measures what the Zitadel bridge's replay check costs a request: Begin
// (the answers held and the replay table) and Finish with a small answer, each request's key its
// own, with the tables as full as a busy target keeps them.
func BenchmarkRepeatsBegin(b *testing.B) {
	brs, err := New(Config{Zitadel: "zitadel-signing-key"})
	if err != nil {
		b.Fatal(err)
	}
	zt := brs[2]
	now := time.Now()
	forget := now.Add(Tolerance)
	answer := []byte(`{"append_claims":[{"key":"plan","value":"pro"}]}` + "\n")
	var key [32]byte
	n := uint64(0)
	next := func() [32]byte {
		n++
		binary.LittleEndian.PutUint64(key[:], n*0x9e3779b97f4a7c15) // spread as a MAC's bytes are
		binary.LittleEndian.PutUint64(key[8:], n)
		return key
	}
	for range 2 * maxReplayKeys {
		a, _ := zt.Begin(next(), forget, now)
		zt.Finish(a, 200, answer)
	}
	b.ReportAllocs()
	for b.Loop() {
		a, outcome := zt.Begin(next(), forget, now)
		if outcome != First {
			b.Fatal(outcome)
		}
		zt.Finish(a, 200, answer)
	}
}
