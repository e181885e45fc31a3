package reader

import (
	"strings"
	"testing"

	"github.com/profile-export/profile-export/row"
)

func TestRows(t *testing.T) {
	const ecid38 = "12345678901234567890123456789012345678"
	long128 := strings.Repeat("a", 128)
	runes128 := strings.Repeat("é", 128) // 256 bytes, 128 characters
	tests := []struct {
		name string
		data string // after the header "id,type"
		cfg  Config
		want []row.Row
	}{
		{"three types", "111492025094307-353046,tntId\n" + ecid38 + ",marketingCloudVisitorId\ncrm-42,thirdPartyId\n", Config{}, []row.Row{
			{Line: 2, ID: "111492025094307-353046", Type: row.TntID, RawType: "tntId"},
			{Line: 3, ID: ecid38, Type: row.ECID, RawType: "marketingCloudVisitorId"},
			{Line: 4, ID: "crm-42", Type: row.ThirdPartyID, RawType: "thirdPartyId"},
		}},
		{"type aliases", "a,mboxPC\n1,ECID\n2,mcid\nb,mbox3rdPartyId\n", Config{}, []row.Row{
			{Line: 2, ID: "a", Type: row.TntID, RawType: "mboxPC"},
			{Line: 3, ID: "1", Type: row.ECID, RawType: "ECID"},
			{Line: 4, ID: "2", Type: row.ECID, RawType: "mcid"},
			{Line: 5, ID: "b", Type: row.ThirdPartyID, RawType: "mbox3rdPartyId"},
		}},
		{"ID trimmed", "  abc \t, tntId \n", Config{}, []row.Row{
			{Line: 2, ID: "abc", Type: row.TntID, RawType: "tntId"},
		}},
		{"quoted ID with delimiter and quote", "\"a,\"\"b\"\"\",thirdPartyId\n", Config{}, []row.Row{
			{Line: 2, ID: `a,"b"`, Type: row.ThirdPartyID, RawType: "thirdPartyId"},
		}},
		{"spaces around quoted field", "  \"abc\"  ,  \"tntId\" \n", Config{}, []row.Row{
			{Line: 2, ID: "abc", Type: row.TntID, RawType: "tntId"},
		}},
		{"tntId with location hint and extra dots", "a.b-1.28_0,tntId\n", Config{}, []row.Row{
			{Line: 2, ID: "a.b-1.28_0", Type: row.TntID, RawType: "tntId"},
		}},
		{"short all-digit ECID passes", "42,ecid\n", Config{}, []row.Row{
			{Line: 2, ID: "42", Type: row.ECID, RawType: "ecid"},
		}},
		{"128 characters", long128 + ",thirdPartyId\n" + runes128 + ",thirdPartyId\n", Config{}, []row.Row{
			{Line: 2, ID: long128, Type: row.ThirdPartyID, RawType: "thirdPartyId"},
			{Line: 3, ID: runes128, Type: row.ThirdPartyID, RawType: "thirdPartyId"},
		}},
		{"extra columns", "abc,tntId,x,y,z\n", Config{}, []row.Row{
			{Line: 2, ID: "abc", Type: row.TntID, RawType: "tntId"},
		}},
		{"genuine U+FFFD", "a\ufffdb,thirdPartyId\n", Config{}, []row.Row{
			{Line: 2, ID: "a\ufffdb", Type: row.ThirdPartyID, RawType: "thirdPartyId"},
		}},

		{"empty ID", ",tntId\n  ,tntId\n\"\",tntId\n", Config{}, []row.Row{
			{Line: 2, Type: row.TntID, RawType: "tntId", Invalid: "empty ID"},
			{Line: 3, Type: row.TntID, RawType: "tntId", Invalid: "empty ID"},
			{Line: 4, Type: row.TntID, RawType: "tntId", Invalid: "empty ID"},
		}},
		{"line of empty fields is a row", ",,\n", Config{}, []row.Row{
			{Line: 2, Invalid: "empty ID type"},
		}},
		{"unknown type", "abc,cookie\n", Config{}, []row.Row{
			{Line: 2, ID: "abc", RawType: "cookie", Invalid: `unknown ID type "cookie"`},
		}},
		{"empty type", "abc,\n", Config{}, []row.Row{
			{Line: 2, ID: "abc", Invalid: "empty ID type"},
		}},
		{"too few fields", "abc\n", Config{}, []row.Row{
			{Line: 2, ID: "abc", Invalid: `the row has 1 field(s); the "type" column is field 2`},
		}},
		{"129 characters", long128 + "b,thirdPartyId\n", Config{}, []row.Row{
			{Line: 2, ID: long128 + "b", Type: row.ThirdPartyID, RawType: "thirdPartyId", Invalid: "129 characters long"},
		}},
		{"long invalid ID cut to 1 KiB", strings.Repeat("y", 3000) + ",tntId\n", Config{}, []row.Row{
			{Line: 2, ID: strings.Repeat("y", 1024), Type: row.TntID, RawType: "tntId", Invalid: "3000 characters long"},
		}},
		{"invalid UTF-8", "a\xffb,thirdPartyId\n", Config{}, []row.Row{
			{Line: 2, ID: "a\xffb", Type: row.ThirdPartyID, RawType: "thirdPartyId", Invalid: "not valid UTF-8"},
		}},
		{"NUL in ID", "a\x00b,tntId\n", Config{}, []row.Row{
			{Line: 2, ID: "a\x00b", Type: row.TntID, RawType: "tntId", Invalid: "NUL"},
		}},
		{"NUL in another column", "ab,tntId,x\x00\n", Config{}, []row.Row{
			{Line: 2, ID: "ab", Type: row.TntID, RawType: "tntId", Invalid: "NUL"},
		}},
		{"control character", "a\x1bb,tntId\n\"a\nb\",tntId\n", Config{}, []row.Row{
			{Line: 2, ID: "a\x1bb", Type: row.TntID, RawType: "tntId", Invalid: "U+001B"},
			{Line: 3, ID: "a\nb", Type: row.TntID, RawType: "tntId", Invalid: "U+000A"},
		}},
		{"ECID with non-digits", "1234-5678,ecid\n 12 34 ,ecid\n", Config{}, []row.Row{
			{Line: 2, ID: "1234-5678", Type: row.ECID, RawType: "ecid", Invalid: "only digits"},
			{Line: 3, ID: "12 34", Type: row.ECID, RawType: "ecid", Invalid: "only digits"},
		}},
		{"bare quote", "ab\"c,tntId\nok,tntId\n", Config{}, []row.Row{
			{Line: 2, ID: `ab"c`, Type: row.TntID, RawType: "tntId", Invalid: "inside an unquoted field"},
			{Line: 3, ID: "ok", Type: row.TntID, RawType: "tntId"},
		}},
		{"text after closing quote", "\"ab\"c,tntId\nok,tntId\n", Config{}, []row.Row{
			{Line: 2, ID: `"ab"c`, Type: row.TntID, RawType: "tntId", Invalid: "text follows a closing quote"},
			{Line: 3, ID: "ok", Type: row.TntID, RawType: "tntId"},
		}},
		{"quote never closed at end of file", "ok,tntId\n\"abc,tntId", Config{}, []row.Row{
			{Line: 2, ID: "ok", Type: row.TntID, RawType: "tntId"},
			{Line: 3, ID: `"abc`, Type: row.TntID, RawType: "tntId", Invalid: "never closed"},
		}},
		{"field too long", strings.Repeat("x", 40) + ",tntId\nok,tntId\n", Config{MaxFieldBytes: 32}, []row.Row{
			{Line: 2, ID: strings.Repeat("x", 32), Type: row.TntID, RawType: "tntId", Invalid: "field 1 is longer than 32 bytes"},
			{Line: 3, ID: "ok", Type: row.TntID, RawType: "tntId"},
		}},
		{"other field too long", "ab,tntId," + strings.Repeat("x", 40) + "\nok,tntId\n", Config{MaxFieldBytes: 32}, []row.Row{
			{Line: 2, ID: "ab", Type: row.TntID, RawType: "tntId", Invalid: "field 3 is longer than 32 bytes"},
			{Line: 3, ID: "ok", Type: row.TntID, RawType: "tntId"},
		}},
		{"quoted field too long on one line", "\"" + strings.Repeat("x", 40) + "\",tntId\nok,tntId\n", Config{MaxFieldBytes: 32}, []row.Row{
			{Line: 2, ID: strings.Repeat("x", 32), Type: row.TntID, RawType: "tntId", Invalid: "longer than 32 bytes"},
			{Line: 3, ID: "ok", Type: row.TntID, RawType: "tntId"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, newErr, readErr := readAll(t, "id,type\n"+tt.data, tt.cfg)
			if newErr != nil || readErr != nil {
				t.Fatalf("New: %v, Read: %v", newErr, readErr)
			}
			assertRows(t, rows, tt.want)
		})
	}
}

func TestRowsIDOnlyFile(t *testing.T) {
	rows, newErr, readErr := readAll(t, "x,id\nabc\n,\n", Config{Type: row.TntID})
	if newErr != nil || readErr != nil {
		t.Fatalf("New: %v, Read: %v", newErr, readErr)
	}
	assertRows(t, rows, []row.Row{
		{Line: 2, Type: row.TntID, Invalid: `the row has 1 field(s); the "id" column is field 2`},
		{Line: 3, Type: row.TntID, Invalid: "empty ID"},
	})
}
