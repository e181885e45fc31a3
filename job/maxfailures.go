package job

import (
	"fmt"
	"strconv"
)

// MaxFailuresError says that --max-failures stopped the run: the limit, and the
// count and share of failed rows that reached it. It is ErrMaxFailures for
// errors.Is.
type MaxFailuresError struct {
	Count    int64   // the limit as a count of rows (0 when it is a share)
	Fraction float64 // the limit as a share of the rows done (0 when it is a count)
	Failed   int64   // rows of this run that failed
	Done     int64   // rows this run wrote, profiles and rejects
}

func (e *MaxFailuresError) Error() string {
	if e.Fraction > 0 {
		return fmt.Sprintf("--max-failures %s%% reached: %d of %d rows done in this run failed (%s%%): the API looks unhealthy",
			percent(e.Fraction), e.Failed, e.Done, percent(float64(e.Failed)/float64(max(e.Done, 1))))
	}
	return fmt.Sprintf("--max-failures %d reached: %d rows failed in this run, of %d done: the API looks unhealthy", e.Count, e.Failed, e.Done)
}

// Is makes a MaxFailuresError ErrMaxFailures.
func (e *MaxFailuresError) Is(target error) bool { return target == ErrMaxFailures }

// percent writes fraction f as a percentage of at most three significant digits.
func percent(f float64) string { return strconv.FormatFloat(f*100, 'g', 3, 64) }

// tooManyFailures is the MaxFailuresError of a run whose failed rows reached
// --max-failures, or nil.
func (r *run) tooManyFailures() error {
	failed := r.stats.failed.Load()
	if failed == 0 {
		return nil
	}
	done := r.stats.profiles.Load() + r.stats.rejects.Load()
	if r.cfg.MaxFailures > 0 && failed >= r.cfg.MaxFailures {
		return &MaxFailuresError{Count: r.cfg.MaxFailures, Failed: failed, Done: done}
	}
	if f := r.cfg.MaxFailuresFraction; f > 0 {
		// Judge the fraction only over enough rows for it to mean something.
		if done >= minRowsForFraction && float64(failed) >= f*float64(done) {
			return &MaxFailuresError{Fraction: f, Failed: failed, Done: done}
		}
	}
	return nil
}

// minRowsForFraction is how many rows must be done before a failure fraction is judged.
const minRowsForFraction = 100
