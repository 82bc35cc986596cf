package history

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
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
	_ = h.db.db.View(func(tx *bolt.Tx) error { segs = tx.Bucket(bucketSegments).Stats().KeyN; return nil })
	if segs >= len(all)/4 {
		t.Errorf("%d records in %d segments", len(all), segs)
	}
}

// TestOldFormatMovedAside: a database of the layout before segments (one value per record, no
// "format") is kept aside, as one of another key is, and a new one started.
func TestOldFormatMovedAside(t *testing.T) {
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "history.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range []string{"index", "records", "meta"} {
			if _, err := tx.CreateBucket([]byte(b)); err != nil {
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
		b := tx.Bucket(bucketSegments)
		k, v := b.Cursor().Last()
		edited := []byte(strings.Replace(string(v), "failed", "succes", 1))
		return b.Put(k, edited)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Get("ex-1"); err == nil || !strings.Contains(err.Error(), "does not decrypt") {
		t.Errorf("a segment beside an edited index: got %v, want an error", err)
	}
}
