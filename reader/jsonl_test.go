package reader

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/row"
)

func TestJSONLines(t *testing.T) {
	tests := []struct {
		name  string
		input string
		cfg   Config
		want  []row.Row
	}{
		{"rejects of a previous run",
			`{"line":2,"id":"abc","type":"tntId","reason":"failed","status":503,"attempts":5}` + "\n" +
				`{"line":7,"id":"123","type":"marketingCloudVisitorId","reason":"not_found","attempts":1}` + "\n",
			Config{}, []row.Row{
				{Line: 1, ID: "abc", Type: row.TntID, RawType: "tntId"},
				{Line: 2, ID: "123", Type: row.ECID, RawType: "marketingCloudVisitorId"},
			}},
		{"reasons filter skips other reasons; lines without a reason are rows; invalid rows stay invalid",
			`{"id":"a","type":"tntId","reason":"not_found"}` + "\n" +
				`{"id":"b","type":"tntId","reason":"failed"}` + "\n" +
				`{"id":"c","type":"tntId"}` + "\n" +
				`{"id":"d\ufffd","type":"tntId","reason":"invalid_row","message":"the ID is not valid UTF-8"}` + "\n",
			Config{Reasons: []row.Reason{row.Failed, row.InvalidRow}}, []row.Row{
				{Line: 2, ID: "b", Type: row.TntID, RawType: "tntId"},
				{Line: 3, ID: "c", Type: row.TntID, RawType: "tntId"},
				{Line: 4, ID: "d\ufffd", Type: row.TntID, RawType: "tntId", Invalid: "rejected before as invalid_row: the ID is not valid UTF-8"},
			}},
		{"blank lines, CRLF, leading space and BOM",
			"\ufeff\r\n  " + `{"id":"a","type":"tntId"}` + "\r\n\r\n" + `{"id":" b ","type":"tntid"}`,
			Config{}, []row.Row{
				{Line: 2, ID: "a", Type: row.TntID, RawType: "tntId"},
				{Line: 4, ID: "b", Type: row.TntID, RawType: "tntid"},
			}},
		{"config type overrides",
			`{"id":"123","type":"bogus"}` + "\n" + `{"id":"456"}` + "\n",
			Config{Type: row.ECID}, []row.Row{
				{Line: 1, ID: "123", Type: row.ECID},
				{Line: 2, ID: "456", Type: row.ECID},
			}},
		{"invalid lines are invalid rows, even when filtered",
			`{"id":"a","type":"tntId"` + "\n" +
				`["a","tntId"]` + "\n" +
				`{"id":123,"type":"ecid","reason":"failed"}` + "\n" +
				`null` + "\n" +
				`{"type":"tntId","reason":"failed"}` + "\n" +
				`{"id":"e","reason":"failed"}` + "\n" +
				`{"id":"f","type":"cookie","reason":"failed"}` + "\n" +
				`{"id":"","type":"tntId","reason":"failed"}` + "\n" +
				`{"id":"ok","type":"tntId","reason":"failed"}` + "\n",
			Config{Reasons: []row.Reason{row.Failed}}, []row.Row{
				{Line: 1, Invalid: "not valid JSON"},
				{Line: 2, Invalid: "not a JSON object"},
				{Line: 3, Type: row.ECID, RawType: "ecid", Invalid: `"id" must be a string, not a number`},
				{Line: 4, Invalid: "not a JSON object"},
				{Line: 5, Invalid: `no "id"`},
				{Line: 6, ID: "e", Invalid: `no "type"`},
				{Line: 7, ID: "f", RawType: "cookie", Invalid: "unknown ID type"},
				{Line: 8, Type: row.TntID, RawType: "tntId", Invalid: "empty ID"},
				{Line: 9, ID: "ok", Type: row.TntID, RawType: "tntId"},
			}},
		{"messages name the field, not Go's types",
			`{"id":"a","type":5}` + "\n" +
				`{"id":true,"type":"tntId"}` + "\n" +
				`{"id":"c","type":"tntId","reason":["failed"]}` + "\n" +
				`{"id":"d","type":"tntId","reason":"failed","message":{}}` + "\n" +
				`{"id":"e","type":"tntId"` + "\n",
			Config{}, []row.Row{
				{Line: 1, ID: "a", Invalid: `"type" must be a string, not a number`},
				{Line: 2, Type: row.TntID, RawType: "tntId", Invalid: `"id" must be a string, not a bool`},
				{Line: 3, ID: "c", Type: row.TntID, RawType: "tntId", Invalid: `"reason" must be a string, not an array`},
				{Line: 4, ID: "d", Type: row.TntID, RawType: "tntId", Invalid: `"message" must be a string, not an object`},
				{Line: 5, Invalid: "not valid JSON: unexpected end of JSON input"},
			}},
		{"an unknown reason is an invalid row, whatever --reasons says",
			`{"id":"a","type":"tntId","reason":"weird"}` + "\n" +
				`{"id":"b","type":"tntId","reason":"FAILED"}` + "\n" +
				`{"id":"c","type":"tntId","reason":""}` + "\n",
			Config{Reasons: []row.Reason{row.Failed}}, []row.Row{
				{Line: 1, ID: "a", Type: row.TntID, RawType: "tntId", Invalid: `unknown "reason" "weird": want not_found, invalid_row, failed or duplicate`},
				{Line: 2, ID: "b", Type: row.TntID, RawType: "tntId", Invalid: `unknown "reason" "FAILED"`},
				{Line: 3, ID: "c", Type: row.TntID, RawType: "tntId"},
			}},
		{"line too long",
			`{"id":"` + strings.Repeat("x", 100) + `","type":"tntId"}` + "\n" + `{"id":"a","type":"tntId"}` + "\n",
			Config{MaxFieldBytes: 20}, []row.Row{
				{Line: 1, Invalid: "longer than 80 bytes"},
				{Line: 2, ID: "a", Type: row.TntID, RawType: "tntId"},
			}},
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

// TestRejectsRoundTrip feeds the rejects written for invalid rows back to the reader,
// gzipped, as a user re-running a previous run's rejects would.
func TestRejectsRoundTrip(t *testing.T) {
	rejects := []row.Reject{
		{Line: 3, ID: "abc", Type: "tntId", Reason: row.NotFound, Status: 404, Message: "No profile found", Attempts: 1},
		{Line: 4, ID: "ab\"c\n", Type: "mbox3rdPartyId", Reason: row.Failed, Status: 503, Attempts: 5},
		row.RejectOf(row.Row{Line: 9, ID: "x", RawType: "cookie", Invalid: "unknown ID type"}),
	}
	var b strings.Builder
	for _, r := range rejects {
		j, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	_, rows, err := readFile(t, writeFile(t, "rejects.jsonl.gz", gzipBytes(t, b.String())),
		Config{Reasons: []row.Reason{row.NotFound, row.Failed, row.InvalidRow}})
	if err != nil {
		t.Fatal(err)
	}
	assertRows(t, rows, []row.Row{
		{Line: 1, ID: "abc", Type: row.TntID, RawType: "tntId"},
		{Line: 2, ID: "ab\"c", Type: row.ThirdPartyID, RawType: "mbox3rdPartyId"},
		{Line: 3, ID: "x", RawType: "cookie", Invalid: "unknown ID type"},
	})
}

func TestJSONLinesCountsSkippedReasons(t *testing.T) {
	in := `{"id":"a","type":"tntId","reason":"not_found"}` + "\n" +
		`{"id":"b","type":"tntId","reason":"failed"}` + "\n" +
		`{"id":"c","type":"tntId","reason":"not_found"}` + "\n"
	rd, err := New(strings.NewReader(in), Config{Reasons: []row.Reason{row.Failed}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		if _, err := rd.Read(); err != nil {
			break
		}
		n++
	}
	if n != 1 || rd.Skipped() != 2 {
		t.Fatalf("%d rows and %d skipped, want 1 row and 2 lines skipped", n, rd.Skipped())
	}
}
