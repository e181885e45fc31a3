package progress

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profile-export/profile-export/job"
)

// syncBuffer is a bytes.Buffer safe for the bar's spinner goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func snap(elapsed time.Duration, done, read, size int64) job.Snapshot {
	return job.Snapshot{Done: done, Profiles: done * 9 / 10, Rejects: done - done*9/10, Failed: 1,
		InFlight: 3, Requests: done + 5, Retries: 5, InputRead: read, InputSize: size, Elapsed: elapsed}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"": Auto, "auto": Auto, "BAR": Bar, " log ": Log, "none": None} {
		got, err := ParseMode(in)
		if err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseMode("fancy"); err == nil {
		t.Error("ParseMode(fancy) accepted")
	}
}

func TestAutoIsLogWhenNotATerminal(t *testing.T) {
	if m := New(Config{Out: &bytes.Buffer{}}).Mode(); m != Log {
		t.Errorf("auto on a buffer = %s, want log", m)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	rep := New(Config{Mode: Auto, Out: w, Interval: 5 * time.Second})
	if rep.Mode() != Log {
		t.Errorf("auto on a pipe = %s, want log", rep.Mode())
	}
	if rep.Interval() != 5*time.Second {
		t.Errorf("log interval = %s, want the configured 5s", rep.Interval())
	}
	if rep.LogWriter() != w {
		t.Error("in log mode, log records must go straight to Out")
	}
	if got := New(Config{Mode: Bar, Out: w}).Interval(); got != BarInterval {
		t.Errorf("bar interval = %s, want %s", got, BarInterval)
	}
	if got := New(Config{}).Interval(); got != DefaultInterval {
		t.Errorf("default interval = %s, want %s", got, DefaultInterval)
	}
}

func TestLogLines(t *testing.T) {
	var buf bytes.Buffer
	rep := New(Config{Mode: Log, Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	rep.Update(snap(10*time.Second, 100, 1000, 4000))
	rep.Update(snap(20*time.Second, 300, 2000, 4000))
	rep.Finish()
	rep.Update(snap(30*time.Second, 400, 3000, 4000)) // after Finish: nothing

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 log lines, got %d:\n%s", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"msg": "progress", "rows": 300.0, "profiles": 270.0, "rejects": 30.0, "failed": 1.0,
		"in_flight": 3.0, "requests": 305.0, "retries": 5.0, "elapsed": "20s",
		"rows_per_s": 20.0, // (300-100) rows in 10 s: the recent rate, not the average
		"percent":    50.0,
		"eta":        "20s", // 2000 bytes left at 100 bytes/s
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v, want %v (line %s)", k, rec[k], v, lines[1])
		}
	}
}

func TestLogLineWithoutSize(t *testing.T) {
	var buf bytes.Buffer
	rep := New(Config{Mode: Log, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	rep.Update(snap(10*time.Second, 100, 1000, -1))
	line := buf.String()
	if !strings.Contains(line, "rows=100") || !strings.Contains(line, "rows_per_s=10") {
		t.Errorf("line lacks rows or the rate since the start: %s", line)
	}
	if strings.Contains(line, "eta=") || strings.Contains(line, "percent=") {
		t.Errorf("no ETA or percent can be known without the input size (stdin): %s", line)
	}
}

func TestNoneShowsNothing(t *testing.T) {
	var out, logs bytes.Buffer
	rep := New(Config{Mode: None, Out: &out, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	rep.Update(snap(time.Second, 1, 1, 10))
	rep.Finish()
	if out.Len()+logs.Len() != 0 {
		t.Errorf("mode none wrote %q %q", out.String(), logs.String())
	}
}

func TestBar(t *testing.T) {
	out := &syncBuffer{}
	rep := New(Config{Mode: Bar, Out: out})
	logger := slog.New(slog.NewTextHandler(rep.LogWriter(), nil))
	rep.SetLogger(logger)

	logger.Info("before the bar")
	rep.Update(snap(time.Second, 10, 100, 1000))
	rep.Update(snap(2*time.Second, 120, 400, 1000))
	logger.Warn("retrying", "status", 503)
	drawn := out.String()
	if strings.Contains(drawn, "retrying") {
		t.Error("a log record was written through the bar instead of at its next redraw")
	}
	for _, want := range []string{"before the bar", "40%", "rows 120 (110.0/s)", "profiles 108", "rejects 12", "(failed 1)", "ETA 2s"} {
		if !strings.Contains(drawn, want) {
			t.Errorf("bar output lacks %q:\n%q", want, drawn)
		}
	}

	rep.Finish()
	final := out.String()
	if !strings.Contains(final, "retrying") {
		t.Errorf("Finish lost a log record held by the bar:\n%q", final)
	}
	// The line is blanked and the cursor returned to its start, so the summary
	// printed next starts on a clean line.
	if !strings.HasSuffix(final, " \r") || !strings.Contains(final[strings.LastIndex(final, "retrying"):], "\r") {
		t.Errorf("bar not cleared at Finish; output ends %q", final[max(0, len(final)-80):])
	}
	rep.Update(snap(3*time.Second, 130, 500, 1000))
	logger.Info("after")
	t.Logf("bar output: %q", out.String())
	got := out.String()
	if !strings.HasPrefix(got, final) || strings.Contains(got[len(final):], "rows 130") {
		t.Errorf("the bar was drawn again after Finish: %q", got[len(final):])
	}
	if !strings.HasSuffix(got, "msg=after\n") {
		t.Errorf("after Finish, log records go straight out; got %q", got)
	}
}

func TestBarWhenTheInputIsReadWhole(t *testing.T) {
	out := &syncBuffer{}
	rep := New(Config{Mode: Bar, Out: out})
	// A small file is read whole at once, long before its rows are fetched.
	rep.Update(snap(time.Second, 10, 1000, 1000))
	rep.Update(snap(2*time.Second, 20, 1000, 1000))
	got := out.String()
	if !strings.Contains(got, "rows 20 (10.0/s)") {
		t.Errorf("the bar stopped drawing once the input was read whole: %q", got)
	}
	if strings.Contains(got, "ETA") {
		t.Errorf("an ETA once the input is read whole: %q", got)
	}
	rep.Finish()
}

func TestBarUnknownSize(t *testing.T) {
	out := &syncBuffer{}
	rep := New(Config{Mode: Bar, Out: out})
	rep.Update(snap(time.Second, 10, 2048, -1))
	rep.Update(snap(2*time.Second, 30, 4096, -1))
	rep.Finish()
	got := out.String()
	if !strings.Contains(got, "rows 30 (20.0/s)") {
		t.Errorf("spinner lacks the rows: %q", got)
	}
	if strings.Contains(got, "ETA") {
		t.Errorf("an ETA without a known input size: %q", got)
	}
}
