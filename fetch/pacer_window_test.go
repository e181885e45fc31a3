package fetch

import (
	"context"
	"errors"
	"testing"
	"time"
)

// However late its waiters wake, a Pacer never lets more than rate + burst requests
// go within one second: the window holds the extra one back until the first of the
// second is a second (and the margin) old.
func TestPacerWindowHoldsBackTheExtraRequest(t *testing.T) {
	span := time.Second + 10*time.Millisecond
	w := newWindow(5, span)
	ctx := context.Background()
	start := time.Now()
	for range 5 {
		if err := w.admit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Fatalf("the first 5 of a limit of 5 took %v", d)
	}
	if err := w.admit(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < span {
		t.Fatalf("the 6th request went after %v, less than %v after the 1st", d, span)
	}
}

func TestPacerWindowWaitCanceled(t *testing.T) {
	w := newWindow(1, time.Second)
	_ = w.admit(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := w.admit(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("admit = %v, want the context's error", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("a canceled wait took %v", d)
	}
}

// The limit is rate + burst requests per second, the most a token bucket grants.
func TestPacerWindowLimit(t *testing.T) {
	for _, tc := range []struct {
		rate  float64
		burst int
		want  int
	}{{400, 10, 410}, {10, 10, 20}, {0.5, 1, 1}, {2.5, 1, 3}} {
		if got := len(NewPacer(tc.rate, tc.burst).win.sent); got != tc.want {
			t.Errorf("NewPacer(%v, %d): %d per second, want %d", tc.rate, tc.burst, got, tc.want)
		}
	}
}

// The window spans a second and a margin for the delay between the client and
// the server's clock: half the burst's worth of time, at most maxWindowMargin,
// so that at the steady rate (rate × span < rate + burst) it never holds a
// request back.
func TestPacerWindowSpan(t *testing.T) {
	for _, tc := range []struct {
		rate  float64
		burst int
		want  time.Duration
	}{
		{400, 10, time.Second + 12500*time.Microsecond},
		{1000, 1, time.Second + 500*time.Microsecond},
		{10, 10, time.Second + maxWindowMargin},
	} {
		p := NewPacer(tc.rate, tc.burst)
		if p.win.span != tc.want {
			t.Errorf("NewPacer(%v, %d): span %v, want %v", tc.rate, tc.burst, p.win.span, tc.want)
		}
		if steady := tc.rate * p.win.span.Seconds(); steady >= float64(len(p.win.sent)) {
			t.Errorf("NewPacer(%v, %d): %.1f requests at the steady rate in a span, limit %d",
				tc.rate, tc.burst, steady, len(p.win.sent))
		}
	}
}
