package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// failureSummary is what --summary holds after a run that stopped early.
type failureSummary struct {
	DryRun    bool    `json:"dry_run"`
	Completed *bool   `json:"completed"`
	ExitCode  *int    `json:"exit_code"`
	Error     *string `json:"error"`
}

// readFailureSummary reads the --summary at path that p, which stopped early with
// exit code code, wrote, and checks what every such summary says: that exit code,
// "completed": false, an error, dry_run as given, and never the token. It
// returns the error and the file's bytes for the caller's own checks.
func readFailureSummary(t *testing.T, p *proc, path string, code int, dryRun bool, token string) (string, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no summary written: %v\nstderr:\n%s", err, p.stderr.String())
	}
	var sum failureSummary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if sum.ExitCode == nil || *sum.ExitCode != code {
		t.Errorf("exit_code is not %d:\n%s", code, b)
	}
	if sum.Completed == nil || *sum.Completed {
		t.Errorf(`"completed" is not false:\n%s`, b)
	}
	if sum.DryRun != dryRun {
		t.Errorf("dry_run is %v:\n%s", sum.DryRun, b)
	}
	if token != "" && strings.Contains(string(b), token) {
		t.Errorf("the summary holds the token:\n%s", b)
	}
	if sum.Error == nil {
		t.Fatalf("the summary has no error:\n%s", b)
	}
	return *sum.Error, b
}

// A run that stops before any request (an unusable input, a dry run of one) still
// writes its --summary, with the exit code and the error, so that a scheduler
// reading only the file learns why. The token is never in it.
func TestE2ESummaryOfEarlyFailures(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	const token = "s3cr3t-token-in-env"
	for _, tc := range []struct {
		name    string
		input   string // content of the input file
		dryRun  bool
		wantErr string
	}{
		{"empty file", "", false, "empty"},
		{"bad header", "foo,bar\n1,2\n", false, `no "id" column`},
		{"dry run of an empty file", "", true, "empty"},
		{"dry run of a bad header", "foo,bar\n1,2\n", true, `no "id" column`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			in := filepath.Join(dir, "ids.csv")
			os.WriteFile(in, []byte(tc.input), 0o600)
			sumPath := filepath.Join(dir, "sum", "summary.json")
			args := exportArgs(in, filepath.Join(dir, "out", "p.jsonl"), sb.URL, "--summary", sumPath)
			if tc.dryRun {
				args = append(args, "--dry-run")
			}
			p := run(t, []string{"TARGET_PROFILE_TOKEN=" + token}, args...)
			p.expectCode(job.ExitUsage)
			if msg, b := readFailureSummary(t, p, sumPath, job.ExitUsage, tc.dryRun, token); !strings.Contains(msg, tc.wantErr) {
				t.Errorf("error does not say %q:\n%s", tc.wantErr, b)
			}
		})
	}
}

// A command line of export that is refused before the export starts (flags that do
// not parse, a required flag missing, an argument) writes its --summary as any other
// usage error does, with --summary found on the command line (past the flag that
// did not parse, in either form) or in PROFILE_EXPORT_SUMMARY; nothing else is
// written, no request is sent, and the token is not in the file.
func TestE2ESummaryOfRefusedCommandLines(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	const token = "s3cr3t-token-in-env"
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(5, 71))
	for _, tc := range []struct {
		name    string
		env     []string
		args    []string // after export; {out} and {sum} stand for the output and the summary
		wantErr string   // the first line on stderr, after "profile-export: ", and the summary's error
		dryRun  bool
	}{
		{"unknown flag", nil, []string{"-i", in, "-o", "{out}", "--summary", "{sum}", "--bogus"}, "flag provided but not defined: -bogus", false},
		{"unparsable number", nil, []string{"-i", in, "-o", "{out}", "--summary", "{sum}", "--rate", "abc"}, `--rate "abc": want a number of requests per second (0 = unlimited)`, false},
		{"--summary after the bad flag", nil, []string{"-i", in, "-o", "{out}", "--bogus", "--summary", "{sum}"}, "flag provided but not defined: -bogus", false},
		{"--summary=PATH", nil, []string{"-i", in, "-o", "{out}", "--rate", "abc", "--summary={sum}"}, `--rate "abc": want a number of requests per second (0 = unlimited)`, false},
		{"PROFILE_EXPORT_SUMMARY", []string{"PROFILE_EXPORT_SUMMARY={sum}"}, []string{"-i", in, "-o", "{out}", "--rate", "abc"}, `--rate "abc": want a number of requests per second (0 = unlimited)`, false},
		{"dry run", nil, []string{"--dry-run", "-i", in, "-o", "{out}", "--summary", "{sum}", "--bogus"}, "flag provided but not defined: -bogus", true},
		{"the token as a value", nil, []string{"-i", in, "-o", "{out}", "--summary", "{sum}", "--rate", token}, `--rate "[token]": want a number of requests per second (0 = unlimited)`, false},
		{"missing --output", nil, []string{"-i", in, "--summary", "{sum}"}, "--output is required", false},
		{"an argument", nil, []string{"-i", in, "-o", "{out}", "--summary", "{sum}", "extra"}, `unexpected argument "extra"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			sumPath := filepath.Join(root, "sum", "summary.json")
			subst := func(s string) string {
				s = strings.ReplaceAll(s, "{sum}", sumPath)
				return strings.ReplaceAll(s, "{out}", filepath.Join(root, "out", "p.jsonl"))
			}
			args := []string{"export", "--base-url", sb.URL}
			for _, a := range tc.args {
				args = append(args, subst(a))
			}
			env := []string{"TARGET_PROFILE_TOKEN=" + token}
			for _, e := range tc.env {
				env = append(env, subst(e))
			}
			p := run(t, env, args...)
			p.expectCode(job.ExitUsage)
			if first, _, _ := strings.Cut(p.stderr.String(), "\n"); first != "profile-export: "+strings.ReplaceAll(tc.wantErr, "[token]", token) {
				t.Errorf("stderr does not start with the error %q:\n%s", tc.wantErr, p.stderr.String())
			}
			if msg, b := readFailureSummary(t, p, sumPath, job.ExitUsage, tc.dryRun, token); msg != tc.wantErr {
				t.Errorf("error is not %q:\n%s", tc.wantErr, b)
			}
			checkDirHolds(t, root, "sum")
			checkDirHolds(t, filepath.Dir(sumPath), "summary.json")
		})
	}
	if n := sb.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent by refused command lines", n)
	}
}

// A --summary that names a file of the export is refused also when the flags do
// not parse: the file is left as it is, and stderr says why no summary was written.
func TestE2ESummaryOfRefusedCommandLineIsNotTheInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "ids.csv")
	writeCSV(t, in, genRows(5, 72))
	before, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	p := run(t, nil, "export", "-i", in, "-o", filepath.Join(dir, "p.jsonl"), "--bogus", "--summary", in)
	p.expectCode(job.ExitUsage)
	if !strings.Contains(p.stderr.String(), "--summary "+in+" is a file the export reads or writes") {
		t.Errorf("stderr does not say why no summary was written:\n%s", p.stderr.String())
	}
	if after, _ := os.ReadFile(in); string(after) != string(before) {
		t.Errorf("the input was changed:\n%s", after)
	}
	checkDirHolds(t, dir, "ids.csv")
}
