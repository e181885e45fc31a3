package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/metrics"
	"github.com/profile-export/profile-export/progress"
	"github.com/profile-export/profile-export/reader"
	"github.com/profile-export/profile-export/row"
	"github.com/profile-export/profile-export/writer"
)

// env lists the environment variables of a flag: PROFILE_EXPORT_<NAME> first, then
// any extra (historical or Adobe-style) names.
func env(name string, extra ...string) []string {
	return append([]string{envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))}, extra...)
}

func exportFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Usage: "CSV of IDs (header row; columns id and type); `PATH` (required), - for stdin; .gz read transparently; a rejects .jsonl file re-runs its rows", EnvVars: env("input")},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "profiles `PATH` (required): a .jsonl, .jsonl.gz or .parquet file, or a directory (ending in /) for numbered parts, a manifest and _SUCCESS", EnvVars: env("output")},
		&cli.StringFlag{Name: "rejects", Usage: "rejects `PATH` (default: <output stem>.rejects.jsonl beside the output; in directory mode, the output directory)", EnvVars: env("rejects")},
		&cli.StringFlag{Name: "format", Usage: "jsonl or parquet, instead of the output's extension", EnvVars: env("format")},
		&cli.StringFlag{Name: "client", Usage: "Target client `CODE`: host https://CODE.tt.omtrdc.net and ?client=CODE", EnvVars: env("client", "TARGET_CLIENT_CODE")},
		&cli.StringFlag{Name: "base-url", Usage: "API base `URL` instead of https://<client>.tt.omtrdc.net (proxies, tests)", EnvVars: env("base-url", "TARGET_BASE_URL")},
		&cli.StringFlag{Name: "token-file", Usage: "file holding the profile authentication token, sent as Authorization: Bearer (or set TARGET_PROFILE_TOKEN)", EnvVars: env("token-file")},
		&cli.StringFlag{Name: "id-column", Value: reader.DefaultIDColumn, Usage: "header name of the ID column", EnvVars: env("id-column")},
		&cli.StringFlag{Name: "type-column", Value: reader.DefaultTypeColumn, Usage: "header name of the ID type column", EnvVars: env("type-column")},
		&cli.StringFlag{Name: "type", Usage: "every row is of this ID type (tntId, marketingCloudVisitorId/ecid, thirdPartyId); the file may then have only an id column", EnvVars: env("type")},
		&cli.StringFlag{Name: "delimiter", Value: ",", Usage: "field separator of the CSV: , ; tab (\\t or tab) or |", EnvVars: env("delimiter")},
		&cli.StringSliceFlag{Name: "reasons", Value: cli.NewStringSlice(string(row.Failed)), Usage: "when the input is a rejects file: re-run only rows rejected for these reasons (not_found, invalid_row, failed, duplicate), or all", EnvVars: env("reasons")},
		&cli.IntFlag{Name: "concurrency", Aliases: []string{"c"}, Value: job.DefaultConcurrency, Usage: "requests in flight at once (at least 1)", EnvVars: env("concurrency")},
		&cli.Float64Flag{Name: "rate", Value: job.DefaultRate, Usage: "requests per second for the whole job, all shards together (token bucket; 0 = no limit; not negative). The default stays under Adobe's 1,000,000 fetches a day", EnvVars: env("rate")},
		&cli.IntFlag{Name: "burst", Value: job.DefaultBurst, Usage: "token bucket size of --rate (at least 1)", EnvVars: env("burst")},
		&cli.IntFlag{Name: "retries", Value: fetch.DefaultRetries, Usage: "retries of a row after 429, 5xx, timeouts and connection errors (0: no retry)", EnvVars: env("retries")},
		&cli.DurationFlag{Name: "timeout", Value: fetch.DefaultTimeout, Usage: "timeout of one request, body included (> 0)", EnvVars: env("timeout")},
		&cli.Int64Flag{Name: "max-body", Value: fetch.DefaultMaxBody, Usage: "largest answer accepted, in bytes (at least 1); a larger one fails the row", EnvVars: env("max-body")},
		&cli.StringFlag{Name: "ca-file", Usage: "PEM file of extra CA certificates to trust (corporate proxies); certificates are always verified", EnvVars: env("ca-file")},
		&cli.BoolFlag{Name: "edge-routing", Value: true, Usage: "send tntIds with a location hint (….28_0) to mboxedge28.tt.omtrdc.net, as Adobe's SDK does", EnvVars: env("edge-routing")},
		&cli.BoolFlag{Name: "sandbox", Usage: "export from the built-in simulated Target API on a loopback port (no client code, token or network needed)", EnvVars: env("sandbox")},
		&cli.BoolFlag{Name: "resume", Usage: "continue the unfinished run whose state is beside the output (same input and flags); starts anew if there is none", EnvVars: env("resume")},
		&cli.BoolFlag{Name: "restart", Usage: "discard the state and parts of an unfinished run and start over", EnvVars: env("restart")},
		&cli.BoolFlag{Name: "overwrite", Usage: "replace existing final outputs", EnvVars: env("overwrite")},
		&cli.IntFlag{Name: "rows-per-file", Value: job.DefaultRowsPerFile, Usage: "rows of one part file (at least 1); a part is also the unit of checkpointing", EnvVars: env("rows-per-file")},
		&cli.DurationFlag{Name: "checkpoint-interval", Value: job.DefaultCheckpointInterval, Usage: "commit the current part at least this often (> 0)", EnvVars: env("checkpoint-interval")},
		&cli.DurationFlag{Name: "max-duration", Usage: "stop gracefully (resumable, exit 5) after this long, e.g. 6h for a cron window (0: no limit)", EnvVars: env("max-duration")},
		&cli.StringFlag{Name: "max-failures", Usage: "stop (resumable, exit 5) once this many rows failed, or this share of rows (e.g. 5%)", EnvVars: env("max-failures")},
		&cli.DurationFlag{Name: "grace", Value: job.DefaultGrace, Usage: "how long requests in flight may finish after a stop (0: abandon them at once)", EnvVars: env("grace")},
		&cli.BoolFlag{Name: "dedupe", Usage: "fetch each (type, id) once; later lines of it are rejected as duplicate, naming the first line", EnvVars: env("dedupe")},
		&cli.StringFlag{Name: "file-mode", Value: "0600", Usage: "permissions of the files written (octal, 0600 to 0777; the owner must read and write them); profiles are personal data", EnvVars: env("file-mode")},
		&cli.StringFlag{Name: "shard", Usage: "process only shard `K/N` of the rows, chosen by a hash of (type, id), so N processes split one input; --rate stays the total of all shards. Takes precedence over --shard-index", EnvVars: env("shard")},
		&cli.IntFlag{Name: "shard-index", Usage: "this process's shard, 0 to --shard-count minus 1 (a Kubernetes Indexed Job sets JOB_COMPLETION_INDEX in each pod)", EnvVars: env("shard-index", "JOB_COMPLETION_INDEX")},
		&cli.IntFlag{Name: "shard-count", Usage: "how many shards split the rows (0 or 1: no sharding)", EnvVars: env("shard-count")},
		&cli.BoolFlag{Name: "dry-run", Usage: "read and check the whole input, print the rows per type and the first invalid rows, and exit without a request and without touching the outputs (exit 0: usable, 2: not)", EnvVars: env("dry-run")},
		&cli.StringFlag{Name: "summary", Usage: "write the final summary as JSON to `PATH`", EnvVars: env("summary")},
		&cli.StringFlag{Name: "progress", Value: string(progress.Auto), Usage: "auto (a live bar on a terminal, else log lines), bar, log or none", EnvVars: env("progress")},
		&cli.DurationFlag{Name: "progress-interval", Value: progress.DefaultInterval, Usage: "time between progress log lines and between metrics pushes (> 0)", EnvVars: env("progress-interval")},
		&cli.StringFlag{Name: "pushgateway", Usage: "push the run's metrics to this Prometheus Pushgateway `URL` every --progress-interval and at the end (user:password@ in it is sent as basic auth)", EnvVars: env("pushgateway")},
		&cli.StringFlag{Name: "pushgateway-job", Value: metrics.DefaultJob, Usage: "job label of the pushed metrics", EnvVars: env("pushgateway-job")},
		&cli.StringSliceFlag{Name: "pushgateway-label", Usage: "more grouping labels of the pushed metrics, `NAME=VALUE` (repeat, or comma-separate); shard=K is added when sharded", EnvVars: env("pushgateway-label")},
		&cli.StringFlag{Name: "log-format", Value: "text", Usage: "text or json", EnvVars: env("log-format")},
		&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error", EnvVars: env("log-level")},
	}
}

