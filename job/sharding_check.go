package job

import (
	"context"
	"fmt"
	"strings"
)

// refuseOtherShardings refuses a run whose output holds an export with another
// sharding (see otherShard), unless the flags say to remove it: an unfinished run
// of it needs --restart or --overwrite, a finished export --overwrite. It changes
// nothing.
func refuseOtherShardings(cfg *Config, l *layout, others []*otherShard) error {
	cur := shardingOf(l.shard)
	for _, o := range others {
		if o.st == nil || cfg.Restart || cfg.Overwrite {
			continue
		}
		path := o.l.statePath()
		if cfg.Resume {
			diff := settingsOf(cfg, l).changes(o.st.Settings)
			if diff == "" || !strings.Contains(diff, "--shard") && !strings.Contains(diff, "sharding") {
				diff = "the state was written with " + o.sharding() + "; this run has " + cur
			}
			return usageErrorf("cannot resume the run whose state is at %s: %s; run with the same flags to resume it, or pass --restart to discard that run and start over",
				path, diff)
		}
		return usageErrorf("an unfinished run with %s (started %s, %d rows done) left its state at %s, and this run has %s: its rows and this run's would mix; run with %s and --resume to continue it, or pass --restart to discard it and start over",
			o.sharding(), o.st.StartedAt.Format("2006-01-02T15:04:05Z07:00"), o.st.Counts.Rows, path, cur, o.sharding())
	}
	if cfg.Overwrite {
		return nil
	}
	var shardings, files []string
	for _, o := range others {
		if o.st != nil {
			continue
		}
		shardings = append(shardings, o.sharding())
		files = append(files, o.files...)
	}
	if len(shardings) == 0 {
		return nil
	}
	if len(files) > 3 {
		files = append(files[:3], fmt.Sprintf("… %d files in all", len(files)))
	}
	what := "an export with another sharding (" + andList(shardings) + ": "
	if shardings[0] == "no sharding" {
		what = "an export without sharding ("
	}
	return usageErrorf("%s holds %s%s), and this run has %s: the two would mix in one directory, duplicating rows; pass --overwrite to remove that export (the files of all its shards) and start anew, run with the same sharding, or choose another --output",
		l.display, what, strings.Join(files, ", "), cur)
}

// removeOtherShardings removes the exports refuseOtherShardings let through: with
// --overwrite all of them, with --restart the unfinished ones. Each shard's run
// lock is taken first (local outputs), so that a run still writing one is not
// pulled from under it; nothing is removed when one is held.
func removeOtherShardings(ctx context.Context, cfg *Config, l *layout, others []*otherShard) error {
	var doomed []*otherShard
	for _, o := range others {
		if cfg.Overwrite || o.st != nil && cfg.Restart {
			doomed = append(doomed, o)
		}
	}
	var locks []*runLock
	defer func() {
		for _, lk := range locks {
			lk.release(true)
		}
	}()
	for _, o := range doomed {
		if o.l.lockPath() == l.lockPath() {
			continue // this run's own shard index, of another count: this run holds its lock
		}
		lk, err := lockOutput(o.l.lockPath(), func(op string, err error) error {
			return l.pathError(false, "lock file", o.l.lockPath(), op, err)
		})
		if err != nil {
			return fmt.Errorf("removing the export with %s: %w", o.sharding(), err)
		}
		locks = append(locks, lk)
	}
	for _, o := range doomed {
		if err := discard(ctx, o.l); err != nil {
			return fmt.Errorf("removing the export with %s from %s: %w", o.sharding(), l.display, err)
		}
		// And what its killed runs were writing. Not in single-file mode, where
		// every shard's temporary final file has the same name.
		if l.dirMode {
			if err := cleanTemp(ctx, o.l); err != nil {
				return fmt.Errorf("removing the export with %s from %s: %w", o.sharding(), l.display, err)
			}
		}
	}
	return nil
}
