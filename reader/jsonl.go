package reader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/profile-export/profile-export/row"
)

// jsonReject is what the reader takes from a line of a rejects file (see row.Reject).
type jsonReject struct {
	ID      *string    `json:"id"`
	Type    *string    `json:"type"`
	Reason  row.Reason `json:"reason"`
	Message string     `json:"message"`
}

// readJSON returns the next row of a JSON Lines input.
func (rd *Reader) readJSON() (row.Row, error) {
	limit := 4 * rd.limit
	for {
		line := rd.line
		buf, over, err := rd.readLine(limit)
		if err != nil {
			return row.Row{}, err
		}
		if over {
			return rd.makeRow(line, nil, nil, fmt.Sprintf("the line is longer than %d bytes", limit)), nil
		}
		buf = bytes.TrimSpace(buf)
		if len(buf) == 0 {
			continue
		}
		var obj jsonReject
		if buf[0] != '{' {
			return rd.makeRow(line, nil, nil, "not a JSON object"), nil
		}
		if err := json.Unmarshal(buf, &obj); err != nil {
			var id, typ []byte
			if obj.ID != nil {
				id = []byte(*obj.ID)
			}
			if obj.Type != nil {
				typ = []byte(*obj.Type)
			}
			return rd.makeRow(line, id, typ, jsonProblem(err)), nil
		}
		if obj.Reason != "" && !knownReason(obj.Reason) {
			// Not a line this program wrote: neither filtered out nor fetched.
			var id, typ []byte
			if obj.ID != nil {
				id = []byte(*obj.ID)
			}
			if obj.Type != nil {
				typ = []byte(*obj.Type)
			}
			return rd.makeRow(line, id, typ, fmt.Sprintf("unknown \"reason\" %q: want not_found, invalid_row, failed or duplicate", obj.Reason)), nil
		}
		// Config.Reasons filters the lines of a rejects file; a line without a reason
		// (a profiles file, or a list of IDs as JSON) is always a row.
		if rd.reasons != nil && obj.Reason != "" && !rd.reasons[obj.Reason] {
			rd.skipped++
			continue
		}
		switch {
		case obj.ID == nil:
			return rd.makeRow(line, nil, nil, `the object has no "id"`), nil
		case obj.Type == nil && rd.cfg.Type == "":
			return rd.makeRow(line, []byte(*obj.ID), nil, `the object has no "type"`), nil
		}
		var typ []byte
		if obj.Type != nil {
			typ = []byte(*obj.Type)
		}
		if obj.Reason == row.InvalidRow {
			// The ID as written in the rejects file may differ from the original input
			// (invalid UTF-8 there became U+FFFD here): it stays invalid, never fetched.
			return rd.makeRow(line, []byte(*obj.ID), typ, "rejected before as invalid_row: "+obj.Message), nil
		}
		return rd.makeRow(line, []byte(*obj.ID), typ, ""), nil
	}
}

// knownReason reports whether r is a reason a rejects file holds.
func knownReason(r row.Reason) bool {
	switch r {
	case row.NotFound, row.InvalidRow, row.Failed, row.Duplicate:
		return true
	}
	return false
}

// jsonProblem says what is wrong with a line that encoding/json refused, in the
// user's terms (the field and what it holds), not in Go's.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		kind, _, _ := strings.Cut(typeErr.Value, " ") // "number", or "number -5"
		article := "a"
		if strings.ContainsAny(kind[:min(1, len(kind))], "aeiou") {
			article = "an"
		}
		return fmt.Sprintf("%q must be a string, not %s %s", typeErr.Field, article, kind)
	}
	return fmt.Sprintf("not valid JSON: %v", err)
}

// readLine reads one line (without its end) into the record buffer. over reports a
// line longer than limit, of which only limit bytes are kept. It returns io.EOF only
// when no byte is left.
func (rd *Reader) readLine(limit int) (line []byte, over bool, err error) {
	buf := rd.rec.buf[:0]
	defer func() { rd.rec.buf = buf[:0] }()
	for n := 0; ; n++ {
		b, err := rd.src.next()
		if err == io.EOF && n > 0 {
			return buf, over, nil
		}
		if err != nil {
			return nil, false, err
		}
		if b == '\n' {
			rd.line++
			return buf, over, nil
		}
		if len(buf) < limit {
			buf = append(buf, b)
		} else {
			over = true
		}
	}
}
