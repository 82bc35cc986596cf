package api

import (
	"math"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"
)

// TestQuantile checks the p99 estimate against histogram_quantile's arithmetic.
func TestQuantile(t *testing.T) {
	bucket := func(le float64, n uint64) *dto.Bucket {
		return &dto.Bucket{UpperBound: proto.Float64(le), CumulativeCount: proto.Uint64(n)}
	}
	h := func(total uint64, b ...*dto.Bucket) *dto.Histogram {
		return &dto.Histogram{SampleCount: proto.Uint64(total), Bucket: b}
	}
	for _, c := range []struct {
		name string
		h    *dto.Histogram
		q    float64
		want float64
	}{
		{"empty", h(0), 0.99, 0},
		// 100 samples, 50 ≤ 1, 100 ≤ 2: rank 99 is 49/50 of the way from 1 to 2.
		{"interpolated", h(100, bucket(1, 50), bucket(2, 100), bucket(math.Inf(1), 100)), 0.99, 1.98},
		// Every sample in the first bucket: from 0 to its bound.
		{"first bucket", h(10, bucket(0.5, 10), bucket(math.Inf(1), 10)), 0.5, 0.25},
		// Above every finite bound: the highest finite bound.
		{"overflow", h(10, bucket(1, 0), bucket(2, 0), bucket(math.Inf(1), 10)), 0.99, 2},
	} {
		if got := quantile(c.q, c.h); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: quantile(%v) = %v, want %v", c.name, c.q, got, c.want)
		}
	}
}
