package reader

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/profile-export/profile-export/row"
)

// Defaults for the zero values of Config.
const (
	DefaultIDColumn      = "id"
	DefaultTypeColumn    = "type"
	DefaultComma         = ','
	DefaultMaxFieldBytes = 64 << 10
)

// keptOverlongID is how much of a long ID an invalid row keeps: enough to recognise
// it, not enough to bloat the rejects file.
const keptOverlongID = 1 << 10

// Config says how to read the input. The zero value reads a comma-separated file
// with columns "id" and "type".
type Config struct {
	// IDColumn names the column holding the visitor IDs (DefaultIDColumn if empty),
	// matched case-insensitively.
	IDColumn string
	// TypeColumn names the column holding each row's ID type (DefaultTypeColumn if
	// empty), matched case-insensitively. Values are read with row.ParseType.
	TypeColumn string
	// Type, when set, is the type of every row: the file needs no type column, and a
	// type column, if present, is ignored. Aliases such as "ecid" are accepted.
	Type row.Type
	// Comma is the field delimiter (DefaultComma if 0). It must be an ASCII character
	// other than '"', CR, LF and NUL.
	Comma rune
	// MaxFieldBytes is the longest field accepted (DefaultMaxFieldBytes if 0); a row
	// with a longer field is invalid. It also bounds the header, a quoted field running
	// over several lines, and (four times it) a line of a JSON Lines input.
	MaxFieldBytes int
	// Reasons, when not empty, keeps only the objects of a rejects (JSON Lines) input
	// whose "reason" is listed. It does not apply to CSV input.
	Reasons []row.Reason
}

// Reader reads rows from a CSV file of IDs or from a rejects file (JSON Lines).
type Reader struct {
	src   source
	cfg   Config
	comma byte
	limit int

	json    bool
	reasons map[row.Reason]bool
	skipped int64 // lines of a rejects file left out by Config.Reasons

	idCol, typeCol int // typeCol is -1 when Config.Type is set
	idName         string
	typeName       string

	line int64 // line number of the next byte
	rec  record
	err  error // sticky: io.EOF or a failure of the input
}

// New reads the header of r (whose bytes should be decompressed already: see Open)
// and returns a Reader of its rows. Problems with the file as a whole are returned as
// a *HeaderError; a bad Config or a failure of r as another error.
func New(r io.Reader, cfg Config) (*Reader, error) {
	rd := &Reader{line: 1, typeCol: -1}
	if err := rd.setConfig(cfg); err != nil {
		return nil, err
	}
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 4096 {
		br = bufio.NewReaderSize(r, inputBufferSize)
	}
	rd.src.br = br

	if err := rd.sniff(); err != nil {
		return nil, err
	}
	if rd.json {
		return rd, nil
	}
	if err := rd.readHeader(); err != nil {
		return nil, err
	}
	return rd, nil
}

func (rd *Reader) setConfig(cfg Config) error {
	if cfg.IDColumn == "" {
		cfg.IDColumn = DefaultIDColumn
	}
	if cfg.TypeColumn == "" {
		cfg.TypeColumn = DefaultTypeColumn
	}
	if cfg.Comma == 0 {
		cfg.Comma = DefaultComma
	}
	if cfg.MaxFieldBytes <= 0 {
		cfg.MaxFieldBytes = DefaultMaxFieldBytes
	}
	if cfg.Comma >= 0x80 || cfg.Comma == '"' || cfg.Comma == '\r' || cfg.Comma == '\n' {
		return fmt.Errorf("reader: delimiter %q not supported: use an ASCII character other than '\"', CR and LF", cfg.Comma)
	}
	if cfg.Type != "" {
		t, err := row.ParseType(string(cfg.Type))
		if err != nil {
			return fmt.Errorf("reader: %w", err)
		}
		cfg.Type = t
	}
	rd.idName = strings.ToLower(strings.TrimSpace(cfg.IDColumn))
	rd.typeName = strings.ToLower(strings.TrimSpace(cfg.TypeColumn))
	if cfg.Type == "" && rd.idName == rd.typeName {
		return fmt.Errorf("reader: the ID column and the type column are both named %q", cfg.IDColumn)
	}
	if len(cfg.Reasons) > 0 {
		rd.reasons = make(map[row.Reason]bool, len(cfg.Reasons))
		for _, r := range cfg.Reasons {
			rd.reasons[r] = true
		}
	}
	rd.cfg = cfg
	rd.comma = byte(cfg.Comma)
	rd.limit = cfg.MaxFieldBytes
	return nil
}

