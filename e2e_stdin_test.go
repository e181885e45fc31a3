package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// checkStdinAdvice fails unless stderr tells to --restart a run that read stdin,
// and never to --resume it (which is refused for stdin).
func checkStdinAdvice(t *testing.T, stderr string) {
	t.Helper()
	if strings.Contains(stderr, "again with --resume") || !strings.Contains(stderr, "--restart") {
		t.Errorf("a stopped run from stdin must be advised --restart, not --resume:\n%s", stderr)
	}
}

// A run from stdin that stops early (a signal, --max-duration) cannot be resumed:
// stdin cannot be checked to be the same data. Its messages say to run again with
// --restart, and that advice works.
func TestE2EStdinStopAdvice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		sig   syscall.Signal // 0: stopped by --max-duration
		extra []string
		code  int
	}{
		{name: "SIGTERM", sig: syscall.SIGTERM, code: job.ExitSIGTERM},
		{name: "max-duration", extra: []string{"--max-duration", "300ms"}, code: job.ExitStopped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := sandbox.Config{Seed: 41}
			slowCfg := cfg
			slowCfg.Faults.Latency = 5 * time.Millisecond
			slow := sandbox.StartTest(t, slowCfg)
			rows := genRows(1500, 41)
			in := filepath.Join(t.TempDir(), "ids.csv")
			writeCSV(t, in, rows)
			out := filepath.Join(t.TempDir(), "profiles.jsonl")
			flags := append([]string{"-c", "4", "--rows-per-file", "100", "--checkpoint-interval", "50ms"}, tc.extra...)

			f, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			p := startWithStdin(t, f, nil, exportArgs("-", out, slow.URL, flags...)...)
			if tc.sig != 0 {
				waitFor(t, 20*time.Second, "100 requests", func() bool { return slow.Stats().Requests >= 100 || p.exited() })
				p.signal(tc.sig)
			}
			p.wait(procTimeout)
			p.expectCode(tc.code)
			checkStdinAdvice(t, p.stderr.String())

			// Run again without --restart: refused, with the same advice.
			again, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			fast := sandbox.StartTest(t, cfg)
			a := startWithStdin(t, again, nil, exportArgs("-", out, fast.URL)...)
			a.wait(procTimeout)
			a.expectCode(job.ExitUsage)
			if msg := a.stderr.String(); strings.Contains(msg, "pass --resume") || !strings.Contains(msg, "--restart") {
				t.Errorf("the refusal of a leftover stdin run must advise --restart only:\n%s", msg)
			}

			// The advice is right: --restart completes the export.
			g, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			r := startWithStdin(t, g, nil, exportArgs("-", out, fast.URL, "--restart")...)
			r.wait(procTimeout)
			r.expectCode(job.ExitOK)
			checkExactlyOnce(t, rows, readSingle(t, out), expectation{cfg: cfg})
		})
	}
}

// The second signal's message, printed as the process exits at once, gives the
// same advice.
func TestE2EStdinSecondSignalAdvice(t *testing.T) {
	t.Parallel()
	hangCfg := sandbox.Config{Seed: 42}
	hangCfg.Faults.RateHang = 0.2
	hang := sandbox.StartTest(t, hangCfg)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(400, 42))
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := filepath.Join(t.TempDir(), "out.jsonl")
	p := startWithStdin(t, f, nil, exportArgs("-", out, hang.URL, "-c", "4", "--grace", "1m", "--timeout", "1m")...)
	waitFor(t, 20*time.Second, "every worker to hang", func() bool {
		return hang.Stats().ByFault[sandbox.FaultHang] >= 4 || p.exited()
	})
	p.signal(syscall.SIGTERM)
	waitFor(t, 10*time.Second, "the first signal to be acknowledged", func() bool {
		return strings.Contains(p.stderr.String(), "finishing requests in flight") || p.exited()
	})
	p.signal(syscall.SIGTERM)
	p.wait(procTimeout)
	p.expectCode(job.ExitSIGTERM)
	if !strings.Contains(p.stderr.String(), "again: exiting now") {
		t.Fatalf("the second signal's message is missing:\n%s", p.stderr.String())
	}
	checkStdinAdvice(t, p.stderr.String())
}
