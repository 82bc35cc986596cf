package history

import (
	"bytes"
	"container/heap"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/s2"
	bolt "go.etcd.io/bbolt"
	"go.uber.org/zap"
)

// The database (bbolt, one file) holds segments (segment.go): each is up to segRecords records
// of one batch in one value, under the key of its newest record, so that the newest segments come
// last and every write appends at the end of the tree (no random writes: an execution id is
// random, and an index keyed by it would dirty a page per record).
//
//	segments: recordKey(newest) || sequence (8 bytes)  ->  a bucket: 0x00  ->  index || sealed
//	          bodies (segment.go)
//	meta:     "key_id" (which key wrote the records), "format", "size" and "count", and "span":
//	          the most nanoseconds between a segment's oldest and newest record's start
//
// A record's key is its start time (8 bytes, big endian Unix nanoseconds) || its id. Segments
// overlap in time where an execution that started before the previous batch's newest finished
// after it: listing merges them by record key, which "span" bounds (a segment whose newest
// record started more than span after a time holds nothing that started before it). The index
// holds the filterable fields in clear (id, source, trigger, commit, outcome, action names):
// listing reads it and opens only the segments whose records it returns, and a lookup by id
// reads the indexes from the newest back.
var (
	bucketSegments = []byte("segments")
	bucketMeta     = []byte("meta")
	metaKeyID      = []byte("key_id")
	metaFormat     = []byte("format")
	metaSize       = []byte("size")
	metaCount      = []byte("count")
	metaSpan       = []byte("span")
	// formatSegments is this layout's "format"; a database without it is of an earlier layout
	// (one value per record, or "segments-1", whose index entries had every field in full), which
	// is moved aside as one of another key is.
	formatSegments = []byte("segments-2")
)

type store struct {
	path string
	db   *bolt.DB
	keys keys
	// size and count mirror meta's, for the metrics and the status without a transaction; span
	// is meta's.
	size, count, span int64
	sizeA, cntA       atomic.Int64
	// arena holds put's keys and values, kept from one batch to the next; plain and packed
	// are the scratch of a segment's bodies before and after compression, ad of its key and index.
	arena, plain, packed, ad []byte
	// last is the greatest record key written (the writer's): a record with a key above it is
	// new, and put looks only the others up.
	last []byte
}

// openStore opens the database at path. One written with another key (the key changed), or in
// an earlier layout, is moved aside, named in a warning, and a new one started: its
// records could not be read any more.
func openStore(path string, ks keys, log *zap.Logger) (*store, error) {
	s, err := tryOpen(path, ks)
	for _, aside := range []struct {
		err    error
		suffix string
		why    string
	}{
		{errOtherKey, "other-key", "the database was written with another key"},
		{errOldFormat, "old-format", "the database was written by an earlier version, in another layout"},
	} {
		if !errors.Is(err, aside.err) {
			continue
		}
		to := path + "." + strconv.FormatInt(time.Now().Unix(), 10) + "." + aside.suffix
		if rerr := os.Rename(path, to); rerr != nil {
			return nil, fmt.Errorf("history: %s: %s, and moving it aside failed: %w", path, aside.err, rerr)
		}
		log.Warn("history: "+aside.why+"; it is kept aside and a new one started", zap.String("kept", to))
		return tryOpen(path, ks)
	}
	return s, err
}

var (
	errOtherKey  = errors.New("written with another key")
	errOldFormat = errors.New("written in an earlier layout")
)

func tryOpen(path string, ks keys) (*store, error) {
	// The initial map is address space, not memory: it spares the remaps (and the copies of
	// every open node they bring) while the file grows to it.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second, FreelistType: bolt.FreelistMapType, InitialMmapSize: 256 << 20})
	if err != nil {
		return nil, fmt.Errorf("history: opening %s: %w", path, err)
	}
	s := &store{path: path, db: db, keys: ks}
	err = db.Update(func(tx *bolt.Tx) error {
		if m := tx.Bucket(bucketMeta); m != nil && !bytes.Equal(m.Get(metaFormat), formatSegments) {
			return errOldFormat
		}
		for _, b := range [][]byte{bucketSegments, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if id := meta.Get(metaKeyID); id == nil {
			if err := meta.Put(metaKeyID, ks.id); err != nil {
				return err
			}
			if err := meta.Put(metaFormat, formatSegments); err != nil {
				return err
			}
		} else if !bytes.Equal(id, ks.id) {
			return errOtherKey
		}
		s.size, s.count, s.span = getInt(meta, metaSize), getInt(meta, metaCount), getInt(meta, metaSpan)
		if k, _ := tx.Bucket(bucketSegments).Cursor().Last(); k != nil {
			s.last = bytes.Clone(segMax(k))
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		if errors.Is(err, errOtherKey) || errors.Is(err, errOldFormat) {
			return nil, err
		}
		return nil, fmt.Errorf("history: %s: %w", path, err)
	}
	s.sizeA.Store(s.size)
	s.cntA.Store(s.count)
	return s, nil
}

func getInt(b *bolt.Bucket, k []byte) int64 {
	v := b.Get(k)
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

func putInt(b *bolt.Bucket, k []byte, n int64) error {
	return b.Put(k, binary.BigEndian.AppendUint64(nil, uint64(n)))
}

// maxKeptArena bounds the buffers the writer keeps from one batch to the next.
const maxKeptArena = 8 << 20

func (s *store) sizeNow() int64  { return s.sizeA.Load() }
func (s *store) countNow() int64 { return s.cntA.Load() }
func (s *store) close() error    { return s.db.Close() }

// recordKey is the key of a record that started at t with id.
func recordKey(t time.Time, id string) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(id)), uint64(t.UnixNano()))
	return append(k, id...)
}

func keyTime(k []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))).UTC()
}

func keyNanos(k []byte) int64 { return int64(binary.BigEndian.Uint64(k[:8])) }

// timeKey is the 8-byte key prefix of nanos, saturated to the keys' range.
func timeKey(nanos int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(max(nanos, 0))) }

