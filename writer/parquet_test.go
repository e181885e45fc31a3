package writer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/profile-export/profile-export/row"
)

// readRow is how a reader maps the Parquet file, declared independently of the
// encoder's schema so the test reads by column name.
type readRow struct {
	Line       int64              `parquet:"line"`
	ID         string             `parquet:"id"`
	Type       string             `parquet:"type"`
	FetchedAt  time.Time          `parquet:"fetched_at,timestamp(microsecond)"`
	VisitorID  *string            `parquet:"visitor_id,optional"`
	ModifiedAt *time.Time         `parquet:"modified_at,optional,timestamp(microsecond)"`
	Attributes map[string]*string `parquet:"attributes" parquet-value:",optional"`
	Profile    string             `parquet:"profile,json"`
}

func encodeParquet(t testing.TB, opts ParquetOptions, profiles ...row.Profile) []byte {
	t.Helper()
	var out bytes.Buffer
	enc := NewParquet(&out, opts)
	for _, p := range profiles {
		if err := enc.Write(p); err != nil {
			t.Fatalf("Write(line %d): %v", p.Line, err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func openParquet(t testing.TB, data []byte) *parquet.File {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("open Parquet: %v", err)
	}
	return f
}

func readParquet(t testing.TB, data []byte) []readRow {
	t.Helper()
	r := parquet.NewGenericReader[readRow](bytes.NewReader(data))
	defer r.Close()
	var rows []readRow
	buf := make([]readRow, 7) // an odd batch size crosses row group bounds
	for {
		n, err := r.Read(buf)
		rows = append(rows, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatalf("read Parquet rows: %v", err)
		}
		clear(buf)
	}
}

// columnValues reads every value of one leaf column, page by page.
func columnValues(t testing.TB, f *parquet.File, path ...string) []parquet.Value {
	t.Helper()
	leaf, ok := f.Schema().Lookup(path...)
	if !ok {
		t.Fatalf("no column %v", path)
	}
	var values []parquet.Value
	for _, rg := range f.RowGroups() {
		pages := rg.ColumnChunks()[leaf.ColumnIndex].Pages()
		for {
			page, err := pages.ReadPage()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("read page of %v: %v", path, err)
			}
			buf := make([]parquet.Value, page.NumValues())
			n, err := page.Values().ReadValues(buf)
			if err != nil && !errors.Is(err, io.EOF) {
				t.Fatalf("read values of %v: %v", path, err)
			}
			for _, v := range buf[:n] {
				values = append(values, v.Clone())
			}
			parquet.Release(page)
		}
		pages.Close()
	}
	return values
}

// schemaLines describes the file's schema as written in its footer, which is
// what every other reader sees: one "name repetition type logical-type" line
// per element, indented by depth.
func schemaLines(f *parquet.File) []string {
	elems := f.Metadata().Schema
	var lines []string
	var walk func(i, depth int) int
	walk = func(i, depth int) int {
		e := elems[i]
		var parts []string
		if e.RepetitionType.Valid {
			parts = append(parts, strings.ToLower(e.RepetitionType.V.String()))
		}
		if e.Type.Valid {
			parts = append(parts, e.Type.V.String())
		} else {
			parts = append(parts, "group")
		}
		parts = append(parts, e.Name)
		if lt := e.LogicalType.String(); lt != "" {
			parts = append(parts, lt)
		}
		lines = append(lines, strings.Repeat("  ", depth)+strings.Join(parts, " "))
		next := i + 1
		for range e.NumChildren.V {
			next = walk(next, depth+1)
		}
		return next
	}
	for i := 1; i < len(elems); { // element 0 is the root
		i = walk(i, 0)
	}
	return lines
}

// TestParquetSchema checks the column types a warehouse sees with no hints:
// STRING and JSON logical types, UTC-adjusted timestamps, and the standard
// three-level MAP (a repeated key_value group holding a required key and an
// optional value).
func TestParquetSchema(t *testing.T) {
	f := openParquet(t, encodeParquet(t, ParquetOptions{}, profile(2, "x", row.TntID, `{}`)))
	want := []string{
		"required INT64 line INT(64,true)",
		"required BYTE_ARRAY id STRING",
		"required BYTE_ARRAY type STRING",
		"required INT64 fetched_at TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)",
		"optional BYTE_ARRAY visitor_id STRING",
		"optional INT64 modified_at TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)",
		"required group attributes MAP",
		"  repeated group key_value",
		"    required BYTE_ARRAY key STRING",
		"    optional BYTE_ARRAY value STRING",
		"required BYTE_ARRAY profile JSON",
	}
	if got := schemaLines(f); !reflect.DeepEqual(got, want) {
		t.Errorf("schema:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, rg := range f.Metadata().RowGroups {
		for _, c := range rg.Columns {
			md := c.MetaData
			if md.Codec != format.Zstd {
				t.Errorf("column %v is compressed with %v, want ZSTD", md.PathInSchema, md.Codec)
			}
			// Only the encodings and page kinds every reader knows.
			for _, e := range md.Encoding {
				if e != format.Plain && e != format.RLE && e != format.RLEDictionary {
					t.Errorf("column %v uses encoding %v", md.PathInSchema, e)
				}
			}
			for _, s := range md.EncodingStats {
				if s.PageType != format.DataPage && s.PageType != format.DictionaryPage {
					t.Errorf("column %v has %v pages, want v1 data pages", md.PathInSchema, s.PageType)
				}
			}
			if len(md.EncodingStats) == 0 {
				t.Errorf("column %v: no page encoding stats to check", md.PathInSchema)
			}
			// The columns of few distinct values are dictionary-encoded: the ID
			// type, and the attribute names, which repeat in every row.
			path := strings.Join(md.PathInSchema, ".")
			if dict := slices.Contains(md.Encoding, format.RLEDictionary); dict != (path == "type" || path == "attributes.key_value.key") {
				t.Errorf("column %s: dictionary-encoded = %v", path, dict)
			}
		}
	}
}

// TestParquetSchemaLevels ties the column indexes the encoder writes to with
// the schema it declares.
func TestParquetSchemaLevels(t *testing.T) {
	for _, c := range []struct {
		path          []string
		index         int
		maxRep, maxDf int
	}{
		{[]string{"line"}, colLine, 0, 0},
		{[]string{"id"}, colID, 0, 0},
		{[]string{"type"}, colType, 0, 0},
		{[]string{"fetched_at"}, colFetchedAt, 0, 0},
		{[]string{"visitor_id"}, colVisitorID, 0, 1},
		{[]string{"modified_at"}, colModifiedAt, 0, 1},
		{[]string{"attributes", "key_value", "key"}, colAttrKey, 1, 1},
		{[]string{"attributes", "key_value", "value"}, colAttrValue, 1, 2},
		{[]string{"profile"}, colProfile, 0, 0},
	} {
		leaf, ok := profileSchema.Lookup(c.path...)
		if !ok || leaf.ColumnIndex != c.index || leaf.MaxRepetitionLevel != c.maxRep || leaf.MaxDefinitionLevel != c.maxDf {
			t.Errorf("column %v: index %d rep %d def %d, want %d %d %d", c.path,
				leaf.ColumnIndex, leaf.MaxRepetitionLevel, leaf.MaxDefinitionLevel, c.index, c.maxRep, c.maxDf)
		}
	}
	if n := len(profileSchema.Columns()); n != colProfile+1 {
		t.Errorf("schema has %d leaf columns, want %d", n, colProfile+1)
	}
}

// parquetCases are profiles with the answer shapes the API may send.
var parquetCases = []struct {
	p    row.Profile
	want readRow // Line, ID, Type, FetchedAt and Profile are filled in from p
}{
	{ // the documented answer
		p: profile(2, "111492025094307-353046.28_0", row.TntID,
			`{"client":"acmecorp","visitorId":"a1-mbox3rdPartyId","modifiedAt":"2017-08-18T17:53:39.003-04:00","profileAttributes":{"user.memberlevel":{"value":"0.0","modifiedAt":"2017-08-09T18:18:04.661-04:00"},"firstSessionStart":{"value":"1500648715286","modifiedAt":"2017-07-21T10:51:55.286-04:00"}}}`),
		want: readRow{
			VisitorID:  ptr("a1-mbox3rdPartyId"),
			ModifiedAt: ptr(time.Date(2017, 8, 18, 21, 53, 39, 3e6, time.UTC)),
			Attributes: map[string]*string{"user.memberlevel": ptr("0.0"), "firstSessionStart": ptr("1500648715286")},
		},
	},
	{ // the older generation of the docs: no visitorId, no offset
		p: profile(3, "12345678901234567890123456789012345678", row.ECID,
			`{"mboxPC":"111492025094307-353046","thirdPartyId":"crm-1","modifiedAt":"2016-12-01T16:35:45","profileAttributes":{"a.b.c":{"value":"x"}}}`),
		want: readRow{
			ModifiedAt: ptr(time.Date(2016, 12, 1, 16, 35, 45, 0, time.UTC)),
			Attributes: map[string]*string{"a.b.c": ptr("x")},
		},
	},
	{ // nothing at all
		p:    profile(4, "empty-answer", row.ThirdPartyID, `{}`),
		want: readRow{},
	},
	{ // not even an object
		p:    profile(5, "array-answer", row.ThirdPartyID, `[1, 2]`),
		want: readRow{},
	},
	{ // odd values, unreadable modifiedAt, non-string attribute values
		p: profile(6, "odd", row.TntID,
			"{\"visitorId\": 42,\n \"modifiedAt\": \"last tuesday\",\n \"profileAttributes\": {\"n\": {\"value\": 3.5}, \"b\": {\"value\": true}, \"o\": {\"value\": {\"k\": [1, \"two\"]}}, \"nul\": {\"value\": null}, \"novalue\": {\"modifiedAt\": \"x\"}, \"bare\": \"direct\"}}"),
		want: readRow{
			VisitorID: ptr("42"),
			Attributes: map[string]*string{"n": ptr("3.5"), "b": ptr("true"), "o": ptr(`{"k":[1,"two"]}`),
				"nul": nil, "novalue": nil, "bare": ptr("direct")},
		},
	},
	{ // non-ASCII everywhere, raw and escaped, and a hostile ID
		p: profile(7, "crm \"é\"\n\x01日本", row.ThirdPartyID,
			`{"visitorId":"vé","profileAttributes":{"user.prénom":{"value":"Zoë 😀"},"\u65e5.\u672c":{"value":"\ud83d\ude00 \"q\""}}}`),
		want: readRow{
			VisitorID:  ptr("vé"),
			Attributes: map[string]*string{"user.prénom": ptr("Zoë 😀"), "日.本": ptr("😀 \"q\"")},
		},
	},
	{ // an empty ID and an empty attribute name
		p:    profile(8, "", row.TntID, `{"profileAttributes":{"":{"value":""}}}`),
		want: readRow{Attributes: map[string]*string{"": ptr("")}},
	},
}

func TestParquetRoundTrip(t *testing.T) {
	var profiles []row.Profile
	for _, c := range parquetCases {
		profiles = append(profiles, c.p)
	}
	data := encodeParquet(t, ParquetOptions{}, profiles...)
	got := readParquet(t, data)
	if len(got) != len(parquetCases) {
		t.Fatalf("read %d rows, want %d", len(got), len(parquetCases))
	}
	for i, c := range parquetCases {
		if g, want := normalRow(got[i]), wantRow(c.p, c.want); !reflect.DeepEqual(g, want) {
			t.Errorf("row %d:\n got %s\nwant %s", i, describe(g), describe(want))
		}
	}
}

// wantRow is the row a reader should get for p, whose answer's fields are in
// fields.
func wantRow(p row.Profile, fields readRow) readRow {
	want := fields
	want.Line, want.ID, want.Type, want.Profile = p.Line, p.ID, string(p.Type), string(p.Body)
	want.FetchedAt = p.FetchedAt.Truncate(time.Microsecond).UTC()
	return normalRow(want)
}

// normalRow makes an empty attributes map compare equal to a missing one.
func normalRow(r readRow) readRow {
	if r.Attributes == nil {
		r.Attributes = map[string]*string{}
	}
	return r
}

// TestParquetBatchesKeepTheirRows writes rows as an export does, each body
// through the same buffer overwritten after every Write, in more rows than one
// batch of the encoder and with row groups that end inside a batch. Every row
// must read back as it was sent, not as a later one that reused the buffer.
func TestParquetBatchesKeepTheirRows(t *testing.T) {
	const n = 3*parquetBatchRows + 5
	var out bytes.Buffer
	enc := NewParquet(&out, ParquetOptions{RowGroupRows: 50})
	var buf []byte
	var want []readRow
	for i := range n {
		c := parquetCases[i%len(parquetCases)]
		p := c.p
		p.Line = int64(i + 2)
		p.ID = fmt.Sprintf("%s#%d", c.p.ID, i)
		want = append(want, wantRow(p, c.want))
		buf = append(buf[:0], p.Body...)
		p.Body = buf
		if err := enc.Write(p); err != nil {
			t.Fatalf("Write(line %d): %v", p.Line, err)
		}
		clear(buf) // what the next answer would do to it
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	got := readParquet(t, out.Bytes())
	if len(got) != n {
		t.Fatalf("read %d rows, want %d", len(got), n)
	}
	for i := range got {
		if g := normalRow(got[i]); !reflect.DeepEqual(g, want[i]) {
			t.Fatalf("row %d:\n got %s\nwant %s", i, describe(g), describe(want[i]))
		}
	}
	var groups []int64
	for _, rg := range openParquet(t, out.Bytes()).RowGroups() {
		groups = append(groups, rg.NumRows())
	}
	if fmt.Sprint(groups) != "[50 50 50 47]" {
		t.Errorf("row groups of %v rows, want [50 50 50 47]", groups)
	}
}

func describe(r readRow) string {
	s := fmt.Sprintf("line=%d id=%q type=%q fetched_at=%s", r.Line, r.ID, r.Type, r.FetchedAt.Format(time.RFC3339Nano))
	if r.VisitorID != nil {
		s += fmt.Sprintf(" visitor_id=%q", *r.VisitorID)
	}
	if r.ModifiedAt != nil {
		s += " modified_at=" + r.ModifiedAt.Format(time.RFC3339Nano)
	}
	s += " attributes={"
	for k, v := range r.Attributes {
		if v == nil {
			s += fmt.Sprintf("%q:null ", k)
		} else {
			s += fmt.Sprintf("%q:%q ", k, *v)
		}
	}
	return s + "} profile=" + r.Profile
}

// TestParquetColumns reads the file column by column, as a columnar engine
// does, checking values and the levels that encode nulls and map entries.
func TestParquetColumns(t *testing.T) {
	f := openParquet(t, encodeParquet(t, ParquetOptions{},
		profile(2, "a", row.TntID, `{"visitorId":"v","modifiedAt":"2016-12-01T16:35:45","profileAttributes":{"k1":{"value":"x"},"k2":{"value":null}}}`),
		profile(3, "b", row.ECID, `{}`),
	))
	type lv struct {
		rep, def int
		val      string // "" for null
	}
	levels := func(path ...string) []lv {
		var out []lv
		for _, v := range columnValues(t, f, path...) {
			s := ""
			if !v.IsNull() {
				s = v.String()
			}
			out = append(out, lv{v.RepetitionLevel(), v.DefinitionLevel(), s})
		}
		return out
	}
	checks := []struct {
		path []string
		want []lv
	}{
		{[]string{"line"}, []lv{{0, 0, "2"}, {0, 0, "3"}}},
		{[]string{"id"}, []lv{{0, 0, "a"}, {0, 0, "b"}}},
		{[]string{"type"}, []lv{{0, 0, "tntId"}, {0, 0, "marketingCloudVisitorId"}}},
		{[]string{"fetched_at"}, []lv{{0, 0, fmt.Sprint(fetched.UnixMicro())}, {0, 0, fmt.Sprint(fetched.UnixMicro())}}},
		{[]string{"visitor_id"}, []lv{{0, 1, "v"}, {0, 0, ""}}},
		{[]string{"modified_at"}, []lv{{0, 1, fmt.Sprint(time.Date(2016, 12, 1, 16, 35, 45, 0, time.UTC).UnixMicro())}, {0, 0, ""}}},
		{[]string{"attributes", "key_value", "key"}, []lv{{0, 1, "k1"}, {1, 1, "k2"}, {0, 0, ""}}},
		{[]string{"attributes", "key_value", "value"}, []lv{{0, 2, "x"}, {1, 1, ""}, {0, 0, ""}}},
	}
	for _, c := range checks {
		if got := levels(c.path...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("column %v = %v, want %v", c.path, got, c.want)
		}
	}
}

func TestParquetEmptyPartIsValid(t *testing.T) {
	data := encodeParquet(t, ParquetOptions{})
	f := openParquet(t, data)
	if f.NumRows() != 0 || len(f.RowGroups()) != 0 {
		t.Errorf("empty part has %d rows in %d row groups", f.NumRows(), len(f.RowGroups()))
	}
	if got := schemaLines(f); len(got) != 11 {
		t.Errorf("empty part schema = %v, want the full schema", got)
	}
	if rows := readParquet(t, data); len(rows) != 0 {
		t.Errorf("empty part reads %d rows", len(rows))
	}
}

func TestParquetRowGroupsAreBounded(t *testing.T) {
	profiles := manyProfiles(25)
	data := encodeParquet(t, ParquetOptions{RowGroupRows: 10}, profiles...)
	f := openParquet(t, data)
	var sizes []int64
	for _, rg := range f.RowGroups() {
		sizes = append(sizes, rg.NumRows())
	}
	if fmt.Sprint(sizes) != "[10 10 5]" {
		t.Errorf("row groups of %v rows, want [10 10 5]", sizes)
	}
	rows := readParquet(t, data)
	if len(rows) != len(profiles) {
		t.Fatalf("read %d rows, want %d", len(rows), len(profiles))
	}
	for i, r := range rows {
		if r.Line != profiles[i].Line || r.Profile != string(profiles[i].Body) {
			t.Fatalf("row %d = line %d, want %d", i, r.Line, profiles[i].Line)
		}
	}
}

func TestParquetKeepsBodyVerbatimAndFixesUTF8(t *testing.T) {
	multiline := "{\n  \"visitorId\": \"v\"\n}"
	badUTF8 := "{\"visitorId\":\"bad \xff\"}"
	rows := readParquet(t, encodeParquet(t, ParquetOptions{},
		profile(2, "bad \xfe id", row.TntID, multiline),
		profile(3, "b", row.TntID, badUTF8)))
	if rows[0].Profile != multiline {
		t.Errorf("profile = %q, want the multi-line body verbatim", rows[0].Profile)
	}
	if rows[0].ID != "bad \uFFFD id" {
		t.Errorf("id = %q, want bad UTF-8 replaced", rows[0].ID)
	}
	if want := "{\"visitorId\":\"bad \uFFFD\"}"; rows[1].Profile != want || *rows[1].VisitorID != "bad \uFFFD" {
		t.Errorf("profile = %q visitor_id = %q, want bad UTF-8 replaced", rows[1].Profile, *rows[1].VisitorID)
	}
}

func TestParquetRefusesInvalidBodyAndGoesOn(t *testing.T) {
	var out bytes.Buffer
	enc := NewParquet(&out, ParquetOptions{})
	if err := enc.Write(profile(2, "x", row.TntID, `{"truncated":`)); !errors.Is(err, ErrInvalidProfile) {
		t.Errorf("Write(invalid) = %v, want ErrInvalidProfile", err)
	}
	if err := enc.Write(profile(3, "y", row.TntID, `{"ok":true}`)); err != nil {
		t.Fatalf("Write after a refused profile: %v", err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if rows := readParquet(t, out.Bytes()); len(rows) != 1 || rows[0].Line != 3 {
		t.Errorf("rows = %v, want only line 3", rows)
	}
	if err := enc.Write(profile(4, "z", row.TntID, `{}`)); err == nil {
		t.Error("Write after Close succeeded")
	}
}

func TestParquetCloseDoesNotCloseWriter(t *testing.T) {
	var w closeTracker
	enc := NewParquet(&w, ParquetOptions{})
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if w.closed {
		t.Error("Close closed the underlying writer")
	}
}

func TestNewEncoder(t *testing.T) {
	for _, c := range []struct {
		format Format
		gz     bool
		ok     bool
	}{
		{JSONL, false, true}, {JSONL, true, true}, {Parquet, false, true},
		{Parquet, true, false}, {"csv", false, false}, {"", false, false},
	} {
		enc, err := NewEncoder(io.Discard, c.format, c.gz, ParquetOptions{})
		if (err == nil) != c.ok {
			t.Errorf("NewEncoder(%q, gzip=%v) error = %v, want ok=%v", c.format, c.gz, err, c.ok)
		}
		if err == nil {
			enc.Close()
		} else if !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("NewEncoder(%q, gzip=%v) error = %v, want ErrUnknownFormat", c.format, c.gz, err)
		}
	}
}
