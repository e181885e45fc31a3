package reader

import (
	"fmt"
	"io"
	"strings"
)

// HeaderError is a problem with the input file as a whole, found before any row.
type HeaderError struct {
	// Line is the header's line number, 0 when there is no header at all.
	Line int64
	// Columns are the column names found in the header, trimmed.
	Columns []string
	// Problem says what is wrong, for a person.
	Problem string
}

// Error says what is wrong and on which line.
func (e *HeaderError) Error() string {
	if e.Line == 0 {
		return "bad input file: " + e.Problem
	}
	return fmt.Sprintf("bad header on line %d: %s", e.Line, e.Problem)
}

// readHeader reads and checks the header line, finding the columns.
func (rd *Reader) readHeader() error {
	p := &rd.rec
	var blanks int64 // blank lines before the header
	for {
		err := rd.parseRecord(true)
		if err == io.EOF && blanks > 0 {
			// Not "empty": the user sees lines in it, and would look for another cause.
			return &HeaderError{Problem: fmt.Sprintf("the file has no header: it holds only blank lines (%d); it needs a header line naming the columns, such as \"id,type\"", blanks)}
		}
		if err == io.EOF {
			return &HeaderError{Problem: "the file is empty: it needs a header line naming the columns, such as \"id,type\""}
		}
		if err != nil {
			return fmt.Errorf("reading header: %w", err)
		}
		if !p.blank() {
			break
		}
		blanks++
	}
	herr := &HeaderError{Line: p.line}
	switch {
	case p.quoteErr != "":
		herr.Problem = "malformed CSV: " + p.quoteErr
		return herr
	case p.overCol >= 0:
		herr.Problem = fmt.Sprintf("the header line is longer than %d bytes", rd.limit)
		return herr
	case p.nul:
		herr.Problem = "the header holds NUL bytes: is the file UTF-16 text? save it as UTF-8"
		return herr
	}
	start := 0
	for _, end := range p.ends {
		herr.Columns = append(herr.Columns, strings.TrimSpace(string(p.buf[start:end])))
		start = end
	}
	cols := herr.Columns

	ids, types := rd.columns(cols)
	// A duplicate first: "id,id" has no type column either, but the fix is
	// to rename one of the two.
	if len(ids) > 1 {
		herr.Problem = fmt.Sprintf("the %q column appears %d times (columns %s)", rd.cfg.IDColumn, len(ids), listPositions(ids))
		return herr
	}
	if rd.cfg.Type == "" && len(types) > 1 {
		herr.Problem = fmt.Sprintf("the %q column appears %d times (columns %s)", rd.cfg.TypeColumn, len(types), listPositions(types))
		return herr
	}
	missing := ""
	switch {
	case len(ids) == 0:
		missing = rd.cfg.IDColumn
	case rd.cfg.Type == "" && len(types) == 0:
		missing = rd.cfg.TypeColumn
	}
	if missing != "" {
		herr.Problem = fmt.Sprintf("no %q column; the columns found are %s", missing, listColumns(cols))
		if d := rd.otherDelimiter(cols); d != 0 {
			herr.Problem += fmt.Sprintf("; the file seems to use %s as delimiter: use --delimiter %s", delimName(d), delimFlag(d))
		} else if len(ids) == 0 {
			herr.Problem += "; the first line must be a header naming the columns (or use --id-column)"
		} else {
			herr.Problem += "; add one, or give the type of every ID with --type"
		}
		return herr
	}
	rd.idCol = ids[0]
	if rd.cfg.Type == "" {
		rd.typeCol = types[0]
	}
	return nil
}

// columns returns the positions of the ID and type columns among names.
func (rd *Reader) columns(names []string) (ids, types []int) {
	for i, n := range names {
		if i == 0 {
			n = strings.TrimPrefix(n, "\ufeff") // a BOM inside quotes, or after spaces
		}
		switch strings.ToLower(strings.TrimSpace(n)) {
		case rd.idName:
			ids = append(ids, i)
		case rd.typeName:
			types = append(types, i)
		}
	}
	return ids, types
}

// otherDelimiter returns a delimiter that would split the header into the columns
// needed, or 0.
func (rd *Reader) otherDelimiter(names []string) rune {
	for _, d := range []rune{',', ';', '\t', '|'} {
		if byte(d) == rd.comma {
			continue
		}
		var split []string
		for _, n := range names {
			split = append(split, strings.Split(n, string(d))...)
		}
		ids, types := rd.columns(split)
		if len(ids) > 0 && (rd.cfg.Type != "" || len(types) > 0) {
			return d
		}
	}
	return 0
}

func delimName(d rune) string {
	if d == '\t' {
		return "tab"
	}
	return fmt.Sprintf("%q", d)
}

func delimFlag(d rune) string {
	if d == '\t' {
		return `'\t'`
	}
	return "'" + string(d) + "'"
}

func listColumns(cols []string) string {
	const most = 20
	var b strings.Builder
	for i, c := range cols {
		if i == most {
			fmt.Fprintf(&b, " and %d more", len(cols)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", c)
	}
	return b.String()
}

func listPositions(pos []int) string {
	s := make([]string, len(pos))
	for i, p := range pos {
		s[i] = fmt.Sprint(p + 1)
	}
	return strings.Join(s, " and ")
}
