package reader

import (
	"strings"
	"testing"

	"github.com/profile-export/profile-export/row"
)

// line is a shorthand for the expected line, ID and validity of a tntId row.
type line struct {
	n       int64
	id      string
	invalid string // substring of Row.Invalid; "" for a valid row
}

func TestLines(t *testing.T) {
	tests := []struct {
		name  string
		input string
		cfg   Config
		want  []line
	}{
		{"LF", "id,type\na,tntId\nb,tntId\n", Config{}, []line{{2, "a", ""}, {3, "b", ""}}},
		{"CRLF", "id,type\r\na,tntId\r\nb,tntId\r\n", Config{}, []line{{2, "a", ""}, {3, "b", ""}}},
		{"lone CR", "id,type\ra,tntId\rb,tntId\r", Config{}, []line{{2, "a", ""}, {3, "b", ""}}},
		{"mixed line ends", "id,type\r\na,tntId\rb,tntId\nc,tntId\r\n", Config{},
			[]line{{2, "a", ""}, {3, "b", ""}, {4, "c", ""}}},
		{"CR CR LF is two line ends", "id,type\ra,tntId\r\r\nb,tntId", Config{},
			[]line{{2, "a", ""}, {4, "b", ""}}},
		{"no final line end", "id,type\na,tntId", Config{}, []line{{2, "a", ""}}},
		{"blank lines skipped", "id,type\n\na,tntId\n \t \n\r\n\rb,tntId\n\n\n", Config{},
			[]line{{3, "a", ""}, {7, "b", ""}}},
		{"quoted field spanning lines", "id,type,note\na,tntId,\"one\ntwo\r\nthree\"\nb,tntId,x\n", Config{},
			[]line{{2, "a", ""}, {5, "b", ""}}},
		{"spanning row carries its start line", "id,type\n\"a\n\",tntId\nb,tntId\n", Config{},
			[]line{{2, "a", ""}, {4, "b", ""}}},
		{"blank lines inside a quoted field", "id,type,note\na,tntId,\"\n\n\"\nb,tntId\n", Config{},
			[]line{{2, "a", ""}, {5, "b", ""}}},

		// Recovery from broken quoting: the row is rejected and reading resumes on the
		// next line, with the right line numbers.
		{"stray opening quote", "id,type\n\"a,tntId\nb,tntId\nc,tntId\n", Config{},
			[]line{{2, `"a`, "does not close properly"}, {3, "b", ""}, {4, "c", ""}}},
		{"stray quote then a quoted row", "id,type\n\"a,tntId\nb,tntId\n\"c\",tntId\nd,tntId\n", Config{},
			[]line{{2, `"a`, "does not close properly"}, {3, "b", ""}, {4, "c", ""}, {5, "d", ""}}},
		{"stray quotes on consecutive lines", "id,type\n\"a,tntId\n\"b,tntId\n\"c,tntId\nd,tntId\n", Config{},
			[]line{{2, `"a`, "close"}, {3, `"b`, "close"}, {4, `"c`, "close"}, {5, "d", ""}}},
		{"stray quote in the type field", "id,type\na,\"tntId\nb,tntId\n", Config{},
			[]line{{2, "a", "does not close properly"}, {3, "b", ""}}},
		{"stray quote with CRLF", "id,type\r\n\"a,tntId\r\nb,tntId\r\nc,tntId\r\n", Config{},
			[]line{{2, `"a`, "does not close properly"}, {3, "b", ""}, {4, "c", ""}}},
		{"runaway quote longer than the limit", "id,type\n\"a,tntId\n" + strings.Repeat("b,tntId\n", 20), Config{MaxFieldBytes: 20},
			append([]line{{2, `"a`, "more than 20 bytes past the line end"}}, repeatLines(3, 20, "b")...)},
		{"runaway quote spanning exactly the limit", "id,type\n\"a,tntId\nbbbbbbbbbbbbbbbbbbb\n", Config{MaxFieldBytes: 20},
			[]line{{2, `"a`, "never closed"}, {3, "bbbbbbbbbbbbbbbbbbb", "field(s)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, newErr, readErr := readAll(t, tt.input, tt.cfg)
			if newErr != nil || readErr != nil {
				t.Fatalf("New: %v, Read: %v", newErr, readErr)
			}
			assertLines(t, rows, tt.want)
		})
	}
}

// assertLines compares the lines, IDs and validity of rows with want (types are
// checked by TestRows).
func assertLines(t *testing.T, rows []row.Row, want []line) {
	t.Helper()
	got := make([]line, len(rows))
	for i, r := range rows {
		got[i] = line{r.Line, r.ID, r.Invalid}
	}
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		g, w := got[i], want[i]
		ok = g.n == w.n && g.id == w.id && (g.invalid == "") == (w.invalid == "") && strings.Contains(g.invalid, w.invalid)
	}
	if !ok {
		t.Errorf("got rows\n %+v\nwant\n %+v", got, want)
	}
}

func repeatLines(from int64, n int, id string) []line {
	var l []line
	for i := range n {
		l = append(l, line{from + int64(i), id, ""})
	}
	return l
}