// exportPath is the export command as its usage errors name it.
const exportPath = "profile-export export"

func exportCommand(res *result) *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "export the profiles of the IDs in a CSV file",
		UsageText: "profile-export export -i ids.csv -o profiles.parquet [--client CODE | --sandbox] [options]",
		Flags:     exportFlags(),
		// --input and --output are required; Before checks them, so that a missing
		// one gets its error and a hint rather than the whole help.
		Before:       checkArgs(exportPath, requireFlags(exportPath, "input", "output")),
		OnUsageError: onUsageError(exportPath, exportFlags()),
		Action: func(c *cli.Context) error {
			tuneGC()
			sf := &summaryFile{path: c.String("summary"), dryRun: c.Bool("dry-run")}
			rp := newReport(c, sf)
			sum, err := runExport(c, sf, rp)
			res.code, res.err = job.ExitCode(sum, err), err
			if err != nil {
				rp.failed(err, res.code)
				// A run that stopped before it had a summary (an unusable input, a
				// state conflict) still leaves one, for schedulers that read only it.
				if werr := sf.writeFailure(err, res.code); werr != nil {
					rp.alsoFailed(werr)
				}
			}
			return err
		},
	}
}

func runExport(c *cli.Context, sf *summaryFile, rp *report) (*job.Summary, error) {
	// --summary must not overwrite a file of the export, also not with the summary
	// of a refused run: it is checked first, from the flags alone.
	if err := sf.check(job.Config{
		Input:   c.String("input"),
		Output:  c.String("output"),
		Rejects: c.String("rejects"),
		Format:  writer.Format(strings.ToLower(c.String("format"))),
	}); err != nil {
		return nil, err
	}
	if err := sf.probe(); err != nil {
		return nil, err
	}
	mode, err := progress.ParseMode(c.String("progress"))
	if err != nil {
		return nil, &job.UsageError{Err: fmt.Errorf("--progress: %w", err)}
	}
	if err := checkRanges(c); err != nil {
		return nil, &job.UsageError{Err: err}
	}
	rep := progress.New(progress.Config{Mode: rp.progressMode(mode), Out: c.App.ErrWriter, Interval: c.Duration("progress-interval")})
	defer rep.Finish()
	// While the bar is drawn, log records are printed above it, not through it.
	logger, err := newLogger(c, rep.LogWriter())
	if err != nil {
		return nil, &job.UsageError{Err: err}
	}
	rep.SetLogger(logger)
	cfg, err := exportConfig(c, logger)
	sf.token = cfg.Fetch.Token
	if err != nil {
		return nil, &job.UsageError{Err: err}
	}
	runningSummary.Store(sf)
	warnFormatMismatch(cfg, logger)
	warnRejectsExtension(cfg, logger)
	stdinInput.Store(job.IsStdin(cfg.Input))
	if c.Bool("dry-run") {
		return nil, runDryRun(c, cfg, sf, rp)
	}
	pusher, err := newPusher(c, cfg.Shard, logger)
	if err != nil {
		return nil, &job.UsageError{Err: err}
	}
	sum, err := runJob(c, cfg, rep, pusher, logger)
	rep.Finish() // the bar is cleared before the summary line
	if sum != nil {
		code := job.ExitCode(sum, err)
		rp.summary(sum, code)
		// The outputs are final by now: a summary that cannot be written (a full
		// disk) is a warning, and the exit code stays the run's, since a retry
		// would find the outputs published and be refused.
		if werr := sf.write(sum, code, err); werr != nil {
			rp.summaryNotWritten(werr, sum.Completed, code)
		}
	}
	if pusher != nil {
		// Also after a stop or a signal: that is when the final push matters most.
		if perr := pusher.Finish(context.WithoutCancel(c.Context), sum, job.ExitCode(sum, err)); perr != nil {
			logger.Warn("the final push of metrics failed", "err", perr)
		}
	}
	return sum, err
}

