package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// A usage error prints the error and where to read the usage, not the whole help
// (whose 60 lines pushed the error out of sight), and exits 2.
func TestE2EUsageErrorsAreShort(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
		hint string
	}{
		{"missing input", nil, []string{"export", "-o", "p.jsonl"}, "--input is required", "profile-export export --help"},
		{"missing output", nil, []string{"export", "-i", "ids.csv"}, "--output is required", "profile-export export --help"},
		{"missing both", nil, []string{"export"}, "--input and --output are required", "profile-export export --help"},
		{"input from the environment", []string{"PROFILE_EXPORT_INPUT=ids.csv"}, []string{"export"}, "--output is required", "profile-export export --help"},
		{"unknown flag of export", nil, []string{"export", "-i", "a", "-o", "b", "--bogus"}, "flag provided but not defined: -bogus", "profile-export export --help"},
		{"unknown flag of sandbox", nil, []string{"sandbox", "--bogus"}, "flag provided but not defined: -bogus", "profile-export sandbox --help"},
		{"unknown global flag", nil, []string{"--bogus"}, "flag provided but not defined: -bogus", "profile-export --help"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := run(t, tc.env, tc.args...)
			p.expectCode(job.ExitUsage)
			stderr := p.stderr.String()
			if !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "run '"+tc.hint+"'") {
				t.Errorf("stderr lacks %q or the hint %q:\n%s", tc.want, tc.hint, stderr)
			}
			if n := strings.Count(stderr, "\n"); n > 2 {
				t.Errorf("stderr has %d lines, want the error and the hint:\n%s", n, stderr)
			}
			if out := p.stdout.String(); out != "" {
				t.Errorf("stdout is not empty:\n%s", out)
			}
		})
	}
}

// checkOneLineUsageError checks what every refused command line gives: exit 2, on
// stderr the error on one line and the hint on the next, which holds each of hint,
// and nothing on stdout.
func checkOneLineUsageError(t *testing.T, p *proc, line string, hint ...string) {
	t.Helper()
	p.expectCode(job.ExitUsage)
	lines := strings.Split(strings.TrimSuffix(p.stderr.String(), "\n"), "\n")
	if len(lines) != 2 || lines[0] != line {
		t.Fatalf("stderr is not the line %q and a hint:\n%s", line, p.stderr.String())
	}
	for _, h := range hint {
		if !strings.Contains(lines[1], h) {
			t.Errorf("the hint lacks %q: %s", h, lines[1])
		}
	}
	if out := p.stdout.String(); out != "" {
		t.Errorf("stdout is not empty:\n%s", out)
	}
}

// A mistyped or unknown command is a usage error (exit 2, not urfave/cli's 3, the
// code of failed rows), named on one line with the command it looks like, and runs
// nothing.
func TestE2EUnknownCommand(t *testing.T) {
	t.Parallel()
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(5, 41))
	const usage = "run 'profile-export --help' for the usage"
	for _, tc := range []struct {
		name    string
		args    []string
		line    string
		suggest string // "" when no command is close
	}{
		{"typo of export", []string{"expor"}, `profile-export: unknown command "expor"`, "export"},
		{"typo of export with its flags", []string{"exprot", "-i", in, "-o", "OUT"}, `profile-export: unknown command "exprot"`, "export"},
		{"typo of sandbox", []string{"sandbx"}, `profile-export: unknown command "sandbx"`, "sandbox"},
		{"capitalized", []string{"Export"}, `profile-export: unknown command "Export"`, "export"},
		{"nothing close", []string{"bogus"}, `profile-export: unknown command "bogus"`, ""},
		{"help of a typo", []string{"help", "expor"}, `profile-export: unknown command "expor"`, "export"},
		{"help of nothing close", []string{"help", "bogus"}, `profile-export: unknown command "bogus"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			args := append([]string(nil), tc.args...)
			for i, a := range args {
				if a == "OUT" {
					args[i] = filepath.Join(root, "p.jsonl")
				}
			}
			p := run(t, nil, args...)
			if tc.suggest == "" {
				checkOneLineUsageError(t, p, tc.line, usage)
				if strings.Contains(p.stderr.String(), "did you mean") {
					t.Errorf("a suggestion for a name close to no command:\n%s", p.stderr.String())
				}
			} else {
				checkOneLineUsageError(t, p, tc.line, `did you mean "`+tc.suggest+`"?`, usage)
			}
			checkDirHolds(t, root)
		})
	}
}

// Help, asked in any of the usual ways, is printed on stdout and exits 0.
func TestE2EHelpExitsZero(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string // in the help
	}{
		{"no arguments", nil, "profile-export - export visitor profiles"},
		{"--help", []string{"--help"}, "profile-export - export visitor profiles"},
		{"help", []string{"help"}, "profile-export - export visitor profiles"},
		{"help export", []string{"help", "export"}, "profile-export export - export the profiles"},
		{"export --help", []string{"export", "--help"}, "profile-export export - export the profiles"},
		{"export help", []string{"export", "help"}, "profile-export export - export the profiles"},
		{"help sandbox", []string{"help", "sandbox"}, "profile-export sandbox - serve"},
		{"version --help", []string{"version", "--help"}, "profile-export version - print"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := run(t, nil, tc.args...)
			p.expectCode(job.ExitOK)
			if out := p.stdout.String(); !strings.Contains(out, tc.want) || !strings.Contains(out, "USAGE:") {
				t.Errorf("stdout is not the help saying %q:\n%s", tc.want, out)
			}
			if s := p.stderr.String(); s != "" {
				t.Errorf("stderr is not empty:\n%s", s)
			}
		})
	}
}

// No command takes arguments: one given is refused (exit 2) rather than ignored,
// before any request and without writing anything. urfave/cli reads no flag after
// an argument; the hint then says so, rather than that the flags are missing.
func TestE2EUnexpectedArguments(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, genRows(5, 42))
	for _, tc := range []struct {
		name string
		args []string // OUT stands for the output path
		line string
		hint []string
	}{
		{"after the flags of export", exportArgs(in, "OUT", sb.URL, "extra"), `profile-export: unexpected argument "extra"`,
			[]string{"profile-export export takes no arguments, only flags;", "run 'profile-export export --help' for the usage"}},
		{"before the flags of export", append([]string{"export", "extra"}, exportArgs(in, "OUT", sb.URL)[1:]...), `profile-export: unexpected argument "extra"`,
			[]string{`flags after it, from "-i" on, were not read`, "run 'profile-export export --help' for the usage"}},
		{"an input path without -i", []string{"export", in, "-o", "OUT", "--base-url", sb.URL}, `profile-export: unexpected argument "` + in + `"`,
			[]string{`from "-o" on, were not read`}},
		{"after --", append(exportArgs(in, "OUT", sb.URL), "--", "-x"), `profile-export: unexpected argument "-x"`,
			[]string{"profile-export export takes no arguments"}},
		{"of version", []string{"version", "foo"}, `profile-export: unexpected argument "foo"`,
			[]string{"run 'profile-export version --help' for the usage"}},
		{"of sandbox", []string{"sandbox", "--listen", "127.0.0.1:0", "foo"}, `profile-export: unexpected argument "foo"`,
			[]string{"run 'profile-export sandbox --help' for the usage"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			args := append([]string(nil), tc.args...)
			for i, a := range args {
				if a == "OUT" {
					args[i] = filepath.Join(root, "p.jsonl")
				}
			}
			p := run(t, nil, args...)
			checkOneLineUsageError(t, p, tc.line, tc.hint...)
			checkDirHolds(t, root)
		})
	}
	if n := sb.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent by refused command lines", n)
	}
}
