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

// Output names: the rejects file's default name drops the output's extension
// whatever its case, and a --format that contradicts the extension is obeyed with a
// warning (the file would otherwise mislead whoever opens it by its name).
func TestE2EOutputNaming(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	for _, tc := range []struct {
		name        string
		out         string
		extra       []string
		wantRejects string
		warn        bool
	}{
		{"lower case", "profiles.parquet", nil, "profiles.rejects.jsonl", false},
		{"upper case", "PROF.PARQUET", nil, "PROF.rejects.jsonl", false},
		{"mixed case gzip", "Prof.JSONL.GZ", nil, "Prof.rejects.jsonl", false},
		{"format contradicts the extension", "x.parquet", []string{"--format", "jsonl"}, "x.rejects.jsonl", true},
		{"format agrees with the extension", "x.PARQUET", []string{"--format", "parquet"}, "x.rejects.jsonl", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			in := filepath.Join(dir, "ids.csv")
			writeCSV(t, in, genRows(20, 7))
			p := run(t, nil, exportArgs(in, filepath.Join(dir, tc.out), sb.URL, tc.extra...)...)
			p.expectCode(job.ExitOK)
			if !fileExists(filepath.Join(dir, tc.wantRejects)) {
				t.Errorf("no rejects file %s:\n%s", tc.wantRejects, p.stderr.String())
			}
			warned := strings.Contains(p.stderr.String(), "level=WARN") && strings.Contains(p.stderr.String(), "--format")
			if warned != tc.warn {
				t.Errorf("warned %v, want %v:\n%s", warned, tc.warn, p.stderr.String())
			}
		})
	}
}
