package writer

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// stdlibString is what encoding/json writes for s with HTML escaping off.
func stdlibString(t testing.TB, s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

var hostileStrings = []string{
	"",
	"plain-111492025094307-353046.28_0",
	`quote " backslash \ slash /`,
	"line\nbreak\rreturn\ttab\bbackspace\fformfeed",
	"\x00\x01\x1f\x7f control",
	"<html>&amp;</html>",
	"é, 日本語, emoji 😀",
	"bad utf8 \xff\xfe end",
	"truncated \xe6\x97",
	"separators \u2028 and \u2029",
	"surrogate-ish \xed\xa0\x80",
	`{"json":"inside"}`,
}

var quotedLiterals = []string{
	`""`,
	`"plain"`,
	`"\"\\\/\b\f\n\r\t"`,
	`"\u00e9\u65e5 \uD83D\uDE00"`,
	`"lone high \ud800 then text"`,
	`"lone low \udc00"`,
	`"high then non-low \ud800\u0041"`,
	`"high at end \ud800"`,
	`"raw é 日本"`,
	"\"bad \xff utf8\"",
	`"\u2028\u0000"`,
}

func TestAppendUnquotedMatchesEncodingJSON(t *testing.T) {
	for _, q := range quotedLiterals {
		var want string
		if err := json.Unmarshal([]byte(q), &want); err != nil {
			t.Fatalf("test literal %s: %v", q, err)
		}
		if got := string(appendUnquoted(nil, []byte(q))); got != want {
			t.Errorf("appendUnquoted(%s) = %q, want %q", q, got, want)
		}
	}
}

func FuzzAppendUnquoted(f *testing.F) {
	for _, q := range quotedLiterals {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		var want string
		if json.Unmarshal([]byte(q), &want) != nil || len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
			return // only valid string literals reach appendUnquoted
		}
		if got := string(appendUnquoted(nil, []byte(q))); got != want {
			t.Fatalf("appendUnquoted(%s) = %q, want %q", q, got, want)
		}
	})
}
