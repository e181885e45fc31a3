package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// An output that cannot be created or locked is a bad command, not a transient
// failure: exit 2 (which a Kubernetes podFailurePolicy does not retry), before any
// request, with a message naming the path.
func TestE2EUnusableOutputPath(t *testing.T) {
	t.Parallel()
	type setup func(t *testing.T, root string) (args []string, want string)
	afile := func(t *testing.T, root string) string {
		p := filepath.Join(root, "afile")
		if err := os.WriteFile(p, []byte("not a directory\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name    string
		nonRoot bool
		setup   setup
	}{
		{name: "file-as-directory", setup: func(t *testing.T, root string) ([]string, string) {
			return []string{"-o", filepath.Join(afile(t, root), "x.jsonl")}, "not a directory"
		}},
		{name: "file-as-directory-dir-mode", setup: func(t *testing.T, root string) ([]string, string) {
			return []string{"-o", filepath.Join(afile(t, root), "sub") + "/"}, "not a directory"
		}},
		{name: "rejects-file-as-directory", setup: func(t *testing.T, root string) ([]string, string) {
			return []string{"-o", filepath.Join(root, "x.jsonl"), "--rejects", filepath.Join(afile(t, root), "r.jsonl")}, "not a directory"
		}},
		{name: "read-only-directory", nonRoot: true, setup: func(t *testing.T, root string) ([]string, string) {
			ro := filepath.Join(root, "ro")
			if err := os.Mkdir(ro, 0o555); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(ro, 0o755) })
			return []string{"-o", filepath.Join(ro, "n.jsonl")}, "permission denied"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.nonRoot && os.Geteuid() == 0 {
				t.Skip("root may write a read-only directory")
			}
			sb := sandbox.StartTest(t, sandbox.Config{})
			root := t.TempDir()
			in := filepath.Join(t.TempDir(), "ids.csv")
			writeCSV(t, in, genRows(20, 13))
			args, want := tc.setup(t, root)
			p := run(t, nil, append([]string{"export", "-i", in, "--base-url", sb.URL, "--rate", "0"}, args...)...)
			p.expectCode(job.ExitUsage)
			if !strings.Contains(p.stderr.String(), want) {
				t.Errorf("the message does not say %q:\n%s", want, p.stderr.String())
			}
			if n := sb.Stats().Requests; n != 0 {
				t.Errorf("%d requests sent although the output cannot be written", n)
			}
		})
	}
}
