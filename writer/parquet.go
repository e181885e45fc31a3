package writer

import (
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"

	"github.com/profile-export/profile-export/row"
)

// DefaultRowGroupRows is the number of rows per Parquet row group when
// ParquetOptions.RowGroupRows is 0. A row group is held in memory (compressed)
// until it is complete, so this bounds the encoder's memory: about 10,000 times
// the compressed size of one profile.
const DefaultRowGroupRows = 10_000

// ParquetOptions configures NewParquet. The zero value means the defaults.
type ParquetOptions struct {
	// RowGroupRows is the number of rows per row group; 0 means
	// DefaultRowGroupRows.
	RowGroupRows int
}

// parquetRow declares the Parquet schema of the profiles output; the encoder
// builds rows by hand, column by column, rather than from this struct.
//
// Warehouses read every column without hints: strings carry the STRING logical
// type, timestamps TIMESTAMP(MICROS, isAdjustedToUTC=true), attributes the
// standard three-level MAP (attributes.key_value.key / .value) and profile the
// JSON logical type.
type parquetRow struct {
	Line       int64              `parquet:"line"`
	ID         string             `parquet:"id"`
	Type       string             `parquet:"type,dict"`
	FetchedAt  time.Time          `parquet:"fetched_at,timestamp(microsecond)"`
	VisitorID  *string            `parquet:"visitor_id,optional"`
	ModifiedAt *time.Time         `parquet:"modified_at,optional,timestamp(microsecond)"`
	Attributes map[string]*string `parquet:"attributes" parquet-key:",dict" parquet-value:",optional"`
	Profile    string             `parquet:"profile,json"`
}

// profileSchema is the schema of every Parquet part and of the assembled file.
var profileSchema = parquet.SchemaOf(parquetRow{})

// Leaf column indexes in profileSchema, with the maximum definition levels of
// the optional ones (see TestParquetSchemaLevels).
const (
	colLine = iota
	colID
	colType
	colFetchedAt
	colVisitorID
	colModifiedAt
	colAttrKey   // attributes.key_value.key: repeated (level 1), defined at 1
	colAttrValue // attributes.key_value.value: repeated (level 1), defined at 2
	colProfile
)

// parquetWriterOptions are the options of every Parquet writer of this package;
// Concatenate relies on parts and final file sharing them, so that row groups
// are copied without being decoded.
//
// For the widest support among readers (some warehouses refuse v2 data pages or
// DELTA encodings), pages are v1 and strings PLAIN-encoded rather than
// parquet-go's defaults (v2 pages, DELTA_LENGTH_BYTE_ARRAY): the encodings are
// then PLAIN, RLE (levels) and RLE_DICTIONARY (the type column and the
// attribute names, which repeat from row to row), as in files
// written by Spark or Arrow.
func parquetWriterOptions() []parquet.WriterOption {
	return []parquet.WriterOption{
		profileSchema,
		parquet.Compression(parquetZstd), // see zstd.go
		parquet.DataPageVersion(1),
		parquet.DefaultEncodingFor(parquet.ByteArray, &parquet.Plain),
		parquet.CreatedBy("profile-export", "", ""),
		// No page bounds for the answer and the attribute values: a reader cannot
		// prune pages of JSON blobs by their min and max, and parquet-go keeps
		// every page's bounds in memory until the footer: half of what made a
		// Parquet export's memory grow with its rows (TestParquetEncoderMemory...).
		parquet.SkipPageBounds("profile"),
		parquet.SkipPageBounds("attributes", "key_value", "value"),
	}
}

// NewParquet returns an encoder writing one Parquet file to w, with the columns
//
//	line         int64, required: the input line of the row
//	id           string, required
//	type         string, required: tntId, marketingCloudVisitorId or thirdPartyId
//	fetched_at   timestamp (µs, UTC), required
//	visitor_id   string, optional: the answer's "visitorId"
//	modified_at  timestamp (µs, UTC), optional: the answer's "modifiedAt"
//	attributes   map<string, string>: each profileAttributes name → its "value"
//	profile      string (JSON), required: the answer as received
//
// The answer is read leniently, never failing a row on a missing field:
//   - visitor_id is null when visitorId is missing or null; a non-string value
//     is kept as its JSON text.
//   - modified_at is null when modifiedAt is missing or unreadable. With an
//     offset ("2017-08-18T17:53:39.003-04:00", Z) it is converted to UTC;
//     without one ("2016-12-01T16:35:45", an older API generation) it is taken
//     as UTC.
//   - attributes holds, in the answer's order, each profileAttributes name with
//     its "value": a string as is, any other value as its JSON text, null when
//     the value is null or absent. An attribute that is not an object is its
//     own value. A name given twice keeps its last value.
//
// A body with invalid UTF-8 has it replaced by U+FFFD everywhere (STRING
// columns must hold UTF-8); otherwise profile is the body byte for byte.
// All columns are zstd-compressed; rows are flushed as a row group every
// opts.RowGroupRows rows. A file that got no row is still a valid Parquet file,
// with the schema and no row group.
func NewParquet(w io.Writer, opts ParquetOptions) ProfileEncoder {
	rows := opts.RowGroupRows
	if rows <= 0 {
		rows = DefaultRowGroupRows
	}
	options := append(parquetWriterOptions(), parquet.MaxRowsPerRowGroup(int64(rows)))
	return &parquetEncoder{
		w:     parquet.NewGenericWriter[any](w, options...),
		rows:  make([]parquet.Row, parquetBatchRows),
		arena: make([]byte, 0, parquetBatchRows*4<<10),
	}
}

