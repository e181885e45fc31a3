package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// A --format that is neither jsonl nor parquet is refused (exit 2) with its error
// alone: no warning that it contradicts the output's extension before it, no log
// of the sandbox starting, no request, nothing created; a dry run refuses it too.
func TestE2EBadFormatIsOnlyAnError(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(5, 61))
	for _, tc := range []struct {
		name string
		env  []string
		args []string // after -i IN -o OUT
		out  string
		line string
	}{
		{"csv into a .jsonl", nil, []string{"--base-url", sb.URL, "--format", "csv"}, "p.jsonl", `profile-export: --format "csv": want jsonl or parquet`},
		{"upper case into a .parquet", nil, []string{"--base-url", sb.URL, "--format", "CSV"}, "p.parquet", `profile-export: --format "CSV": want jsonl or parquet`},
		{"into a directory", nil, []string{"--base-url", sb.URL, "--format", "xml"}, "parts/", `profile-export: --format "xml": want jsonl or parquet`},
		{"with --sandbox", nil, []string{"--sandbox", "--format", "csv"}, "p.jsonl", `profile-export: --format "csv": want jsonl or parquet`},
		{"from the environment", []string{"PROFILE_EXPORT_FORMAT=csv"}, []string{"--base-url", sb.URL}, "p.jsonl", `profile-export: --format "csv": want jsonl or parquet`},
		{"dry run", nil, []string{"--dry-run", "--format", "csv"}, "p.jsonl", `profile-export: --format "csv": want jsonl or parquet`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			args := append([]string{"export", "-i", in, "-o", joinOut(root, tc.out)}, tc.args...)
			p := run(t, tc.env, args...)
			p.expectCode(job.ExitUsage)
			if got := strings.TrimSuffix(p.stderr.String(), "\n"); got != tc.line {
				t.Errorf("stderr is not the one line %q:\n%s", tc.line, got)
			}
			if out := p.stdout.String(); out != "" {
				t.Errorf("stdout is not empty:\n%s", out)
			}
			checkDirHolds(t, root)
		})
	}
	if n := sb.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent by refused runs", n)
	}
}
