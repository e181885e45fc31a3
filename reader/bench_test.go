package reader

import (
	"bytes"
	"io"
	"runtime"
	"testing"
)

// BenchmarkReader reads a realistic file of tntId rows and reports rows per second and
// allocations per row.
func BenchmarkReader(b *testing.B) {
	const n = 200_000
	data, err := io.ReadAll(&rowsReader{n: n})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	rows := 0
	for b.Loop() {
		rd, err := New(bytes.NewReader(data), Config{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := rd.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(rows), "allocs/row")
}
