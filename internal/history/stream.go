package history

import (
	"encoding/json"
	gosync "sync"
)

// List returns up to limit records matching f, newest first, after cursor (a previous page's
// next; "" for the first page). next is "" on the last page. A cursor this history did not give
// is ErrBadCursor.
func (h *History) List(f Filter, cursor string, limit int) (records []json.RawMessage, next string, err error) {
	return h.db.list(f, cursor, limit)
}

// Get returns the record of execution id, or ErrNotFound.
func (h *History) Get(id string) (json.RawMessage, error) { return h.db.get(id) }

// Subscription receives the records written from its start on that match its filter (C), as
// they are written. A subscriber that does not keep up misses records: Missed counts them.
type Subscription struct {
	C      <-chan json.RawMessage
	c      chan json.RawMessage
	filter Filter
	h      *History
	mu     gosync.Mutex // guards missed
	missed int
}

// subscribers are the live tails; publish never waits for one.
type subscribers struct {
	mu     gosync.Mutex // guards set and closed
	set    map[*Subscription]struct{}
	closed bool
}

// subscriptionBuffer is how many records a subscriber may be behind before it misses some.
const subscriptionBuffer = 256

// Subscribe starts a live tail of the records matching f. Cancel ends it; so does Close, which
// closes C.
func (h *History) Subscribe(f Filter) *Subscription {
	c := make(chan json.RawMessage, subscriptionBuffer)
	s := &Subscription{C: c, c: c, filter: f, h: h}
	h.subs.mu.Lock()
	defer h.subs.mu.Unlock()
	if h.subs.closed {
		close(c)
		return s
	}
	if h.subs.set == nil {
		h.subs.set = map[*Subscription]struct{}{}
	}
	h.subs.set[s] = struct{}{}
	return s
}

// Cancel ends the subscription; C is not closed, nothing more arrives on it.
func (s *Subscription) Cancel() {
	s.h.subs.mu.Lock()
	delete(s.h.subs.set, s)
	s.h.subs.mu.Unlock()
}

// Missed returns how many records the subscriber missed since the last call, and resets it.
func (s *Subscription) Missed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.missed
	s.missed = 0
	return n
}

// publish sends b's body to the subscribers whose filter it matches, and tells whether any
// was given it.
func (ss *subscribers) publish(b *built) (sent bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for s := range ss.set {
		if !s.filter.match(b.time, &b.index) {
			continue
		}
		select {
		case s.c <- b.body:
			sent = true
		default:
			s.mu.Lock()
			s.missed++
			s.mu.Unlock()
		}
	}
	return sent
}

func (ss *subscribers) closeAll() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.closed = true
	for s := range ss.set {
		close(s.c)
	}
	ss.set = nil
}
