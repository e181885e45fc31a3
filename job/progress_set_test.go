package job

import (
	"math/rand"
	"testing"
)

func TestDoneSet(t *testing.T) {
	tests := []struct {
		name      string
		batches   [][]int64
		wantHW    int64
		wantCount int64
		in, out   []int64
		maxRanges int
	}{
		{name: "empty", wantHW: 0, out: []int64{0, 1}, maxRanges: 0},
		{name: "in order", batches: [][]int64{{0, 1, 2}, {3, 4}}, wantHW: 5, wantCount: 5, in: []int64{0, 4}, out: []int64{5}, maxRanges: 1},
		{name: "gap held by a row in flight", batches: [][]int64{{0, 1, 3, 4}, {5, 6}}, wantHW: 2, wantCount: 6, in: []int64{3, 6}, out: []int64{2, 7}, maxRanges: 2},
		{name: "gap filled later", batches: [][]int64{{0, 2}, {1}}, wantHW: 3, wantCount: 3, in: []int64{1}, maxRanges: 1},
		{name: "unsorted duplicates", batches: [][]int64{{4, 2, 2, 3}, {0, 1}}, wantHW: 5, wantCount: 5, maxRanges: 1},
		{name: "first row still in flight", batches: [][]int64{{1, 2}}, wantHW: 0, wantCount: 2, out: []int64{0}, maxRanges: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s doneSet
			for _, b := range tc.batches {
				s.add(b)
			}
			if got := s.highWater(); got != tc.wantHW {
				t.Errorf("highWater = %d, want %d", got, tc.wantHW)
			}
			if got := s.count(); got != tc.wantCount {
				t.Errorf("count = %d, want %d", got, tc.wantCount)
			}
			for _, q := range tc.in {
				if !s.contains(q) {
					t.Errorf("contains(%d) = false", q)
				}
			}
			for _, q := range tc.out {
				if s.contains(q) {
					t.Errorf("contains(%d) = true", q)
				}
			}
			if len(s.ranges) > tc.maxRanges {
				t.Errorf("%d ranges %v, want at most %d", len(s.ranges), s.ranges, tc.maxRanges)
			}
		})
	}
}

// TestDoneSetStaysSmall commits a long input out of order within a bounded window, as the
// worker pool does, and checks the state stays as small as the window, not the input.
func TestDoneSetStaysSmall(t *testing.T) {
	const n, window = 200_000, 64
	rng := rand.New(rand.NewSource(1))
	var s doneSet
	var pending []int64
	maxRanges := 0
	for next := int64(0); next < n || len(pending) > 0; {
		for len(pending) < window && next < n {
			pending = append(pending, next)
			next++
		}
		// Complete a random half of the window, keep the rest in flight.
		var batch []int64
		rng.Shuffle(len(pending), func(i, j int) { pending[i], pending[j] = pending[j], pending[i] })
		k := len(pending)/2 + 1
		if k > len(pending) {
			k = len(pending)
		}
		batch, pending = pending[:k], pending[k:]
		s.add(batch)
		if len(s.ranges) > maxRanges {
			maxRanges = len(s.ranges)
		}
	}
	if s.count() != n || s.highWater() != n || len(s.ranges) != 1 {
		t.Fatalf("count=%d highWater=%d ranges=%d, want all %d in one range", s.count(), s.highWater(), len(s.ranges), n)
	}
	if maxRanges > window {
		t.Fatalf("state grew to %d ranges with %d rows in flight", maxRanges, window)
	}
}
