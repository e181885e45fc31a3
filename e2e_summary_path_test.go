package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// A --summary path that cannot be written (under a file, an existing directory, a
// path ending in /) is refused before any request, with exit 2 and a message
// naming --summary, also in a dry run: not found only after the outputs are
// published, when a retry would be refused for outputs that already exist.
func TestE2ESummaryPathCheckedFirst(t *testing.T) {
	t.Parallel()
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(20, 31))
	for _, tc := range []struct {
		name    string
		summary func(root string) string
		want    string
	}{
		{"under a file", func(root string) string {
			os.WriteFile(filepath.Join(root, "afile"), nil, 0o600)
			return filepath.Join(root, "afile", "s.json")
		}, "not a directory"},
		{"a directory", func(root string) string {
			os.Mkdir(filepath.Join(root, "sdir"), 0o755)
			return filepath.Join(root, "sdir")
		}, "is a directory"},
		{"ending in a slash", func(root string) string { return filepath.Join(root, "new") + "/" }, "names a directory"},
	} {
		for _, dryRun := range []bool{false, true} {
			name := tc.name
			if dryRun {
				name += ", dry run"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				sb := sandbox.StartTest(t, sandbox.Config{})
				root := t.TempDir()
				sum := tc.summary(root)
				args := exportArgs(in, filepath.Join(root, "out", "p.jsonl"), sb.URL, "--summary", sum)
				if dryRun {
					args = append(args, "--dry-run")
				}
				p := run(t, nil, args...)
				p.expectCode(job.ExitUsage)
				stderr := p.stderr.String()
				if !strings.Contains(stderr, "--summary "+sum) || !strings.Contains(stderr, tc.want) {
					t.Errorf("the message does not name --summary %s and say %q:\n%s", sum, tc.want, stderr)
				}
				if n := sb.Stats().Requests; n != 0 {
					t.Errorf("%d requests sent by a refused run", n)
				}
				if fileExists(filepath.Join(root, "out")) {
					t.Errorf("a refused run created the output directory")
				}
			})
		}
	}
}

// A summary that still cannot be written at the end (here its directory is
// replaced by a file during the run; in real life a full disk) does not turn a
// completed export into a failure: the outputs are published, the exit code stays
// the run's, and a warning says the outputs are complete.
func TestE2ESummaryLostAtTheEnd(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{Faults: sandbox.Faults{Latency: 20 * time.Millisecond}})
	root := t.TempDir()
	in := filepath.Join(root, "ids.csv")
	writeCSV(t, in, genRows(60, 32))
	sumDir := filepath.Join(root, "sum")
	out := filepath.Join(root, "out", "p.jsonl")
	p := start(t, nil, exportArgs(in, out, sb.URL, "--concurrency", "1", "--summary", filepath.Join(sumDir, "s.json"))...)
	waitFor(t, 30*time.Second, "the first request", func() bool { return sb.Stats().Requests > 0 || p.exited() })
	if err := os.RemoveAll(sumDir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sumDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p.wait(procTimeout)
	p.expectCode(job.ExitOK)
	stderr := p.stderr.String()
	if !strings.Contains(stderr, "--summary") || !strings.Contains(stderr, "the outputs are complete and published") {
		t.Errorf("no warning that the summary is missing and the outputs complete:\n%s", stderr)
	}
	readSingle(t, out)
}
