package main

import (
	"fmt"
	"os"
	"slices"
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
	tip     string // said before where the usage is, e.g. `did you mean "export"?`
}

func (e *cliError) Error() string { return e.err.Error() }
func (e *cliError) Unwrap() error { return e.err }

// hint says where to read the usage.
func (e *cliError) hint() string {
	h := fmt.Sprintf("run '%s --help' for the usage", e.command)
	if e.tip != "" {
		h = e.tip + " " + h
	}
	return h
}

// unknownCommand is the error of a name that is none of the commands of c,
// suggesting the closest one when it looks like a typo.
func unknownCommand(c *cli.Context, name string) error {
	e := &cliError{err: fmt.Errorf("unknown command %q", name), command: c.Command.HelpName}
	if s := closestCommand(c.Command.Subcommands, name); s != "" {
		e.tip = fmt.Sprintf("did you mean %q?", s)
	}
	return e
}

// closestCommand is the name of a visible command that name is a prefix of, or is
// at most two edits away from (and fewer than half its length), or "".
func closestCommand(cmds []*cli.Command, name string) string {
	best, bestDist := "", 3
	for _, cmd := range cmds {
		if cmd.Hidden {
			continue
		}
		for _, n := range cmd.Names() {
			if len(n) < 2 {
				continue // "h", the alias of help
			}
			d := editDistance(strings.ToLower(name), n)
			if len(name) >= 2 && strings.HasPrefix(n, strings.ToLower(name)) {
				d = 0
			}
			if d < bestDist && 2*d < len(n) {
				best, bestDist = n, d
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// onUsageError makes the flag parsing errors of command cliErrors; a value that
// does not parse as one of flags says what the flag accepts.
func onUsageError(command string, flags []cli.Flag) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		return &cliError{err: explainFlagValue(err, flags), command: command}
	}
}

// checkArgs is the Before of a command: no command takes arguments, which
// urfave/cli would otherwise ignore silently, and then checks more. A subcommand
// given instead ("profile-export export help") runs without the checks.
func checkArgs(command string, more ...cli.BeforeFunc) cli.BeforeFunc {
	return func(c *cli.Context) error {
		args := c.Args().Slice()
		if len(args) > 0 && c.Command.Command(args[0]) != nil {
			return nil
		}
		if len(args) > 0 {
			e := &cliError{err: fmt.Errorf("unexpected argument %q", args[0]), command: command, tip: command + " takes no arguments, only flags;"}
			// urfave/cli reads no flag after the first argument.
			for _, a := range args[1:] {
				if strings.HasPrefix(a, "-") && a != "-" {
					e.tip = fmt.Sprintf("flags after it, from %q on, were not read: %s takes no arguments, only flags;", a, command)
					break
				}
			}
			return e
		}
		for _, f := range more {
			if err := f(c); err != nil {
				return err
			}
		}
		return nil
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

// scanFlag finds the value of the flag name of flags in args, standing in for
// urfave/cli when it did not parse them: the last "--name V" or "--name=V" (one
// dash or two, or an alias) before a "--", also past an argument or a flag that
// does not parse; else the flag's first environment variable that is set. A
// boolean flag given without "=" is "true".
func scanFlag(flags []cli.Flag, args []string, name string) (string, bool) {
	var flag cli.Flag
	for _, f := range flags {
		if f.Names()[0] == name {
			flag = f
		}
	}
	if flag == nil {
		return "", false
	}
	_, isBool := flag.(*cli.BoolFlag)
	val, found := "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		n, v, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		if !slices.Contains(flag.Names(), n) {
			continue
		}
		switch {
		case hasValue:
			val, found = v, true
		case isBool:
			val, found = "true", true
		case i+1 < len(args):
			i++
			val, found = args[i], true
		}
	}
	if found {
		return val, true
	}
	if ev, ok := flag.(interface{ GetEnvVars() []string }); ok {
		for _, e := range ev.GetEnvVars() {
			if v, ok := os.LookupEnv(e); ok {
				return v, true
			}
		}
	}
	return "", false
}
