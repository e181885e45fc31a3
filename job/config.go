// Package job runs an export: it streams rows from the reader, fetches their profiles
// through a rate-limited worker pool, writes profiles and rejects as atomically
// committed parts, checkpoints its progress so that a killed run can be resumed, and
// assembles the final outputs.
package job

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/reader"
	"github.com/profile-export/profile-export/writer"
)

// Defaults for Config fields left at their zero value. They are chosen to be safe
// against the documented limit of one million profile fetches per 24 hours per
// client: DefaultRate requests per second is 864,000 a day, leaving room for retries
// and for other users of the same API.
const (
	DefaultConcurrency        = 8
	DefaultRate               = 10.0
	DefaultBurst              = 10
	DefaultRowsPerFile        = 100_000
	DefaultCheckpointInterval = time.Minute
	DefaultGrace              = 10 * time.Second
	DefaultFileMode           = os.FileMode(0o600)
)

// Config describes one export. The zero value of each field means its default.
type Config struct {
	// Input is the CSV (or rejects JSON Lines) file to read; "-" reads stdin.
	Input string
	// Output is the profiles file, or a directory (a path ending in "/" or an
	// existing directory) that receives numbered part files, a manifest and _SUCCESS.
	Output string
	// Rejects is the rejects file; empty means "<output stem>.rejects.jsonl" beside
	// the output. In directory mode it is a directory, by default the output's.
	Rejects string
	// Format overrides the format the output's extension implies ("jsonl" or
	// "parquet"); Gzip compresses JSON Lines.
	Format writer.Format
	Gzip   bool
	// Reader configures how the input is parsed.
	Reader reader.Config
	// ReasonsGiven says that Reader.Reasons was asked for (--reasons), not left at
	// its default: a CSV input, to which they do not apply, then gets a warning.
	ReasonsGiven bool
	// Fetch configures the API client; its Pacer is made by the job from Rate and Burst.
	Fetch fetch.Config
	// Concurrency is how many requests may be in flight at once.
	Concurrency int
	// Rate is the total request budget in requests per second (token bucket with
	// Burst); negative means unlimited. With sharding, each shard takes Rate/Count.
	Rate  float64
	Burst int
	// RowsPerFile bounds the rows (profiles plus rejects) of one part; a part is also
	// the unit of checkpointing, so it bounds the work redone after a crash.
	RowsPerFile int
	// CheckpointInterval commits the current part after this long even if it is not
	// full, so that slow, rate-limited runs still checkpoint.
	CheckpointInterval time.Duration
	// Resume continues an unfinished run whose state is found; without a state it
	// starts anew. Restart discards an unfinished run's state and parts.
	Resume, Restart bool
	// Overwrite allows replacing existing final outputs.
	Overwrite bool
	// FileMode is the permission of files written; DefaultFileMode (profiles are
	// personal data).
	FileMode os.FileMode
	// MaxDuration stops the run gracefully, resumably, after this long.
	MaxDuration time.Duration
	// MaxFailures stops the run, resumably, when this many rows have failed (or this
	// fraction of the rows fetched, when MaxFailuresFraction is set). Zero: no limit.
	MaxFailures         int64
	MaxFailuresFraction float64
	// Grace is how long in-flight requests may finish after a stop is asked;
	// negative means not at all (they are abandoned at once).
	Grace time.Duration
	// Dedupe fetches each (type, id) once; later lines of the same pair are rejected
	// as duplicates naming the first line.
	Dedupe bool
	// Shard selects the rows this process handles; the zero value handles all.
	Shard Shard
	// Args are the run's arguments, minus secrets, recorded in the manifest.
	Args map[string]string
	// Logger receives progress and warnings; nil discards them.
	Logger *slog.Logger
	// OnProgress, when set, is called every ProgressInterval with a snapshot.
	OnProgress       func(Snapshot)
	ProgressInterval time.Duration
}

// Shard selects the rows whose (type, id) hash to Index among Count shards.
type Shard struct {
	Index, Count int
}

// Active reports whether sharding is on.
func (s Shard) Active() bool { return s.Count > 1 }

// String returns "K/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

func (c *Config) withDefaults() {
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Rate == 0 {
		c.Rate = DefaultRate
	}
	if c.Burst <= 0 {
		c.Burst = DefaultBurst
	}
	if c.RowsPerFile <= 0 {
		c.RowsPerFile = DefaultRowsPerFile
	}
	if c.CheckpointInterval <= 0 {
		c.CheckpointInterval = DefaultCheckpointInterval
	}
	if c.Grace == 0 {
		c.Grace = DefaultGrace
	}
	if c.FileMode == 0 {
		c.FileMode = DefaultFileMode
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = 10 * time.Second
	}
}
