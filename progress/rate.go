package progress

import (
	"time"

	"github.com/profile-export/profile-export/job"
)

// DefaultRateWindow is how far back the rows/s and the ETA look: long enough to
// smooth over a slow request or a checkpoint, short enough to follow a change of
// pace (a resumed run first races through the rows it skips).
const DefaultRateWindow = time.Minute

// sample is one snapshot, reduced to what the rates need. Elapsed is the clock:
// rates are computed from the job's own timings, not from the wall clock of the
// calls, so they do not depend on when the reporter happens to be called.
type sample struct {
	at   time.Duration
	done int64
	read int64
}

// estimator turns successive snapshots into recent rates and an ETA.
type estimator struct {
	window  time.Duration
	samples []sample
}

func newEstimator(window time.Duration) *estimator {
	if window <= 0 {
		window = DefaultRateWindow
	}
	return &estimator{window: window}
}

// add records s and forgets samples older than the window, always keeping two so
// that a rate exists even when updates are rarer than the window.
func (e *estimator) add(s job.Snapshot) {
	cur := sample{at: s.Elapsed, done: s.Done, read: s.InputRead}
	if n := len(e.samples); n > 0 && cur.at < e.samples[n-1].at {
		e.samples = e.samples[:0] // a new run's clock: start over
	}
	e.samples = append(e.samples, cur)
	for len(e.samples) > 2 && cur.at-e.samples[1].at >= e.window {
		e.samples = e.samples[1:]
	}
}

// span is the oldest and newest sample, and whether they are far enough apart
// for a rate.
func (e *estimator) span() (first, last sample, ok bool) {
	if len(e.samples) == 0 {
		return sample{}, sample{}, false
	}
	first, last = e.samples[0], e.samples[len(e.samples)-1]
	if len(e.samples) == 1 {
		// One snapshot: the rate since the start of the run.
		first = sample{}
	}
	return first, last, last.at > first.at
}

// rowsPerSecond is the recent rate of rows done, 0 before it is known.
func (e *estimator) rowsPerSecond() float64 {
	first, last, ok := e.span()
	if !ok {
		return 0
	}
	return float64(last.done-first.done) / (last.at - first.at).Seconds()
}

// eta estimates the time left from the recent pace of input bytes consumed. It
// returns false when the input size is unknown (stdin), when no pace is measured
// yet, and once the whole input is read: the reader reads up to 64 KiB ahead of
// the rows it returns, so the last rows (of a small file, all of them) are still
// to be fetched then, and "0s" would be a lie.
func (e *estimator) eta(s job.Snapshot) (time.Duration, bool) {
	left := s.InputSize - s.InputRead
	if s.InputSize <= 0 || left <= 0 {
		return 0, false
	}
	first, last, ok := e.span()
	if !ok || last.read <= first.read {
		return 0, false
	}
	perByte := float64(last.at-first.at) / float64(last.read-first.read)
	return time.Duration(perByte * float64(left)).Round(time.Second), true
}

// fraction is the share of the input consumed, and whether it is known.
func fraction(s job.Snapshot) (float64, bool) {
	if s.InputSize <= 0 {
		return 0, false
	}
	return min(1, float64(s.InputRead)/float64(s.InputSize)), true
}
