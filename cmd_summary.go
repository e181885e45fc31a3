package main

// The --summary file: the run's outcome as JSON, for schedulers that read a file
// rather than stderr. It is written once, whatever ends the run, even a refused
// command line or a second signal.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/writer"
)

// summaryFile is --summary: where the JSON summary of the run goes, once.
type summaryFile struct {
	path    string
	dryRun  bool
	refused bool         // path is a file of the export: nothing is written there
	token   fetch.Secret // kept out of the error message, whatever it says

	mu      sync.Mutex // held while writing: a second signal may write meanwhile
	written bool       // a summary is written: the first one stays
}

// runningSummary is the --summary of the running export, once its flags are
// read, for writeSummaryAtExit.
var runningSummary atomic.Pointer[summaryFile]

// put writes the summary that v makes, unless a summary is written already or
// there is none to write.
func (sf *summaryFile) put(v func() any) error {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	if sf.path == "" || sf.refused || sf.written {
		return nil
	}
	sf.written = true
	return writeJSONFile(sf.path, v())
}

// check refuses a --summary path that is a file the export reads or writes.
func (sf *summaryFile) check(cfg job.Config) error {
	if sf.path == "" {
		return nil
	}
	for _, f := range job.Files(cfg) {
		if job.SamePath(sf.path, f) {
			sf.refused = true
			return &job.UsageError{Err: fmt.Errorf("--summary %s is a file the export reads or writes: choose another path", sf.path)}
		}
	}
	if job.InsideOutput(cfg, sf.path) {
		sf.refused = true
		return &job.UsageError{Err: fmt.Errorf("--summary %s is inside the export's output, where its parts, manifest and state are: choose a path outside it", sf.path)}
	}
	return nil
}

// probe checks, before any request, that the summary can be written at the end,
// so that a bad --summary path is not found only after the outputs are
// published: the path must not be a directory, and its directory must be one
// that can be created and written in (a temporary file is created in it and
// removed at once). The directory is left created, as the summary will need it.
// A path that cannot be used is refused, as the paths of the outputs are (exit
// 2, or 1 for a full disk or an I/O error, which may pass), and nothing is
// written there.
func (sf *summaryFile) probe() error {
	if sf.path == "" || sf.refused {
		return nil
	}
	refuse := func(err error) error {
		sf.refused = true
		return err
	}
	if strings.HasSuffix(sf.path, "/") || strings.HasSuffix(sf.path, string(filepath.Separator)) {
		return refuse(&job.UsageError{Err: fmt.Errorf("--summary %s names a directory: want the path of a file, such as %s", sf.path, filepath.Join(sf.path, "summary.json"))})
	}
	if fi, err := os.Stat(sf.path); err == nil && fi.IsDir() {
		return refuse(&job.UsageError{Err: fmt.Errorf("--summary %s is a directory: want the path of a file, such as %s", sf.path, filepath.Join(sf.path, "summary.json"))})
	}
	dir := filepath.Dir(sf.path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return refuse(&job.SetupError{Err: fmt.Errorf("--summary %s: cannot create its directory: %w", sf.path, err)})
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(sf.path)+".probe-*")
	if err != nil {
		return refuse(&job.SetupError{Err: fmt.Errorf("--summary %s: cannot write in its directory %s: %w", sf.path, dir, err)})
	}
	f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return refuse(&job.SetupError{Err: fmt.Errorf("--summary %s: cannot remove a file from its directory %s: %w", sf.path, dir, err)})
	}
	return nil
}

// errorText is err's message for the summary, without the token.
func (sf *summaryFile) errorText(err error) string {
	if err == nil {
		return ""
	}
	return redactToken(sf.token, err.Error())
}

// redactToken replaces tok in s by "[token]": the command's own messages and the
// summary may quote a flag value or an error that holds it.
func redactToken(tok fetch.Secret, s string) string {
	if tok == "" {
		return s
	}
	return strings.ReplaceAll(s, string(tok), "[token]")
}

// write writes the summary of a run that ran (err is how it ended, or nil).
func (sf *summaryFile) write(sum *job.Summary, code int, err error) error {
	return sf.put(func() any { return summaryJSON(sum, code, sf.errorText(err)) })
}

// writeFailure writes the summary of a run that stopped before it had one: only
// "completed": false, the exit code and the error.
func (sf *summaryFile) writeFailure(err error, code int) error {
	return sf.put(func() any {
		return struct {
			DryRun    bool   `json:"dry_run,omitempty"`
			Completed bool   `json:"completed"`
			ExitCode  int    `json:"exit_code"`
			Error     string `json:"error"`
		}{sf.dryRun, false, code, sf.errorText(err)}
	})
}

// writeSummaryAtExit writes the failure summary of the running export, which a
// second signal ends at once, unless it has written its summary already. It waits
// at most d: the process exits right after, and a write cut short leaves only a
// temporary file (writeJSONFile renames it into place).
func writeSummaryAtExit(err error, code int, d time.Duration) {
	sf := runningSummary.Load()
	if sf == nil {
		return
	}
	done := make(chan error, 1)
	go func() { done <- sf.writeFailure(err, code) }()
	select {
	case werr := <-done:
		if werr != nil {
			fmt.Fprintln(os.Stderr, "profile-export: also:", werr)
		}
	case <-time.After(d):
		fmt.Fprintf(os.Stderr, "profile-export: also: --summary %s: not written within %s\n", sf.path, d)
	}
}

// writeUsageSummary writes the failure summary of an export whose command line was
// refused before its action ran (flags that do not parse, a required flag
// missing, an unexpected argument), as any other usage error writes it. Its
// flags are not parsed then: --summary, and the files it must not name, are
// found in args as written, or in the environment.
func writeUsageSummary(args []string, err error, code int) error {
	get := func(name string) string { v, _ := scanFlag(exportFlags(), args, name); return v }
	sf := &summaryFile{path: get("summary"), token: fetch.Secret(lookupEnv("TARGET_PROFILE_TOKEN"))}
	if sf.path == "" {
		return nil
	}
	sf.dryRun, _ = strconv.ParseBool(get("dry-run"))
	if cerr := sf.check(job.Config{
		Input:   get("input"),
		Output:  get("output"),
		Rejects: get("rejects"),
		Format:  writer.Format(strings.ToLower(get("format"))),
	}); cerr != nil {
		return cerr
	}
	return sf.writeFailure(err, code)
}

// summaryJSON is what --summary writes: the summary, the exit code and the error
// the run ended with, if any.
func summaryJSON(sum *job.Summary, code int, errText string) any {
	return struct {
		*job.Summary
		ExitCode int    `json:"exit_code"`
		Error    string `json:"error,omitempty"`
	}{sum, code, errText}
}

// writeJSONFile writes v as indented JSON to path, atomically (a reader never sees
// half a file), creating its directory: --summary may name one per run, which
// nothing else creates (a dry run creates no output directory).
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("--summary: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("--summary: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("--summary: %w", err)
	}
	return nil
}
