package job

import (
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/profile-export/profile-export/outpath"
)

// Setting up an output at an unusable path is a usage error (a retry cannot fix
// it); anything else that fails, then or later, stays unexpected.
func TestExitCodeOfSetupErrors(t *testing.T) {
	pathErr := func(errno syscall.Errno) error {
		return fmt.Errorf("output: creating directory: %w", &fs.PathError{Op: "mkdir", Path: "afile", Err: errno})
	}
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"not a directory", &SetupError{Err: pathErr(syscall.ENOTDIR)}, ExitUsage},
		{"permission", &SetupError{Err: pathErr(syscall.EACCES)}, ExitUsage},
		{"read-only", &SetupError{Err: pathErr(syscall.EROFS)}, ExitUsage},
		{"lock held", &SetupError{Err: usageErrorf("lock held")}, ExitUsage},
		{"disk full removing an old run's files", &SetupError{Err: pathErr(syscall.ENOSPC)}, ExitError},
		{"other setup error", &SetupError{Err: fmt.Errorf("saving state: connection reset")}, ExitError},
		{"permission mid-run", pathErr(syscall.EACCES), ExitError},
		{"object storage unreachable at setup", &SetupError{Err: fmt.Errorf("opening the directory s3://lake/x/: %w", syscall.ECONNREFUSED)}, ExitError},
		{"disk full mid-run", pathErr(syscall.ENOSPC), ExitError},
	} {
		if got := ExitCode(nil, tc.err); got != tc.want {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.want)
		}
	}
}

// A local path of the export that cannot be created or locked before any row
// (an *outpath.PathError) is exit 2, unless the disk is full or failing.
func TestExitCodeOfPathErrors(t *testing.T) {
	for errno, want := range map[syscall.Errno]int{syscall.EACCES: ExitUsage, syscall.EROFS: ExitUsage,
		syscall.ENOENT: ExitUsage, syscall.EPERM: ExitUsage, syscall.EINVAL: ExitUsage, syscall.ENOTDIR: ExitUsage,
		syscall.EISDIR: ExitUsage,
		// A full disk or an I/O error: the same command can succeed later, or on another node.
		syscall.ENOSPC: ExitError, syscall.EDQUOT: ExitError, syscall.EIO: ExitError} {
		err := &SetupError{Err: &outpath.PathError{Flag: "--output", Value: "/proc/p.jsonl", What: "lock file",
			Path: "/proc/.p.jsonl.parts.lock", Err: &fs.PathError{Op: "open", Path: "/proc/.p.jsonl.parts.lock", Err: errno}}}
		if got := ExitCode(nil, err); got != want {
			t.Errorf("%v: exit %d, want %d", errno, got, want)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "--output /proc/p.jsonl: cannot create its lock file: open /proc/.p.jsonl.parts.lock: ") {
			t.Errorf("%v: message %q", errno, msg)
		}
	}
}