// addNanos adds without overflow.
func addNanos(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// put writes the records in segments, in one transaction; on error nothing is written. A record
// already stored (the same execution written twice) is not written again. The writer alone calls
// put and deleteOldest, which own size, count, span and last.
func (s *store) put(recs []built) error {
	slices.SortFunc(recs, func(a, b built) int {
		if c := a.time.Compare(b.time); c != 0 {
			return c
		}
		return strings.Compare(a.index.ID, b.index.ID)
	})
	size, count, span, last := s.size, s.count, s.span, s.last
	err := s.db.Update(func(tx *bolt.Tx) error {
		segments, meta := tx.Bucket(bucketSegments), tx.Bucket(bucketMeta)
		segments.FillPercent = 1 // appends only: full pages
		// Keys and values in one buffer, which bbolt refers to until the commit: when it grows on
		// the way, what bbolt was given stays where it was. Kept for the next batch, it is as
		// large as a batch's segments compressed, a tenth of their records.
		arena := s.arena[:0]
		defer func() {
			if cap(arena) <= maxKeptArena {
				s.arena = arena[:0]
			}
		}()
		var prev []byte // the previous record's key, in the batch
		seg := make([]*built, 0, segRecords)
		flush := func() error {
			if len(seg) == 0 {
				return nil
			}
			first, newest := seg[0], seg[len(seg)-1]
			seq, err := segments.NextSequence()
			if err != nil {
				return err
			}
			at := len(arena)
			arena = segKey(arena, recordKey(newest.time, newest.index.ID), seq)
			k := arena[at:len(arena):len(arena)]
			// The index, then the bodies compressed and sealed with key || index as additional data.
			ad := append(s.ad[:0], k...) // key || index
			ad = binary.AppendUvarint(ad, uint64(len(seg)))
			plain := s.plain[:0]
			var prev *built
			for _, r := range seg {
				plain = append(plain, r.body...)
				ad = appendEntry(ad, r, prev, len(plain))
				prev = r
			}
			s.plain, s.ad = plain, ad
			if need := s2.MaxEncodedLen(len(plain)); cap(s.packed) < need {
				s.packed = make([]byte, need)
			}
			packed := s2.Encode(s.packed[:cap(s.packed)], plain)
			ix := ad[len(k):]
			at = len(arena)
			arena = binary.AppendUvarint(arena, uint64(len(ix)))
			arena = append(arena, ix...)
			arena = s.keys.seal(arena, packed, ad)
			v := arena[at:len(arena):len(arena)]
			if err := putSegment(segments, k, v); err != nil {
				return err
			}
			size += int64(len(k) + len(v))
			count += int64(len(seg))
			span = max(span, newest.time.UnixNano()-first.time.UnixNano())
			if bytes.Compare(segMax(k), last) > 0 {
				last = segMax(k)
			}
			seg = seg[:0]
			return nil
		}
		plainLen := 0
		for i := range recs {
			r := &recs[i]
			k := recordKey(r.time, r.index.ID)
			if bytes.Equal(k, prev) || bytes.Compare(k, last) <= 0 && s.holds(segments, k, span) {
				continue // written already
			}
			prev = k
			if len(seg) == segRecords || len(seg) > 0 && (plainLen+len(r.body) > segBytes || r.time.Sub(seg[0].time) > segSpan) {
				if err := flush(); err != nil {
					return err
				}
				plainLen = 0
			}
			seg = append(seg, r)
			plainLen += len(r.body)
		}
		if err := flush(); err != nil {
			return err
		}
		if err := putInt(meta, metaSize, size); err != nil {
			return err
		}
		if span != s.span {
			if err := putInt(meta, metaSpan, span); err != nil {
				return err
			}
		}
		return putInt(meta, metaCount, count)
	})
	if err != nil {
		return err
	}
	s.setTotals(size, count)
	s.span = span
	s.last = append(s.last[:0], last...)
	return nil
}

// segValueKey is the one key of a segment's bucket.
var segValueKey = []byte{0}

// putSegment stores a segment's value, in a bucket of its own under its key: its pages are
// written once. (As a value of the segments bucket, it would share a leaf with the segments
// before it, at least two of them, which bbolt writes again with every batch that appends to
// that leaf: about twice the pages per commit.)
func putSegment(segments *bolt.Bucket, k, v []byte) error {
	b, err := segments.CreateBucket(k)
	if err != nil {
		return err
	}
	b.FillPercent = 1
	return b.Put(segValueKey, v)
}

// segmentValue is the value of the segment at k; nil when there is none.
func segmentValue(segments *bolt.Bucket, k []byte) []byte {
	if b := segments.Bucket(k); b != nil {
		return b.Get(segValueKey)
	}
	return nil
}

// holds tells whether a segment holds the record key k: only the segments whose newest record
// started from k's time to span after it may.
func (s *store) holds(segments *bolt.Bucket, k []byte, span int64) bool {
	upto := addNanos(keyNanos(k), span)
	c := segments.Cursor()
	for sk, _ := c.Seek(k[:8]); sk != nil && keyNanos(sk) <= upto; sk, _ = c.Next() {
		if ix, _, err := splitValue(segmentValue(segments, sk)); err == nil && holdsKey(ix, k) {
			return true
		}
	}
	return false
}

func (s *store) setTotals(size, count int64) {
	s.size, s.count = size, count
	s.sizeA.Store(size)
	s.cntA.Store(count)
}

// deleteOldest deletes segments from the oldest on while keep says so, at most 1,000 per
// transaction, and returns how many records went. keep is given a segment's key and the size
// of the stored records.
func (s *store) deleteOldest(keep func(k []byte, size int64) bool) (int, error) {
	total := 0
	for {
		n, segs := 0, 0
		size, count := s.size, s.count
		err := s.db.Update(func(tx *bolt.Tx) error {
			meta, segments := tx.Bucket(bucketMeta), tx.Bucket(bucketSegments)
			// The keys first: deleting a segment's bucket under a cursor would move it.
			var gone [][]byte
			c := segments.Cursor()
			for k, _ := c.First(); k != nil && segs < 1000 && !keep(k, size); k, _ = c.Next() {
				v := segmentValue(segments, k)
				ix, _, err := splitValue(v)
				if err != nil {
					return err
				}
				size -= int64(len(k) + len(v))
				count -= int64(segCount(ix))
				n += segCount(ix)
				gone = append(gone, k)
				segs++
			}
			for _, k := range gone {
				if err := segments.DeleteBucket(k); err != nil {
					return err
				}
			}
			if segs == 0 {
				return nil
			}
			if err := putInt(meta, metaSize, max(size, 0)); err != nil {
				return err
			}
			return putInt(meta, metaCount, max(count, 0))
		})
		if err != nil {
			return total, err
		}
		if segs == 0 {
			return total, nil
		}
		s.setTotals(max(size, 0), max(count, 0))
		total += n
	}
}

// deleteBefore deletes the segments whose records all started before t.
func (s *store) deleteBefore(t time.Time) (int, error) {
	bound := recordKey(t, "")
	return s.deleteOldest(func(k []byte, _ int64) bool { return bytes.Compare(k, bound) >= 0 })
}

// shrinkTo deletes the oldest segments until the records take at most max bytes.
func (s *store) shrinkTo(max int64) (int, error) {
	if s.size <= max {
		return 0, nil
	}
	return s.deleteOldest(func(_ []byte, size int64) bool { return size <= max })
}

// Filter selects records; zero fields select all.
type Filter struct {
	Trigger, Action, Outcome, Commit, Source string
	Since, Until                             time.Time // inclusive
}

func (f Filter) match(t time.Time, ix *index) bool {
	if f.Trigger != "" && ix.Trigger != f.Trigger || f.Outcome != "" && ix.Outcome != f.Outcome ||
		f.Commit != "" && !commitMatches(ix.Commit, f.Commit) || f.Source != "" && ix.Source != f.Source ||
		!f.Since.IsZero() && t.Before(f.Since) || !f.Until.IsZero() && t.After(f.Until) {
		return false
	}
	if f.Action == "" {
		return true
	}
	for _, a := range ix.Actions {
		if a == f.Action {
			return true
		}
	}
	return false
}

// commitMatches: the whole commit, or a prefix of at least 7 characters as git abbreviates it.
func commitMatches(commit, want string) bool {
	return commit == want || len(want) >= 7 && len(want) < len(commit) && commit[:len(want)] == want
}

// ErrBadCursor is a cursor this history did not give.
var ErrBadCursor = errors.New("the cursor is not one a previous page gave")

// ErrNotFound is an id with no record.
var ErrNotFound = errors.New("no such execution")

// openSegment is a segment being listed: its index entries that may still be returned, in key
// order (the next to return last), and its plain text once a record of it is returned.
type openSegment struct {
	key, ix, sealed []byte
	entries         []ixEntry
	plain           []byte
}

// body returns e's body, opening the segment the first time.
func (o *openSegment) body(s *store, e *ixEntry) ([]byte, error) {
	if o.plain == nil {
		var err error
		if o.plain, err = s.openSegment(o.key, o.ix, o.sealed); err != nil {
			return nil, err
		}
	}
	if e.end > len(o.plain) {
		return nil, errDamaged
	}
	return o.plain[e.start:e.end:e.end], nil
}

// openSegment decrypts and decompresses a segment's bodies.
func (s *store) openSegment(key, ix, sealed []byte) ([]byte, error) {
	ad := append(append(make([]byte, 0, len(key)+len(ix)), key...), ix...)
	packed, err := s.keys.open(sealed, ad)
	if err != nil {
		return nil, err
	}
	plain, err := s2.Decode(nil, packed)
	if err != nil {
		return nil, fmt.Errorf("history: a segment does not decompress: %w", err)
	}
	return plain, nil
}

// segmentHeap orders the open segments by their next record's key, the greatest on top.
type segmentHeap []*openSegment

func (h segmentHeap) Len() int { return len(h) }
func (h segmentHeap) Less(i, j int) bool {
	return bytes.Compare(h[i].entries[len(h[i].entries)-1].key, h[j].entries[len(h[j].entries)-1].key) > 0
}
func (h segmentHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *segmentHeap) Push(x any)   { *h = append(*h, x.(*openSegment)) }
func (h *segmentHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// list returns up to limit records matching f, newest first, starting after cursor (as a
// previous page's next gave it: the key of its last record); next is "" on the last page.
//
// It walks the segments from the newest back and merges their records by key: a record is
// returned once no segment left to read can hold a greater key (each holds none above its own
// key's record key). Its first segment is the newest whose records may start before the bound:
// span after it at most.
func (s *store) list(f Filter, cursor string, limit int) ([]json.RawMessage, string, error) {
	var bound []byte // records below it; nil: all
	if !f.Until.IsZero() {
		bound = recordKey(f.Until.Add(time.Nanosecond), "")
	}
	if cursor != "" {
		ck, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(ck) < 8 {
			return nil, "", ErrBadCursor
		}
		if bound == nil || bytes.Compare(ck, bound) < 0 {
			bound = ck
		}
	}
	var out []json.RawMessage
	var next string
	err := s.db.View(func(tx *bolt.Tx) error {
		segments := tx.Bucket(bucketSegments)
		c := segments.Cursor()
		var k []byte
		if bound == nil {
			k, _ = c.Last()
		} else if k, _ = c.Seek(timeKey(addNanos(addNanos(keyNanos(bound), getInt(tx.Bucket(bucketMeta), metaSpan)), 1))); k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		var open segmentHeap
		var last []byte
		for {
			// Read the next segment while it may hold a record above the best one open.
			if k != nil && (!f.Since.IsZero() && keyTime(k).Before(f.Since)) {
				k = nil // it and those before it started before since
			}
			if k != nil && (open.Len() == 0 || bytes.Compare(segMax(k), open[0].entries[len(open[0].entries)-1].key) >= 0) {
				if err := s.openForList(&open, k, segmentValue(segments, k), f, bound); err != nil {
					return err
				}
				k, _ = c.Prev()
				continue
			}
			if open.Len() == 0 {
				return nil
			}
			o := open[0]
			e := &o.entries[len(o.entries)-1]
			if len(out) == limit { // one more matches: there is a next page
				next = base64.RawURLEncoding.EncodeToString(last)
				return nil
			}
			body, err := o.body(s, e)
			if err != nil {
				return err
			}
			if !bytes.Equal(e.key, last) { // the same execution twice: once
				out = append(out, body)
				last = e.key
			}
			if o.entries = o.entries[:len(o.entries)-1]; len(o.entries) == 0 {
				heap.Pop(&open)
			} else {
				heap.Fix(&open, 0)
			}
		}
	})
	return out, next, err
}

// openForList adds the segment k, v to open with its records that match f and lie below bound.
func (s *store) openForList(open *segmentHeap, k, v []byte, f Filter, bound []byte) error {
	ix, sealed, err := splitValue(v)
	if err != nil {
		return err
	}
	entries, err := decodeIndex(ix)
	if err != nil {
		return err
	}
	kept := entries[:0]
	for _, e := range entries {
		if (bound == nil || bytes.Compare(e.key, bound) < 0) && f.match(e.time(), &e.index) {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	// The transaction's memory is valid until it ends; a body returned is in the plain text.
	heap.Push(open, &openSegment{key: k, ix: ix, sealed: sealed, entries: kept})
	return nil
}

// get returns the record id: the segments' indexes are read from the newest back, and only the
// one holding it is opened.
func (s *store) get(id string) (json.RawMessage, error) {
	var body []byte
	want := idNeedle(id)
	err := s.db.View(func(tx *bolt.Tx) error {
		segments := tx.Bucket(bucketSegments)
		c := segments.Cursor()
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			ix, sealed, err := splitValue(segmentValue(segments, k))
			if err != nil {
				return err
			}
			if !bytes.Contains(ix, want) {
				continue
			}
			entries, err := decodeIndex(ix)
			if err != nil {
				return err
			}
			for i := range entries {
				if entries[i].index.ID == id {
					o := openSegment{key: k, ix: ix, sealed: sealed}
					body, err = o.body(s, &entries[i])
					return err
				}
			}
		}
		return ErrNotFound
	})
	return body, err
}
