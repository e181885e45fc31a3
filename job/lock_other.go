//go:build !unix

package job

import "context"

// runLock is a no-op where flock(2) does not exist.
type runLock struct{}

func lockOutput(string, func(string, error) error) (*runLock, error) { return &runLock{}, nil }

func lockOutputWait(context.Context, string, func(string, error) error) (*runLock, error) {
	return &runLock{}, nil
}

func (*runLock) release(bool) {}
