package job

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/profile-export/profile-export/dedupe"
	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/row"
)

// produce reads rows, skips those a resumed run already committed, and hands each
// remaining row to the worker pool (or, when it cannot be fetched, straight to the
// sink). It closes results once every worker is done: it is the stage that owns it.
func (r *run) produce(dispatchCtx, fetchCtx context.Context, results chan<- outcome) error {
	defer close(results)
	send := func(o outcome) bool {
		select {
		case results <- o:
			return true
		case <-fetchCtx.Done():
			return false
		}
	}
	// A fixed pool of workers, each fetching row after row: a goroutine per row
	// would grow a fresh stack through net/http for every row (stack copying was
	// ~5% of the client's CPU at the loopback ceiling). work holds one row per
	// worker, read ahead, so that a worker done with a row takes the next at once
	// instead of waiting for this goroutine to be scheduled and read it: with
	// every core busy, that wait left requests unsent. A row taken after the
	// dispatch stopped is not fetched: it was never in flight, and a resumed run
	// does it.
	work := make(chan task, r.cfg.Concurrency)
	var workers errgroup.Group
	workers.SetLimit(r.cfg.Concurrency)
	for range r.cfg.Concurrency {
		workers.Go(func() error {
			// Each attempt's timeout context registers with its parent under
			// the parent's lock; a context per worker keeps the 32 workers from
			// taking turns on fetchCtx's.
			ctx, cancel := context.WithCancel(fetchCtx)
			defer cancel()
			for t := range work {
				if dispatchCtx.Err() != nil {
					continue
				}
				r.stats.inFlight.Add(1)
				if o, ok := r.fetchOne(ctx, t.seq, t.row); ok {
					send(o)
				}
				r.stats.inFlight.Add(-1)
			}
			return nil
		})
	}
	defer workers.Wait() // runs before close(results), after close(work)
	defer close(work)

	var seen *dedupe.Set
	if r.cfg.Dedupe {
		seen = dedupe.New()
	}
	seq := int64(-1)
	for dispatchCtx.Err() == nil {
		rw, err := r.rd.Read()
		if errors.Is(err, io.EOF) {
			r.inputDone = true
			return nil
		}
		if err != nil {
			// Rows read so far are kept; the error is reported when the run ends.
			r.readErr = err
			r.inputDone = true
			return nil
		}
		if r.cfg.Shard.Active() && shardOf(rw, r.cfg.Shard.Count) != r.cfg.Shard.Index {
			continue
		}
		seq++
		// The dedupe set is fed every valid row, also those a resumed run skips, so
		// that a duplicate names the same first line whenever it is met.
		var firstLine int64
		dup := false
		if seen != nil && rw.Invalid == "" {
			firstLine, dup = seen.Seen(rw.Type, rw.ID, rw.Line)
		}
		if r.resumed.contains(seq) {
			r.skipped++
			continue
		}
		r.routed.Add(1)
		switch {
		case rw.Invalid != "":
			rej := row.RejectOf(rw)
			if !send(outcome{seq: seq, reject: &rej}) {
				return nil
			}
		case dup:
			rej := row.Reject{Line: rw.Line, ID: rw.ID, Type: string(rw.Type), Reason: row.Duplicate,
				Message: fmt.Sprintf("same %s as line %d, fetched once there", rw.Type, firstLine)}
			if !send(outcome{seq: seq, reject: &rej}) {
				return nil
			}
		default:
			select {
			case work <- task{seq: seq, row: rw}:
			case <-fetchCtx.Done():
				return nil
			}
		}
	}
	return nil
}

// task is one row for a worker to fetch.
type task struct {
	seq int64
	row row.Row
}

// fetchOne fetches one row's profile. ok is false when the row has no outcome to
// write: the run was stopped (the row is redone on resume) or the API refused the
// credentials, which stops the whole run at once.
func (r *run) fetchOne(ctx context.Context, seq int64, rw row.Row) (outcome, bool) {
	res := r.client.Fetch(ctx, rw.Type, rw.ID)
	o := outcome{seq: seq}
	switch res.Outcome {
	case fetch.OK:
		o.profile = row.Profile{Line: rw.Line, ID: rw.ID, Type: rw.Type, FetchedAt: time.Now().UTC(), Body: res.Body,
			Checked: true} // fetch returns only valid JSON in valid UTF-8
	case fetch.NotFound:
		o.reject = &row.Reject{Line: rw.Line, ID: rw.ID, Type: string(rw.Type), Reason: row.NotFound, Status: res.Status, Message: res.Message, Attempts: res.Attempts}
	case fetch.Failed:
		if errors.Is(res.Err, fetch.ErrInvalidID) {
			// Caught before any request: the input is at fault, not the API.
			o.reject = &row.Reject{Line: rw.Line, ID: rw.ID, Type: string(rw.Type), Reason: row.InvalidRow, Message: res.Message}
			break
		}
		o.reject = &row.Reject{Line: rw.Line, ID: rw.ID, Type: string(rw.Type), Reason: row.Failed, Status: res.Status, Message: res.Message, Attempts: res.Attempts}
	case fetch.Fatal:
		r.fatalOnce.Do(func() {
			r.fatal = fmt.Errorf("line %d: %w", rw.Line, res.Err)
			r.stopDispatch(r.fatal)
			r.cancelFetch(r.fatal)
		})
		return o, false
	default: // canceled
		return o, false
	}
	return o, true
}

// consume writes outcomes into parts and checkpoints, until results is closed.
func (r *run) consume(ctx context.Context, results <-chan outcome) error {
	// Files are written and committed whatever happens to the fetches: a stop must
	// still commit everything complete.
	ctx = context.WithoutCancel(ctx)
	s := &sink{l: r.l, st: r.st, done: r.done, cfg: r.cfg}
	tick := time.NewTicker(r.cfg.CheckpointInterval)
	defer tick.Stop()
	fail := func(err error) error {
		s.abort()
		r.stopDispatch(err)
		r.cancelFetch(err)
		for range results { // let the producers finish; their rows are redone on resume
		}
		return err
	}
	for {
		select {
		case o, ok := <-results:
			if !ok {
				if err := s.checkpoint(ctx); err != nil {
					return fail(err)
				}
				return nil
			}
			var err error
			if o.reject != nil {
				err = s.writeReject(ctx, o.seq, *o.reject)
				r.stats.rejected(o.reject.Reason)
			} else {
				err = s.writeProfile(ctx, o.seq, o.profile)
				r.stats.profiles.Add(1)
			}
			if err != nil {
				return fail(err)
			}
			r.written.Add(1)
			if err := r.tooManyFailures(); err != nil {
				r.stopDispatch(err)
			}
		case <-tick.C:
			if err := s.checkpoint(ctx); err != nil {
				return fail(err)
			}
		}
	}
}

// shardOf maps a row to a shard by a stable hash of (type, id), so the same ID always
// lands in the same shard whatever the input order or process.
func shardOf(rw row.Row, n int) int {
	h := fnv.New64a()
	h.Write([]byte(rw.Type))
	h.Write([]byte{0})
	h.Write([]byte(rw.ID))
	return int(h.Sum64() % uint64(n))
}
