package history

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.uber.org/zap"
)

// The database (bbolt, one file): two buckets under the same keys, which sort by start time, so
// that the newest come last, a cursor is a key, and every write appends at the end of both trees
// (no random writes: an execution id is random, and an index keyed by it would dirty a page per
// record).
//
//	index:   time (8 bytes, big endian Unix nanoseconds) || id  ->  index JSON
//	records: the same key  ->  nonce || AES-GCM(body)
//	meta:    "key_id" (which key wrote the records), "size" and "count" (8 bytes each)
//
// The index holds the filterable fields in clear (id, source, trigger, commit, outcome, action
// names): listing scans it and opens only the bodies it returns, and a lookup by id scans its keys
// from the newest back. The body, with the event, logs, errors, commands and outbound requests,
// is encrypted with its key as additional data, so that a body moved under another key fails.
var (
	bucketIndex   = []byte("index")
	bucketRecords = []byte("records")
	bucketMeta    = []byte("meta")
	metaKeyID     = []byte("key_id")
	metaSize      = []byte("size")
	metaCount     = []byte("count")
)

type store struct {
	path string
	db   *bolt.DB
	keys keys
	// size and count mirror meta's, for the metrics and the status without a transaction.
	size  int64
	count int64
	sizeA atomic.Int64
	cntA  atomic.Int64
	// arena is put's buffer of keys, indexes and sealed bodies, kept from one batch to the next.
	arena []byte
	// last is the greatest key written (the writer's): a key above it is new, and put looks
	// only the others up.
	last []byte
}

// openStore opens the database at path. One written with another key (the key changed) is moved
// aside, named in a warning, and a new one started: its records could not be read any more.
func openStore(path string, ks keys, log *zap.Logger) (*store, error) {
	s, err := tryOpen(path, ks)
	if errors.Is(err, errOtherKey) {
		aside := path + "." + strconv.FormatInt(time.Now().Unix(), 10) + ".other-key"
		if rerr := os.Rename(path, aside); rerr != nil {
			return nil, fmt.Errorf("history: %s was written with another key, and moving it aside failed: %w", path, rerr)
		}
		log.Warn("history: the database was written with another key; it is kept aside and a new one started", zap.String("kept", aside))
		s, err = tryOpen(path, ks)
	}
	return s, err
}

var errOtherKey = errors.New("written with another key")

