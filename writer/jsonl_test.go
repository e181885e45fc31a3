package writer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/row"
)

// fetched is a fixed fetch time, not in UTC and with sub-millisecond digits.
var fetched = time.Date(2026, 12, 3, 17, 28, 22, 123456789, time.FixedZone("CET", 3600))

func profile(line int64, id string, typ row.Type, body string) row.Profile {
	return row.Profile{Line: line, ID: id, Type: typ, FetchedAt: fetched, Body: json.RawMessage(body)}
}

// jsonlRecord is a JSON Lines profile record as a reader sees it.
type jsonlRecord struct {
	Line      int64           `json:"line"`
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	FetchedAt string          `json:"fetched_at"`
	Profile   json.RawMessage `json:"profile"`
}

func encodeJSONL(t *testing.T, gz bool, profiles ...row.Profile) []byte {
	t.Helper()
	var out bytes.Buffer
	enc := NewJSONL(&out, gz)
	for _, p := range profiles {
		if err := enc.Write(p); err != nil {
			t.Fatalf("Write(line %d): %v", p.Line, err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// parseJSONL parses every line strictly, failing on unknown fields.
func parseJSONL(t *testing.T, data []byte) []jsonlRecord {
	t.Helper()
	if len(data) > 0 && data[len(data)-1] != '\n' {
		t.Fatalf("output does not end with a line break: %q", data)
	}
	var recs []jsonlRecord
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if line == "" && len(data) == 0 {
			break
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		var r jsonlRecord
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("line %d does not parse: %v\n%s", i+1, err, line)
		}
		if dec.More() {
			t.Fatalf("line %d holds more than one value: %s", i+1, line)
		}
		recs = append(recs, r)
	}
	return recs
}

func TestJSONLRecordFields(t *testing.T) {
	body := `{"visitorId":"v1","profileAttributes":{"user.memberlevel":{"value":"0.0"}}}`
	out := encodeJSONL(t, false, profile(7, "111492025094307-353046.28_0", row.TntID, body))
	want := `{"line":7,"id":"111492025094307-353046.28_0","type":"tntId","fetched_at":"2026-12-03T16:28:22.123Z","profile":` + body + "}\n"
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

func TestJSONLHostileIDs(t *testing.T) {
	var profiles []row.Profile
	for i, id := range hostileStrings {
		profiles = append(profiles, profile(int64(i+2), id, row.ThirdPartyID, `{"n":1}`))
	}
	recs := parseJSONL(t, encodeJSONL(t, false, profiles...))
	if len(recs) != len(profiles) {
		t.Fatalf("%d records, want %d", len(recs), len(profiles))
	}
	for i, r := range recs {
		var want string // what encoding/json makes of the ID, bad UTF-8 and all
		if err := json.Unmarshal([]byte(stdlibString(t, profiles[i].ID)), &want); err != nil {
			t.Fatal(err)
		}
		if r.ID != want || r.Line != profiles[i].Line || r.Type != "thirdPartyId" {
			t.Errorf("record %d = line %d id %q type %q; want line %d id %q", i, r.Line, r.ID, r.Type, profiles[i].Line, want)
		}
	}
}

func TestJSONLEmbedsProfileVerbatim(t *testing.T) {
	bodies := []string{
		`{"client":"acmecorp","visitorId":"a1"}`,
		`{ "spaced" : [ 1, 2 ] , "kept": "as is" }`,
		`{"html":"<b>&amp;</b>","sep":"\u2028","raw":"é 😀","esc":"\u00e9"}`,
		`{}`, `[]`, `"just a string"`, `null`,
	}
	var profiles []row.Profile
	for i, b := range bodies {
		profiles = append(profiles, profile(int64(i+2), "id", row.ECID, b))
	}
	for i, r := range parseJSONL(t, encodeJSONL(t, false, profiles...)) {
		if string(r.Profile) != bodies[i] {
			t.Errorf("profile %d = %s, want verbatim %s", i, r.Profile, bodies[i])
		}
	}
}

func TestJSONLNormalizesMultilineAndBadUTF8(t *testing.T) {
	multiline := "{\n  \"visitorId\": \"v\",\r\n  \"profileAttributes\": {\"a b\": {\"value\": \"x y\"}}\n}\n"
	badUTF8 := "{\"name\":\"bad \xff byte\"}"
	recs := parseJSONL(t, encodeJSONL(t, false,
		profile(2, "a", row.TntID, multiline),
		profile(3, "b", row.TntID, badUTF8)))
	if got, want := string(recs[0].Profile), `{"visitorId":"v","profileAttributes":{"a b":{"value":"x y"}}}`; got != want {
		t.Errorf("multi-line body = %s, want compacted %s", got, want)
	}
	if got, want := string(recs[1].Profile), "{\"name\":\"bad \uFFFD byte\"}"; got != want {
		t.Errorf("bad UTF-8 body = %q, want %q", got, want)
	}
}

func TestJSONLRefusesInvalidBodyAndGoesOn(t *testing.T) {
	var out bytes.Buffer
	enc := NewJSONL(&out, false)
	for _, bad := range []string{``, `{"truncated":`, "{\n\"a\":}", `{"a":1} {"b":2}`, `nope`} {
		err := enc.Write(profile(2, "x", row.TntID, bad))
		if !errors.Is(err, ErrInvalidProfile) {
			t.Errorf("Write(body %q) = %v, want ErrInvalidProfile", bad, err)
		}
	}
	if err := enc.Write(profile(3, "y", row.TntID, `{"ok":true}`)); err != nil {
		t.Fatalf("Write after a refused profile: %v", err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	recs := parseJSONL(t, out.Bytes())
	if len(recs) != 1 || recs[0].Line != 3 {
		t.Errorf("output = %s, want only line 3", out.Bytes())
	}
}

// closeTracker records whether Close was called on it.
type closeTracker struct {
	bytes.Buffer
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }

func TestJSONLCloseDoesNotCloseWriterAndEndsWriting(t *testing.T) {
	for _, gz := range []bool{false, true} {
		var w closeTracker
		enc := NewJSONL(&w, gz)
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		if w.closed {
			t.Errorf("gzip=%v: Close closed the underlying writer", gz)
		}
		if err := enc.Write(profile(2, "x", row.TntID, `{}`)); err == nil {
			t.Errorf("gzip=%v: Write after Close succeeded", gz)
		}
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestJSONLWriteErrorIsReported(t *testing.T) {
	enc := NewJSONL(failWriter{}, false)
	var err error
	// Buffered: the error shows at the latest on Close.
	for i := 0; i < 1000 && err == nil; i++ {
		err = enc.Write(profile(int64(i), "x", row.TntID, `{"pad":"`+strings.Repeat("p", 200)+`"}`))
	}
	if err == nil {
		err = enc.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error = %v, want the write error", err)
	}
	if err := enc.Write(profile(1, "x", row.TntID, `{}`)); err == nil {
		t.Error("Write after a write error succeeded")
	}
}

// manyProfiles returns n profiles with bodies of about 300 bytes.
func manyProfiles(n int) []row.Profile {
	ps := make([]row.Profile, n)
	for i := range ps {
		ps[i] = profile(int64(i+2), fmt.Sprintf("id-%06d", i), row.TntID,
			fmt.Sprintf(`{"visitorId":"v%d","modifiedAt":"2017-08-18T17:53:39.003-04:00","profileAttributes":{"user.n":{"value":"%d"},"pad":{"value":"%s"}}}`,
				i, i, strings.Repeat("x", 200)))
	}
	return ps
}

func TestJSONLGzipRoundTrip(t *testing.T) {
	profiles := manyProfiles(1000) // several buffer flushes
	plain := encodeJSONL(t, false, profiles...)
	compressed := encodeJSONL(t, true, profiles...)
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("read gzip: %v", err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatal("gzip output does not decompress to the plain output")
	}
	if recs := parseJSONL(t, got); len(recs) != len(profiles) {
		t.Fatalf("%d records, want %d", len(recs), len(profiles))
	}
	if len(compressed) >= len(plain)/2 {
		t.Errorf("gzip output is %d bytes for %d plain: not compressed?", len(compressed), len(plain))
	}
}

func TestJSONLEmptyPart(t *testing.T) {
	if out := encodeJSONL(t, false); len(out) != 0 {
		t.Errorf("empty plain part = %q, want nothing", out)
	}
	// An empty gzip part is still a valid gzip file.
	zr, err := gzip.NewReader(bytes.NewReader(encodeJSONL(t, true)))
	if err != nil {
		t.Fatalf("empty gzip part: %v", err)
	}
	if got, err := io.ReadAll(zr); err != nil || len(got) != 0 {
		t.Errorf("empty gzip part reads %q, %v", got, err)
	}
}

// gunzipCLI decompresses data with the gzip command, skipping the test when
// the command is not installed.
func gunzipCLI(t *testing.T, data []byte) []byte {
	t.Helper()
	path, err := exec.LookPath("gzip")
	if err != nil {
		t.Skip("no gzip command")
	}
	f, err := os.CreateTemp(t.TempDir(), "*.gz")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(data)
	f.Close()
	var out, stderr bytes.Buffer
	cmd := exec.Command(path, "-dc", f.Name())
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gzip -dc: %v: %s", err, stderr.String())
	}
	return out.Bytes()
}

// scanLines counts lines with bufio.Scanner, as a naive consumer would.
func scanLines(data []byte) int {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
	}
	return n
}

// TestCheckedSkipsOnlyTheCheck: a profile marked Checked (fetch validated its
// body) is written exactly as the same profile unmarked, in both formats, line
// breaks compacted and all.
func TestCheckedSkipsOnlyTheCheck(t *testing.T) {
	var plain, checked []row.Profile
	for _, c := range parquetCases {
		plain = append(plain, c.p)
		p := c.p
		p.Checked = true
		checked = append(checked, p)
	}
	if a, b := encodeJSONL(t, false, plain...), encodeJSONL(t, false, checked...); !bytes.Equal(a, b) {
		t.Errorf("JSON Lines differ:\n%s\n%s", a, b)
	}
	if a, b := encodeParquet(t, ParquetOptions{}, plain...), encodeParquet(t, ParquetOptions{}, checked...); !bytes.Equal(a, b) {
		t.Error("Parquet files differ")
	}
}
