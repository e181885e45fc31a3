//go:build unix

package job

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// runLock keeps two processes from writing the same output at once (say, a cron
// run that overlaps the previous night's). It is an advisory flock(2) on a file
// beside the output, released by the kernel when the process dies, kill -9
// included, so a crashed run never leaves a stale lock behind.
type runLock struct {
	f *os.File
}

// lockOutput creates and locks the lock file at path ("" for none). fail makes the
// error of an operation ("create", "lock") that failed.
func lockOutput(path string, fail func(op string, err error) error) (*runLock, error) {
	if path == "" {
		return &runLock{}, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fail("create", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, usageErrorf("another profile-export is writing this output right now (lock %s is held); wait for it to finish", path)
		}
		return nil, fail("lock", fmt.Errorf("flock %s: %w", path, err))
	}
	return &runLock{f: f}, nil
}

// release unlocks; with remove, the lock file is deleted first (while still held,
// so no other process can have locked it in between).
func (l *runLock) release(remove bool) {
	if l.f == nil {
		return
	}
	if remove {
		_ = os.Remove(l.f.Name())
	}
	_ = l.f.Close()
}
