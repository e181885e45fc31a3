package writer

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/profile-export/profile-export/row"
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

// variedProfiles are n profiles that differ in every optional column: some
// without visitorId or modifiedAt, some with no attribute, some with a null
// value, so that rows written again after decoding must come out the same.
func variedProfiles(n int) []row.Profile {
	ps := manyProfiles(n)
	for i := range ps {
		switch i % 4 {
		case 1:
			ps[i].Body = []byte(fmt.Sprintf(`{"profileAttributes":{"a":{"value":null},"b":{"value":"%d"}}}`, i))
		case 2:
			ps[i].Body = []byte(`{"visitorId":"only","profileAttributes":{}}`)
		case 3:
			ps[i].Body = []byte(fmt.Sprintf(`{"modifiedAt":"2016-12-01T16:35:45","x":%d}`, i))
		}
	}
	return ps
}

// Concatenated parts make row groups of the configured size: full groups are
// copied, runs of short ones (the parts of a slow run) are merged, and every
// row comes out once, in order, with every column as it went in.
func TestConcatenateParquetRowGroups(t *testing.T) {
	const groupRows = 10
	for _, tc := range []struct {
		name       string
		parts      [][]int // each part's row groups, in rows
		wantGroups []int
	}{
		{"full groups are kept", [][]int{{10, 10}, {10}}, []int{10, 10, 10}},
		{"small parts are merged", [][]int{{3}, {4}, {5}, {6}}, []int{10, 8}},
		{"a short end before a full group stays, not to re-encode what follows", [][]int{{10, 10, 5}, {10, 10, 2}}, []int{10, 10, 5, 10, 10, 2}},
		{"short groups are merged up to a full one", [][]int{{10, 3}, {4}, {5}, {10}}, []int{10, 10, 2, 10}},
		{"empty parts add nothing", [][]int{{}, {7}, {}, {3}, {}}, []int{10}},
		{"pending rows before a part of full groups", [][]int{{4}, {10, 10, 10}}, []int{4, 10, 10, 10}},
		{"nothing", [][]int{{}, {}}, nil},
		{"one short part", [][]int{{1}}, []int{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			total := 0
			for _, groups := range tc.parts {
				for _, g := range groups {
					total += g
				}
			}
			all := variedProfiles(total)
			var files [][]byte
			var want []readRow
			next := 0
			for _, groups := range tc.parts {
				// A part whose row groups have the given sizes, as a
				// checkpoint part has: one file per group, their row groups
				// copied as they are into one file.
				var singles [][]byte
				for _, g := range groups {
					singles = append(singles, encodeParquet(t, ParquetOptions{RowGroupRows: g}, all[next:next+g]...))
					next += g
				}
				part := copyRowGroups(t, singles...)
				if got := groupSizes(openParquet(t, part.Bytes())); !equalInts(got, groups) {
					t.Fatalf("test part has row groups %v, want %v", got, groups)
				}
				files = append(files, part.Bytes())
				want = append(want, readParquet(t, part.Bytes())...)
			}

			var out bytes.Buffer
			if err := concatParquetGroups(context.Background(), &out, parts(files...), groupRows); err != nil {
				t.Fatalf("concatenate: %v", err)
			}
			f := openParquet(t, out.Bytes())
			if got := groupSizes(f); !equalInts(got, tc.wantGroups) {
				t.Errorf("row groups %v, want %v", got, tc.wantGroups)
			}
			if got, want := schemaLines(f), schemaLines(openParquet(t, encodeParquet(t, ParquetOptions{}))); !equalStrings(got, want) {
				t.Errorf("schema changed:\n%v\nwant\n%v", got, want)
			}
			got := readParquet(t, out.Bytes())
			if len(got) != len(want) {
				t.Fatalf("%d rows, want %d", len(got), len(want))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("row %d = %s\nwant %s", i, describe(got[i]), describe(want[i]))
				}
			}
		})
	}
}

// The default: a file assembled from parts has row groups of
// DefaultRowGroupRows rows, the README's promise.
func TestConcatenateParquetDefaultGroups(t *testing.T) {
	all := manyProfiles(DefaultRowGroupRows + 2500)
	var files [][]byte
	for i := 0; i < len(all); i += 600 { // a slow run's parts of a minute each
		files = append(files, encodeParquet(t, ParquetOptions{}, all[i:min(i+600, len(all))]...))
	}
	data := concat(t, Parquet, false, files...)
	if got := groupSizes(openParquet(t, data)); !equalInts(got, []int{DefaultRowGroupRows, 2500}) {
		t.Errorf("row groups %v, want [%d 2500]", got, DefaultRowGroupRows)
	}
	if rows := readParquet(t, data); len(rows) != len(all) || rows[len(rows)-1].Line != all[len(all)-1].Line {
		t.Errorf("%d rows, want %d in order", len(rows), len(all))
	}
}

// copyRowGroups writes every row group of files, unchanged, into one file.
func copyRowGroups(t *testing.T, files ...[]byte) *bytes.Buffer {
	t.Helper()
	var out bytes.Buffer
	w := parquet.NewGenericWriter[any](&out, parquetWriterOptions()...)
	for _, data := range files {
		for _, rg := range openParquet(t, data).RowGroups() {
			if _, err := w.WriteRowGroup(rg); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &out
}

func groupSizes(f *parquet.File) []int {
	var sizes []int
	for _, rg := range f.RowGroups() {
		sizes = append(sizes, int(rg.NumRows()))
	}
	return sizes
}

func equalInts(a, b []int) bool {
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
