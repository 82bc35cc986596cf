package history

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// BenchmarkWrite is the writer's work per record, without the queue: building (PII policy,
// redaction), compressing, encrypting and writing batches of 1,024.
func BenchmarkWrite(b *testing.B) {
	h, err := Open(Options{Dir: b.TempDir(), PII: PII{Hash: DefaultPIIHash}})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	ev := `{"user":{"user_id":"auth0|123","email":"ada@example.com","app_metadata":{"plan":"gold"}},"authorization":{"roles":["admin","dev"]},"client":{"client_id":"abc","name":"web"},"request":{"ip":"203.0.113.7","geoip":{"countryCode":"FR"}},"tenant":{"id":"t1"}}`
	batch := make([]*Entry, 0, maxBatch)
	var cpu time.Duration // the process's CPU time in write: ns/op also counts waiting for fsync
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += maxBatch {
		// The entries are made outside the timing: the API's come from a pool.
		b.StopTimer()
		for j := i; j < min(i+maxBatch, b.N); j++ {
			batch = append(batch, entry(fmt.Sprintf("%032x", j), "post-login", "claims", "success", time.Now(), ev))
		}
		b.StartTimer()
		t0 := cpuTime(b)
		h.write(batch)
		cpu += cpuTime(b) - t0
		batch = batch[:0]
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	// What a record takes in the database (its index entry, its share of a compressed and sealed
	// segment and of the segment's key): the bytes each commit writes and syncs.
	b.ReportMetric(float64(h.db.sizeNow())/float64(b.N), "stored-B/op")
}

// cpuTime is the process's user and system CPU time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBuild is the part of BenchmarkWrite before the database.
func BenchmarkBuild(b *testing.B) {
	ev := `{"user":{"user_id":"auth0|123","email":"ada@example.com","app_metadata":{"plan":"gold"}},"authorization":{"roles":["admin","dev"]},"client":{"client_id":"abc","name":"web"},"request":{"ip":"203.0.113.7","geoip":{"countryCode":"FR"}},"tenant":{"id":"t1"}}`
	e := entry("0123456789abcdef0123456789abcdef", "post-login", "claims", "success", time.Now(), ev)
	bd := newBuilder(PII{Hash: DefaultPIIHash}, newPIIMAC(make([]byte, 32)))
	var arena []byte
	b.ReportAllocs()
	for range b.N {
		var err error
		bd.names = bd.names[:0] // write gives each batch its own
		if _, arena, err = bd.build(arena[:0], e); err != nil {
			b.Fatal(err)
		}
	}
}
