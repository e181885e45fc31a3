package reader

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/row"
)

func gzipBytes(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// readFile opens path and reads every row; err is the first error other than io.EOF.
func readFile(t testing.TB, path string, cfg Config) (in *Input, rows []row.Row, err error) {
	t.Helper()
	in, err = Open(path)
	if err != nil {
		return nil, nil, err
	}
	t.Cleanup(func() { in.Close() })
	rd, err := New(in, cfg)
	if err != nil {
		return in, nil, err
	}
	for {
		r, err := rd.Read()
		if err == io.EOF {
			return in, rows, nil
		}
		if err != nil {
			return in, rows, err
		}
		rows = append(rows, r)
	}
}

// csvRows makes a CSV file of n tntId rows, whose IDs are "id<i>".
func csvRows(n int) string {
	var b strings.Builder
	b.WriteString("id,type\n")
	for i := range n {
		fmt.Fprintf(&b, "id%d,tntId\n", i)
	}
	return b.String()
}

func TestOpen(t *testing.T) {
	const data = "id,type\nabc,tntId\n"
	gz := gzipBytes(t, data)
	twoMembers := append(gzipBytes(t, "id,type\na,tntId\n"), gzipBytes(t, "b,tntId\n")...)
	tests := []struct {
		name       string
		file       string
		content    []byte
		compressed bool
		ids        []string
	}{
		{"plain", "in.csv", []byte(data), false, []string{"abc"}},
		{"gzip", "in.csv.gz", gz, true, []string{"abc"}},
		{"gzip without .gz name", "in.csv", gz, true, []string{"abc"}},
		{"plain with .gz name", "in.csv.gz", []byte(data), false, []string{"abc"}},
		{"gzip of two members", "in.gz", twoMembers, true, []string{"a", "b"}},
		{"gzip with BOM", "in.gz", gzipBytes(t, "\ufeff"+data), true, []string{"abc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.file, tt.content)
			in, rows, err := readFile(t, path, Config{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.ids, ",") {
				t.Errorf("IDs = %q, want %q", ids, tt.ids)
			}
			if in.Compressed() != tt.compressed {
				t.Errorf("Compressed() = %v, want %v", in.Compressed(), tt.compressed)
			}
			if in.Size() != int64(len(tt.content)) || in.Offset() != in.Size() {
				t.Errorf("Size() = %d, Offset() = %d at the end, want both %d", in.Size(), in.Offset(), len(tt.content))
			}
			if in.Name() != path {
				t.Errorf("Name() = %q, want %q", in.Name(), path)
			}
		})
	}
}

func TestOpenRefused(t *testing.T) {
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"zip", []byte("PK\x03\x04rest"), "zip"},
		{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0}, "zstd"},
		{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0, 1}, "xz"},
		{"bad gzip header", []byte{0x1f, 0x8b, 0x99, 0, 0, 0, 0, 0, 0, 0}, "gzip header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(writeFile(t, "in", tt.content))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open: %v, want an error about %s", err, tt.want)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := Open(filepath.Join(t.TempDir(), "nope.csv"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Open: %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		_, err := Open(t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "directory") {
			t.Fatalf("Open: %v, want an error naming a directory", err)
		}
	})
}

func TestOpenStdin(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	go func() {
		pw.Write(gzipBytes(t, "id,type\nabc,tntId\n"))
		pw.Close()
	}()
	saved := os.Stdin
	os.Stdin = pr
	defer func() { os.Stdin = saved }()

	in, rows, err := readFile(t, "-", Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ID != "abc" {
		t.Errorf("rows = %+v, want one row abc", rows)
	}
	if in.Name() != "stdin" || in.Size() != -1 || !in.Compressed() {
		t.Errorf("Name %q, Size %d, Compressed %v; want stdin, -1, true", in.Name(), in.Size(), in.Compressed())
	}
}

func TestGzipBroken(t *testing.T) {
	gz := gzipBytes(t, csvRows(20000))
	tests := []struct {
		name    string
		content []byte
		is      error // the error must wrap it, if not nil
		// intact: the rows before the error are the file's; not so with corrupt
		// data, which gzip can only detect at the checksum, after the garbage.
		intact bool
	}{
		{"truncated", gz[:len(gz)/2], io.ErrUnexpectedEOF, true},
		{"truncated trailer", gz[:len(gz)-4], io.ErrUnexpectedEOF, true},
		{"bad checksum", append(append([]byte{}, gz[:len(gz)-8]...), 0, 0, 0, 0, 0, 0, 0, 0), gzip.ErrChecksum, true},
		{"corrupt deflate data", corrupt(gz), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rows, err := readFile(t, writeFile(t, "in.gz", tt.content), Config{})
			if err == nil {
				t.Fatalf("read %d rows and no error", len(rows))
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), "compressed byte") || !strings.Contains(err.Error(), "in.gz") {
				t.Errorf("error %q names neither the compressed offset nor the file", err)
			}
			if !tt.intact {
				return
			}
			// Rows returned before the error are whole and in order.
			if len(rows) < 1000 {
				t.Errorf("only %d rows before the error", len(rows))
			}
			for i, r := range rows {
				if want := fmt.Sprintf("id%d", i); r.ID != want || r.Invalid != "" || r.Line != int64(i+2) {
					t.Fatalf("row %d = %+v, want valid %s on line %d", i, r, want, i+2)
				}
			}
		})
	}
}

// corrupt returns gz with a stretch in the middle of its deflate data overwritten.
func corrupt(gz []byte) []byte {
	c := append([]byte{}, gz...)
	for i := len(c) / 2; i < len(c)/2+64; i++ {
		c[i] = 0xff
	}
	return c
}

func TestReadErrorIsFinal(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("id,type\na,tntId\nb,tnt"), errReader{boom})
	rd, err := New(r, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if row, err := rd.Read(); err != nil || row.ID != "a" {
		t.Fatalf("first Read = %+v, %v; want row a", row, err)
	}
	for range 2 {
		_, err := rd.Read()
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "line 3") {
			t.Fatalf("Read: %v, want the input's error, on line 3", err)
		}
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
