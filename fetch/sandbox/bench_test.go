package sandbox

import (
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/profile-export/profile-export/row"
)

// discardWriter is the cheapest http.ResponseWriter, to measure the handler alone.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

func BenchmarkProfile(b *testing.B) {
	g := newGenerator(Config{ClientCode: DefaultClientCode})
	ids := idsOf(row.ThirdPartyID, 1024)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := ids[i&1023]
		buf, _ = g.appendAnswer(buf[:0], row.ThirdPartyID, id, idHash(0, row.ThirdPartyID, id))
		i++
	}
}

func BenchmarkHandler(b *testing.B) {
	h, err := NewHandler(Config{})
	if err != nil {
		b.Fatal(err)
	}
	reqs := make([]*http.Request, 1024)
	for i, id := range idsOf(row.TntID, len(reqs)) {
		reqs[i], _ = http.NewRequest(http.MethodGet, profileURL("http://x", row.TntID, id, DefaultClientCode), nil)
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		h.ServeHTTP(w, reqs[i&1023])
		i++
	}
}

// BenchmarkLoopback measures whole requests through net/http on loopback, client and
// server sharing the machine, as the export benchmarks will.
func BenchmarkLoopback(b *testing.B) {
	s := StartTest(b, Config{})
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	urls := make([]string, 4096)
	for i, id := range idsOf(row.ECID, len(urls)) {
		urls[i] = profileURL(s.URL, row.ECID, id, DefaultClientCode)
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := c.Get(urls[n.Add(1)&4095])
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	})
	b.StopTimer()
	if st := s.Stats(); st.Requests < int64(b.N) {
		b.Errorf("server counted %d of %d requests", st.Requests, b.N)
	}
}
