package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// cliError is a mistake on the command line (an unknown flag, a required flag
// missing), caught before any job ran. main prints it on one line with a hint where
// the usage is, instead of urfave/cli's whole help (some 60 lines, the error under
// them), and exits 2.
type cliError struct {
	err     error
	command string // "profile-export export"
}

func (e *cliError) Error() string { return e.err.Error() }
func (e *cliError) Unwrap() error { return e.err }

// hint says where to read the usage.
func (e *cliError) hint() string { return fmt.Sprintf("run '%s --help' for the usage", e.command) }

// onUsageError makes the flag parsing errors of command cliErrors.
func onUsageError(command string) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		return &cliError{err: err, command: command}
	}
}

// requireFlags checks the flags a command cannot run without. It stands for
// urfave/cli's Required, which prints the whole help before its error. A flag set
// from the environment counts as set.
func requireFlags(command string, names ...string) cli.BeforeFunc {
	return func(c *cli.Context) error {
		var missing []string
		for _, n := range names {
			if !c.IsSet(n) {
				missing = append(missing, "--"+n)
			}
		}
		switch len(missing) {
		case 0:
			return nil
		case 1:
			return &cliError{err: fmt.Errorf("%s is required", missing[0]), command: command}
		}
		return &cliError{err: fmt.Errorf("%s and %s are required", strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1]), command: command}
	}
}
