package job

import (
	"math/rand"
	"reflect"
	"testing"
)

func TestDoneSetInsertCases(t *testing.T) {
	tests := []struct {
		name string
		seqs []int64
		want []seqRange
	}{
		{"empty", nil, nil},
		{"in order", []int64{0, 1, 2}, []seqRange{{0, 3}}},
		{"extends down", []int64{5, 4}, []seqRange{{4, 6}}},
		{"gap kept", []int64{0, 2}, []seqRange{{0, 1}, {2, 3}}},
		{"gap filled joins", []int64{0, 2, 1}, []seqRange{{0, 3}}},
		{"duplicate", []int64{3, 3, 4, 3}, []seqRange{{3, 5}}},
		{"before all", []int64{10, 11, 3}, []seqRange{{3, 4}, {10, 12}}},
		{"between", []int64{0, 10, 5}, []seqRange{{0, 1}, {5, 6}, {10, 11}}},
		{"inside", []int64{0, 1, 2, 3, 1}, []seqRange{{0, 4}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s doneSet
			for _, q := range tc.seqs {
				s.insert(q)
			}
			if !reflect.DeepEqual(s.ranges, tc.want) {
				t.Fatalf("ranges %v, want %v", s.ranges, tc.want)
			}
		})
	}
}

// Inserting seqs one by one, in any order, gives the same ranges as add; and rows
// that commit out of order only within a window of rows in flight keep the list as
// short as that window, however many rows go by (a part of a million rows holds a
// handful of ranges, not a million seqs).
func TestDoneSetInsertMatchesAddAndStaysSmall(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const n, window = 200_000, 64
	seqs := make([]int64, n)
	for i := range seqs {
		seqs[i] = int64(i)
	}
	for i := 0; i+window <= n; i += window / 2 { // shuffle within overlapping windows
		w := seqs[i : i+window]
		rng.Shuffle(len(w), func(a, b int) { w[a], w[b] = w[b], w[a] })
	}
	var ins, add doneSet
	most := 0
	for i, q := range seqs {
		ins.insert(q)
		most = max(most, len(ins.ranges))
		if i%5000 == 4999 { // a checkpoint now and then
			add.add(seqs[i-4999 : i+1])
		}
	}
	if !reflect.DeepEqual(ins.ranges, add.ranges) || !reflect.DeepEqual(ins.ranges, []seqRange{{0, n}}) {
		t.Fatalf("insert gave %v, add gave %v", ins.ranges, add.ranges)
	}
	if most > window {
		t.Errorf("up to %d ranges for a window of %d rows in flight", most, window)
	}

	// A random subset in random order: the same as add, range for range.
	var sub []int64
	for i := range int64(5000) {
		if rng.Intn(3) > 0 {
			sub = append(sub, i)
		}
	}
	rng.Shuffle(len(sub), func(a, b int) { sub[a], sub[b] = sub[b], sub[a] })
	ins, add = doneSet{}, doneSet{}
	for _, q := range sub {
		ins.insert(q)
	}
	add.add(sub)
	if !reflect.DeepEqual(ins.ranges, add.ranges) {
		t.Fatal("insert and add disagree on a random subset")
	}
}
