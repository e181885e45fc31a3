package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// A file of only blank lines is refused as one without a header, not as "empty":
// whoever opens it sees lines, and would look for another cause. A truly empty
// file is still called empty.
func TestE2EBlankLinesOnlyInput(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	for _, tc := range []struct {
		name, content, want string
	}{
		{"blank lines", "\n\n   \n\r\n", "the file has no header: it holds only blank lines (4)"},
		{"empty", "", "the file is empty"},
	} {
		for _, dryRun := range []bool{false, true} {
			name := tc.name
			if dryRun {
				name += ", dry run"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				root := t.TempDir()
				in := filepath.Join(root, "ids.csv")
				os.WriteFile(in, []byte(tc.content), 0o600)
				args := exportArgs(in, filepath.Join(root, "p.jsonl"), sb.URL)
				if dryRun {
					args = append(args, "--dry-run")
				}
				p := run(t, nil, args...)
				p.expectCode(job.ExitUsage)
				stderr := p.stderr.String()
				if !strings.Contains(stderr, tc.want) {
					t.Errorf("stderr does not say %q:\n%s", tc.want, stderr)
				}
				if tc.content != "" && strings.Contains(stderr, "empty") {
					t.Errorf("a file of blank lines is called empty:\n%s", stderr)
				}
			})
		}
	}
}
