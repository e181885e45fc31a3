package fetch

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Pacer tuning. The pacer is adaptive in the spirit of rclone's: a 429 halves the
// rate (multiplicative decrease, never below the floor) and successes bring it back
// by small steps (additive increase) up to the configured rate, never above.
const (
	// DefaultBurst is the burst of a Pacer created with burst <= 0.
	DefaultBurst = 1
	// PacerFloor is the lowest rate, in requests per second, that backoffs lower a
	// Pacer to (or the configured rate, when that is lower).
	PacerFloor = 0.5
	// PacerRecoverEvery is how many successes raise a lowered rate by one step.
	PacerRecoverEvery = 10
	// PacerRecoverStep is one recovery step, as a fraction of the configured rate.
	PacerRecoverStep = 0.05
)

// Pacer is a rate limiter shared by all the workers of a job. Every HTTP attempt,
// retries included, waits for a token. It is safe for concurrent use; waiting
// holds no lock of the Pacer (rate.Limiter reserves under its own short lock), and
// Success is a single atomic load while the rate is not lowered.
//
// A nil *Pacer, or one made with a rate <= 0, is unlimited and never adapts.
type Pacer struct {
	lim    *rate.Limiter // nil = unlimited
	target rate.Limit
	floor  rate.Limit
	win    *window // nil = unlimited

	epoch   atomic.Uint64 // bumped by every effective Backoff
	reduced atomic.Bool   // the limit is below target

	mu   sync.Mutex // guards cur and wins; never held while waiting
	cur  rate.Limit
	wins int
}

// NewPacer returns a Pacer allowing rps requests per second with the given burst
// (DefaultBurst when <= 0). rps <= 0 means unlimited.
func NewPacer(rps float64, burst int) *Pacer {
	if rps <= 0 || math.IsInf(rps, 1) || math.IsNaN(rps) {
		return &Pacer{target: rate.Inf, cur: rate.Inf}
	}
	if burst <= 0 {
		burst = DefaultBurst
	}
	t := rate.Limit(rps)
	return &Pacer{
		lim:    rate.NewLimiter(t, burst),
		target: t,
		floor:  min(t, PacerFloor),
		win:    newWindow(int(math.Min(rps+float64(burst), 1<<20)), windowSpan(rps, burst)),
		cur:    t,
	}
}

// Wait blocks until the pacer allows one request or ctx is done. It returns the
// pacer's epoch at that moment, to be passed to Backoff if the request is
// throttled.
func (p *Pacer) Wait(ctx context.Context) (epoch uint64, err error) {
	if p == nil || p.lim == nil {
		return 0, ctx.Err()
	}
	if err := p.lim.Wait(ctx); err != nil {
		// rate.Limiter also fails early when the wait would outlast ctx's deadline.
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("pacer: %w", context.DeadlineExceeded)
	}
	if err := p.win.admit(ctx); err != nil {
		return 0, err
	}
	return p.epoch.Load(), nil
}

// window keeps every one-second window of requests at or below rate + burst, the
// most a token bucket grants in a second, by the times the requests are actually
// let go. rate.Limiter hands out future instants and each waiter sleeps until its
// own: a waiter woken late (a busy machine) goes together with the next ones, and
// the server then counts more in one second than the bucket allows. window holds
// the last limit instants in a ring and makes a request wait until the oldest is
// span old; it almost never waits while waiters are on time.
type window struct {
	mu   sync.Mutex
	span time.Duration
	sent []time.Time // the last len(sent) instants a request was let go
	next int         // the oldest of them
}

// maxWindowMargin bounds what windowSpan adds to a second.
const maxWindowMargin = 20 * time.Millisecond

// windowSpan is how long a window of rate + burst requests lasts: a second, plus
// a margin for what lies between the instant a request is let go and the instant
// the server counts it (goroutine hand-offs in net/http, the network, the
// server's scheduling), which stretches the client's second as the server sees
// it. The margin is half the burst's worth of time at the rate, at most
// maxWindowMargin: at the steady rate a window of that span holds rate + burst/2
// requests, so it still never holds one back, while a request delayed by a few
// milliseconds no longer pushes the server's second over the limit.
func windowSpan(rps float64, burst int) time.Duration {
	margin := time.Duration(float64(burst) / 2 / rps * float64(time.Second))
	return time.Second + min(margin, maxWindowMargin)
}

// newWindow allows limit requests (at least one) in any span.
func newWindow(limit int, span time.Duration) *window {
	return &window{span: span, sent: make([]time.Time, max(limit, 1))}
}

// admit blocks until a request may go now without exceeding the limit in the
// second before it, and records it; it holds its lock only to look and record.
func (w *window) admit(ctx context.Context) error {
	for {
		w.mu.Lock()
		now := time.Now()
		oldest := w.sent[w.next]
		if oldest.IsZero() || now.Sub(oldest) >= w.span {
			w.sent[w.next] = now
			w.next = (w.next + 1) % len(w.sent)
			w.mu.Unlock()
			return nil
		}
		wait := w.span - now.Sub(oldest)
		w.mu.Unlock()
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// Backoff lowers the rate after a 429 answer to a request sent at epoch (from
// Wait): the limit is halved, not below the floor. Many requests in flight at the
// same time tend to be throttled together; only the first of them lowers the rate,
// the others (sent in the same epoch) are ignored, so one burst of 429s halves the
// rate once rather than collapsing it to the floor.
func (p *Pacer) Backoff(epoch uint64) {
	if p == nil || p.lim == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if epoch != p.epoch.Load() {
		return
	}
	p.epoch.Add(1)
	p.wins = 0
	p.cur = max(p.cur/2, p.floor)
	p.reduced.Store(p.cur < p.target)
	p.lim.SetLimit(p.cur)
}

// Success records an answer that was not throttled. While the rate is lowered,
// every PacerRecoverEvery successes raise it by PacerRecoverStep of the configured
// rate, up to the configured rate.
func (p *Pacer) Success() {
	if p == nil || !p.reduced.Load() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur >= p.target {
		return
	}
	p.wins++
	if p.wins < PacerRecoverEvery {
		return
	}
	p.wins = 0
	p.cur = min(p.cur+p.target*PacerRecoverStep, p.target)
	p.reduced.Store(p.cur < p.target)
	p.lim.SetLimit(p.cur)
}

// Limit returns the current rate in requests per second (+Inf when unlimited).
func (p *Pacer) Limit() float64 {
	if p == nil || p.lim == nil {
		return math.Inf(1)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return float64(p.cur)
}
