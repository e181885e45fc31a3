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

// interruptMidway starts an export against slow, sends it SIGINT once it has sent
// some requests, and checks that it stopped resumably (exit 130).
func interruptMidway(t *testing.T, slow *sandbox.Server, args []string) {
	t.Helper()
	want := slow.Stats().Requests + 100
	p := start(t, nil, args...)
	waitFor(t, 20*time.Second, "requests of the export", func() bool { return slow.Stats().Requests >= want || p.exited() })
	p.signal(os.Interrupt)
	p.wait(procTimeout)
	p.expectCode(job.ExitSIGINT)
}

// expectRefused checks that a run exited 2 with a message holding each of want,
// sent no request, and that each of gone does not exist and each of kept does.
func expectRefused(t *testing.T, sb *sandbox.Server, p *proc, want, gone, kept []string) {
	t.Helper()
	p.expectCode(job.ExitUsage)
	msg := p.stderr.String()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("the refusal does not say %q:\n%s", w, msg)
		}
	}
	for _, g := range gone {
		if fileExists(g) {
			t.Errorf("the refused run left %s", g)
		}
	}
	for _, k := range kept {
		if !fileExists(k) {
			t.Errorf("the refused run removed %s", k)
		}
	}
	if n := sb.Stats().Requests; n != 0 {
		t.Errorf("the refused run sent %d requests", n)
	}
}

// A single-file export interrupted without --shard and resumed with --shard 1/2 is
// refused, naming the difference: it used to start a new run of half the rows and
// publish it with exit 0, leaving the unsharded state unused. Nothing is
// published, the state is kept, and the resume with the same flags completes.
func TestE2EResumeSingleFileWithAnotherShardIsRefused(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 61}
	slowCfg := cfg
	slowCfg.Faults.Latency = 5 * time.Millisecond
	slow := sandbox.StartTest(t, slowCfg)
	rows := genRows(2000, 61)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	dir := t.TempDir()
	out := filepath.Join(dir, "p.jsonl")
	flags := []string{"-c", "2", "--rows-per-file", "50", "--checkpoint-interval", "20ms"}
	interruptMidway(t, slow, exportArgs(in, out, slow.URL, flags...))
	state := filepath.Join(dir, ".p.jsonl.parts", "_state.json")

	fast := sandbox.StartTest(t, cfg)
	for _, shard := range [][]string{{"--shard", "1/2"}, {"--shard-index", "0", "--shard-count", "2"}} {
		p := run(t, nil, exportArgs(in, out, fast.URL, append(append([]string{"--resume"}, flags...), shard...)...)...)
		tag := shard[len(shard)-1]
		if tag == "2" {
			tag = "0/2"
		}
		expectRefused(t, fast, p,
			[]string{state, "the state was written with no sharding; this run has --shard " + tag},
			[]string{out, rejectsPathOf(out), filepath.Join(dir, ".p.jsonl-s001.parts"), filepath.Join(dir, ".p.jsonl-s000.parts")},
			[]string{state})
		// Nor does a new run (no --resume) of a shard start beside the unfinished one.
		p = run(t, nil, exportArgs(in, out, fast.URL, append(append([]string{}, flags...), shard...)...)...)
		expectRefused(t, fast, p, []string{state, "an unfinished run with no sharding", "--restart"},
			[]string{out, rejectsPathOf(out)}, []string{state})
	}
	run(t, nil, exportArgs(in, out, fast.URL, append(flags, "--resume")...)...).expectCode(job.ExitOK)
	checkExactlyOnce(t, rows, readSingle(t, out), expectation{cfg: cfg})
}

// A directory export of shard 0/2 interrupted and resumed without --shard is
// refused, naming the shard difference and the leftover state: it used to finish
// an unsharded export beside the shard's parts, every row of which was then in
// the directory twice. The shard then resumes and, with its sibling, exports
// every row once.
func TestE2EResumeDirectoryWithoutShardIsRefused(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 62}
	slowCfg := cfg
	slowCfg.Faults.Latency = 5 * time.Millisecond
	slow := sandbox.StartTest(t, slowCfg)
	rows := genRows(2000, 62)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	out := filepath.Join(t.TempDir(), "sr2") + "/"
	flags := []string{"-c", "2", "--rows-per-file", "50", "--checkpoint-interval", "20ms", "--format", "jsonl"}
	interruptMidway(t, slow, exportArgs(in, out, slow.URL, append(flags, "--shard", "0/2")...))
	state := filepath.Join(out, "_state-s000.json")

	fast := sandbox.StartTest(t, cfg)
	for _, other := range [][]string{{"--resume"}, {"--resume", "--shard", "0/3"}, {}} {
		p := run(t, nil, exportArgs(in, out, fast.URL, append(append([]string{}, flags...), other...)...)...)
		want := []string{state, "--shard 0/2", "--restart"}
		if len(other) > 0 {
			want = append(want, "the state was written with --shard 0/2; this run has ")
		}
		expectRefused(t, fast, p, want,
			[]string{filepath.Join(out, "_SUCCESS"), filepath.Join(out, "_manifest.json"), filepath.Join(out, "_state.json"),
				filepath.Join(out, "part-00000.jsonl")},
			[]string{state, filepath.Join(out, "part-s000-00000.jsonl")})
	}
	run(t, nil, exportArgs(in, out, fast.URL, append(flags, "--resume", "--shard", "0/2")...)...).expectCode(job.ExitOK)
	run(t, nil, exportArgs(in, out, fast.URL, append(flags, "--resume", "--shard", "1/2")...)...).expectCode(job.ExitOK)
	checkExactlyOnce(t, rows, readShards(t, out, "-s000", "-s001"), expectation{cfg: cfg})
}
