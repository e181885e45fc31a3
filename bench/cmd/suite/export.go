package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// exportSummary is the part of profile-export's --summary JSON the suite reads.
type exportSummary struct {
	Rows      int64   `json:"rows"`
	Profiles  int64   `json:"profiles"`
	Requests  int64   `json:"requests"`
	Retries   int64   `json:"retries"`
	Completed bool    `json:"completed"`
	ExitCode  int     `json:"exit_code"`
	RowsPerS  float64 `json:"rows_per_second"`
	ElapsedS  float64 `json:"elapsed_seconds"`
}

// exportRun is one measured run of profile-export.
type exportRun struct {
	usage
	Summary exportSummary
}

// RowsPerSecond is the rows done over the process's whole life: start-up, reading,
// fetching, writing and assembling the final file, as a user timing the command
// would see it.
func (r exportRun) RowsPerSecond() float64 { return float64(r.Summary.Rows) / r.Wall.Seconds() }

// exportArgs are the flags every measured export uses: the sandbox as the API, a
// part as large as the run (one part, so no checkpoint or assembly cost is
// counted that a real large export would not also pay once), and quiet logs.
func exportArgs(sb *sandboxProc, input, output, summary string, concurrency int) []string {
	return []string{"export",
		"-i", input, "-o", output,
		"--base-url", sb.URL, "--client", "sandbox",
		"--concurrency", strconv.Itoa(concurrency),
		"--rows-per-file", "100000000",
		"--overwrite", "--log-level", "warn",
		"--summary", summary,
	}
}

// export runs profile-export from input into a fresh directory of the work
// directory, named after what is measured, and removes its outputs afterwards
// (a 2M-row JSON Lines output is over a gigabyte). Exit codes other than those in
// accept, or a run that did not do every row, are errors.
func (s *suite) export(ctx context.Context, sb *sandboxProc, name, input, ext string, accept []int, extra ...string) (exportRun, error) {
	dir := filepath.Join(s.work, "out-"+name)
	if err := os.RemoveAll(dir); err != nil {
		return exportRun{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return exportRun{}, err
	}
	defer os.RemoveAll(dir)
	sumPath := filepath.Join(dir, "summary.json")
	args := append(exportArgs(sb, input, filepath.Join(dir, "profiles."+ext), sumPath, s.concurrency), extra...)
	u, err := run(ctx, s.log, s.bin, args...)
	if err != nil {
		return exportRun{}, err
	}
	r := exportRun{usage: u}
	if !slices.Contains(accept, u.ExitCode) {
		return r, fmt.Errorf("profile-export (%s) exited %d: %s", name, u.ExitCode, lastLines(u.Output, 5))
	}
	b, err := os.ReadFile(sumPath)
	if err != nil {
		return r, fmt.Errorf("profile-export (%s) wrote no summary: %w", name, err)
	}
	if err := json.Unmarshal(b, &r.Summary); err != nil {
		return r, fmt.Errorf("profile-export (%s) summary: %w", name, err)
	}
	want, err := countRows(input)
	if err != nil {
		return r, err
	}
	if !r.Summary.Completed || r.Summary.Rows != want {
		return r, fmt.Errorf("profile-export (%s) did %d rows of %d (completed %v)", name, r.Summary.Rows, want, r.Summary.Completed)
	}
	s.logf("  %s: %d rows in %.2fs wall = %.0f rows/s; cpu %.2fs (user %.2f sys %.2f); peak RSS %.1f MiB; %d requests",
		name, r.Summary.Rows, u.Wall.Seconds(), r.RowsPerSecond(), u.CPU().Seconds(), u.User.Seconds(), u.Sys.Seconds(),
		mib(u.MaxRSS), r.Summary.Requests)
	return r, nil
}

// countRows is the row count of a generated input, from its name (ids-N.csv).
func countRows(input string) (int64, error) {
	base := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(input), "ids-"), ".csv")
	n, err := strconv.ParseInt(base, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("input %s is not named ids-N.csv", input)
	}
	return n, nil
}

// naiveRun is one measured run of the naive Python baseline.
type naiveRun struct {
	usage
	Rows, Profiles int64
}

// naive runs bench/naive.py like export runs profile-export.
func (s *suite) naive(ctx context.Context, sb *sandboxProc, input string) (naiveRun, error) {
	dir := filepath.Join(s.work, "out-naive")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return naiveRun{}, err
	}
	defer os.RemoveAll(dir)
	u, err := run(ctx, s.log, s.python, s.naiveScript, "--base-url", sb.URL, "--client", "sandbox",
		"-i", input, "-o", filepath.Join(dir, "profiles.jsonl"), "-c", strconv.Itoa(s.concurrency))
	if err != nil {
		return naiveRun{}, err
	}
	r := naiveRun{usage: u}
	if u.ExitCode != 0 {
		return r, fmt.Errorf("the naive baseline exited %d: %s", u.ExitCode, lastLines(u.Output, 5))
	}
	if _, err := fmt.Sscanf(lastLines(u.Output, 1), "rows=%d profiles=%d", &r.Rows, &r.Profiles); err != nil {
		return r, fmt.Errorf("the naive baseline's last line %q: %w", lastLines(u.Output, 1), err)
	}
	s.logf("  naive: %d rows in %.2fs wall = %.0f rows/s; cpu %.2fs; peak RSS %.1f MiB",
		r.Rows, u.Wall.Seconds(), float64(r.Rows)/u.Wall.Seconds(), u.CPU().Seconds(), mib(u.MaxRSS))
	return r, nil
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
