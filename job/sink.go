package job

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/profile-export/profile-export/row"
	"github.com/profile-export/profile-export/writer"
)

// sink writes outcomes into the current part and checkpoints: it commits the part's
// files (each made visible atomically) and then saves the state that records them.
// A crash between the two leaves a part the state does not know; a resumed run
// deletes it (cleanOrphans) and redoes its rows, so no row is ever counted twice.
type sink struct {
	l    *layout
	st   *state
	done *doneSet
	cfg  *Config
	cur  *openPart
}

// openPart is the part being written: its files are invisible until committed.
type openPart struct {
	index   int
	prof    writer.File
	penc    writer.ProfileEncoder
	rej     writer.File
	renc    *writer.RejectEncoder
	rows    int64
	profN   int64
	rejN    int64
	done    doneSet // the rows written to this part
	counts  Counts
	started time.Time
}

func (s *sink) part() *openPart {
	if s.cur == nil {
		s.cur = &openPart{index: s.st.NextPart, started: time.Now()}
	}
	return s.cur
}

func (s *sink) writeProfile(ctx context.Context, seq int64, p row.Profile) error {
	cp := s.part()
	if cp.prof == nil {
		f, err := s.l.stage.Create(ctx, s.l.partName(cp.index))
		if err != nil {
			return fmt.Errorf("creating part: %w", err)
		}
		cp.prof = f
		if s.l.format == writer.Parquet {
			cp.penc = writer.NewParquet(f, writer.ParquetOptions{})
		} else {
			cp.penc = writer.NewJSONL(f, s.l.gzip)
		}
	}
	if err := cp.penc.Write(p); err != nil {
		if errors.Is(err, writer.ErrInvalidProfile) {
			// The encoder wrote nothing and stays usable: the row is a reject.
			return s.writeReject(ctx, seq, row.Reject{Line: p.Line, ID: p.ID, Type: string(p.Type),
				Reason: row.Failed, Status: 200, Message: err.Error(), Attempts: 1})
		}
		return fmt.Errorf("writing profile of line %d: %w", p.Line, err)
	}
	cp.profN++
	cp.counts.addProfile()
	return s.added(ctx, cp, seq)
}

func (s *sink) writeReject(ctx context.Context, seq int64, r row.Reject) error {
	cp := s.part()
	if cp.rej == nil {
		st := s.l.stage
		if s.l.dirMode {
			st = s.l.rejects
		}
		f, err := st.Create(ctx, s.l.rejectsPart(cp.index))
		if err != nil {
			return fmt.Errorf("creating rejects part: %w", err)
		}
		cp.rej = f
		cp.renc = writer.NewRejects(f)
	}
	if err := cp.renc.Write(r); err != nil {
		return fmt.Errorf("writing reject of line %d: %w", r.Line, err)
	}
	cp.rejN++
	cp.counts.addReject(r.Reason)
	return s.added(ctx, cp, seq)
}

func (s *sink) added(ctx context.Context, cp *openPart, seq int64) error {
	cp.done.insert(seq)
	cp.rows++
	if cp.rows >= int64(s.cfg.RowsPerFile) {
		return s.checkpoint(ctx)
	}
	return nil
}

// checkpoint commits the current part, if it holds anything, then saves the state.
func (s *sink) checkpoint(ctx context.Context) error {
	cp := s.cur
	if cp == nil || cp.rows == 0 {
		return nil
	}
	s.cur = nil
	info := partInfo{Index: cp.index}
	if cp.prof != nil {
		fi, err := commit(cp.prof, cp.penc.Close, cp.profN)
		if err != nil {
			cp.abort()
			return fmt.Errorf("committing %s: %w", s.l.partName(cp.index), err)
		}
		fi.Name = s.l.partName(cp.index)
		info.Profiles = fi
	}
	if cp.rej != nil {
		fi, err := commit(cp.rej, cp.renc.Close, cp.rejN)
		if err != nil {
			cp.abort()
			return fmt.Errorf("committing %s: %w", s.l.rejectsPart(cp.index), err)
		}
		fi.Name = s.l.rejectsPart(cp.index)
		info.Rejects = fi
	}
	s.done.ranges = mergeRanges(s.done.ranges, cp.done.ranges)
	s.st.Parts = append(s.st.Parts, info)
	s.st.NextPart = cp.index + 1
	s.st.Done = s.done.ranges
	s.st.Counts.merge(cp.counts)
	return s.st.save(ctx, s.l.stage, s.l.stateName())
}

func commit(f writer.File, closeEnc func() error, rows int64) (*fileInfo, error) {
	if err := closeEnc(); err != nil {
		_ = f.Abort()
		return nil, err
	}
	if err := f.Commit(); err != nil {
		return nil, err
	}
	return &fileInfo{Rows: rows, Bytes: f.Size(), SHA256: f.SHA256()}, nil
}

// abort drops the part being written: its rows were never recorded as done, so a
// resumed run redoes them.
func (s *sink) abort() {
	if s.cur != nil {
		s.cur.abort()
		s.cur = nil
	}
}

func (cp *openPart) abort() {
	if cp.prof != nil {
		_ = cp.prof.Abort()
	}
	if cp.rej != nil {
		_ = cp.rej.Abort()
	}
}

// cleanOrphans removes this shard's part files that the state does not record: they
// were committed by a run that died before it could save its state.
func cleanOrphans(ctx context.Context, l *layout, next int) error {
	stores := []writer.Store{l.stage}
	if l.rejects != l.stage && l.dirMode {
		stores = append(stores, l.rejects)
	}
	for _, st := range stores {
		for _, prefix := range []string{l.partPrefix(), l.rejectsPrefix()} {
			names, err := st.List(ctx, prefix)
			if err != nil {
				return fmt.Errorf("listing parts: %w", err)
			}
			for _, name := range names {
				i, ok := partIndex(name, prefix)
				if !ok || i < next {
					continue
				}
				if err := st.Remove(ctx, name); err != nil && !errors.Is(err, context.Canceled) {
					return fmt.Errorf("removing unrecorded part %s: %w", name, err)
				}
			}
		}
	}
	return nil
}

// partIndex parses the number in "part-00012.parquet" after prefix.
func partIndex(name, prefix string) (int, bool) {
	rest := strings.TrimPrefix(name, prefix)
	if rest == name || len(rest) < 5 {
		return 0, false
	}
	dot := strings.IndexByte(rest, '.')
	if dot < 0 {
		return 0, false
	}
	i, err := strconv.Atoi(rest[:dot])
	return i, err == nil
}
