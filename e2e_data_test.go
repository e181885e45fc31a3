package main

// Inputs the e2e tests generate, and the readers that check what the binary wrote.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/row"
)

// inRow is one data row of a generated input, with what the export must make of it.
type inRow struct {
	line    int64
	id      string
	rawType string
	typ     row.Type // canonical; empty for an invalid row
	invalid bool
}

// genRows makes n data rows (lines 2..n+1) of every ID type and its aliases, with
// IDs that need escaping in a URL and about 2% invalid rows. The same seed gives the
// same rows.
func genRows(n int, seed uint64) []inRow {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	rows := make([]inRow, 0, n)
	for i := range n {
		r := inRow{line: int64(i + 2)}
		switch k := rng.IntN(100); {
		case k < 2: // invalid: an empty ID, or a type nobody knows
			if k == 0 {
				r.rawType, r.invalid = "tntId", true
			} else {
				r.id, r.rawType, r.invalid = fmt.Sprintf("x-%d", i), "bogusType", true
			}
		case k < 40:
			r.id = fmt.Sprintf("%015d-%06d", rng.Int64N(1e15), rng.IntN(1e6))
			if k%7 == 0 {
				r.id += ".28_0" // a location hint: kept as part of the ID
			}
			r.rawType, r.typ = []string{"tntId", "mboxPC", "PCID"}[k%3], row.TntID
		case k < 70:
			r.id = fmt.Sprintf("%019d%019d", rng.Int64N(1e18), rng.Int64N(1e18))
			r.rawType, r.typ = []string{"marketingCloudVisitorId", "ECID", "mcid"}[k%3], row.ECID
		default:
			forms := []string{"CRM-%d", "user/%d?x=1#y", "pierre.müller%d@exemple.fr", "a b,%d \"q\"", "100%%-%d"}
			r.id = fmt.Sprintf(forms[k%len(forms)], rng.IntN(1e7))
			r.rawType, r.typ = []string{"thirdPartyId", "mbox3rdPartyId"}[k%2], row.ThirdPartyID
		}
		rows = append(rows, r)
	}
	return rows
}

// writeCSV writes rows under an "id,type" header to path.
func writeCSV(t *testing.T, path string, rows []inRow) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"id", "type"})
	for _, r := range rows {
		_ = w.Write([]string{r.id, r.rawType})
	}
	w.Flush()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// record is one row as found in an output: a profile or a reject.
type record struct {
	Line     int64
	ID       string
	Type     string
	Kind     string // "profile" or the reject reason
	Body     string // the profile as written
	Status   int
	Message  string
	Attempts int
	File     string // where it was found, for messages
}

const kindProfile = "profile"

