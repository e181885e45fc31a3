package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// An existing output is refused with exit 2, and the message names the flag that
// picks another path for the file that exists: --rejects when it is the rejects
// file (or a rejects part in the --rejects directory), else --output.
func TestE2EExistingOutputNamesItsFlag(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(20, 41))

	t.Run("output file", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "p.jsonl")
		os.WriteFile(out, nil, 0o600)
		p := run(t, nil, exportArgs(in, out, sb.URL)...)
		p.expectCode(job.ExitUsage)
		wantSaying(t, p, out+" already exists", "or choose another --output")
	})
	t.Run("rejects file", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "p.jsonl")
		os.WriteFile(rejectsPathOf(out), nil, 0o600)
		p := run(t, nil, exportArgs(in, out, sb.URL)...)
		p.expectCode(job.ExitUsage)
		wantSaying(t, p, "p.rejects.jsonl (the rejects file) already exists", "or choose another --rejects")
	})
	t.Run("rejects part in the --rejects directory", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		out, rej := filepath.Join(root, "out")+"/", filepath.Join(root, "rej")+"/"
		run(t, nil, exportArgs(in, out, sb.URL, "--rejects", rej)...).expectCode(job.ExitOK)
		if err := os.RemoveAll(out); err != nil {
			t.Fatal(err)
		}
		p := run(t, nil, exportArgs(in, out, sb.URL, "--rejects", rej)...)
		p.expectCode(job.ExitUsage)
		wantSaying(t, p, "rejects-00000.jsonl (in "+rej+") already exists", "or choose another --rejects")
	})
}

// wantSaying fails unless p's stderr holds every one of want.
func wantSaying(t *testing.T, p *proc, want ...string) {
	t.Helper()
	stderr := p.stderr.String()
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr does not say %q:\n%s", w, stderr)
		}
	}
}
