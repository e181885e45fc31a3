package reader

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// rowsReader generates a CSV file of n tntId rows on the fly, so that the test itself
// holds no big input in memory.
type rowsReader struct {
	i, n int
	buf  []byte
}

func (g *rowsReader) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.i == 0 {
			g.buf = append(g.buf, "id,type\n"...)
		}
		if g.i >= g.n {
			return 0, io.EOF
		}
		g.buf = fmt.Appendf(g.buf, "%d-%d.28_0,tntId\n", 111492025094307+g.i, g.i%1000000)
		g.i++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// byteRepeater yields n copies of b.
type byteRepeater struct {
	b byte
	n int
}

func (r *byteRepeater) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), r.n)]
	for i := range p {
		p[i] = r.b
	}
	r.n -= len(p)
	return len(p), nil
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// TestMemoryDoesNotGrowWithRows reads many rows and checks that the live heap after
// them is what it was after the first few.
func TestMemoryDoesNotGrowWithRows(t *testing.T) {
	const n = 300_000
	rd, err := New(&rowsReader{n: n}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var before uint64
	count := 0
	for ; ; count++ {
		if count == 1000 {
			before = heapAlloc()
		}
		r, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil || r.Invalid != "" {
			t.Fatalf("row %d: %+v, %v", count, r, err)
		}
	}
	after := heapAlloc()
	if count != n {
		t.Fatalf("read %d rows, want %d", count, n)
	}
	if after > before+256<<10 {
		t.Errorf("live heap grew from %d to %d bytes over %d rows", before, after, n)
	}
	runtime.KeepAlive(rd)
}

// TestHugeFieldBoundedMemory reads a 16 MiB field: one invalid row, the rows after it
// fine, and never more than a few buffers allocated.
func TestHugeFieldBoundedMemory(t *testing.T) {
	const huge = 16 << 20
	tests := []struct {
		name    string
		input   func() io.Reader
		invalid string
		next    int64 // line of the row after the huge one
	}{
		{"unquoted field", func() io.Reader {
			return io.MultiReader(strings.NewReader("id,type\na,tntId\n"), &byteRepeater{'x', huge},
				strings.NewReader(",tntId\nb,tntId\n"))
		}, "longer than 65536 bytes", 4},
		{"quoted field on one line", func() io.Reader {
			return io.MultiReader(strings.NewReader("id,type\na,tntId\n\""), &byteRepeater{'x', huge},
				strings.NewReader("\",tntId\nb,tntId\n"))
		}, "longer than 65536 bytes", 4},
		{"line of delimiters", func() io.Reader {
			return io.MultiReader(strings.NewReader("id,type\na,tntId\n"), &byteRepeater{',', huge},
				strings.NewReader("\nb,tntId\n"))
		}, "empty ID", 4},
		{"runaway quote over many lines", func() io.Reader {
			return io.MultiReader(strings.NewReader("id,type\na,tntId\n\"x,tntId\n"), &byteRepeater{'\n', huge},
				strings.NewReader("b,tntId\n"))
		}, "does not close properly", 4 + huge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := New(tt.input(), Config{})
			if err != nil {
				t.Fatal(err)
			}
			start := totalAlloc()
			var rows []string
			var lines []int64
			for {
				r, err := rd.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				rows = append(rows, r.Invalid)
				lines = append(lines, r.Line)
			}
			allocated := totalAlloc() - start
			if len(rows) != 3 || rows[0] != "" || !strings.Contains(rows[1], tt.invalid) || rows[2] != "" {
				t.Fatalf("rows' problems = %q, want valid, %q, valid", rows, tt.invalid)
			}
			if lines[0] != 2 || lines[1] != 3 || lines[2] != tt.next {
				t.Errorf("lines = %v, want 2, 3, %d", lines, tt.next)
			}
			if allocated > 1<<20 {
				t.Errorf("allocated %d bytes reading a %d-byte field", allocated, huge)
			}
		})
	}
}
