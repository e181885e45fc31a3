package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// failureSummary is what --summary holds after a run that stopped early.
type failureSummary struct {
	DryRun    bool    `json:"dry_run"`
	Completed *bool   `json:"completed"`
	ExitCode  *int    `json:"exit_code"`
	Error     *string `json:"error"`
}

// A run that stops before any request (an unusable input, a dry run of one) still
// writes its --summary, with the exit code and the error, so that a scheduler
// reading only the file learns why. The token is never in it.
func TestE2ESummaryOfEarlyFailures(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	const token = "s3cr3t-token-in-env"
	for _, tc := range []struct {
		name    string
		input   string // content of the input file
		dryRun  bool
		wantErr string
	}{
		{"empty file", "", false, "empty"},
		{"bad header", "foo,bar\n1,2\n", false, `no "id" column`},
		{"dry run of an empty file", "", true, "empty"},
		{"dry run of a bad header", "foo,bar\n1,2\n", true, `no "id" column`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			in := filepath.Join(dir, "ids.csv")
			os.WriteFile(in, []byte(tc.input), 0o600)
			sumPath := filepath.Join(dir, "sum", "summary.json")
			args := exportArgs(in, filepath.Join(dir, "out", "p.jsonl"), sb.URL, "--summary", sumPath)
			if tc.dryRun {
				args = append(args, "--dry-run")
			}
			p := run(t, []string{"TARGET_PROFILE_TOKEN=" + token}, args...)
			p.expectCode(job.ExitUsage)
			b, err := os.ReadFile(sumPath)
			if err != nil {
				t.Fatalf("no summary written: %v\nstderr:\n%s", err, p.stderr.String())
			}
			var sum failureSummary
			if err := json.Unmarshal(b, &sum); err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			if sum.ExitCode == nil || *sum.ExitCode != job.ExitUsage {
				t.Errorf("exit_code is not %d:\n%s", job.ExitUsage, b)
			}
			if sum.Completed == nil || *sum.Completed {
				t.Errorf(`"completed" is not false:\n%s`, b)
			}
			if sum.Error == nil || !strings.Contains(*sum.Error, tc.wantErr) {
				t.Errorf("error does not say %q:\n%s", tc.wantErr, b)
			}
			if sum.DryRun != tc.dryRun {
				t.Errorf("dry_run is %v:\n%s", sum.DryRun, b)
			}
			if strings.Contains(string(b), token) {
				t.Errorf("the summary holds the token:\n%s", b)
			}
		})
	}
}
