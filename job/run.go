package job

import (
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/outpath"
	"github.com/profile-export/profile-export/reader"
	"github.com/profile-export/profile-export/row"
)

// outcome is what the fetch stage hands the sink for one row.
type outcome struct {
	seq     int64
	profile row.Profile
	reject  *row.Reject
}

// run holds one process's pipeline.
type run struct {
	cfg  *Config
	l    *layout
	st   *state
	done *doneSet // rows committed, updated by the sink as parts commit
	// resumed is the rows committed by earlier runs, for the producer to skip. It is
	// a copy that never changes: the sink updates done at the same time.
	resumed *doneSet
	rd      *reader.Reader
	input   *reader.Input
	client  *fetch.Client
	stats   *stats

	stopDispatch context.CancelCauseFunc // stop reading rows; in-flight ones may finish
	cancelFetch  context.CancelCauseFunc // abandon in-flight requests
	fatalOnce    sync.Once
	fatal        error
	readErr      error
	skipped      int64
	earlier      EarlierCounts // the outcomes of the rows earlier runs did, when resumed; never changes
	inputDone    bool          // the reader reached the end of the input (or a read error)
	routed       atomic.Int64  // rows of this process handed to the fetch stage or the sink
	written      atomic.Int64  // rows of this process written to a part
}

// Run performs an export described by cfg. It returns the summary (also on error,
// when anything ran) and an error that ExitCode maps to the process exit code.
// Canceling ctx stops the run gracefully: rows in flight get cfg.Grace to finish,
// everything complete is committed, and the state is kept for --resume; the cause
// given to the cancel (e.g. a *SignalError) is returned.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	cfg.withDefaults()
	start := time.Now()
	if !outpath.HasTemplate(cfg.Output) && !outpath.HasTemplate(cfg.Rejects) {
		if _, err := newLayout(&cfg); err != nil { // checks the flags before the input is read
			return nil, err
		}
	}
	if cfg.Shard.Active() && (cfg.Shard.Index < 0 || cfg.Shard.Index >= cfg.Shard.Count) {
		return nil, usageErrorf("shard index %d is out of range for %d shards", cfg.Shard.Index, cfg.Shard.Count)
	}

	// The input is opened and its header checked before anything else, so that an
	// unusable file stops the job before any request or any file is touched.
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
	info, err := hashInput(cfg.Input)
	if err != nil {
		return nil, err
	}
	id, err := expandTemplates(ctx, &cfg, info)
	if err != nil {
		return nil, err
	}
	l, err := newLayout(&cfg)
	if err != nil {
		return nil, err
	}
	if err := l.checkDistinct(cfg.Input); err != nil {
		return nil, err
	}

	// The client too is made before any file: bad fetch settings (a missing
	// --ca-file) must not leave a state behind.
	r := &run{cfg: &cfg, l: l, rd: rd, input: in, stats: newStats()}
	if err := r.newClient(); err != nil {
		return nil, err
	}
	// Until prepare has the state, nothing has been fetched: an error here is one of
	// the output location (see SetupError).
	if err := l.open(ctx); err != nil {
		return nil, &SetupError{Err: err}
	}
	defer l.close()

	// Every run into this output, whatever its shard, decides under this lock
	// what to resume, refuse or remove (see setupLockPath). It is taken before
	// the run's own lock, so that a sibling removing another sharding's export
	// meanwhile can take the lock of the old shard with this run's index.
	setup, err := lockOutputWait(ctx, l.setupLockPath(), func(op string, err error) error {
		return l.pathError(false, "lock file", l.setupLockPath(), op, err)
	})
	if err != nil {
		return nil, &SetupError{Err: err}
	}
	releaseSetup := sync.OnceFunc(func() { setup.release(true) })
	defer releaseSetup()
	lock, err := lockOutput(l.lockPath(), func(op string, err error) error {
		return l.pathError(false, "lock file", l.lockPath(), op, err)
	})
	if err != nil {
		return nil, &SetupError{Err: err}
	}
	// The lock file goes when the run completes, or when it is refused (it then
	// started nothing); it stays beside an unfinished run's state.
	removeLock := false
	defer func() { lock.release(removeLock) }()
	if err := l.probeRejects(ctx); err != nil {
		removeLock = true
		return nil, &SetupError{Err: err}
	}
	st, err := prepare(ctx, &cfg, l, info, id)
	if err != nil {
		removeLock = true
		return nil, &SetupError{Err: err}
	}
	releaseSetup()
	r.st, r.done = st, &doneSet{ranges: st.Done}
	r.resumed = &doneSet{ranges: slices.Clone(st.Done)}
	r.earlier = EarlierCounts{Rows: st.Counts.Rows, Profiles: st.Counts.Profiles,
		Rejects: st.Counts.Rows - st.Counts.Profiles, Failed: st.Counts.Rejects[row.Failed]}
	sum := &Summary{Resumed: st.Counts.Rows > 0 || st.Finalizing}

	if !st.Finalizing {
		if err := r.pipeline(ctx); err != nil {
			r.fillSummary(sum, start)
			return sum, err
		}
		if corrupt(r.readErr) {
			// gzip finds corruption only at the end of a member, by its checksum: the
			// rows decoded before may be garbage, so none of them is published.
			r.fillSummary(sum, start)
			sum.Counts = Counts{Rejects: map[row.Reason]int64{}} // nothing of it stands
			removeLock = true
			if err := discard(context.WithoutCancel(ctx), l); err != nil {
				return sum, fmt.Errorf("%w (and removing what was written failed: %v)", r.readErr, err)
			}
			return sum, &UsageError{Err: fmt.Errorf("the input is corrupt, so the rows read from it cannot be trusted and nothing was published; fix the file and run again: %w", r.readErr)}
		}
	}
	outputs, err := finalize(ctx, r)
	r.fillSummary(sum, start)
	sum.Outputs = outputs
	if err != nil {
		return sum, err
	}
	// Completed means the whole input is in the outputs: not after a truncated
	// input, whose outputs are final (Outputs lists them) but lack the rows after
	// the cut.
	sum.Completed = r.readErr == nil
	removeLock = true
	if r.readErr != nil {
		return sum, fmt.Errorf("the input ends early (truncated?): the rows before that point were exported and the outputs are complete for them; fix the file and run again with --overwrite: %w", r.readErr)
	}
	return sum, nil
}

