package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// A --summary inside what the export owns (a directory output, a rejects
// directory, the staging directories and locks beside a single-file output) is
// refused before any request: written there, it would overwrite a part, the
// manifest or the state, or be a stray file a loader reads. A path beside the
// output is fine.
func TestE2ESummaryInsideTheOutputIsRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, out, summary string
		more               []string
		refused            bool
	}{
		{"a part of a directory output", "d/", "d/part-00000.jsonl", nil, true},
		{"the manifest of a directory output", "d/", "d/_manifest.json", nil, true},
		{"the state of a directory output", "d/", "d/_state.json", nil, true},
		{"a subdirectory of a directory output", "d/", "d/sub/summary.json", nil, true},
		{"a separate rejects directory", "d/", "r/summary.json", []string{"--rejects", "r/"}, true},
		{"the staging directory of a single file", "s.jsonl", ".s.jsonl.parts/_state.json", nil, true},
		{"another shard's staging directory", "s.jsonl", ".s.jsonl-s001.parts/x.json", nil, true},
		{"the lock file of a single file", "s.jsonl", ".s.jsonl.parts.lock", nil, true},
		{"beside a directory output", "d/", "d-summary.json", nil, false},
		{"a dotfile beside a single file", "s.jsonl", ".s.json", nil, false},
		{"a dotfile named after the single file", "s.jsonl", ".s.jsonl-summary.json", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb := sandbox.StartTest(t, sandbox.Config{})
			dir := t.TempDir()
			in := filepath.Join(dir, "ids.csv")
			writeCSV(t, in, genRows(20, 5))
			sum := filepath.Join(dir, tc.summary)
			more := append([]string{"--format", "jsonl", "--summary", sum}, tc.more...)
			for i, m := range more {
				if m == "r/" {
					more[i] = filepath.Join(dir, "r") + "/"
				}
			}
			p := run(t, nil, exportArgs(in, joinOut(dir, tc.out), sb.URL, more...)...)
			if !tc.refused {
				p.expectCode(0)
				if _, err := os.Stat(sum); err != nil {
					t.Errorf("no summary beside the output: %v", err)
				}
				return
			}
			p.expectCode(job.ExitUsage)
			if !strings.Contains(p.stderr.String(), "--summary "+sum+" is inside the export's output") {
				t.Errorf("stderr does not say why:\n%s", p.stderr.String())
			}
			if _, err := os.Stat(sum); !os.IsNotExist(err) {
				t.Errorf("something was written at %s: %v", sum, err)
			}
			checkDirHolds(t, dir, "ids.csv") // no output, no staging directory
			if n := sb.Stats().Requests; n != 0 {
				t.Errorf("%d requests sent by a refused run", n)
			}
		})
	}
}

// Over a finished directory export, --overwrite with --summary naming its
// manifest is refused and leaves the manifest as it was.
func TestE2ESummaryOverAFinishedExportsManifest(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	dir := t.TempDir()
	in := filepath.Join(dir, "ids.csv")
	writeCSV(t, in, genRows(20, 6))
	out := filepath.Join(dir, "d") + "/"
	run(t, nil, exportArgs(in, out, sb.URL, "--format", "jsonl")...).expectCode(0)
	manifest := filepath.Join(dir, "d", "_manifest.json")
	before, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	p := run(t, nil, exportArgs(in, out, sb.URL, "--format", "jsonl", "--overwrite", "--summary", manifest)...)
	p.expectCode(job.ExitUsage)
	if after, _ := os.ReadFile(manifest); !bytes.Equal(after, before) {
		t.Errorf("the manifest was changed:\n%s", after)
	}
}
