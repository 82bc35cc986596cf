package vaultsecrets

import (
	"math/rand/v2"
	"time"
)

// Retry delays after failures, as the Cache, the Watcher and the login use them.
const (
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = time.Minute
)

// backoff is capped exponential backoff with jitter: the n-th consecutive failure (n >= 1) waits
// min(max, min*2^(n-1)), of which a random half is jitter ("equal jitter"), so replicas that failed
// together do not retry together.
type backoff struct {
	min, max time.Duration
}

func newBackoff(min, max time.Duration) backoff {
	if min <= 0 {
		min = DefaultMinBackoff
	}
	if max < min {
		max = DefaultMaxBackoff
		if max < min {
			max = min
		}
	}
	return backoff{min: min, max: max}
}

// delay is the wait after the n-th consecutive failure.
func (b backoff) delay(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := b.min
	for i := 1; i < n && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	half := d / 2
	return half + rand.N(half+1)
}
