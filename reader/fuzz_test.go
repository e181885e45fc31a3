package reader

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/profile-export/profile-export/row"
)

// fuzzConfig picks one of a few configurations from mode.
func fuzzConfig(mode byte) Config {
	cfg := Config{}
	switch mode % 4 {
	case 1:
		cfg.Comma = ';'
	case 2:
		cfg.Comma = '\t'
	}
	if mode&4 != 0 {
		cfg.Type = row.ECID
	}
	if mode&8 != 0 {
		cfg.MaxFieldBytes = 8 // makes the limits and the quote recovery easy to reach
	}
	if mode&16 != 0 {
		cfg.Reasons = []row.Reason{row.Failed}
	}
	return cfg
}

// lineEnds counts the line ends of data as the reader does: CRLF, LF and lone CR.
func lineEnds(data []byte) int64 {
	n := int64(0)
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			n++
		case '\r':
			n++
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
		}
	}
	return n
}

// FuzzReader checks that no input makes the reader panic, loop or misnumber rows:
// lines strictly increase and stay within the file, and valid rows are fetchable.
func FuzzReader(f *testing.F) {
	f.Add([]byte("id,type\nabc,tntId\n\"x\ny\",ecid\n"), byte(0))
	f.Fuzz(func(t *testing.T, data []byte, mode byte) {
		in, err := NewInput(bytes.NewReader(data), "fuzz", int64(len(data)))
		if err != nil {
			return // a compressed format refused, or a bad gzip header
		}
		rd, err := New(in, fuzzConfig(mode))
		if err != nil {
			var herr *HeaderError
			if !errors.As(err, &herr) && !in.Compressed() {
				t.Fatalf("New: %v, want a *HeaderError", err)
			}
			return
		}
		maxLine := lineEnds(data) + 1
		last := int64(0)
		for i := 0; ; i++ {
			if !in.Compressed() && i > len(data) {
				t.Fatalf("more rows than bytes: the reader does not terminate")
			}
			if in.Compressed() && i > 1<<20 {
				t.Fatalf("more than a million rows from %d bytes", len(data))
			}
			r, err := rd.Read()
			if err == io.EOF {
				if _, err := rd.Read(); err != io.EOF {
					t.Fatalf("Read after io.EOF: %v", err)
				}
				return
			}
			if err != nil {
				if !in.Compressed() {
					t.Fatalf("Read: %v, though the input cannot fail", err)
				}
				return
			}
			if r.Line <= last {
				t.Fatalf("row on line %d after a row on line %d", r.Line, last)
			}
			if !in.Compressed() && r.Line > maxLine {
				t.Fatalf("row on line %d; the input has %d lines", r.Line, maxLine)
			}
			last = r.Line
			if r.Invalid == "" {
				if !r.Type.Valid() || r.ID == "" || r.ID == "." || r.ID == ".." || r.ID != strings.TrimSpace(r.ID) ||
					!utf8.ValidString(r.ID) || utf8.RuneCountInString(r.ID) > MaxIDChars {
					t.Fatalf("valid row %+v cannot be fetched", r)
				}
			}
		}
	})
}

// roundTripTypes are type names written by FuzzRoundTrip: canonical, aliases, with
// spaces, and unknown.
var roundTripTypes = []string{"tntId", "marketingCloudVisitorId", "thirdPartyId", " ECID ", "mboxPC", "cookie", ""}

// expectValid reports whether the reader must accept id of type typ, and the row it
// must return then, from the documented rules alone.
func expectValid(id, typ string) (row.Row, bool) {
	t, err := row.ParseType(typ)
	id = strings.TrimSpace(id)
	if err != nil || id == "" || id == "." || id == ".." || !utf8.ValidString(id) || utf8.RuneCountInString(id) > MaxIDChars {
		return row.Row{}, false
	}
	for _, c := range id {
		if unicode.IsControl(c) || (t == row.ECID && (c < '0' || c > '9')) {
			return row.Row{}, false
		}
	}
	return row.Row{ID: id, Type: t}, true
}

// FuzzRoundTrip writes rows with encoding/csv and reads them back: every row comes
// back on its line, and exactly the rows the documented rules accept are valid, with
// their ID trimmed and their type canonical.
func FuzzRoundTrip(f *testing.F) {
	f.Add("abc", "12345678901234567890123456789012345678", " crm \"42\", x ", uint16(0x210), byte(0))
	f.Add("a\nb", "\"", "", uint16(0x345), byte(1))
	f.Add("111492025094307-353046.28_0", "é;\t|", "\ufeffx", uint16(0x654), byte(2))
	f.Fuzz(func(t *testing.T, id0, id1, id2 string, types uint16, mode byte) {
		ids := []string{id0, id1, id2}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Comma = []rune{',', ';', '\t', '|'}[mode%4]
		w.UseCRLF = mode&4 != 0
		if w.UseCRLF {
			// The writer then drops CRs from fields (and writes LF as CRLF): what
			// the file holds, and what must come back, is the IDs without them.
			for i := range ids {
				ids[i] = strings.ReplaceAll(ids[i], "\r", "")
			}
		}
		if err := w.Write([]string{"id", "type"}); err != nil {
			t.Fatal(err)
		}
		var typs []string
		for i, id := range ids {
			typ := roundTripTypes[int(types>>(4*i)&0xf)%len(roundTripTypes)]
			typs = append(typs, typ)
			if err := w.Write([]string{id, typ}); err != nil {
				t.Fatal(err)
			}
		}
		w.Flush()

		rows, newErr, readErr := readAll(t, buf.String(), Config{Comma: w.Comma})
		if newErr != nil || readErr != nil {
			t.Fatalf("New: %v, Read: %v, on %q", newErr, readErr, buf.String())
		}
		if len(rows) != len(ids) {
			t.Fatalf("%d rows back, want %d, from %q", len(rows), len(ids), buf.String())
		}
		line := int64(2)
		for i, r := range rows {
			if r.Line != line {
				t.Errorf("row %d on line %d, want %d", i, r.Line, line)
			}
			// The next row starts after this one's line ends, quoted ones included.
			line += 1 + lineEnds([]byte(ids[i])) + lineEnds([]byte(typs[i]))
			want, valid := expectValid(ids[i], typs[i])
			switch {
			case valid && (r.Invalid != "" || r.ID != want.ID || r.Type != want.Type):
				t.Errorf("row %d = %+v, want %+v", i, r, want)
			case !valid && r.Invalid == "":
				t.Errorf("row %d = %+v accepted; written as %q, %q", i, r, ids[i], typs[i])
			}
		}
	})
}