// runJob starts the sandbox when asked, wires progress and metrics to the job and
// runs it.
func runJob(c *cli.Context, cfg job.Config, rep *progress.Reporter, pusher *metrics.Pusher, logger *slog.Logger) (*job.Summary, error) {
	if c.Bool("sandbox") {
		if c.IsSet("base-url") || c.IsSet("client") {
			// Not an error: TARGET_CLIENT_CODE may well be set in the user's shell.
			logger.Warn("--sandbox exports from the built-in simulator: --client and --base-url (or TARGET_CLIENT_CODE, TARGET_BASE_URL) are ignored")
		}
		srv, err := sandbox.Start("127.0.0.1:0", sandbox.Config{})
		if err != nil {
			return nil, fmt.Errorf("starting the sandbox: %w", err)
		}
		defer srv.Close()
		cfg.Fetch.BaseURL = srv.URL
		cfg.Fetch.ClientCode = sandbox.DefaultClientCode
		if !c.IsSet("rate") {
			// The default rate protects Adobe's daily limit; the simulator has none.
			cfg.Rate = -1
		}
		logger.Info("exporting from the built-in sandbox (simulated Target API)", "url", srv.URL)
	} else if cfg.Fetch.ClientCode == "" && cfg.Fetch.BaseURL == "" {
		return nil, &job.UsageError{Err: fmt.Errorf("say which Target client to export from: --client CODE (or TARGET_CLIENT_CODE), or --sandbox to try it on the built-in simulator")}
	}
	cfg.ProgressInterval = c.Duration("progress-interval")
	if rep.Mode() != progress.None {
		cfg.ProgressInterval = rep.Interval()
		cfg.OnProgress = rep.Update
	}
	if pusher != nil {
		show := cfg.OnProgress
		cfg.OnProgress = func(s job.Snapshot) {
			if show != nil {
				show(s)
			}
			pusher.Observe(s)
		}
		cfg.Fetch.OnAttempt = pusher.ObserveAttempt
		pusher.Start(c.Context)
		logger.Info("pushing metrics", "pushgateway", pusher.URL(), "every", c.Duration("progress-interval").String())
	}
	return job.Run(c.Context, cfg)
}

