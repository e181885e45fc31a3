package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// Every data line of the input is exactly once in the profiles or the rejects, with
// the server's answer byte for byte, in every output format and layout.
func TestE2EExactlyOnce(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 11}
	sb := sandbox.StartTest(t, cfg)
	rows := genRows(1200, 1)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)

	for _, tc := range []struct {
		name, out string
		dir       bool
		more      []string
	}{
		{name: "parquet", out: "profiles.parquet"},
		{name: "jsonl", out: "profiles.jsonl"},
		{name: "jsonl.gz", out: "profiles.jsonl.gz"},
		{name: "parquet-dir", out: "out/", dir: true},
		{name: "jsonl-dir", out: "out/", dir: true, more: []string{"--format", "jsonl"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tc.out)
			if tc.dir {
				out += "/"
			}
			args := exportArgs(in, out, sb.URL, append([]string{"-c", "8", "--rows-per-file", "250"}, tc.more...)...)
			p := run(t, nil, args...)
			p.expectCode(job.ExitOK)
			var got map[int64]record
			if tc.dir {
				got = readDir(t, out)
			} else {
				got = readSingle(t, out)
			}
			checkExactlyOnce(t, rows, got, expectation{cfg: cfg})
			c := counts(got)
			if c[kindProfile] == 0 || c["not_found"] == 0 || c["invalid_row"] == 0 {
				t.Errorf("the input should yield profiles, not_found and invalid_row rows; got %v", c)
			}
			if !strings.Contains(p.stderr.String(), "rows=1200 ") {
				t.Errorf("the summary on stderr does not count 1200 rows:\n%s", p.stderr.String())
			}
		})
	}
}

// Profiles are personal data: every file written is private to its owner by default.
func TestE2EFileModes(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(300, 2))

	dir := t.TempDir()
	out := filepath.Join(dir, "p.parquet")
	run(t, nil, exportArgs(in, out, sb.URL)...).expectCode(job.ExitOK)
	for _, p := range []string{out, rejectsPathOf(out)} {
		checkMode(t, p, 0o600)
	}

	outDir := filepath.Join(t.TempDir(), "parts") + "/"
	run(t, nil, exportArgs(in, outDir, sb.URL, "--rows-per-file", "100")...).expectCode(job.ExitOK)
	ents, err := os.ReadDir(outDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) < 4 {
		t.Fatalf("directory output holds only %d files", len(ents))
	}
	for _, e := range ents {
		checkMode(t, filepath.Join(outDir, e.Name()), 0o600)
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", path, got, want)
	}
}
