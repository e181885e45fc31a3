package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

// version and commit are set at build time with
// -ldflags "-X main.version=… -X main.commit=…"; otherwise they are read from the
// build information Go records.
var (
	version = ""
	commit  = ""
)

func versionString() string {
	info, _ := debug.ReadBuildInfo()
	return formatVersion(version, commit, info)
}

// formatVersion renders "VERSION (commit COMMIT, GOVERSION)". What -ldflags stamped
// wins (scripts/build stamps both); else the build information Go records: the
// module version of a `go install …@v1.2.3`, and the commit of a `go build` in a git
// checkout, "-dirty" when it had uncommitted changes (Go records none with
// -buildvcs=false, then the commit is unknown).
func formatVersion(version, commit string, info *debug.BuildInfo) string {
	v, c := version, commit
	if info != nil {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		var rev string
		var dirty bool
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if c == "" && rev != "" {
			c = rev[:min(12, len(rev))]
			if dirty {
				c += "-dirty"
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("%s (commit %s, %s)", v, c, runtime.Version())
}

// printVersion prints what both `version` and `--version` print.
func printVersion(c *cli.Context) {
	fmt.Fprintln(c.App.Writer, c.App.Name, c.App.Version)
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:         "version",
		Usage:        "print the version, commit and Go version",
		Before:       checkArgs("profile-export version"),
		OnUsageError: onUsageError("profile-export version", nil),
		Action: func(c *cli.Context) error {
			cli.ShowVersion(c) // the same line as --version
			return nil
		},
	}
}
