package history

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
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
//	entry: flags (1 byte) || time || uvarint(end of the body in the plain text) || id ||
//	       str(source) || str(trigger) || str(commit) || str(outcome) ||
//	       uvarint(actions) || actions × str(action)
//	str:   uvarint(length) || bytes
//
// An entry leaves out what it shares with the entry before it: the flags say which of source,
// trigger, commit, outcome and the actions are the previous entry's (a batch's records mostly
// share them). Its time is 8 bytes (big endian Unix nanoseconds) in the first entry (flag
// absolute) and otherwise uvarint(nanoseconds after the previous entry's). Its id is 16 bytes when
// it is 32 lowercase hexadecimal digits (flag hex id, the runner's execution ids), str(id)
// otherwise. The index was most of what a commit wrote (each entry's id, commit and the rest in
// full, about 120 bytes against 40 of a compressed body); the pages written and their fsync cost
// the writer CPU per byte.
//
// The index is the additional data of the body's encryption: a body moved under another key or
// beside another index fails to open.
const (
	// segRecords bounds the records of a segment: a lookup by id opens one whole segment.
	segRecords = 256
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

// The flags of an index entry.
const (
	ixAbsTime     = 1 << iota // the time is 8 bytes, not a delta
	ixHexID                   // the id is 16 bytes, its 32 hexadecimal digits decoded
	ixSameSource              // no source: the previous entry's
	ixSameTrigger             // no trigger: the previous entry's
	ixSameCommit              // no commit: the previous entry's
	ixSameOutcome             // no outcome: the previous entry's
	ixSameActions             // no actions: the previous entry's
)

// appendEntry appends r's index entry, its body ending at end in the plain text; prev is the
// segment's entry before it, nil for the first.
func appendEntry(b []byte, r, prev *built, end int) []byte {
	var flags byte
	t := r.time.UnixNano()
	if prev == nil || t < prev.time.UnixNano() {
		flags |= ixAbsTime
	}
	if hexID(r.index.ID) {
		flags |= ixHexID
	}
	if prev != nil {
		if r.index.Source == prev.index.Source {
			flags |= ixSameSource
		}
		if r.index.Trigger == prev.index.Trigger {
			flags |= ixSameTrigger
		}
		if r.index.Commit == prev.index.Commit {
			flags |= ixSameCommit
		}
		if r.index.Outcome == prev.index.Outcome {
			flags |= ixSameOutcome
		}
		if slices.Equal(r.index.Actions, prev.index.Actions) {
			flags |= ixSameActions
		}
	}
	b = append(b, flags)
	if flags&ixAbsTime != 0 {
		b = binary.BigEndian.AppendUint64(b, uint64(t))
	} else {
		b = binary.AppendUvarint(b, uint64(t-prev.time.UnixNano()))
	}
	b = binary.AppendUvarint(b, uint64(end))
	if flags&ixHexID != 0 {
		b = appendHexID(b, r.index.ID)
	} else {
		b = appendStr(b, r.index.ID)
	}
	if flags&ixSameSource == 0 {
		b = appendStr(b, r.index.Source)
	}
	if flags&ixSameTrigger == 0 {
		b = appendStr(b, r.index.Trigger)
	}
	if flags&ixSameCommit == 0 {
		b = appendStr(b, r.index.Commit)
	}
	if flags&ixSameOutcome == 0 {
		b = appendStr(b, r.index.Outcome)
	}
	if flags&ixSameActions == 0 {
		b = binary.AppendUvarint(b, uint64(len(r.index.Actions)))
		for _, a := range r.index.Actions {
			b = appendStr(b, a)
		}
	}
	return b
}

// hexID tells whether id is 32 lowercase hexadecimal digits, as the runner's execution ids are.
func hexID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if hexValue[id[i]] < 0 {
			return false
		}
	}
	return true
}

// hexValue is the value of a lowercase hexadecimal digit, -1 for any other byte.
var hexValue = func() (t [256]int8) {
	for c := range t {
		switch {
		case c >= '0' && c <= '9':
			t[c] = int8(c - '0')
		case c >= 'a' && c <= 'f':
			t[c] = int8(c - 'a' + 10)
		default:
			t[c] = -1
		}
	}
	return t
}()

// appendHexID appends the 16 bytes of a hexID.
func appendHexID(b []byte, id string) []byte {
	b = slices.Grow(b, 16)
	n := len(b)
	b = b[:n+16]
	for i := range 16 {
		b[n+i] = byte(hexValue[id[2*i]])<<4 | byte(hexValue[id[2*i+1]])
	}
	return b
}

// idNeedle is how the id appears in an index: the bytes to look for before decoding one.
func idNeedle(id string) []byte {
	if hexID(id) {
		return appendHexID(make([]byte, 0, 16), id)
	}
	return []byte(id)
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
	var t uint64
	for i := range out {
		e := &out[i]
		if len(d.b) < 1 {
			return nil, errDamaged
		}
		flags := d.b[0]
		d.b = d.b[1:]
		if flags&ixAbsTime != 0 {
			if len(d.b) < 8 {
				return nil, errDamaged
			}
			t = binary.BigEndian.Uint64(d.b)
			d.b = d.b[8:]
		} else if i == 0 {
			return nil, errDamaged
		} else {
			t += d.uvarint()
		}
		e.start, e.end = start, int(d.uvarint())
		if flags&ixHexID != 0 {
			if len(d.b) < 16 {
				return nil, errDamaged
			}
			e.index.ID = hex.EncodeToString(d.b[:16])
			d.b = d.b[16:]
		} else {
			e.index.ID = d.str()
		}
		same := func(bit byte, prev string) string {
			if flags&bit != 0 && i > 0 {
				return prev
			}
			return d.str()
		}
		var p *index
		if i > 0 {
			p = &out[i-1].index
		} else {
			p = &index{}
		}
		e.index.Source = same(ixSameSource, p.Source)
		e.index.Trigger = same(ixSameTrigger, p.Trigger)
		e.index.Commit = same(ixSameCommit, p.Commit)
		e.index.Outcome = same(ixSameOutcome, p.Outcome)
		if flags&ixSameActions != 0 && i > 0 {
			e.index.Actions = p.Actions // never written: shared
		} else if na := d.uvarint(); na > uint64(len(d.b)) {
			d.err = errDamaged
		} else if na > 0 {
			e.index.Actions = make([]string, na)
			for j := range e.index.Actions {
				e.index.Actions[j] = d.str()
			}
		}
		if d.err != nil || e.end < start {
			return nil, errDamaged
		}
		e.key = binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(e.index.ID)), t)
		e.key = append(e.key, e.index.ID...)
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
	if !bytes.Contains(ix, idNeedle(string(k[8:]))) { // the id, in clear: most segments are ruled out here
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
