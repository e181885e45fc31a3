package outpath

import (
	"fmt"
	"strings"
)

// PathError says that a local path of an export — the directory of --output or
// --rejects, or the staging directory, lock file or state file beside the output
// — could not be created, locked or written in before any row was processed.
// For most causes (no permission, a read-only file system, a file where a
// directory should be, a path under /proc or /sys), running the same command
// again cannot help: the command or the file system must change, so the job
// exits 2 for it; a full disk or an I/O error stays exit 1, which a later retry
// can fix (see job.ExitCode). Failures once rows are being written are not
// PathErrors.
type PathError struct {
	Flag  string // the flag the path comes from: "--output" or "--rejects"
	Value string // the flag's value, as given (expanded, without a URL's query)
	What  string // what could not be made: "directory", "staging directory", "lock file", "state file"
	Path  string // where
	Op    string // "create" when empty, or "lock", "write in"
	Err   error
}

func (e *PathError) Error() string {
	op := e.Op
	if op == "" {
		op = "create"
	}
	cause := e.Err.Error()
	if e.Path != "" && !strings.Contains(cause, e.Path) {
		cause = e.Path + ": " + cause
	}
	return fmt.Sprintf("%s %s: cannot %s its %s: %s", e.Flag, e.Value, op, e.What, cause)
}

func (e *PathError) Unwrap() error { return e.Err }
