package progress

import (
	"testing"
	"time"

	"github.com/profile-export/profile-export/job"
)

func at(sec int, done, read int64) job.Snapshot {
	return job.Snapshot{Elapsed: time.Duration(sec) * time.Second, Done: done, InputRead: read, InputSize: 10_000}
}

func TestEstimatorFollowsRecentPace(t *testing.T) {
	e := newEstimator(time.Minute)
	// A resumed run first races through rows it skips (bytes move, rows do not),
	// then goes at 10 rows and 100 bytes a second.
	e.add(at(0, 0, 0))
	e.add(at(1, 0, 5000))
	for s := 2; s <= 121; s++ {
		e.add(at(s, int64(s-1)*10, 5000+int64(s-1)*100))
	}
	if got := e.rowsPerSecond(); got != 10 {
		t.Errorf("rows/s = %v, want 10 once the skipped part left the window", got)
	}
	s := at(121, 1200, 17000)
	s.InputSize = 20_000
	eta, ok := e.eta(s)
	if !ok || eta != 30*time.Second { // 3000 bytes left at 100 bytes/s
		t.Errorf("eta = %v, %v; want 30s", eta, ok)
	}
}

func TestEstimatorKeepsTwoSamplesPastTheWindow(t *testing.T) {
	e := newEstimator(10 * time.Second)
	e.add(at(0, 0, 0))
	e.add(at(30, 300, 3000)) // updates rarer than the window: still a rate
	if got := e.rowsPerSecond(); got != 10 {
		t.Errorf("rows/s = %v, want 10", got)
	}
}

func TestEstimatorFirstSampleIsSinceStart(t *testing.T) {
	e := newEstimator(0)
	if e.rowsPerSecond() != 0 {
		t.Error("a rate before any sample")
	}
	if _, ok := e.eta(at(0, 0, 0)); ok {
		t.Error("an ETA before any sample")
	}
	e.add(at(4, 40, 400))
	if got := e.rowsPerSecond(); got != 10 {
		t.Errorf("rows/s = %v, want 10 (since the start)", got)
	}
	eta, ok := e.eta(at(4, 40, 400))
	if !ok || eta != 96*time.Second {
		t.Errorf("eta = %v, %v; want 96s", eta, ok)
	}
}

func TestEstimatorNoETAWhenBytesStall(t *testing.T) {
	e := newEstimator(0)
	e.add(at(1, 10, 500))
	e.add(at(2, 20, 500))
	e.samples = e.samples[1:] // only samples with the same offset
	e.add(at(3, 30, 500))
	if _, ok := e.eta(at(3, 30, 500)); ok {
		t.Error("an ETA from a pace of zero bytes per second")
	}
	done := at(4, 40, 10_000)
	e.add(done)
	if eta, ok := e.eta(done); ok {
		t.Errorf("input all read, rows still going: eta = %v; want none rather than a false 0s", eta)
	}
}

func TestFraction(t *testing.T) {
	if f, ok := fraction(job.Snapshot{InputRead: 5, InputSize: -1}); ok {
		t.Errorf("fraction of an unknown size = %v", f)
	}
	// Read-ahead can run past the size the file had when opened.
	if f, ok := fraction(job.Snapshot{InputRead: 12, InputSize: 10}); !ok || f != 1 {
		t.Errorf("fraction = %v, %v; want 1", f, ok)
	}
}
