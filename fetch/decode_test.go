package fetch

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

func TestReadLimited(t *testing.T) {
	data := []byte(strings.Repeat("0123456789", 100)) // 1000 bytes
	tests := []struct {
		name    string
		cl      int64
		limit   int64
		r       io.Reader
		wantErr error
		wantLen int
	}{
		{"unknown length, under", -1, 1000, bytes.NewReader(data), nil, 1000},
		{"unknown length, over", -1, 999, bytes.NewReader(data), errTooLarge, 1000},
		{"exact length", 1000, 1000, bytes.NewReader(data), nil, 1000},
		{"announced too long", 1001, 1000, bytes.NewReader(data), errTooLarge, 0},
		{"announced short, sends more", 10, 500, bytes.NewReader(data), errTooLarge, 501},
		{"one byte at a time", -1, 1000, iotest.OneByteReader(bytes.NewReader(data)), nil, 1000},
		{"empty", 0, 10, bytes.NewReader(nil), nil, 0},
		{"zero limit", -1, 0, bytes.NewReader(data), errTooLarge, 1},
		{"read error", -1, 5000, iotest.TimeoutReader(bytes.NewReader(data)), iotest.ErrTimeout, -1},
	}
	for _, tt := range tests {
		got, err := readLimited(tt.r, tt.cl, tt.limit)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: err %v, want %v", tt.name, err, tt.wantErr)
		}
		if tt.wantLen >= 0 && len(got) != tt.wantLen {
			t.Errorf("%s: read %d bytes, want %d", tt.name, len(got), tt.wantLen)
		}
		if err == nil && !bytes.Equal(got, data[:len(got)]) {
			t.Errorf("%s: wrong bytes", tt.name)
		}
		if int64(cap(got)) > tt.limit+1 {
			t.Errorf("%s: buffer of %d for a limit of %d", tt.name, cap(got), tt.limit)
		}
	}
}

func TestExcerpt(t *testing.T) {
	tests := map[string]string{
		"":                             "",
		"  plain  text \r\n":           "plain text",
		"a\x00b\x1b[0mc\td":            "a b [0mc d",
		"bad \xff byte":                "bad \ufffd byte",
		"rtl\u202eoverride":            "rtl override",
		strings.Repeat("é", 300):       strings.Repeat("é", excerptRunes) + "…",
		strings.Repeat("a", 200):       strings.Repeat("a", 200),
		strings.Repeat("a", 200) + " ": strings.Repeat("a", 200),
	}
	for in, want := range tests {
		if got := excerpt([]byte(in)); got != want {
			t.Errorf("excerpt(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzDecode: any answer body, under any status, is classified without panicking;
// OK exactly for a valid-UTF-8 JSON object; messages are one line of valid UTF-8.
func FuzzDecode(f *testing.F) {
	f.Add(200, []byte(profileJSON))
	f.Add(404, []byte(`{"status" : 404, "message" : "No profile found for client acme with mboxPC=x"}`))
	f.Add(200, []byte(strings.Repeat("[", 1000)))
	f.Add(500, []byte("<html>\x00\xff</html>"))
	f.Add(301, []byte(""))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		v, msg := judge(status, body, string(body))
		wantOK := status >= 200 && status <= 299 && json.Valid(body) && utf8.Valid(body) &&
			bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{"))
		if (v == vOK) != wantOK {
			t.Fatalf("status %d body %q: verdict %d", status, body, v)
		}
		if v != vOK && msg == "" {
			t.Fatalf("status %d: empty message", status)
		}
		if !utf8.ValidString(msg) || strings.ContainsAny(msg, "\r\n\x00") || utf8.RuneCountInString(msg) > 3*excerptRunes+200 {
			t.Fatalf("message %q", msg)
		}
		if status == 404 && v != vNotFound {
			t.Fatalf("404 gave verdict %d", v)
		}
		got, err := readLimited(bytes.NewReader(body), -1, 64)
		if (err == nil) != (len(body) <= 64) || err == nil && !bytes.Equal(got, body) {
			t.Fatalf("readLimited: %d bytes, %v", len(got), err)
		}
	})
}