func (r *run) newClient() error {
	fc := r.cfg.Fetch
	fc.Pacer = pacerFor(r.cfg)
	fc.Concurrency = r.cfg.Concurrency
	observe := fc.OnAttempt
	fc.OnAttempt = func(a fetch.Attempt) {
		r.stats.attempt(a)
		if observe != nil {
			observe(a)
		}
	}
	c, err := fetch.New(fc)
	if err != nil {
		return &UsageError{Err: err}
	}
	r.client = c
	return nil
}

// pipeline streams the rows through the worker pool into the sink until the input
// ends or the run is stopped. It returns nil only when every row was committed.
func (r *run) pipeline(ctx context.Context) error {
	dispatchCtx, stopDispatch := context.WithCancelCause(ctx)
	defer stopDispatch(nil)
	// In-flight requests do not die with ctx: a stop gives them Grace to finish.
	fetchCtx, cancelFetch := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelFetch(nil)
	r.stopDispatch, r.cancelFetch = stopDispatch, cancelFetch

	pipelineDone := make(chan struct{})
	defer close(pipelineDone)
	go func() {
		select {
		case <-dispatchCtx.Done():
		case <-pipelineDone:
			return
		}
		grace := max(r.cfg.Grace, 0) // negative: no grace
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancelFetch(fmt.Errorf("grace period of %s over: %w", grace, context.Cause(dispatchCtx)))
		case <-pipelineDone:
		}
	}()
	if r.cfg.MaxDuration > 0 {
		t := time.AfterFunc(r.cfg.MaxDuration, func() { stopDispatch(ErrMaxDuration) })
		defer t.Stop()
	}
	if r.cfg.OnProgress != nil {
		go r.reportProgress(pipelineDone)
	}

	// The sink stops now and then for a while: parquet-go compresses a column's
	// page when it fills (about a millisecond), and writes a row group out every
	// DefaultRowGroupRows rows (5-8 ms on a 2-core machine). results holds what
	// the workers fetch meanwhile, so that they go on sending requests instead
	// of waiting for the sink.
	results := make(chan outcome, max(resultsBuffer, 2*r.cfg.Concurrency))
	var g errgroup.Group
	g.Go(func() error { return r.produce(dispatchCtx, fetchCtx, results) })
	g.Go(func() error { return r.consume(fetchCtx, results) })
	if err := g.Wait(); err != nil {
		return err
	}
	if r.fatal != nil {
		return &StoppedError{Cause: r.fatal, State: r.l.statePath(), Stdin: IsStdin(r.cfg.Input)}
	}
	if !r.inputDone || r.written.Load() != r.routed.Load() {
		cause := context.Cause(dispatchCtx)
		if cause == nil {
			cause = context.Cause(fetchCtx)
		}
		return &StoppedError{Cause: cause, State: r.l.statePath(), Stdin: IsStdin(r.cfg.Input)}
	}
	return nil
}

// resultsBuffer is the least room between the workers and the sink, in rows:
// 10 ms of rows at 25,000 rows/s, about 256 KiB of answers. The sink is also
// where --max-failures counts, so the workers can be this many rows ahead of
// the count when it stops them.
const resultsBuffer = 256

// pacerFor makes the job's one shared rate limiter, or nil for no limit. --rate is
// the budget of all shards together, so each shard takes its share: N pods never
// exceed the API limit between them.
func pacerFor(cfg *Config) *fetch.Pacer {
	rate, burst := cfg.Rate, cfg.Burst
	if rate <= 0 {
		return nil
	}
	if cfg.Shard.Active() {
		rate /= float64(cfg.Shard.Count)
		burst = max(1, burst/cfg.Shard.Count)
	}
	return fetch.NewPacer(rate, burst)
}

// corrupt reports whether a read error means the data read before it may be wrong
// (a checksum or decoding failure of compressed input), rather than merely cut short.
func corrupt(err error) bool {
	var flateErr flate.CorruptInputError
	return err != nil && (errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.As(err, &flateErr))
}
