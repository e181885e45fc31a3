package fetch

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/profile-export/profile-export/row"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	const limit = 5 * time.Minute
	tests := map[string]time.Duration{
		"":                                 0,
		"0":                                0,
		"7":                                7 * time.Second,
		" 12 ":                             12 * time.Second,
		"300":                              5 * time.Minute,
		"301":                              limit,
		"99999999999999999999":             limit, // overflows uint64
		"-5":                               0,
		"1.5":                              0,
		"soon":                             0,
		"Sat, 01 Mar 2025 12:00:30 GMT":    30 * time.Second,
		"Saturday, 01-Mar-25 12:01:00 GMT": time.Minute,      // RFC 850 form
		"Sat Mar  1 12:00:10 2025":         10 * time.Second, // asctime form
		"Sat, 01 Mar 2025 11:00:00 GMT":    0,                // past
		"Sun, 02 Mar 2025 12:00:00 GMT":    limit,
	}
	for h, want := range tests {
		if got := parseRetryAfter(h, now, limit); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	base, maxWait := 100*time.Millisecond, 1*time.Second
	for n := 1; n <= 70; n++ {
		ceil := min(base<<min(n-1, 20), maxWait)
		var top time.Duration
		for range 200 {
			d := backoff(n, base, maxWait, 0)
			if d < 0 || d > ceil {
				t.Fatalf("retry %d: %v outside [0, %v]", n, d, ceil)
			}
			top = max(top, d)
		}
		// Full jitter spreads over the whole range: 200 draws reach its upper half.
		if top < ceil/2 {
			t.Errorf("retry %d: 200 draws all below %v", n, ceil/2)
		}
	}
	// A Retry-After longer than the jittered wait replaces it.
	if d := backoff(1, base, maxWait, 3*time.Second); d != 3*time.Second {
		t.Errorf("with Retry-After 3s: %v", d)
	}
	if d := backoff(1, 0, 0, 0); d != 0 {
		t.Errorf("zero backoff: %v", d)
	}
}

// Retry-After is honoured: the second attempt comes no sooner than it says.
func TestRetryAfterHonoured(t *testing.T) {
	var first time.Time
	var gap time.Duration
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		gap = time.Since(first)
		w.Write([]byte(`{}`))
	})
	res := fetchOne(t, mustNew(t, fastConfig(s.URL)), "x")
	if res.Outcome != OK || res.Attempts != 2 {
		t.Fatalf("got %+v", res)
	}
	if gap < 900*time.Millisecond {
		t.Errorf("retried after %v despite Retry-After: 1", gap)
	}
}

// A huge Retry-After is capped by MaxRetryAfter (else the deadline would cancel).
func TestRetryAfterCapped(t *testing.T) {
	s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{}`))
	})
	cfg := fastConfig(s.URL)
	cfg.MaxRetryAfter = 10 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if res := mustNew(t, cfg).Fetch(ctx, row.TntID, "x"); res.Outcome != OK || res.Attempts != 2 {
		t.Fatalf("got %+v", res)
	}
}

func TestRetriesConfig(t *testing.T) {
	s := newServer(t, answerWith(500, ""))
	for _, tc := range []struct{ retries, attempts int }{{-1, 1}, {1, 2}, {3, 4}} {
		cfg := fastConfig(s.URL)
		cfg.Retries = tc.retries
		if res := fetchOne(t, mustNew(t, cfg), "x"); res.Attempts != tc.attempts || res.Outcome != Failed {
			t.Errorf("Retries %d: %d attempts, %v", tc.retries, res.Attempts, res.Outcome)
		}
	}
	c := mustNew(t, Config{BaseURL: s.URL})
	if c.retries != DefaultRetries || c.timeout != DefaultTimeout || c.maxBody != DefaultMaxBody ||
		c.backoffBase != DefaultBackoffBase || c.backoffMax != DefaultBackoffMax || c.maxRetryAfter != DefaultMaxRetryAfter {
		t.Errorf("defaults not applied: %+v", c)
	}
}

func TestSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleep(ctx, time.Hour); err != context.Canceled {
		t.Errorf("sleep on a canceled context: %v", err)
	}
	if err := sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("sleep: %v", err)
	}
}
