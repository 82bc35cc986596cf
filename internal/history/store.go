package history

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.uber.org/zap"
)

// The database (bbolt, one file): records under keys that sort by time, so that the newest come
// last and a cursor is a key; an id index; and the meta numbers.
//
//	records: time (8 bytes, big endian Unix nanoseconds) || id  ->  uvarint(len(index)) || index JSON || nonce || AES-GCM(body)
//	ids:     id -> the record's key
//	meta:    "key_id" (which key wrote the records), "size" and "count" (8 bytes each)
//
// The index holds the filterable fields in clear (id, source, trigger, commit, outcome, action
// names); the body, with the event, logs, errors, commands and outbound requests, is encrypted
// with the record's key as additional data, so that a body moved under another key fails.
var (
	bucketRecords = []byte("records")
	bucketIDs     = []byte("ids")
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
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("history: opening %s: %w", path, err)
	}
	s := &store{path: path, db: db, keys: ks}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketRecords, bucketIDs, bucketMeta} {
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

// entrySize is what a record takes in the size account: its entry and its id's.
func entrySize(k, v []byte) int64 { return int64(2*len(k) + len(v) + (len(k) - 8)) }

// put writes the records in one transaction; on error nothing is written.
func (s *store) put(recs []*built) error {
	size, count := s.size, s.count
	err := s.db.Update(func(tx *bolt.Tx) error {
		records, ids, meta := tx.Bucket(bucketRecords), tx.Bucket(bucketIDs), tx.Bucket(bucketMeta)
		for _, r := range recs {
			id := []byte(r.index.ID)
			if old := ids.Get(id); old != nil { // an id seen already (a retried write): replace it
				if v := records.Get(old); v != nil {
					size -= entrySize(old, v)
					count--
					if err := records.Delete(old); err != nil {
						return err
					}
				}
			}
			k := recordKey(r.time, r.index.ID)
			idx, err := json.Marshal(&r.index)
			if err != nil {
				return err
			}
			v := binary.AppendUvarint(nil, uint64(len(idx)))
			v = append(v, idx...)
			v = s.keys.seal(v, r.body, k)
			if err := records.Put(k, v); err != nil {
				return err
			}
			if err := ids.Put(id, k); err != nil {
				return err
			}
			size += entrySize(k, v)
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
			records, ids, meta := tx.Bucket(bucketRecords), tx.Bucket(bucketIDs), tx.Bucket(bucketMeta)
			c := records.Cursor()
			for k, v := c.First(); k != nil && n < 10000 && !keep(k, size); k, v = c.Next() {
				size -= entrySize(k, v)
				count--
				if err := ids.Delete(k[8:]); err != nil {
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

// decodeEntry splits a record's value into its index and its sealed body.
func decodeEntry(v []byte) (index, []byte, error) {
	var ix index
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return ix, nil, errors.New("history: a record's entry is damaged")
	}
	if err := json.Unmarshal(v[w:w+int(n)], &ix); err != nil {
		return ix, nil, fmt.Errorf("history: a record's index is damaged: %w", err)
	}
	return ix, v[w+int(n):], nil
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
		c := tx.Bucket(bucketRecords).Cursor()
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
			ix, sealed, err := decodeEntry(v)
			if err != nil {
				return err
			}
			if !f.match(t, &ix) {
				continue
			}
			if len(out) == limit { // one more matches: there is a next page
				next = base64.RawURLEncoding.EncodeToString(last)
				break
			}
			body, err := s.keys.open(sealed, k)
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

// get returns the record id.
func (s *store) get(id string) (json.RawMessage, error) {
	var body []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		k := tx.Bucket(bucketIDs).Get([]byte(id))
		if k == nil {
			return ErrNotFound
		}
		v := tx.Bucket(bucketRecords).Get(k)
		if v == nil {
			return ErrNotFound
		}
		_, sealed, err := decodeEntry(v)
		if err != nil {
			return err
		}
		body, err = s.keys.open(sealed, k)
		return err
	})
	return body, err
}
