// Command profile-export exports visitor profiles from the Adobe Target Profile API:
// it reads IDs from a CSV file, fetches each profile through a rate-limited worker
// pool, and writes JSON Lines or Parquet plus a rejects file.
//
// This file only wires the command line; the work is done by package job.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/profile-export/profile-export/job"
)

// envPrefix prefixes the environment variable of every flag.
const envPrefix = "PROFILE_EXPORT_"

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	notifySignals(cancel)

	var res result
	app := newApp(&res)
	err := app.RunContext(ctx, os.Args)
	if err == nil {
		err = res.usage
	}
	if err != nil && res.err == nil {
		// An error from the command line itself, before any job ran.
		var exitErr cli.ExitCoder
		if errors.As(err, &exitErr) {
			os.Exit(exitErr.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "profile-export:", err)
		var cliErr *cliError
		if errors.As(err, &cliErr) {
			fmt.Fprintln(os.Stderr, cliErr.hint())
			if cliErr.command == exportPath {
				// A scheduler that reads only --summary learns of bad flags too.
				if werr := writeUsageSummary(os.Args[1:], err, job.ExitUsage); werr != nil {
					fmt.Fprintln(os.Stderr, "profile-export: also:", werr)
				}
			}
		}
		os.Exit(job.ExitUsage)
	}
	os.Exit(res.code)
}

// result is what a subcommand hands back to main for the exit code.
type result struct {
	code int
	err  error
	// usage is a command-line mistake that urfave/cli reports to nobody: an
	// unknown command, which it hands to App.CommandNotFound without a way to fail.
	usage error
}

func newApp(res *result) *cli.App {
	// --version prints what the version command prints (urfave/cli's own says
	// "NAME version VERSION").
	cli.VersionPrinter = printVersion
	return &cli.App{
		Name:                 "profile-export",
		Usage:                "export visitor profiles from the Adobe Target Profile API to JSON Lines or Parquet",
		Version:              versionString(),
		EnableBashCompletion: true,
		Commands: []*cli.Command{
			exportCommand(res),
			sandboxCommand(),
			versionCommand(),
		},
		OnUsageError: onUsageError("profile-export", nil),
		// "profile-export expor" and "profile-export help expor" both end here;
		// urfave/cli's own answer exits 3, which the job's exit codes give to failed rows.
		CommandNotFound: func(c *cli.Context, name string) { res.usage = unknownCommand(c, name) },
	}
}

// stdinInput is set when the running export reads stdin, for the advice printed
// when a second signal ends the process.
var stdinInput atomic.Bool

// notifySignals cancels the root context on the first SIGINT or SIGTERM, so the job
// stops gracefully and resumably; a second signal exits at once. The state on disk is
// always resumable, because it is only ever replaced atomically.
func notifySignals(cancel context.CancelCauseFunc) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		noticeSignal(s, false)
		cancel(&job.SignalError{Signal: s})
		s = <-sigs
		noticeSignal(s, true)
		err := fmt.Errorf("%w again: exited at once, without waiting for the requests in flight; %s", &job.SignalError{Signal: s}, job.RerunAdvice(stdinInput.Load()))
		code := job.ExitCode(nil, err)
		writeSummaryAtExit(err, code, time.Second)
		os.Exit(code)
	}()
}
