package job

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/outpath"
	"github.com/profile-export/profile-export/reader"
	"github.com/profile-export/profile-export/row"
)

// Exit codes of profile-export. ExitCode is the one place that maps outcomes to them.
const (
	ExitOK       = 0   // every row reached a profile, not_found, invalid_row or duplicate
	ExitError    = 1   // an unexpected error (I/O, disk full, a bug): see the message
	ExitUsage    = 2   // bad flags, an unusable input file or a state conflict; nothing was fetched
	ExitFailed   = 3   // the run completed but some rows failed: re-run the rejects later
	ExitFatal    = 4   // the API refused the credentials (401/403): fix the token, then --resume
	ExitStopped  = 5   // stopped early by --max-failures or --max-duration: run again with --resume
	ExitSIGINT   = 130 // interrupted by SIGINT; resumable with --resume
	ExitSIGTERM  = 143 // terminated by SIGTERM; resumable with --resume
	exitSigsBase = 128
)

// UsageError is a problem with the flags, the input file or an existing state that
// stops the job before any request.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// SetupError is an error setting up the output location (creating its directories,
// locking it, opening or creating its state), or checking that the --summary file
// can be written, before any row is processed. A local
// path that cannot be created, locked or written in is an *outpath.PathError in it,
// which ExitCode reports as a usage error whatever the errno: running again cannot
// fix it. Of the other setup errors (removing what an earlier run left, opening
// object storage), those whose cause is the path itself (a file where a directory
// should be, no permission, a read-only file system) are usage errors too; the
// rest (a network error of object storage) stay unexpected ones, which a retry
// may fix.
type SetupError struct{ Err error }

func (e *SetupError) Error() string { return e.Err.Error() }
func (e *SetupError) Unwrap() error { return e.Err }

// unusablePath reports whether err says a path cannot be used as it is, rather
// than failing for a reason that may pass.
// transientIO reports a full disk, an exceeded quota or an I/O error: a retry
// (after space is freed, or on another node) can succeed with the same command,
// so these stay unexpected errors (exit 1, retried by a Job's podFailurePolicy)
// even where they stop the creation of a path.
func transientIO(err error) bool {
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EIO} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

func unusablePath(err error) bool {
	if errors.Is(err, fs.ErrPermission) {
		return true // EACCES, EPERM
	}
	for _, errno := range []syscall.Errno{syscall.ENOTDIR, syscall.EISDIR, syscall.EROFS, syscall.ENAMETOOLONG, syscall.ELOOP} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

// SignalError is the cause a signal handler gives when it cancels the job's context.
type SignalError struct{ Signal os.Signal }

func (e *SignalError) Error() string { return fmt.Sprintf("interrupted by %v", e.Signal) }

// Reasons a run stops early, resumably.
var (
	ErrMaxDuration = errors.New("--max-duration reached")
	ErrMaxFailures = errors.New("--max-failures reached: the API looks unhealthy")
)

// StoppedError says the run stopped before the end of its input and left a state
// that --resume continues from (unless the input was stdin, which cannot be resumed).
type StoppedError struct {
	Cause error
	State string // where the state is, for the message
	Stdin bool   // the input was stdin: the advice is --restart
}

func (e *StoppedError) Error() string {
	if e.Stdin {
		return fmt.Sprintf("stopped before the end: %v; %s (state: %s)", e.Cause, RerunAdvice(true), e.State)
	}
	return fmt.Sprintf("stopped before the end: %v; everything complete is saved, %s (state: %s)", e.Cause, RerunAdvice(false), e.State)
}

// IsStdin reports whether an --input value means stdin.
func IsStdin(input string) bool { return input == "-" }

// RerunAdvice says how to continue a run that stopped early: --resume, or when it
// read stdin, which cannot be checked to be the same data again, --restart.
func RerunAdvice(stdin bool) string {
	if stdin {
		return "a run from stdin cannot be resumed (stdin cannot be checked to be the same data): run again with --restart and the whole input to start over"
	}
	return "run again with --resume to continue"
}
func (e *StoppedError) Unwrap() error { return e.Cause }

// ExitCode maps the outcome of Run to the process exit code.
func ExitCode(sum *Summary, err error) int {
	var (
		usage  *UsageError
		header *reader.HeaderError
		auth   *fetch.AuthError
		sig    *SignalError
		setup  *SetupError
		path   *outpath.PathError
	)
	switch {
	case err == nil && sum != nil && sum.Rejects[row.Failed] > 0:
		return ExitFailed
	case err == nil:
		return ExitOK
	case errors.As(err, &sig):
		if s, ok := sig.Signal.(syscall.Signal); ok {
			return exitSigsBase + int(s)
		}
		return ExitSIGINT
	case errors.As(err, &auth):
		return ExitFatal
	case errors.Is(err, ErrMaxDuration), errors.Is(err, ErrMaxFailures):
		return ExitStopped
	case errors.As(err, &usage), errors.As(err, &header):
		return ExitUsage
	case errors.As(err, &path) && !transientIO(err):
		return ExitUsage // a path of the export cannot be created or locked: no retry can fix it
	case errors.As(err, &setup) && unusablePath(setup.Err):
		return ExitUsage // a bad --output or --rejects path: no retry can fix it
	default:
		return ExitError
	}
}
