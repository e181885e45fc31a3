package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// Shards of a new sharding started at the same instant (an indexed Job's pods)
// over a directory holding another sharding's export — finished, replaced with
// --overwrite, or unfinished, discarded with --restart — all run: one removes the
// old export while the others wait for it, instead of one being refused (exit 2,
// which a Job's podFailurePolicy never retries) for finding the old export's lock
// held or its files half removed. Every row ends up once.
func TestE2EShardsSwitchShardingAtOnce(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 91, Faults: sandbox.Faults{Latency: 5 * time.Millisecond}}
	sb := sandbox.StartTest(t, cfg)
	rows := genRows(400, 91)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	flags := []string{"--rows-per-file", "50", "--checkpoint-interval", "50ms", "--format", "jsonl", "-c", "4"}
	for _, tc := range []struct {
		name string
		old  func(out string) // leaves the old export in out
		flag string
	}{
		{"over a finished export, --overwrite", func(out string) {
			run(t, nil, exportArgs(in, out, sb.URL, flags...)...).expectCode(job.ExitOK)
		}, "--overwrite"},
		{"over a finished export of 3 shards, --overwrite", func(out string) {
			for k := range 3 {
				run(t, nil, exportArgs(in, out, sb.URL, append([]string{"--shard", fmt.Sprintf("%d/3", k)}, flags...)...)...).expectCode(job.ExitOK)
			}
		}, "--overwrite"},
		{"over an interrupted export, --restart", func(out string) {
			p := start(t, nil, exportArgs(in, out, sb.URL, flags...)...)
			waitFor(t, procTimeout, "a first checkpoint", func() bool {
				m, _ := filepath.Glob(filepath.Join(out, "part-*"))
				return len(m) > 0
			})
			p.signal(syscall.SIGINT)
			p.wait(procTimeout)
			p.expectCode(job.ExitSIGINT)
		}, "--restart"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for try := range 3 {
				out := filepath.Join(t.TempDir(), fmt.Sprintf("d%d", try)) + "/"
				tc.old(out)
				// What a killed writer of the old export would have left.
				stray := filepath.Join(out, ".part-00099.jsonl.tmp-0123456789")
				if tc.flag == "--restart" {
					if err := os.WriteFile(stray, []byte("{}\n"), 0o600); err != nil {
						t.Fatal(err)
					}
				}
				var ps []*proc
				for k := range 2 {
					ps = append(ps, start(t, nil, exportArgs(in, out, sb.URL,
						append([]string{"--shard", fmt.Sprintf("%d/2", k), tc.flag}, flags...)...)...))
				}
				for _, p := range ps {
					p.wait(procTimeout)
					p.expectCode(job.ExitOK)
				}
				checkExactlyOnce(t, rows, readShards(t, out, "-s000", "-s001"), expectation{cfg: cfg})
				if _, err := os.Stat(stray); !os.IsNotExist(err) {
					t.Errorf("the old export's temporary file is left: %v", err)
				}
			}
		})
	}
}
