package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// Numeric and duration flags out of their range are refused as usage errors
// (exit 2), with one line naming the flag, the value and what is allowed, before
// any request and without creating anything. The zero values that mean something
// (--rate 0: no limit, --retries 0: no retry, --grace 0s: abandon requests in
// flight at once, --max-duration 0s: no limit) are accepted.
func TestE2EFlagRanges(t *testing.T) {
	t.Parallel()
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(5, 11))
	for _, tc := range []struct {
		flag, value string
		code        int
		want        string // in stderr, for a refusal
	}{
		{"--rate", "-1", job.ExitUsage, "--rate -1: want requests per second >= 0"},
		{"--rate", "NaN", job.ExitUsage, "--rate NaN: want"},
		{"--rate", "0", job.ExitOK, ""},
		{"--concurrency", "0", job.ExitUsage, "--concurrency 0: want at least 1"},
		{"--concurrency", "-3", job.ExitUsage, "--concurrency -3: want at least 1"},
		{"-c", "-3", job.ExitUsage, "--concurrency -3: want at least 1"},
		{"--retries", "-1", job.ExitUsage, "--retries -1: want 0 or more"},
		{"--retries", "0", job.ExitOK, ""},
		{"--rows-per-file", "0", job.ExitUsage, "--rows-per-file 0: want at least 1"},
		{"--burst", "0", job.ExitUsage, "--burst 0: want at least 1"},
		{"--timeout", "0s", job.ExitUsage, "--timeout 0s: want a duration > 0"},
		{"--timeout", "-5s", job.ExitUsage, "--timeout -5s: want a duration > 0"},
		{"--max-body", "0", job.ExitUsage, "--max-body 0: want at least 1 byte"},
		{"--max-body", "-1", job.ExitUsage, "--max-body -1: want at least 1 byte"},
		{"--grace", "-1s", job.ExitUsage, "--grace -1s: want a duration >= 0"},
		{"--grace", "0s", job.ExitOK, ""},
		{"--checkpoint-interval", "0s", job.ExitUsage, "--checkpoint-interval 0s: want a duration > 0"},
		{"--max-duration", "-1h", job.ExitUsage, "--max-duration -1h0m0s: want a duration >= 0"},
		{"--max-duration", "0s", job.ExitOK, ""},
		{"--progress-interval", "0s", job.ExitUsage, "--progress-interval 0s: want a duration > 0"},
		{"--progress-interval", "-1s", job.ExitUsage, "--progress-interval -1s: want a duration > 0"},
	} {
		t.Run(strings.TrimLeft(tc.flag, "-")+"="+tc.value, func(t *testing.T) {
			t.Parallel()
			sb := sandbox.StartTest(t, sandbox.Config{})
			root := t.TempDir()
			out := filepath.Join(root, "new", "p.jsonl")
			// --rate 0 comes first in exportArgs; a later --rate wins.
			p := run(t, nil, exportArgs(in, out, sb.URL, tc.flag, tc.value)...)
			p.expectCode(tc.code)
			if tc.code != job.ExitUsage {
				return
			}
			stderr := strings.TrimSpace(p.stderr.String())
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("the message does not say %q:\n%s", tc.want, stderr)
			}
			if n := strings.Count(stderr, "\n") + 1; n != 1 {
				t.Errorf("%d lines on stderr, want one:\n%s", n, stderr)
			}
			if n := sb.Stats().Requests; n != 0 {
				t.Errorf("%d requests sent by a refused run", n)
			}
			checkDirHolds(t, root)
		})
	}
}

// The same checks apply to values from the environment, which name the flag too.
func TestE2EFlagRangesFromEnv(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(5, 12))
	out := filepath.Join(t.TempDir(), "p.jsonl")
	p := run(t, []string{"PROFILE_EXPORT_CONCURRENCY=0"}, exportArgs(in, out, sb.URL)...)
	p.expectCode(job.ExitUsage)
	if !strings.Contains(p.stderr.String(), "--concurrency 0: want at least 1") {
		t.Errorf("the message does not name the flag:\n%s", p.stderr.String())
	}
}

// --file-mode takes octal permissions from 0600 to 0777: the owner must be able to
// read and write the files, which a resume reads back. 0000 was once taken as the
// default 0600 without a word; it is refused like any mode without them, on one
// line naming the flag, before any request and without creating anything.
func TestE2EFileModeRange(t *testing.T) {
	t.Parallel()
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(5, 13))
	const ownerRW = "the owner must be able to read and write the files"
	for _, tc := range []struct {
		name  string
		env   []string
		value string // of --file-mode, unless env sets it
		want  string // in stderr, for a refusal
		mode  os.FileMode
	}{
		{name: "0000", value: "0000", want: "--file-mode 0000: " + ownerRW},
		{name: "0", value: "0", want: "--file-mode 0: " + ownerRW},
		{name: "read only", value: "0400", want: "--file-mode 0400: " + ownerRW},
		{name: "write only", value: "0200", want: "--file-mode 0200: " + ownerRW},
		{name: "owner rx", value: "0500", want: "--file-mode 0500: " + ownerRW},
		{name: "group only", value: "0060", want: "--file-mode 0060: " + ownerRW},
		{name: "0000 from the environment", env: []string{"PROFILE_EXPORT_FILE_MODE=0000"}, want: "--file-mode 0000: " + ownerRW},
		{name: "sticky bit", value: "1600", want: `--file-mode "1600": want octal permissions from 0600 to 0777`},
		{name: "not octal", value: "0o600", want: `--file-mode "0o600": want octal permissions`},
		{name: "0600", value: "0600", mode: 0o600},
		{name: "600", value: "600", mode: 0o600},
		{name: "0640", value: "0640", mode: 0o640},
		{name: "0700", value: "0700", mode: 0o700},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb := sandbox.StartTest(t, sandbox.Config{})
			root := t.TempDir()
			out := filepath.Join(root, "new", "p.jsonl")
			args := exportArgs(in, out, sb.URL)
			if tc.env == nil {
				args = append(args, "--file-mode", tc.value)
			}
			p := run(t, tc.env, args...)
			if tc.want == "" {
				p.expectCode(job.ExitOK)
				for _, f := range []string{out, rejectsPathOf(out)} {
					checkMode(t, f, tc.mode)
				}
				return
			}
			p.expectCode(job.ExitUsage)
			stderr := strings.TrimSpace(p.stderr.String())
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("the message does not say %q:\n%s", tc.want, stderr)
			}
			if n := strings.Count(stderr, "\n") + 1; n != 1 {
				t.Errorf("%d lines on stderr, want one:\n%s", n, stderr)
			}
			if n := sb.Stats().Requests; n != 0 {
				t.Errorf("%d requests sent by a refused run", n)
			}
			checkDirHolds(t, root)
		})
	}
}
