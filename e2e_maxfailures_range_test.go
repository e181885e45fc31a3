package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// A --max-failures out of its range is refused (exit 2) with a message that gives
// the accepted range: a share stops at 100%.
func TestE2EMaxFailuresRange(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(5, 72))
	const share = "above 0% and at most 100%"
	for _, tc := range []struct {
		value string
		code  int
		want  string
	}{
		{"150%", job.ExitUsage, share},
		{"0%", job.ExitUsage, share},
		{"NaN%", job.ExitUsage, share},
		{"-3", job.ExitUsage, "a count of failed rows, 0 or more (0: no limit)"},
		{"abc", job.ExitUsage, share},
		{"100%", job.ExitOK, ""},
		{"0", job.ExitOK, ""},
	} {
		t.Run(tc.value, func(t *testing.T) {
			t.Parallel()
			p := run(t, nil, exportArgs(in, filepath.Join(t.TempDir(), "p.jsonl"), sb.URL, "--max-failures", tc.value)...)
			p.expectCode(tc.code)
			if want := `--max-failures "` + tc.value + `": want `; tc.code == job.ExitUsage && (!strings.Contains(p.stderr.String(), want) || !strings.Contains(p.stderr.String(), tc.want)) {
				t.Errorf("the message does not say %q and %q:\n%s", want, tc.want, p.stderr.String())
			}
		})
	}
}
