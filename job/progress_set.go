package job

import (
	"slices"
	"sort"
)

// doneSet records which rows (by their ordinal Seq among the rows this run routes to
// its outputs) are durably committed. It is a sorted list of disjoint half-open ranges
// [Lo, Hi). Rows are dispatched in input order and commit out of order only within
// the window of rows in flight, so the list stays a handful of ranges however long the
// input: its first range is the high-water mark, and each later range sits beyond a
// row that was still in flight at a checkpoint.
type doneSet struct {
	ranges []seqRange
}

// seqRange is a half-open range of row ordinals [Lo, Hi).
type seqRange struct {
	Lo int64 `json:"lo"`
	Hi int64 `json:"hi"`
}

// contains reports whether seq is committed.
func (s *doneSet) contains(seq int64) bool {
	i := sort.Search(len(s.ranges), func(i int) bool { return s.ranges[i].Hi > seq })
	return i < len(s.ranges) && s.ranges[i].Lo <= seq
}

// add marks seqs as committed. seqs need not be sorted.
func (s *doneSet) add(seqs []int64) {
	if len(seqs) == 0 {
		return
	}
	sorted := append([]int64(nil), seqs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	// Turn the sorted seqs into ranges, then merge them with the existing ones.
	var add []seqRange
	for _, q := range sorted {
		if n := len(add); n > 0 && add[n-1].Hi >= q {
			if add[n-1].Hi == q {
				add[n-1].Hi = q + 1
			}
			continue
		}
		add = append(add, seqRange{q, q + 1})
	}
	s.ranges = mergeRanges(s.ranges, add)
}

// insert marks one seq as committed, keeping the ranges disjoint and apart. Rows
// commit nearly in order, so seq almost always extends a range near the end, and
// the list stays as short as the window of rows in flight: unlike a list of seqs,
// it does not grow with the rows of a part.
func (s *doneSet) insert(q int64) {
	r := s.ranges
	i := sort.Search(len(r), func(i int) bool { return r[i].Hi >= q }) // r[i-1].Hi < q
	switch {
	case i < len(r) && r[i].Lo <= q && q < r[i].Hi:
		// already committed
	case i < len(r) && r[i].Hi == q:
		r[i].Hi = q + 1
		if i+1 < len(r) && r[i+1].Lo == q+1 { // q filled the gap between two ranges
			r[i].Hi = r[i+1].Hi
			s.ranges = slices.Delete(r, i+1, i+2)
		}
	case i < len(r) && r[i].Lo == q+1:
		r[i].Lo = q
	default:
		s.ranges = slices.Insert(r, i, seqRange{q, q + 1})
	}
}

// mergeRanges merges two sorted lists of disjoint ranges into one, joining ranges
// that touch or overlap.
func mergeRanges(a, b []seqRange) []seqRange {
	out := make([]seqRange, 0, len(a)+len(b))
	push := func(r seqRange) {
		if n := len(out); n > 0 && out[n-1].Hi >= r.Lo {
			if r.Hi > out[n-1].Hi {
				out[n-1].Hi = r.Hi
			}
			return
		}
		out = append(out, r)
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || (i < len(a) && a[i].Lo <= b[j].Lo) {
			push(a[i])
			i++
		} else {
			push(b[j])
			j++
		}
	}
	return out
}

// highWater returns the first seq not committed: every row before it is committed.
func (s *doneSet) highWater() int64 {
	if len(s.ranges) == 0 || s.ranges[0].Lo > 0 {
		return 0
	}
	return s.ranges[0].Hi
}

// count returns how many rows are committed.
func (s *doneSet) count() int64 {
	var n int64
	for _, r := range s.ranges {
		n += r.Hi - r.Lo
	}
	return n
}
