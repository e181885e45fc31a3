package fetch

import (
	"context"
	"errors"
	"testing"
	"time"
)

// However late its waiters wake, a Pacer never lets more than rate + burst requests
// go within one second: the window holds the extra one back until the first of the
// second is a second old.
func TestPacerWindowHoldsBackTheExtraRequest(t *testing.T) {
	w := newWindow(5)
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
	if d := time.Since(start); d < time.Second {
		t.Fatalf("the 6th request went after %v, less than a second after the 1st", d)
	}
}

func TestPacerWindowWaitCanceled(t *testing.T) {
	w := newWindow(1)
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
