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
