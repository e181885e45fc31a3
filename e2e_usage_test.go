package main

import (
	"strings"
	"testing"

	"github.com/profile-export/profile-export/job"
)

// A usage error prints the error and where to read the usage, not the whole help
// (whose 60 lines pushed the error out of sight), and exits 2.
func TestE2EUsageErrorsAreShort(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
		hint string
	}{
		{"missing input", nil, []string{"export", "-o", "p.jsonl"}, "--input is required", "profile-export export --help"},
		{"missing output", nil, []string{"export", "-i", "ids.csv"}, "--output is required", "profile-export export --help"},
		{"missing both", nil, []string{"export"}, "--input and --output are required", "profile-export export --help"},
		{"input from the environment", []string{"PROFILE_EXPORT_INPUT=ids.csv"}, []string{"export"}, "--output is required", "profile-export export --help"},
		{"unknown flag of export", nil, []string{"export", "-i", "a", "-o", "b", "--bogus"}, "flag provided but not defined: -bogus", "profile-export export --help"},
		{"unknown flag of sandbox", nil, []string{"sandbox", "--bogus"}, "flag provided but not defined: -bogus", "profile-export sandbox --help"},
		{"unknown global flag", nil, []string{"--bogus"}, "flag provided but not defined: -bogus", "profile-export --help"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := run(t, tc.env, tc.args...)
			p.expectCode(job.ExitUsage)
			stderr := p.stderr.String()
			if !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "run '"+tc.hint+"'") {
				t.Errorf("stderr lacks %q or the hint %q:\n%s", tc.want, tc.hint, stderr)
			}
			if n := strings.Count(stderr, "\n"); n > 2 {
				t.Errorf("stderr has %d lines, want the error and the hint:\n%s", n, stderr)
			}
			if out := p.stdout.String(); out != "" {
				t.Errorf("stdout is not empty:\n%s", out)
			}
		})
	}
}
