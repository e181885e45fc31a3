package main

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// A run killed with SIGKILL at random moments, then resumed each time, ends with
// exactly the outputs of an undisturbed run: nothing missing, nothing twice, files
// readable, and no staging directory, state or lock left. After every kill, whatever
// sits at a final path parses fully.
func TestE2EKillAndResume(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		out  string
		dir  bool
	}{
		{name: "parquet-file", out: "profiles.parquet"},
		{name: "parquet-dir", out: "out", dir: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := sandbox.Config{Seed: 21}
			rows := genRows(1500, 21)
			in := filepath.Join(t.TempDir(), "ids.csv")
			writeCSV(t, in, rows)
			base := t.TempDir()
			out := filepath.Join(base, tc.out)
			ref := filepath.Join(t.TempDir(), tc.out)
			if tc.dir {
				out += "/"
				ref += "/"
			}
			flags := []string{"-c", "4", "--rows-per-file", "200", "--checkpoint-interval", "100ms"}

			// The undisturbed run, against a fast sandbox that answers the same.
			fast := sandbox.StartTest(t, cfg)
			run(t, nil, exportArgs(in, ref, fast.URL, flags...)...).expectCode(job.ExitOK)

			// The same export against a slow sandbox (about 2-4 s for the whole
			// input), killed five times.
			slowCfg := cfg
			slowCfg.Faults = sandbox.Faults{Latency: 5 * time.Millisecond, Jitter: 3 * time.Millisecond}
			slow := sandbox.StartTest(t, slowCfg)
			args := exportArgs(in, out, slow.URL, append(flags, "--resume")...)
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
			kills, finished := 0, false
			for kills < 5 {
				before := slow.Stats().Requests
				p := start(t, nil, args...)
				delay := time.Duration(50+rng.IntN(350)) * time.Millisecond
				select {
				case <-p.done:
				case <-time.After(delay):
				}
				if p.exited() {
					p.expectCode(job.ExitOK)
					finished = true
					break
				}
				if err := p.cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				<-p.done
				if !p.signaled {
					// It finished by itself just before the kill.
					p.expectCode(job.ExitOK)
					finished = true
					break
				}
				kills++
				if completed(out, tc.dir) {
					// Killed after it had finished its work, before it exited.
					finished = true
					break
				}
				t.Logf("kill %d after %s (%d requests in that run)", kills, delay, slow.Stats().Requests-before)
				checkFinalFilesParse(t, out, tc.dir)
			}
			if !finished {
				run(t, nil, args...).expectCode(job.ExitOK)
			}
			if kills < 3 {
				t.Errorf("only %d kills landed before the run finished: the run is too fast for this test", kills)
			}

			var got, want map[int64]record
			if tc.dir {
				got, want = readDir(t, out), readDir(t, ref)
			} else {
				got, want = readSingle(t, out), readSingle(t, ref)
			}
			checkExactlyOnce(t, rows, got, expectation{cfg: cfg})
			sameOutcomes(t, got, want)
		})
	}
}

// checkFinalFilesParse fails the test if a file at a final path of the export (the
// output and rejects files; in directory mode every part) does not parse fully.
// Files that are not there yet are fine.
func checkFinalFilesParse(t *testing.T, out string, dir bool) {
	t.Helper()
	var profiles, rejects []string
	if dir {
		ents, err := os.ReadDir(out)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		for _, e := range ents {
			switch name := e.Name(); {
			case strings.HasPrefix(name, "part-"):
				profiles = append(profiles, filepath.Join(out, name))
			case strings.HasPrefix(name, "rejects-"):
				rejects = append(rejects, filepath.Join(out, name))
			}
		}
	} else {
		profiles, rejects = []string{out}, []string{rejectsPathOf(out)}
	}
	for _, p := range profiles {
		if _, err := readProfiles(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("after a kill, %s does not parse: %v", p, err)
		}
	}
	for _, p := range rejects {
		if _, err := readRejects(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("after a kill, %s does not parse: %v", p, err)
		}
	}
}

// completed reports whether the export at out is complete: its state is gone and
// its final files are there.
func completed(out string, dir bool) bool {
	if dir {
		return fileExists(filepath.Join(out, "_SUCCESS")) && !fileExists(filepath.Join(out, "_state.json"))
	}
	d, name := filepath.Split(out)
	return fileExists(out) && fileExists(rejectsPathOf(out)) && !fileExists(filepath.Join(d, "."+name+".parts"))
}

// A run killed while removing its staging directory at the very end leaves a
// staging directory without a state beside complete outputs: the next run removes
// it and leaves the outputs alone.
func TestE2EStaleStagingDirectory(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 22}
	sb := sandbox.StartTest(t, cfg)
	rows := genRows(300, 22)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	dir := t.TempDir()
	out := filepath.Join(dir, "p.parquet")
	args := exportArgs(in, out, sb.URL, "--rows-per-file", "50", "--resume")
	run(t, nil, args...).expectCode(job.ExitOK)
	before := readTree(t, dir)

	stage := filepath.Join(dir, ".p.parquet.parts")
	if err := os.MkdirAll(stage, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stage, "part-00003.parquet"), []byte("PAR1 left over"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := run(t, nil, args...)
	p.expectCode(job.ExitUsage)
	if !strings.Contains(p.stderr.String(), "--overwrite") {
		t.Errorf("--resume of a complete export: the message does not say it is there already:\n%s", p.stderr.String())
	}
	if after := readTree(t, dir); !equalTrees(before, after) {
		t.Errorf("the stale staging directory was not removed, or the outputs changed: %s", treeDiff(before, after))
	}
	checkExactlyOnce(t, rows, readSingle(t, out), expectation{cfg: cfg})
}
