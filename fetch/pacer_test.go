package fetch

import (
	"context"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestPacerAdapts(t *testing.T) {
	p := NewPacer(10, 100) // a burst so that Wait does not actually wait
	if p.Limit() != 10 {
		t.Fatalf("initial limit %v", p.Limit())
	}
	ctx := context.Background()
	e, err := p.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.Backoff(e)
	if p.Limit() != 5 {
		t.Fatalf("after one 429: %v", p.Limit())
	}
	// Other 429s to requests sent before the cut do not cut again.
	p.Backoff(e)
	p.Backoff(e)
	if p.Limit() != 5 {
		t.Fatalf("stale 429s lowered the limit to %v", p.Limit())
	}
	// Requests sent after the cut and still throttled cut again, down to the floor.
	want := []float64{2.5, 1.25, 0.625, 0.5, 0.5}
	for _, w := range want {
		e, _ := p.Wait(ctx)
		p.Backoff(e)
		if p.Limit() != w {
			t.Fatalf("limit %v, want %v", p.Limit(), w)
		}
	}
	// Recovery: +5% of the target (0.5) every 10 successes, never above the target.
	for i := 1; i < PacerRecoverEvery; i++ {
		p.Success()
	}
	if p.Limit() != 0.5 {
		t.Fatalf("recovered before %d successes: %v", PacerRecoverEvery, p.Limit())
	}
	p.Success()
	if p.Limit() != 1.0 {
		t.Fatalf("after %d successes: %v", PacerRecoverEvery, p.Limit())
	}
	steps := 0
	for p.Limit() < 10 {
		for range PacerRecoverEvery {
			p.Success()
		}
		steps++
		if steps > 100 {
			t.Fatalf("not converging: %v", p.Limit())
		}
	}
	if steps != 18 || p.Limit() != 10 { // (10-1)/0.5
		t.Fatalf("converged to %v in %d steps", p.Limit(), steps)
	}
	for range 5 * PacerRecoverEvery {
		p.Success()
	}
	if p.Limit() != 10 {
		t.Fatalf("went above the target: %v", p.Limit())
	}
}

func TestPacerFloorBelowTarget(t *testing.T) {
	p := NewPacer(0.2, 1)
	e, _ := p.Wait(context.Background())
	p.Backoff(e)
	if p.Limit() != 0.2 {
		t.Errorf("a target under the floor was lowered to %v", p.Limit())
	}
}

func TestPacerUnlimited(t *testing.T) {
	for _, p := range []*Pacer{nil, NewPacer(0, 0), NewPacer(-1, 3), NewPacer(math.Inf(1), 1)} {
		for range 1000 {
			if _, err := p.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		p.Backoff(0)
		p.Success()
		if !math.IsInf(p.Limit(), 1) {
			t.Errorf("unlimited pacer limit %v", p.Limit())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (*Pacer)(nil).Wait(ctx); err == nil {
		t.Error("Wait ignored a canceled context")
	}
}

func TestPacerWaitCanceled(t *testing.T) {
	p := NewPacer(0.001, 1)
	ctx := context.Background()
	if _, err := p.Wait(ctx); err != nil { // the burst
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := p.Wait(ctx); err == nil {
		t.Error("Wait returned a token it could not have within the deadline")
	}
}

// Concurrent use (run with -race).
func TestPacerConcurrent(t *testing.T) {
	p := NewPacer(1e6, 100)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				e, err := p.Wait(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if (i+g)%50 == 0 {
					p.Backoff(e)
				} else {
					p.Success()
				}
				_ = p.Limit()
			}
		}()
	}
	wg.Wait()
	if l := p.Limit(); l < PacerFloor || l > 1e6 {
		t.Errorf("limit %v out of range", l)
	}
}

// Every attempt, retries included, takes a token; a 429 lowers the shared rate.
func TestClientUsesPacer(t *testing.T) {
	s := newServer(t, answerWith(http.StatusTooManyRequests, ""))
	cfg := fastConfig(s.URL)
	cfg.Retries = 5
	cfg.Pacer = NewPacer(0.001, 3) // a burst of 3, then one token per 1000 s
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := mustNew(t, cfg).Fetch(ctx, "tntId", "x")
	if res.Outcome != Canceled || res.Attempts != 3 || s.hits.Load() != 3 {
		t.Fatalf("got %v after %d attempts (%d requests); want canceled after the 3 paced attempts",
			res.Outcome, res.Attempts, s.hits.Load())
	}

	p := NewPacer(1000, 10)
	cfg.Pacer, cfg.Retries = p, 1
	fetchOne(t, mustNew(t, cfg), "x")
	if p.Limit() != 250 { // two 429s, each to a request sent after the previous cut
		t.Errorf("limit after two 429s: %v", p.Limit())
	}
}
