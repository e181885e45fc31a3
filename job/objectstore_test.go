package job

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/profile-export/profile-export/fetch"
	"github.com/profile-export/profile-export/fetch/sandbox"
	"github.com/profile-export/profile-export/writer"
	"github.com/profile-export/profile-export/writer/s3test"
)

// bucketObjects lists every object of the bucket "lake" below prefix.
func bucketObjects(t *testing.T, query, prefix string) (*writer.BlobStore, []string) {
	t.Helper()
	bs, err := writer.NewBlobStore(context.Background(), "s3://lake?"+query, prefix, writer.BlobOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bs.Close() })
	names, err := bs.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return bs, names
}

// linesOf reads JSON Lines objects and returns their "line" and "reason" fields,
// failing on a line seen twice across calls.
func linesOf(t *testing.T, r io.Reader, seen map[int64]string, what string) {
	t.Helper()
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v struct {
			Line   int64  `json:"line"`
			Reason string `json:"reason"`
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		kind := "profile"
		if v.Reason != "" {
			kind = v.Reason
		}
		if prev, dup := seen[v.Line]; dup {
			t.Fatalf("line %d twice: %s and %s", v.Line, prev, kind)
		}
		seen[v.Line] = kind
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestObjectStorageTemplatedDirectoryInterruptedAndResumed exports to an S3 prefix
// named by a path template, stops the run half-way, resumes it with the same
// template, and checks the partition holds every row exactly once, with a manifest
// and _SUCCESS written last.
func TestObjectStorageTemplatedDirectoryInterruptedAndResumed(t *testing.T) {
	query := s3test.Start(t)
	srv := sandbox.StartTest(t, sandbox.Config{Faults: sandbox.Faults{Latency: 2 * time.Millisecond}})
	input := writeIDs(t, 1500)
	output := "s3://lake/target_profiles/dt={{.Date}}/run={{.RunID}}/?" + query
	cfg := Config{
		Input: input, Output: output, Format: writer.JSONL, Rate: -1, Concurrency: 4,
		RowsPerFile: 100, Grace: time.Second, Fetch: fetch.Config{BaseURL: srv.URL},
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(300*time.Millisecond, func() { cancel(errors.New("test stop")) })
	sum, err := Run(ctx, cfg)
	var stopped *StoppedError
	if !errors.As(err, &stopped) {
		t.Fatalf("interrupted run: err = %v, want a StoppedError", err)
	}
	if sum.Rows == 0 || sum.Rows >= 1500 {
		t.Fatalf("interrupted run committed %d rows; the test wants it stopped half-way", sum.Rows)
	}
	_, names := bucketObjects(t, query, "target_profiles/")
	var statePrefix string
	for _, n := range names {
		if path.Base(n) == "_state.json" {
			statePrefix = strings.TrimSuffix(n, "_state.json")
		}
		if path.Base(n) == "_SUCCESS" {
			t.Fatalf("an interrupted run wrote %s", n)
		}
	}
	if !strings.HasPrefix(statePrefix, "dt="+time.Now().UTC().Format("2006-01-02")+"/run=") {
		t.Fatalf("state not in the expanded partition: objects %q", names)
	}

	cfg.Resume = true
	sum, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("resumed run: %v", err)
	}
	if !sum.Resumed || sum.Skipped == 0 {
		t.Errorf("resumed run did not continue the first one: %+v", sum)
	}
	bs, names := bucketObjects(t, query, "target_profiles/")
	seen := map[int64]string{}
	var manifest Manifest
	for _, n := range names {
		if !strings.HasPrefix(n, statePrefix) {
			t.Fatalf("the resumed run wrote outside the first run's partition: %s (want %s…)", n, statePrefix)
		}
		rc, err := bs.Open(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		base := path.Base(n)
		switch {
		case strings.HasSuffix(base, ".jsonl"):
			linesOf(t, rc, seen, n)
		case base == "_manifest.json":
			if err := json.NewDecoder(rc).Decode(&manifest); err != nil {
				t.Fatal(err)
			}
		case base == "_SUCCESS":
		default:
			t.Errorf("unexpected object %s left in the partition", n)
		}
		rc.Close()
	}
	if len(seen) != 1500 {
		t.Fatalf("the partition accounts for %d lines, want 1500", len(seen))
	}
	if manifest.Counts.Rows != 1500 || len(manifest.Parts) == 0 {
		t.Fatalf("manifest counts %d rows in %d parts", manifest.Counts.Rows, len(manifest.Parts))
	}
	for _, p := range manifest.Parts {
		st, err := bs.Stat(context.Background(), statePrefix+p.Name)
		if err != nil || st.Size != p.Bytes {
			t.Errorf("manifest lists %s of %d bytes; the bucket has %+v, %v", p.Name, p.Bytes, st, err)
		}
	}
}

// TestObjectStorageSingleFile writes one gzip JSON Lines object and its rejects to
// S3: the parts are staged under a hidden prefix and assembled into the final
// objects, and the staging prefix is gone at the end.
func TestObjectStorageSingleFile(t *testing.T) {
	query := s3test.Start(t)
	srv := sandbox.StartTest(t, sandbox.Config{})
	input := writeIDs(t, 700)
	cfg := Config{
		Input: input, Output: "s3://lake/exports/profiles.jsonl.gz?" + query, Rate: -1, RowsPerFile: 100,
		Fetch: fetch.Config{BaseURL: srv.URL},
	}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	bs, names := bucketObjects(t, query, "exports/")
	if strings.Join(names, ",") != "profiles.jsonl.gz,profiles.rejects.jsonl" {
		t.Fatalf("objects %q, want the profiles and the rejects only", names)
	}
	seen := map[int64]string{}
	rc, err := bs.Open(context.Background(), "profiles.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzipReader(rc)
	if err != nil {
		t.Fatal(err)
	}
	linesOf(t, zr, seen, "profiles")
	rc.Close()
	rc, err = bs.Open(context.Background(), "profiles.rejects.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	linesOf(t, rc, seen, "rejects")
	rc.Close()
	if len(seen) != 700 {
		t.Fatalf("outputs account for %d lines, want 700", len(seen))
	}
	// An existing object is not replaced without --overwrite.
	if _, err := Run(context.Background(), cfg); ExitCode(nil, err) != ExitUsage {
		t.Fatalf("second run without --overwrite: %v, want a usage error", err)
	}
}

func gzipReader(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }
