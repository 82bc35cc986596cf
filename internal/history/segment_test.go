package history

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestSegmentsMergeByStart: records written in batches whose start times overlap (executions
// that finished after a later batch's) and in segments of up to segRecords are listed by start
// time, newest first, in pages and with time filters, exactly as a sorted list of them; each is
// found by id, and a segment's index holds its records' entries.
func TestSegmentsMergeByStart(t *testing.T) {
	h := open(t, Options{})
	defer h.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	type rec struct {
		id string
		at time.Time
	}
	var all []rec
	n := 0
	for batch := range 12 {
		var entries []*Entry
		size := 1 + rng.IntN(150) // across segments of 64
		for range size {
			// Most start within the batch's own 300 ms; some up to 2 s before (long executions).
			at := base.Add(time.Duration(batch)*300*time.Millisecond + time.Duration(rng.IntN(300))*time.Millisecond)
			if rng.IntN(10) == 0 {
				at = at.Add(-time.Duration(rng.IntN(2000)) * time.Millisecond)
			}
			id := fmt.Sprintf("ex-%04d", n)
			n++
			out := "success"
			if rng.IntN(4) == 0 {
				out = "failed"
			}
			entries = append(entries, entry(id, "post-login", "claims", out, at, `{"n":`+fmt.Sprint(n)+`}`))
			all = append(all, rec{id, at})
		}
		h.write(entries)
	}
	if c := h.db.countNow(); c != int64(len(all)) {
		t.Fatalf("%d records counted, want %d", c, len(all))
	}
	slices.SortFunc(all, func(a, b rec) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	list := func(f Filter, limit int) []string {
		var ids []string
		cursor := ""
		for {
			recs, next, err := h.List(f, cursor, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, raw := range recs {
				var r Record
				if err := json.Unmarshal(raw, &r); err != nil {
					t.Fatalf("%v: %s", err, raw)
				}
				ids = append(ids, r.ID)
			}
			if next == "" {
				return ids
			}
			cursor = next
		}
	}
	since, until := base.Add(time.Second), base.Add(2500*time.Millisecond)
	for _, limit := range []int{1, 7, 50, 1000} {
		var want, wantRange []string
		for _, r := range all {
			want = append(want, r.id)
			if !r.at.Before(since) && !r.at.After(until) {
				wantRange = append(wantRange, r.id)
			}
		}
		if got := list(Filter{}, limit); !slices.Equal(got, want) {
			t.Fatalf("pages of %d: listed %d records\n%v\nwant %d\n%v", limit, len(got), got, len(want), want)
		}
		if got := list(Filter{Since: since, Until: until}, limit); !slices.Equal(got, wantRange) {
			t.Fatalf("pages of %d from %s to %s: listed %v, want %v", limit, since, until, got, wantRange)
		}
	}
	for _, i := range []int{0, len(all) / 2, len(all) - 1} {
		raw, err := h.Get(all[i].id)
		var r Record
		if err == nil {
			err = json.Unmarshal(raw, &r)
		}
		if err != nil || r.ID != all[i].id || !r.Time.Equal(all[i].at) {
			t.Errorf("Get(%s): %v, %s", all[i].id, err, raw)
		}
	}
	// More than one record per segment: the point of them.
	var segs int
	_ = h.db.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSegments).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			segs++
		}
		return nil
	})
	if segs >= len(all)/4 {
		t.Errorf("%d records in %d segments", len(all), segs)
	}
}

// TestOldFormatMovedAside: a database of an earlier layout (one value per record, no "format";
// or segments whose index entries had every field in full, "segments-1") is kept aside, as one
// of another key is, and a new one started.
func TestOldFormatMovedAside(t *testing.T) {
	t.Run("one value per record", func(t *testing.T) {
		testOldFormatMovedAside(t, []string{"index", "records", "meta"}, nil)
	})
	t.Run("segments-1", func(t *testing.T) {
		testOldFormatMovedAside(t, []string{"segments", "meta"}, []byte("segments-1"))
	})
}

