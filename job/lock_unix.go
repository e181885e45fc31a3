//go:build unix

package job

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
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
	for {
		lk, err := tryLock(path, fail)
		if errors.Is(err, errLockHeld) {
			return nil, usageErrorf("another profile-export is writing this output right now (lock %s is held); wait for it to finish", path)
		}
		if lk != nil || err != nil {
			return lk, err
		}
	}
}

// lockOutputWait is lockOutput waiting, while ctx lasts, for the lock to be free
// instead of refusing.
func lockOutputWait(ctx context.Context, path string, fail func(op string, err error) error) (*runLock, error) {
	if path == "" {
		return &runLock{}, nil
	}
	for {
		lk, err := tryLock(path, fail)
		if lk != nil || err != nil && !errors.Is(err, errLockHeld) {
			return lk, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the lock %s: %w", path, context.Cause(ctx))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

var errLockHeld = errors.New("lock held")

// tryLock locks path once: errLockHeld when another process holds it, nil and
// nil when the file it locked was removed meanwhile (try again).
func tryLock(path string, fail func(op string, err error) error) (*runLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fail("create", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLockHeld
		}
		return nil, fail("lock", fmt.Errorf("flock %s: %w", path, err))
	}
	// A holder releasing with remove deletes the file while holding it: a lock
	// won on the file it deleted keeps nobody out, as whoever comes next creates
	// a new one. Only a lock on the file now at path counts.
	held, err1 := f.Stat()
	now, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(held, now) {
		f.Close()
		return nil, nil
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