// newPusher makes the metrics pusher of --pushgateway, or nil without it.
func newPusher(c *cli.Context, shard job.Shard, logger *slog.Logger) (*metrics.Pusher, error) {
	if c.String("pushgateway") == "" {
		return nil, nil
	}
	grouping := map[string]string{}
	for _, kv := range c.StringSlice("pushgateway-label") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--pushgateway-label %q: want NAME=VALUE", kv)
		}
		grouping[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if shard.Active() {
		grouping["shard"] = strconv.Itoa(shard.Index)
	}
	p, err := metrics.New(metrics.Config{
		URL:      c.String("pushgateway"),
		Job:      c.String("pushgateway-job"),
		Grouping: grouping,
		Interval: c.Duration("progress-interval"),
		Logger:   logger,
	})
	if err != nil {
		return nil, fmt.Errorf("--pushgateway: %w", err)
	}
	return p, nil
}

// checkRanges refuses numbers and durations outside their flag's range, naming the
// flag, the value and what is allowed. The job treats a zero or negative value as
// "use the default" (or "no limit"), which a user who typed it would not expect: a
// value given is either meaningful or refused, never quietly replaced.
func checkRanges(c *cli.Context) error {
	atLeast := func(name string, min int64, unit string) error {
		var v int64
		if name == "max-body" {
			v = c.Int64(name)
		} else {
			v = int64(c.Int(name))
		}
		switch {
		case v < 0 && min == 0:
			return fmt.Errorf("--%s %d: want 0 or more%s", name, v, unit)
		case v < min:
			return fmt.Errorf("--%s %d: want at least %d%s", name, v, min, unit)
		}
		return nil
	}
	positive := func(name string) error {
		if d := c.Duration(name); d <= 0 {
			return fmt.Errorf("--%s %s: want a duration > 0, e.g. %s", name, d, exampleDuration[name])
		}
		return nil
	}
	notNegative := func(name, zero string) error {
		if d := c.Duration(name); d < 0 {
			return fmt.Errorf("--%s %s: want a duration >= 0 (0: %s)", name, d, zero)
		}
		return nil
	}
	rate := func() error {
		if r := c.Float64("rate"); r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
			return fmt.Errorf("--rate %v: want requests per second >= 0 (0: no limit)", r)
		}
		return nil
	}
	for _, err := range []error{
		atLeast("concurrency", 1, ""),
		rate(),
		atLeast("burst", 1, ""),
		atLeast("retries", 0, " (0: no retry)"),
		positive("timeout"),
		atLeast("max-body", 1, " byte"),
		atLeast("rows-per-file", 1, ""),
		positive("checkpoint-interval"),
		notNegative("max-duration", "no limit"),
		notNegative("grace", "requests in flight are abandoned at once"),
		positive("progress-interval"),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// exampleDuration is a sensible value of each duration flag, for messages.
var exampleDuration = map[string]string{"timeout": "30s", "checkpoint-interval": "1m", "progress-interval": "30s"}

func exportConfig(c *cli.Context, logger *slog.Logger) (job.Config, error) {
	cfg := job.Config{
		Input:              c.String("input"),
		Output:             c.String("output"),
		Rejects:            c.String("rejects"),
		Format:             writer.Format(strings.ToLower(c.String("format"))),
		Concurrency:        c.Int("concurrency"),
		Rate:               c.Float64("rate"),
		Burst:              c.Int("burst"),
		RowsPerFile:        c.Int("rows-per-file"),
		CheckpointInterval: c.Duration("checkpoint-interval"),
		Resume:             c.Bool("resume"),
		Restart:            c.Bool("restart"),
		Overwrite:          c.Bool("overwrite"),
		MaxDuration:        c.Duration("max-duration"),
		Grace:              c.Duration("grace"),
		Dedupe:             c.Bool("dedupe"),
		Logger:             logger,
		Args:               recordedArgs(c),
	}
	if cfg.Rate == 0 {
		cfg.Rate = -1 // the job's zero means "default"; the flag's 0 means "no limit"
	}
	switch cfg.Format {
	case "", writer.JSONL, writer.Parquet:
	default:
		// Checked here, before the warnings that read the format (and a dry run,
		// which opens no output).
		return cfg, fmt.Errorf("--format %q: want jsonl or parquet", c.String("format"))
	}
	if cfg.Resume && cfg.Restart {
		return cfg, fmt.Errorf("--resume and --restart exclude each other")
	}
	cfg.Reader = reader.Config{IDColumn: c.String("id-column"), TypeColumn: c.String("type-column")}
	if t := c.String("type"); t != "" {
		typ, err := row.ParseType(t)
		if err != nil {
			return cfg, fmt.Errorf("--type: %w", err)
		}
		cfg.Reader.Type = typ
	}
	comma, err := parseDelimiter(c.String("delimiter"))
	if err != nil {
		return cfg, err
	}
	cfg.Reader.Comma = comma
	if cfg.Reader.Reasons, err = parseReasons(c.StringSlice("reasons")); err != nil {
		return cfg, err
	}
	cfg.ReasonsGiven = c.IsSet("reasons")
	if cfg.FileMode, err = parseFileMode(c.String("file-mode")); err != nil {
		return cfg, err
	}
	if cfg.Shard, err = parseShard(c); err != nil {
		return cfg, err
	}
	if err := parseMaxFailures(c.String("max-failures"), &cfg); err != nil {
		return cfg, err
	}
	token, err := readToken(c.String("token-file"))
	if err != nil {
		return cfg, err
	}
	cfg.Fetch = fetch.Config{
		BaseURL:            c.String("base-url"),
		ClientCode:         c.String("client"),
		Token:              token,
		Retries:            c.Int("retries"),
		Timeout:            c.Duration("timeout"),
		MaxBody:            c.Int64("max-body"),
		CAFile:             c.String("ca-file"),
		DisableEdgeRouting: !c.Bool("edge-routing"),
	}
	if c.Int("retries") == 0 {
		cfg.Fetch.Retries = -1 // the flag's 0 means "no retry"
	}
	if c.Duration("grace") == 0 {
		cfg.Grace = -1 // the job's zero means "default"; the flag's 0 means "none"
	}
	return cfg, nil
}

// warnFormatMismatch warns when --format contradicts the output file's extension
// (-o x.parquet --format jsonl): the format asked for is written, but whoever opens
// the file by its name will be misled. Not an error: the user said so.
func warnFormatMismatch(cfg job.Config, logger *slog.Logger) {
	if cfg.Format == "" || strings.HasSuffix(cfg.Output, "/") {
		return
	}
	name := cfg.Output
	if i := strings.IndexAny(name, "?#"); i >= 0 && strings.Contains(name, "://") {
		name = name[:i] // a URL's query configures the bucket
	}
	ext, _, err := writer.FormatFromPath(name)
	if err != nil || ext == cfg.Format {
		return
	}
	logger.Warn(fmt.Sprintf("--format %s writes %s into %s, whose extension says %s", cfg.Format, cfg.Format, filepath.Base(name), ext))
}

// parseFileMode reads --file-mode: octal permission bits (0 to 0777) that let the
// owner read and write, as a resume reads back the parts and the state it wrote,
// and --overwrite replaces them. (The job's zero would mean its default, 0600.)
func parseFileMode(s string) (os.FileMode, error) {
	mode, err := strconv.ParseUint(s, 8, 32)
	if err != nil || mode > 0o777 {
		return 0, fmt.Errorf("--file-mode %q: want octal permissions from 0600 to 0777, such as 0600 or 0640", s)
	}
	if mode&0o600 != 0o600 {
		return 0, fmt.Errorf("--file-mode %s: the owner must be able to read and write the files (a resume reads them back): want 0600 to 0777, such as 0600 or 0640", s)
	}
	return os.FileMode(mode), nil
}

// readToken takes the token from --token-file, else from TARGET_PROFILE_TOKEN. It is
// never put on the command line, where ps would show it.
func readToken(path string) (fetch.Secret, error) {
	if path == "" {
		return fetch.Secret(strings.TrimSpace(os.Getenv("TARGET_PROFILE_TOKEN"))), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("--token-file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("--token-file %s is empty", path)
	}
	return fetch.Secret(tok), nil
}

func parseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "", ",":
		return ',', nil
	case "\\t", "tab", "\t":
		return '\t', nil
	case ";", "|":
		return rune(s[0]), nil
	}
	return 0, fmt.Errorf("--delimiter %q: want , ; tab or |", s)
}

