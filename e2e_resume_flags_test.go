package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// A resume with other row-defining flags is refused, naming each flag that changed
// with its value then and now; the state survives and resumes with the same flags.
func TestE2EResumeNamesChangedFlags(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 51}
	slowCfg := cfg
	slowCfg.Faults.Latency = 5 * time.Millisecond
	slow := sandbox.StartTest(t, slowCfg)
	rows := genRows(1500, 51)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	out := filepath.Join(t.TempDir(), "profiles.parquet")
	flags := []string{"-c", "4", "--rows-per-file", "100", "--checkpoint-interval", "50ms"}
	run(t, nil, exportArgs(in, out, slow.URL, append(flags, "--max-duration", "300ms")...)...).expectCode(job.ExitStopped)

	fast := sandbox.StartTest(t, cfg)
	for _, tc := range []struct {
		change []string
		want   []string
		not    []string
	}{
		{change: []string{"--format", "jsonl"},
			want: []string{"the state was written with --format parquet; this run has --format jsonl"},
			not:  []string{"--dedupe", "--id-column"}},
		{change: []string{"--dedupe"},
			want: []string{"the state was written with no --dedupe; this run has --dedupe"},
			not:  []string{"--format", "--id-column"}},
		{change: []string{"--format", "jsonl", "--reasons", "all"},
			want: []string{"the state was written with --format parquet and --reasons failed; this run has --format jsonl and --reasons all"},
			not:  []string{"--dedupe", "--id-column"}},
	} {
		args := exportArgs(in, out, fast.URL, append(append(append([]string{}, flags...), "--resume"), tc.change...)...)
		p := run(t, nil, args...)
		p.expectCode(job.ExitUsage)
		msg := p.stderr.String()
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%v: the refusal does not say %q:\n%s", tc.change, w, msg)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(msg, n) {
				t.Errorf("%v: the refusal names %s, which did not change:\n%s", tc.change, n, msg)
			}
		}
	}
	if n := fast.Stats().Requests; n != 0 {
		t.Errorf("refused resumes sent %d requests", n)
	}
	run(t, nil, exportArgs(in, out, fast.URL, append(flags, "--resume")...)...).expectCode(job.ExitOK)
	checkExactlyOnce(t, rows, readSingle(t, out), expectation{cfg: cfg})
}