func tryOpen(path string, ks keys) (*store, error) {
	// The initial map is address space, not memory: it spares the remaps (and the copies of
	// every open node they bring) while the file grows to it.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second, FreelistType: bolt.FreelistMapType, InitialMmapSize: 256 << 20})
	if err != nil {
		return nil, fmt.Errorf("history: opening %s: %w", path, err)
	}
	s := &store{path: path, db: db, keys: ks}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketIndex, bucketRecords, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if id := meta.Get(metaKeyID); id == nil {
			if err := meta.Put(metaKeyID, ks.id); err != nil {
				return err
			}
		} else if !bytes.Equal(id, ks.id) {
			return errOtherKey
		}
		s.size, s.count = getInt(meta, metaSize), getInt(meta, metaCount)
		if k, _ := tx.Bucket(bucketRecords).Cursor().Last(); k != nil {
			s.last = bytes.Clone(k)
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		if errors.Is(err, errOtherKey) {
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

// entrySize is what a record takes in the size account: its key twice, its index and its body.
func entrySize(k, ix, body []byte) int64 { return int64(2*len(k) + len(ix) + len(body)) }

// put writes the records in one transaction; on error nothing is written. The writer alone
// calls put and deleteOldest, which own size and count.
func (s *store) put(recs []built) error {
	// In key order, so that bbolt appends (and a record's key is above the last one's but for the
	// executions that started before the previous batch's last).
	slices.SortFunc(recs, func(a, b built) int {
		if c := a.time.Compare(b.time); c != 0 {
			return c
		}
		return strings.Compare(a.index.ID, b.index.ID)
	})
	size, count, last := s.size, s.count, s.last
	err := s.db.Update(func(tx *bolt.Tx) error {
		index, records, meta := tx.Bucket(bucketIndex), tx.Bucket(bucketRecords), tx.Bucket(bucketMeta)
		index.FillPercent, records.FillPercent = 1, 1 // appends only: full pages
		// One buffer holds every key, index and sealed body of the batch: bbolt keeps what Put is
		// given until the commit.
		n := 0
		for i := range recs {
			r := &recs[i]
			n += 2*(8+len(r.index.ID)) + 256 + len(r.body) + s.keys.aead.NonceSize() + s.keys.aead.Overhead()
		}
		// bbolt refers to what Put is given until the transaction ends, not after: the arena is
		// the store's, reused by the next batch.
		arena := s.arena[:0]
		if cap(arena) < n {
			arena = make([]byte, 0, n)
		}
		defer func() {
			if cap(arena) <= maxKeptArena {
				s.arena = arena[:0]
			}
		}()
		carve := func(from int) []byte { return arena[from:len(arena):len(arena)] }
		for i := range recs {
			r := &recs[i]
			at := len(arena)
			arena = binary.BigEndian.AppendUint64(arena, uint64(r.time.UnixNano()))
			arena = append(arena, r.index.ID...)
			k := carve(at)
			at = len(arena)
			arena = appendIndex(arena, &r.index)
			ix := carve(at)
			at = len(arena)
			arena = s.keys.seal(arena, r.body, k)
			sealed := carve(at)
			if bytes.Compare(k, last) > 0 {
				last = k
			} else if old := records.Get(k); old != nil { // the same execution again (a retried write)
				size -= entrySize(k, index.Get(k), old)
				count--
			}
			if err := index.Put(k, ix); err != nil {
				return err
			}
			if err := records.Put(k, sealed); err != nil {
				return err
			}
			size += entrySize(k, ix, sealed)
			count++
		}
		if err := putInt(meta, metaSize, size); err != nil {
			return err
		}
		return putInt(meta, metaCount, count)
	})
	if err != nil {
		return err
	}
	s.setTotals(size, count)
	s.last = append(s.last[:0], last...)
	return nil
}

func (s *store) setTotals(size, count int64) {
	s.size, s.count = size, count
	s.sizeA.Store(size)
	s.cntA.Store(count)
}

// deleteOldest deletes records from the oldest on while keep says so, at most max per
// transaction, and returns how many went.
func (s *store) deleteOldest(keep func(k []byte, size int64) bool) (int, error) {
	total := 0
	for {
		n := 0
		size, count := s.size, s.count
		err := s.db.Update(func(tx *bolt.Tx) error {
			index, records, meta := tx.Bucket(bucketIndex), tx.Bucket(bucketRecords), tx.Bucket(bucketMeta)
			c := index.Cursor()
			for k, ix := c.First(); k != nil && n < 10000 && !keep(k, size); k, ix = c.Next() {
				size -= entrySize(k, ix, records.Get(k))
				count--
				if err := records.Delete(k); err != nil {
					return err
				}
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
			if n == 0 {
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
		if n == 0 {
			return total, nil
		}
		s.setTotals(max(size, 0), max(count, 0))
		total += n
	}
}

// deleteBefore deletes the records that started before t.
func (s *store) deleteBefore(t time.Time) (int, error) {
	bound := recordKey(t, "")
	return s.deleteOldest(func(k []byte, _ int64) bool { return bytes.Compare(k, bound) >= 0 })
}

// shrinkTo deletes the oldest records until the records take at most max bytes.
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

// list returns up to limit records matching f, newest first, starting after cursor (as a
// previous page's next gave it); next is "" on the last page.
func (s *store) list(f Filter, cursor string, limit int) ([]json.RawMessage, string, error) {
	bound := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff} // above every key
	if !f.Until.IsZero() {
		bound = recordKey(f.Until.Add(time.Nanosecond), "")
	}
	if cursor != "" {
		ck, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(ck) < 8 {
			return nil, "", ErrBadCursor
		}
		if bytes.Compare(ck, bound) < 0 {
			bound = ck
		}
	}
	var out []json.RawMessage
	var next string
	err := s.db.View(func(tx *bolt.Tx) error {
		records := tx.Bucket(bucketRecords)
		c := tx.Bucket(bucketIndex).Cursor()
		k, v := c.Seek(bound)
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		var last []byte
		for ; k != nil; k, v = c.Prev() {
			t := keyTime(k)
			if !f.Since.IsZero() && t.Before(f.Since) {
				break
			}
			var ix index
			if err := json.Unmarshal(v, &ix); err != nil {
				return fmt.Errorf("history: a record's index is damaged: %w", err)
			}
			if !f.match(t, &ix) {
				continue
			}
			if len(out) == limit { // one more matches: there is a next page
				next = base64.RawURLEncoding.EncodeToString(last)
				break
			}
			body, err := s.keys.open(records.Get(k), k)
			if err != nil {
				return err
			}
			out = append(out, body)
			last = append(last[:0], k...)
		}
		return nil
	})
	return out, next, err
}

// get returns the record id: its key is found by a scan of the index's keys from the newest back,
// which reads no value and no body.
func (s *store) get(id string) (json.RawMessage, error) {
	var body []byte
	want := []byte(id)
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketIndex).Cursor()
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			if bytes.Equal(k[8:], want) {
				var err error
				body, err = s.keys.open(tx.Bucket(bucketRecords).Get(k), k)
				return err
			}
		}
		return ErrNotFound
	})
	return body, err
}
