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
// Parquet parts are read row group by row group and their row groups written
// into one file; row groups are copied without being decoded, so memory stays
// bounded by one row group. With no part, or only empty ones, the result is a
// valid Parquet file with no row.
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
	w := parquet.NewGenericWriter[any](dst, parquetWriterOptions()...)
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
			if _, err := w.WriteRowGroup(rg); err != nil {
				return fmt.Errorf("concatenate: copy row group %d of part %d: %w", g, n, err)
			}
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("concatenate: finish Parquet file: %w", err)
	}
	return nil
}
