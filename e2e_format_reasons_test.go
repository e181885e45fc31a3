package main

import (
	"os"
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

// --reasons selects the lines of a rejects file given as input. On a CSV input it
// has nothing to select: the run goes on, exporting every row, with one warning
// saying the flag is ignored, also in a dry run. Left at its default, or on a
// rejects file, it gets no warning.
func TestE2EReasonsOnCSVWarn(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 62}
	sb := sandbox.StartTest(t, cfg)
	dir := t.TempDir()
	csv := filepath.Join(dir, "ids.csv")
	rows := genRows(50, 62)
	writeCSV(t, csv, rows)
	rejects := filepath.Join(dir, "old.rejects.jsonl")
	if err := os.WriteFile(rejects, []byte(`{"line":2,"id":"CRM-1","type":"thirdPartyId","reason":"failed","message":"HTTP 503","attempts":6}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const warning = "--reasons is ignored: the input is CSV"
	for _, tc := range []struct {
		name   string
		env    []string
		input  string
		args   []string
		warned bool
	}{
		{"CSV with --reasons", nil, csv, []string{"--reasons", "all"}, true},
		{"CSV with --reasons failed", nil, csv, []string{"--reasons", "failed"}, true},
		{"CSV with PROFILE_EXPORT_REASONS", []string{"PROFILE_EXPORT_REASONS=not_found,failed"}, csv, nil, true},
		{"dry run of a CSV with --reasons", nil, csv, []string{"--reasons", "all", "--dry-run"}, true},
		{"CSV without --reasons", nil, csv, nil, false},
		{"rejects file with --reasons", nil, rejects, []string{"--reasons", "failed"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "p.jsonl")
			p := run(t, tc.env, exportArgs(tc.input, out, sb.URL, tc.args...)...)
			p.expectCode(job.ExitOK)
			stderr := p.stderr.String()
			want := 0
			if tc.warned {
				want = 1
			}
			if n := strings.Count(stderr, warning); n != want {
				t.Errorf("%d warnings %q, want %d:\n%s", n, warning, want, stderr)
			}
			if tc.input == csv && !strings.Contains(strings.Join(tc.args, " "), "--dry-run") {
				checkExactlyOnce(t, rows, readSingle(t, out), expectation{cfg: cfg})
			}
		})
	}
}
