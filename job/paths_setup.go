package job

import (
	"context"
	"errors"
	"fmt"

	"github.com/profile-export/profile-export/outpath"
)

// pathError marks err, a failure to create, lock or write in a local path of the
// export before any row is processed, as an *outpath.PathError naming the flag
// the path comes from, which ExitCode maps to exit 2 whatever the errno. A usage
// error (the lock is held by another run) keeps its own message.
func (l *layout) pathError(rejects bool, what, path, op string, err error) error {
	var usage *UsageError
	if errors.As(err, &usage) {
		return err
	}
	flag, value := "--output", l.display
	if rejects && l.rejectsDisplay != "" {
		flag, value = "--rejects", l.rejectsDisplay
	}
	return &outpath.PathError{Flag: flag, Value: value, What: what, Path: path, Op: op, Err: err}
}

// placeError is the error of opening the store over p: a PathError for a local
// directory; for object storage, whose failures (a network error, credentials)
// a later run may not meet, the error as it is.
func (l *layout) placeError(p place, rejects bool, what string, err error) error {
	if p.remote() {
		return fmt.Errorf("opening the %s %s: %w", what, p, err)
	}
	return l.pathError(rejects, what, p.dir, "", err)
}

// stateError is the error of saving the first state of a run, before any row.
func (l *layout) stateError(err error) error {
	if l.outDir.remote() {
		return fmt.Errorf("saving the state %s: %w", l.statePath(), err)
	}
	return l.pathError(false, "state file", l.statePath(), "", err)
}

// probeRejects checks, before any row is fetched, that files can be created in
// the rejects directory when it is a local one other than the output's: nothing
// is written there before the first part is committed (directory mode) or the
// run ends (single-file mode), so a read-only directory would otherwise fail the
// run only then, after hours of fetching. The probe is a temporary file of the
// rejects' own name, which a later run's cleanTemp removes should this one die
// before removing it.
func (l *layout) probeRejects(ctx context.Context) error {
	if l.rejectsDir.remote() || l.sameRejectsDir() {
		return nil
	}
	name := l.rejectsName
	if l.dirMode {
		name = l.rejectsPart(0)
	}
	f, err := l.rejects.Create(ctx, name)
	if err != nil {
		return l.pathError(true, "directory", l.rejectsDir.dir, "write in", err)
	}
	_ = f.Abort()
	return nil
}
