package sandbox

import (
	"sync/atomic"
	"time"
)

// FaultKind names a simulated fault in Stats.ByFault.
type FaultKind string

// The fault kinds, in the order their rates are drawn.
const (
	Fault429       FaultKind = "429"
	Fault500       FaultKind = "500"
	Fault502       FaultKind = "502"
	Fault503       FaultKind = "503"
	FaultReset     FaultKind = "reset"
	FaultHang      FaultKind = "hang"
	FaultTruncated FaultKind = "truncated"
	FaultHTML      FaultKind = "html"
	FaultFailFirst FaultKind = "failFirst" // a 503 of Faults.FailFirst
)

// faultKinds matches Faults.rates, then FailFirst.
var faultKinds = [...]FaultKind{Fault429, Fault500, Fault502, Fault503,
	FaultReset, FaultHang, FaultTruncated, FaultHTML, FaultFailFirst}

const noFault = -1

// Stats counts what the sandbox has served. Requests to /_sandbox/* are not counted.
type Stats struct {
	// Requests is the number of API requests received.
	Requests int64 `json:"requests"`
	// ByStatus counts answers by HTTP status. Resets and hangs the client gave up on
	// sent no status and are only in ByFault; a truncated answer counts as 200.
	ByStatus map[int]int64 `json:"byStatus"`
	// ByFault counts the faults served, by kind.
	ByFault map[FaultKind]int64 `json:"byFault"`
	// MaxPerSecond is the most requests received in any one-second window, the
	// windows sliding in steps of 100 ms, over the last RateHistory.
	MaxPerSecond int64 `json:"maxPerSecond"`
	// RateHistory is how far back MaxPerSecond looks.
	RateHistory time.Duration `json:"rateHistoryNanos"`
	// First and Last are when the first and the latest API request arrived (zero
	// when none did).
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

const (
	bucketNanos  = int64(100 * time.Millisecond)
	perWindow    = int(time.Second / time.Duration(bucketNanos)) // buckets in one second
	ringBuckets  = 4096                                          // ~6.8 minutes of history
	countBits    = 24                                            // up to 16M requests per bucket
	countMask    = 1<<countBits - 1
	maxStatus    = 600
	tagBits      = 64 - countBits
	tagMask      = 1<<tagBits - 1
	ringMask     = ringBuckets - 1
	unsetNanos   = 0
	historyNanos = ringBuckets * bucketNanos
)

// stats is the concurrency-safe, allocation-free recorder behind Stats.
type stats struct {
	requests atomic.Int64
	status   [maxStatus]atomic.Int64
	faults   [len(faultKinds)]atomic.Int64
	first    atomic.Int64 // Unix ns
	last     atomic.Int64
	// ring holds per-100ms request counts. Each slot packs the bucket number (its
	// low tagBits bits) above the count, so a slot is claimed for a new bucket and
	// incremented by one compare-and-swap, without a lock.
	ring [ringBuckets]atomic.Uint64
}

// request records the arrival of an API request.
func (s *stats) request(now time.Time) {
	s.requests.Add(1)
	ns := now.UnixNano()
	if s.first.Load() == unsetNanos {
		s.first.CompareAndSwap(unsetNanos, ns)
	}
	s.last.Store(ns)
	b := uint64(ns / bucketNanos)
	slot := &s.ring[b&ringMask]
	tag := b & tagMask
	for {
		v := slot.Load()
		nv := tag<<countBits | 1
		if v>>countBits == tag {
			if v&countMask == countMask {
				return // saturated; cannot happen at loopback speeds
			}
			nv = v + 1
		} else if v>>countBits > tag {
			return // a late writer of an older bucket: the slot has moved on
		}
		if slot.CompareAndSwap(v, nv) {
			return
		}
	}
}

// answered records an answer with status code.
func (s *stats) answered(code int) {
	if code > 0 && code < maxStatus {
		s.status[code].Add(1)
	}
}

// fault records a fault of faultKinds[kind].
func (s *stats) fault(kind int) { s.faults[kind].Add(1) }

// snapshot builds a Stats at time now.
func (s *stats) snapshot(now time.Time) Stats {
	st := Stats{
		Requests:    s.requests.Load(),
		ByStatus:    map[int]int64{},
		ByFault:     map[FaultKind]int64{},
		RateHistory: time.Duration(historyNanos),
	}
	for code := range s.status {
		if n := s.status[code].Load(); n > 0 {
			st.ByStatus[code] = n
		}
	}
	for i, k := range faultKinds {
		if n := s.faults[i].Load(); n > 0 {
			st.ByFault[k] = n
		}
	}
	if f := s.first.Load(); f != unsetNanos {
		st.First = time.Unix(0, f)
		st.Last = time.Unix(0, s.last.Load())
	}

	// Lay the ring out by age (counts[0] = current bucket), dropping slots whose
	// bucket is older than the history, then slide a one-second window over it.
	cur := uint64(now.UnixNano() / bucketNanos)
	var counts [ringBuckets]int64
	for age := range ringBuckets {
		b := cur - uint64(age)
		v := s.ring[b&ringMask].Load()
		if v>>countBits == b&tagMask {
			counts[age] = int64(v & countMask)
		}
	}
	var sum int64
	for i := range ringBuckets {
		sum += counts[i]
		if i >= perWindow {
			sum -= counts[i-perWindow]
		}
		st.MaxPerSecond = max(st.MaxPerSecond, sum)
	}
	return st
}
