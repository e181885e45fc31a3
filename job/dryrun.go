package job

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/profile-export/profile-export/dedupe"
	"github.com/profile-export/profile-export/reader"
	"github.com/profile-export/profile-export/row"
)

// DryRunMaxInvalid is how many invalid rows a DryRunReport lists.
const DryRunMaxInvalid = 10

// DryRunReport is what DryRun found in the input.
type DryRunReport struct {
	Input      string `json:"input"`
	Size       int64  `json:"size_bytes"` // -1 when unknown (stdin)
	Compressed bool   `json:"gzip,omitempty"`
	// Rows are the data rows this process would handle: all of them, or this
	// shard's with Config.Shard. Every one is either valid (counted in ByType) or
	// Invalid.
	Rows    int64              `json:"rows"`
	ByType  map[row.Type]int64 `json:"by_type"`
	Invalid int64              `json:"invalid"`
	// Duplicates are the valid rows Config.Dedupe would reject as duplicates.
	Duplicates int64 `json:"duplicates,omitempty"`
	// OtherShards are the rows left to the other shards.
	OtherShards int64 `json:"other_shards,omitempty"`
	// FilteredOut are the lines of a rejects file that Config.Reader.Reasons leaves
	// out: not rows, as in Summary.FilteredOut.
	FilteredOut int64 `json:"filtered_out_lines,omitempty"`
	// FirstInvalid are the first DryRunMaxInvalid invalid rows, as their rejects.
	FirstInvalid []row.Reject `json:"first_invalid,omitempty"`
}

// DryRun reads and checks the whole input as Run would (cfg.Input, cfg.Reader,
// cfg.Shard, cfg.Dedupe) without a single request and without touching any output
// or state. It returns an error that ExitCode maps to ExitUsage when the file
// cannot be used: it cannot be opened, its header is wrong, or it cannot be read
// to the end (the report then covers the rows read before the problem). Invalid
// rows do not make the file unusable: a run rejects them.
func DryRun(ctx context.Context, cfg Config) (*DryRunReport, error) {
	if cfg.Shard.Active() && (cfg.Shard.Index < 0 || cfg.Shard.Index >= cfg.Shard.Count) {
		return nil, usageErrorf("shard index %d is out of range for %d shards", cfg.Shard.Index, cfg.Shard.Count)
	}
	in, err := reader.Open(cfg.Input)
	if err != nil {
		return nil, &UsageError{Err: err} // reader.Open says "opening input"
	}
	defer in.Close()
	rd, err := reader.New(in, cfg.Reader)
	if err != nil {
		return nil, err
	}
	warnIgnoredReasons(&cfg, rd)
	rep := &DryRunReport{Input: in.Name(), Size: in.Size(), Compressed: in.Compressed(), ByType: map[row.Type]int64{}}
	var seen *dedupe.Set
	if cfg.Dedupe {
		seen = dedupe.New()
	}
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return rep, context.Cause(ctx)
		}
		rw, err := rd.Read()
		rep.FilteredOut = rd.Skipped()
		if errors.Is(err, io.EOF) {
			return rep, nil
		}
		if err != nil {
			return rep, &UsageError{Err: fmt.Errorf("the input cannot be read to the end (%d rows read): %w", rep.Rows+rep.OtherShards, err)}
		}
		// The same selection as the run's: by (type, id), invalid rows included.
		if cfg.Shard.Active() && shardOf(rw, cfg.Shard.Count) != cfg.Shard.Index {
			rep.OtherShards++
			continue
		}
		rep.Rows++
		if rw.Invalid != "" {
			rep.Invalid++
			if len(rep.FirstInvalid) < DryRunMaxInvalid {
				rep.FirstInvalid = append(rep.FirstInvalid, row.RejectOf(rw))
			}
			continue
		}
		rep.ByType[rw.Type]++
		if seen != nil {
			if _, dup := seen.Seen(rw.Type, rw.ID, rw.Line); dup {
				rep.Duplicates++
			}
		}
	}
}

// warnIgnoredReasons warns when --reasons was given for a CSV input: it selects
// lines of a rejects file given as input, and a CSV has none to select.
func warnIgnoredReasons(cfg *Config, rd *reader.Reader) {
	if cfg.ReasonsGiven && !rd.JSONLines() && cfg.Logger != nil {
		cfg.Logger.Warn("--reasons is ignored: the input is CSV, and --reasons selects the lines of a rejects file given as input")
	}
}
