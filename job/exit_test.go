package job

import (
	"fmt"
	"io/fs"
	"syscall"
	"testing"
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
		{"disk full at setup", &SetupError{Err: pathErr(syscall.ENOSPC)}, ExitError},
		{"other setup error", &SetupError{Err: fmt.Errorf("saving state: connection reset")}, ExitError},
		{"permission mid-run", pathErr(syscall.EACCES), ExitError},
		{"disk full mid-run", pathErr(syscall.ENOSPC), ExitError},
	} {
		if got := ExitCode(nil, tc.err); got != tc.want {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.want)
		}
	}
}
