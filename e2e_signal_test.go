package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// SIGTERM and SIGINT stop a run gracefully: exit 143 or 130, the summary printed,
// the state kept; --resume then completes the export exactly once.
func TestE2ESignalStopsResumably(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		code int
	}{
		{"SIGTERM", syscall.SIGTERM, job.ExitSIGTERM},
		{"SIGINT", syscall.SIGINT, job.ExitSIGINT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := sandbox.Config{Seed: 31}
			slowCfg := cfg
			slowCfg.Faults.Latency = 5 * time.Millisecond
			slow := sandbox.StartTest(t, slowCfg)
			rows := genRows(1500, 31)
			in := filepath.Join(t.TempDir(), "ids.csv")
			writeCSV(t, in, rows)
			out := filepath.Join(t.TempDir(), "profiles.parquet")
			state := filepath.Join(filepath.Dir(out), ".profiles.parquet.parts", "_state.json")
			flags := []string{"-c", "4", "--rows-per-file", "100", "--checkpoint-interval", "50ms"}

			p := start(t, nil, exportArgs(in, out, slow.URL, flags...)...)
			waitFor(t, 20*time.Second, "200 requests", func() bool { return slow.Stats().Requests >= 200 || p.exited() })
			p.signal(tc.sig)
			p.wait(procTimeout)
			p.expectCode(tc.code)
			stderr := p.stderr.String()
			if !strings.Contains(stderr, "rows=") || !strings.Contains(stderr, "--resume") {
				t.Errorf("stderr lacks the summary or the advice to --resume:\n%s", stderr)
			}
			if !fileExists(state) {
				t.Fatalf("no state at %s after %v", state, tc.sig)
			}
			if fileExists(out) {
				t.Errorf("%s exists although the run did not finish", out)
			}

			fast := sandbox.StartTest(t, cfg)
			run(t, nil, exportArgs(in, out, fast.URL, append(flags, "--resume")...)...).expectCode(job.ExitOK)
			checkExactlyOnce(t, rows, readSingle(t, out), expectation{cfg: cfg})
		})
	}
}

// A second signal exits at once, without waiting for the requests in flight, and
// what is on disk is still resumable. The --summary it leaves says so.
func TestE2ESecondSignalExitsAtOnce(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 32}
	// A fifth of the requests never answer: the four workers soon all wait on one,
	// while the rows before were answered and committed.
	hangCfg := cfg
	hangCfg.Faults.RateHang = 0.2
	hang := sandbox.StartTest(t, hangCfg)
	rows := genRows(400, 32)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	out := filepath.Join(t.TempDir(), "out") + "/"
	flags := []string{"-c", "4", "--rows-per-file", "10", "--checkpoint-interval", "20ms"}

	sumPath := filepath.Join(t.TempDir(), "summary.json")
	p := start(t, nil, exportArgs(in, out, hang.URL, append(flags, "--grace", "1m", "--timeout", "1m", "--summary", sumPath)...)...)
	waitFor(t, 20*time.Second, "every worker to hang", func() bool {
		return hang.Stats().ByFault[sandbox.FaultHang] >= 4 || p.exited()
	})
	time.Sleep(100 * time.Millisecond) // let a checkpoint commit the rows answered
	p.signal(syscall.SIGTERM)
	waitFor(t, 10*time.Second, "the first signal to be acknowledged", func() bool {
		return strings.Contains(p.stderr.String(), "finishing requests in flight") || p.exited()
	})
	if p.exited() {
		t.Fatalf("exited after one signal although requests hang and --grace is 1m: code %d\n%s", p.code, p.stderr.String())
	}
	sent := time.Now()
	p.signal(syscall.SIGTERM)
	p.wait(procTimeout)
	if d := time.Since(sent); d > 5*time.Second {
		t.Errorf("the second SIGTERM took %s to end the process", d)
	}
	p.expectCode(job.ExitSIGTERM)
	msg, b := readFailureSummary(t, p, sumPath, job.ExitSIGTERM, false, "")
	if !strings.Contains(msg, "interrupted by terminated again: exited at once") || !strings.Contains(msg, "--resume") {
		t.Errorf("the summary's error does not say the second signal ended the run:\n%s", b)
	}
	parts, _ := filepath.Glob(filepath.Join(out, "part-*"))
	if len(parts) == 0 {
		t.Errorf("no part was committed before the signals; the test does not exercise a resume")
	}
	if !fileExists(filepath.Join(out, "_state.json")) {
		t.Fatalf("no state left after the second signal")
	}
	checkFinalFilesParse(t, out, true)

	fast := sandbox.StartTest(t, cfg)
	r := run(t, nil, exportArgs(in, out, fast.URL, append(flags, "--resume")...)...)
	r.expectCode(job.ExitOK)
	if !strings.Contains(r.stderr.String(), "resumed_past=") {
		t.Errorf("the resumed run did not skip the rows committed before:\n%s", r.stderr.String())
	}
	checkExactlyOnce(t, rows, readDir(t, out), expectation{cfg: cfg})
}
