package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var (
	heyRate   = regexp.MustCompile(`(?m)^\s*Requests/sec:\s*([0-9.]+)\s*$`)
	heyStatus = regexp.MustCompile(`(?m)^\s*\[(\d+)\]\s+(\d+) responses\s*$`)
	heyErrors = regexp.MustCompile(`(?m)^Error distribution:`)
)

// heyResult is what hey measured.
type heyResult struct {
	usage     // hey's own process
	PerSecond float64
	ByStatus  map[int]int64
	Errors    bool // hey listed transport errors
}

// parseHey reads hey's summary.
func parseHey(out string) (heyResult, error) {
	r := heyResult{ByStatus: map[int]int64{}}
	m := heyRate.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in hey's output: %q", lastLines(out, 5))
	}
	r.PerSecond, _ = strconv.ParseFloat(m[1], 64)
	for _, m := range heyStatus.FindAllStringSubmatch(out, -1) {
		code, _ := strconv.Atoi(m[1])
		n, _ := strconv.ParseInt(m[2], 10, 64)
		r.ByStatus[code] += n
	}
	r.Errors = heyErrors.MatchString(out)
	return r, nil
}

// runHey sends n GET requests to url with c workers (keep-alive, as hey does by
// default) and returns its requests per second. Every answer must be a 200: a
// load generator measuring errors would measure nothing useful.
func runHey(ctx context.Context, hey, logPath, url string, n, c int) (heyResult, error) {
	u, err := run(ctx, logPath, hey, "-n", strconv.Itoa(n), "-c", strconv.Itoa(c), url)
	if err != nil {
		return heyResult{}, err
	}
	out := u.Output // hey's summary is about 2 KiB, well within what run keeps
	if u.ExitCode != 0 {
		return heyResult{}, fmt.Errorf("hey exited %d: %s", u.ExitCode, lastLines(out, 5))
	}
	r, err := parseHey(out)
	if err != nil {
		return r, err
	}
	r.usage = u
	// hey splits -n among its -c workers and drops the remainder.
	if want := int64(n / c * c); r.Errors || r.ByStatus[200] != want {
		return r, fmt.Errorf("hey got answers other than 200 (%v); see %s", r.ByStatus, logPath)
	}
	return r, nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
