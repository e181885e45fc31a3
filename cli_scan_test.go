package main

import (
	"testing"

	"github.com/urfave/cli/v2"
)

// scanFlag reads a flag from arguments urfave/cli did not parse as the flag package
// would have: either form, one dash or two, aliases, the last one winning, nothing
// after "--"; else from the environment.
func TestScanFlag(t *testing.T) {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "summary", EnvVars: []string{"PE_TEST_SUMMARY"}},
		&cli.StringFlag{Name: "input", Aliases: []string{"i"}},
		&cli.BoolFlag{Name: "dry-run"},
	}
	for _, tc := range []struct {
		name, flag string
		env        string // PE_TEST_SUMMARY, when not empty
		args       []string
		want       string
		found      bool
	}{
		{"separate value", "summary", "", []string{"export", "--summary", "s.json"}, "s.json", true},
		{"= value", "summary", "", []string{"export", "--summary=s.json"}, "s.json", true},
		{"one dash", "summary", "", []string{"export", "-summary", "s.json"}, "s.json", true},
		{"the last wins", "summary", "", []string{"--summary", "a.json", "--summary=b.json"}, "b.json", true},
		{"past a bad flag and an argument", "summary", "", []string{"--bogus", "extra", "--summary", "s.json"}, "s.json", true},
		{"not after --", "summary", "", []string{"--", "--summary", "s.json"}, "", false},
		{"no value", "summary", "", []string{"--summary"}, "", false},
		{"alias", "input", "", []string{"-i", "ids.csv"}, "ids.csv", true},
		{"bool", "dry-run", "", []string{"--dry-run", "--summary", "s.json"}, "true", true},
		{"bool = false", "dry-run", "", []string{"--dry-run=false"}, "false", true},
		{"environment", "summary", "env.json", []string{"--bogus"}, "env.json", true},
		{"arguments win over the environment", "summary", "env.json", []string{"--summary", "s.json"}, "s.json", true},
		{"absent", "summary", "", []string{"--bogus"}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("PE_TEST_SUMMARY", tc.env)
			}
			got, found := scanFlag(flags, tc.args, tc.flag)
			if got != tc.want || found != tc.found {
				t.Errorf("scanFlag(%q, %q) = %q, %v; want %q, %v", tc.args, tc.flag, got, found, tc.want, tc.found)
			}
		})
	}
}
