package writer

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/profile-export/profile-export/row"
)

// variedBody is a realistic answer that differs from row to row, so compression
// has real work to do.
func variedBody(i int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"client":"acmecorp","visitorId":"v-%d","modifiedAt":"2026-02-21T03:29:14","profileAttributes":{`, i)
	for k := range 8 {
		if k > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"user.attr%d":{"value":"%d-%x","modifiedAt":"2026-01-%02dT18:45:46"}`, k, i*k, i*7919+k, 1+(i+k)%28)
	}
	b.WriteString(`}}`)
	return b.Bytes()
}

// An export's memory must not depend on its size, and a Parquet encoder is most of
// it: its row group (bounded by RowGroupRows) and its compressor. zstd's default
// window made each compressor hold a 16 MiB history, and parquet-go's codec pool
// rebuilt them after garbage collections; the encoder must stay well under that.
func TestParquetEncoderMemoryIsBounded(t *testing.T) {
	enc := NewParquet(io.Discard, ParquetOptions{})
	before := liveHeap()
	at := time.Date(2026, 12, 3, 16, 28, 22, 0, time.UTC)
	for i := range 3*DefaultRowGroupRows + 500 { // three row groups flushed, a fourth open
		p := row.Profile{Line: int64(i + 2), ID: fmt.Sprintf("crm-%08d", i), Type: row.ThirdPartyID, FetchedAt: at, Body: variedBody(i)}
		if err := enc.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	held := int64(liveHeap()) - int64(before)
	runtime.KeepAlive(enc)
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("a Parquet encoder holds %.1f MiB", float64(held)/(1<<20))
	if held > 12<<20 {
		t.Errorf("a Parquet encoder holds %.1f MiB after 3 row groups, want under 12 MiB", float64(held)/(1<<20))
	}
}

// Nor may it grow much with the rows of a file: parquet-go keeps each page's
// index entry and each row group's metadata until the footer. The bounds of the
// JSON columns' pages made that about 8.6 bytes a row here until the encoder
// stopped writing them; 0.5-4 remain.
func TestParquetEncoderMemoryDoesNotGrowWithRows(t *testing.T) {
	enc := NewParquet(io.Discard, ParquetOptions{})
	at := time.Date(2026, 12, 3, 16, 28, 22, 0, time.UTC)
	write := func(from, to int) {
		for i := from; i < to; i++ {
			p := row.Profile{Line: int64(i + 2), ID: fmt.Sprintf("crm-%08d", i), Type: row.ThirdPartyID,
				FetchedAt: at, Body: sandboxBodies[i%len(sandboxBodies)], Checked: true}
			if err := enc.Write(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	const first, more = 2 * DefaultRowGroupRows, 20 * DefaultRowGroupRows
	write(0, first)
	before := liveHeap()
	write(first, first+more)
	grown := int64(liveHeap()) - int64(before)
	runtime.KeepAlive(enc)
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	perRow := float64(grown) / more
	t.Logf("the encoder's memory grew by %.2f bytes a row over %d rows", perRow, more)
	if perRow > 6 {
		t.Errorf("the encoder's memory grew by %.2f bytes a row over %d rows, want under 6", perRow, more)
	}
}

// liveHeap is the heap in use after two collections: the second frees what
// sync.Pools kept through the first, which would otherwise come and go.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// The codec's output is plain zstd: parquet-go's own decoder reads it back, for
// pages large and small, and for empty pages.
func TestZstdCodecRoundTrip(t *testing.T) {
	for _, src := range [][]byte{nil, []byte("x"), bytes.Repeat(variedBody(1), 3), bytes.Repeat(variedBody(2), 2000)} {
		enc, err := parquetZstd.Encode(nil, src)
		if err != nil {
			t.Fatal(err)
		}
		if len(src) > 1000 && len(enc) >= len(src)/2 {
			t.Errorf("%d bytes compressed to %d", len(src), len(enc))
		}
		dec, err := parquetZstd.Decode(nil, enc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(dec, src) {
			t.Fatalf("round trip of %d bytes gave %d different bytes", len(src), len(dec))
		}
	}
}
