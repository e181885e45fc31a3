package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// A value that does not parse as its flag's number, duration or boolean is
// refused (exit 2) with a message naming the flag, the value, where it came from
// when that is the environment, and what the flag accepts, rather than urfave/cli's
// `invalid value "abc" for flag -rate: parse error` or a raw strconv error.
func TestE2EFlagValuesThatDoNotParse(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(5, 51))
	for _, tc := range []struct {
		name string
		env  []string
		args []string // after the export's own
		want string   // the first line on stderr, after "profile-export: "
	}{
		{"rate", nil, []string{"--rate", "abc"}, `--rate "abc": want a number of requests per second (0 = unlimited)`},
		{"rate from env", []string{"PROFILE_EXPORT_RATE=abc"}, nil, `--rate "abc" (from PROFILE_EXPORT_RATE): want a number of requests per second (0 = unlimited)`},
		{"concurrency", nil, []string{"--concurrency", "abc"}, `--concurrency "abc": want a whole number of requests in flight, at least 1`},
		{"-c", nil, []string{"-c", "abc"}, `--concurrency "abc": want a whole number of requests in flight, at least 1`},
		{"concurrency from env", []string{"PROFILE_EXPORT_CONCURRENCY=abc"}, nil, `--concurrency "abc" (from PROFILE_EXPORT_CONCURRENCY): want a whole number of requests in flight, at least 1`},
		{"timeout without unit", nil, []string{"--timeout", "5"}, `--timeout "5": want a duration with a unit, such as 30s or 2m (> 0)`},
		{"timeout from env", []string{"PROFILE_EXPORT_TIMEOUT=5"}, nil, `--timeout "5" (from PROFILE_EXPORT_TIMEOUT): want a duration with a unit, such as 30s or 2m (> 0)`},
		{"burst", nil, []string{"--burst", "x"}, `--burst "x": want a whole number of requests, at least 1`},
		{"burst from env", []string{"PROFILE_EXPORT_BURST=x"}, nil, `--burst "x" (from PROFILE_EXPORT_BURST): want a whole number of requests, at least 1`},
		{"max-body", nil, []string{"--max-body=4MB"}, `--max-body "4MB": want a whole number of bytes, at least 1, such as 4194304`},
		{"grace", nil, []string{"--grace", "10"}, `--grace "10": want a duration with a unit, such as 10s (0: abandon the requests in flight at once)`},
		{"shard index from JOB_COMPLETION_INDEX", []string{"JOB_COMPLETION_INDEX=x"}, nil, `--shard-index "x" (from JOB_COMPLETION_INDEX): want a whole number, 0 to --shard-count minus 1`},
		{"boolean", nil, []string{"--edge-routing=maybe"}, `--edge-routing "maybe": want true or false`},
		{"boolean from env", []string{"PROFILE_EXPORT_DEDUPE=maybe"}, nil, `--dedupe "maybe" (from PROFILE_EXPORT_DEDUPE): want true or false`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "p.jsonl")
			p := run(t, tc.env, append(exportArgs(in, out, sb.URL), tc.args...)...)
			p.expectCode(job.ExitUsage)
			if first, _, _ := strings.Cut(p.stderr.String(), "\n"); first != "profile-export: "+tc.want {
				t.Errorf("stderr does not start with %q:\n%s", tc.want, p.stderr.String())
			}
		})
	}
	// The sandbox command's flags, from their type alone.
	p := run(t, []string{"PROFILE_EXPORT_SANDBOX_SEED=-1"}, "sandbox", "--listen", "127.0.0.1:0")
	p.expectCode(job.ExitUsage)
	if want := `--seed "-1" (from PROFILE_EXPORT_SANDBOX_SEED): want a whole number, 0 or more`; !strings.Contains(p.stderr.String(), want) {
		t.Errorf("sandbox: stderr does not say %q:\n%s", want, p.stderr.String())
	}
	if n := sb.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent by refused command lines", n)
	}
}
