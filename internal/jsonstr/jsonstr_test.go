package jsonstr

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

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range hostileStrings {
		got := string(Append(nil, s))
		if want := stdlibString(t, s); got != want {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("appendJSONString(%q) = %s: not valid JSON", s, got)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(Append(nil, s)), stdlibString(t, s); got != want {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
