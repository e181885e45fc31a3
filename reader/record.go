package reader

import (
	"fmt"
	"io"
)

// record is the CSV record being parsed. Only the fields the Reader needs are kept
// (every field for the header), each cut at the field limit, so memory stays bounded
// whatever the input holds.
type record struct {
	line    int64 // line the record starts on
	nfields int
	keepAll bool // keep every field (header); else only the ID and type columns

	buf  []byte // kept fields, one after the other
	ends []int  // end of each kept field in buf
	cols []int  // column of each kept field

	overCol   int    // first column whose field is longer than the limit, or -1
	quoteErr  string // malformed quoting that made the fields unreliable
	bareQuote bool   // a '"' inside an unquoted field (fields still reliable)
	nul       bool   // a NUL byte somewhere in the record
	quoted    bool   // some field was quoted
	nonSpace  bool   // some byte other than space or tab was seen

	// Raw bytes, for recovery from malformed quoting: the record's first line (cut at
	// the limit, for the reject) and, once a quoted field has crossed a line end,
	// every byte after that first line end (up to limit+1 bytes), so that those bytes
	// can be parsed again.
	multiline bool
	first     []byte
	tail      []byte
	tailLost  bool // tail went past limit+1 bytes: some bytes were not kept
}

func (p *record) reset(line int64, keepAll bool) {
	*p = record{
		line: line, keepAll: keepAll, overCol: -1,
		buf: p.buf[:0], ends: p.ends[:0], cols: p.cols[:0],
		first: p.first[:0], tail: p.tail[:0],
	}
}

// blank reports whether the record is a blank line: one unquoted field of nothing but
// spaces and tabs.
func (p *record) blank() bool { return p.nfields == 1 && !p.quoted && !p.nonSpace }

// field returns the kept field of column col, and whether the record has that column.
func (p *record) field(col int) ([]byte, bool) {
	start := 0
	for i, c := range p.cols {
		if c == col {
			return p.buf[start:p.ends[i]], true
		}
		start = p.ends[i]
	}
	return nil, false
}

// read returns the next byte of the record and keeps it for recovery.
func (r *Reader) read() (byte, error) {
	b, err := r.src.next()
	if err != nil {
		return 0, err
	}
	p := &r.rec
	switch {
	case p.multiline:
		if len(p.tail) <= r.limit {
			p.tail = append(p.tail, b)
		} else {
			p.tailLost = true
		}
	case b != '\n' && len(p.first) < r.limit:
		p.first = append(p.first, b)
	}
	return b, nil
}

// parseRecord reads the next record into r.rec. It returns io.EOF when no byte is left
// and any other error of the input as is.
func (r *Reader) parseRecord(keepAll bool) error {
	r.rec.reset(r.line, keepAll)
	for col := 0; ; col++ {
		more, err := r.parseField(col)
		if err != nil {
			return err
		}
		if !more {
			r.rec.nfields = col + 1
			return nil
		}
	}
}

// parseField parses field col; more reports whether another field follows on the
// same record.
func (r *Reader) parseField(col int) (more bool, err error) {
	p := &r.rec
	keep := p.keepAll || col == r.idCol || col == r.typeCol
	flen := 0
	put := func(b byte) {
		flen++
		if b != ' ' && b != '\t' {
			p.nonSpace = true
		}
		if flen > r.limit || (p.keepAll && len(p.buf) >= r.limit) {
			if p.overCol < 0 {
				p.overCol = col
			}
			return
		}
		if keep {
			p.buf = append(p.buf, b)
		}
	}
	end := func() {
		if keep && (!p.keepAll || len(p.ends) < r.limit) {
			p.ends = append(p.ends, len(p.buf))
			p.cols = append(p.cols, col)
		}
	}

	b, err := r.read()
	// Spaces before an opening quote are allowed (and dropped: IDs and types are
	// trimmed anyway).
	for err == nil && b != r.comma && (b == ' ' || b == '\t') {
		b, err = r.read()
	}
	if err != nil {
		if err == io.EOF && col == 0 && len(p.first) == 0 {
			return false, io.EOF // no byte left at all
		}
		if err == io.EOF {
			end()
			return false, nil
		}
		return false, err
	}

	if b != '"' {
		for {
			switch b {
			case r.comma:
				end()
				return true, nil
			case '\n':
				r.line++
				end()
				return false, nil
			case '"':
				p.bareQuote = true
			case 0:
				p.nul = true
			}
			put(b)
			if b, err = r.read(); err != nil {
				if err == io.EOF {
					end()
					return false, nil
				}
				return false, err
			}
		}
	}

	p.quoted = true
	p.nonSpace = true
	for {
		b, err := r.read()
		if err != nil {
			if err == io.EOF {
				return r.quoteFailure("a quoted field is never closed")
			}
			return false, err
		}
		if p.multiline && len(p.tail) > r.limit {
			return r.quoteFailure(fmt.Sprintf("a quoted field runs on for more than %d bytes past the line end", r.limit))
		}
		switch b {
		case '"':
			c, err := r.read()
			spaced := false
			for err == nil && c != r.comma && (c == ' ' || c == '\t') {
				spaced = true
				c, err = r.read()
			}
			switch {
			case err == io.EOF:
				end()
				return false, nil
			case err != nil:
				return false, err
			case c == '"' && !spaced:
				put('"')
			case c == r.comma:
				end()
				return true, nil
			case c == '\n':
				r.line++
				end()
				return false, nil
			default:
				return r.quoteFailure(`text follows a closing quote (a '"' inside a quoted field must be doubled)`)
			}
		case '\n':
			r.line++
			p.multiline = true
			put(b)
		case 0:
			p.nul = true
			put(b)
		default:
			put(b)
		}
	}
}

// quoteFailure ends a record whose quoting is broken. If the record spans lines and all
// its bytes after the first line are still at hand, only the first line is consumed and
// reading resumes on the next line; else the rest of the current line is skipped.
func (r *Reader) quoteFailure(msg string) (more bool, err error) {
	p := &r.rec
	p.quoteErr = msg
	if p.multiline && !p.tailLost {
		p.quoteErr = "the quoted field opened on this line does not close properly (" + msg + "); reading resumed on the next line"
		r.src.pushBack(p.tail)
		r.line = p.line + 1
		return false, nil
	}
	for {
		b, err := r.read()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if b == '\n' {
			r.line++
			return false, nil
		}
	}
}

// naiveSplit returns the fields idCol and typeCol (-1: none) of line split on comma,
// ignoring quotes: the best reading of a line whose quoting is broken.
func naiveSplit(line []byte, comma byte, idCol, typeCol int) (id, typ []byte) {
	col, start := 0, 0
	for i := 0; i <= len(line); i++ {
		if i < len(line) && line[i] != comma {
			continue
		}
		switch col {
		case idCol:
			id = line[start:i]
		case typeCol:
			typ = line[start:i]
		}
		col++
		start = i + 1
	}
	return id, typ
}
