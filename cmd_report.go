package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/progress"
)

// report writes the export command's own lines on stderr: the final summary, the
// outputs written, the error the run ended with, the notices of signals. In the
// text log format they are the plain "profile-export: …" lines; with --log-format
// json each is one log record in slog's JSON form, so that every line on stderr
// is one JSON object. They are printed whatever --log-level says, as in text.
// Messages never hold the token.
type report struct {
	w    io.Writer
	json *slog.Logger // nil: the text format
	sf   *summaryFile // its token, once read, is redacted from messages
}

// running is the report of the export that runs, for the signal handler; nil
// before the export command starts.
var running atomic.Pointer[report]

// newReport makes the report of the export command from --log-format. A value
// that is not json (an invalid one included, which the run then refuses) gives
// the text format.
func newReport(c *cli.Context, sf *summaryFile) *report {
	rp := &report{w: c.App.ErrWriter, sf: sf}
	if rp.w == nil {
		rp.w = os.Stderr
	}
	if c.String("log-format") == "json" {
		rp.json = slog.New(slog.NewJSONHandler(rp.w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	running.Store(rp)
	return rp
}

// progressMode is the --progress mode to use: with JSON logs, auto means log
// records, not a bar drawn through them, even on a terminal.
func (rp *report) progressMode(m progress.Mode) progress.Mode {
	if rp.json != nil && (m == progress.Auto || m == "") {
		return progress.Log
	}
	return m
}

// print writes text as a "profile-export: " line, or msg and attrs as a record.
func (rp *report) print(level slog.Level, text, msg string, attrs ...any) {
	if rp.json == nil {
		fmt.Fprintln(rp.w, "profile-export:", rp.redact(text))
		return
	}
	for i, a := range attrs {
		if s, ok := a.(string); ok && i%2 == 1 {
			attrs[i] = rp.redact(s)
		}
	}
	rp.json.Log(context.Background(), level, rp.redact(msg), attrs...)
}

func (rp *report) redact(s string) string {
	if rp.sf == nil {
		return s
	}
	return redactToken(rp.sf.token, s)
}

// summary prints the final summary of a run that ran, and the outputs it wrote.
func (rp *report) summary(sum *job.Summary, code int) {
	level := slog.LevelInfo
	if code != job.ExitOK {
		level = slog.LevelWarn
	}
	attrs := []any{
		"rows", sum.Rows, "profiles", sum.Profiles, "rejects", sum.Rows - sum.Profiles,
		"rejects_by_reason", sum.Rejects, "requests", sum.Requests, "retries", sum.Retries,
		"statuses", sum.Statuses, "elapsed", sum.Elapsed.Round(time.Millisecond).String(),
		"rows_per_s", float64(int64(sum.RowsPerS*10+0.5)) / 10,
	}
	if sum.FilteredOut > 0 {
		attrs = append(attrs, "filtered_out", sum.FilteredOut)
	}
	if sum.Skipped > 0 {
		attrs = append(attrs, "resumed_past", sum.Skipped)
	}
	attrs = append(attrs, "completed", sum.Completed, "exit_code", code)
	rp.print(level, sum.Line(), "summary", attrs...)
	if len(sum.Outputs) > 0 {
		rp.print(slog.LevelInfo, "wrote "+strings.Join(sum.Outputs, " and "), "wrote", "outputs", sum.Outputs)
	}
}

// failed prints the error the export command ended with.
func (rp *report) failed(err error, code int) {
	rp.print(slog.LevelError, err.Error(), "export failed", "error", err.Error(), "exit_code", code)
}

// alsoFailed prints a second error: writing --summary failed after the first.
func (rp *report) alsoFailed(err error) {
	rp.print(slog.LevelError, "also: "+err.Error(), "writing the summary file failed too", "error", err.Error())
}

// summaryNotWritten warns that --summary could not be written at the end of a
// run (a full disk): the path was checked before the run, so this is rare. The
// exit code stays the run's (code); when the export completed, its outputs are
// complete and published, which the message says, since the summary's absence
// could suggest otherwise.
func (rp *report) summaryNotWritten(err error, completed bool, code int) {
	text := fmt.Sprintf("warning: %v; only the summary file is missing", err)
	if completed {
		text += ": the outputs are complete and published"
	}
	text += fmt.Sprintf(" (exit code %d is the run's)", code)
	rp.print(slog.LevelWarn, text, "writing the summary file failed", "error", err.Error(), "completed", completed, "exit_code", code)
}

// noticeSignal says that signal s was received: the first time the run stops
// gracefully, the second (again) the process exits at once.
func noticeSignal(s os.Signal, again bool) {
	rp := &report{w: os.Stderr}
	if r := running.Load(); r != nil {
		// Not its summaryFile, which the export goroutine fills in meanwhile: a
		// signal's notice holds no token to redact.
		rp = &report{w: r.w, json: r.json}
	}
	if !again {
		const msg = "finishing requests in flight and saving progress (send it again to exit at once)"
		rp.print(slog.LevelWarn, fmt.Sprintf("%v: %s", s, msg), msg, "signal", s.String())
		return
	}
	advice := job.RerunAdvice(stdinInput.Load())
	rp.print(slog.LevelWarn, fmt.Sprintf("%v again: exiting now; %s", s, advice), "exiting now", "signal", s.String(), "advice", advice)
}