// readProfilesJSONL reads a profiles JSON Lines file (gzip when the name ends in .gz).
func readProfilesJSONL(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = gz
	}
	var out []record
	err = eachLine(r, func(n int, line []byte) error {
		var p struct {
			Line      *int64          `json:"line"`
			ID        string          `json:"id"`
			Type      string          `json:"type"`
			FetchedAt string          `json:"fetched_at"`
			Profile   json.RawMessage `json:"profile"`
		}
		if err := json.Unmarshal(line, &p); err != nil || p.Line == nil || len(p.Profile) == 0 {
			return fmt.Errorf("line %d is not a profile record (%v): %.200s", n, err, line)
		}
		if _, err := time.Parse(time.RFC3339, p.FetchedAt); err != nil {
			return fmt.Errorf("line %d: fetched_at: %w", n, err)
		}
		out = append(out, record{Line: *p.Line, ID: p.ID, Type: p.Type, Kind: kindProfile, Body: string(p.Profile), File: path})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// parquetProfile is the part of the writer's Parquet schema the tests read back.
type parquetProfile struct {
	Line       int64              `parquet:"line"`
	ID         string             `parquet:"id"`
	Type       string             `parquet:"type"`
	FetchedAt  time.Time          `parquet:"fetched_at,timestamp(microsecond)"`
	VisitorID  *string            `parquet:"visitor_id,optional"`
	Attributes map[string]*string `parquet:"attributes" parquet-value:",optional"`
	Profile    string             `parquet:"profile,json"`
}

// readProfilesParquet reads every row of a Parquet profiles file.
func readProfilesParquet(path string) ([]record, error) {
	rows, err := parquet.ReadFile[parquetProfile](path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]record, 0, len(rows))
	for _, p := range rows {
		if p.FetchedAt.IsZero() {
			return nil, fmt.Errorf("%s: line %d has no fetched_at", path, p.Line)
		}
		out = append(out, record{Line: p.Line, ID: p.ID, Type: p.Type, Kind: kindProfile, Body: p.Profile, File: path})
	}
	return out, nil
}

func readProfiles(path string) ([]record, error) {
	if strings.HasSuffix(path, ".parquet") {
		return readProfilesParquet(path)
	}
	return readProfilesJSONL(path)
}

// readRejects reads a rejects JSON Lines file.
func readRejects(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []record
	err = eachLine(f, func(n int, line []byte) error {
		var r struct {
			Line     *int64 `json:"line"`
			ID       string `json:"id"`
			Type     string `json:"type"`
			Reason   string `json:"reason"`
			Status   int    `json:"status"`
			Message  string `json:"message"`
			Attempts *int   `json:"attempts"`
		}
		if err := json.Unmarshal(line, &r); err != nil || r.Line == nil || r.Reason == "" || r.Attempts == nil {
			return fmt.Errorf("line %d is not a reject (%v): %.200s", n, err, line)
		}
		out = append(out, record{Line: *r.Line, ID: r.ID, Type: r.Type, Kind: r.Reason, Status: r.Status,
			Message: r.Message, Attempts: *r.Attempts, File: path})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// eachLine calls fn for every line of r; the file must end with a newline (a file
// cut short would not).
func eachLine(r io.Reader, fn func(n int, line []byte) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			if len(line) > 0 {
				return fmt.Errorf("line %d has no final newline (file cut short?)", n)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
}

// mustRead calls read(path), failing the test on error.
func mustRead(t *testing.T, read func(string) ([]record, error), path string) []record {
	t.Helper()
	recs, err := read(path)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// byLine indexes records by line, failing the test for any line found twice.
func byLine(t *testing.T, lists ...[]record) map[int64]record {
	t.Helper()
	m := map[int64]record{}
	for _, l := range lists {
		for _, r := range l {
			if old, dup := m[r.Line]; dup {
				t.Errorf("line %d is in the outputs twice: as %s in %s and as %s in %s", r.Line, old.Kind, old.File, r.Kind, r.File)
				continue
			}
			m[r.Line] = r
		}
	}
	return m
}

// rejectsPathOf is the default rejects file of a single-file output.
func rejectsPathOf(out string) string {
	dir, name := filepath.Split(out)
	for _, ext := range []string{".gz", ".jsonl", ".parquet"} {
		name = strings.TrimSuffix(name, ext)
	}
	return filepath.Join(dir, name+".rejects.jsonl")
}

// readSingle reads a completed single-file export (out and its default rejects
// file) and checks that nothing else was left beside them: no staging directory,
// state, lock or temporary file.
func readSingle(t *testing.T, out string) map[int64]record {
	t.Helper()
	rej := rejectsPathOf(out)
	checkDirHolds(t, filepath.Dir(out), filepath.Base(out), filepath.Base(rej))
	return byLine(t, mustRead(t, readProfiles, out), mustRead(t, readRejects, rej))
}

// checkDirHolds fails unless dir holds exactly the entries names.
func checkDirHolds(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	want := append([]string(nil), names...)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s holds %q, want exactly %q", dir, got, want)
	}
}

// manifest is the part of the directory-mode manifest the tests check.
type manifest struct {
	Format  string         `json:"format"`
	Parts   []manifestFile `json:"parts"`
	Rejects []manifestFile `json:"rejects"`
	Counts  struct {
		Rows     int64            `json:"rows"`
		Profiles int64            `json:"profiles"`
		Rejects  map[string]int64 `json:"rejects"`
	} `json:"counts"`
}

type manifestFile struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// readDir reads a completed directory-mode export: _SUCCESS and the manifest must be
// there, the manifest must list exactly the part files present, each with its true
// rows, bytes and SHA-256, its counts must match, and nothing else (state, lock,
// temporary file) may be left in the directory.
func readDir(t *testing.T, dir string) map[int64]record {
	t.Helper()
	return readShards(t, dir, "")
}

// readShards is readDir for the shards of a sharded export that share dir; tags
// are the shards' name suffixes ("-s000", …), or "" for an export without shards.
func readShards(t *testing.T, dir string, tags ...string) map[int64]record {
	t.Helper()
	var expect []string
	var lists [][]record
	for _, tag := range tags {
		names, recs := readManifest(t, dir, tag)
		expect = append(expect, names...)
		lists = append(lists, recs...)
	}
	checkDirHolds(t, dir, expect...)
	return byLine(t, lists...)
}

// readManifest checks the _SUCCESS marker, manifest and files of one shard (tag) of
// a directory export and returns the names of those files and their records.
func readManifest(t *testing.T, dir, tag string) ([]string, [][]record) {
	t.Helper()
	if !fileExists(filepath.Join(dir, "_SUCCESS"+tag)) {
		t.Fatalf("%s has no _SUCCESS%s", dir, tag)
	}
	b, err := os.ReadFile(filepath.Join(dir, "_manifest"+tag+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	expect := []string{"_SUCCESS" + tag, "_manifest" + tag + ".json"}
	var lists [][]record
	var profiles, rejects int64
	rejectsBy := map[string]int64{}
	check := func(f manifestFile, read func(string) ([]record, error)) []record {
		p := filepath.Join(dir, f.Name)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("manifest lists %s: %v", f.Name, err)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != f.SHA256 || int64(len(data)) != f.Bytes {
			t.Errorf("%s: %d bytes, sha256 %s; manifest says %d bytes, sha256 %s", f.Name, len(data), got, f.Bytes, f.SHA256)
		}
		recs := mustRead(t, read, p)
		if int64(len(recs)) != f.Rows {
			t.Errorf("%s holds %d rows, manifest says %d", f.Name, len(recs), f.Rows)
		}
		expect = append(expect, f.Name)
		return recs
	}
	for _, f := range m.Parts {
		recs := check(f, readProfiles)
		profiles += int64(len(recs))
		lists = append(lists, recs)
	}
	for _, f := range m.Rejects {
		recs := check(f, readRejects)
		rejects += int64(len(recs))
		for _, r := range recs {
			rejectsBy[r.Kind]++
		}
		lists = append(lists, recs)
	}
	if m.Counts.Profiles != profiles || m.Counts.Rows != profiles+rejects {
		t.Errorf("manifest%s counts rows=%d profiles=%d; the files hold %d profiles and %d rejects", tag, m.Counts.Rows, m.Counts.Profiles, profiles, rejects)
	}
	for reason, n := range rejectsBy {
		if m.Counts.Rejects[reason] != n {
			t.Errorf("manifest%s counts %d %s rejects; the files hold %d", tag, m.Counts.Rejects[reason], reason, n)
		}
	}
	return expect, lists
}

// expectation says what each input row must become under a sandbox configuration.
type expectation struct {
	cfg         sandbox.Config
	allowFailed bool // rows may end as failed (injected faults outlasting the retries)
}

// checkExactlyOnce fails the test unless every input row is in got exactly once
// (byLine already refused duplicates), nothing else is, and each outcome is the one
// the sandbox answers: the profile body byte for byte, or not_found, or invalid_row.
func checkExactlyOnce(t *testing.T, rows []inRow, got map[int64]record, exp expectation) {
	t.Helper()
	lines := map[int64]bool{}
	bad := 0
	report := func(format string, a ...any) {
		bad++
		if bad <= 10 {
			t.Errorf(format, a...)
		}
	}
	for _, in := range rows {
		lines[in.line] = true
		r, ok := got[in.line]
		if !ok {
			report("line %d (%s %q) is in no output", in.line, in.rawType, in.id)
			continue
		}
		if in.invalid {
			if r.Kind != string(row.InvalidRow) {
				report("line %d: invalid row ended as %s", in.line, r.Kind)
			}
			continue
		}
		if r.ID != in.id || r.Type != string(in.typ) {
			report("line %d: output has %s %q, input has %s %q", in.line, r.Type, r.ID, in.typ, in.id)
		}
		body, found := exp.cfg.Profile(in.typ, in.id)
		switch {
		case r.Kind == string(row.Failed) && exp.allowFailed:
		case found && r.Kind != kindProfile:
			report("line %d: %s %q exists but ended as %s (%s)", in.line, in.typ, in.id, r.Kind, r.Message)
		case found && r.Body != string(body):
			report("line %d: profile differs from the server's answer:\n got %.300s\nwant %.300s", in.line, r.Body, body)
		case !found && (r.Kind != string(row.NotFound) || r.Status != 404):
			report("line %d: %s %q does not exist but ended as %s status %d", in.line, in.typ, in.id, r.Kind, r.Status)
		}
	}
	for line, r := range got {
		if !lines[line] {
			report("line %d is in %s but not in the input", line, r.File)
		}
	}
	if bad > 10 {
		t.Errorf("... %d problems in all", bad)
	}
}

// sameOutcomes fails unless a and b hold the same lines with the same outcomes and
// profile bodies.
func sameOutcomes(t *testing.T, a, b map[int64]record) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%d rows against %d in the undisturbed run", len(a), len(b))
	}
	diffs := 0
	for line, ra := range a {
		rb, ok := b[line]
		if !ok || ra.Kind != rb.Kind || ra.Body != rb.Body || ra.ID != rb.ID || ra.Type != rb.Type || ra.Status != rb.Status || ra.Message != rb.Message {
			if diffs++; diffs <= 10 {
				t.Errorf("line %d: %+v, undisturbed run: %+v", line, ra, rb)
			}
		}
	}
}

// counts returns how many records are of each kind.
func counts(m map[int64]record) map[string]int {
	c := map[string]int{}
	for _, r := range m {
		c[r.Kind]++
	}
	return c
}
