package reader

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/row"
)

// readAll reads every row of input; newErr is New's error, readErr the first error of
// Read other than io.EOF.
func readAll(t testing.TB, input string, cfg Config) (rows []row.Row, newErr, readErr error) {
	t.Helper()
	rd, err := New(strings.NewReader(input), cfg)
	if err != nil {
		return nil, err, nil
	}
	for {
		r, err := rd.Read()
		if err == io.EOF {
			return rows, nil, nil
		}
		if err != nil {
			return rows, nil, err
		}
		rows = append(rows, r)
	}
}

func TestHeaderAccepted(t *testing.T) {
	tests := []struct {
		name  string
		input string
		cfg   Config
		want  []row.Row
	}{
		{"plain", "id,type\nabc,tntId\n", Config{},
			[]row.Row{{Line: 2, ID: "abc", Type: row.TntID, RawType: "tntId"}}},
		{"case and spaces", " ID , Type \nabc,tntId\n", Config{},
			[]row.Row{{Line: 2, ID: "abc", Type: row.TntID, RawType: "tntId"}}},
		{"quoted names", "\"id\",\"TYPE\"\nabc,tntId\n", Config{},
			[]row.Row{{Line: 2, ID: "abc", Type: row.TntID, RawType: "tntId"}}},
		{"utf-8 BOM", "\ufeffid,type\nabc,tntId\n", Config{},
			[]row.Row{{Line: 2, ID: "abc", Type: row.TntID, RawType: "tntId"}}},
		{"header only", "id,type\n", Config{}, nil},
		{"header only without newline", "id,type", Config{}, nil},
		{"blank lines before header", "\n  \nid,type\nabc,tntId\n", Config{},
			[]row.Row{{Line: 4, ID: "abc", Type: row.TntID, RawType: "tntId"}}},
		{"columns reversed, extra columns", "name,type,x,id\nbob,ecid,1,123\n", Config{},
			[]row.Row{{Line: 2, ID: "123", Type: row.ECID, RawType: "ecid"}}},
		{"duplicate unused column", "x,id,x,type\n1,abc,2,tntId\n", Config{},
			[]row.Row{{Line: 2, ID: "abc", Type: row.TntID, RawType: "tntId"}}},
		{"own column names", "visitor;kind\nabc;mboxPC\n", Config{IDColumn: "Visitor", TypeColumn: "KIND", Comma: ';'},
			[]row.Row{{Line: 2, ID: "abc", Type: row.TntID, RawType: "mboxPC"}}},
		{"config type, id column only", "id\n123\n", Config{Type: row.ECID},
			[]row.Row{{Line: 2, ID: "123", Type: row.ECID}}},
		{"config type alias", "id\n123\n", Config{Type: "MCID"},
			[]row.Row{{Line: 2, ID: "123", Type: row.ECID}}},
		{"config type ignores type column", "id,type,type\n123,bogus,\n", Config{Type: row.ECID},
			[]row.Row{{Line: 2, ID: "123", Type: row.ECID}}},
		{"tab delimiter", "id\ttype\nabc\ttntId\n", Config{Comma: '\t'},
			[]row.Row{{Line: 2, ID: "abc", Type: row.TntID, RawType: "tntId"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, newErr, readErr := readAll(t, tt.input, tt.cfg)
			if newErr != nil || readErr != nil {
				t.Fatalf("New: %v, Read: %v", newErr, readErr)
			}
			assertRows(t, rows, tt.want)
		})
	}
}

func TestHeaderError(t *testing.T) {
	tests := []struct {
		name  string
		input string
		cfg   Config
		line  int64
		cols  []string
		want  []string // substrings of the message
	}{
		{"empty file", "", Config{}, 0, nil, []string{"empty"}},
		{"only blank lines", "\n \r\n\t\n", Config{}, 0, nil, []string{"no header", "only blank lines (3)"}},
		{"no id column", "name,type,email\nx,tntId,y\n", Config{}, 1, []string{"name", "type", "email"},
			[]string{`no "id" column`, `"name", "type", "email"`}},
		{"no header at all", "123,ecid\n", Config{}, 1, []string{"123", "ecid"},
			[]string{`no "id" column`, "header"}},
		{"no type column", "id,name\n1,x\n", Config{}, 1, []string{"id", "name"},
			[]string{`no "type" column`, "--type"}},
		{"duplicate id", "id,type,ID\n1,ecid,2\n", Config{}, 1, nil,
			[]string{`"id" column appears 2 times`, "columns 1 and 3"}},
		{"duplicate id and no type", "id,id\n1,2\n", Config{}, 1, nil,
			[]string{`"id" column appears 2 times`, "columns 1 and 2"}},
		{"duplicate type", "type,id,Type\n", Config{}, 1, nil,
			[]string{`"type" column appears 2 times`}},
		{"semicolon file", "id;type\n1;ecid\n", Config{}, 1, []string{"id;type"},
			[]string{"';'", "--delimiter ';'"}},
		{"tab file", "id\ttype\n1\tecid\n", Config{}, 1, nil,
			[]string{"tab", `--delimiter '\t'`}},
		{"comma file read with semicolon", "id,type\n", Config{Comma: ';'}, 1, nil,
			[]string{"--delimiter ','"}},
		{"pipe file, type given", "id|x\n", Config{Type: row.TntID}, 1, nil,
			[]string{"--delimiter '|'"}},
		{"utf-16 BOM", "\xff\xfei\x00d\x00", Config{}, 0, nil, []string{"UTF-16"}},
		{"utf-16 without BOM", "i\x00d\x00,\x00t\x00", Config{}, 1, nil, []string{"NUL", "UTF-16"}},
		{"broken quote", "\"id,type\nabc,tntId\n", Config{}, 1, nil, []string{"malformed CSV"}},
		{"header too long", "id,type," + strings.Repeat("x", 100) + "\n", Config{MaxFieldBytes: 50}, 1, nil,
			[]string{"longer than 50 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(strings.NewReader(tt.input), tt.cfg)
			var herr *HeaderError
			if !errors.As(err, &herr) {
				t.Fatalf("New: got %v, want a *HeaderError", err)
			}
			if herr.Line != tt.line {
				t.Errorf("Line = %d, want %d", herr.Line, tt.line)
			}
			if tt.cols != nil && strings.Join(herr.Columns, "|") != strings.Join(tt.cols, "|") {
				t.Errorf("Columns = %q, want %q", herr.Columns, tt.cols)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestConfigError(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"quote delimiter", Config{Comma: '"'}},
		{"newline delimiter", Config{Comma: '\n'}},
		{"non-ASCII delimiter", Config{Comma: '§'}},
		{"same column names", Config{IDColumn: "x", TypeColumn: " X "}},
		{"unknown type", Config{Type: "cookie"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(strings.NewReader("id,type\n"), tt.cfg)
			var herr *HeaderError
			if err == nil || errors.As(err, &herr) {
				t.Fatalf("New: got %v, want a configuration error", err)
			}
		})
	}
}

// assertRows compares rows with want; a want row's Invalid is a substring to find
// ("" means the row must be valid).
func assertRows(t *testing.T, got, want []row.Row) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d rows, want %d:\n got  %+v\n want %+v", len(got), len(want), got, want)
		return
	}
	for i := range want {
		g, w := got[i], want[i]
		ok := g.Line == w.Line && g.ID == w.ID && g.Type == w.Type && g.RawType == w.RawType
		if w.Invalid == "" {
			ok = ok && g.Invalid == ""
		} else {
			ok = ok && strings.Contains(g.Invalid, w.Invalid)
		}
		if !ok {
			t.Errorf("row %d:\n got  %+v\n want %+v", i, g, w)
		}
	}
}
