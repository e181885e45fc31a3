package jsonvalid

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// reference is what Valid must agree with.
func reference(b []byte) bool { return json.Valid(b) && utf8.Valid(b) }

var cases = []string{
	``, ` `, `{}`, ` { } `, `[]`, `[ ]`, `{"a":1}`, `{"a" : [1, 2.5, -3e10, true, false, null, "x"]}`,
	`"plain"`, `0`, `-0`, `01`, `-`, `1.`, `.5`, `1e`, `1e+`, `1E-7`, `1.5e+3`, `-12.34E56`, `+1`, `0x10`,
	`tru`, `true`, `truex`, `nul`, `null`, `falsey`, `NaN`, `Infinity`,
	`{"a":}`, `{"a"}`, `{"a":1,}`, `{,}`, `[1,]`, `[,1]`, `[1 2]`, `{"a":1 "b":2}`, `{1:2}`, `{"a":1}}`, `[[]`, `[]]`,
	`{"a":{"b":[{"c":[]}]}}`, `{} {}`, `{}x`, "{}\n", "\t{\r\n}\n ",
	`"\"\\\/\b\f\n\r\t"`, `"\u00e9\uD83D\uDE00"`, `"\uD800"`, `"\u12"`, `"\u12G4"`, `"\x"`, `"\'"`, `"unterminated`, `"a\`,
	"\"tab\there\"", "\"nl\nhere\"", "\"del\x7f\"", "\"\x00\"",
	"\"été 😀\"", "\"\xff\"", "\"\xc3\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\xef\xbb\xbf{}",
	"{\"a\xff\":1}", "[\"\xe2\x82\"]",
	`{"client":"acmecorp","visitorId":"a1","profileAttributes":{"user.x":{"value":"0.0","modifiedAt":"2017-08-09T18:18:04.661-04:00"}}}`,
}

func TestValidAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range cases {
		if got, want := Valid([]byte(c)), reference([]byte(c)); got != want {
			t.Errorf("Valid(%q) = %v, want %v", c, got, want)
		}
	}
}

func TestValidDepthLimit(t *testing.T) {
	for _, open := range []string{"[", `{"a":`} {
		close := map[string]string{"[": "]", `{"a":`: "}"}[open]
		for _, d := range []int{MaxDepth - 1, MaxDepth, MaxDepth + 1, 3 * MaxDepth} {
			b := []byte(strings.Repeat(open, d) + "1" + strings.Repeat(close, d))
			if got, want := Valid(b), reference(b); got != want {
				t.Errorf("depth %d of %s: Valid = %v, encoding/json says %v", d, open, got, want)
			}
		}
	}
	// Deep nesting of a broken document fails without exhausting anything.
	if Valid([]byte(strings.Repeat("[", 1<<20))) {
		t.Error("a million unclosed brackets accepted")
	}
}

// The answers fetch's fuzzing found interesting are checked too.
func TestValidOnFetchCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../fetch/testdata/fuzz/FuzzDecode/*")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The corpus files are in the "go test fuzz v1" format; the JSON literal is
		// inside, and checking the whole file (not JSON) exercises the failing path.
		if got, want := Valid(data), reference(data); got != want {
			t.Errorf("%s: Valid = %v, want %v", filepath.Base(f), got, want)
		}
	}
}

func FuzzValid(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), reference(b); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json and utf8 say %v", b, got, want)
		}
	})
}

// benchBody is a typical answer of the Profile API, about 750 bytes.
var benchBody = []byte(`{"client":"sandbox","mboxPC":"844568291426645-575122","thirdPartyId":"crm-0000001","modifiedAt":"2026-02-21T03:29:14","profileAttributes":{"user.deviceType":{"value":"mobile","modifiedAt":"2025-12-25T07:27:13"},"user.memberlevel":{"value":"3.0","modifiedAt":"2026-01-22T02:27:46"},"user.language":{"value":"de-DE","modifiedAt":"2026-01-11T18:45:46"},"profile.cartValue":{"value":"476.86","modifiedAt":"2026-02-02T12:57:52"},"profile.favoriteColor":{"value":"bleu marine","modifiedAt":"2026-01-16T23:32:53"},"user.country":{"value":"BR","modifiedAt":"2026-01-21T20:41:49"},"profile.newsletterOptIn":{"value":"true","modifiedAt":"2026-02-16T18:45:31"},"profile.lastReferrer":{"value":"https://www.google.com/","modifiedAt":"2026-01-17T05:52:29"}}}`)

func BenchmarkValid(b *testing.B) {
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if !Valid(benchBody) {
			b.Fatal("invalid")
		}
	}
}

// BenchmarkEncodingJSONValid is what Valid replaces, for comparison.
func BenchmarkEncodingJSONValid(b *testing.B) {
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if !json.Valid(benchBody) || !utf8.Valid(benchBody) {
			b.Fatal("invalid")
		}
	}
}
