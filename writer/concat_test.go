package writer

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"testing"
)

func parts(files ...[]byte) []Part {
	ps := make([]Part, len(files))
	for i, f := range files {
		ps[i] = bytes.NewReader(f)
	}
	return ps
}

func concat(t *testing.T, format Format, gz bool, files ...[]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := Concatenate(context.Background(), &out, format, gz, parts(files...)); err != nil {
		t.Fatalf("Concatenate: %v", err)
	}
	return out.Bytes()
}

func TestConcatenateParquet(t *testing.T) {
	all := manyProfiles(32)
	p1 := encodeParquet(t, ParquetOptions{RowGroupRows: 10}, all[:25]...) // 3 row groups
	empty := encodeParquet(t, ParquetOptions{})
	p2 := encodeParquet(t, ParquetOptions{}, all[25:]...)

	data := concat(t, Parquet, false, p1, empty, p2)
	f := openParquet(t, data)
	if n := len(f.RowGroups()); n != 4 {
		t.Errorf("%d row groups, want the parts' 4 copied as they are", n)
	}
	if got, want := schemaLines(f), schemaLines(openParquet(t, p1)); !equalStrings(got, want) {
		t.Errorf("schema changed:\n%v\nwant\n%v", got, want)
	}
	rows := readParquet(t, data)
	if len(rows) != len(all) {
		t.Fatalf("%d rows, want %d", len(rows), len(all))
	}
	for i, r := range rows {
		if r.Line != all[i].Line || r.ID != all[i].ID || r.Profile != string(all[i].Body) ||
			r.VisitorID == nil || r.ModifiedAt == nil || len(r.Attributes) != 2 {
			t.Fatalf("row %d = %s, want line %d", i, describe(r), all[i].Line)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestConcatenateParquetOfNothingIsValid(t *testing.T) {
	for name, files := range map[string][][]byte{
		"no part":          nil,
		"only empty parts": {encodeParquet(t, ParquetOptions{}), encodeParquet(t, ParquetOptions{})},
	} {
		f := openParquet(t, concat(t, Parquet, false, files...))
		if f.NumRows() != 0 || len(schemaLines(f)) != 11 {
			t.Errorf("%s: %d rows, schema %v; want an empty file with the schema", name, f.NumRows(), schemaLines(f))
		}
	}
}

func TestConcatenateParquetRefusesBadPart(t *testing.T) {
	good := encodeParquet(t, ParquetOptions{}, manyProfiles(2)...)
	var out bytes.Buffer
	err := Concatenate(context.Background(), &out, Parquet, false, parts(good, []byte("not parquet at all")))
	if err == nil {
		t.Fatal("Concatenate accepted a part that is not Parquet")
	}
}

func TestConcatenateJSONLGzip(t *testing.T) {
	all := manyProfiles(300)
	g1 := encodeJSONL(t, true, all[:100]...)
	empty := encodeJSONL(t, true)
	g2 := encodeJSONL(t, true, all[100:]...)
	data := concat(t, JSONL, true, g1, empty, g2)

	want := encodeJSONL(t, false, all...)
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr) // multistream is on by default: reads every member
	if err != nil {
		t.Fatalf("read multi-member gzip: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Go's gzip reader got %d lines, want %d", scanLines(got), len(all))
	}
	if got := gunzipCLI(t, data); !bytes.Equal(got, want) {
		t.Errorf("gzip -dc got %d lines, want %d", scanLines(got), len(all))
	}
}

func TestConcatenateJSONLPlain(t *testing.T) {
	all := manyProfiles(10)
	data := concat(t, JSONL, false, encodeJSONL(t, false, all[:4]...), nil, encodeJSONL(t, false, all[4:]...))
	if recs := parseJSONL(t, data); len(recs) != len(all) || recs[9].Line != all[9].Line {
		t.Errorf("%d records, want %d", len(recs), len(all))
	}
}

func TestConcatenateJSONLOfNothing(t *testing.T) {
	if data := concat(t, JSONL, false); len(data) != 0 {
		t.Errorf("plain: %q, want nothing", data)
	}
	// Gzip of nothing is still a valid, empty gzip file.
	for _, files := range [][][]byte{nil, {nil, nil}} {
		data := concat(t, JSONL, true, files...)
		if got := gunzipCLI(t, data); len(got) != 0 {
			t.Errorf("gzip -dc of an empty concatenation = %q", got)
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("empty concatenation is not gzip: %v", err)
		}
		if got, err := io.ReadAll(zr); err != nil || len(got) != 0 {
			t.Errorf("empty concatenation reads %q, %v", got, err)
		}
	}
}

func TestConcatenateJSONLRefusesTruncatedPart(t *testing.T) {
	whole := encodeJSONL(t, false, manyProfiles(3)...)
	var out bytes.Buffer
	err := Concatenate(context.Background(), &out, JSONL, false, parts(whole, whole[:len(whole)-10]))
	if err == nil {
		t.Error("Concatenate accepted a part cut in the middle of a line")
	}
}

func TestConcatenateHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, format := range []Format{JSONL, Parquet} {
		var part []byte
		if format == JSONL {
			part = encodeJSONL(t, false, manyProfiles(2)...)
		} else {
			part = encodeParquet(t, ParquetOptions{}, manyProfiles(2)...)
		}
		err := Concatenate(ctx, io.Discard, format, false, parts(part))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Concatenate with a cancelled context = %v, want context.Canceled", format, err)
		}
	}
}

func TestConcatenateRefusesBadFormat(t *testing.T) {
	for _, c := range []struct {
		format Format
		gz     bool
	}{{Parquet, true}, {"csv", false}} {
		if err := Concatenate(context.Background(), io.Discard, c.format, c.gz, nil); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("Concatenate(%q, gzip=%v) = %v, want ErrUnknownFormat", c.format, c.gz, err)
		}
	}
}
