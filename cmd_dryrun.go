package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/row"
)

// runDryRun is export --dry-run: it checks the whole input with the run's own
// reading (columns, delimiter, --type, --shard, --dedupe) and prints what it found
// on stdout, without a request and without touching the outputs. With --summary,
// the report is also written there as JSON.
func runDryRun(c *cli.Context, cfg job.Config, sf *summaryFile, rp *report) error {
	rep, err := job.DryRun(c.Context, cfg)
	if rep != nil {
		printDryRun(c.App.Writer, rep, cfg.Shard, err == nil)
		// The report is printed: a summary that cannot be written is a warning,
		// and a dry run still exits 0 or 2.
		if werr := sf.writeDryRun(rep, job.ExitCode(nil, err), err); werr != nil {
			rp.summaryNotWritten(werr, false, job.ExitCode(nil, err))
		}
	}
	// Without a report (the file cannot be opened, its header is wrong), the
	// caller writes the summary of the failure.
	return err
}

func printDryRun(w io.Writer, rep *job.DryRunReport, shard job.Shard, usable bool) {
	size := "size unknown"
	if rep.Size >= 0 {
		size = fmt.Sprintf("%d bytes", rep.Size)
	}
	if rep.Compressed {
		size += ", gzip"
	}
	fmt.Fprintf(w, "input: %s (%s)\n", rep.Input, size)
	if shard.Active() {
		fmt.Fprintf(w, "shard %s: %d rows for this shard, %d left to the others\n", shard, rep.Rows, rep.OtherShards)
	}
	fmt.Fprintf(w, "%-28s %10d\n", "rows:", rep.Rows)
	for _, t := range []row.Type{row.TntID, row.ECID, row.ThirdPartyID} {
		fmt.Fprintf(w, "  %-26s %10d\n", string(t)+":", rep.ByType[t])
	}
	fmt.Fprintf(w, "  %-26s %10d\n", "invalid:", rep.Invalid)
	if rep.FilteredOut > 0 {
		fmt.Fprintf(w, "%-28s %10d\n", "filtered out (--reasons):", rep.FilteredOut)
	}
	if rep.Duplicates > 0 {
		fmt.Fprintf(w, "%-28s %10d\n", "duplicates (--dedupe):", rep.Duplicates)
	}
	if len(rep.FirstInvalid) > 0 {
		fmt.Fprintf(w, "first invalid rows (%d of %d):\n", len(rep.FirstInvalid), rep.Invalid)
		for _, r := range rep.FirstInvalid {
			// %q escapes control characters: a hostile ID cannot drive the terminal.
			fmt.Fprintf(w, "  line %d: %s (type %q, id %q)\n", r.Line, r.Message, clip(r.Type, 40), clip(r.ID, 60))
		}
	}
	switch {
	case !usable:
		fmt.Fprintln(w, "the input is NOT usable (see the error)")
	case rep.Invalid > 0:
		fmt.Fprintln(w, "the input is usable: its invalid rows will go to the rejects file as invalid_row")
	default:
		fmt.Fprintln(w, "the input is usable")
	}
}

// clip shortens s to n characters for display.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func (sf *summaryFile) writeDryRun(rep *job.DryRunReport, code int, err error) error {
	return sf.put(func() any {
		return struct {
			DryRun bool `json:"dry_run"`
			*job.DryRunReport
			Completed bool   `json:"completed"`
			ExitCode  int    `json:"exit_code"`
			Error     string `json:"error,omitempty"`
		}{true, rep, err == nil, code, sf.errorText(err)}
	})
}
