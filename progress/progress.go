// Package progress shows how far an export is: a live bar on a terminal, or a log
// line at a steady interval where nobody watches a terminal (cron, Kubernetes).
//
// Both show the same numbers, taken from the job's snapshots: rows done and their
// recent rate, profiles and rejects (failed among them), and, when the input's size
// is known, the share of it read and an ETA from the recent pace of bytes read.
// Rows, profiles and rejects count the whole export, as the summary line after
// them does: after a resume, the rows of the earlier runs too (shown as
// resumed_past, or "resumed" beside the bar); the rate is this process's.
//
// A Reporter is fed job.Snapshot values (job.Config.OnProgress) every Interval and
// is finished with Finish before the summary line is printed, which clears the bar.
// While the bar is shown, log records must go through LogWriter so that they are
// printed above the bar instead of through it.
package progress

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/profile-export/profile-export/job"
)

// Mode says how progress is shown.
type Mode string

// The modes of ParseMode and Config.Mode.
const (
	Auto Mode = "auto" // Bar when the output is a terminal, else Log
	Bar  Mode = "bar"  // a live bar, redrawn in place
	Log  Mode = "log"  // an info log record every Interval
	None Mode = "none" // nothing
)

// Defaults for Config fields left at their zero value.
const (
	// DefaultInterval is the time between two log lines.
	DefaultInterval = 30 * time.Second
	// BarInterval is how often the bar wants a snapshot: often enough to look live,
	// cheap for the job (a snapshot is a few atomic loads).
	BarInterval = 200 * time.Millisecond
	// barWidth is the bar's width in cells, leaving room for the numbers on an
	// 80-column terminal.
	barWidth = 20
)

// ParseMode reads a --progress value: auto (or empty), bar, log or none.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return Auto, nil
	case Auto, Bar, Log, None:
		return m, nil
	}
	return "", fmt.Errorf("progress mode %q: want auto, bar, log or none", s)
}

// Config describes a Reporter. The zero value of each field means its default.
type Config struct {
	// Mode is how to show progress; Auto by default.
	Mode Mode
	// Out is where the bar is drawn (os.Stderr by default). Auto picks the bar only
	// when Out is a terminal.
	Out io.Writer
	// Interval is the time between log lines in Log mode (DefaultInterval).
	Interval time.Duration
	// RateWindow is how far back rates and the ETA look (DefaultRateWindow).
	RateWindow time.Duration
	// Logger receives the log lines in Log mode; nil discards them. SetLogger sets
	// it later, for a logger that writes through LogWriter.
	Logger *slog.Logger
}

// Reporter shows the progress of one run. Its methods are safe for concurrent use.
type Reporter struct {
	mode     Mode
	out      io.Writer
	interval time.Duration

	mu       sync.Mutex
	logger   *slog.Logger
	est      *estimator
	bar      *progressbar.ProgressBar
	last     job.Snapshot
	finished bool
}

// New returns a Reporter; with Auto, it decides between Bar and Log now, from Out.
func New(cfg Config) *Reporter {
	r := &Reporter{mode: cfg.Mode, out: cfg.Out, interval: cfg.Interval, logger: cfg.Logger, est: newEstimator(cfg.RateWindow)}
	if r.out == nil {
		r.out = os.Stderr
	}
	if r.interval <= 0 {
		r.interval = DefaultInterval
	}
	if r.mode == "" || r.mode == Auto {
		r.mode = Log
		if IsTerminal(r.out) {
			r.mode = Bar
		}
	}
	if r.logger == nil {
		r.logger = slog.New(slog.DiscardHandler)
	}
	return r
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Mode is the mode in effect: Bar, Log or None (never Auto).
func (r *Reporter) Mode() Mode { return r.mode }

// Interval is how often Update should be called (job.Config.ProgressInterval):
// BarInterval for the bar, the configured interval otherwise.
func (r *Reporter) Interval() time.Duration {
	if r.mode == Bar {
		return BarInterval
	}
	return r.interval
}

// SetLogger sets the logger of the log lines, for a logger that itself writes
// through LogWriter. Call it before the first Update.
func (r *Reporter) SetLogger(l *slog.Logger) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l != nil {
		r.logger = l
	}
}

