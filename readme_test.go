package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/row"
)

// readme returns README.md, which documents the command for users.
func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every key of the --summary JSON is named in the README as it is spelled in the
// file, so that a user reading the README finds the keys jq needs.
func TestREADMENamesEverySummaryKey(t *testing.T) {
	sum := &job.Summary{
		Counts:      job.Counts{Rows: 1, Profiles: 1, Rejects: map[row.Reason]int64{row.Failed: 1}},
		Requests:    1,
		Retries:     1,
		Statuses:    map[int]int64{200: 1},
		Resumed:     true,
		Skipped:     1,
		FilteredOut: 1,
		Elapsed:     time.Second,
		Completed:   true,
		Outputs:     []string{"p.jsonl"},
	}
	b, err := json.Marshal(summaryJSON(sum, 0, "an error"))
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	doc := readme(t)
	for k := range keys {
		if !strings.Contains(doc, "`"+k+"`") && !strings.Contains(doc, `"`+k+`"`) {
			t.Errorf("the README does not name the summary key %q", k)
		}
	}
}

// Facts the README states about the repository itself stay true.
func TestREADMEFacts(t *testing.T) {
	doc := readme(t)
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	var goVersion string
	for _, l := range strings.Split(string(gomod), "\n") {
		if v, ok := strings.CutPrefix(l, "go "); ok {
			goVersion = strings.TrimSpace(v)
		}
	}
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	ciPara := paragraph(doc, "CI runs `.ci/run`")

	t.Run("Go version of go.mod", func(t *testing.T) {
		if goVersion == "" || !strings.Contains(doc, "Go "+goVersion+" ") {
			t.Errorf("the README does not ask for Go %s, the version go.mod requires", goVersion)
		}
	})
	t.Run("what CI runs", func(t *testing.T) {
		for _, step := range []string{"gofmt", "go vet", "go test ./...", "scripts/test-warehouse", "scripts/fuzz"} {
			if !strings.Contains(string(ci), step) {
				t.Errorf(".ci/run no longer runs %s: update this test and the README", step)
			}
			if !strings.Contains(ciPara, step) {
				t.Errorf("the README's CI paragraph does not say it runs %s:\n%s", step, ciPara)
			}
		}
	})
	t.Run("exports against a local sandbox say --rate", func(t *testing.T) {
		for _, l := range strings.Split(doc, "\n") {
			if strings.HasPrefix(l, "profile-export export --base-url http://127.0.0.1") && !strings.Contains(l, "--rate") {
				t.Errorf("an export against the local sandbox runs at the default 10/s (100 s for examples/ids.csv): %s", l)
			}
		}
	})
}

// paragraph returns the paragraph of doc that starts with start, or "".
func paragraph(doc, start string) string {
	i := strings.Index(doc, start)
	if i < 0 {
		return ""
	}
	p := doc[i:]
	if j := strings.Index(p, "\n\n"); j >= 0 {
		p = p[:j]
	}
	return p
}
