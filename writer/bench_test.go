package writer

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/row"
)

// benchBody is a realistic answer: about 1.5 KB with 20 attributes.
var benchBody = func() []byte {
	var b strings.Builder
	b.WriteString(`{"client":"acmecorp","visitorId":"a1-mbox3rdPartyId","modifiedAt":"2017-08-18T17:53:39.003-04:00","profileAttributes":{`)
	for i := range 20 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"user.attribute%02d":{"value":"value number %d, été","modifiedAt":"2017-08-09T18:18:04.661-04:00"}`, i, i*7919)
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}()

// countingWriter counts bytes and throws them away.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// sandboxBodies are answers as an export receives them: the sandbox's profiles
// of 10,000 distinct IDs, which differ as real ones do (the same body every time
// would let zstd compress a page to almost nothing).
var sandboxBodies = func() [][]byte {
	c := sandbox.Config{ClientCode: sandbox.DefaultClientCode, NotFoundRate: -1}
	out := make([][]byte, 10_000)
	for i := range out {
		out[i], _ = c.Profile(row.ThirdPartyID, fmt.Sprintf("crm-%08d", i))
	}
	return out
}()

// benchEncoder writes b.N profiles and reports rows/s, bytes/row and
// allocs/row (the encoder's own allocations, amortized). The bodies are the
// sandbox's; the "large" case is benchBody, one answer of 20 attributes.
func benchEncoder(b *testing.B, newEnc func(w *countingWriter) ProfileEncoder) {
	for _, bc := range []struct {
		name   string
		bodies [][]byte
	}{{"sandbox", sandboxBodies}, {"large", [][]byte{benchBody}}} {
		b.Run(bc.name, func(b *testing.B) {
			// Checked, as in an export: fetch has validated every answer.
			p := row.Profile{Line: 2, ID: "111492025094307-353046.28_0", Type: row.TntID,
				FetchedAt: time.Date(2026, 12, 3, 16, 28, 22, 123e6, time.UTC), Checked: true}
			var out countingWriter
			enc := newEnc(&out)
			var before, after runtime.MemStats
			var size int64
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p.Line = int64(i + 2)
				p.Body = bc.bodies[i%len(bc.bodies)]
				size += int64(len(p.Body))
				if err := enc.Write(p); err != nil {
					b.Fatal(err)
				}
			}
			if err := enc.Close(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(out.n)/float64(b.N), "bytes/row")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N), "allocs/row")
			b.SetBytes(size / int64(b.N))
		})
	}
}

func BenchmarkJSONLEncoder(b *testing.B) {
	benchEncoder(b, func(w *countingWriter) ProfileEncoder { return NewJSONL(w, false) })
}

func BenchmarkJSONLGzipEncoder(b *testing.B) {
	benchEncoder(b, func(w *countingWriter) ProfileEncoder { return NewJSONL(w, true) })
}

func BenchmarkParquetEncoder(b *testing.B) {
	benchEncoder(b, func(w *countingWriter) ProfileEncoder { return NewParquet(w, ParquetOptions{}) })
}

func BenchmarkRejectEncoder(b *testing.B) {
	var out countingWriter
	enc := NewRejects(&out)
	r := sampleRejects[0]
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := enc.Write(r); err != nil {
			b.Fatal(err)
		}
	}
	enc.Close()
	b.ReportMetric(float64(out.n)/float64(b.N), "bytes/row")
}

// BenchmarkDecodeAnswer measures the answer path of the Parquet encoder:
// validation then the one-pass scan.
func BenchmarkDecodeAnswer(b *testing.B) {
	var a answer
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !json.Valid(benchBody) {
			b.Fatal("invalid")
		}
		a.decode(benchBody)
	}
	if len(a.attrs) != 20 {
		b.Fatalf("%d attributes", len(a.attrs))
	}
}

// BenchmarkDecodeAnswerEncodingJSON is the obvious alternative, for
// comparison: encoding/json into a struct with a map of attributes.
func BenchmarkDecodeAnswerEncodingJSON(b *testing.B) {
	type attr struct {
		Value json.RawMessage `json:"value"`
	}
	type ans struct {
		VisitorID         json.RawMessage `json:"visitorId"`
		ModifiedAt        string          `json:"modifiedAt"`
		ProfileAttributes map[string]attr `json:"profileAttributes"`
	}
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var a ans
		if err := json.Unmarshal(benchBody, &a); err != nil {
			b.Fatal(err)
		}
		parseModifiedAt([]byte(a.ModifiedAt))
	}
}