// LogWriter returns the writer log records should go to: Out itself, except while
// the bar is shown, when a record is printed above the bar at its next redraw.
func (r *Reporter) LogWriter() io.Writer {
	if r.mode != Bar {
		return r.out
	}
	return logWriter{r}
}

type logWriter struct{ r *Reporter }

func (w logWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	if w.r.bar == nil || w.r.finished {
		return w.r.out.Write(p)
	}
	// Held by the bar and written after it clears its line, before it redraws.
	if _, err := progressbar.Bprintf(w.r.bar, "%s", p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Update shows snapshot s: it redraws the bar, or logs one line. After Finish it
// does nothing.
func (r *Reporter) Update(s job.Snapshot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished || r.mode == None {
		return
	}
	r.est.add(s)
	r.last = s
	switch r.mode {
	case Bar:
		r.drawBar(s)
	case Log:
		r.logLine(s)
	}
}

// Finish stops the reporter: the bar prints the log records it still holds and
// clears its line, so that what follows (the summary) starts on a clean line.
func (r *Reporter) Finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished {
		return
	}
	r.finished = true
	if r.bar != nil {
		r.bar.Describe(r.describe(r.last)) // a redraw prints the records held
		_ = r.bar.Finish()                 // with OptionClearOnFinish: clears the line
	}
}

func (r *Reporter) drawBar(s job.Snapshot) {
	if r.bar == nil {
		size := s.InputSize
		if size <= 0 {
			size = -1 // unknown: a spinner with the bytes read
		}
		r.bar = progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(r.out),
			progressbar.OptionSetDescription(r.describe(s)),
			progressbar.OptionSetWidth(barWidth),
			progressbar.OptionSetPredictTime(false), // our ETA, from the same window as rows/s
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionShowDescriptionAtLineEnd(),
			progressbar.OptionClearOnFinish(),
		)
	}
	read := s.InputRead
	if m := r.bar.GetMax64(); s.InputSize > 0 && read >= m {
		// At its maximum the bar counts as finished and never draws again; the
		// input can be read whole long before its last rows are fetched.
		read = m - 1
	}
	_ = r.bar.Set64(read)
	r.bar.Describe(r.describe(s)) // always redraws, also when the bytes did not move
}

// totals are the counts of the whole export, as the summary gives them: those of
// this process plus those of the earlier runs it resumed.
func totals(s job.Snapshot) (rows, profiles, rejects, failed int64) {
	e := s.Earlier
	return s.Done + e.Rows, s.Profiles + e.Profiles, s.Rejects + e.Rejects, s.Failed + e.Failed
}

// describe is the text beside the bar.
func (r *Reporter) describe(s job.Snapshot) string {
	var b strings.Builder
	rows, profiles, rejects, failed := totals(s)
	fmt.Fprintf(&b, "rows %d", rows)
	if s.Earlier.Rows > 0 {
		fmt.Fprintf(&b, " (%d resumed)", s.Earlier.Rows)
	}
	fmt.Fprintf(&b, " (%.1f/s) profiles %d rejects %d", r.est.rowsPerSecond(), profiles, rejects)
	if failed > 0 {
		fmt.Fprintf(&b, " (failed %d)", failed)
	}
	if eta, ok := r.est.eta(s); ok {
		fmt.Fprintf(&b, " ETA %s", eta)
	}
	return b.String()
}

func (r *Reporter) logLine(s job.Snapshot) {
	rows, profiles, rejects, failed := totals(s)
	attrs := []any{"rows", rows}
	if s.Earlier.Rows > 0 {
		attrs = append(attrs, "resumed_past", s.Earlier.Rows)
	}
	attrs = append(attrs,
		"rows_per_s", round1(r.est.rowsPerSecond()),
		"profiles", profiles,
		"rejects", rejects,
		"failed", failed,
		"in_flight", s.InFlight,
		"requests", s.Requests,
		"retries", s.Retries,
		"elapsed", s.Elapsed.Round(time.Second).String(),
	)
	if f, ok := fraction(s); ok {
		attrs = append(attrs, "percent", round1(100*f))
	}
	if eta, ok := r.est.eta(s); ok {
		attrs = append(attrs, "eta", eta.String())
	}
	r.logger.Info("progress", attrs...)
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
