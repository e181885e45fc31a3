package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/row"
)

// hey must fetch an answer of the size an export meets in the middle, not
// whichever ID happens to come first: the sizes are computed here from the
// sandbox's own generator, independently of the HTTP sampling.
func TestFindHeyTargetIsTheMedianAnswer(t *testing.T) {
	for _, tc := range []struct {
		name     string
		notFound float64
	}{{"every ID found", -1}, {"some not found", 0.3}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := sandbox.Config{NotFoundRate: tc.notFound}
			sb := sandbox.StartTest(t, cfg)
			got, err := findHeyTarget(context.Background(), sb.URL)
			if err != nil {
				t.Fatal(err)
			}
			urls, err := fetch.New(fetch.Config{BaseURL: sb.URL, ClientCode: "sandbox"})
			if err != nil {
				t.Fatal(err)
			}
			var sizes []int
			total := 0
			sizeOf := map[string]int{}
			for i := range heySample {
				id, typ, _ := strings.Cut(string(appendRow(nil, i)), ",")
				body, found := cfg.Profile(row.Type(typ), id)
				if !found {
					continue
				}
				sizes = append(sizes, len(body))
				total += len(body)
				sizeOf[urls.URL(row.Type(typ), id)] = len(body)
			}
			slices.Sort(sizes)
			if want := sizes[len(sizes)/2]; got.Size != want {
				t.Errorf("size %d, want the median %d", got.Size, want)
			}
			if s, ok := sizeOf[got.URL]; !ok || s != got.Size {
				t.Errorf("URL %s is not a sampled row with a %d-byte profile (found %v, size %d)", got.URL, got.Size, ok, s)
			}
			if want := float64(total) / float64(len(sizes)); got.Mean != want {
				t.Errorf("mean %.1f, want %.1f", got.Mean, want)
			}
		})
	}
}
