package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// An answer larger than --max-body fails its row, and the reject's message names
// the flag that sets the limit, so that the user knows what to raise.
func TestE2EMaxBodyRejectNamesTheFlag(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{NotFoundRate: -1})
	root := t.TempDir()
	in := filepath.Join(root, "ids.csv")
	writeCSV(t, in, genRows(5, 61))
	out := filepath.Join(root, "p.jsonl")
	p := run(t, nil, exportArgs(in, out, sb.URL, "--max-body", "10", "--retries", "0")...)
	p.expectCode(job.ExitFailed)
	rejects, err := readRejects(rejectsPathOf(out))
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, r := range rejects {
		if r.Kind != "failed" {
			continue
		}
		failed++
		if !strings.Contains(r.Message, "larger than the 10-byte limit of --max-body") {
			t.Errorf("line %d: the message does not name --max-body: %s", r.Line, r.Message)
		}
	}
	if failed == 0 {
		t.Fatalf("no row failed with --max-body 10:\n%s", p.stderr.String())
	}
}
