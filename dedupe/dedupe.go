// Package dedupe remembers which (type, ID) pairs an export has seen, for --dedupe,
// in memory that stays modest for tens of millions of IDs.
//
// A Set stores, per pair, a 64-bit hash of it and the line of its first occurrence:
// 16 bytes in an open-addressing table (linear probing) that doubles when three
// quarters full. That is 21 to 43 bytes per ID (about 27 at ten million IDs: a
// 256 MiB table), and briefly 1.5 times as much while the table doubles. A Go map of
// the ID strings would need several times more.
//
// # False positives
//
// Two different pairs with the same 64-bit hash are taken for one: the later is
// reported as a duplicate of the earlier. By the birthday bound, the probability that
// this happens at all among n distinct pairs is about n²/2⁶⁵:
//
//	n = 10⁶: 2.7e-8    n = 10⁷: 2.7e-6    n = 10⁸: 2.7e-4    n = 10⁹: 2.7e-2
//
// Such a pair is not lost silently: it is rejected with the reason "duplicate" and the
// line of the pair it was taken for, so a user can check it. The hash (FNV-1a 64 with
// a fixed finalizer) does not depend on the process, so a run is reproducible.
package dedupe

import (
	"unsafe"

	"github.com/profile-export/profile-export/row"
)

// initialSlots is the table size of a new Set (16 KiB).
const initialSlots = 1 << 10

// entry is one slot of the table; hash 0 marks an empty slot.
type entry struct {
	hash uint64
	line int64
}

// Set is a set of (type, ID) pairs with the line each was first seen on. The zero
// value is not usable: call New. A Set is not safe for concurrent use.
type Set struct {
	slots []entry // len is a power of two
	n     int
}

// New returns an empty Set.
func New() *Set {
	return &Set{slots: make([]entry, initialSlots)}
}

// Seen records that the pair (t, id) occurs on line. If the pair was seen before it
// returns the line of its first occurrence and true; else it returns line and false.
func (s *Set) Seen(t row.Type, id string, line int64) (firstLine int64, dup bool) {
	return s.seen(hash(t, id), line)
}

func (s *Set) seen(h uint64, line int64) (int64, bool) {
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		e := &s.slots[i]
		switch e.hash {
		case 0:
			*e = entry{hash: h, line: line}
			s.n++
			return line, false
		case h:
			return e.line, true
		}
	}
}

// grow doubles the table, placing every entry again by its stored hash.
func (s *Set) grow() {
	old := s.slots
	s.slots = make([]entry, 2*len(old))
	mask := uint64(len(s.slots) - 1)
	for _, e := range old {
		if e.hash == 0 {
			continue
		}
		i := e.hash & mask
		for s.slots[i].hash != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = e
	}
}

// Len is the number of distinct pairs seen.
func (s *Set) Len() int { return s.n }

// Bytes is the approximate memory the Set holds.
func (s *Set) Bytes() int {
	return len(s.slots)*int(unsafe.Sizeof(entry{})) + int(unsafe.Sizeof(*s))
}

// hash is FNV-1a 64 of t, a NUL byte (which no type name holds, so that type and ID
// cannot run into each other) and id, followed by the MurmurHash3 finalizer so that
// the low bits, which pick the slot, depend on every byte. It is never 0.
func hash(t row.Type, id string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(t); i++ {
		h = (h ^ uint64(t[i])) * prime
	}
	h *= prime // the NUL separator: h ^ 0 == h
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * prime
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	if h == 0 {
		h = 1 // 0 marks an empty slot
	}
	return h
}
