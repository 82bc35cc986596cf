package rollout

import (
	"math/rand/v2"
	"strings"
	"sync/atomic"
)

// route is what the execution path reads of one action's rollout: no lock, one atomic load.
type route struct {
	percent atomic.Int32 // executions on the canary, 0–100
	key     []string     // the event path hashed
	salt    uint64       // FNV-1a state after the action name and the canary's identity
	stats   [2]*stats    // stable, canary
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvAdd[S string | []byte](h uint64, s S) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func newRoute(action, canaryID, key string, percent int) *route {
	r := &route{key: strings.Split(key, "."), salt: fnvAdd(fnvAdd(fnvAdd(fnvOffset, action), "\x00"+canaryID), "\x00"),
		stats: [2]*stats{{}, {}}}
	r.percent.Store(int32(percent))
	return r
}

// Bucket is the 0–99 bucket of a key value for an action's canary: an execution runs the canary
// when its bucket is below the step's percent. The same value always falls in the same bucket
// during one rollout, so a user stays on one revision within a step and stays on the canary as
// the share grows.
func Bucket(action, canaryID, value string) int {
	return newRoute(action, canaryID, "x", 0).bucket([]byte(value))
}

func (r *route) bucket(value []byte) int {
	h := fnvAdd(r.salt, value)
	// FNV's low bits mix poorly for short inputs: fold the high half in before the modulo.
	h ^= h >> 32
	h *= fnvPrime
	h ^= h >> 29
	return int(h % 100)
}

func (r *route) canary(event []byte) bool {
	p := int(r.percent.Load())
	switch {
	case p <= 0:
		return false
	case p >= 100:
		return true
	}
	v, ok := Lookup(event, r.key)
	if !ok {
		return rand.IntN(100) < p
	}
	return r.bucket(v) < p
}