// sniff strips a UTF-8 byte-order mark, refuses UTF-16 and tells CSV from JSON Lines.
func (rd *Reader) sniff() error {
	br := rd.src.br
	head, err := br.Peek(3)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading input: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return &HeaderError{Problem: "the file is UTF-16 text: save it as UTF-8"}
	}
	// Look past leading white space, within what the buffer can hold.
	for n := 1; n <= br.Size(); n++ {
		buf, err := br.Peek(n)
		if len(buf) < n {
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("reading input: %w", err)
			}
			return nil
		}
		switch buf[n-1] {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			rd.json = true
		}
		return nil
	}
	return nil
}

// Read returns the next row. Rows with a problem are returned with Row.Invalid set.
// At the end it returns io.EOF; any other error is a failure of the input, and final.
func (rd *Reader) Read() (row.Row, error) {
	if rd.err != nil {
		return row.Row{}, rd.err
	}
	var r row.Row
	var err error
	if rd.json {
		r, err = rd.readJSON()
	} else {
		r, err = rd.readCSV()
	}
	if err != nil {
		if err != io.EOF {
			err = fmt.Errorf("reading input line %d: %w", rd.line, err)
		}
		rd.err = err
	}
	return r, err
}

func (rd *Reader) readCSV() (row.Row, error) {
	p := &rd.rec
	for {
		if err := rd.parseRecord(false); err != nil {
			return row.Row{}, err
		}
		if !p.blank() {
			break
		}
	}
	need := rd.idCol + 1
	if rd.typeCol >= need {
		need = rd.typeCol + 1
	}
	if p.quoteErr != "" {
		id, typ := naiveSplit(p.first, rd.comma, rd.idCol, rd.typeCol)
		return rd.makeRow(p.line, id, typ, "malformed CSV: "+p.quoteErr), nil
	}
	id, _ := p.field(rd.idCol)
	typ, _ := p.field(rd.typeCol)
	invalid := ""
	switch {
	case p.nfields < need:
		invalid = fmt.Sprintf("the row has %d field(s); the %s column is field %d", p.nfields, rd.missingColumn(p.nfields), need)
	case p.overCol >= 0:
		invalid = fmt.Sprintf("field %d is longer than %d bytes", p.overCol+1, rd.limit)
	case p.bareQuote:
		invalid = `malformed CSV: a '"' inside an unquoted field (quote the whole field and double the '"')`
	case p.nul:
		invalid = "the row holds a NUL byte"
	}
	return rd.makeRow(p.line, id, typ, invalid), nil
}

// missingColumn names the last column a row of n fields lacks.
func (rd *Reader) missingColumn(n int) string {
	if rd.typeCol >= n && rd.typeCol > rd.idCol {
		return fmt.Sprintf("%q", rd.cfg.TypeColumn)
	}
	return fmt.Sprintf("%q", rd.cfg.IDColumn)
}

// Skipped returns how many lines of a rejects file were left out so far because
// their reason is not in Config.Reasons. They are not rows: they appear nowhere in
// the outputs of a re-run.
func (rd *Reader) Skipped() int64 { return rd.skipped }

// JSONLines reports whether the input is read as JSON Lines (a rejects file), to
// which Config.Reasons applies, rather than as CSV.
func (rd *Reader) JSONLines() bool { return rd.json }
