package job

import (
	"sync/atomic"
	"time"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/row"
)

// stats are this process's live counters, updated lock-free on the hot path.
type stats struct {
	requests, retries atomic.Int64
	statuses          [600]atomic.Int64 // by HTTP status; 0 = no answer
	profiles, rejects atomic.Int64
	failed            atomic.Int64
	inFlight          atomic.Int64
	latency           *latencies
}

func newStats() *stats { return &stats{latency: newLatencies()} }

func (s *stats) attempt(a fetch.Attempt) {
	s.requests.Add(1)
	if a.Retry {
		s.retries.Add(1)
	}
	if a.Status >= 0 && a.Status < len(s.statuses) {
		s.statuses[a.Status].Add(1)
	}
	s.latency.observe(a.Duration)
}

func (s *stats) rejected(r row.Reason) {
	s.rejects.Add(1)
	if r == row.Failed {
		s.failed.Add(1)
	}
}

func (r *run) fillSummary(sum *Summary, start time.Time) {
	sum.Counts = r.st.Counts
	if sum.Rejects == nil {
		sum.Rejects = map[row.Reason]int64{}
	}
	sum.Requests = r.stats.requests.Load()
	sum.Retries = r.stats.retries.Load()
	sum.Statuses = StatusCounts{}
	for code := range r.stats.statuses {
		if n := r.stats.statuses[code].Load(); n > 0 {
			sum.Statuses[code] = n
		}
	}
	sum.Skipped = r.skipped
	if r.rd != nil {
		sum.FilteredOut = r.rd.Skipped()
	}
	sum.Latency = r.stats.latency.summary()
	sum.Elapsed = time.Since(start)
	sum.ElapsedS = sum.Elapsed.Seconds()
	if s := sum.Elapsed.Seconds(); s > 0 {
		sum.RowsPerS = float64(r.written.Load()) / s
	}
}

func (r *run) snapshot(start time.Time) Snapshot {
	return Snapshot{
		Done:      r.written.Load(),
		Profiles:  r.stats.profiles.Load(),
		Rejects:   r.stats.rejects.Load(),
		Failed:    r.stats.failed.Load(),
		Earlier:   r.earlier,
		InFlight:  r.stats.inFlight.Load(),
		Requests:  r.stats.requests.Load(),
		Retries:   r.stats.retries.Load(),
		InputRead: r.input.Offset(),
		InputSize: r.input.Size(),
		Elapsed:   time.Since(start),
	}
}

func (r *run) reportProgress(done <-chan struct{}) {
	start := time.Now()
	t := time.NewTicker(r.cfg.ProgressInterval)
	defer t.Stop()
	for {
		select {
		case <-done:
			r.cfg.OnProgress(r.snapshot(start))
			return
		case <-t.C:
			r.cfg.OnProgress(r.snapshot(start))
		}
	}
}
