package writer

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
)

// Part is a finished part file to concatenate: a Reader of a Store, an
// *os.File with its size, an io.SectionReader...
type Part interface {
	io.ReaderAt
	Size() int64
}

// copyChunk is how much of a JSON Lines part is copied between two checks of
// the context.
const copyChunk = 1 << 20

// Concatenate writes to dst one file of format holding the rows of parts, in
// order, each part being a complete file of that format written by this
// package.
//
// JSON Lines parts are copied byte for byte: concatenated JSON Lines are JSON
// Lines, and concatenated gzip streams are one valid multi-member gzip stream
// (read whole by Go's gzip.Reader and by gzip -dc). With gz set and no byte to
// copy, an empty gzip stream is written so that the result is still a valid
// gzip file. An uncompressed part that does not end with a line break is
// refused, as truncated.
//
// Parquet parts are read row group by row group into one file. Full row groups
// (DefaultRowGroupRows rows, as the encoder writes them) are copied without
// being decoded. Runs of short ones are decoded and merged into full groups:
// a part committed by the checkpoint interval of a slow, rate-limited run is
// one short row group (600 rows at --rate 10), and thousands of those scan far
// worse in a warehouse than full ones. The rows pending when a full group comes
// are written first as a short group of their own, so that a fast run, whose
// parts are full groups and a short end, is copied and not re-encoded (which
// would take ~30 MiB more memory and seconds per million rows); such a file has
// at most one short group per part. Memory stays bounded by one row group
// either way. With no part, or only empty ones, the result is a valid Parquet
// file with no row.
//
// Concatenate stops with ctx's error when ctx is done. It does not close dst.
func Concatenate(ctx context.Context, dst io.Writer, format Format, gz bool, parts []Part) error {
	if err := format.validate(gz); err != nil {
		return err
	}
	if format == Parquet {
		return concatParquet(ctx, dst, parts)
	}
	return concatJSONL(ctx, dst, gz, parts)
}

func concatJSONL(ctx context.Context, dst io.Writer, gz bool, parts []Part) error {
	buf := make([]byte, copyChunk)
	var total int64
	for n, part := range parts {
		size := part.Size()
		if !gz && size > 0 {
			var last [1]byte
			if _, err := part.ReadAt(last[:], size-1); err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("concatenate: read part %d: %w", n, err)
			}
			if last[0] != '\n' {
				return fmt.Errorf("concatenate: part %d does not end with a line break: truncated?", n)
			}
		}
		for off := int64(0); off < size; {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("concatenate: %w", err)
			}
			chunk := buf[:min(int64(len(buf)), size-off)]
			read, err := part.ReadAt(chunk, off)
			if read < len(chunk) {
				if err == nil || errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return fmt.Errorf("concatenate: read part %d at %d: %w", n, off, err)
			}
			if _, err := dst.Write(chunk); err != nil {
				return fmt.Errorf("concatenate: write: %w", err)
			}
			off += int64(read)
			total += int64(read)
		}
	}
	if gz && total == 0 {
		if err := gzip.NewWriter(dst).Close(); err != nil {
			return fmt.Errorf("concatenate: write empty gzip stream: %w", err)
		}
	}
	return nil
}

func concatParquet(ctx context.Context, dst io.Writer, parts []Part) error {
	return concatParquetGroups(ctx, dst, parts, DefaultRowGroupRows)
}

// concatParquetGroups is concatParquet with row groups of groupRows rows.
func concatParquetGroups(ctx context.Context, dst io.Writer, parts []Part, groupRows int) error {
	w := parquet.NewGenericWriter[any](dst, parquetWriterOptions()...)
	c := groupConcat{w: w, groupRows: int64(groupRows), buf: make([]parquet.Row, parquetBatchRows)}
	for n, part := range parts {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("concatenate: %w", err)
		}
		f, err := parquet.OpenFile(part, part.Size())
		if err != nil {
			return fmt.Errorf("concatenate: open Parquet part %d: %w", n, err)
		}
		for g, rg := range f.RowGroups() {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("concatenate: %w", err)
			}
			if err := c.add(ctx, rg); err != nil {
				return fmt.Errorf("concatenate: row group %d of part %d: %w", g, n, err)
			}
		}
	}
	if err := w.Close(); err != nil { // writes the pending rows as the last group
		return fmt.Errorf("concatenate: finish Parquet file: %w", err)
	}
	return nil
}

// groupConcat writes row groups into w as row groups of groupRows rows.
type groupConcat struct {
	w         *parquet.GenericWriter[any]
	groupRows int64
	pending   int64 // rows written into w's current row group
	buf       []parquet.Row
}

func (c *groupConcat) add(ctx context.Context, rg parquet.RowGroup) error {
	if rg.NumRows() >= c.groupRows {
		if c.pending > 0 {
			if err := c.w.Flush(); err != nil {
				return fmt.Errorf("write row group: %w", err)
			}
			c.pending = 0
		}
		if _, err := c.w.WriteRowGroup(rg); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		return nil
	}
	rows := rg.Rows()
	defer rows.Close()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Never past the end of the current group, so that it can be flushed
		// exactly when full.
		n, err := rows.ReadRows(c.buf[:min(int64(len(c.buf)), c.groupRows-c.pending)])
		if n > 0 {
			if _, werr := c.w.WriteRows(c.buf[:n]); werr != nil {
				return fmt.Errorf("write rows: %w", werr)
			}
			if c.pending += int64(n); c.pending == c.groupRows {
				if ferr := c.w.Flush(); ferr != nil {
					return fmt.Errorf("write row group: %w", ferr)
				}
				c.pending = 0
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read rows: %w", err)
		}
	}
}
