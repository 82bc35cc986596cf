package history

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkWrite is the writer's work per record, without the queue: building (PII policy,
// redaction), encrypting and writing batches of 256.
func BenchmarkWrite(b *testing.B) {
	h, err := Open(Options{Dir: b.TempDir(), PII: PII{Hash: DefaultPIIHash}})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	ev := `{"user":{"user_id":"auth0|123","email":"ada@example.com","app_metadata":{"plan":"gold"}},"authorization":{"roles":["admin","dev"]},"client":{"client_id":"abc","name":"web"},"request":{"ip":"203.0.113.7","geoip":{"countryCode":"FR"}},"tenant":{"id":"t1"}}`
	batch := make([]*Entry, 0, maxBatch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		batch = append(batch, entry(fmt.Sprintf("%032x", i), "post-login", "claims", "success", time.Now(), ev))
		if len(batch) == maxBatch || i == b.N-1 {
			h.write(batch)
			batch = batch[:0]
		}
	}
}

// BenchmarkBuild is the part of BenchmarkWrite before the database.
func BenchmarkBuild(b *testing.B) {
	ev := `{"user":{"user_id":"auth0|123","email":"ada@example.com","app_metadata":{"plan":"gold"}},"authorization":{"roles":["admin","dev"]},"client":{"client_id":"abc","name":"web"},"request":{"ip":"203.0.113.7","geoip":{"countryCode":"FR"}},"tenant":{"id":"t1"}}`
	e := entry("0123456789abcdef0123456789abcdef", "post-login", "claims", "success", time.Now(), ev)
	bd := builder{pii: PII{Hash: DefaultPIIHash}, mac: newPIIMAC(make([]byte, 32))}
	var arena []byte
	b.ReportAllocs()
	for range b.N {
		var err error
		if _, arena, err = bd.build(arena[:0], e); err != nil {
			b.Fatal(err)
		}
	}
}
