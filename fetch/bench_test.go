package fetch

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/profile-export/profile-export/row"
)

func BenchmarkURL(b *testing.B) {
	c := mustNew(b, Config{ClientCode: "acmecorp"})
	for _, bc := range []struct {
		name string
		t    row.Type
		id   string
	}{
		{"tntId", row.TntID, "111492025094307-353046"},
		{"tntId-edge", row.TntID, "111492025094307-353046.28_0"},
		{"ecid", row.ECID, "12345678901234567890123456789012345678"},
		{"thirdPartyId-escaped", row.ThirdPartyID, "jane.doe+tag@example.com"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = c.URL(bc.t, bc.id)
			}
		})
	}
}

// BenchmarkRequestURL is the URL built for each request (no parsing).
func BenchmarkRequestURL(b *testing.B) {
	c := mustNew(b, Config{ClientCode: "acmecorp"})
	p, _ := c.ep.prefixOf(row.ThirdPartyID)
	b.ReportAllocs()
	for b.Loop() {
		_ = c.ep.requestURL(p, "jane.doe+tag@example.com", "")
	}
}

// BenchmarkDecode is the validation of a typical 200 answer.
func BenchmarkDecode(b *testing.B) {
	body := []byte(profileJSON)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := judge(200, body, ""); v != vOK {
			b.Fatal(v)
		}
	}
}

// BenchmarkFetch is one whole fetch through a loopback server (keep-alive).
func BenchmarkFetch(b *testing.B) {
	s := newServer(b, func(_ int, w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, profileJSON)
	})
	c := mustNew(b, fastConfig(s.URL))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res := c.Fetch(ctx, row.TntID, "111492025094307-353046"); res.Outcome != OK {
			b.Fatal(res.Message)
		}
	}
}