func testOldFormatMovedAside(t *testing.T, buckets []string, format []byte) {
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "history.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range buckets {
			if _, err := tx.CreateBucket([]byte(b)); err != nil {
				return err
			}
		}
		if format != nil {
			if err := tx.Bucket([]byte("meta")).Put(metaFormat, format); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put(metaKeyID, []byte("whatever"))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	h := open(t, Options{Dir: dir})
	h.write([]*Entry{entry("ex-1", "post-login", "claims", "success", time.Now(), `{}`)})
	if _, err := h.Get("ex-1"); err != nil {
		t.Errorf("the new database: %v", err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "history.db.*.old-format")); len(m) != 1 {
		t.Errorf("the database of the old layout was not kept aside: %v", m)
	}
	// The new one opens as it is.
	h = open(t, Options{Dir: dir})
	defer h.Close()
	if _, err := h.Get("ex-1"); err != nil {
		t.Errorf("reopened: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "history.db.*")); len(m) != 1 {
		t.Errorf("reopening moved the database aside: %v", m)
	}
	_ = os.Remove(filepath.Join(dir, "key"))
}

// TestSegmentBoundToIndex: a segment's body opens only beside its own key and index, so that an
// index edited in the file (its fields are in clear) is found out.
func TestSegmentBoundToIndex(t *testing.T) {
	h := open(t, Options{})
	defer h.Close()
	now := time.Now()
	h.write([]*Entry{entry("ex-1", "post-login", "claims", "success", now, `{}`), entry("ex-2", "post-login", "claims", "failed", now.Add(time.Millisecond), `{}`)})
	err := h.db.db.Update(func(tx *bolt.Tx) error {
		segments := tx.Bucket(bucketSegments)
		k, _ := segments.Cursor().Last()
		edited := []byte(strings.Replace(string(segmentValue(segments, k)), "failed", "succes", 1))
		return segments.Bucket(k).Put(segValueKey, edited)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Get("ex-1"); err == nil || !strings.Contains(err.Error(), "does not decrypt") {
		t.Errorf("a segment beside an edited index: got %v, want an error", err)
	}
}

// TestIndexEntries: an index entry leaves out what it shares with the one before it and packs a
// hexadecimal id; every entry decodes to its record's fields and key whatever it shares, and each
// record is found by id and by the filters.
func TestIndexEntries(t *testing.T) {
	h := open(t, Options{})
	defer h.Close()
	now := time.Now().Truncate(time.Millisecond)
	ids := []string{
		"0123456789abcdef0123456789abcdef", // packed
		"0123456789ABCDEF0123456789ABCDEF", // upper case: as it is
		"ex-1",
		"fedcba98765432100123456789abcdef",
		"0123456789abcdef0123456789abcde", // 31 digits
		"0123456789abcdef0123456789abcdeg",
		"ffffffffffffffffffffffffffffffff",
	}
	var entries []*Entry
	var recs []built
	for i, id := range ids {
		e := entry(id, []string{"post-login", "post-login", "credentials-exchange"}[i%3], []string{"claims", "claims", "other"}[i%3],
			[]string{"success", "failed"}[i/2%2], now.Add(time.Duration(i/2)*time.Millisecond), `{}`)
		if i == 4 {
			e.Actions = []string{"claims", "other"}
			e.Source = "test"
		}
		if i == 5 {
			e.Actions = nil
			e.Commit = "fedcba"
		}
		entries = append(entries, e)
		recs = append(recs, built{time: e.Start, index: index{ID: id, Source: e.Source, Trigger: e.Trigger, Commit: e.Commit, Outcome: e.Outcome, Actions: e.Actions}})
	}
	// The index of them all, as a segment writes it, decodes to them.
	slices.SortFunc(recs, func(a, b built) int {
		if c := a.time.Compare(b.time); c != 0 {
			return c
		}
		return strings.Compare(a.index.ID, b.index.ID)
	})
	ix := binary.AppendUvarint(nil, uint64(len(recs)))
	var prev *built
	for i := range recs {
		ix = appendEntry(ix, &recs[i], prev, 10*(i+1))
		prev = &recs[i]
	}
	got, err := decodeIndex(ix)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		g := got[i]
		if !reflect.DeepEqual(g.index, r.index) && !(len(r.index.Actions) == 0 && len(g.index.Actions) == 0) {
			t.Errorf("entry %d: %+v, want %+v", i, g.index, r.index)
		}
		if !bytes.Equal(g.key, recordKey(r.time, r.index.ID)) || g.end != 10*(i+1) || !g.time().Equal(r.time) {
			t.Errorf("entry %d: key %x, end %d, want %x and %d", i, g.key, g.end, recordKey(r.time, r.index.ID), 10*(i+1))
		}
		if !holdsKey(ix, recordKey(r.time, r.index.ID)) {
			t.Errorf("the index does not hold %s", r.index.ID)
		}
	}
	if holdsKey(ix, recordKey(now, "00000000000000000000000000000000")) {
		t.Error("the index holds an id it was not given")
	}
	// A cut index is damaged, not read past its end.
	for n := 1; n < len(ix); n++ {
		if _, err := decodeIndex(ix[:n]); err == nil {
			t.Fatalf("an index cut at %d of %d bytes decodes", n, len(ix))
		}
	}

	h.write(entries)
	for _, id := range ids {
		raw, err := h.Get(id)
		var r Record
		if err == nil {
			err = json.Unmarshal(raw, &r)
		}
		if err != nil || r.ID != id {
			t.Errorf("Get(%s): %v, %s", id, err, raw)
		}
	}
	for _, c := range []struct {
		f    Filter
		want int
	}{
		{Filter{Action: "other"}, 2}, {Filter{Action: "claims"}, 5}, {Filter{Outcome: "failed"}, 3},
		{Filter{Trigger: "credentials-exchange"}, 2}, {Filter{Commit: "fedcba"}, 1}, {Filter{Source: "test"}, 1},
	} {
		if recs, _, err := h.List(c.f, "", 100); err != nil || len(recs) != c.want {
			t.Errorf("List(%+v): %d records, %v; want %d", c.f, len(recs), err, c.want)
		}
	}
}
