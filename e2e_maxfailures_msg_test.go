package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// When --max-failures stops a run, the message gives the limit and the count (and
// for a share, the share) of failed rows that reached it, so that the user can
// tell a dead API from a limit set too tight.
func TestE2EMaxFailuresMessageGivesTheCount(t *testing.T) {
	t.Parallel()
	broken := sandbox.StartTest(t, sandbox.Config{Seed: 91, Faults: sandbox.Faults{Rate500: 1}})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(1000, 91))
	for _, tc := range []struct {
		limit string
		re    string // in stderr; its first group is the failed count, the second the rows done
	}{
		{"10", `--max-failures 10 reached: (\d+) rows failed in this run, of (\d+) done`},
		{"5%", `--max-failures 5% reached: (\d+) of (\d+) rows done in this run failed \((\d+(?:\.\d+)?)%\)`},
	} {
		t.Run(tc.limit, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "p.jsonl")
			p := run(t, nil, exportArgs(in, out, broken.URL, "-c", "2", "--retries", "0", "--max-failures", tc.limit)...)
			p.expectCode(job.ExitStopped)
			m := regexp.MustCompile(tc.re).FindStringSubmatch(p.stderr.String())
			if m == nil {
				t.Fatalf("stderr does not match %q:\n%s", tc.re, p.stderr.String())
			}
			failed, _ := strconv.Atoi(m[1])
			done, _ := strconv.Atoi(m[2])
			if failed < 1 || done < failed {
				t.Errorf("%d failed of %d done: not a count that reached the limit", failed, done)
			}
			if tc.limit == "10" && failed != 10 {
				t.Errorf("%d failed rows reported, want the 10 that reached the limit", failed)
			}
			if tc.limit == "5%" {
				if done < 100 {
					t.Errorf("judged over %d rows, want at least 100", done)
				}
				share, _ := strconv.ParseFloat(m[3], 64)
				if share < 5 || share > 100 {
					t.Errorf("share %v%% reported for %d of %d", share, failed, done)
				}
			}
		})
	}
}
