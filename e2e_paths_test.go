package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// The files of one export never overwrite each other or the input, --overwrite or
// not: such a run is refused before any request and leaves every file as it was.
func TestE2EOutputsMustBeDistinct(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	for _, tc := range []struct {
		name string
		args func(dir string) []string
		want string
	}{
		{"rejects is the output", func(d string) []string {
			return []string{"-o", filepath.Join(d, "p.jsonl"), "--rejects", filepath.Join(d, "p.jsonl")}
		}, "both"},
		{"output is the input", func(d string) []string {
			return []string{"-o", filepath.Join(d, "ids.csv"), "--format", "jsonl", "--overwrite"}
		}, "is the input file"},
		{"rejects is the input", func(d string) []string {
			return []string{"-o", filepath.Join(d, "p.jsonl"), "--rejects", filepath.Join(d, "ids.csv"), "--overwrite"}
		}, "is the input file"},
		{"summary is the output", func(d string) []string {
			return []string{"-o", filepath.Join(d, "p.jsonl"), "--summary", filepath.Join(d, "p.jsonl")}
		}, "--summary"},
		{"summary is the default rejects file", func(d string) []string {
			return []string{"-o", filepath.Join(d, "p.jsonl"), "--summary", filepath.Join(d, "p.rejects.jsonl")}
		}, "--summary"},
		{"summary is the input", func(d string) []string {
			return []string{"-o", filepath.Join(d, "p.jsonl"), "--summary", filepath.Join(d, "ids.csv")}
		}, "--summary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			in := filepath.Join(dir, "ids.csv")
			writeCSV(t, in, genRows(20, 7))
			before := readTree(t, dir)
			args := append([]string{"export", "-i", in, "--base-url", sb.URL, "--rate", "0"}, tc.args(dir)...)
			requests := sb.Stats().Requests
			p := run(t, nil, args...)
			p.expectCode(job.ExitUsage)
			if !strings.Contains(p.stderr.String(), tc.want) {
				t.Errorf("message does not say %q:\n%s", tc.want, p.stderr.String())
			}
			if after := readTree(t, dir); !equalTrees(before, after) {
				t.Errorf("a refused run changed files: %s", treeDiff(before, after))
			}
			if n := sb.Stats().Requests - requests; n != 0 {
				t.Errorf("a refused run sent %d requests", n)
			}
		})
	}
}
