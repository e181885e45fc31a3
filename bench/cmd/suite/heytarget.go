package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/row"
)

// heySample is how many of the inputs' first rows findHeyTarget looks at.
const heySample = 999

// heyTarget is what hey fetches: one URL, over and over.
type heyTarget struct {
	URL  string  // the whole URL, on the sandbox's host
	Size int     // bytes of its answer
	Mean float64 // mean answer size of the sampled rows
}

// findHeyTarget chooses the URL hey fetches: among the first heySample rows of
// the inputs that have a profile, the one whose answer has the median size. hey
// can fetch only one URL, while an export fetches many IDs whose answers differ
// (3 to 15 attributes); an ID with a small answer would make the sandbox's work and
// hey's reading lighter than an export's, and the comparison unfair to the
// export (the first thirdPartyId, which hey fetched until 2026-12-04, answers
// 426 bytes against a mean of about 925). base is the sandbox's URL.
func findHeyTarget(ctx context.Context, base string) (heyTarget, error) {
	type sample struct {
		url  string
		size int
	}
	// The URLs are built by profile-export's own client, so hey fetches exactly
	// what an export does.
	urls, err := fetch.New(fetch.Config{BaseURL: base, ClientCode: "sandbox"})
	if err != nil {
		return heyTarget{}, err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	samples := make([]sample, 0, heySample)
	total := 0
	for i := range heySample {
		id, typ, _ := strings.Cut(string(appendRow(nil, i)), ",")
		u := urls.URL(row.Type(typ), id)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return heyTarget{}, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return heyTarget{}, fmt.Errorf("sampling answer sizes: %w", err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return heyTarget{}, fmt.Errorf("sampling answer sizes: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			continue // a 404 of a sandbox with missing profiles: hey must get profiles
		}
		samples = append(samples, sample{u, len(body)})
		total += len(body)
	}
	if len(samples) == 0 {
		return heyTarget{}, fmt.Errorf("sampling answer sizes: none of the first %d rows has a profile", heySample)
	}
	// Stable, so that equal sizes keep the input's order and the choice is the
	// same on every run.
	slices.SortStableFunc(samples, func(a, b sample) int { return a.size - b.size })
	med := samples[len(samples)/2]
	return heyTarget{URL: med.url, Size: med.size, Mean: float64(total) / float64(len(samples))}, nil
}
