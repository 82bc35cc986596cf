package history

import (
	"bytes"
	"encoding/binary"
	"errors"
	"time"
)

// A segment is up to segRecords records (of one batch, in key order) stored as one bbolt value:
// their index entries in clear, then their bodies, one after the other, compressed (S2) and
// encrypted together (AES-GCM) as one sealed body. A batch writes a few values instead of two per
// record, and compresses the records of one action, which share most of their text, about tenfold:
// those were most of the writer's CPU per record (bbolt's insertions, the pages written at commit
// and their fsync).
//
//	value: uvarint(len(ix)) || ix || nonce || AES-GCM(S2(body 1 || body 2 || …), ad: key || ix)
//	ix:    uvarint(count) || count × entry, in key order (oldest first)
//	entry: time (8 bytes, big endian Unix nanoseconds) || uvarint(end of the body in the plain
//	       text) || str(id) || str(source) || str(trigger) || str(commit) || str(outcome) ||
//	       uvarint(actions) || actions × str(action)
//	str:   uvarint(length) || bytes
//
// The index is the additional data of the body's encryption: a body moved under another key or
// beside another index fails to open.
const (
	// segRecords bounds the records of a segment: a lookup by id opens one whole segment.
	segRecords = 64
	// segBytes bounds a segment's bodies (before compression), but for a single record.
	segBytes = 1 << 20
	// segSpan bounds the time between a segment's oldest and newest record's start: retention
	// deletes whole segments, as soon as their newest record is over the age limit.
	segSpan = time.Second
)

// segKey is a segment's key: the key of its newest record (recordKey), then a sequence number,
// so that segments sort by their newest record, and two never share a key.
func segKey(dst, maxKey []byte, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, maxKey...), seq)
}

// segMax is the record key of the newest record of the segment at key k.
func segMax(k []byte) []byte { return k[:len(k)-8] }

// ixEntry is one record's index entry in a segment.
type ixEntry struct {
	key        []byte // recordKey(time, id), in the index's storage
	start, end int    // the body in the segment's plain text
	index      index
}

func (e *ixEntry) time() time.Time { return keyTime(e.key) }

// appendEntry appends r's index entry, its body ending at end in the plain text.
func appendEntry(b []byte, r *built, end int) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(r.time.UnixNano()))
	b = binary.AppendUvarint(b, uint64(end))
	b = appendStr(b, r.index.ID)
	b = appendStr(b, r.index.Source)
	b = appendStr(b, r.index.Trigger)
	b = appendStr(b, r.index.Commit)
	b = appendStr(b, r.index.Outcome)
	b = binary.AppendUvarint(b, uint64(len(r.index.Actions)))
	for _, a := range r.index.Actions {
		b = appendStr(b, a)
	}
	return b
}

func appendStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

var errDamaged = errors.New("history: a segment's index is damaged")

// splitValue splits a segment's value into its index and its sealed body.
func splitValue(v []byte) (ix, sealed []byte, err error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return nil, nil, errDamaged
	}
	return v[w : w+int(n)], v[w+int(n):], nil
}

// segCount is the number of records of the index ix.
func segCount(ix []byte) int {
	n, w := binary.Uvarint(ix)
	if w <= 0 {
		return 0
	}
	return int(n)
}

// decodeIndex decodes the index ix; each entry's key is in a buffer of its own, not in ix (a
// value read from bbolt lives only as long as its transaction).
func decodeIndex(ix []byte) ([]ixEntry, error) {
	d := decoder{b: ix}
	n := d.uvarint()
	if d.err != nil || n > uint64(len(ix)) {
		return nil, errDamaged
	}
	out := make([]ixEntry, n)
	start := 0
	for i := range out {
		e := &out[i]
		if len(d.b) < 8 {
			return nil, errDamaged
		}
		t := d.b[:8]
		d.b = d.b[8:]
		e.start, e.end = start, int(d.uvarint())
		e.index.ID = d.str()
		e.index.Source, e.index.Trigger, e.index.Commit, e.index.Outcome = d.str(), d.str(), d.str(), d.str()
		if na := d.uvarint(); na > 0 && na <= uint64(len(d.b)) {
			e.index.Actions = make([]string, na)
			for j := range e.index.Actions {
				e.index.Actions[j] = d.str()
			}
		}
		if d.err != nil || e.end < start {
			return nil, errDamaged
		}
		e.key = append(append(make([]byte, 0, 8+len(e.index.ID)), t...), e.index.ID...)
		start = e.end
	}
	return out, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	n, w := binary.Uvarint(d.b)
	if w <= 0 {
		d.err = errDamaged
		return 0
	}
	d.b = d.b[w:]
	return n
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errDamaged
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// holdsKey tells whether the index ix has an entry with the record key k.
func holdsKey(ix, k []byte) bool {
	if !bytes.Contains(ix, k[8:]) { // the id, in clear: most segments are ruled out here
		return false
	}
	entries, err := decodeIndex(ix)
	if err != nil {
		return false
	}
	for i := range entries {
		if bytes.Equal(entries[i].key, k) {
			return true
		}
	}
	return false
}
