package writer

import (
	"errors"
	"testing"
)

func TestFormatFromPath(t *testing.T) {
	for _, c := range []struct {
		path   string
		format Format
		gz     bool
	}{
		{"out.jsonl", JSONL, false},
		{"/data/out.jsonl.gz", JSONL, true},
		{"out.ndjson", JSONL, false},
		{"out.ndjson.gz", JSONL, true},
		{"OUT.JSONL.GZ", JSONL, true},
		{"dir.v2/out.parquet", Parquet, false},
		{"out.Parquet", Parquet, false},
	} {
		format, gz, err := FormatFromPath(c.path)
		if err != nil || format != c.format || gz != c.gz {
			t.Errorf("FormatFromPath(%q) = %q, %v, %v; want %q, %v", c.path, format, gz, err, c.format, c.gz)
		}
		if got := c.format.Ext(c.gz); got != "."+string(c.format)+map[bool]string{true: ".gz"}[c.gz] {
			t.Errorf("%q.Ext(%v) = %q", c.format, c.gz, got)
		}
	}
	for _, path := range []string{"out.parquet.gz", "out.csv", "out.json", "out.gz", "out", "jsonl", "out.jsonl.zip"} {
		if _, _, err := FormatFromPath(path); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("FormatFromPath(%q) error = %v, want ErrUnknownFormat", path, err)
		}
	}
}
