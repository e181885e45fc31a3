package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
)

// count returns the number printed after label on a line of out, or -1.
func count(out, label string) int {
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(label) + `:\s+(\d+)\s*$`).FindStringSubmatch(out)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// --dry-run reads the whole input and reports what a run would make of it: counts
// per type, invalid rows with the first ten of them, duplicates; without a single
// request, and without touching the outputs.
func TestDryRun(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{})
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("id,type\n")
	line, invalidLines := 1, []int{}
	add := func(id, typ string, invalid bool) {
		line++
		fmt.Fprintf(&csv, "%s,%s\n", id, typ)
		if invalid {
			invalidLines = append(invalidLines, line)
		}
	}
	for i := range 5 {
		add(fmt.Sprintf("111492025094307-%06d", i), "mboxPC", false)
	}
	for i := range 3 {
		add(fmt.Sprintf("%038d", i), "ECID", false)
	}
	add("CRM-1", "thirdPartyId", false)
	add("CRM-1", "thirdPartyId", false) // a duplicate
	for i := range 12 {
		add(fmt.Sprintf("bad-%d", i), "carrierPigeon", true)
	}
	in := filepath.Join(dir, "ids.csv")
	if err := os.WriteFile(in, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := filepath.Join(dir, "dry.json")
	out := filepath.Join(dir, "out", "profiles.parquet")

	p := run(t, nil, exportArgs(in, out, sb.URL, "--dry-run", "--dedupe", "--summary", sum)...)
	p.expectCode(job.ExitOK) // usable, even with invalid rows
	stdout := p.stdout.String()
	for label, want := range map[string]int{"rows": 22, "tntId": 5, "marketingCloudVisitorId": 3, "thirdPartyId": 2, "invalid": 12, "duplicates (--dedupe)": 1} {
		if got := count(stdout, label); got != want {
			t.Errorf("%s: %d, want %d\n%s", label, got, want, stdout)
		}
	}
	if !strings.Contains(stdout, "first invalid rows (10 of 12)") {
		t.Errorf("the first ten invalid rows are not announced:\n%s", stdout)
	}
	for i, l := range invalidLines {
		listed := strings.Contains(stdout, fmt.Sprintf("line %d: ", l))
		if listed != (i < job.DryRunMaxInvalid) {
			t.Errorf("invalid line %d (the %d-th) listed: %v", l, i+1, listed)
		}
	}
	if !strings.Contains(stdout, `unknown ID type "carrierPigeon"`) {
		t.Errorf("the reason of an invalid row is not shown:\n%s", stdout)
	}
	if n := sb.Stats().Requests; n != 0 {
		t.Errorf("a dry run sent %d requests", n)
	}
	checkDirHolds(t, dir, "ids.csv", "dry.json") // no output, no staging directory, no lock

	var rep struct {
		DryRun   bool             `json:"dry_run"`
		Rows     int64            `json:"rows"`
		ByType   map[string]int64 `json:"by_type"`
		Invalid  int64            `json:"invalid"`
		ExitCode int              `json:"exit_code"`
		First    []struct {
			Line   int64  `json:"line"`
			Reason string `json:"reason"`
		} `json:"first_invalid"`
	}
	b, err := os.ReadFile(sum)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.DryRun || rep.Rows != 22 || rep.Invalid != 12 || rep.ByType["tntId"] != 5 || rep.ExitCode != 0 ||
		len(rep.First) != 10 || rep.First[0].Line != int64(invalidLines[0]) || rep.First[0].Reason != "invalid_row" {
		t.Errorf("--summary of the dry run: %s", b)
	}

	// The shards of a sharded dry run add up to the whole, as the shards of a run do.
	total := 0
	for k := range 3 {
		p := run(t, nil, exportArgs(in, out, sb.URL, "--dry-run", "--shard", fmt.Sprintf("%d/3", k))...)
		p.expectCode(job.ExitOK)
		total += count(p.stdout.String(), "rows")
		if !strings.Contains(p.stdout.String(), fmt.Sprintf("shard %d/3: ", k)) {
			t.Errorf("shard %d not named:\n%s", k, p.stdout.String())
		}
	}
	if total != 22 {
		t.Errorf("the shards hold %d rows together, want 22", total)
	}
}

