package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// An export into a directory that holds a finished export of another sharding —
// unsharded into sharded, sharded into unsharded, 3 shards into 2 — is refused
// without --overwrite (it used to add a second copy of every row), leaving the
// directory as it was; with --overwrite every file of the old export, all its
// shards', goes before the new one publishes. Shards of the same count still share
// the directory.
func TestE2EOtherShardingInDirectory(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 63}
	sb := sandbox.StartTest(t, cfg)
	rows := genRows(600, 63)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	out := filepath.Join(t.TempDir(), "sh3") + "/"
	flags := []string{"--rows-per-file", "100", "--format", "jsonl"}
	export := func(more ...string) *proc {
		return run(t, nil, exportArgs(in, out, sb.URL, append(append([]string{}, flags...), more...)...)...)
	}
	shards := func(n int, more ...string) []string {
		var tags []string
		for k := range n {
			export(append([]string{"--shard", fmt.Sprintf("%d/%d", k, n)}, more...)...).expectCode(job.ExitOK)
			tags = append(tags, fmt.Sprintf("-s%03d", k))
		}
		return tags
	}
	refused := func(p *proc, want ...string) {
		t.Helper()
		p.expectCode(job.ExitUsage)
		for _, w := range append(want, out+" holds an export", "--overwrite") {
			if !strings.Contains(p.stderr.String(), w) {
				t.Errorf("the refusal does not say %q:\n%s", w, p.stderr.String())
			}
		}
	}

	tags := shards(2)
	for _, other := range [][]string{{}, {"--shard", "0/3"}, {"--shard", "2/3"}} {
		refused(export(other...), "another sharding (--shard 0/2 and --shard 1/2: ")
		checkExactlyOnce(t, rows, readShards(t, out, tags...), expectation{cfg: cfg})
	}

	export("--overwrite").expectCode(job.ExitOK)
	checkExactlyOnce(t, rows, readDir(t, out), expectation{cfg: cfg}) // no shard's file is left

	refused(export("--shard", "1/2"), "an export without sharding (_SUCCESS, _manifest.json, ", "this run has --shard 1/2")
	checkExactlyOnce(t, rows, readDir(t, out), expectation{cfg: cfg})

	// The first shard removes the unsharded export; its sibling, of the same
	// count, is no conflict and keeps the first shard's files even with --overwrite.
	tags = shards(2, "--overwrite")
	checkExactlyOnce(t, rows, readShards(t, out, tags...), expectation{cfg: cfg})

	tags = shards(3, "--overwrite")
	checkExactlyOnce(t, rows, readShards(t, out, tags...), expectation{cfg: cfg})
}
