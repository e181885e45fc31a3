package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// An output, rejects, staging or lock path that cannot be created or locked is a
// bad command, not a transient failure: exit 2 (which a Kubernetes
// podFailurePolicy does not retry) whatever the errno (ENOTDIR, EACCES, ENOENT
// under /proc, EPERM under /sys, …), before any request, with a message naming
// the flag, its value and the cause, and nothing published.
func TestE2EUnusableOutputPath(t *testing.T) {
	t.Parallel()
	// A case returns the arguments, what the message must say (the flag and its
	// value first), and the paths that must not exist afterwards.
	type setup func(t *testing.T, root string) (args, want, unpublished []string)
	afile := func(t *testing.T, root string) string {
		p := filepath.Join(root, "afile")
		if err := os.WriteFile(p, []byte("not a directory\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	readOnly := func(t *testing.T, root string) string {
		ro := filepath.Join(root, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(ro, 0o755) })
		return ro
	}
	for _, tc := range []struct {
		name    string
		nonRoot bool   // root may write a read-only directory
		needs   string // a directory the case needs (/proc, /sys)
		setup   setup
	}{
		{name: "file-as-directory", setup: func(t *testing.T, root string) ([]string, []string, []string) {
			o := filepath.Join(afile(t, root), "x.jsonl")
			return []string{"-o", o}, []string{"--output " + o, "not a directory"}, nil
		}},
		{name: "file-as-directory-dir-mode", setup: func(t *testing.T, root string) ([]string, []string, []string) {
			o := filepath.Join(afile(t, root), "sub") + "/"
			return []string{"-o", o}, []string{"--output " + o, "not a directory"}, nil
		}},
		{name: "rejects-file-as-directory", setup: func(t *testing.T, root string) ([]string, []string, []string) {
			o, r := filepath.Join(root, "x.jsonl"), filepath.Join(afile(t, root), "r.jsonl")
			return []string{"-o", o, "--rejects", r}, []string{"--rejects " + r, "not a directory"}, []string{o}
		}},
		{name: "read-only-directory", nonRoot: true, setup: func(t *testing.T, root string) ([]string, []string, []string) {
			o := filepath.Join(readOnly(t, root), "n.jsonl")
			return []string{"-o", o}, []string{"--output " + o, "permission denied"}, []string{o}
		}},
		{name: "read-only-rejects-directory", nonRoot: true, setup: func(t *testing.T, root string) ([]string, []string, []string) {
			o, r := filepath.Join(root, "n.jsonl"), filepath.Join(readOnly(t, root), "r.jsonl")
			return []string{"-o", o, "--rejects", r}, []string{"--rejects " + r, "permission denied"}, []string{o, r}
		}},
		{name: "proc-file", needs: "/proc/self", setup: func(t *testing.T, root string) ([]string, []string, []string) {
			return []string{"-o", "/proc/p.jsonl"}, []string{"--output /proc/p.jsonl", "lock file", "no such file or directory"}, []string{"/proc/p.jsonl"}
		}},
		{name: "proc-directory", needs: "/proc/self", setup: func(t *testing.T, root string) ([]string, []string, []string) {
			return []string{"-o", "/proc/profile-export-out/"}, []string{"--output /proc/profile-export-out/", "no such file or directory"}, nil
		}},
		{name: "proc-rejects", needs: "/proc/self", setup: func(t *testing.T, root string) ([]string, []string, []string) {
			o := filepath.Join(root, "x.jsonl")
			return []string{"-o", o, "--rejects", "/proc/r.jsonl"}, []string{"--rejects /proc/r.jsonl", "no such file or directory"}, []string{o, "/proc/r.jsonl"}
		}},
		{name: "sys-file", needs: "/sys/kernel", setup: func(t *testing.T, root string) ([]string, []string, []string) {
			return []string{"-o", "/sys/p.jsonl"}, []string{"--output /sys/p.jsonl", "lock file"}, []string{"/sys/p.jsonl"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.nonRoot && os.Geteuid() == 0 {
				t.Skip("root may write a read-only directory")
			}
			if tc.needs != "" && !fileExists(tc.needs) {
				t.Skipf("no %s here", tc.needs)
			}
			sb := sandbox.StartTest(t, sandbox.Config{})
			root := t.TempDir()
			in := filepath.Join(t.TempDir(), "ids.csv")
			writeCSV(t, in, genRows(20, 13))
			args, want, unpublished := tc.setup(t, root)
			p := run(t, nil, append([]string{"export", "-i", in, "--base-url", sb.URL, "--rate", "0"}, args...)...)
			p.expectCode(job.ExitUsage)
			for _, w := range want {
				if !strings.Contains(p.stderr.String(), w) {
					t.Errorf("the message does not say %q:\n%s", w, p.stderr.String())
				}
			}
			if n := sb.Stats().Requests; n != 0 {
				t.Errorf("%d requests sent although the output cannot be written", n)
			}
			for _, u := range unpublished {
				if fileExists(u) {
					t.Errorf("%s was published", u)
				}
			}
			// Nothing else either: no part, state, staging directory or lock file.
			filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && d.Name() != "afile" {
					t.Errorf("%s left behind", path)
				}
				return nil
			})
		})
	}
}
