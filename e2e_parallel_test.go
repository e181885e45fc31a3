package main

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// Shards run as parallel processes into one shared output directory, started at
// different moments as a Kubernetes Indexed Job would start them: each completes,
// and together they export every row exactly once.
func TestE2EParallelShards(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 101}
	slowCfg := cfg
	slowCfg.Faults.Latency = 5 * time.Millisecond
	sb := sandbox.StartTest(t, slowCfg)
	rows := genRows(1500, 101)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	out := filepath.Join(t.TempDir(), "shared") + "/"

	const shards = 3
	var procs []*proc
	var tags []string
	for k := range shards {
		if k > 0 {
			// Start the next shard while the others are writing parts.
			want := sb.Stats().Requests + 60
			waitFor(t, 20*time.Second, "requests of the running shards", func() bool { return sb.Stats().Requests >= want })
		}
		procs = append(procs, start(t, nil, exportArgs(in, out, sb.URL, "-c", "2", "--rows-per-file", "20",
			"--checkpoint-interval", "20ms", "--shard", fmt.Sprintf("%d/%d", k, shards))...))
		tags = append(tags, fmt.Sprintf("-s%03d", k))
	}
	for _, p := range procs {
		p.wait(procTimeout)
		p.expectCode(job.ExitOK)
	}
	checkExactlyOnce(t, rows, readShards(t, out, tags...), expectation{cfg: cfg})
}

// Two exports of different inputs into different files of one directory, running at
// the same time, do not disturb each other.
func TestE2EParallelExportsInOneDirectory(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 102}
	slowCfg := cfg
	slowCfg.Faults.Latency = 5 * time.Millisecond
	sb := sandbox.StartTest(t, slowCfg)
	dir := t.TempDir()
	var procs []*proc
	var inputs [][]inRow
	outs := []string{"a.parquet", "b.jsonl", "c.parquet"}
	for k, name := range outs {
		rows := genRows(500, uint64(200+k))
		in := filepath.Join(t.TempDir(), "ids.csv")
		writeCSV(t, in, rows)
		inputs = append(inputs, rows)
		if k > 0 {
			want := sb.Stats().Requests + 60
			waitFor(t, 20*time.Second, "requests of the running exports", func() bool { return sb.Stats().Requests >= want })
		}
		procs = append(procs, start(t, nil, exportArgs(in, filepath.Join(dir, name), sb.URL, "-c", "2",
			"--rows-per-file", "20", "--checkpoint-interval", "20ms")...))
	}
	for _, p := range procs {
		p.wait(procTimeout)
		p.expectCode(job.ExitOK)
	}
	var names []string
	for k, name := range outs {
		out := filepath.Join(dir, name)
		names = append(names, name, filepath.Base(rejectsPathOf(out)))
		checkExactlyOnce(t, inputs[k], byLine(t, mustRead(t, readProfiles, out), mustRead(t, readRejects, rejectsPathOf(out))), expectation{cfg: cfg})
	}
	checkDirHolds(t, dir, names...)
}