// parseShard reads --shard K/N, else --shard-index and --shard-count. An index
// without a count is refused: in an Indexed Job that forgot --shard-count, every
// pod would otherwise export every row.
func parseShard(c *cli.Context) (job.Shard, error) {
	var s job.Shard
	if v := c.String("shard"); v != "" {
		if c.IsSet("shard-count") {
			return s, fmt.Errorf("--shard %s and --shard-count exclude each other", v)
		}
		k, n, ok := strings.Cut(v, "/")
		var errK, errN error
		s.Index, errK = strconv.Atoi(strings.TrimSpace(k))
		s.Count, errN = strconv.Atoi(strings.TrimSpace(n))
		if !ok || errK != nil || errN != nil || s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
			return job.Shard{}, fmt.Errorf("--shard %q: want K/N with 0 <= K < N, e.g. 0/4", v)
		}
		return s, nil
	}
	s.Index, s.Count = c.Int("shard-index"), c.Int("shard-count")
	switch {
	case s.Count < 0:
		return job.Shard{}, fmt.Errorf("--shard-count %d: want a positive count", s.Count)
	case s.Count == 0 && s.Index != 0:
		return job.Shard{}, fmt.Errorf("--shard-index %d (or JOB_COMPLETION_INDEX) needs --shard-count: without it every process would export every row", s.Index)
	case s.Count > 0 && (s.Index < 0 || s.Index >= s.Count):
		return job.Shard{}, fmt.Errorf("--shard-index %d is out of range for --shard-count %d (0 to %d)", s.Index, s.Count, s.Count-1)
	}
	if s.Count <= 1 {
		return job.Shard{}, nil
	}
	return s, nil
}

