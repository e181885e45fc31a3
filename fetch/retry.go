package fetch

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// backoff returns the wait before retry number n (1 for the first retry): capped
// exponential backoff with full jitter, uniform in [0, min(max, base·2^(n-1))]. A
// Retry-After from the server (already capped) replaces it when larger.
func backoff(n int, base, maxWait, retryAfter time.Duration) time.Duration {
	ceil := maxWait
	if n-1 < 62 && base > 0 && base <= maxWait>>(n-1) {
		ceil = base << (n - 1)
	}
	var d time.Duration
	if ceil > 0 {
		d = rand.N(ceil + 1)
	}
	return max(d, retryAfter)
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP-date
// (relative to now). It returns 0 when absent, unreadable or in the past, and caps
// the delay at limit.
func parseRetryAfter(h string, now time.Time, limit time.Duration) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseUint(h, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if err != nil || secs > uint64(limit/time.Second) {
			return limit
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), limit)
}

// sleep waits d or until ctx is done, whichever comes first; it returns ctx.Err()
// in the latter case.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