// An unusable input makes the dry run exit 2, still creating nothing.
func TestDryRunUnusable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "out") + "/"

	badHeader := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(badHeader, []byte("visitor,kind\n1,tntId\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := run(t, nil, "export", "-i", badHeader, "-o", out, "--dry-run")
	p.expectCode(job.ExitUsage)
	if !strings.Contains(p.stderr.String(), `no "id" column`) {
		t.Errorf("the problem is not named:\n%s", p.stderr.String())
	}

	// A gzip file cut short: the rows before the cut are counted, the file is not
	// usable.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	fmt.Fprintln(zw, "id,type")
	for i := range 5000 {
		fmt.Fprintf(zw, "CRM-%d,thirdPartyId\n", i)
	}
	zw.Close()
	cut := filepath.Join(dir, "cut.csv.gz")
	if err := os.WriteFile(cut, gz.Bytes()[:gz.Len()*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	p = run(t, nil, "export", "-i", cut, "-o", out, "--dry-run")
	p.expectCode(job.ExitUsage)
	if n := count(p.stdout.String(), "rows"); n <= 0 || n >= 5000 {
		t.Errorf("rows before the cut: %d\n%s", n, p.stdout.String())
	}
	if !strings.Contains(p.stdout.String(), "NOT usable") || !strings.Contains(p.stderr.String(), "cannot be read to the end") {
		t.Errorf("a cut file is not reported unusable:\nstdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
	}

	p = run(t, nil, "export", "-i", filepath.Join(dir, "missing.csv"), "-o", out, "--dry-run")
	p.expectCode(job.ExitUsage)
	checkDirHolds(t, dir, "bad.csv", "cut.csv.gz")
}

// --summary writes the run's summary as JSON: the counts, requests, retries,
// latency percentiles, elapsed time and exit code.
func TestSummaryFile(t *testing.T) {
	t.Parallel()
	sb := sandbox.StartTest(t, sandbox.Config{Faults: sandbox.Faults{FailFirst: 1}}) // every ID: 503, then an answer
	rows := genRows(60, 4)
	dir := t.TempDir()
	in := filepath.Join(dir, "ids.csv")
	writeCSV(t, in, rows)
	sumPath := filepath.Join(dir, "summary.json")
	p := run(t, nil, exportArgs(in, filepath.Join(dir, "p.jsonl"), sb.URL, "--summary", sumPath, "--retries", "2")...)
	p.expectCode(job.ExitOK)

	var sum struct {
		Rows     *int64           `json:"rows"`
		Profiles *int64           `json:"profiles"`
		Rejects  map[string]int64 `json:"rejects"`
		Requests *int64           `json:"requests"`
		Retries  *int64           `json:"retries"`
		Statuses map[string]int64 `json:"statuses"`
		Latency  map[string]float64
		Elapsed  *float64 `json:"elapsed_seconds"`
		ExitCode *int     `json:"exit_code"`
		Done     bool     `json:"completed"`
	}
	b, err := os.ReadFile(sumPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if sum.Rows == nil || sum.Profiles == nil || sum.Requests == nil || sum.Retries == nil || sum.Elapsed == nil || sum.ExitCode == nil {
		t.Fatalf("summary lacks a field:\n%s", b)
	}
	valid, invalid := 0, 0
	for _, r := range rows {
		if r.invalid {
			invalid++
		} else {
			valid++
		}
	}
	if *sum.Rows != int64(len(rows)) || *sum.Profiles+sum.Rejects["not_found"] != int64(valid) || sum.Rejects["invalid_row"] != int64(invalid) {
		t.Errorf("counts: %s", b)
	}
	// Each valid ID: one 503, then one answer.
	if *sum.Requests != int64(2*valid) || *sum.Retries != int64(valid) || sum.Statuses["503"] != int64(valid) {
		t.Errorf("requests %d retries %d 503s %d, want %d, %d, %d", *sum.Requests, *sum.Retries, sum.Statuses["503"], 2*valid, valid, valid)
	}
	for _, q := range []string{"p50_ms", "p95_ms", "p99_ms"} {
		if v, ok := sum.Latency[q]; !ok || v <= 0 {
			t.Errorf("latency %s = %v (present %v)", q, v, ok)
		}
	}
	if sum.Latency["p50_ms"] > sum.Latency["p95_ms"] || sum.Latency["p95_ms"] > sum.Latency["p99_ms"] {
		t.Errorf("percentiles out of order: %v", sum.Latency)
	}
	if *sum.Elapsed <= 0 || *sum.ExitCode != 0 || !sum.Done {
		t.Errorf("elapsed %v exit code %d completed %v", *sum.Elapsed, *sum.ExitCode, sum.Done)
	}

	// A run whose rows failed says so in its exit code, in the file too.
	bad := sandbox.StartTest(t, sandbox.Config{Faults: sandbox.Faults{Rate503: 1}})
	p = run(t, nil, exportArgs(in, filepath.Join(dir, "q.jsonl"), bad.URL, "--summary", sumPath, "--retries", "0")...)
	p.expectCode(job.ExitFailed)
	b, _ = os.ReadFile(sumPath)
	sum.ExitCode = nil
	if err := json.Unmarshal(b, &sum); err != nil || sum.ExitCode == nil || *sum.ExitCode != job.ExitFailed || sum.Rejects["failed"] != int64(valid) {
		t.Errorf("summary of a run with failed rows: %s", b)
	}
}

// A dry run of a rejects file says how many lines --reasons leaves out, as the run's
// summary would, on stdout and in --summary.
func TestDryRunReportsFilteredLines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "p.rejects.jsonl")
	os.WriteFile(in, []byte(`{"line":2,"id":"a","type":"tntId","reason":"failed"}
{"line":3,"id":"b","type":"tntId","reason":"not_found"}
{"line":4,"id":"c","type":"tntId","reason":"not_found"}
{"line":5,"id":"d","type":"tntId","reason":"weird"}
`), 0o600)
	sumPath := filepath.Join(dir, "summary.json")
	p := run(t, nil, "export", "-i", in, "-o", filepath.Join(dir, "retry.jsonl"), "--dry-run", "--summary", sumPath)
	p.expectCode(job.ExitOK)
	out := p.stdout.String()
	if n := count(out, "filtered out (--reasons)"); n != 2 {
		t.Errorf("filtered out lines: %d, want 2:\n%s", n, out)
	}
	if n, m := count(out, "rows"), count(out, "invalid"); n != 2 || m != 1 {
		t.Errorf("rows %d, invalid %d; want 2 and 1 (the unknown reason):\n%s", n, m, out)
	}
	var sum struct {
		FilteredOut int64 `json:"filtered_out_lines"`
	}
	b, _ := os.ReadFile(sumPath)
	if err := json.Unmarshal(b, &sum); err != nil || sum.FilteredOut != 2 {
		t.Errorf("summary (%v):\n%s", err, b)
	}
}
