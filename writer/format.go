package writer

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Format is the file format of the profiles output.
type Format string

// The formats profiles can be written in.
const (
	// JSONL is JSON Lines: one JSON object per line, optionally gzip-compressed.
	JSONL Format = "jsonl"
	// Parquet is Apache Parquet with zstd-compressed columns.
	Parquet Format = "parquet"
)

// ErrUnknownFormat is wrapped by the errors FormatFromPath returns for a name
// whose extension names no supported format.
var ErrUnknownFormat = errors.New("unknown output format")

// FormatFromPath infers the output format from the extension of path, compared
// case-insensitively: .jsonl and .ndjson are JSONL, .jsonl.gz and .ndjson.gz are
// gzip-compressed JSONL, .parquet is Parquet. Any other extension, including a
// gzip-compressed Parquet name, yields an error wrapping ErrUnknownFormat.
func FormatFromPath(path string) (format Format, gzip bool, err error) {
	name := strings.ToLower(filepath.Base(path))
	if base, ok := strings.CutSuffix(name, ".gz"); ok {
		name, gzip = base, true
	}
	switch {
	case strings.HasSuffix(name, ".jsonl"), strings.HasSuffix(name, ".ndjson"):
		return JSONL, gzip, nil
	case strings.HasSuffix(name, ".parquet") && !gzip:
		return Parquet, false, nil
	case strings.HasSuffix(name, ".parquet"):
		return "", false, fmt.Errorf("%q: %w: Parquet is compressed inside, do not gzip it (name it .parquet)", path, ErrUnknownFormat)
	}
	return "", false, fmt.Errorf("%q: %w: want a name ending in .jsonl, .jsonl.gz, .ndjson, .ndjson.gz or .parquet", path, ErrUnknownFormat)
}

// Ext returns the file name extension of f, with the leading dot: ".jsonl",
// ".jsonl.gz" or ".parquet". It suits naming parts such as "part-00000.parquet".
func (f Format) Ext(gzip bool) string {
	ext := "." + string(f)
	if gzip && f == JSONL {
		ext += ".gz"
	}
	return ext
}

// validate reports an error when f with gzip is not a format this package writes.
func (f Format) validate(gzip bool) error {
	switch {
	case f == JSONL:
		return nil
	case f == Parquet && gzip:
		return fmt.Errorf("%w: Parquet cannot be gzip-compressed", ErrUnknownFormat)
	case f == Parquet:
		return nil
	}
	return fmt.Errorf("%w %q (want %q or %q)", ErrUnknownFormat, string(f), JSONL, Parquet)
}