func parseMaxFailures(s string, cfg *job.Config) error {
	if s == "" {
		return nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || !(f > 0 && f <= 100) { // NaN too
			return fmt.Errorf("--max-failures %q: want a share of the rows done above 0%% and at most 100%%, such as 5%%, or a count such as 1000", s)
		}
		cfg.MaxFailuresFraction = f / 100
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil && n == 0 {
		return nil // 0: no limit, as when the flag is not given
	}
	if err != nil || n < 0 {
		return fmt.Errorf("--max-failures %q: want a count of failed rows, 0 or more (0: no limit), such as 1000, or a share of the rows done above 0%% and at most 100%%, such as 5%%", s)
	}
	cfg.MaxFailures = n
	return nil
}

// recordedArgs are the flags set, for the manifest. No flag holds a secret (the
// token comes from a file or the environment), but the list is explicit anyway.
func recordedArgs(c *cli.Context) map[string]string {
	args := map[string]string{}
	for _, name := range c.FlagNames() {
		if !c.IsSet(name) || name == "token-file" {
			continue
		}
		args[name] = fmt.Sprint(c.Value(name))
		if name == "pushgateway" {
			args[name] = redactURL(c.String(name)) // may hold a password
		}
	}
	return args
}

// redactURL hides the password of a URL, even one that does not parse.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

func newLogger(c *cli.Context, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.String("log-level"))
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.String("log-format") {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", c.String("log-format"))
}

func lookupEnv(name string) string { return strings.TrimSpace(os.Getenv(name)) }

// parseReasons reads --reasons; "all" keeps every row of a rejects file.
func parseReasons(values []string) ([]row.Reason, error) {
	var reasons []row.Reason
	for _, v := range values {
		switch r := row.Reason(strings.TrimSpace(strings.ToLower(v))); r {
		case "all":
			return nil, nil
		case row.NotFound, row.InvalidRow, row.Failed, row.Duplicate:
			reasons = append(reasons, r)
		default:
			return nil, fmt.Errorf("--reasons %q: want not_found, invalid_row, failed, duplicate or all", v)
		}
	}
	return reasons, nil
}
