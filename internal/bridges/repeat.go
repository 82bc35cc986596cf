package bridges

import (
	"context"
	"encoding/binary"
	"sync"
	"time"
)

// Repeats answers a verified request whose MAC was seen within the window with the first
// request's answer, for a provider whose signed messages carry no nonce (Zitadel: its body has
// no request id and its signature's timestamp is in whole seconds, so two legitimate equal calls
// in one second are one signed message twice). A repeat gets only the answer the original
// already got, and nothing runs twice: the actions and their side effects happen once.
//
// A duplicate that arrives while the first is still running waits for its answer (as
// singleflight does), for as long as its own request lives. The answers are bounded by count
// and bytes, and forgotten when their window passes; a repeat whose answer is no longer held
// (evicted, too large to hold, or the first request never answered) is refused as a replay.
type Repeats struct {
	mu sync.Mutex
	// table finds a held answer by its key: chains (Answer.next) in a table indexed by the
	// key's bytes, which are a MAC's (uniform), with at least twice as many heads as maxCount
	// answers: no hashing and no map's upkeep on a request's way. linked counts its answers.
	table  []*Answer
	linked int
	// ring holds the answers in the order they were begun, the oldest first (evicted first):
	// a ring of len(ring) slots from head, so that evicting one is O(1), not a copy of the rest.
	ring     []*Answer
	head     int
	held     int // answers in ring
	bytes    int // of the bodies held
	maxCount int
	maxBytes int
}

// Answer is one request's answer, shared by its repeats.
type Answer struct {
	key     [32]byte
	forget  int64   // Unix nanoseconds
	next    *Answer // in its chain of Repeats.table (under Repeats.mu)
	inTable bool    // (under Repeats.mu)
	// done is made (under Repeats.mu) only when a repeat comes before the answer is final, and
	// closed by Finish; most answers are never waited for, and a channel a request is a cost.
	done     chan struct{}
	finished bool // Status and Body are final (under Repeats.mu)
	gone     bool // evicted from byKey (under Repeats.mu)
	Status   int  // 0: none was kept (too large, or the request never answered)
	Body     []byte
}

// Bounds of a bridge's answers: an answer of Zitadel is a few hundred bytes to a few kB, and
// repeats come within a second or two of the original, so these hold minutes of a busy target.
const (
	maxRepeatAnswers = 4096
	maxRepeatBytes   = 8 << 20
	maxRepeatAnswer  = 64 << 10 // a larger answer is not kept: its repeats are refused
)

// NewRepeats makes an answers cache bounded by maxCount answers and maxBytes bytes of bodies.
func NewRepeats(maxCount, maxBytes int) *Repeats {
	heads := 16
	for heads < 2*maxCount {
		heads *= 2
	}
	return &Repeats{table: make([]*Answer, heads), maxCount: maxCount, maxBytes: maxBytes}
}

// chain is the head of the chain of the answers whose key is key.
func (c *Repeats) chain(key *[32]byte) **Answer {
	return &c.table[binary.LittleEndian.Uint64(key[8:16])&uint64(len(c.table)-1)]
}

// find returns the answer held for key, or nil.
func (c *Repeats) find(key *[32]byte) *Answer {
	for a := *c.chain(key); a != nil; a = a.next {
		if a.key == *key {
			return a
		}
	}
	return nil
}

// link holds a as its key's answer, in place of the one held before (which is then no longer
// found, as a map's entry set again).
func (c *Repeats) link(a *Answer) {
	if old := c.find(&a.key); old != nil {
		c.unlink(old)
	}
	h := c.chain(&a.key)
	a.next, *h, a.inTable = *h, a, true
	c.linked++
}

// unlink forgets a, which is held.
func (c *Repeats) unlink(a *Answer) {
	for p := c.chain(&a.key); *p != nil; p = &(*p).next {
		if *p == a {
			*p, a.next, a.inTable = a.next, nil, false
			c.linked--
			return
		}
	}
}

// Outcome of Begin.
type Outcome int

const (
	// First: no answer for this key is held; the caller runs the request and calls Finish.
	First Outcome = iota
	// Repeat: an answer for this key is held (or on its way): Wait for it.
	Repeat
	// Evicted: the key was seen within the window but its answer is no longer held: refuse it
	// as a replay.
	Evicted
)

// begin looks key up: a held answer (done or on its way) makes this request a repeat of it; a
// key seen before (seen reports and records it) whose answer is gone is Evicted; otherwise a
// new pending answer is held, and the caller must Finish it.
func (c *Repeats) begin(key [32]byte, forget, now time.Time, seen func() bool) (*Answer, Outcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := now.UnixNano()
	c.expire(n)
	if a := c.find(&key); a != nil && a.forget > n {
		if !a.finished && a.done == nil {
			a.done = make(chan struct{})
		}
		return a, Repeat
	}
	if seen() {
		return nil, Evicted
	}
	a := &Answer{key: key, forget: forget.UnixNano()}
	c.link(a)
	c.push(a)
	c.shrink()
	return a, First
}

// expire forgets the oldest answers whose window has passed.
func (c *Repeats) expire(n int64) {
	for c.held > 0 && c.ring[c.head].forget <= n {
		c.dropOldest()
	}
}

// shrink evicts the oldest answers until the bounds hold.
func (c *Repeats) shrink() {
	for c.held > 0 && (c.held > c.maxCount || c.bytes > c.maxBytes) {
		c.dropOldest()
	}
}

// push adds a as the newest answer, growing the ring when it is full.
func (c *Repeats) push(a *Answer) {
	if c.held == len(c.ring) {
		ring := make([]*Answer, max(16, 2*len(c.ring)))
		for i := range c.held {
			ring[i] = c.ring[(c.head+i)%len(c.ring)]
		}
		c.ring, c.head = ring, 0
	}
	c.ring[(c.head+c.held)%len(c.ring)] = a
	c.held++
}

// dropOldest forgets the oldest answer.
func (c *Repeats) dropOldest() {
	a := c.ring[c.head]
	c.ring[c.head] = nil
	c.head = (c.head + 1) % len(c.ring)
	c.held--
	if a.inTable {
		c.unlink(a)
	}
	a.gone = true
	c.bytes -= len(a.Body)
}

// Finish records the first request's answer (status 0: none, its repeats are refused) and
// wakes the repeats waiting for it. The cache keeps body (the caller gives it up); one over
// maxRepeatAnswer is not kept.
func (c *Repeats) Finish(a *Answer, status int, body []byte) {
	c.mu.Lock()
	if status != 0 && len(body) <= maxRepeatAnswer && len(body) <= c.maxBytes {
		a.Status, a.Body = status, body
		if !a.gone {
			c.bytes += len(a.Body)
			c.shrink()
		}
	}
	a.finished = true
	done := a.done
	c.mu.Unlock()
	if done != nil {
		close(done)
	}
}

// Wait waits for the answer of a, which Begin returned as a Repeat's, until ctx ends; ok is false
// when no answer was kept (or ctx ended first): the repeat is then refused as a replay. An answer
// final when Begin looked has no channel (Begin read it final under the lock: nothing to wait for).
func (a *Answer) Wait(ctx context.Context) (status int, body []byte, ok bool) {
	if a.done != nil {
		select {
		case <-a.done: // final already: the answer, whether or not ctx has ended
		default:
			select {
			case <-a.done:
			case <-ctx.Done():
				return 0, nil, false
			}
		}
	}
	return a.Status, a.Body, a.Status != 0
}

// Len and Bytes are how many answers and body bytes the cache holds.
func (c *Repeats) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.linked
}

func (c *Repeats) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}
