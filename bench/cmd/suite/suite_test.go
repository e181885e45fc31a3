package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/reader"
	"github.com/profile-export/profile-export/row"
)

// The inputs must be the same on every run and machine (RESULTS.md compares runs),
// readable by profile-export's reader, and hold distinct, valid IDs of all types.
func TestWriteCSV(t *testing.T) {
	const n = 30_000
	var a, b bytes.Buffer
	if err := writeCSV(&a, n); err != nil {
		t.Fatal(err)
	}
	if err := writeCSV(&b, n); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two generations differ")
	}
	// A smaller input is a prefix of a larger one: the small and large runs of a
	// measurement export the same first rows.
	var small bytes.Buffer
	_ = writeCSV(&small, 1000)
	if !bytes.HasPrefix(a.Bytes(), small.Bytes()) {
		t.Error("the 1,000-row input is not a prefix of the 30,000-row one")
	}

	rd, err := reader.New(bytes.NewReader(a.Bytes()), reader.Config{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	types := map[row.Type]int{}
	for {
		r, err := rd.Read()
		if err != nil {
			break
		}
		if r.Invalid != "" {
			t.Fatalf("line %d invalid: %s", r.Line, r.Invalid)
		}
		key := string(r.Type) + "|" + r.ID
		if seen[key] {
			t.Fatalf("line %d repeats %s", r.Line, key)
		}
		seen[key] = true
		types[r.Type]++
	}
	if len(seen) != n {
		t.Fatalf("read %d rows, want %d", len(seen), n)
	}
	for _, typ := range []row.Type{row.TntID, row.ECID, row.ThirdPartyID} {
		if types[typ] != n/3 {
			t.Errorf("%d rows of %s, want %d", types[typ], typ, n/3)
		}
	}
}

// A change to the generator changes every recorded result: this pins it.
func TestWriteCSVPinned(t *testing.T) {
	var b bytes.Buffer
	_ = writeCSV(&b, 10_000)
	got := fmt.Sprintf("%x", sha256.Sum256(b.Bytes()))[:16]
	if want := "4796615ff8f16d4b"; got != want {
		t.Fatalf("generator output changed (sha256 %s, want %s): results in bench/RESULTS.md are no longer comparable", got, want)
	}
	first := strings.SplitN(b.String(), "\n", 3)[1]
	if first != "535706856614802-550749,tntId" {
		t.Errorf("first row %q", first)
	}
}

func TestGenFileNamesRowCount(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ids-250.csv")
	if err := genFile(p, 250); err != nil {
		t.Fatal(err)
	}
	n, err := countRows(p)
	if err != nil || n != 250 {
		t.Fatalf("countRows = %d, %v", n, err)
	}
	f, _ := os.Open(p)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) != 251 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if _, err := countRows(filepath.Join(dir, "other.csv")); err == nil {
		t.Error("countRows accepted a name without a row count")
	}
}

const heyOutput = `
Summary:
  Total:	5.9336 secs
  Slowest:	0.0997 secs
  Fastest:	0.0001 secs
  Average:	0.0037 secs
  Requests/sec:	8423.8849

  Total data:	37238080 bytes
  Size/request:	745 bytes

Status code distribution:
  [200]	49990 responses
  [503]	10 responses
`

func TestParseHey(t *testing.T) {
	r, err := parseHey(heyOutput)
	if err != nil {
		t.Fatal(err)
	}
	if r.PerSecond != 8423.8849 || r.ByStatus[200] != 49990 || r.ByStatus[503] != 10 || r.Errors {
		t.Fatalf("parsed %+v", r)
	}
	r, _ = parseHey(heyOutput + "\nError distribution:\n  [3]\tGet ...: connection refused\n")
	if !r.Errors {
		t.Error("transport errors not noticed")
	}
	if _, err := parseHey("hey: something went wrong"); err == nil {
		t.Error("output without Requests/sec accepted")
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 200000: "200,000", 2000000: "2,000,000"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRenderMarksMissedTargets(t *testing.T) {
	out := render("quick", []result{
		{ID: "1", Name: "a", Ratio: 0.91, Target: "≥ 0.80", OK: true},
		{ID: "2", Name: "b", Ratio: 0.5, Target: "≥ 0.97", OK: false},
		{ID: "3", Name: "c", Ratio: 0.96954, Target: "≥ 0.97", OK: false},
		{ID: "6", Name: "c", Ratio: 0.7, Target: "none (bound 0.80)", NoTarget: true},
	}, 0)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 8 { // caption, blank, header, rule, four rows
		t.Fatalf("table:\n%s", out)
	}
	if !strings.HasSuffix(lines[4], "| 0.9100 | ≥ 0.80 | yes |") || !strings.HasSuffix(lines[5], "| 0.5000 | ≥ 0.97 | **NO** |") {
		t.Fatalf("rows:\n%s\n%s", lines[4], lines[5])
	}
	// Four decimals, so that a ratio just below its target does not print as
	// the target itself (0.970 beside **NO**).
	if !strings.HasSuffix(lines[6], "| 0.9695 | ≥ 0.97 | **NO** |") {
		t.Fatalf("ratio just below the target: %s", lines[6])
	}
	if !strings.HasSuffix(lines[7], "| 0.7000 | none (bound 0.80) | — |") {
		t.Fatalf("row without target: %s", lines[7])
	}
}
