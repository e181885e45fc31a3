package main

// Values that do not parse as their flag's type. urfave/cli (through Go's flag
// package) says `invalid value "abc" for flag -rate: parse error`, or for an
// environment variable `could not parse "abc" as float64 value from environment
// variable … : strconv.ParseFloat: …`: neither says what the flag accepts. Such
// errors are rewritten, as the range checks of checkRanges word theirs, into
// `--rate "abc": want a number of requests per second (0 = unlimited)`.

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/urfave/cli/v2"
)

// flagAccepts says what the numeric, duration and boolean flags of the commands
// accept, for the flags whose type alone does not say enough.
var flagAccepts = map[string]string{
	"concurrency":         "a whole number of requests in flight, at least 1",
	"rate":                "a number of requests per second (0 = unlimited)",
	"burst":               "a whole number of requests, at least 1",
	"retries":             "a whole number of retries, 0 or more (0: no retry)",
	"timeout":             "a duration with a unit, such as 30s or 2m (> 0)",
	"max-body":            "a whole number of bytes, at least 1, such as 4194304",
	"rows-per-file":       "a whole number of rows, at least 1",
	"checkpoint-interval": "a duration with a unit, such as 1m or 30s (> 0)",
	"max-duration":        "a duration with a unit, such as 6h or 90m (0: no limit)",
	"grace":               "a duration with a unit, such as 10s (0: abandon the requests in flight at once)",
	"progress-interval":   "a duration with a unit, such as 30s (> 0)",
	"shard-index":         "a whole number, 0 to --shard-count minus 1",
	"shard-count":         "a whole number of shards (0 or 1: none)",
}

// acceptsByType says what a flag accepts from its type alone.
func acceptsByType(f cli.Flag) string {
	switch f.(type) {
	case *cli.IntFlag, *cli.Int64Flag:
		return "a whole number"
	case *cli.UintFlag, *cli.Uint64Flag:
		return "a whole number, 0 or more"
	case *cli.Float64Flag:
		return "a number"
	case *cli.DurationFlag:
		return "a duration with a unit, such as 500ms, 30s, 5m or 1h30m"
	case *cli.BoolFlag:
		return "true or false"
	}
	return ""
}

// flagValueError is a value that does not parse as its flag's type.
type flagValueError struct {
	flag    string // the flag's name, without dashes
	value   string
	env     string // the environment variable it came from, or ""
	accepts string // what the flag accepts
	err     error  // urfave/cli's error
}

func (e *flagValueError) Error() string {
	from := ""
	if e.env != "" {
		from = " (from " + e.env + ")"
	}
	return fmt.Sprintf("--%s %q%s: want %s", e.flag, e.value, from, e.accepts)
}

func (e *flagValueError) Unwrap() error { return e.err }

var (
	// Go's flag package: `invalid value "abc" for flag -rate: parse error`, and
	// for a boolean flag `invalid boolean value "x" for -sandbox: parse error`.
	badFlagValue = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-{1,2}([\w-]+): `)
	// urfave/cli, for a value from the environment.
	badEnvValue = regexp.MustCompile(`^could not parse ("(?:[^"\\]|\\.)*") as \w+ value from environment variable "([^"]*)" for flag ([\w-]+): `)
)

// explainFlagValue rewrites err when it says that a value of one of flags does
// not parse, into a flagValueError; any other error is returned as it is.
func explainFlagValue(err error, flags []cli.Flag) error {
	var quoted, name, env string
	if m := badFlagValue.FindStringSubmatch(err.Error()); m != nil {
		quoted, name = m[1], m[2]
	} else if m := badEnvValue.FindStringSubmatch(err.Error()); m != nil {
		quoted, env, name = m[1], m[2], m[3]
	} else {
		return err
	}
	value, uerr := strconv.Unquote(quoted)
	if uerr != nil {
		return err
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			main := f.Names()[0]
			accepts, ok := flagAccepts[main]
			if !ok {
				accepts = acceptsByType(f)
			}
			if accepts == "" {
				return err
			}
			return &flagValueError{flag: main, value: value, env: env, accepts: accepts, err: err}
		}
	}
	return err
}
