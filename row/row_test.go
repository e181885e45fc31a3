package row

import "testing"

func TestParseType(t *testing.T) {
	tests := []struct {
		in      string
		want    Type
		wantErr bool
	}{
		{"tntId", TntID, false},
		{" TNTID ", TntID, false},
		{"mboxPC", TntID, false},
		{"pcid", TntID, false},
		{"ECID", ECID, false},
		{"mcid", ECID, false},
		{"marketingCloudVisitorId", ECID, false},
		{"thirdPartyId", ThirdPartyID, false},
		{"mbox3rdPartyId", ThirdPartyID, false},
		{"", "", true},
		{"email", "", true},
		{"tnt id", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseType(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("ParseType(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
			if err == nil && !got.Valid() {
				t.Fatalf("ParseType(%q) returned invalid type %q", tc.in, got)
			}
		})
	}
}

func TestRejectOfKeepsWhatWasRead(t *testing.T) {
	r := RejectOf(Row{Line: 7, ID: "x", RawType: "email", Invalid: "unknown ID type"})
	if r.Line != 7 || r.ID != "x" || r.Type != "email" || r.Reason != InvalidRow || r.Message != "unknown ID type" {
		t.Fatalf("RejectOf = %+v", r)
	}
}
