package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// The rejects file is always uncompressed JSON Lines: a --rejects named .parquet,
// .gz or .csv gets one warning line saying so (as a --format that contradicts the
// output's extension does), and the file is written as JSON Lines all the same;
// a .jsonl name gets none.
func TestE2ERejectsExtensionWarns(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(30, 71))
	for _, tc := range []struct {
		name string
		says string // "": no warning
	}{
		{"r.parquet", "parquet"},
		{"R.PARQUET", "parquet"},
		{"r.jsonl.gz", "gzip"},
		{"rj.csv", "CSV"},
		{"r.jsonl", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			rej := filepath.Join(root, tc.name)
			p := run(t, nil, exportArgs(in, filepath.Join(root, "p.jsonl"), sb.URL, "--rejects", rej, "--progress", "none")...)
			p.expectCode(job.ExitOK)
			var warnings []string
			for _, l := range strings.Split(p.stderr.String(), "\n") {
				if strings.Contains(l, "level=WARN") {
					warnings = append(warnings, l)
				}
			}
			if tc.says == "" {
				if len(warnings) != 0 {
					t.Errorf("warnings for a .jsonl rejects file:\n%s", strings.Join(warnings, "\n"))
				}
			} else if want := "JSON Lines into " + tc.name + ", whose extension says " + tc.says; len(warnings) != 1 || !strings.Contains(warnings[0], want) || !strings.Contains(warnings[0], "--rejects") {
				t.Errorf("want one warning naming --rejects and saying %q, got:\n%s", want, p.stderr.String())
			}
			b, err := os.ReadFile(rej)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) == 0 || b[0] != '{' {
				t.Errorf("%s does not hold JSON Lines: %q", tc.name, b[:min(len(b), 20)])
			}
		})
	}
}
