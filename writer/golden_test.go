package writer

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/profile-export/profile-export/row"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files from the current output")

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestGoldenProfilesJSONL pins the JSON Lines profile format byte for byte:
// users parse these files, so any change must be deliberate.
func TestGoldenProfilesJSONL(t *testing.T) {
	out := encodeJSONL(t, false,
		profile(2, "111492025094307-353046.28_0", row.TntID,
			`{"client":"acmecorp","visitorId":"a1-mbox3rdPartyId","modifiedAt":"2017-08-18T17:53:39.003-04:00","profileAttributes":{"user.memberlevel":{"value":"0.0","modifiedAt":"2017-08-09T18:18:04.661-04:00"}}}`),
		profile(3, "12345678901234567890123456789012345678", row.ECID,
			`{"mboxPC":"111492025094307-353046","modifiedAt":"2016-12-01T16:35:45","profileAttributes":{}}`),
		profile(4, "crm \"42\"\t<é>\u2028\x01", row.ThirdPartyID, "{\n  \"multi\": \"line\"\n}"),
	)
	checkGolden(t, "profiles.jsonl.golden", out)
}

// TestGoldenRejects pins the rejects format byte for byte.
func TestGoldenRejects(t *testing.T) {
	var out bytes.Buffer
	enc := NewRejects(&out)
	for _, r := range sampleRejects {
		if err := enc.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "rejects.jsonl.golden", out.Bytes())
}
