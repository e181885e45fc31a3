package writer

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/profile-export/profile-export/row"
)

var sampleRejects = []row.Reject{
	{Line: 2, ID: "111492025094307-353046", Type: "tntId", Reason: row.NotFound, Status: 404,
		Message: "No profile found for client acme with mboxPC=111492025094307-353046", Attempts: 1},
	{Line: 3, ID: "", Type: "bogus", Reason: row.InvalidRow, Message: `unknown ID type "bogus"`},
	{Line: 4, ID: "crm<42>&\"quoted\"\n\x00\xff\u2028", Type: "thirdPartyId", Reason: row.Failed, Status: 503,
		Message: "HTTP 503 after 5 attempts", Attempts: 5},
	{Line: 5, ID: "12345678901234567890123456789012345678", Type: "marketingCloudVisitorId", Reason: row.Duplicate},
	{Line: -1, ID: "é 日本", Type: "tntId", Reason: row.Failed, Status: 0, Message: "", Attempts: 3},
}

// TestRejectLinesMatchEncodingJSON holds the reject format to exactly what
// encoding/json makes of row.Reject (field order, omitted fields, escaping),
// so that its struct tags stay the one definition of the format.
func TestRejectLinesMatchEncodingJSON(t *testing.T) {
	var got, want bytes.Buffer
	enc := NewRejects(&got)
	std := json.NewEncoder(&want)
	std.SetEscapeHTML(false)
	for _, r := range sampleRejects {
		if err := enc.Write(r); err != nil {
			t.Fatal(err)
		}
		if err := std.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("got\n%s\nwant\n%s", got.String(), want.String())
	}
}

func TestRejectsRoundTrip(t *testing.T) {
	var out bytes.Buffer
	enc := NewRejects(&out)
	for _, r := range sampleRejects[:2] {
		enc.Write(r)
	}
	if out.Len() != 0 {
		t.Error("rejects were written before Close or a full buffer: expected buffering")
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&out)
	dec.DisallowUnknownFields()
	for i, want := range sampleRejects[:2] {
		var got row.Reject
		if err := dec.Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("reject %d = %+v, want %+v", i, got, want)
		}
	}
	if err := enc.Write(sampleRejects[0]); err == nil {
		t.Error("Write after Close succeeded")
	}
}

func TestRejectsWriteError(t *testing.T) {
	enc := NewRejects(failWriter{})
	enc.Write(sampleRejects[0])
	if err := enc.Close(); err == nil {
		t.Error("Close succeeded although the writer failed")
	}
}
