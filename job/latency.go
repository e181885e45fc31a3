package job

import (
	"math"
	"sync/atomic"
	"time"
)

// latencies is a lock-free histogram of request durations with logarithmic buckets
// (about 4% wide), enough for p50/p95/p99 in the summary without keeping samples.
type latencies struct {
	buckets [latencyBuckets]atomic.Int64
}

const (
	latencyBuckets = 400
	latencyBase    = 1.04
	latencyMin     = 100 * time.Microsecond
)

func newLatencies() *latencies { return &latencies{} }

func (l *latencies) observe(d time.Duration) {
	i := 0
	if d > latencyMin {
		i = int(math.Log(float64(d)/float64(latencyMin))/math.Log(latencyBase)) + 1
	}
	if i >= latencyBuckets {
		i = latencyBuckets - 1
	}
	l.buckets[i].Add(1)
}

// LatencySummary gives request latency percentiles in milliseconds.
type LatencySummary struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
}

func (l *latencies) summary() LatencySummary {
	var counts [latencyBuckets]int64
	var total int64
	for i := range l.buckets {
		counts[i] = l.buckets[i].Load()
		total += counts[i]
	}
	q := func(p float64) float64 {
		if total == 0 {
			return 0
		}
		want := int64(math.Ceil(p * float64(total)))
		var acc int64
		for i, c := range counts {
			acc += c
			if acc >= want {
				upper := float64(latencyMin) * math.Pow(latencyBase, float64(i))
				return math.Round(upper/float64(time.Millisecond)*100) / 100
			}
		}
		return 0
	}
	return LatencySummary{P50: q(0.50), P95: q(0.95), P99: q(0.99)}
}
