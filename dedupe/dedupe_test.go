package dedupe

import (
	"hash/fnv"
	"strconv"
	"testing"
	"unsafe"

	"github.com/profile-export/profile-export/row"
)

func TestSeen(t *testing.T) {
	type call struct {
		t         row.Type
		id        string
		line      int64
		firstLine int64
		dup       bool
	}
	tests := []struct {
		name  string
		calls []call
	}{
		{"first occurrence", []call{{row.TntID, "a", 2, 2, false}}},
		{"repeat gives the first line", []call{
			{row.TntID, "a", 2, 2, false},
			{row.TntID, "b", 3, 3, false},
			{row.TntID, "a", 4, 2, true},
			{row.TntID, "a", 9, 2, true},
		}},
		{"same ID of another type is not a duplicate", []call{
			{row.TntID, "123", 2, 2, false},
			{row.ECID, "123", 3, 3, false},
			{row.ThirdPartyID, "123", 4, 4, false},
			{row.ECID, "123", 5, 3, true},
		}},
		{"type and ID do not run into each other", []call{
			{"tntI", "dx", 2, 2, false},
			{"tntId", "x", 3, 3, false},
		}},
		{"IDs are compared exactly", []call{
			{row.ThirdPartyID, "Bob", 2, 2, false},
			{row.ThirdPartyID, "bob", 3, 3, false},
			{row.ThirdPartyID, "bob ", 4, 4, false},
			{row.ThirdPartyID, "", 5, 5, false},
			{row.ThirdPartyID, "", 6, 5, true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			distinct := 0
			for _, c := range tt.calls {
				first, dup := s.Seen(c.t, c.id, c.line)
				if first != c.firstLine || dup != c.dup {
					t.Errorf("Seen(%q, %q, %d) = %d, %v; want %d, %v", c.t, c.id, c.line, first, dup, c.firstLine, c.dup)
				}
				if !c.dup {
					distinct++
				}
			}
			if s.Len() != distinct {
				t.Errorf("Len() = %d, want %d", s.Len(), distinct)
			}
		})
	}
}

// TestGrowth fills a Set through many doublings and checks that nothing is lost, that
// the load stays at most 3/4 and that the memory is 16 bytes a slot.
func TestGrowth(t *testing.T) {
	const n = 200_000
	s := New()
	if s.Bytes() < initialSlots*16 || s.Bytes() > initialSlots*16+64 {
		t.Fatalf("new Set holds %d bytes, want about %d", s.Bytes(), initialSlots*16)
	}
	lastBytes := s.Bytes()
	growths := 0
	for i := range n {
		id := "id-" + strconv.Itoa(i)
		if first, dup := s.Seen(row.ThirdPartyID, id, int64(i+2)); dup {
			t.Fatalf("new ID %s reported as a duplicate of line %d", id, first)
		}
		if b := s.Bytes(); b != lastBytes {
			if b-64 > 2*lastBytes || b < 2*lastBytes-64 {
				t.Fatalf("Bytes went from %d to %d, want doubling", lastBytes, b)
			}
			lastBytes = b
			growths++
		}
		if 4*s.Len() > 3*len(s.slots) {
			t.Fatalf("load %d/%d above 3/4", s.Len(), len(s.slots))
		}
	}
	if s.Len() != n {
		t.Fatalf("Len() = %d, want %d", s.Len(), n)
	}
	if growths < 8 {
		t.Fatalf("only %d doublings", growths)
	}
	if perID := float64(s.Bytes()) / n; perID > 43 {
		t.Errorf("%.1f bytes per ID, want at most 43", perID)
	}
	for i := range n {
		if first, dup := s.Seen(row.ThirdPartyID, "id-"+strconv.Itoa(i), 1e9); !dup || first != int64(i+2) {
			t.Fatalf("ID %d after growth: Seen = %d, %v; want %d, true", i, first, dup, i+2)
		}
	}
	if s.Len() != n {
		t.Fatalf("Len() = %d after repeats, want %d", s.Len(), n)
	}
}

// TestProbing places hashes that all want the last slot: they must wrap around to
// the start of the table and all be found again, across a doubling.
func TestProbing(t *testing.T) {
	s := New()
	last := uint64(initialSlots - 1)
	var hashes []uint64
	for k := uint64(1); k <= initialSlots*3/4; k++ {
		hashes = append(hashes, last+k*initialSlots) // all ≡ last mod table size
	}
	for i, h := range hashes {
		if _, dup := s.seen(h, int64(i)); dup {
			t.Fatalf("hash %d of %d reported as a duplicate", i, len(hashes))
		}
	}
	if s.slots[0].hash != hashes[1] {
		t.Errorf("second colliding hash not wrapped to slot 0")
	}
	s.seen(12345, -1) // forces a doubling
	if len(s.slots) != 2*initialSlots {
		t.Fatalf("table has %d slots, want %d", len(s.slots), 2*initialSlots)
	}
	for i, h := range hashes {
		if first, dup := s.seen(h, 1e9); !dup || first != int64(i) {
			t.Fatalf("hash %d: seen = %d, %v; want %d, true", i, first, dup, i)
		}
	}
}

// TestHash pins the hash: FNV-1a 64 of "type\x00id", finalized, the same in every
// process (a per-process seed would be no worse for one run, but this one is
// documented as reproducible).
func TestHash(t *testing.T) {
	f := fnv.New64a()
	f.Write([]byte("tntId\x00abc"))
	h := f.Sum64()
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	if got := hash(row.TntID, "abc"); got != h {
		t.Errorf("hash = %#x, want %#x", got, h)
	}
	if hash(row.TntID, "abc") == hash(row.ECID, "abc") {
		t.Errorf("type does not change the hash")
	}
}

// BenchmarkSet10M inserts ten million distinct IDs and reports the memory per ID.
func BenchmarkSet10M(b *testing.B) {
	const n = 10_000_000
	var s *Set
	for b.Loop() {
		s = New()
		buf := make([]byte, 0, 64)
		for i := range n {
			buf = strconv.AppendInt(append(buf[:0], "1114920250943"...), int64(i), 10)
			// Seen does not keep id, so a string over the reused buffer is safe.
			if _, dup := s.Seen(row.TntID, unsafe.String(&buf[0], len(buf)), int64(i)); dup {
				b.Fatalf("false duplicate at %d", i)
			}
		}
	}
	b.ReportMetric(float64(s.Bytes())/n, "bytes/ID")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/insert")
}
