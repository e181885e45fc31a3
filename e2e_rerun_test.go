package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/job"
	"github.com/profile-export/profile-export/row"
)

// Rows that failed (their retries ran out) are re-run from the rejects file: an
// export of out.rejects.jsonl with --reasons failed fetches exactly those rows.
func TestE2ERerunFailedRejects(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 61}
	sick := cfg
	sick.Faults.Rate503 = 0.3
	sickSB := sandbox.StartTest(t, sick)
	rows := genRows(600, 61)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	dir := t.TempDir()
	out := filepath.Join(dir, "profiles.parquet")

	run(t, nil, exportArgs(in, out, sickSB.URL, "--retries", "0")...).expectCode(job.ExitFailed)
	first := readSingle(t, out)
	checkExactlyOnce(t, rows, first, expectation{cfg: cfg, allowFailed: true})
	nFailed := 0
	for _, r := range first {
		if r.Kind == string(row.Failed) {
			nFailed++
			if r.Status != 503 || r.Attempts != 1 {
				t.Errorf("line %d failed with status %d after %d attempts; want 503 after 1 (--retries 0)", r.Line, r.Status, r.Attempts)
			}
		}
	}
	if nFailed < 100 || nFailed > 250 {
		t.Fatalf("%d rows failed under 30%% of 503 without retries; expected about 175", nFailed)
	}

	// The rows to re-run are the failed lines of the rejects file, numbered there.
	rejects := rejectsPathOf(out)
	b, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	var again []inRow
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var r struct{ ID, Type, Reason string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		if r.Reason == string(row.Failed) {
			again = append(again, inRow{line: int64(i + 1), id: r.ID, rawType: r.Type, typ: row.Type(r.Type)})
		}
	}

	healthy := sandbox.StartTest(t, cfg)
	out2 := filepath.Join(t.TempDir(), "rerun.parquet")
	run(t, nil, exportArgs(rejects, out2, healthy.URL, "--reasons", "failed")...).expectCode(job.ExitOK)
	checkExactlyOnce(t, again, readSingle(t, out2), expectation{cfg: cfg})
	if n := healthy.Stats().Requests; n != int64(nFailed) {
		t.Errorf("the re-run sent %d requests for %d failed rows", n, nFailed)
	}
}

