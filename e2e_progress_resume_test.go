package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// After a resume, the last progress line counts what the summary line right after
// it counts: the rows of the earlier run too, shown as resumed_past, rather than
// only this process's (rows=13126 above a summary of rows=20021).
func TestE2EProgressAfterResumeMatchesSummary(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 93}
	broken := cfg
	broken.Faults.Rate500 = 1
	brokenSB := sandbox.StartTest(t, broken)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(600, 93))
	out := filepath.Join(t.TempDir(), "p.jsonl")
	flags := []string{"-c", "2", "--retries", "0", "--max-failures", "50", "--rows-per-file", "10", "--progress", "log", "--progress-interval", "1h"}
	run(t, nil, exportArgs(in, out, brokenSB.URL, flags...)...).expectCode(job.ExitStopped)

	healthy := sandbox.StartTest(t, cfg)
	p := run(t, nil, exportArgs(in, out, healthy.URL, append(flags, "--resume")...)...)
	p.expectCode(job.ExitFailed)
	var progress, summary string
	for _, l := range strings.Split(p.stderr.String(), "\n") {
		switch {
		case strings.Contains(l, "msg=progress"):
			progress = l
		case strings.HasPrefix(l, "profile-export: rows="):
			summary = l
		}
	}
	if progress == "" || summary == "" {
		t.Fatalf("no progress line or no summary line:\n%s", p.stderr.String())
	}
	field := func(line, re string) string {
		m := regexp.MustCompile(re).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("%q not in %s", re, line)
		}
		return m[1]
	}
	for _, f := range []string{"rows", "profiles", "rejects", "resumed_past"} {
		got, want := field(progress, `\b`+f+`=(\d+)`), field(summary, `\b`+f+`=(\d+)`)
		if got != want {
			t.Errorf("progress says %s=%s, the summary %s=%s:\n%s\n%s", f, got, f, want, progress, summary)
		}
	}
	if got, want := field(progress, `\bfailed=(\d+)`), field(summary, `\bfailed=(\d+)`); got != want {
		t.Errorf("progress says failed=%s, the summary failed=%s", got, want)
	}
}
