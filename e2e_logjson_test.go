package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// jsonRecords parses stderr as JSON log records, failing the test on any line
// that is not one JSON object with time, level and msg.
func jsonRecords(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Errorf("a stderr line is not a JSON object (%v): %q", err, l)
			continue
		}
		for _, k := range []string{"time", "level", "msg"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("record without %s: %s", k, l)
			}
		}
		recs = append(recs, rec)
	}
	return recs
}

// findRecord returns the first record with msg, or nil.
func findRecord(recs []map[string]any, msg string) map[string]any {
	for _, r := range recs {
		if r["msg"] == msg {
			return r
		}
	}
	return nil
}

// With --log-format json every line the export writes on stderr is one JSON
// object: the log records, the final summary and the outputs written, the error
// it ended with and the notice of a signal, whether it succeeds, completes with
// failed rows, stops or is refused. The summary carries the counts and the exit
// code; the token is never in any of it.
func TestE2ELogFormatJSON(t *testing.T) {
	t.Parallel()
	const token = "json-log-token-7c1e"
	good := sandbox.StartTest(t, sandbox.Config{Seed: 61, Token: token})
	failing := sandbox.StartTest(t, sandbox.Config{Seed: 61, Token: token, Faults: sandbox.Faults{FailFirst: 1, FailFirstShare: 0.3}})
	slow := sandbox.StartTest(t, sandbox.Config{Seed: 61, Token: token, Faults: sandbox.Faults{Latency: 5 * time.Millisecond}})
	dir := t.TempDir()
	in := filepath.Join(dir, "ids.csv")
	writeCSV(t, in, genRows(300, 61))
	empty := filepath.Join(dir, "empty.csv")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	afile := filepath.Join(dir, "afile")
	if err := os.WriteFile(afile, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	withToken := []string{"TARGET_PROFILE_TOKEN=" + token}

	for _, tc := range []struct {
		name    string
		env     []string
		args    func(out string) []string
		code    int
		summary bool   // a summary record is expected
		wrote   bool   // and a record of the outputs
		err     string // the error record says this; "" for none
		signal  bool   // SIGINT once 50 requests went out
	}{
		{name: "success", env: withToken, code: job.ExitOK, summary: true, wrote: true,
			args: func(out string) []string { return exportArgs(in, out, good.URL, "--progress-interval", "10ms") }},
		{name: "some rows failed", env: withToken, code: job.ExitFailed, summary: true, wrote: true,
			args: func(out string) []string { return exportArgs(in, out, failing.URL, "--retries", "0") }},
		{name: "token refused", env: []string{"TARGET_PROFILE_TOKEN=not-" + token}, code: job.ExitFatal, summary: true, err: "rejected the token",
			args: func(out string) []string { return exportArgs(in, out, good.URL) }},
		{name: "interrupted", env: withToken, code: job.ExitSIGINT, summary: true, err: "interrupted", signal: true,
			args: func(out string) []string { return exportArgs(in, out, slow.URL, "-c", "2") }},
		{name: "flag out of range", env: withToken, code: job.ExitUsage, err: "--rate -1",
			args: func(out string) []string { return exportArgs(in, out, good.URL, "--rate", "-1") }},
		{name: "empty input", env: withToken, code: job.ExitUsage, err: "empty",
			args: func(out string) []string { return exportArgs(empty, out, good.URL) }},
		{name: "unusable output", env: withToken, code: job.ExitUsage, err: "--output " + afile,
			args: func(string) []string { return exportArgs(in, filepath.Join(afile, "p.jsonl"), good.URL) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "p.jsonl")
			args := append(tc.args(out), "--log-format", "json")
			p := start(t, tc.env, args...)
			if tc.signal {
				waitFor(t, 20*time.Second, "50 requests", func() bool { return slow.Stats().Requests >= 50 || p.exited() })
				p.signal(syscall.SIGINT)
			}
			p.wait(procTimeout)
			p.expectCode(tc.code)
			stderr := p.stderr.String()
			if strings.Contains(stderr, token) {
				t.Errorf("the token is on stderr:\n%s", stderr)
			}
			recs := jsonRecords(t, stderr)

			sum := findRecord(recs, "summary")
			switch {
			case !tc.summary && sum != nil:
				t.Errorf("a summary of a run that did not start: %v", sum)
			case tc.summary && sum == nil:
				t.Errorf("no summary record:\n%s", stderr)
			case tc.summary:
				for _, k := range []string{"rows", "profiles", "rejects", "rejects_by_reason", "requests", "retries", "elapsed", "rows_per_s", "completed"} {
					if _, ok := sum[k]; !ok {
						t.Errorf("the summary lacks %s: %v", k, sum)
					}
				}
				if sum["exit_code"] != float64(tc.code) {
					t.Errorf("the summary says exit_code %v, the process exited %d", sum["exit_code"], tc.code)
				}
				if tc.wrote && (sum["rows"] != 300.0 || sum["completed"] != true) {
					t.Errorf("summary of a complete run: %v", sum)
				}
				if tc.code == job.ExitFailed {
					if byReason, _ := sum["rejects_by_reason"].(map[string]any); byReason["failed"] == nil {
						t.Errorf("no failed rows in the summary of a run with failed rows: %v", sum)
					}
				}
			}
			wrote := findRecord(recs, "wrote")
			if outputs, _ := wrote["outputs"].([]any); tc.wrote && (len(outputs) != 2 || outputs[0] != out) {
				t.Errorf("the outputs record %v does not name %s and its rejects", wrote, out)
			} else if !tc.wrote && wrote != nil {
				t.Errorf("an outputs record for a run that published nothing: %v", wrote)
			}

			failed := findRecord(recs, "export failed")
			switch {
			case tc.err == "" && failed != nil:
				t.Errorf("an error record for a run without error: %v", failed)
			case tc.err != "" && failed == nil:
				t.Errorf("no error record:\n%s", stderr)
			case tc.err != "":
				if msg, _ := failed["error"].(string); failed["level"] != "ERROR" || !strings.Contains(msg, tc.err) || failed["exit_code"] != float64(tc.code) {
					t.Errorf("the error record %v does not say %q with exit code %d", failed, tc.err, tc.code)
				}
			}
			if n := findRecord(recs, "finishing requests in flight and saving progress (send it again to exit at once)"); tc.signal && (n == nil || n["signal"] != "interrupt") {
				t.Errorf("no record of the signal:\n%s", stderr)
			}
		})
	}
}

// The text format keeps its plain lines: the summary, the outputs written and
// the error, each prefixed "profile-export: ".
func TestE2ELogFormatTextLines(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{Seed: 62})
	dir := t.TempDir()
	in := filepath.Join(dir, "ids.csv")
	writeCSV(t, in, genRows(50, 62))
	out := filepath.Join(dir, "p.jsonl")
	p := run(t, nil, exportArgs(in, out, sb.URL, "--progress", "none")...)
	p.expectCode(job.ExitOK)
	lines := strings.Split(strings.TrimSuffix(p.stderr.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "profile-export: rows=50 profiles=") ||
		lines[1] != "profile-export: wrote "+out+" and "+filepath.Join(dir, "p.rejects.jsonl") {
		t.Errorf("text stderr:\n%s", p.stderr.String())
	}
	p = run(t, nil, exportArgs(in, filepath.Join(dir, "q.jsonl"), sb.URL, "--rate", "-1")...)
	p.expectCode(job.ExitUsage)
	if got := p.stderr.String(); got != "profile-export: --rate -1: want requests per second >= 0 (0: no limit)\n" {
		t.Errorf("text error: %q", got)
	}
}