// With --dedupe each (type, id) is fetched once, aliases of a type included; every
// later line of it is rejected as duplicate naming the first line, also across a
// stop and --resume.
func TestE2EDedupe(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 71}
	var uniq []inRow
	for _, r := range genRows(400, 71) {
		if !r.invalid {
			r.line = int64(len(uniq) + 2)
			uniq = append(uniq, r)
		}
	}
	// Every third row comes back later, under another alias of its type when
	// there is one; a thirdPartyId differing only in case is another ID.
	rows := append([]inRow(nil), uniq...)
	firstOf := map[int64]int64{} // line of a duplicate → line of its first occurrence
	alias := map[row.Type]string{row.TntID: "mboxPC", row.ECID: "ECID", row.ThirdPartyID: "mbox3rdPartyId"}
	for i := 0; i < len(uniq); i += 3 {
		d := uniq[i]
		d.line = int64(len(rows) + 2)
		d.rawType = alias[d.typ]
		rows = append(rows, d)
		firstOf[d.line] = uniq[i].line
	}
	rows = append(rows, inRow{line: int64(len(rows) + 2), id: "CASE-ID", rawType: "thirdPartyId", typ: row.ThirdPartyID},
		inRow{line: int64(len(rows) + 3), id: "case-id", rawType: "thirdPartyId", typ: row.ThirdPartyID})
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	unique := len(rows) - len(firstOf)

	check := func(t *testing.T, got map[int64]record) {
		t.Helper()
		rest := map[int64]record{}
		var firsts []inRow
		for _, r := range rows {
			fl, dup := firstOf[r.line]
			if !dup {
				firsts = append(firsts, r)
				if g, ok := got[r.line]; ok {
					rest[r.line] = g
				}
				continue
			}
			g, ok := got[r.line]
			if !ok {
				t.Errorf("duplicate line %d is in no output", r.line)
				continue
			}
			if g.Kind != string(row.Duplicate) || !strings.Contains(g.Message, fmt.Sprintf("line %d,", fl)) || g.ID != r.id || g.Type != string(r.typ) {
				t.Errorf("line %d (same as line %d): %s %q %q", r.line, fl, g.Kind, g.Type, g.Message)
			}
		}
		for line, g := range got {
			if _, ok := rest[line]; !ok && firstOf[line] == 0 {
				rest[line] = g // extra lines: checkExactlyOnce reports them
			}
		}
		checkExactlyOnce(t, firsts, rest, expectation{cfg: cfg})
	}

	t.Run("one-run", func(t *testing.T) {
		sb := sandbox.StartTest(t, cfg)
		out := filepath.Join(t.TempDir(), "p.jsonl")
		run(t, nil, exportArgs(in, out, sb.URL, "--dedupe")...).expectCode(job.ExitOK)
		check(t, readSingle(t, out))
		if n := sb.Stats().Requests; n != int64(unique) {
			t.Errorf("%d requests for %d unique IDs", n, unique)
		}
	})
	t.Run("stopped-and-resumed", func(t *testing.T) {
		slowCfg := cfg
		slowCfg.Faults.Latency = 10 * time.Millisecond
		slow := sandbox.StartTest(t, slowCfg)
		out := filepath.Join(t.TempDir(), "out") + "/"
		flags := []string{"--dedupe", "-c", "2", "--rows-per-file", "20", "--checkpoint-interval", "20ms"}
		run(t, nil, exportArgs(in, out, slow.URL, append(flags, "--max-duration", "300ms")...)...).expectCode(job.ExitStopped)
		fast := sandbox.StartTest(t, cfg)
		run(t, nil, exportArgs(in, out, fast.URL, append(flags, "--resume")...)...).expectCode(job.ExitOK)
		check(t, readDir(t, out))
	})
}

// --max-failures stops a run against a failing API early (exit 5), keeping a
// resumable state; --resume against a healthy API completes it.
func TestE2EMaxFailures(t *testing.T) {
	t.Parallel()
	cfg := sandbox.Config{Seed: 81}
	broken := cfg
	broken.Faults.Rate500 = 1
	brokenSB := sandbox.StartTest(t, broken)
	rows := genRows(3000, 81)
	in := filepath.Join(t.TempDir(), "ids.csv")
	writeCSV(t, in, rows)
	out := filepath.Join(t.TempDir(), "profiles.parquet")
	flags := []string{"-c", "4", "--retries", "0", "--max-failures", "10"}

	p := run(t, nil, exportArgs(in, out, brokenSB.URL, flags...)...)
	p.expectCode(job.ExitStopped)
	if !strings.Contains(p.stderr.String(), "--max-failures") || !strings.Contains(p.stderr.String(), "--resume") {
		t.Errorf("the message does not say why it stopped and how to go on:\n%s", p.stderr.String())
	}
	if n := brokenSB.Stats().Requests; n < 10 || n > 100 {
		t.Errorf("%d requests before stopping at 10 failures (of %d rows)", n, len(rows))
	}
	if !fileExists(filepath.Join(filepath.Dir(out), ".profiles.parquet.parts", "_state.json")) || fileExists(out) {
		t.Fatalf("after the stop: want a state and no output")
	}

	healthy := sandbox.StartTest(t, cfg)
	run(t, nil, exportArgs(in, out, healthy.URL, append(flags, "--resume")...)...).expectCode(job.ExitFailed)
	got := readSingle(t, out)
	checkExactlyOnce(t, rows, got, expectation{cfg: cfg, allowFailed: true})
	if n := counts(got)[string(row.Failed)]; n < 10 || int64(n) > brokenSB.Stats().Requests {
		t.Errorf("%d failed rows; want those of the stopped run, at least 10 and at most its %d requests", n, brokenSB.Stats().Requests)
	}
}