// parquetBatchRows is how many rows the encoder gathers before handing them to
// parquet-go in one WriteRows call. parquet-go's per-call work (splitting each
// row by column, then one buffered write per column) is then paid once per batch
// rather than once per row; parquet-go itself writes at most 64 rows per step.
const parquetBatchRows = 64

type parquetEncoder struct {
	w    *parquet.GenericWriter[any]
	norm bodyNormalizer
	ans  answer
	// rows[:n] is the pending batch. Its values point into arena, where Write
	// copies every byte string of a row: the caller's body and the decoder's
	// buffers are reused before the batch is written.
	rows   []parquet.Row
	n      int
	line   int64 // the last row's, for the error of a batch
	arena  []byte
	err    error
	closed bool
}

func (e *parquetEncoder) Write(p row.Profile) error {
	if e.closed {
		return errClosed
	}
	if e.err != nil {
		return e.err
	}
	body, err := e.norm.normalize(p.Body, p.Checked, false)
	if err != nil {
		return fmt.Errorf("line %d: %w", p.Line, err)
	}
	e.ans.decode(body)

	id := e.keep(appendValidUTF8(e.arena, p.ID))
	typ := e.keep(appendValidUTF8(e.arena, string(p.Type)))
	r := e.rows[e.n][:0]
	r = append(r,
		parquet.Int64Value(p.Line).Level(0, 0, colLine),
		parquet.ByteArrayValue(id).Level(0, 0, colID),
		parquet.ByteArrayValue(typ).Level(0, 0, colType),
		parquet.Int64Value(p.FetchedAt.UnixMicro()).Level(0, 0, colFetchedAt),
	)
	if e.ans.hasVisitorID {
		r = append(r, parquet.ByteArrayValue(e.keep(append(e.arena, e.ans.visitorID...))).Level(0, 1, colVisitorID))
	} else {
		r = append(r, parquet.NullValue().Level(0, 0, colVisitorID))
	}
	if e.ans.hasModifiedAt {
		r = append(r, parquet.Int64Value(e.ans.modifiedAt.UnixMicro()).Level(0, 1, colModifiedAt))
	} else {
		r = append(r, parquet.NullValue().Level(0, 0, colModifiedAt))
	}
	r = e.appendAttributes(r, e.ans.attrs)
	r = append(r, parquet.ByteArrayValue(e.keep(append(e.arena, body...))).Level(0, 0, colProfile))
	e.rows[e.n] = r
	e.n++
	e.line = p.Line
	if e.n == len(e.rows) {
		return e.flush()
	}
	return nil
}

// keep makes grown, which is e.arena with bytes appended, the new arena and
// returns the appended bytes. When the append moved the arena, the values of the
// batch made earlier still point into the old array, which stays theirs.
func (e *parquetEncoder) keep(grown []byte) []byte {
	start := len(e.arena)
	e.arena = grown
	return grown[start:len(grown):len(grown)]
}

// flush writes the pending batch.
func (e *parquetEncoder) flush() error {
	if e.n == 0 {
		return nil
	}
	// The writer copies the values into its column buffers, so the arena and
	// the rows can be reused once it returns.
	_, err := e.w.WriteRows(e.rows[:e.n])
	e.n = 0
	e.arena = e.arena[:0]
	if err != nil {
		e.err = fmt.Errorf("write Parquet rows (up to line %d): %w", e.line, err)
	}
	return e.err
}

// appendAttributes appends the values of the attributes map: in a row, all the
// values of one column come before those of the next, so every key, then every
// value. The first entry has repetition level 0 (a new row), the others 1 (a new
// entry of the same map); an empty map is one null at definition level 0.
func (e *parquetEncoder) appendAttributes(r parquet.Row, attrs []attribute) parquet.Row {
	if len(attrs) == 0 {
		return append(r,
			parquet.NullValue().Level(0, 0, colAttrKey),
			parquet.NullValue().Level(0, 0, colAttrValue))
	}
	for k, at := range attrs {
		r = append(r, parquet.ByteArrayValue(e.keep(append(e.arena, at.name...))).Level(min(k, 1), 1, colAttrKey))
	}
	for k, at := range attrs {
		if at.null {
			r = append(r, parquet.NullValue().Level(min(k, 1), 1, colAttrValue))
		} else {
			r = append(r, parquet.ByteArrayValue(e.keep(append(e.arena, at.value...))).Level(min(k, 1), 2, colAttrValue))
		}
	}
	return r
}

// appendValidUTF8 appends s with invalid UTF-8 replaced by U+FFFD: STRING
// columns must hold UTF-8, and some readers refuse a file where they do not.
func appendValidUTF8(b []byte, s string) []byte {
	if utf8.ValidString(s) {
		return append(b, s...)
	}
	for _, r := range s { // ranging over a string yields U+FFFD for bad bytes
		b = utf8.AppendRune(b, r)
	}
	return b
}

func (e *parquetEncoder) Close() error {
	if e.closed {
		return e.err
	}
	e.closed = true
	if e.err == nil {
		_ = e.flush()
	}
	if err := e.w.Close(); err != nil && e.err == nil {
		e.err = fmt.Errorf("finish Parquet file: %w", err)
	}
	return e.err
}
